//! Band polygons: rasterise the travel-time field over the reached window, then contour it
//! into isobands that are valid by construction (see [`super::contour`]).

use super::contour::{isobands, Cleanup, Pin};
use super::result::Band;
use super::{BandForm, DEFAULT_CELL_M, MAX_GRID_SIDE};
use crate::geodesy::LocalFrame;
use crate::network::streets::StreetField;
use crate::raster::TimeGrid;
use geo::{Area, MultiPolygon};

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

/// What a band polygon query may tune besides the bands themselves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolygonOptions {
    /// Raster cell, metres (`None`: default, grown for large extents).
    pub cell_m: Option<f64>,
    /// Douglas–Peucker tolerance, metres (`None`: [`DEFAULT_GENERALIZE_CELLS`] of a cell).
    pub generalize_m: Option<f64>,
    /// Drop parts smaller than this share of the largest (`None`: [`DEFAULT_DENOISE`]).
    pub denoise: Option<f64>,
    /// Places the engine reached: each lies inside every band whose limit it meets.
    pub pins: Vec<Pin>,
}

/// Default generalisation tolerance as a share of the cell size.
pub const DEFAULT_GENERALIZE_CELLS: f64 = 0.5;
/// Default share of the largest part below which a part is dropped.
pub const DEFAULT_DENOISE: f64 = 0.01;

/// Band polygons (valid MultiPolygons in lon/lat) for the given band limits in minutes, with
/// the default cleanup.
pub fn band_polygons(
    field: &dyn StreetField,
    bands: &[f64],
    form: BandForm,
    cell_m: Option<f64>,
) -> Vec<Band> {
    band_polygons_with(
        field,
        bands,
        form,
        &PolygonOptions {
            cell_m,
            ..PolygonOptions::default()
        },
    )
}

/// Band polygons with explicit options.
pub fn band_polygons_with(
    field: &dyn StreetField,
    bands: &[f64],
    form: BandForm,
    opts: &PolygonOptions,
) -> Vec<Band> {
    let mut out = empty_bands(bands, form);
    let Some(grid) = rasterise_with_pins(field, opts.cell_m, &opts.pins) else {
        for b in &mut out {
            b.geometry = Some(MultiPolygon::new(Vec::new()));
            b.area_km2 = Some(0.0);
        }
        return out;
    };
    let polys = contour_grid_with(&grid, bands, form, opts);
    for (b, mp) in out.iter_mut().zip(polys) {
        b.area_km2 = Some(area_km2(&mp, grid.frame()));
        b.geometry = Some(mp);
    }
    out
}

/// Rasterises a field over its reached extent grown to hold every pin.
fn rasterise_with_pins(
    field: &dyn StreetField,
    cell_m: Option<f64>,
    pins: &[Pin],
) -> Option<TimeGrid> {
    let mut e = field.extent()?;
    for p in pins {
        e = [
            e[0].min(p.lonlat[0]),
            e[1].min(p.lonlat[1]),
            e[2].max(p.lonlat[0]),
            e[3].max(p.lonlat[1]),
        ];
    }
    let cell = cell_size(e, cell_m);
    let frame = LocalFrame::new([(e[0] + e[2]) / 2.0, (e[1] + e[3]) / 2.0]);
    let m = frame.metres_per_degree();
    let pad = [cell / m[0], cell / m[1]];
    let bbox = [e[0] - pad[0], e[1] - pad[1], e[2] + pad[0], e[3] + pad[1]];
    let mut grid = TimeGrid::covering(bbox, cell);
    field.fill_grid(&mut grid);
    Some(grid)
}

/// Contours a grid (seconds) into one MultiPolygon per band, with the default cleanup.
pub fn contour_grid(grid: &TimeGrid, bands: &[f64], form: BandForm) -> Vec<MultiPolygon<f64>> {
    contour_grid_with(grid, bands, form, &PolygonOptions::default())
}

/// Contours a grid (seconds) into one MultiPolygon per band.
pub fn contour_grid_with(
    grid: &TimeGrid,
    bands: &[f64],
    form: BandForm,
    opts: &PolygonOptions,
) -> Vec<MultiPolygon<f64>> {
    let thresholds: Vec<f64> = bands.iter().map(|b| b * 60.0).collect();
    let cleanup = Cleanup {
        generalize_m: opts
            .generalize_m
            .unwrap_or(DEFAULT_GENERALIZE_CELLS * grid.cell_m()),
        denoise: opts.denoise.unwrap_or(DEFAULT_DENOISE),
    };
    isobands(
        grid,
        &thresholds,
        form == BandForm::Cumulative,
        &opts.pins,
        cleanup,
    )
}

/// Area in km² of a lon/lat MultiPolygon, in the grid's local metric frame.
fn area_km2(mp: &MultiPolygon<f64>, frame: &LocalFrame) -> f64 {
    let projected: MultiPolygon<f64> = geo::MapCoords::map_coords(mp, |c| {
        let xy = frame.to_xy([c.x, c.y]);
        geo::Coord { x: xy[0], y: xy[1] }
    });
    (projected.unsigned_area() / 1e6 * 100.0).round() / 100.0
}
