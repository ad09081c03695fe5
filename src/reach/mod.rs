//! The reach engine: multimodal search, travel-time bands, isochrone polygons, reached features
//! and plan-target checks. Pure functions over a loaded [`City`].

pub mod contour;
pub mod national;
pub mod polygons;
/// The timetable search, kept under its old name for callers of `reach::raptor`.
pub use crate::routing::transit::raptor;
pub mod result;
/// The steady-state transit search, kept under its old name for callers of `reach::search`.
pub use crate::routing::transit::frequency as search;
pub mod targets;

pub use result::{Band, Leg, ReachResult, ReachedFeature};

use crate::catalog::CatalogError;
use crate::city::City;
use crate::network::streets::{Seed, StreetError, StreetMode};
use search::Labels;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// The largest budget a query may ask for, minutes.
pub const MAX_MINUTES: f64 = 180.0;
/// The most bands one query may ask for.
pub const MAX_BANDS: usize = 24;
/// The most origins one query may union.
pub const MAX_ORIGINS: usize = 50;
/// Default raster cell for band polygons, metres.
pub const DEFAULT_CELL_M: f64 = 100.0;
/// Cells per side above which the cell grows so a polygon stays cheap to contour.
pub(crate) const MAX_GRID_SIDE: f64 = 300.0;

/// How the traveller moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Walk,
    Bike,
    Drive,
    /// Walk + metro / rail + walk.
    Transit,
}

impl Mode {
    pub const ALL: [Mode; 4] = [Mode::Walk, Mode::Bike, Mode::Drive, Mode::Transit];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Walk => "walk",
            Mode::Bike => "bike",
            Mode::Drive => "drive",
            Mode::Transit => "transit",
        }
    }

    /// The street mode of the mode's street legs (walking for transit access and egress).
    pub fn street_mode(self) -> StreetMode {
        match self {
            Mode::Walk | Mode::Transit => StreetMode::Walk,
            Mode::Bike => StreetMode::Bike,
            Mode::Drive => StreetMode::Drive,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = ReachError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mode::ALL
            .into_iter()
            .find(|m| m.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| ReachError::UnknownMode(s.to_string()))
    }
}

/// Where a query starts: a place the catalog or the network knows, or a coordinate.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    Place(String),
    LonLat([f64; 2]),
}

impl Origin {
    /// Parses user input: `LON,LAT` (two numbers) is a coordinate, anything else a place.
    pub fn parse(s: &str) -> Result<Origin, ReachError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(ReachError::InvalidOrigin("an empty origin".into()));
        }
        let parts: Vec<&str> = t.split(',').map(str::trim).collect();
        if parts.len() == 2 {
            let nums: Vec<Option<f64>> = parts.iter().map(|p| p.parse::<f64>().ok()).collect();
            match (nums[0], nums[1]) {
                (Some(lon), Some(lat)) => {
                    if !lon.is_finite() || !lat.is_finite() {
                        return Err(ReachError::InvalidOrigin(format!(
                            "'{t}': coordinates must be finite numbers"
                        )));
                    }
                    if lon.abs() > 180.0 || lat.abs() > 90.0 {
                        return Err(ReachError::InvalidOrigin(format!(
                            "'{t}': not a lon,lat pair (lon within ±180, lat within ±90)"
                        )));
                    }
                    return Ok(Origin::LonLat([lon, lat]));
                }
                (Some(_), None) | (None, Some(_)) => {
                    return Err(ReachError::InvalidOrigin(format!(
                        "'{t}': expected LON,LAT with two numbers"
                    )));
                }
                (None, None) => {}
            }
        }
        Ok(Origin::Place(t.to_string()))
    }
}

/// Whether band polygons nest (each covers everything up to its limit) or tile (disjoint).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BandForm {
    #[default]
    Disjoint,
    Cumulative,
}

impl FromStr for BandForm {
    type Err = ReachError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "disjoint" => Ok(BandForm::Disjoint),
            "cumulative" => Ok(BandForm::Cumulative),
            other => Err(ReachError::InvalidParameter {
                parameter: "band_form",
                message: format!("'{other}' is not disjoint or cumulative"),
            }),
        }
    }
}

