//! A regular grid of origins over an area: square cells of a given size in metres, laid out in
//! longitude/latitude so that a GeoTIFF in EPSG:4326 describes them exactly.
//!
//! A cell's side is `cell_m` metres at the grid's centre latitude (east–west and north–south);
//! over a city's extent (≤ 1° of latitude) the east–west side drifts by under 2 %. Each cell's
//! origin is its centre, and a cell belongs to the grid when its centre lies inside the area.

use geo::MultiPolygon;

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
            grid.mask(a);
        }
        Ok(grid)
    }

    /// Keeps the cells whose centre lies inside `area`. Cells are found one row at a time: the row's centre
    /// line crosses a polygon's rings at sorted longitudes, and the even-odd rule keeps the
    /// spans between pairs (holes included); polygons are ORed, so neighbouring districts
    /// that overlap by a sliver keep it. O(rows × edges + polygons × cells), where a
    /// point-in-polygon test per cell would be O(cells × edges).
    fn mask(&mut self, area: &MultiPolygon<f64>) {
        self.inside = self.cells_in(area);
    }

    /// Row-major: whether each cell's centre lies in `area` (see [`Grid::mask`]'s method).
    pub fn cells_in(&self, area: &MultiPolygon<f64>) -> Vec<bool> {
        let polygons: Vec<Vec<[f64; 4]>> = area
            .0
            .iter()
            .map(|p| {
                std::iter::once(p.exterior())
                    .chain(p.interiors())
                    .flat_map(|ring| {
                        ring.lines()
                            .map(|l| [l.start.x, l.start.y, l.end.x, l.end.y])
                    })
                    .filter(|e| e[1] != e[3])
                    .collect()
            })
            .collect();
        let mut inside = vec![false; self.rows * self.cols];
        let mut xs: Vec<f64> = Vec::new();
        let mut part = vec![false; self.cols];
        for r in 0..self.rows {
            let y = self.north - (r as f64 + 0.5) * self.dlat;
            for edges in &polygons {
                xs.clear();
                for e in edges {
                    // Half-open in y so a vertex on the line counts once.
                    let (lo, hi) = if e[1] < e[3] {
                        (e[1], e[3])
                    } else {
                        (e[3], e[1])
                    };
                    if y >= lo && y < hi {
                        xs.push(e[0] + (y - e[1]) * (e[2] - e[0]) / (e[3] - e[1]));
                    }
                }
                if xs.is_empty() {
                    continue;
                }
                xs.sort_by(f64::total_cmp);
                part.fill(false);
                for pair in xs.chunks_exact(2) {
                    // Cells whose centre x lies in [pair[0], pair[1]).
                    let first = ((pair[0] - self.west) / self.dlon - 0.5).ceil().max(0.0) as usize;
                    let last = ((pair[1] - self.west) / self.dlon - 0.5).ceil().max(0.0) as usize;
                    for cell in part.iter_mut().take(last.min(self.cols)).skip(first) {
                        *cell = !*cell;
                    }
                }
                let row = &mut inside[r * self.cols..(r + 1) * self.cols];
                for (dst, &src) in row.iter_mut().zip(&part) {
                    *dst |= src;
                }
            }
        }
        inside
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

    /// The scanline mask against geo's point-in-polygon test, on a polygon with a hole and a
    /// second part.
    #[test]
    fn mask_equals_point_in_polygon() {
        use geo::{Contains, Point};
        let outer = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 0.2, y: 0.01), (x: 0.18, y: 0.2), (x: 0.05, y: 0.15), (x: 0.0, y: 0.0)],
            interiors: [[(x: 0.06, y: 0.05), (x: 0.12, y: 0.05), (x: 0.1, y: 0.1), (x: 0.06, y: 0.05)]],
        );
        let second =
            polygon![(x: 0.21, y: 0.0), (x: 0.3, y: 0.0), (x: 0.3, y: 0.07), (x: 0.21, y: 0.0)];
        // A third part overlapping the first: the union keeps the overlap.
        let third =
            polygon![(x: 0.15, y: 0.1), (x: 0.25, y: 0.1), (x: 0.25, y: 0.18), (x: 0.15, y: 0.1)];
        let area = MultiPolygon(vec![outer, second, third]);
        let g = Grid::over([0.0, 0.0, 0.3, 0.2], 300.0, Some(&area)).unwrap();
        let mut n = 0;
        for r in 0..g.rows {
            for c in 0..g.cols {
                let p = g.centre(r, c);
                let want = area.0.iter().any(|q| q.contains(&Point::new(p[0], p[1])));
                assert_eq!(g.inside[r * g.cols + c], want, "cell {r},{c} at {p:?}");
                n += usize::from(want);
            }
        }
        assert!(n > 100, "{n}");
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
