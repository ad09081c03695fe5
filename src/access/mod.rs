//! City-wide accessibility: travel times from many origins (a grid over the city, or a point
//! set) to weighted opportunities, summarised per origin as the opportunities reachable within
//! each cutoff and the time to the nearest N, for one scenario or as the difference between two.
//!
//! Each origin runs the same search a single reach query runs ([`crate::reach::travel_field`]),
//! so an origin's value is exactly what `reach` from that point counts. Origins are independent
//! and run in parallel over the cores; progress and cancellation go through [`Progress`].

pub mod geotiff;
pub mod grid;
pub mod matrix;
pub mod opportunities;
pub mod output;
pub mod parquet;
pub mod query;
pub mod shard;
pub mod timed;

pub use grid::Grid;
pub use opportunities::Opportunities;

use crate::city::City;
use crate::reach::{self, Mode, Origin, ReachError, ReachRequest, Timing, MAX_MINUTES};
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The most cutoffs one analysis may ask for.
pub const MAX_CUTOFFS: usize = 12;
/// The largest N of "time to the nearest N" (N counts weight: jobs, residents).
pub const MAX_NEAREST: usize = 10_000_000;
/// The most origins in a point set.
pub const MAX_POINT_ORIGINS: usize = 2_000_000;

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error(transparent)]
    Reach(#[from] ReachError),
    #[error(transparent)]
    Grid(#[from] grid::GridError),
    #[error("{parameter}: {message}")]
    Invalid {
        parameter: &'static str,
        message: String,
    },
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("cancelled after {done} of {total} origins")]
    Cancelled { done: usize, total: usize },
}

impl AccessError {
    pub(crate) fn invalid(parameter: &'static str, message: impl Into<String>) -> AccessError {
        AccessError::Invalid {
            parameter,
            message: message.into(),
        }
    }

    /// The request parameter an error is about, for JSON error bodies.
    pub fn parameter(&self) -> Option<&'static str> {
        match self {
            AccessError::Reach(e) => Some(e.parameter()),
            AccessError::Invalid { parameter, .. } => Some(parameter),
            AccessError::Grid(_) => Some("cell"),
            _ => None,
        }
    }
}

/// An origin of the analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OriginPoint {
    pub id: String,
    pub lonlat: [f64; 2],
    /// Row-major cell index when the origins are a grid.
    #[serde(skip)]
    pub cell: Option<usize>,
}

/// What to compute, shared by the CLI and HTTP.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessRequest {
    pub mode: Mode,
    pub scenario: String,
    /// A second scenario: every measure is also given for it, and as the difference.
    pub compare: Option<String>,
    /// Minutes, strictly increasing.
    pub cutoffs: Vec<f64>,
    /// N of "minutes to the nearest N opportunities" (weights count: a cell of 300 jobs is 300).
    pub nearest: Vec<usize>,
    /// The search budget, minutes: the largest cutoff, or [`DEFAULT_NEAREST_BUDGET`] when only
    /// nearest-N measures are asked for.
    pub max_minutes: Option<f64>,
    /// Departure, window and percentiles on the feeds' timetable, as in `reach` (without a
    /// departure: the steady state, or a timetabled network's default departure).
    pub timing: Timing,
}

/// The search budget of nearest-N measures when no cutoff sets one, minutes.
pub const DEFAULT_NEAREST_BUDGET: f64 = 120.0;

impl AccessRequest {
    pub fn budget(&self) -> f64 {
        self.max_minutes.unwrap_or_else(|| {
            self.cutoffs
                .last()
                .copied()
                .unwrap_or(DEFAULT_NEAREST_BUDGET)
        })
    }

