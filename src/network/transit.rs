//! Transit: a GTFS feed plus scenario overlays, compiled into compact arrays for the search.
//!
//! Service is modelled by frequency: a pattern (an ordered stop sequence of a route) has run
//! times between its stops and a headway. Feeds with `frequencies.txt` give the headway
//! directly; timetabled trips are counted over the day to give an average one.

use super::scenario::{Scenario, ScenarioError};
use crate::dataset::{DataSource, DataSourceError};
use crate::geodesy::haversine_m;
use std::collections::HashMap;
use std::path::Path;

/// Service window over which timetabled trips are averaged into a headway (06:00–23:00).
const SERVICE_WINDOW_S: (u32, u32) = (6 * 3600, 23 * 3600);

#[derive(Debug, thiserror::Error)]
pub enum TransitError {
    #[error("{path}: cannot read GTFS: {message}")]
    Gtfs { path: String, message: String },
    #[error("{path}: stop {stop_id}: {message}")]
    BadStop {
        path: String,
        stop_id: String,
        message: String,
    },
    #[error("{path}: trip {trip_id}: {message}")]
    BadTrip {
        path: String,
        trip_id: String,
        message: String,
    },
    #[error(transparent)]
    Source(#[from] DataSourceError),
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("cannot stage the embedded GTFS feed in {path}: {source}")]
    Staging {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// What kind of vehicle a route runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteKind {
    Tram,
    Metro,
    Rail,
    Bus,
    Other,
}

impl RouteKind {
    /// From a GTFS `route_type`, basic or extended.
    pub fn from_gtfs(code: i32) -> RouteKind {
        match code {
            0 | 900..=999 => RouteKind::Tram,
            1 | 400..=499 => RouteKind::Metro,
            2 | 100..=199 => RouteKind::Rail,
            3 | 11 | 700..=799 | 200..=299 => RouteKind::Bus,
            _ => RouteKind::Other,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TransitStop {
    pub id: String,
    pub name: String,
    /// English or romanised name where the feed has one (`tts_stop_name`).
    pub name_en: Option<String>,
    pub lonlat: [f64; 2],
    /// `None` for the base feed; the scenario index for stops a scenario adds.
    pub scenario: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TransitRoute {
    pub id: String,
    pub short_name: String,
    pub long_name: String,
    /// `#RRGGBB`, where the feed gives one.
    pub color: Option<String>,
    pub kind: RouteKind,
    pub scenario: Option<usize>,
}

impl TransitRoute {
    /// The name a planner reads: "Line 2 (2号线)", or whichever names exist.
    pub fn display_name(&self) -> String {
        match (self.long_name.is_empty(), self.short_name.is_empty()) {
            (false, false) if self.long_name != self.short_name => {
                format!("{} ({})", self.long_name, self.short_name)
            }
            (false, _) => self.long_name.clone(),
            (true, false) => self.short_name.clone(),
            (true, true) => self.id.clone(),
        }
    }
}

/// One direction of one route: stops in order, cumulative run times and a headway.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub route: usize,
    pub stops: Vec<u32>,
    /// Seconds from the first stop's departure to arrival at each stop (first is 0).
    pub arrive_s: Vec<f32>,
    pub headway_s: f32,
    pub scenario: Option<usize>,
}

/// A walking link between two stops (an interchange passage, or a `transfers.txt` entry).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transfer {
    pub from: u32,
    pub to: u32,
    pub secs: f32,
    pub scenario: Option<usize>,
}

/// The base feed and every scenario's additions, with ids resolved to indices.
#[derive(Debug, Clone)]
pub struct TransitNetwork {
    pub stops: Vec<TransitStop>,
    pub routes: Vec<TransitRoute>,
    pub patterns: Vec<Pattern>,
    pub transfers: Vec<Transfer>,
    pub scenarios: Vec<Scenario>,
    stop_index: HashMap<String, u32>,
}

impl TransitNetwork {
    /// Loads `gtfs/` and every `scenarios/*.toml` of a data source.
    pub fn load(source: &DataSource) -> Result<TransitNetwork, TransitError> {
        // A city without a feed is a street-only city: walk, bike and drive still work.
        let mut net = if !source.exists("gtfs") {
            TransitNetwork::empty()
        } else {
            let gtfs = match source {
                DataSource::Folder(dir) => read_gtfs(&dir.join("gtfs"))?,
                DataSource::Embedded => read_embedded_gtfs(source)?,
            };
            TransitNetwork::from_gtfs(&gtfs, &source.label("gtfs"))?
        };
        for name in source.list("scenarios")? {
            if name.ends_with(".toml") {
                let text = source.read_to_string(&name)?;
                let scenario = Scenario::parse(&text, &source.label(&name))?;
                net.add_scenario(scenario)?;
            }
        }
        if !net.scenarios.iter().any(|s| s.id == "existing") {
            net.scenarios.insert(0, Scenario::existing());
            net.renumber_after_insert_front();
        }
        Ok(net)
    }

    /// A network with no stops and no service.
    pub fn empty() -> TransitNetwork {
        TransitNetwork {
            stops: Vec::new(),
            routes: Vec::new(),
            patterns: Vec::new(),
            transfers: Vec::new(),
            scenarios: Vec::new(),
            stop_index: HashMap::new(),
        }
    }

    /// Compiles a parsed GTFS feed (any city's) into the network's arrays.
    pub fn from_gtfs(
        gtfs: &gtfs_structures::Gtfs,
        label: &str,
    ) -> Result<TransitNetwork, TransitError> {
        let mut net = TransitNetwork::empty();
        let mut stop_ids: Vec<&String> = gtfs.stops.keys().collect();
        stop_ids.sort();
        for id in stop_ids {
            let s = &gtfs.stops[id];
            let (Some(lon), Some(lat)) = (s.longitude, s.latitude) else {
                // Stations and entrances without coordinates cannot be reached on foot.
                continue;
            };
            if !lon.is_finite() || !lat.is_finite() || lon.abs() > 180.0 || lat.abs() > 90.0 {
                return Err(TransitError::BadStop {
                    path: format!("{label}/stops.txt"),
                    stop_id: id.clone(),
                    message: format!("coordinates ({lon}, {lat}) are not a valid lon/lat"),
                });
            }
            net.push_stop(TransitStop {
                id: id.clone(),
                name: s.name.clone().unwrap_or_else(|| id.clone()),
                name_en: s.tts_name.clone().filter(|n| !n.is_empty()),
                lonlat: [lon, lat],
                scenario: None,
            });
        }

        let mut route_ids: Vec<&String> = gtfs.routes.keys().collect();
        route_ids.sort();
        let mut route_index = HashMap::new();
        for id in route_ids {
            let r = &gtfs.routes[id];
            route_index.insert(id.clone(), net.routes.len());
            net.routes.push(TransitRoute {
                id: id.clone(),
                short_name: r.short_name.clone().unwrap_or_default(),
                long_name: r.long_name.clone().unwrap_or_default(),
                color: r
                    .color
                    .map(|c| format!("#{:02X}{:02X}{:02X}", c.r, c.g, c.b)),
                kind: RouteKind::from_gtfs(route_type_code(r.route_type)),
                scenario: None,
            });
        }

        // Group trips by (route, stop sequence): each group is one pattern.
        let mut groups: HashMap<(usize, Vec<u32>), PatternAcc> = HashMap::new();
        let mut trip_ids: Vec<&String> = gtfs.trips.keys().collect();
        trip_ids.sort();
        for trip_id in trip_ids {
            let trip = &gtfs.trips[trip_id];
            let bad = |message: String| TransitError::BadTrip {
                path: format!("{label}/trips.txt"),
                trip_id: trip_id.clone(),
                message,
            };
            let Some(&route) = route_index.get(&trip.route_id) else {
                return Err(bad(format!("unknown route_id '{}'", trip.route_id)));
            };
            if trip.stop_times.len() < 2 {
                continue;
            }
            let mut stops = Vec::with_capacity(trip.stop_times.len());
            let mut times = Vec::with_capacity(trip.stop_times.len());
            for st in &trip.stop_times {
                let Some(&si) = net.stop_index.get(&st.stop.id) else {
                    return Err(bad(format!("stop '{}' has no coordinates", st.stop.id)));
                };
                let arr = st.arrival_time.or(st.departure_time);
                stops.push(si);
                times.push(arr);
            }
            let start = trip.stop_times[0]
                .departure_time
                .or(trip.stop_times[0].arrival_time);
            let Some(start) = start else {
                return Err(bad("first stop has no time".into()));
            };
            let arrive = interpolate_times(&stops, &times, &net.stops)
                .ok_or_else(|| bad("stop times are missing at the ends or run backwards".into()))?;
            let arrive_s: Vec<f32> = arrive.iter().map(|&t| (t - start as f64) as f32).collect();
            let acc = groups.entry((route, stops)).or_default();
            acc.add(arrive_s, trip, start);
        }
        let mut keys: Vec<_> = groups.keys().cloned().collect();
        keys.sort();
        for key in keys {
            let acc = &groups[&key];
            if let Some(headway_s) = acc.headway() {
                net.patterns.push(Pattern {
                    route: key.0,
                    stops: key.1.clone(),
                    arrive_s: acc.mean_arrive(),
                    headway_s,
                    scenario: None,
                });
            }
        }

        let mut from_ids: Vec<&String> = gtfs.stops.keys().collect();
        from_ids.sort();
        for from_id in from_ids {
            let Some(&from) = net.stop_index.get(from_id) else {
                continue;
            };
            for t in &gtfs.stops[from_id].transfers {
                let Some(&to) = net.stop_index.get(&t.to_stop_id) else {
                    continue;
                };
                if from == to {
                    continue;
                }
                let secs = t.min_transfer_time.map(|s| s as f32).unwrap_or_else(|| {
                    walking_transfer_secs(
                        net.stops[from as usize].lonlat,
                        net.stops[to as usize].lonlat,
                    )
                });
                net.transfers.push(Transfer {
                    from,
                    to,
                    secs,
                    scenario: None,
                });
            }
        }
        Ok(net)
    }

    fn push_stop(&mut self, stop: TransitStop) -> u32 {
        let i = self.stops.len() as u32;
        self.stop_index.insert(stop.id.clone(), i);
        self.stops.push(stop);
        i
    }

    pub fn stop_by_id(&self, id: &str) -> Option<u32> {
        self.stop_index.get(id).copied()
    }

    pub fn scenario_index(&self, id: &str) -> Option<usize> {
        self.scenarios.iter().position(|s| s.id == id)
    }

    /// Adds a scenario's stops and links as tagged elements of the network.
    pub fn add_scenario(&mut self, scenario: Scenario) -> Result<(), TransitError> {
        let si = self.scenarios.len();
        for s in &scenario.stops {
            if self.stop_index.contains_key(&s.id) {
                return Err(ScenarioError::Invalid {
                    path: scenario.path.clone(),
                    item: format!("stop {}", s.id),
                    message: "a stop with this id already exists".into(),
                }
                .into());
            }
            self.push_stop(TransitStop {
                id: s.id.clone(),
                name: s.name.clone(),
                name_en: s.name_en.clone(),
                lonlat: [s.lon, s.lat],
                scenario: Some(si),
            });
        }
        for link in &scenario.links {
            let mut stops = Vec::with_capacity(link.stops.len());
            for id in &link.stops {
                let Some(i) = self.stop_index.get(id).copied() else {
                    return Err(ScenarioError::Invalid {
                        path: scenario.path.clone(),
                        item: format!("link {}", link.id),
                        message: format!("unknown stop '{id}'"),
                    }
                    .into());
                };
                stops.push(i);
            }
            let route = self.routes.len();
            self.routes.push(TransitRoute {
                id: format!("{}:{}", scenario.id, link.id),
                // The English name reads as the line's name; the Chinese one is in the scenario file.
                short_name: String::new(),
                long_name: if link.name_en.is_empty() {
                    link.name_zh.clone()
                } else {
                    link.name_en.clone()
                },
                color: link.color.clone(),
                kind: RouteKind::from_gtfs(link.route_type),
                scenario: Some(si),
            });
            let positions: Vec<[f64; 2]> = stops
                .iter()
                .map(|&i| self.stops[i as usize].lonlat)
                .collect();
            let forward = link.run_times_s(&positions);
            let headway_s = (link.headway_min * 60.0) as f32;
            self.patterns.push(Pattern {
                route,
                stops: stops.clone(),
                arrive_s: forward.clone(),
                headway_s,
                scenario: Some(si),
            });
            let total = *forward.last().unwrap_or(&0.0);
            let mut back_stops = stops;
            back_stops.reverse();
            let back: Vec<f32> = forward.iter().rev().map(|t| total - t).collect();
            self.patterns.push(Pattern {
                route,
                stops: back_stops,
                arrive_s: back,
                headway_s,
                scenario: Some(si),
            });
        }
        for t in &scenario.transfers {
            let (Some(a), Some(b)) = (self.stop_by_id(&t.from), self.stop_by_id(&t.to)) else {
                return Err(ScenarioError::Invalid {
                    path: scenario.path.clone(),
                    item: format!("transfer {} → {}", t.from, t.to),
                    message: "unknown stop".into(),
                }
                .into());
            };
            for (from, to) in [(a, b), (b, a)] {
                self.transfers.push(Transfer {
                    from,
                    to,
                    secs: t.secs,
                    scenario: Some(si),
                });
            }
        }
        self.scenarios.push(scenario);
        Ok(())
    }

    // The implicit `existing` scenario was inserted at index 0: shift every scenario tag.
    fn renumber_after_insert_front(&mut self) {
        for s in &mut self.stops {
            if let Some(i) = &mut s.scenario {
                *i += 1;
            }
        }
        for r in &mut self.routes {
            if let Some(i) = &mut r.scenario {
                *i += 1;
            }
        }
        for p in &mut self.patterns {
            if let Some(i) = &mut p.scenario {
                *i += 1;
            }
        }
        for t in &mut self.transfers {
            if let Some(i) = &mut t.scenario {
                *i += 1;
            }
        }
    }

    /// Whether an element tagged `tag` is part of scenario `scenario`.
    pub fn active(tag: Option<usize>, scenario: usize) -> bool {
        tag.is_none_or(|t| t == scenario)
    }

    /// (lon, lat) bounding box of every stop, or `None` for an empty network.
    pub fn extent(&self) -> Option<[f64; 4]> {
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for s in &self.stops {
            b = [
                b[0].min(s.lonlat[0]),
                b[1].min(s.lonlat[1]),
                b[2].max(s.lonlat[0]),
                b[3].max(s.lonlat[1]),
            ];
        }
        b[0].is_finite().then_some(b)
    }
}

/// Walking time between two stops without a stated transfer time: crow-fly × 1.3 at 4.8 km/h
/// plus a minute for stairs and platforms.
pub fn walking_transfer_secs(a: [f64; 2], b: [f64; 2]) -> f32 {
    (haversine_m(a, b) * 1.3 / (4.8 / 3.6) + 60.0) as f32
}

fn route_type_code(t: gtfs_structures::RouteType) -> i32 {
    use gtfs_structures::RouteType;
    match t {
        RouteType::Tramway => 0,
        RouteType::Subway => 1,
        RouteType::Rail => 2,
        RouteType::Bus => 3,
        RouteType::Ferry => 4,
        RouteType::CableCar => 5,
        RouteType::Gondola => 6,
        RouteType::Funicular => 7,
        RouteType::Extended(e) => e as i16 as i32,
        RouteType::Other(c) => c as i32,
    }
}

/// Fills missing intermediate stop times by distance between the nearest timed stops.
fn interpolate_times(
    stops: &[u32],
    times: &[Option<u32>],
    all: &[TransitStop],
) -> Option<Vec<f64>> {
    let n = times.len();
    let first = times.first().copied().flatten()?;
    let last = times.last().copied().flatten()?;
    if last < first {
        return None;
    }
    let mut out = vec![0.0f64; n];
    let mut prev_i = 0usize;
    out[0] = first as f64;
    for i in 1..n {
        if let Some(t) = times[i] {
            let t0 = out[prev_i];
            if (t as f64) < t0 {
                return None;
            }
            // Spread the gap over the untimed stops in proportion to distance.
            let dists: Vec<f64> = (prev_i..i)
                .map(|k| {
                    haversine_m(
                        all[stops[k] as usize].lonlat,
                        all[stops[k + 1] as usize].lonlat,
                    )
                })
                .collect();
            let total: f64 = dists.iter().sum();
            let mut acc = 0.0;
            for (k, d) in dists.iter().enumerate().take(i - prev_i - 1) {
                acc += d;
                let frac = if total > 0.0 {
                    acc / total
                } else {
                    (k + 1) as f64 / (i - prev_i) as f64
                };
                out[prev_i + k + 1] = t0 + frac * (t as f64 - t0);
            }
            out[i] = t as f64;
            prev_i = i;
        }
    }
    Some(out)
}

/// Trips of one pattern: their run times (averaged) and how often they run.
#[derive(Default)]
struct PatternAcc {
    arrive_sum: Vec<f64>,
    trips: usize,
    /// Vehicles per second from frequencies.txt entries.
    freq_rate: f64,
    /// Departures of timetabled trips inside the service window.
    timetabled_in_window: usize,
}

impl PatternAcc {
    fn add(&mut self, arrive_s: Vec<f32>, trip: &gtfs_structures::Trip, start: u32) {
        if self.arrive_sum.is_empty() {
            self.arrive_sum = vec![0.0; arrive_s.len()];
        }
        for (s, a) in self.arrive_sum.iter_mut().zip(&arrive_s) {
            *s += *a as f64;
        }
        self.trips += 1;
        if trip.frequencies.is_empty() {
            if (SERVICE_WINDOW_S.0..SERVICE_WINDOW_S.1).contains(&start) {
                self.timetabled_in_window += 1;
            }
        } else {
            // The densest window of each frequency-based trip stands for its daytime service.
            let best = trip
                .frequencies
                .iter()
                .filter(|f| f.headway_secs > 0)
                .map(|f| 1.0 / f.headway_secs as f64)
                .fold(0.0, f64::max);
            self.freq_rate += best;
        }
    }

    fn mean_arrive(&self) -> Vec<f32> {
        self.arrive_sum
            .iter()
            .map(|s| (s / self.trips as f64) as f32)
            .collect()
    }

    fn headway(&self) -> Option<f32> {
        let window = (SERVICE_WINDOW_S.1 - SERVICE_WINDOW_S.0) as f64;
        let rate = self.freq_rate + self.timetabled_in_window as f64 / window;
        (rate > 0.0).then(|| (1.0 / rate) as f32)
    }
}

fn read_gtfs(dir: &Path) -> Result<gtfs_structures::Gtfs, TransitError> {
    let err = |message: String| TransitError::Gtfs {
        path: dir.display().to_string(),
        message,
    };
    // gtfs-structures overflows (and panics in debug builds) on times such as 99999999:00:00;
    // a broken feed must be an error, not a crash.
    match std::panic::catch_unwind(|| gtfs_structures::Gtfs::from_path(dir)) {
        Ok(r) => r.map_err(|e| err(e.to_string())),
        Err(_) => Err(err(
            "the feed could not be read (a time or number out of range?)".into(),
        )),
    }
}

/// gtfs-structures reads folders and zip files, so the embedded feed is staged in a temporary
/// folder named after its content (so concurrent processes never see a half-written copy).
fn read_embedded_gtfs(source: &DataSource) -> Result<gtfs_structures::Gtfs, TransitError> {
    let names = source.list("gtfs")?;
    let mut files = Vec::with_capacity(names.len());
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for name in &names {
        let text = source.read_to_string(name)?;
        for b in name.bytes().chain(text.bytes()) {
            hash = (hash ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        files.push((name.clone(), text));
    }
    let dir = std::env::temp_dir().join(format!("cityreach-gtfs-{hash:016x}"));
    let staging_err = |source| TransitError::Staging {
        path: dir.display().to_string(),
        source,
    };
    if !dir.join(".complete").exists() {
        let tmp = std::env::temp_dir().join(format!(
            "cityreach-gtfs-{hash:016x}.{}.tmp",
            std::process::id()
        ));
        std::fs::create_dir_all(&tmp).map_err(staging_err)?;
        for (name, text) in &files {
            let file = Path::new(name).file_name().unwrap_or_default();
            std::fs::write(tmp.join(file), text).map_err(staging_err)?;
        }
        std::fs::write(tmp.join(".complete"), b"").map_err(staging_err)?;
        if std::fs::rename(&tmp, &dir).is_err() {
            // Another process staged it first; ours is not needed.
            let _ = std::fs::remove_dir_all(&tmp);
        }
    }
    read_gtfs(&dir)
}
