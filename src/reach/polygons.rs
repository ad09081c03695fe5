//! Band polygons: rasterise the travel-time field over the reached window, then contour it
//! into isobands (marching squares, the `contour` crate).

use super::result::Band;
use super::{BandForm, DEFAULT_CELL_M, MAX_GRID_SIDE};
use crate::geodesy::LocalFrame;
use crate::network::streets::StreetField;
use crate::raster::TimeGrid;
use geo::{Area, MultiPolygon};

/// Value given to unreached cells: far above any band, so contours close around the reach.
const UNREACHED_MIN: f64 = 1.0e6;

/// Bands without geometry (for queries that asked for no polygons).
pub fn empty_bands(bands: &[f64], form: BandForm) -> Vec<Band> {
    bands
        .iter()
        .enumerate()
        .map(|(i, &b)| Band {
            min_minutes: lower_limit(bands, i, form),
            max_minutes: b,
            geometry: None,
            area_km2: None,
        })
        .collect()
}

fn lower_limit(bands: &[f64], i: usize, form: BandForm) -> f64 {
    match form {
        BandForm::Cumulative => 0.0,
        BandForm::Disjoint => {
            if i == 0 {
                0.0
            } else {
                bands[i - 1]
            }
        }
    }
}

/// The cell size for a reached extent: the requested or default size, grown so the grid stays
/// within [`MAX_GRID_SIDE`] cells a side.
pub fn cell_size(extent: [f64; 4], requested: Option<f64>) -> f64 {
    let frame = LocalFrame::new([(extent[0] + extent[2]) / 2.0, (extent[1] + extent[3]) / 2.0]);
    let sw = frame.to_xy([extent[0], extent[1]]);
    let ne = frame.to_xy([extent[2], extent[3]]);
    let side = (ne[0] - sw[0]).max(ne[1] - sw[1]);
    let base = requested.unwrap_or(DEFAULT_CELL_M);
    if requested.is_some() {
        base.max(side / (2.0 * MAX_GRID_SIDE))
    } else {
        base.max(side / MAX_GRID_SIDE)
    }
}

/// Rasterises a field over its reached extent (plus one cell all round, so every contour closes).
pub fn rasterise(field: &dyn StreetField, cell_m: Option<f64>) -> Option<TimeGrid> {
    let e = field.extent()?;
    let cell = cell_size(e, cell_m);
    let frame = LocalFrame::new([(e[0] + e[2]) / 2.0, (e[1] + e[3]) / 2.0]);
    let m = frame.metres_per_degree();
    let pad = [cell / m[0], cell / m[1]];
    let bbox = [e[0] - pad[0], e[1] - pad[1], e[2] + pad[0], e[3] + pad[1]];
    let mut grid = TimeGrid::covering(bbox, cell);
    field.fill_grid(&mut grid);
    Some(grid)
}

/// Band polygons (valid MultiPolygons in lon/lat) for the given band limits in minutes.
pub fn band_polygons(
    field: &dyn StreetField,
    bands: &[f64],
    form: BandForm,
    cell_m: Option<f64>,
) -> Vec<Band> {
    let mut out = empty_bands(bands, form);
    let Some(grid) = rasterise(field, cell_m) else {
        for b in &mut out {
            b.geometry = Some(MultiPolygon::new(Vec::new()));
            b.area_km2 = Some(0.0);
        }
        return out;
    };
    let polys = contour_grid(&grid, bands, form);
    for (b, mp) in out.iter_mut().zip(polys) {
        b.area_km2 = Some(area_km2(&mp, grid.frame()));
        b.geometry = Some(mp);
    }
    out
}

/// Contours a grid (seconds) into one MultiPolygon per band.
pub fn contour_grid(grid: &TimeGrid, bands: &[f64], form: BandForm) -> Vec<MultiPolygon<f64>> {
    let (nx, ny) = grid.size();
    let values: Vec<f64> = grid
        .values()
        .iter()
        .map(|&s| {
            if s.is_finite() {
                s as f64 / 60.0
            } else {
                UNREACHED_MIN
            }
        })
        .collect();
    let (sw, step) = grid.lonlat_origin_and_step();
    // Cell values sit at cell centres: shift the origin by half a cell.
    let builder = contour::ContourBuilder::new(nx, ny, true)
        .x_origin(sw[0] + step[0] / 2.0)
        .y_origin(sw[1] + step[1] / 2.0)
        .x_step(step[0])
        .y_step(step[1]);
    let mut thresholds = Vec::with_capacity(bands.len() + 1);
    thresholds.push(-1.0);
    thresholds.extend_from_slice(bands);
    let result = match form {
        BandForm::Disjoint => builder.isobands(&values, &thresholds).map(|bs| {
            let mut by_upper: Vec<MultiPolygon<f64>> =
                vec![MultiPolygon::new(Vec::new()); bands.len()];
            for b in bs {
                if let Some(i) = bands.iter().position(|&u| (u - b.max_v()).abs() < 1e-9) {
                    by_upper[i] = b.into_inner().0;
                }
            }
            by_upper
        }),
        BandForm::Cumulative => bands
            .iter()
            .map(|&u| {
                builder.isobands(&values, &[-1.0, u]).map(|bs| {
                    bs.into_iter()
                        .next()
                        .map(|b| b.into_inner().0)
                        .unwrap_or_else(|| MultiPolygon::new(Vec::new()))
                })
            })
            .collect(),
    };
    // The builder only fails on a value grid of the wrong size, which cannot happen here.
    result.unwrap_or_else(|_| vec![MultiPolygon::new(Vec::new()); bands.len()])
}

/// Area in km² of a lon/lat MultiPolygon, in the grid's local metric frame.
fn area_km2(mp: &MultiPolygon<f64>, frame: &LocalFrame) -> f64 {
    let projected: MultiPolygon<f64> = geo::MapCoords::map_coords(mp, |c| {
        let xy = frame.to_xy([c.x, c.y]);
        geo::Coord { x: xy[0], y: xy[1] }
    });
    (projected.unsigned_area() / 1e6 * 100.0).round() / 100.0
}