/// One reach query.
#[derive(Debug, Clone, PartialEq)]
pub struct ReachRequest {
    pub origins: Vec<Origin>,
    pub mode: Mode,
    /// Upper limits of the bands, minutes, strictly increasing; the last is the budget.
    pub bands: Vec<f64>,
    pub scenario: String,
    pub polygons: bool,
    pub band_form: BandForm,
    /// Raster cell for polygons, metres (`None`: default, grown for large extents).
    pub cell_m: Option<f64>,
    /// Polygon generalisation tolerance, metres (`None`: half a cell; 0: none).
    pub generalize_m: Option<f64>,
    /// Drop polygon parts smaller than this share of the largest (`None`: the default; 0: none).
    pub denoise: Option<f64>,
    /// Departure on the feeds' timetable (`None`: the steady-state search).
    pub timing: Timing,
}

/// The most departure minutes one window may search.
pub const MAX_WINDOW_MIN: u32 = 180;
/// The most percentiles one query may ask for.
pub const MAX_PERCENTILES: usize = 9;
/// Draws of the phases of frequency-based service over a window (fixed seed, reproducible).
pub const DRAWS: u32 = 20;
/// Seed of the phase draws.
pub const DRAW_SEED: u64 = 1;

/// When and how the timetable search runs; the same defaults on the CLI and over HTTP.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    /// `YYYY-MM-DDTHH:MM`, local time of the feeds (`None`: steady state).
    pub depart: Option<String>,
    /// Departure window in minutes (0: one departure); one search per minute.
    pub window_min: u32,
    /// Percentiles of travel time reported per feature, increasing.
    pub percentiles: Vec<u8>,
    /// The percentile `minutes` and the bands are drawn for; one of `percentiles`.
    pub percentile: u8,
    /// Minutes added to every boarding after the first (`None`: the city's, 2, in the steady
    /// state; 0 on a timetable, whose waits are real and which takes no other value).
    pub transfer_penalty_min: Option<f64>,
}

/// The largest transfer penalty a query may ask for, minutes.
pub const MAX_TRANSFER_PENALTY_MIN: f64 = 30.0;

/// Parses a transfer penalty in minutes, within [0, [`MAX_TRANSFER_PENALTY_MIN`]].
pub fn parse_transfer_penalty(s: &str) -> Result<f64, ReachError> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=MAX_TRANSFER_PENALTY_MIN).contains(&v) => Ok(v),
        _ => Err(ReachError::InvalidParameter {
            parameter: "transfer_penalty",
            message: format!(
                "'{s}' is not a number of minutes from 0 to {MAX_TRANSFER_PENALTY_MIN}"
            ),
        }),
    }
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            depart: None,
            window_min: 0,
            percentiles: vec![5, 50, 95],
            percentile: 50,
            transfer_penalty_min: None,
        }
    }
}

/// Parses a percentile list such as `5,50,95` (integers 0–100, sorted and deduplicated).
pub fn parse_percentiles(s: &str) -> Result<Vec<u8>, ReachError> {
    let mut ps = Vec::new();
    for p in s.split(',') {
        let p = p.trim();
        ps.push(parse_percentile(p, "percentiles")?);
    }
    ps.sort_unstable();
    ps.dedup();
    if ps.len() > MAX_PERCENTILES {
        return Err(ReachError::InvalidParameter {
            parameter: "percentiles",
            message: format!("{} percentiles; at most {MAX_PERCENTILES}", ps.len()),
        });
    }
    Ok(ps)
}

/// Parses one percentile, an integer 0–100.
pub fn parse_percentile(p: &str, parameter: &'static str) -> Result<u8, ReachError> {
    match p.trim().parse::<u8>() {
        Ok(v) if v <= 100 => Ok(v),
        _ => Err(ReachError::InvalidParameter {
            parameter,
            message: format!("'{p}' is not a whole percentile from 0 to 100"),
        }),
    }
}

/// Checks a departure window in minutes against [`MAX_WINDOW_MIN`].
pub fn check_window(w: u32) -> Result<(), ReachError> {
    if w > MAX_WINDOW_MIN {
        return Err(ReachError::InvalidParameter {
            parameter: "window",
            message: format!("{w} minutes; at most {MAX_WINDOW_MIN}"),
        });
    }
    Ok(())
}

