//! A regular grid of origins over an area: square cells of a given size in metres, laid out in
//! longitude/latitude so that a GeoTIFF in EPSG:4326 describes them exactly.
//!
//! A cell's side is `cell_m` metres at the grid's centre latitude (east–west and north–south);
//! over a city's extent (≤ 1° of latitude) the east–west side drifts by under 2 %. Each cell's
//! origin is its centre, and a cell belongs to the grid when its centre lies inside the area.

use geo::{Contains, MultiPolygon, Point};

/// Metres per degree of latitude (mean Earth radius, as the rest of the engine).
const M_PER_DEG_LAT: f64 = crate::geodesy::EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

/// The most cells one grid may have (a 100 m grid over about 40 × 40 km per million).
pub const MAX_CELLS: usize = 2_000_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// West edge, degrees.
    pub west: f64,
    /// North edge, degrees.
    pub north: f64,
    /// Cell width and height in degrees.
    pub dlon: f64,
    pub dlat: f64,
    pub cols: usize,
    pub rows: usize,
    /// The cell size asked for, metres.
    pub cell_m: f64,
    /// Row-major: whether the cell's centre lies in the area.
    pub inside: Vec<bool>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GridError {
    #[error("cell: {0} m is outside [50, 5000]")]
    CellSize(f64),
    #[error("the area is empty or not a valid box: {0:?}")]
    EmptyArea([f64; 4]),
    #[error("a {cell_m} m grid over this area has {cells} cells; at most {max} (use a larger --cell or a smaller --within)")]
    TooManyCells {
        cell_m: f64,
        cells: usize,
        max: usize,
    },
}

impl Grid {
    /// Cells of `cell_m` metres over `bbox` (w, s, e, n), kept where `area` (if any) contains
    /// their centre.
    pub fn over(
        bbox: [f64; 4],
        cell_m: f64,
        area: Option<&MultiPolygon<f64>>,
    ) -> Result<Grid, GridError> {
        if !(50.0..=5000.0).contains(&cell_m) {
            return Err(GridError::CellSize(cell_m));
        }
        let [w, s, e, n] = bbox;
        if !(bbox.iter().all(|v| v.is_finite()) && w < e && s < n) {
            return Err(GridError::EmptyArea(bbox));
        }
        let mid_lat = (s + n) / 2.0;
        let dlat = cell_m / M_PER_DEG_LAT;
        let dlon = cell_m / (M_PER_DEG_LAT * mid_lat.to_radians().cos());
        let cols = ((e - w) / dlon).ceil().max(1.0) as usize;
        let rows = ((n - s) / dlat).ceil().max(1.0) as usize;
        let cells = cols.saturating_mul(rows);
        if cells > MAX_CELLS {
            return Err(GridError::TooManyCells {
                cell_m,
                cells,
                max: MAX_CELLS,
            });
        }
        let mut grid = Grid {
            west: w,
            north: n,
            dlon,
            dlat,
            cols,
            rows,
            cell_m,
            inside: vec![true; cells],
        };
        if let Some(a) = area {
            for r in 0..rows {
                for c in 0..cols {
                    let p = grid.centre(r, c);
                    grid.inside[r * cols + c] = a.contains(&Point::new(p[0], p[1]));
                }
            }
        }
        Ok(grid)
    }

    /// (lon, lat) of a cell's centre.
    pub fn centre(&self, row: usize, col: usize) -> [f64; 2] {
        [
            self.west + (col as f64 + 0.5) * self.dlon,
            self.north - (row as f64 + 0.5) * self.dlat,
        ]
    }

    /// The cells inside the area, as (row-major index, centre).
    pub fn origins(&self) -> impl Iterator<Item = (usize, [f64; 2])> + '_ {
        (0..self.rows * self.cols)
            .filter(|&i| self.inside[i])
            .map(|i| (i, self.centre(i / self.cols, i % self.cols)))
    }

    pub fn len_inside(&self) -> usize {
        self.inside.iter().filter(|&&b| b).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, MultiPolygon};

    #[test]
    fn cells_are_square_in_metres_at_the_centre_latitude() {
        let g = Grid::over([113.0, 34.0, 114.0, 35.0], 250.0, None).unwrap();
        let frame = crate::geodesy::LocalFrame::new([113.5, 34.5]);
        let a = frame.to_xy([113.5, 34.5]);
        let b = frame.to_xy([113.5 + g.dlon, 34.5 + g.dlat]);
        assert!(((b[0] - a[0]) - 250.0).abs() < 0.5, "{:?}", b);
        assert!(((b[1] - a[1]) - 250.0).abs() < 0.5, "{:?}", b);
        assert_eq!(g.rows, (1.0 / g.dlat).ceil() as usize);
    }

    #[test]
    fn only_centres_inside_the_area_are_origins() {
        let tri: MultiPolygon<f64> = polygon![
            (x: 0.0, y: 0.0), (x: 0.1, y: 0.0), (x: 0.0, y: 0.1), (x: 0.0, y: 0.0)
        ]
        .into();
        let g = Grid::over([0.0, 0.0, 0.1, 0.1], 1000.0, Some(&tri)).unwrap();
        let n = g.len_inside();
        // A right triangle covers half the square: about half the cells.
        let total = g.rows * g.cols;
        assert!(
            n * 2 > total * 4 / 10 && n * 2 < total * 6 / 10 * 2,
            "{n} of {total}"
        );
        for (_, p) in g.origins() {
            assert!(p[0] + p[1] <= 0.1 + 1e-12);
        }
        assert!(Grid::over([0.0, 0.0, 10.0, 10.0], 50.0, None).is_err());
        assert!(Grid::over([0.0, 0.0, 0.1, 0.1], 10.0, None).is_err());
        assert!(Grid::over([1.0, 0.0, 0.1, 0.1], 100.0, None).is_err());
    }
}
