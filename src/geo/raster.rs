//! A travel-time raster on a local metric grid: the meeting point of street fields (which fill
//! it) and isochrone polygons (which contour it).

use crate::geo::geodesy::LocalFrame;

/// Seconds per cell on a regular grid of square cells, row-major from the south-west corner.
/// Unreached cells hold `f32::INFINITY`.
#[derive(Debug, Clone)]
pub struct TimeGrid {
    frame: LocalFrame,
    /// Frame metres of the south-west corner of cell (0, 0).
    min_xy: [f64; 2],
    cell_m: f64,
    nx: usize,
    ny: usize,
    values: Vec<f32>,
}

impl TimeGrid {
    /// A grid covering the (lon, lat) box `bbox` = [west, south, east, north] with `cell_m` cells.
    pub fn covering(bbox: [f64; 4], cell_m: f64) -> TimeGrid {
        let centre = [(bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0];
        let frame = LocalFrame::new(centre);
        let sw = frame.to_xy([bbox[0], bbox[1]]);
        let ne = frame.to_xy([bbox[2], bbox[3]]);
        let nx = (((ne[0] - sw[0]) / cell_m).ceil() as usize).max(1);
        let ny = (((ne[1] - sw[1]) / cell_m).ceil() as usize).max(1);
        TimeGrid {
            frame,
            min_xy: sw,
            cell_m,
            nx,
            ny,
            values: vec![f32::INFINITY; nx * ny],
        }
    }

    pub fn frame(&self) -> &LocalFrame {
        &self.frame
    }

    pub fn cell_m(&self) -> f64 {
        self.cell_m
    }

    pub fn size(&self) -> (usize, usize) {
        (self.nx, self.ny)
    }

    pub fn values(&self) -> &[f32] {
        &self.values
    }

    /// Frame metres of the centre of cell (ix, iy).
    pub fn cell_centre_xy(&self, ix: usize, iy: usize) -> [f64; 2] {
        [
            self.min_xy[0] + (ix as f64 + 0.5) * self.cell_m,
            self.min_xy[1] + (iy as f64 + 0.5) * self.cell_m,
        ]
    }

    /// (lon, lat) of the centre of cell (ix, iy).
    pub fn cell_centre(&self, ix: usize, iy: usize) -> [f64; 2] {
        self.frame.to_lonlat(self.cell_centre_xy(ix, iy))
    }

    /// The cell containing a frame-metre point, if inside the grid.
    pub fn cell_of_xy(&self, xy: [f64; 2]) -> Option<(usize, usize)> {
        let fx = (xy[0] - self.min_xy[0]) / self.cell_m;
        let fy = (xy[1] - self.min_xy[1]) / self.cell_m;
        if fx < 0.0 || fy < 0.0 || !fx.is_finite() || !fy.is_finite() {
            return None;
        }
        let (ix, iy) = (fx as usize, fy as usize);
        (ix < self.nx && iy < self.ny).then_some((ix, iy))
    }

    /// Inclusive cell ranges overlapping a circle of radius `r` metres around a frame point.
    pub fn cells_within(
        &self,
        xy: [f64; 2],
        r: f64,
    ) -> Option<(std::ops::Range<usize>, std::ops::Range<usize>)> {
        let x0 = ((xy[0] - r - self.min_xy[0]) / self.cell_m)
            .floor()
            .max(0.0) as usize;
        let y0 = ((xy[1] - r - self.min_xy[1]) / self.cell_m)
            .floor()
            .max(0.0) as usize;
        let x1 =
            (((xy[0] + r - self.min_xy[0]) / self.cell_m).ceil().max(0.0) as usize).min(self.nx);
        let y1 =
            (((xy[1] + r - self.min_xy[1]) / self.cell_m).ceil().max(0.0) as usize).min(self.ny);
        (x0 < x1 && y0 < y1).then_some((x0..x1, y0..y1))
    }

    pub fn get(&self, ix: usize, iy: usize) -> f32 {
        self.values[iy * self.nx + ix]
    }

    /// Lowers cell (ix, iy) to `secs` if that is earlier than what it holds.
    pub fn lower(&mut self, ix: usize, iy: usize, secs: f32) {
        let v = &mut self.values[iy * self.nx + ix];
        if secs < *v {
            *v = secs;
        }
    }

    /// Lowers every cell whose centre lies within `r` metres of the frame point `xy` to
    /// `secs` plus the walk to the centre at `secs_per_m`, where that stays within `max_secs`.
    pub fn lower_within(
        &mut self,
        xy: [f64; 2],
        secs: f64,
        r: f64,
        secs_per_m: f64,
        max_secs: f64,
    ) {
        // In units of cells, with cell centres at whole numbers.
        let fx = (xy[0] - self.min_xy[0]) / self.cell_m - 0.5;
        let fy = (xy[1] - self.min_xy[1]) / self.cell_m - 0.5;
        let rc = r / self.cell_m;
        if !(fx + rc >= 0.0 && fy + rc >= 0.0 && secs <= max_secs) {
            return;
        }
        let (x0, y0) = ((fx - rc).ceil().max(0.0), (fy - rc).ceil().max(0.0));
        let x1 = (fx + rc).floor().min(self.nx as f64 - 1.0);
        let y1 = (fy + rc).floor().min(self.ny as f64 - 1.0);
        if x1 < x0 || y1 < y0 {
            return;
        }
        let (x0, x1, y0, y1) = (x0 as usize, x1 as usize, y0 as usize, y1 as usize);
        let r2 = rc * rc;
        let per_cell = self.cell_m * secs_per_m;
        // Streets are sampled densely, so most cells already hold an earlier time than this
        // sample could give: comparing with the sample's own time first skips the square root.
        let floor = secs as f32;
        for iy in y0..=y1 {
            let dy = iy as f64 - fy;
            let row = &mut self.values[iy * self.nx + x0..=iy * self.nx + x1];
            for (ix, v) in (x0..).zip(row.iter_mut()) {
                if floor >= *v {
                    continue;
                }
                let dx = ix as f64 - fx;
                let d2 = dx * dx + dy * dy;
                if d2 <= r2 {
                    let t = secs + d2.sqrt() * per_cell;
                    if t <= max_secs && (t as f32) < *v {
                        *v = t as f32;
                    }
                }
            }
        }
    }

    /// The time at a (lon, lat) point: the value of the cell containing it.
    pub fn sample(&self, p: [f64; 2]) -> Option<f32> {
        let (ix, iy) = self.cell_of_xy(self.frame.to_xy(p))?;
        Some(self.get(ix, iy))
    }

    /// Grid geometry in (lon, lat): south-west corner and cell size in degrees (x, y).
    pub fn lonlat_origin_and_step(&self) -> ([f64; 2], [f64; 2]) {
        let sw = self.frame.to_lonlat(self.min_xy);
        let m = self.frame.metres_per_degree();
        (sw, [self.cell_m / m[0], self.cell_m / m[1]])
    }
}