impl ReachRequest {
    /// A transit query with one band and polygons, on the `existing` scenario.
    pub fn new(origin: Origin, minutes: f64) -> ReachRequest {
        ReachRequest {
            origins: vec![origin],
            mode: Mode::Transit,
            bands: vec![minutes],
            scenario: "existing".into(),
            polygons: true,
            band_form: BandForm::Disjoint,
            cell_m: None,
            generalize_m: None,
            denoise: None,
            timing: Timing::default(),
        }
    }

    pub fn budget_minutes(&self) -> f64 {
        self.bands.last().copied().unwrap_or(0.0)
    }
}

/// Parses a band list such as `10,20,30` (minutes).
pub fn parse_bands(s: &str) -> Result<Vec<f64>, ReachError> {
    let bands: Result<Vec<f64>, ReachError> = s
        .split(',')
        .map(|p| {
            let p = p.trim();
            p.parse::<f64>().map_err(|_| ReachError::InvalidParameter {
                parameter: "bands",
                message: format!("'{p}' is not a number of minutes"),
            })
        })
        .collect();
    let bands = bands?;
    check_bands(&bands)?;
    Ok(bands)
}

/// Checks a budget in minutes: finite, > 0, ≤ [`MAX_MINUTES`].
pub fn check_minutes(m: f64, parameter: &'static str) -> Result<(), ReachError> {
    if !m.is_finite() || m <= 0.0 || m > MAX_MINUTES {
        return Err(ReachError::InvalidParameter {
            parameter,
            message: format!("{m} minutes is outside (0, {MAX_MINUTES}]"),
        });
    }
    Ok(())
}

