//! The crow-fly proxy: without a street graph, a street leg takes
//! straight-line distance × detour factor ÷ speed.

use super::{Seed, StreetError, StreetField, StreetMode, StreetModel, StreetModelInfo, StreetTime};
use crate::geodesy::{haversine_m, LocalFrame};
use crate::raster::TimeGrid;

/// Straight-line street legs with a detour factor, one speed per mode.
#[derive(Debug, Clone, PartialEq)]
pub struct CrowFly {
    pub walk_kmh: f64,
    pub bike_kmh: f64,
    pub drive_kmh: f64,
    pub detour_factor: f64,
}

impl Default for CrowFly {
    /// Walk 4.8 km/h, bike 15 km/h, drive 30 km/h (a congested-city average), detour 1.3.
    fn default() -> Self {
        CrowFly {
            walk_kmh: 4.8,
            bike_kmh: 15.0,
            drive_kmh: 30.0,
            detour_factor: 1.3,
        }
    }
}

impl CrowFly {
    pub fn speed_kmh(&self, mode: StreetMode) -> f64 {
        match mode {
            StreetMode::Walk => self.walk_kmh,
            StreetMode::Bike => self.bike_kmh,
            StreetMode::Drive => self.drive_kmh,
        }
    }

    /// Seconds per straight-line metre for a mode (detour included).
    pub fn secs_per_metre(&self, mode: StreetMode) -> f64 {
        self.detour_factor * 3.6 / self.speed_kmh(mode)
    }
}

impl StreetModel for CrowFly {
    fn info(&self, mode: StreetMode) -> StreetModelInfo {
        StreetModelInfo {
            model: "crow_fly".into(),
            mode,
            speed_kmh: Some(self.speed_kmh(mode)),
            detour_factor: Some(self.detour_factor),
            description: format!(
                "No street network loaded: street legs are straight-line distance × {} at {} km/h. \
                 Load an OpenStreetMap extract (import-osm, --streets) for real street times.",
                self.detour_factor,
                self.speed_kmh(mode)
            ),
        }
    }

    fn supports(&self, _mode: StreetMode) -> bool {
        true
    }

    fn pairwise_secs(&self, mode: StreetMode, from: [f64; 2], to: [f64; 2]) -> Option<f64> {
        // The same expression as `CrowFlyField::time_at`, so both give identical bits.
        Some(haversine_m(from, to) * self.secs_per_metre(mode))
    }

    fn spread(
        &self,
        mode: StreetMode,
        seeds: &[Seed],
        max_secs: f64,
    ) -> Result<Box<dyn StreetField + '_>, StreetError> {
        Ok(Box::new(CrowFlyField::new(
            seeds,
            max_secs,
            self.secs_per_metre(mode),
        )))
    }
}

/// Seeds in a local metric frame, each with the radius its remaining budget covers.
struct CrowFlyField {
    frame: LocalFrame,
    /// (x, y, start secs, reach radius m), for the seeds within the budget.
    seeds: Vec<[f64; 4]>,
    /// Index of each kept seed in the caller's seed list.
    seed_ids: Vec<usize>,
    /// (lon, lat) of each kept seed: point queries use exact great-circle distances.
    seed_lonlat: Vec<[f64; 2]>,
    max_secs: f64,
    secs_per_m: f64,
}

impl CrowFlyField {
    fn new(seeds: &[Seed], max_secs: f64, secs_per_m: f64) -> Self {
        let centre = seeds.first().map(|s| s.lonlat).unwrap_or([0.0, 0.0]);
        let frame = LocalFrame::new(centre);
        let mut kept = Vec::with_capacity(seeds.len());
        let mut seed_ids = Vec::with_capacity(seeds.len());
        let mut seed_lonlat = Vec::with_capacity(seeds.len());
        for (i, s) in seeds.iter().enumerate() {
            if s.secs <= max_secs {
                let xy = frame.to_xy(s.lonlat);
                kept.push([xy[0], xy[1], s.secs, (max_secs - s.secs) / secs_per_m]);
                seed_ids.push(i);
                seed_lonlat.push(s.lonlat);
            }
        }
        CrowFlyField {
            frame,
            seeds: kept,
            seed_ids,
            seed_lonlat,
            max_secs,
            secs_per_m,
        }
    }
}

impl StreetField for CrowFlyField {
    fn time_at(&self, lonlat: [f64; 2]) -> Option<StreetTime> {
        let p = self.frame.to_xy(lonlat);
        let mut best = StreetTime {
            secs: f64::INFINITY,
            seed: usize::MAX,
        };
        for ((s, &id), &at) in self.seeds.iter().zip(&self.seed_ids).zip(&self.seed_lonlat) {
            // Cheap planar reject first; the exact distance only for seeds that can win.
            let planar = ((p[0] - s[0]).powi(2) + (p[1] - s[1]).powi(2)).sqrt();
            if s[2] + planar * 0.98 * self.secs_per_m >= best.secs {
                continue;
            }
            let t = s[2] + haversine_m(at, lonlat) * self.secs_per_m;
            if t < best.secs {
                best = StreetTime { secs: t, seed: id };
            }
        }
        (best.secs <= self.max_secs).then_some(best)
    }

    fn fill_grid(&self, grid: &mut TimeGrid) {
        for s in &self.seeds {
            let lonlat = self.frame.to_lonlat([s[0], s[1]]);
            let centre = grid.frame().to_xy(lonlat);
            let Some((xs, ys)) = grid.cells_within(centre, s[3]) else {
                continue;
            };
            for iy in ys {
                for ix in xs.clone() {
                    let c = grid.cell_centre_xy(ix, iy);
                    let d = ((c[0] - centre[0]).powi(2) + (c[1] - centre[1]).powi(2)).sqrt();
                    let t = s[2] + d * self.secs_per_m;
                    if t <= self.max_secs {
                        grid.lower(ix, iy, t as f32);
                    }
                }
            }
        }
    }

    fn extent(&self) -> Option<[f64; 4]> {
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for s in &self.seeds {
            let sw = self.frame.to_lonlat([s[0] - s[3], s[1] - s[3]]);
            let ne = self.frame.to_lonlat([s[0] + s[3], s[1] + s[3]]);
            b = [
                b[0].min(sw[0]),
                b[1].min(sw[1]),
                b[2].max(ne[0]),
                b[3].max(ne[1]),
            ];
        }
        b[0].is_finite().then_some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walking_one_kilometre_takes_detour_times_walking_time() {
        let m = CrowFly::default();
        let a = [113.65, 34.75];
        let field = m
            .spread(
                StreetMode::Walk,
                &[Seed {
                    lonlat: a,
                    secs: 0.0,
                }],
                3600.0,
            )
            .unwrap();
        let b = [113.65, 34.75 + 1000.0 / 111_195.0];
        let t = field.time_at(b).unwrap().secs;
        // 1000 m × 1.3 at 4.8 km/h = 975 s.
        let expected = haversine_m(a, b) * 1.3 / (4.8 / 3.6);
        assert!((t - expected).abs() < 1.0, "{t} vs {expected}");
        assert!((t - 975.0).abs() < 2.0);
    }

    #[test]
    fn points_beyond_the_budget_are_not_reached() {
        let m = CrowFly::default();
        let field = m
            .spread(
                StreetMode::Walk,
                &[Seed {
                    lonlat: [113.65, 34.75],
                    secs: 100.0,
                }],
                200.0,
            )
            .unwrap();
        assert!(field.time_at([113.66, 34.75]).is_none());
        assert_eq!(field.time_at([113.65, 34.75]).map(|t| t.secs), Some(100.0));
    }
}
