//! Accessibility on the feeds' timetables: a departure, a window of departure minutes and
//! travel-time percentiles, as a single `reach` with the same `depart`, `window` and
//! `percentiles` computes them, with the work that does not depend on the origin done once.
//!
//! Per analysis: the day's timetable (one per phase draw when the feeds have frequency-based
//! service, as [`crate::reach::raptor::window_travel_times`] builds them). Per origin: the
//! access walk to the stops, range-RAPTOR over the window on arrays reused between origins,
//! each stop's travel time at every percentile, and the egress from the stops once per
//! percentile. The arithmetic is the reach engine's, so values are identical to a single reach.

use crate::city::City;
use crate::network::gtfs::GtfsDate;
use crate::network::timetable::{parse_departure, Timetable, TimetableParams, UNREACHED};
use crate::reach::raptor::{self, Raptor, RaptorParams};
use crate::reach::{ReachError, Timing, DRAWS, DRAW_SEED};
use serde::{Deserialize, Serialize};

/// How the timetable search of an analysis ran, for its metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimedMetadata {
    /// `YYYY-MM-DDTHH:MM`, the feeds' local time.
    pub depart: String,
    /// Departure minutes searched after `depart` (0: one departure).
    pub window_min: u32,
    pub percentiles: Vec<u8>,
    /// Phase draws of frequency-based service (1 when the feeds have none).
    pub draws: u32,
    /// Travel-time samples per stop: departures × draws.
    pub samples: usize,
    pub max_rides: usize,
    /// Set when no departure was given and a timetabled network used its default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depart_note: Option<String>,
}

/// The note a defaulted departure carries (the same default as `reach`).
pub const DEFAULT_DEPART_NOTE: &str = "no departure given: a timetabled network answers at its \
     default, 08:00 on the first Tuesday of the feeds' calendar with service";

/// The timetables of one analysis, built once and shared by every origin.
pub struct TimedSearch {
    pub date: GtfsDate,
    depart_s: i32,
    minutes: u32,
    pub percentiles: Vec<u8>,
    /// One per phase draw (a single one for timetabled service).
    timetables: Vec<Timetable>,
    params: RaptorParams,
    pub metadata: TimedMetadata,
}

/// One worker's search arrays, reused from origin to origin.
pub struct Scratch<'a> {
    raptors: Vec<Raptor<'a>>,
    samples: Vec<Vec<i32>>,
    at: Vec<(u32, i32)>,
}

impl TimedSearch {
    /// Parses the departure and builds the day's timetables; errors name `depart`.
    pub fn new(city: &City, timing: &Timing, defaulted: bool) -> Result<TimedSearch, ReachError> {
        let bad = |e: crate::network::timetable::TimetableError| ReachError::InvalidParameter {
            parameter: "depart",
            message: e.to_string(),
        };
        let text = timing
            .depart
            .clone()
            .ok_or_else(|| ReachError::InvalidParameter {
                parameter: "depart",
                message: "no departure".into(),
            })?;
        let (date, depart_s) = parse_departure(&text).map_err(bad)?;
        let base = TimetableParams::default();
        let net = &city.transit;
        // The same timetables a reach window builds: the day's, or one per phase draw.
        let timetables = if raptor::has_inexact_frequencies(net) {
            (0..DRAWS)
                .map(|d| {
                    let p = TimetableParams {
                        phases: raptor::draw_phases(net, DRAW_SEED, d),
                        ..base.clone()
                    };
                    Timetable::build(net, date, &p)
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(bad)?
        } else {
            vec![Timetable::build(net, date, &base).map_err(bad)?]
        };
        let minutes = timing.window_min.max(1);
        let params = RaptorParams::default();
        let metadata = TimedMetadata {
            depart: text,
            window_min: timing.window_min,
            percentiles: timing.percentiles.clone(),
            draws: timetables.len() as u32,
            samples: timetables.len() * minutes as usize,
            max_rides: params.max_rides,
            depart_note: defaulted.then(|| DEFAULT_DEPART_NOTE.to_string()),
        };
        Ok(TimedSearch {
            date,
            depart_s,
            minutes,
            percentiles: timing.percentiles.clone(),
            timetables,
            params,
            metadata,
        })
    }

    pub fn scratch(&self) -> Scratch<'_> {
        Scratch {
            raptors: self
                .timetables
                .iter()
                .map(|t| Raptor::new(t, &self.params))
                .collect(),
            samples: vec![Vec::new(); self.timetables.len() * self.minutes as usize],
            at: Vec::new(),
        }
    }

    /// Travel seconds to every stop at each percentile (`[percentile][stop]`, `UNREACHED`
    /// where none) from `access` (stop, seconds of the access walk): range-RAPTOR over the
    /// window on each draw's timetable, the last minute first, as a reach window runs it.
    pub fn stop_seconds(&self, scratch: &mut Scratch<'_>, access: &[(u32, i32)]) -> Vec<Vec<i32>> {
        let minutes = self.minutes as usize;
        let Scratch {
            raptors,
            samples,
            at,
        } = scratch;
        for (d, r) in raptors.iter_mut().enumerate() {
            r.reset();
            for m in (0..minutes).rev() {
                let start = self.depart_s + 60 * m as i32;
                at.clear();
                at.extend(access.iter().map(|&(s, w)| (s, start + w)));
                let row = &mut samples[d * minutes + m];
                r.run(at, row);
                for t in row.iter_mut().filter(|t| **t != UNREACHED) {
                    *t -= start;
                }
            }
        }
        raptor::percentiles(samples, &self.percentiles)
    }
}

/// A row of stop seconds as the egress seeds' times: seconds where reached within the budget,
/// infinite elsewhere (the reach engine seeds only those stops).
pub fn seed_secs(row: &[i32], budget_s: f64) -> Vec<f64> {
    row.iter()
        .map(|&t| {
            if t != UNREACHED && f64::from(t) <= budget_s {
                f64::from(t)
            } else {
                f64::INFINITY
            }
        })
        .collect()
}