pub fn check_bands(bands: &[f64]) -> Result<(), ReachError> {
    if bands.is_empty() {
        return Err(ReachError::InvalidParameter {
            parameter: "bands",
            message: "at least one band is needed".into(),
        });
    }
    if bands.len() > MAX_BANDS {
        return Err(ReachError::InvalidParameter {
            parameter: "bands",
            message: format!("{} bands; at most {MAX_BANDS}", bands.len()),
        });
    }
    for b in bands {
        check_minutes(*b, "bands")?;
    }
    if bands.windows(2).any(|w| w[1] <= w[0]) {
        return Err(ReachError::InvalidParameter {
            parameter: "bands",
            message: "band limits must increase strictly".into(),
        });
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum ReachError {
    #[error("{0}")]
    UnknownPlace(#[from] CatalogError),
    #[error("invalid origin: {0}")]
    InvalidOrigin(String),
    #[error("origin ({lon:.5}, {lat:.5}) is outside the area the city's data covers (west {w:.5}, south {s:.5}, east {e:.5}, north {n:.5}); coordinates are lon,lat in WGS-84", w = area[0], s = area[1], e = area[2], n = area[3])]
    OutsideArea { lon: f64, lat: f64, area: [f64; 4] },
    #[error("unknown mode '{0}' (expected walk, bike, drive or transit)")]
    UnknownMode(String),
    #[error("unknown scenario '{name}' (known: {})", known.join(", "))]
    UnknownScenario { name: String, known: Vec<String> },
    #[error("{parameter}: {message}")]
    InvalidParameter {
        parameter: &'static str,
        message: String,
    },
    #[error(transparent)]
    Street(#[from] StreetError),
}

impl ReachError {
    /// The request parameter the error is about, for API error bodies.
    pub fn parameter(&self) -> &'static str {
        match self {
            ReachError::UnknownPlace(_)
            | ReachError::InvalidOrigin(_)
            | ReachError::OutsideArea { .. } => "from",
            ReachError::UnknownMode(_) => "mode",
            ReachError::UnknownScenario { .. } => "scenario",
            ReachError::InvalidParameter { parameter, .. } => parameter,
            ReachError::Street(_) => "from",
        }
    }
}

/// A resolved origin: where it is and what the user called it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedOrigin {
    pub query: String,
    pub name: String,
    /// Catalog feature id or transit stop id, where the origin is one.
    pub id: Option<String>,
    pub lonlat: [f64; 2],
}

/// Resolves an origin: catalog feature (id or name), transit stop (id or name), or lon,lat.
pub fn resolve_origin(city: &City, origin: &Origin) -> Result<ResolvedOrigin, ReachError> {
    let resolved = match origin {
        Origin::LonLat(p) => ResolvedOrigin {
            query: format!("{},{}", p[0], p[1]),
            name: format!("{:.5}, {:.5}", p[0], p[1]),
            id: None,
            lonlat: *p,
        },
        Origin::Place(q) => match city.catalog.resolve(q) {
            Ok(f) => ResolvedOrigin {
                query: q.clone(),
                name: f.name_zh.clone(),
                id: Some(f.id.clone()),
                lonlat: f.anchor,
            },
            Err(err) => match city.places.stop(&city.transit, q) {
                Some(i) => {
                    let s = &city.transit.stops[i as usize];
                    ResolvedOrigin {
                        query: q.clone(),
                        name: s.name.clone(),
                        id: Some(s.id.clone()),
                        lonlat: s.lonlat,
                    }
                }
                None => return Err(ReachError::UnknownPlace(err)),
            },
        },
    };
    if !city.contains(resolved.lonlat) {
        return Err(ReachError::OutsideArea {
            lon: resolved.lonlat[0],
            lat: resolved.lonlat[1],
            area: city.area,
        });
    }
    Ok(resolved)
}

/// Checks a request against the limits and the city, before any search.
pub fn validate(city: &City, req: &ReachRequest) -> Result<usize, ReachError> {
    if req.origins.is_empty() {
        return Err(ReachError::InvalidOrigin("no origin given".into()));
    }
    if req.origins.len() > MAX_ORIGINS {
        return Err(ReachError::InvalidParameter {
            parameter: "from",
            message: format!("{} origins; at most {MAX_ORIGINS}", req.origins.len()),
        });
    }
    check_bands(&req.bands)?;
    if let Some(c) = req.cell_m {
        if !c.is_finite() || !(20.0..=2000.0).contains(&c) {
            return Err(ReachError::InvalidParameter {
                parameter: "cell",
                message: format!("{c} m is outside [20, 2000]"),
            });
        }
    }
    if let Some(g) = req.generalize_m {
        if !g.is_finite() || !(0.0..=5000.0).contains(&g) {
            return Err(ReachError::InvalidParameter {
                parameter: "generalize",
                message: format!("{g} m is outside [0, 5000]"),
            });
        }
    }
    if let Some(d) = req.denoise {
        if !d.is_finite() || !(0.0..=1.0).contains(&d) {
            return Err(ReachError::InvalidParameter {
                parameter: "denoise",
                message: format!("{d} is outside [0, 1]"),
            });
        }
    }
    check_window(req.timing.window_min)?;
    if req.timing.percentiles.is_empty() || req.timing.percentiles.len() > MAX_PERCENTILES {
        return Err(ReachError::InvalidParameter {
            parameter: "percentiles",
            message: format!("between 1 and {MAX_PERCENTILES} percentiles are needed"),
        });
    }
    if !req.timing.percentiles.contains(&req.timing.percentile) {
        return Err(ReachError::InvalidParameter {
            parameter: "percentile",
            message: format!(
                "{} is not one of the percentiles asked for ({})",
                req.timing.percentile,
                req.timing
                    .percentiles
                    .iter()
                    .map(u8::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        });
    }
    if let Some(p) = req.timing.transfer_penalty_min {
        parse_transfer_penalty(&p.to_string())?;
        if req.timing.depart.is_some() && p != 0.0 {
            return Err(ReachError::InvalidParameter {
                parameter: "transfer_penalty",
                message: format!(
                    "{p} minutes: waits on the feeds' timetable are real, so only 0 applies \
                     with a departure"
                ),
            });
        }
    }
    city.transit
        .scenario_index(&req.scenario)
        .ok_or_else(|| ReachError::UnknownScenario {
            name: req.scenario.clone(),
            known: city.scenario_ids().iter().map(|s| s.to_string()).collect(),
        })
}

/// The travel-time field of a query: street times from the origins and from every stop the
/// transit search reached, with what is needed to explain each time leg by leg.
pub struct TravelField<'a> {
    pub scenario: usize,
    pub origins: Vec<ResolvedOrigin>,
    pub field: Box<dyn crate::network::streets::StreetField + 'a>,
    /// For each seed of `field`: the stop it stands for (`None`: an origin).
    seed_stop: Vec<Option<u32>>,
    labels: Option<Labels>,
    /// For each stop: the origin whose access walk reached it first.
    access_origin: Vec<usize>,
    /// What the timetable search used, and a street field per percentile (`None` at the
    /// selected one, which is `field`).
    pub timed: Option<TimedInfo>,
    /// The steady-state search's parameters (the city's, with the query's transfer penalty).
    pub params: search::TransitParams,
    by_percentile: Vec<Option<Box<dyn crate::network::streets::StreetField + 'a>>>,
}

/// How a timetable query was answered, for its metadata.
#[derive(Debug, Clone)]
pub struct TimedInfo {
    pub depart: String,
    pub date: crate::network::gtfs::GtfsDate,
    pub window_min: u32,
    pub percentiles: Vec<u8>,
    pub percentile: u8,
    pub draws: u32,
    pub samples: usize,
    pub max_rides: usize,
    /// The departure the clock times of legs are for (the window's middle minute).
    pub legs_depart: String,
    /// Travel seconds per stop at the selected percentile (`UNREACHED` where none).
    stop_secs: Vec<i32>,
    /// What the journeys leaving at `legs_depart` are reconstructed from, for the few stops
    /// whose legs an answer shows (see [`TimedInfo::journeys`]).
    legs_source: std::sync::Arc<LegsSource>,
}

/// The day's timetable and the access of the departure legs are shown for.
#[derive(Debug)]
struct LegsSource {
    tt: std::sync::Arc<crate::network::timetable::Timetable>,
    at: Vec<(u32, i32)>,
}

impl TimedInfo {
    /// Each of `stops`' journey (rides and walks with clock times, leaving at `legs_depart`),
    /// empty where the stop is not reached. One search at that departure, then a
    /// reconstruction per stop asked for only: most stops are no reached feature's seed.
    fn journeys(&self, city: &City, stops: &[u32]) -> HashMap<u32, Vec<String>> {
        let src = &*self.legs_source;
        let tt = &src.tt;
        let params = raptor::RaptorParams {
            max_rides: self.max_rides,
        };
        let mut one = raptor::Raptor::new(tt, &params);
        let mut arrivals = Vec::new();
        one.run(&src.at, &mut arrivals);
        let stop_name = |s: u32| city.transit.stops[s as usize].name.clone();
        let mut out = HashMap::with_capacity(stops.len());
        for &s in stops {
            if out.contains_key(&s) {
                continue;
            }
            let reached = self
                .stop_secs
                .get(s as usize)
                .is_some_and(|&t| t != crate::network::timetable::UNREACHED);
            let legs = if reached {
                one.journey(&src.at, s).unwrap_or_default()
            } else {
                Vec::new()
            };
            let text = legs
                .iter()
                .map(|leg| match *leg {
                    raptor::JourneyLeg::Ride {
                        trip,
                        from,
                        to,
                        depart_s,
                        arrive_s,
                        ..
                    } => format!(
                        "{} board {} at {} → {} alight at {}",
                        clock(depart_s),
                        city.transit.routes[tt.trip_route(trip)].display_name(),
                        stop_name(from),
                        clock(arrive_s),
                        stop_name(to)
                    ),
                    raptor::JourneyLeg::Walk {
                        from,
                        to,
                        depart_s,
                        arrive_s,
                    } => format!(
                        "{} walk from {} → {} at {}",
                        clock(depart_s),
                        stop_name(from),
                        clock(arrive_s),
                        stop_name(to)
                    ),
                })
                .collect();
            out.insert(s, text);
        }
        out
    }
}

/// Whether any feed runs trips of its own timetable (not only frequency-based ones): such
/// networks answer on the timetable by default, frequency-based ones in the steady state.
pub fn timetabled(net: &crate::network::transit::TransitNetwork) -> bool {
    net.feeds.iter().any(|f| {
        let mut by_frequency = vec![false; f.trips.len()];
        for q in &f.frequencies {
            if let Some(b) = by_frequency.get_mut(q.trip as usize) {
                *b = true;
            }
        }
        by_frequency.iter().any(|b| !b)
    })
}

/// The departure a timetabled network answers at when none is given: 08:00 on the first
/// Tuesday of the feeds' calendar on which some service runs (a typical weekday morning).
pub fn default_departure(net: &crate::network::transit::TransitNetwork) -> Option<String> {
    use crate::network::timetable::{
        active_services, add_days, calendar_range, show_date, weekday,
    };
    let (first, last) = calendar_range(&net.feeds)?;
    let mut d = first;
    while d <= last {
        if weekday(d) == 1 && net.feeds.iter().any(|f| !active_services(f, d).is_empty()) {
            return Some(format!("{}T08:00", show_date(d)));
        }
        d = add_days(d, 1);
    }
    None
}

/// `HH:MM` of seconds after midnight of the service day (past 24:00 as GTFS writes it).
fn clock(s: i32) -> String {
    let m = s.div_euclid(60);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Runs range-RAPTOR over the window from `access` (stop, seconds of walk).
fn timetable_search(
    city: &City,
    scenario: usize,
    timing: &Timing,
    text: &str,
    access: &[(u32, i32)],
) -> Result<(TimedInfo, Vec<Vec<i32>>), ReachError> {
    use crate::network::timetable::{parse_departure, TimetableParams};
    let bad = |e: crate::network::timetable::TimetableError| ReachError::InvalidParameter {
        parameter: "depart",
        message: e.to_string(),
    };
    let (date, depart_s) = parse_departure(text).map_err(bad)?;
    let tt_params = TimetableParams {
        scenario,
        ..TimetableParams::default()
    };
    let tt = city
        .timetables
        .day(&city.transit, scenario, date)
        .map_err(bad)?;
    let params = raptor::RaptorParams::default();
    let query = raptor::WindowQuery {
        depart: depart_s,
        minutes: timing.window_min.max(1),
        percentiles: timing.percentiles.clone(),
        draws: DRAWS,
        seed: DRAW_SEED,
    };
    let w = raptor::window_travel_times(&city.transit, &tt, &tt_params, access, &query, &params)
        .map_err(bad)?;
    let sel = timing
        .percentiles
        .iter()
        .position(|&p| p == timing.percentile)
        .unwrap_or(0);
    // Legs are shown for one departure: the first of the window's middle minute.
    let minutes = timing.window_min.max(1) as i32;
    let legs_depart_s = depart_s + 60 * ((minutes - 1) / 2);
    let at: Vec<(u32, i32)> = access
        .iter()
        .map(|&(s, w)| (s, legs_depart_s + w))
        .collect();
    let info = TimedInfo {
        legs_depart: clock(legs_depart_s),
        legs_source: std::sync::Arc::new(LegsSource { tt, at }),
        depart: text.to_string(),
        date,
        window_min: timing.window_min,
        percentiles: timing.percentiles.clone(),
        percentile: timing.percentile,
        draws: w.draws,
        samples: w.samples,
        max_rides: params.max_rides,
        stop_secs: w.seconds[sel].clone(),
    };
    Ok((info, w.seconds))
}

impl TravelField<'_> {
    /// Minutes to reach a point, or `None` beyond the budget.
    pub fn minutes_at(&self, lonlat: [f64; 2]) -> Option<f64> {
        self.field.time_at(lonlat).map(|t| t.secs / 60.0)
    }
}

/// Runs the search of a query and returns its travel-time field.
pub fn travel_field<'a>(city: &'a City, req: &ReachRequest) -> Result<TravelField<'a>, ReachError> {
    let scenario = validate(city, req)?;
    let origins: Vec<ResolvedOrigin> = req
        .origins
        .iter()
        .map(|o| resolve_origin(city, o))
        .collect::<Result<_, _>>()?;
    let budget_s = req.budget_minutes() * 60.0;
    let street_mode = req.mode.street_mode();
    if !city.streets.supports(street_mode) {
        return Err(StreetError::ModeUnavailable(street_mode).into());
    }
    let origin_seeds: Vec<Seed> = origins
        .iter()
        .map(|o| Seed {
            lonlat: o.lonlat,
            secs: 0.0,
        })
        .collect();

    let mut params = city.params;
    if let Some(p) = req.timing.transfer_penalty_min {
        params.transfer_penalty_s = (p * 60.0) as f32;
    }
    // Transit: access walk to stops, the search, then egress seeds at every ridden stop.
    let graph = &city.graphs[scenario];
    let mut seeds = origin_seeds.clone();
    let mut seed_stop: Vec<Option<u32>> = vec![None; seeds.len()];
    let mut labels: Option<Labels> = None;
    let mut access_origin: Vec<usize> = Vec::new();
    if req.mode == Mode::Transit {
        let access_field = city.streets.spread(street_mode, &origin_seeds, budget_s)?;
        let mut access = Vec::new();
        access_origin = vec![usize::MAX; city.transit.stops.len()];
        for (i, s) in city.transit.stops.iter().enumerate() {
            if !graph.stop_active[i] {
                continue;
            }
            if let Some(t) = access_field.time_at(s.lonlat) {
                access.push((i as u32, t.secs as f32));
                access_origin[i] = t.seed;
            }
        }
        drop(access_field);
        if let Some(text) = &req.timing.depart {
            let access_s: Vec<(u32, i32)> =
                access.iter().map(|&(s, t)| (s, t.round() as i32)).collect();
            let (info, secs) = timetable_search(city, scenario, &req.timing, text, &access_s)?;
            let stop_seeds = |row: &[i32]| -> Vec<(u32, f64)> {
                row.iter()
                    .enumerate()
                    .filter(|&(_, &t)| {
                        t != crate::network::timetable::UNREACHED && t as f64 <= budget_s
                    })
                    .map(|(i, &t)| (i as u32, t as f64))
                    .collect()
            };
            let mut by_percentile = Vec::with_capacity(secs.len());
            for (p, row) in req.timing.percentiles.iter().zip(&secs) {
                if *p == req.timing.percentile {
                    by_percentile.push(None);
                    continue;
                }
                let mut s = origin_seeds.clone();
                s.extend(stop_seeds(row).into_iter().map(|(i, t)| Seed {
                    lonlat: city.transit.stops[i as usize].lonlat,
                    secs: t,
                }));
                by_percentile.push(Some(city.streets.spread(street_mode, &s, budget_s)?));
            }
            for (i, t) in stop_seeds(&info.stop_secs) {
                seeds.push(Seed {
                    lonlat: city.transit.stops[i as usize].lonlat,
                    secs: t,
                });
                seed_stop.push(Some(i));
            }
            let field = city.streets.spread(street_mode, &seeds, budget_s)?;
            return Ok(TravelField {
                scenario,
                origins,
                field,
                seed_stop,
                labels: None,
                access_origin,
                timed: Some(info),
                params,
                by_percentile,
            });
        }
        let l = graph.search(&access, budget_s as f32, &params);
        for (i, s) in city.transit.stops.iter().enumerate() {
            let t = l.ridden(i as u32);
            if t.is_finite() {
                seeds.push(Seed {
                    lonlat: s.lonlat,
                    secs: t as f64,
                });
                seed_stop.push(Some(i as u32));
            }
        }
        labels = Some(l);
    }
    let field = city.streets.spread(street_mode, &seeds, budget_s)?;
    Ok(TravelField {
        scenario,
        origins,
        field,
        seed_stop,
        labels,
        access_origin,
        timed: None,
        params,
        by_percentile: Vec::new(),
    })
}

/// Answers a reach query: reached features with times and legs, bands, and polygons.
pub fn reach(city: &City, req: &ReachRequest) -> Result<ReachResult, ReachError> {
    let orig = req;
    // A timetabled network answers at its default departure when none is given.
    let defaulted;
    let req = if req.timing.depart.is_none()
        && req.mode == Mode::Transit
        && req.scenario == "existing"
        && timetabled(&city.transit)
    {
        let mut r = req.clone();
        r.timing.depart = default_departure(&city.transit);
        defaulted = r;
        &defaulted
    } else {
        req
    };
    let tf = travel_field(city, req)?;
    let graph = &city.graphs[tf.scenario];
    let mut reached = Vec::new();
    let mut feature_pins = Vec::new();
    let found: Vec<_> = city
        .catalog
        .features()
        .iter()
        .enumerate()
        .filter_map(|(fi, f)| tf.field.time_at(f.anchor).map(|t| (fi, f, t)))
        .collect();
    // Journeys on the timetable only for the stops a reached feature's legs start from.
    let journeys = match &tf.timed {
        Some(info) if tf.labels.is_none() => {
            let stops: Vec<u32> = found
                .iter()
                .filter_map(|(_, _, t)| tf.seed_stop.get(t.seed).copied().flatten())
                .collect();
            info.journeys(city, &stops)
        }
        _ => HashMap::new(),
    };
    for (fi, f, t) in found {
        feature_pins.push(contour::Pin {
            lonlat: f.anchor,
            secs: t.secs,
        });
        let legs = match (tf.seed_stop.get(t.seed).copied().flatten(), &tf.labels) {
            (Some(stop), Some(l)) => {
                let steps = l.itinerary(graph, stop);
                let mut legs = result::legs_from_steps(
                    city,
                    &steps,
                    &tf.origins,
                    &tf.access_origin,
                    tf.params.transfer_penalty_s,
                );
                let egress = t.secs - l.ridden(stop) as f64;
                legs.push(Leg::walk_to_feature(
                    egress,
                    city.transit.stops[stop as usize].lonlat,
                    f.id.clone(),
                    f.anchor,
                ));
                legs
            }
            (Some(stop), None) if tf.timed.is_some() => {
                let info = tf.timed.as_ref().map(|t| {
                    (
                        t.percentile,
                        t.stop_secs[stop as usize],
                        journeys.get(&stop).cloned().unwrap_or_default(),
                        t.legs_depart.clone(),
                    )
                });
                let (p, ride_s, journey, leaving) = info.unwrap_or_default();
                let s = &city.transit.stops[stop as usize];
                vec![
                    Leg::Timetable {
                        to: s.name.clone(),
                        minutes: (ride_s as f64 / 6.0).round() / 10.0,
                        percentile: p,
                        leaving,
                        journey,
                    },
                    Leg::walk_to_feature(t.secs - ride_s as f64, s.lonlat, f.id.clone(), f.anchor),
                ]
            }
            _ => vec![Leg::walk_direct(
                req.mode,
                t.secs,
                &tf.origins[t.seed.min(tf.origins.len() - 1)],
                f.id.clone(),
                f.anchor,
            )],
        };
        let mut rf = ReachedFeature::new(fi, f, t.secs, &req.bands, legs);
        if let Some(info) = &tf.timed {
            let by = info
                .percentiles
                .iter()
                .zip(&tf.by_percentile)
                .map(|(p, field)| {
                    let secs = match field {
                        None => Some(t.secs),
                        Some(fd) => fd.time_at(f.anchor).map(|x| x.secs),
                    };
                    (p.to_string(), secs.map(|s| (s / 6.0).round() / 10.0))
                })
                .collect();
            rf.minutes_by_percentile = Some(by);
        }
        reached.push(rf);
    }
    reached.sort_by(|a, b| {
        a.minutes
            .total_cmp(&b.minutes)
            .then_with(|| a.id.cmp(&b.id))
    });

    let bands = if req.polygons {
        // Every reached feature and every origin must end up inside its bands.
        let mut pins = feature_pins;
        for o in &tf.origins {
            if let Some(t) = tf.field.time_at(o.lonlat) {
                pins.push(contour::Pin {
                    lonlat: o.lonlat,
                    secs: t.secs,
                });
            }
        }
        let opts = polygons::PolygonOptions {
            cell_m: req.cell_m,
            generalize_m: req.generalize_m,
            denoise: req.denoise,
            pins,
        };
        polygons::band_polygons_with(tf.field.as_ref(), &req.bands, req.band_form, &opts)
    } else {
        polygons::empty_bands(&req.bands, req.band_form)
    };
    let info = city.streets.info(req.mode.street_mode());
    let timed = tf.timed.clone();
    let params = tf.params;
    let mut result =
        ReachResult::assemble(city, req, tf.scenario, tf.origins, reached, bands, info);
    if timed.is_none() && req.mode == Mode::Transit {
        if let Some(result::TransitInfo::Steady(s)) = &mut result.metadata.transit {
            s.transfer_penalty_minutes = params.transfer_penalty_s / 60.0;
        }
    }
    if let Some(t) = &timed {
        result.set_timed(t);
        if !std::ptr::eq(req, orig) {
            if let Some(result::TransitInfo::Timed(m)) = &mut result.metadata.transit {
                m.depart_note = Some(
                    "no departure given: a timetabled network answers at its default, 08:00 on \
                     the first Tuesday of the feeds' calendar with service"
                        .into(),
                );
            }
        }
    }
    Ok(result)
}
