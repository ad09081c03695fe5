//! Travel-time matrices: minutes from every origin to every destination, by the same search
//! as a single reach query from each origin.

use super::opportunities::{Opportunities, OpportunityPoint};
use super::{AccessError, OriginPoint};
use crate::city::City;
use crate::reach::{self, Mode, Origin};
use rayon::prelude::*;
use serde::Serialize;

/// The most cells (origins × destinations) one matrix may have.
pub const MAX_PAIRS: usize = 4_000_000;

#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    pub origins: Vec<OriginPoint>,
    pub destinations: Vec<OriginPoint>,
    /// Minutes, `origins × destinations` row-major; `None` beyond the budget.
    pub minutes: Vec<Option<f64>>,
    pub mode: Mode,
    pub scenario: String,
    pub max_minutes: f64,
    /// The timetable search, when the matrix was computed on the feeds' timetable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timetable: Option<super::timed::TimedMetadata>,
}

/// Resolves places (names, ids, stops) or `lon,lat` strings into points, as `reach` does.
pub fn resolve_points(
    city: &City,
    items: &[String],
    parameter: &'static str,
) -> Result<Vec<OriginPoint>, AccessError> {
    items
        .iter()
        .map(|s| {
            let o = Origin::parse(s)?;
            let r = reach::resolve_origin(city, &o).map_err(|e| match e {
                reach::ReachError::OutsideArea { .. } | reach::ReachError::InvalidOrigin(_) => {
                    AccessError::invalid(parameter, e.to_string())
                }
                other => other.into(),
            })?;
            Ok(OriginPoint {
                id: r.id.clone().unwrap_or_else(|| s.clone()),
                lonlat: r.lonlat,
                cell: None,
            })
        })
        .collect()
}

/// A matrix in the steady state, or at a timetabled network's default departure.
pub fn compute(
    city: &City,
    origins: Vec<OriginPoint>,
    destinations: Vec<OriginPoint>,
    mode: Mode,
    scenario: &str,
    max_minutes: f64,
) -> Result<Matrix, AccessError> {
    compute_timed(
        city,
        origins,
        destinations,
        mode,
        scenario,
        max_minutes,
        &reach::Timing::default(),
    )
}