    pub fn validate(&self, city: &City) -> Result<(), AccessError> {
        if self.cutoffs.is_empty() && self.nearest.is_empty() {
            return Err(AccessError::invalid(
                "cutoff",
                "give at least one cutoff (minutes) or a nearest N",
            ));
        }
        if self.cutoffs.len() > MAX_CUTOFFS {
            return Err(AccessError::invalid(
                "cutoff",
                format!("{} cutoffs; at most {MAX_CUTOFFS}", self.cutoffs.len()),
            ));
        }
        if !self.cutoffs.is_empty() {
            reach::check_bands(&self.cutoffs).map_err(|e| match e {
                ReachError::InvalidParameter { message, .. } => {
                    AccessError::invalid("cutoff", message)
                }
                other => other.into(),
            })?;
        }
        for &n in &self.nearest {
            if n == 0 || n > MAX_NEAREST {
                return Err(AccessError::invalid(
                    "nearest",
                    format!("{n} is outside [1, {MAX_NEAREST}]"),
                ));
            }
        }
        let b = self.budget();
        if !(b.is_finite() && b > 0.0 && b <= MAX_MINUTES) {
            return Err(AccessError::invalid(
                "max_minutes",
                format!("{b} is outside (0, {MAX_MINUTES}]"),
            ));
        }
        if self.cutoffs.last().is_some_and(|&c| c > b) {
            return Err(AccessError::invalid(
                "max_minutes",
                format!("{b} is below the largest cutoff"),
            ));
        }
        self.validate_timing()?;
        for s in std::iter::once(&self.scenario).chain(self.compare.as_ref()) {
            if city.transit.scenario_index(s).is_none() {
                return Err(ReachError::UnknownScenario {
                    name: s.clone(),
                    known: city.scenario_ids().iter().map(|x| x.to_string()).collect(),
                }
                .into());
            }
        }
        Ok(())
    }

    /// The timing checks `reach` makes, and that a timetable describes one scenario.
    pub(crate) fn validate_timing(&self) -> Result<(), AccessError> {
        let t = &self.timing;
        reach::check_window(t.window_min)?;
        if t.percentiles.is_empty() || t.percentiles.len() > reach::MAX_PERCENTILES {
            return Err(AccessError::invalid(
                "percentiles",
                format!(
                    "between 1 and {} percentiles are needed",
                    reach::MAX_PERCENTILES
                ),
            ));
        }
        if !t.percentiles.contains(&t.percentile) {
            return Err(AccessError::invalid(
                "percentile",
                format!(
                    "{} is not one of the percentiles asked for ({})",
                    t.percentile,
                    t.percentiles
                        .iter()
                        .map(u8::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            ));
        }
        if t.depart.is_some() {
            if self.scenario != "existing" {
                return Err(AccessError::invalid(
                    "depart",
                    format!(
                        "the feeds' timetables describe the existing network only, not scenario '{}'",
                        self.scenario
                    ),
                ));
            }
            if let Some(c) = &self.compare {
                return Err(AccessError::invalid(
                    "compare",
                    format!(
                        "the feeds' timetables describe the existing network only, so '{c}' \
                         cannot be compared at a departure; leave out depart for the steady state"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The timetable search this analysis runs, if any, and whether its departure is the
    /// default: a given departure (transit only), else a timetabled network's default
    /// departure when one scenario, `existing`, is analysed, else the steady state.
    pub fn effective_timing(&self, city: &City) -> Option<(Timing, bool)> {
        if self.mode != Mode::Transit {
            return None;
        }
        if self.timing.depart.is_some() {
            return Some((self.timing.clone(), false));
        }
        if self.scenario != "existing"
            || self.compare.is_some()
            || !reach::timetabled(&city.transit)
        {
            return None;
        }
        let mut t = self.timing.clone();
        t.depart = Some(reach::default_departure(&city.transit)?);
        Some((t, true))
    }

    fn scenarios(&self) -> Vec<&str> {
        std::iter::once(self.scenario.as_str())
            .chain(self.compare.as_deref())
            .collect()
    }
}

/// One output column.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Measure {
    /// Column name, e.g. `existing_cum30`, `plan-2025_nearest1`, `diff_cum30`.
    pub name: String,
    /// What it is, in words (GeoTIFF band description).
    pub description: String,
}

/// Counts and progress of a running analysis, shared with whoever watches it.
#[derive(Debug, Default)]
pub struct Progress {
    pub done: AtomicUsize,
    pub total: AtomicUsize,
    pub cancel: AtomicBool,
}

impl Progress {
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// The answer: one row of values per origin (NaN: not reached within the budget, or an origin
/// the street network cannot start from).
#[derive(Debug, Clone, Serialize)]
pub struct AccessResult {
    pub origins: Vec<OriginPoint>,
    #[serde(skip)]
    pub grid: Option<Grid>,
    pub measures: Vec<Measure>,
    /// `origins.len() × measures.len()`, row-major.
    #[serde(skip)]
    pub values: Vec<f32>,
    pub metadata: AccessMetadata,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct AccessMetadata {
    pub mode: Mode,
    pub scenario: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<String>,
    pub cutoffs: Vec<f64>,
    pub nearest: Vec<usize>,
    pub max_minutes: f64,
    pub opportunities: String,
    pub opportunity_count: usize,
    pub opportunity_total: f64,
    pub origin_count: usize,
    /// Origins the street model could not start from (no street nearby): their values are NaN.
    pub origins_skipped: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell_m: Option<f64>,
    pub origin_rule: String,
    pub street_model: crate::network::streets::StreetModelInfo,
    pub transit_model: String,
    /// The timetable search, when the analysis ran on the feeds' timetable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timetable: Option<timed::TimedMetadata>,
}

impl AccessResult {
    pub fn value(&self, origin: usize, measure: usize) -> f32 {
        self.values[origin * self.measures.len() + measure]
    }

    pub fn column(&self, measure: usize) -> impl Iterator<Item = f32> + '_ {
        let m = self.measures.len();
        (0..self.origins.len()).map(move |o| self.values[o * m + measure])
    }
}

/// Minutes from one origin to every opportunity (`None`: beyond the budget), on a scenario.
/// This is the single-origin oracle too: it is `reach` without polygons.
pub fn times_from(
    city: &City,
    origin: [f64; 2],
    mode: Mode,
    scenario: &str,
    budget_min: f64,
    opportunities: &Opportunities,
) -> Result<Vec<Option<f64>>, ReachError> {
    times_from_timed(
        city,
        origin,
        mode,
        scenario,
        budget_min,
        &Timing::default(),
        opportunities,
    )
}

/// [`times_from`] at a departure: minutes at `timing.percentile` of the window, as a single
/// `reach` with this timing computes them (its travel field without polygons).
pub fn times_from_timed(
    city: &City,
    origin: [f64; 2],
    mode: Mode,
    scenario: &str,
    budget_min: f64,
    timing: &Timing,
    opportunities: &Opportunities,
) -> Result<Vec<Option<f64>>, ReachError> {
    let mut req = ReachRequest::new(Origin::LonLat(origin), budget_min);
    req.mode = mode;
    req.scenario = scenario.to_string();
    req.polygons = false;
    req.timing = timing.clone();
    let tf = reach::travel_field(city, &req)?;
    Ok(opportunities
        .points
        .iter()
        .map(|o| tf.minutes_at(o.lonlat))
        .collect())
}

/// Stop-to-opportunity times computed once per analysis, for street models whose times are
/// pairwise ([`crate::network::streets::StreetModel::pairwise_secs`]): each origin then needs
/// only its access times, the transit search, and a scan of the nearest stops per opportunity.
/// Gives exactly [`times_from`]'s answers (same expressions, same order of operations).
pub(crate) struct PairwiseEgress {
    street_mode: crate::network::streets::StreetMode,
    transit: bool,
    /// A lower bound of seconds per metre (the pairwise time over the distance, less 0.1 %).
    secs_per_m_lower: f64,
    stop_unit: Vec<[f64; 3]>,
    opp_unit: Vec<[f64; 3]>,
    opp_lonlat: Vec<[f64; 2]>,
    /// Per opportunity `j`, entries `near[j]..near[j + 1]` of `near_stop` / `near_secs`: the
    /// stops within the budget's street time, by increasing time, so a scan reads memory in
    /// order and can stop early.
    near: Vec<usize>,
    near_stop: Vec<u32>,
    near_secs: Vec<f64>,
}

/// Largest stop × opportunity product the pairwise path takes on (it keeps, at 12 bytes each,
/// only the pairs within the budget).
const MAX_PAIRWISE_CELLS: usize = 12_000_000;

impl PairwiseEgress {
    pub(crate) fn build(
        city: &City,
        mode: Mode,
        opportunities: &Opportunities,
        budget_s: f64,
    ) -> Option<PairwiseEgress> {
        let street_mode = mode.street_mode();
        // Seconds per metre, read off one known distance (1° of latitude at the equator).
        let (a, b) = ([0.0, 0.0], [0.0, 1.0]);
        let secs = city.streets.pairwise_secs(street_mode, a, b)?;
        let secs_per_m_lower = secs / crate::geodesy::haversine_m(a, b) * 0.999;
        if !(secs_per_m_lower.is_finite() && secs_per_m_lower > 0.0) {
            return None;
        }
        let stops = &city.transit.stops;
        let n_opp = opportunities.points.len();
        if stops.len().saturating_mul(n_opp) > MAX_PAIRWISE_CELLS {
            return None;
        }
        let mut near = Vec::with_capacity(n_opp + 1);
        let mut near_stop = Vec::new();
        let mut near_secs = Vec::new();
        near.push(0);
        if mode == Mode::Transit {
            let mut list: Vec<(f64, u32)> = Vec::with_capacity(stops.len());
            for o in &opportunities.points {
                list.clear();
                for (i, s) in stops.iter().enumerate() {
                    let d = city
                        .streets
                        .pairwise_secs(street_mode, s.lonlat, o.lonlat)
                        .unwrap_or(f64::INFINITY);
                    // A stop farther than the budget cannot bring anything within it.
                    if d <= budget_s {
                        list.push((d, i as u32));
                    }
                }
                list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                near_stop.extend(list.iter().map(|x| x.1));
                near_secs.extend(list.iter().map(|x| x.0));
                near.push(near_stop.len());
            }
        } else {
            near.resize(n_opp + 1, 0);
        }
        Some(PairwiseEgress {
            street_mode,
            transit: mode == Mode::Transit,
            secs_per_m_lower,
            stop_unit: stops.iter().map(|s| unit(s.lonlat)).collect(),
            opp_unit: opportunities
                .points
                .iter()
                .map(|o| unit(o.lonlat))
                .collect(),
            opp_lonlat: opportunities.points.iter().map(|o| o.lonlat).collect(),
            near,
            near_stop,
            near_secs,
        })
    }

    /// Street times from `origin` to every stop and every opportunity, shared by the scenarios
    /// of one origin. Pairs that a cheap lower bound (the chord through the Earth is never
    /// longer than the great circle) puts beyond the budget are left infinite without the
    /// trigonometry: they could not count anyway.
    pub(crate) fn origin_times(&self, city: &City, origin: [f64; 2], budget_s: f64) -> OriginTimes {
        let u = unit(origin);
        let reach_m = budget_s / self.secs_per_m_lower;
        // chord² bound in units of the Earth's radius.
        let max_chord2 = (reach_m / crate::geodesy::EARTH_RADIUS_M).powi(2);
        let pair = |p: [f64; 2], v: &[f64; 3]| {
            let c2 = (u[0] - v[0]).powi(2) + (u[1] - v[1]).powi(2) + (u[2] - v[2]).powi(2);
            if c2 > max_chord2 {
                f64::INFINITY
            } else {
                0.0 + city
                    .streets
                    .pairwise_secs(self.street_mode, origin, p)
                    .unwrap_or(f64::INFINITY)
            }
        };
        let stops = if self.transit {
            city.transit
                .stops
                .iter()
                .zip(&self.stop_unit)
                .map(|(s, v)| pair(s.lonlat, v))
                .collect()
        } else {
            Vec::new()
        };
        let opps = self
            .opp_lonlat
            .iter()
            .zip(&self.opp_unit)
            .map(|(p, v)| pair(*p, v))
            .collect();
        OriginTimes { stops, opps }
    }

    /// Minutes to every opportunity on scenario index `scenario`.
    fn times(
        &self,
        city: &City,
        from: &OriginTimes,
        scenario: usize,
        budget_min: f64,
    ) -> Vec<Option<f64>> {
        let budget_s = budget_min * 60.0;
        // Ridden stops and their arrival times, as the reach engine seeds its egress spread.
        let mut ridden: Vec<f64> = Vec::new();
        if self.transit {
            let graph = &city.graphs[scenario];
            let access: Vec<(u32, f32)> = from
                .stops
                .iter()
                .enumerate()
                .filter(|&(i, &t)| graph.stop_active[i] && t <= budget_s)
                .map(|(i, &t)| (i as u32, t as f32))
                .collect();
            let labels = graph.search(&access, budget_s as f32, &city.params);
            ridden = (0..city.transit.stops.len() as u32)
                .map(|i| {
                    let t = labels.ridden(i);
                    if t.is_finite() && f64::from(t) <= budget_s {
                        f64::from(t)
                    } else {
                        f64::INFINITY
                    }
                })
                .collect();
        }
        self.egress(from, &ridden, budget_s)
    }

    /// Access stops of `from` on the `existing` graph as the timetable search takes them:
    /// whole seconds of the access walk, rounded from `f32` as the reach engine does.
    fn timed_access(
        &self,
        city: &City,
        from: &OriginTimes,
        scenario: usize,
        budget_s: f64,
    ) -> Vec<(u32, i32)> {
        let graph = &city.graphs[scenario];
        from.stops
            .iter()
            .enumerate()
            .filter(|&(i, &t)| graph.stop_active[i] && t <= budget_s)
            .map(|(i, &t)| (i as u32, (t as f32).round() as i32))
            .collect()
    }

    /// Minutes to every opportunity: the direct street time, or the best of a seeded stop's
    /// time (`seeds`, seconds, infinite where not seeded) plus its street time on.
    fn egress(&self, from: &OriginTimes, seeds: &[f64], budget_s: f64) -> Vec<Option<f64>> {
        let ridden = seeds;
        let t_min = ridden.iter().copied().fold(f64::INFINITY, f64::min);
        // Just above the budget: every time within it is smaller.
        let cap = budget_s + 1e-6;
        from.opps
            .iter()
            .enumerate()
            .map(|(j, &direct)| {
                // Times beyond the budget are dropped anyway, so the scan needs only beat the
                // budget: an opportunity nothing reaches stops scanning at the budget's radius.
                let mut best = direct.min(cap);
                if t_min.is_finite() {
                    let (a, b) = (self.near[j], self.near[j + 1]);
                    for (&s, &d) in self.near_stop[a..b].iter().zip(&self.near_secs[a..b]) {
                        if t_min + d >= best {
                            break;
                        }
                        let t = ridden[s as usize] + d;
                        if t < best {
                            best = t;
                        }
                    }
                }
                (best <= budget_s).then_some(best / 60.0)
            })
            .collect()
    }
}

/// One origin's street times to the stops and the opportunities (seconds; infinite beyond reach).
pub(crate) struct OriginTimes {
    stops: Vec<f64>,
    opps: Vec<f64>,
}

/// A point on the unit sphere.
fn unit(p: [f64; 2]) -> [f64; 3] {
    let (lon, lat) = (p[0].to_radians(), p[1].to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// Cumulative weight within each cutoff, then minutes to the nearest N, from sorted times.
fn measures_of(
    times: &[Option<f64>],
    weights: &[f64],
    cutoffs: &[f64],
    nearest: &[usize],
    out: &mut Vec<f32>,
) {
    let mut reached: Vec<(f64, f64)> = times
        .iter()
        .zip(weights)
        .filter_map(|(t, &w)| t.map(|t| (t, w)))
        .collect();
    reached.sort_by(|a, b| a.0.total_cmp(&b.0));
    for &c in cutoffs {
        // fold from +0.0: `sum()` of no floats is -0.0, which prints as "-0".
        let sum = reached
            .iter()
            .take_while(|(t, _)| *t <= c)
            .fold(0.0, |acc, (_, w)| acc + w);
        out.push(sum as f32);
    }
    for &n in nearest {
        let mut acc = 0.0;
        let mut at = f32::NAN;
        for (t, w) in &reached {
            acc += w;
            if acc >= n as f64 {
                at = *t as f32;
                break;
            }
        }
        out.push(at);
    }
}

/// Runs the analysis over `origins`. Origins the street model cannot start from get NaN; any
/// other error (bad parameters, an origin outside the city) fails the whole request before work
/// starts.
pub fn run(
    city: &City,
    req: &AccessRequest,
    origins: Vec<OriginPoint>,
    grid: Option<Grid>,
    opportunities: &Opportunities,
    progress: &Progress,
) -> Result<AccessResult, AccessError> {
    req.validate(city)?;
    if origins.is_empty() {
        return Err(AccessError::invalid(
            "origins",
            "no origin: the grid or the point set is empty",
        ));
    }
    if origins.len() > MAX_POINT_ORIGINS {
        return Err(AccessError::invalid(
            "origins",
            format!("{} origins; at most {MAX_POINT_ORIGINS}", origins.len()),
        ));
    }
    for o in &origins {
        if !city.contains(o.lonlat) {
            return Err(ReachError::OutsideArea {
                lon: o.lonlat[0],
                lat: o.lonlat[1],
                area: city.area,
            }
            .into());
        }
    }
    let scenarios = req.scenarios();
    let timed = match req.effective_timing(city) {
        Some((t, defaulted)) => Some(timed::TimedSearch::new(city, &t, defaulted)?),
        None => None,
    };
    // Without a timetable one set of measures per scenario; with one, a set per percentile.
    let percentiles: Vec<Option<u8>> = match &timed {
        Some(t) => t.percentiles.iter().map(|&p| Some(p)).collect(),
        None => vec![None],
    };
    let per_scenario = (req.cutoffs.len() + req.nearest.len()) * percentiles.len();
    let when = |p: Option<u8>| match (p, &timed) {
        (Some(p), Some(t)) => {
            let m = &t.metadata;
            let window = if m.window_min > 0 {
                format!(" + {} min", m.window_min)
            } else {
                String::new()
            };
            (
                format!("_p{p}"),
                format!(
                    " at the {p}th percentile of departures {}{window}",
                    m.depart
                ),
            )
        }
        _ => (String::new(), String::new()),
    };
    let mut measures = Vec::new();
    for s in &scenarios {
        for &p in &percentiles {
            let (suffix, at) = when(p);
            for c in &req.cutoffs {
                measures.push(Measure {
                    name: format!("{s}_cum{}{suffix}", num(*c)),
                    description: format!(
                        "{} within {} min by {}{at}, scenario {s}",
                        opportunities.label,
                        num(*c),
                        req.mode
                    ),
                });
            }
            for n in &req.nearest {
                measures.push(Measure {
                    name: format!("{s}_nearest{n}{suffix}"),
                    description: format!(
                        "minutes to the nearest {n} of {} by {}{at}, scenario {s}",
                        opportunities.label, req.mode
                    ),
                });
            }
        }
    }
    if let Some(c) = &req.compare {
        for i in 0..per_scenario {
            let base = &measures[i];
            let suffix = base.name.split_once('_').map_or("", |x| x.1).to_string();
            measures.push(Measure {
                name: format!("diff_{suffix}"),
                description: format!(
                    "{c} minus {}: {}",
                    req.scenario,
                    base.description
                        .rsplit_once(", scenario")
                        .map_or(base.description.as_str(), |x| x.0)
                ),
            });
        }
    }

    let budget = req.budget();
    let pairwise = PairwiseEgress::build(city, req.mode, opportunities, budget * 60.0);
    let scenario_ids: Vec<usize> = scenarios
        .iter()
        .filter_map(|s| city.transit.scenario_index(s))
        .collect();
    progress.total.store(origins.len(), Ordering::Relaxed);
    progress.done.store(0, Ordering::Relaxed);
    let weights: Vec<f64> = opportunities.points.iter().map(|p| p.weight).collect();
    let rows: Vec<Option<Vec<f32>>> = origins
        .par_iter()
        .map_init(
            || timed.as_ref().map(|t| t.scratch()),
            |scratch, o| {
                if progress.cancel.load(Ordering::Relaxed) {
                    return Err(());
                }
                let mut row = Vec::with_capacity(measures.len());
                let mut ok = true;
                let shared = pairwise
                    .as_ref()
                    .map(|p| p.origin_times(city, o.lonlat, budget * 60.0));
                if let (Some(t), Some(scratch)) = (&timed, scratch.as_mut()) {
                    let times = timed_times(
                        city,
                        t,
                        scratch,
                        pairwise.as_ref().zip(shared.as_ref()),
                        o.lonlat,
                        req.mode,
                        scenario_ids[0],
                        budget,
                        opportunities,
                    );
                    match times {
                        Ok(by_percentile) => {
                            for times in by_percentile {
                                measures_of(&times, &weights, &req.cutoffs, &req.nearest, &mut row)
                            }
                        }
                        Err(_) => {
                            ok = false;
                            row.extend(std::iter::repeat_n(f32::NAN, per_scenario));
                        }
                    }
                } else {
                    for (s, &si) in scenarios.iter().zip(&scenario_ids) {
                        let times = match (&pairwise, &shared) {
                            (Some(p), Some(from)) => Ok(p.times(city, from, si, budget)),
                            _ => times_from(city, o.lonlat, req.mode, s, budget, opportunities),
                        };
                        match times {
                            Ok(times) => {
                                measures_of(&times, &weights, &req.cutoffs, &req.nearest, &mut row)
                            }
                            Err(_) => {
                                ok = false;
                                row.extend(std::iter::repeat_n(f32::NAN, per_scenario));
                            }
                        }
                    }
                }
                if req.compare.is_some() {
                    for i in 0..per_scenario {
                        row.push(row[per_scenario + i] - row[i]);
                    }
                }
                progress.done.fetch_add(1, Ordering::Relaxed);
                Ok(ok.then_some(row))
            },
        )
        .collect::<Result<_, ()>>()
        .map_err(|_| AccessError::Cancelled {
            done: progress.done.load(Ordering::Relaxed),
            total: origins.len(),
        })?;
    let skipped = rows.iter().filter(|r| r.is_none()).count();
    let mut values = Vec::with_capacity(origins.len() * measures.len());
    for r in rows {
        match r {
            Some(r) => values.extend(r),
            None => values.extend(std::iter::repeat_n(f32::NAN, measures.len())),
        }
    }
    let metadata = AccessMetadata {
        mode: req.mode,
        scenario: req.scenario.clone(),
        compare: req.compare.clone(),
        cutoffs: req.cutoffs.clone(),
        nearest: req.nearest.clone(),
        max_minutes: budget,
        opportunities: opportunities.label.clone(),
        opportunity_count: opportunities.points.len(),
        opportunity_total: weights.iter().sum(),
        origin_count: origins.len(),
        origins_skipped: skipped,
        cell_m: grid.as_ref().map(|g| g.cell_m),
        origin_rule: if grid.is_some() {
            "each grid cell's origin is its centre; cells whose centre lies outside the area are left out"
        } else {
            "each point is an origin"
        }
        .into(),
        street_model: city.streets.info(req.mode.street_mode()),
        transit_model: match &timed {
            Some(t) => format!(
                "timetable of {}: range-RAPTOR over each departure minute of the window, \
                 travel-time percentiles per stop (nearest rank), at most {} rides",
                crate::network::timetable::show_date(t.date),
                t.metadata.max_rides
            ),
            None => "steady state: expected wait of half the headway, 2 min per transfer".into(),
        },
        timetable: timed.as_ref().map(|t| t.metadata.clone()),
    };
    Ok(AccessResult {
        origins,
        grid,
        measures,
        values,
        metadata,
    })
}

/// Minutes to every opportunity at each percentile of `search` (`[percentile][opportunity]`),
/// exactly as a single reach at that departure, window and percentile gives them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn timed_times(
    city: &City,
    search: &timed::TimedSearch,
    scratch: &mut timed::Scratch<'_>,
    pairwise: Option<(&PairwiseEgress, &OriginTimes)>,
    origin: [f64; 2],
    mode: Mode,
    scenario: usize,
    budget_min: f64,
    opportunities: &Opportunities,
) -> Result<Vec<Vec<Option<f64>>>, ReachError> {
    use crate::network::streets::{Seed, StreetError};
    let budget_s = budget_min * 60.0;
    if let Some((p, from)) = pairwise {
        let access = p.timed_access(city, from, scenario, budget_s);
        let secs = search.stop_seconds(scratch, &access);
        return Ok(secs
            .iter()
            .map(|row| p.egress(from, &timed::seed_secs(row, budget_s), budget_s))
            .collect());
    }
    // Any street model: the reach engine's own spreads, access and then egress per percentile.
    let street_mode = mode.street_mode();
    if !city.streets.supports(street_mode) {
        return Err(StreetError::ModeUnavailable(street_mode).into());
    }
    let origin_seed = Seed {
        lonlat: origin,
        secs: 0.0,
    };
    let graph = &city.graphs[scenario];
    let access: Vec<(u32, i32)> = {
        let f = city
            .streets
            .spread(street_mode, std::slice::from_ref(&origin_seed), budget_s)?;
        city.transit
            .stops
            .iter()
            .enumerate()
            .filter(|&(i, _)| graph.stop_active[i])
            .filter_map(|(i, s)| {
                f.time_at(s.lonlat)
                    .map(|t| (i as u32, (t.secs as f32).round() as i32))
            })
            .collect()
    };
    let secs = search.stop_seconds(scratch, &access);
    secs.iter()
        .map(|row| {
            let mut seeds = vec![origin_seed];
            seeds.extend(
                timed::seed_secs(row, budget_s)
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| t.is_finite())
                    .map(|(i, &t)| Seed {
                        lonlat: city.transit.stops[i].lonlat,
                        secs: t,
                    }),
            );
            let f = city.streets.spread(street_mode, &seeds, budget_s)?;
            Ok(opportunities
                .points
                .iter()
                .map(|o| f.time_at(o.lonlat).map(|t| t.secs / 60.0))
                .collect())
        })
        .collect()
}

/// A number as it reads in a column name: 30, 7.5.
fn num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Grid cells as origins, ids `r{row}c{col}`.
pub fn grid_origins(grid: &Grid) -> Vec<OriginPoint> {
    grid.origins()
        .map(|(i, p)| OriginPoint {
            id: format!("r{}c{}", i / grid.cols, i % grid.cols),
            lonlat: p,
            cell: Some(i),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The precomputed pairwise path gives exactly (bit for bit) what the generic path, which
    /// runs the reach engine's own travel field, gives: 400 origins × 2 scenarios × every
    /// catalog feature.
    #[test]
    fn pairwise_path_equals_the_reach_engine_bit_for_bit() {
        let city = City::load(crate::DataSource::Embedded).unwrap();
        let opp = Opportunities::parse(&city, "all").unwrap();
        let p = PairwiseEgress::build(&city, Mode::Transit, &opp, 45.0 * 60.0)
            .expect("crow-fly is pairwise");
        let grid = Grid::over([113.55, 34.55, 113.85, 34.85], 1500.0, None).unwrap();
        let mut reached = 0;
        for (_, o) in grid.origins() {
            let from = p.origin_times(&city, o, 45.0 * 60.0);
            for (si, s) in ["existing", "plan-2025"].iter().enumerate() {
                let fast = p.times(&city, &from, si, 45.0);
                let slow = times_from(&city, o, Mode::Transit, s, 45.0, &opp).unwrap();
                assert_eq!(fast, slow, "origin {o:?} {s}");
                reached += fast.iter().flatten().count();
            }
        }
        assert!(reached > 1000, "{reached}");
        let walk = PairwiseEgress::build(&city, Mode::Walk, &opp, 1800.0).unwrap();
        let o = [113.66, 34.75];
        assert_eq!(
            walk.times(&city, &walk.origin_times(&city, o, 1800.0), 0, 30.0),
            times_from(&city, o, Mode::Walk, "existing", 30.0, &opp).unwrap()
        );
    }

    #[test]
    fn cumulative_and_nearest_from_times() {
        let times = [Some(5.0), None, Some(12.0), Some(30.0), Some(12.0)];
        let weights = [1.0, 10.0, 2.0, 4.0, 1.0];
        let mut out = Vec::new();
        measures_of(
            &times,
            &weights,
            &[10.0, 12.0, 60.0],
            &[1, 3, 5, 100],
            &mut out,
        );
        assert_eq!(out[..3], [1.0, 4.0, 8.0]);
        assert_eq!(out[3], 5.0);
        assert_eq!(out[4], 12.0);
        assert_eq!(out[5], 30.0);
        assert!(out[6].is_nan());
    }
}