/// A matrix at `timing`'s departure, window and percentile (its `percentiles` are not used:
/// one time per pair), each entry what a single reach from the origin gives the destination.
pub fn compute_timed(
    city: &City,
    origins: Vec<OriginPoint>,
    destinations: Vec<OriginPoint>,
    mode: Mode,
    scenario: &str,
    max_minutes: f64,
    timing: &reach::Timing,
) -> Result<Matrix, AccessError> {
    reach::check_minutes(max_minutes, "max_minutes")?;
    let mut timing = timing.clone();
    timing.percentiles = vec![timing.percentile];
    let req = super::AccessRequest {
        mode,
        scenario: scenario.to_string(),
        compare: None,
        cutoffs: Vec::new(),
        nearest: Vec::new(),
        max_minutes: Some(max_minutes),
        timing,
    };
    req.validate_timing()?;
    if origins.is_empty() || destinations.is_empty() {
        return Err(AccessError::invalid(
            "origins",
            "a matrix needs at least one origin and one destination",
        ));
    }
    let pairs = origins.len().saturating_mul(destinations.len());
    if pairs > MAX_PAIRS {
        return Err(AccessError::invalid(
            "destinations",
            format!(
                "{} × {} = {pairs} pairs; at most {MAX_PAIRS}",
                origins.len(),
                destinations.len()
            ),
        ));
    }
    for p in origins.iter().chain(&destinations) {
        if !city.contains(p.lonlat) {
            return Err(reach::ReachError::OutsideArea {
                lon: p.lonlat[0],
                lat: p.lonlat[1],
                area: city.area,
            }
            .into());
        }
    }
    if city.transit.scenario_index(scenario).is_none() {
        return Err(reach::ReachError::UnknownScenario {
            name: scenario.to_string(),
            known: city.scenario_ids().iter().map(|s| s.to_string()).collect(),
        }
        .into());
    }
    let mut timetable = None;
    let targets = Opportunities {
        label: "destinations".into(),
        points: destinations
            .iter()
            .map(|d| OpportunityPoint {
                id: d.id.clone(),
                lonlat: d.lonlat,
                weight: 1.0,
            })
            .collect(),
    };
    let street_secs = match (mode, req.effective_timing(city)) {
        (Mode::Transit, _) | (_, Some(_)) => None,
        _ => {
            let o: Vec<[f64; 2]> = origins.iter().map(|p| p.lonlat).collect();
            let d: Vec<[f64; 2]> = destinations.iter().map(|p| p.lonlat).collect();
            city.streets
                .many_to_many(mode.street_mode(), &o, &d, max_minutes * 60.0)
        }
    };
    if let Some(secs) = street_secs {
        // Street modes on a street graph: one bounded search per origin, no travel field.
        return Ok(Matrix {
            origins,
            destinations,
            minutes: secs.into_iter().map(|s| s.map(|s| s / 60.0)).collect(),
            mode,
            scenario: scenario.to_string(),
            max_minutes,
            timetable: None,
        });
    }
    let rows: Vec<Vec<Option<f64>>> = match req.effective_timing(city) {
        None => origins
            .par_iter()
            .map(|o| {
                super::times_from(city, o.lonlat, mode, scenario, max_minutes, &targets)
                    .unwrap_or_else(|_| vec![None; targets.points.len()])
            })
            .collect(),
        Some((t, defaulted)) => {
            let search = super::timed::TimedSearch::new(city, &t, defaulted)?;
            let pairwise = super::PairwiseEgress::build(city, mode, &targets, max_minutes * 60.0);
            let si = city.transit.scenario_index(scenario).unwrap_or(0);
            let rows = origins
                .par_iter()
                .map_init(
                    || search.scratch(),
                    |scratch, o| {
                        let shared = pairwise
                            .as_ref()
                            .map(|p| p.origin_times(city, o.lonlat, max_minutes * 60.0));
                        super::timed_times(
                            city,
                            &search,
                            scratch,
                            pairwise.as_ref().zip(shared.as_ref()),
                            o.lonlat,
                            mode,
                            si,
                            max_minutes,
                            &targets,
                        )
                        .ok()
                        .and_then(|mut by| by.pop())
                        .unwrap_or_else(|| vec![None; targets.points.len()])
                    },
                )
                .collect();
            timetable = Some(search.metadata.clone());
            rows
        }
    };
    Ok(Matrix {
        origins,
        destinations,
        minutes: rows.into_iter().flatten().collect(),
        mode,
        scenario: scenario.to_string(),
        max_minutes,
        timetable,
    })
}

impl Matrix {
    pub fn get(&self, o: usize, d: usize) -> Option<f64> {
        self.minutes[o * self.destinations.len() + d]
    }

    /// Long form: origin, destination, minutes (empty beyond the budget).
    pub fn write_csv(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["origin", "destination", "minutes"])?;
        for (i, o) in self.origins.iter().enumerate() {
            for (j, d) in self.destinations.iter().enumerate() {
                let m = self
                    .get(i, j)
                    .map(|m| format!("{}", (m * 100.0).round() / 100.0))
                    .unwrap_or_default();
                w.write_record([o.id.as_str(), d.id.as_str(), m.as_str()])?;
            }
        }
        w.flush()
    }

    /// GeoParquet: one row per origin (id, lon, lat, its point), one column of minutes per
    /// destination, named `to_` and the destination's id (null beyond the budget).
    pub fn to_geoparquet(&self) -> Vec<u8> {
        let n_d = self.destinations.len();
        super::parquet::PointTable {
            ids: self.origins.iter().map(|o| o.id.as_str()).collect(),
            lonlat: self.origins.iter().map(|o| o.lonlat).collect(),
            measures: self
                .destinations
                .iter()
                .enumerate()
                .map(|(j, d)| {
                    let col = (0..self.origins.len())
                        .map(|i| self.minutes[i * n_d + j])
                        .collect();
                    (format!("to_{}", d.id), col)
                })
                .collect(),
        }
        .to_bytes()
    }

    pub fn to_json(&self) -> serde_json::Value {
        let rows: Vec<Vec<Option<f64>>> = (0..self.origins.len())
            .map(|i| {
                (0..self.destinations.len())
                    .map(|j| self.get(i, j).map(|m| (m * 100.0).round() / 100.0))
                    .collect()
            })
            .collect();
        serde_json::json!({
            "origins": self.origins,
            "destinations": self.destinations,
            "minutes": rows,
            "metadata": {
                "mode": self.mode,
                "scenario": self.scenario,
                "max_minutes": self.max_minutes,
                "unit": "minutes; null beyond max_minutes",
                "timetable": self.timetable,
            },
        })
    }
}
