//! Transit: a GTFS feed plus scenario overlays, compiled into compact arrays for the search.
//!
//! Service is modelled by frequency: a pattern (an ordered stop sequence of a route) has run
//! times between its stops and a headway. Feeds with `frequencies.txt` give the headway
//! directly; timetabled trips are counted over the day to give an average one. The feeds
//! themselves (trips, calendars, frequencies, transfers) are kept alongside.

use super::gtfs::{self, Feed, GtfsError};
use super::scenario::{Scenario, ScenarioError, ScenarioLink, ScenarioStop};
use crate::dataset::{DataSource, DataSourceError};
use crate::geodesy::haversine_m;
use std::collections::HashMap;

/// Service window over which timetabled trips are averaged into a headway (06:00–23:00).
const SERVICE_WINDOW_S: (u32, u32) = (6 * 3600, 23 * 3600);

#[derive(Debug, thiserror::Error)]
pub enum TransitError {
    #[error(transparent)]
    Gtfs(#[from] GtfsError),
    #[error(transparent)]
    Source(#[from] DataSourceError),
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
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
    /// The GTFS feeds as read, with their timetables (empty for a street-only city).
    pub feeds: Vec<Feed>,
    stop_index: HashMap<String, u32>,
}

/// A scenario link measured along its stops.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkTrack {
    /// Track length along the alignment (via points, or straight hops × track factor).
    pub km: f64,
    /// First stop to last, from distance, speed and dwell.
    pub run_minutes: f64,
}

impl TransitNetwork {
    /// Length and run time of a scenario link; `None` when a stop is unknown or there are
    /// fewer than two.
    pub fn link_track(&self, link: &ScenarioLink) -> Option<LinkTrack> {
        let pos: Vec<[f64; 2]> = link
            .stops
            .iter()
            .map(|id| {
                self.stop_by_id(id)
                    .and_then(|i| self.stops.get(i as usize))
                    .map(|s| s.lonlat)
            })
            .collect::<Option<_>>()?;
        if pos.len() < 2 {
            return None;
        }
        Some(LinkTrack {
            km: link.hop_lengths_m(&pos).iter().sum::<f64>() / 1000.0,
            run_minutes: link.run_times_s(&pos).last().copied().unwrap_or(0.0) as f64 / 60.0,
        })
    }

    /// A network with no stops and no service.
    pub fn empty() -> TransitNetwork {
        TransitNetwork {
            stops: Vec::new(),
            routes: Vec::new(),
            patterns: Vec::new(),
            transfers: Vec::new(),
            scenarios: Vec::new(),
            feeds: Vec::new(),
            stop_index: HashMap::new(),
        }
    }

    /// Compiles GTFS feeds (any city's; ids already distinct across feeds) into the network's
    /// arrays, and keeps the feeds.
    pub fn from_feeds(feeds: Vec<Feed>) -> TransitNetwork {
        let mut net = TransitNetwork::empty();
        let mut stops: Vec<&gtfs::Stop> = feeds.iter().flat_map(|f| &f.stops).collect();
        stops.sort_by(|a, b| a.id.cmp(&b.id));
        for s in stops {
            // Stations and entrances without coordinates cannot be reached on foot.
            let Some(lonlat) = s.lonlat else { continue };
            net.push_stop(TransitStop {
                id: s.id.clone(),
                name: s.name.clone(),
                name_en: s.tts_name.clone(),
                lonlat,
                scenario: None,
            });
        }

        let mut routes: Vec<&gtfs::Route> = feeds.iter().flat_map(|f| &f.routes).collect();
        routes.sort_by(|a, b| a.id.cmp(&b.id));
        let mut route_index = HashMap::new();
        for r in routes {
            route_index.insert(r.id.as_str(), net.routes.len());
            net.routes.push(TransitRoute {
                id: r.id.clone(),
                short_name: r.short_name.clone(),
                long_name: r.long_name.clone(),
                color: r.color.clone(),
                kind: RouteKind::from_gtfs(r.route_type),
                scenario: None,
            });
        }

        // Group trips by (route, stop sequence): each group is one pattern.
        let mut groups: HashMap<(usize, Vec<u32>), PatternAcc> = HashMap::new();
        for feed in &feeds {
            let mut headways: Vec<Vec<u32>> = vec![Vec::new(); feed.trips.len()];
            for f in &feed.frequencies {
                headways[f.trip as usize].push(f.headway_s);
            }
            let mut trips: Vec<(usize, &gtfs::Trip)> = feed.trips.iter().enumerate().collect();
            trips.sort_by(|a, b| a.1.id.cmp(&b.1.id));
            for (ti, trip) in trips {
                if trip.stop_times.len() < 2 {
                    continue;
                }
                let route = route_index[feed.routes[trip.route as usize].id.as_str()];
                // The loader refuses stop times at stops without coordinates, so every stop is here.
                let stops: Vec<u32> = trip
                    .stop_times
                    .iter()
                    .filter_map(|st| net.stop_index.get(&feed.stops[st.stop as usize].id))
                    .copied()
                    .collect();
                if stops.len() != trip.stop_times.len() {
                    continue;
                }
                let start = trip.stop_times[0].departure_s;
                let arrive_s: Vec<f32> = trip
                    .stop_times
                    .iter()
                    .map(|st| (st.arrival_s as f64 - start as f64) as f32)
                    .collect();
                let acc = groups.entry((route, stops)).or_default();
                acc.add(arrive_s, &headways[ti], start);
            }
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

        // Transfers in stop id order, each stop's in file order.
        let mut rules: Vec<(&str, &str, Option<u32>)> = Vec::new();
        for feed in &feeds {
            for t in &feed.transfers {
                // Type 3: no transfer is possible here.
                if t.transfer_type == 3 {
                    continue;
                }
                rules.push((
                    &feed.stops[t.from as usize].id,
                    &feed.stops[t.to as usize].id,
                    t.min_transfer_s,
                ));
            }
        }
        rules.sort_by(|a, b| a.0.cmp(b.0));
        for (from_id, to_id, min_s) in rules {
            let (Some(&from), Some(&to)) = (net.stop_index.get(from_id), net.stop_index.get(to_id))
            else {
                continue;
            };
            if from == to {
                continue;
            }
            let secs = min_s.map(|s| s as f32).unwrap_or_else(|| {
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
        net.feeds = feeds;
        net
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

    /// Adds a stop of scenario `si`.
    pub(crate) fn push_scenario_stop(&mut self, s: &ScenarioStop, si: usize) -> u32 {
        self.push_stop(TransitStop {
            id: s.id.clone(),
            name: s.name.clone(),
            name_en: s.name_en.clone(),
            lonlat: [s.lon, s.lat],
            scenario: Some(si),
        })
    }

    /// Adds a line of scenario `si` through `stops`: a route and a pattern each way.
    pub(crate) fn push_link(
        &mut self,
        si: usize,
        scenario_id: &str,
        link: &ScenarioLink,
        stops: Vec<u32>,
    ) {
        let route = self.routes.len();
        self.routes.push(TransitRoute {
            id: format!("{}:{}", scenario_id, link.id),
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

    /// Adds a walking link of scenario `si`, both ways.
    pub(crate) fn push_transfer_pair(&mut self, si: usize, a: u32, b: u32, secs: f32) {
        for (from, to) in [(a, b), (b, a)] {
            self.transfers.push(Transfer {
                from,
                to,
                secs,
                scenario: Some(si),
            });
        }
    }

    // The implicit `existing` scenario was inserted at index 0: shift every scenario tag.
    pub(crate) fn renumber_after_insert_front(&mut self) {
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
    fn add(&mut self, arrive_s: Vec<f32>, headways_s: &[u32], start: u32) {
        if self.arrive_sum.is_empty() {
            self.arrive_sum = vec![0.0; arrive_s.len()];
        }
        for (s, a) in self.arrive_sum.iter_mut().zip(&arrive_s) {
            *s += *a as f64;
        }
        self.trips += 1;
        if headways_s.is_empty() {
            if (SERVICE_WINDOW_S.0..SERVICE_WINDOW_S.1).contains(&start) {
                self.timetabled_in_window += 1;
            }
        } else {
            // The densest window of each frequency-based trip stands for its daytime service.
            let best = headways_s
                .iter()
                .filter(|&&h| h > 0)
                .map(|&h| 1.0 / h as f64)
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

/// The feeds of a data source: on disk, every feed in `gtfs/`; embedded, the one feed there.
pub fn load_feeds(source: &DataSource) -> Result<Vec<Feed>, TransitError> {
    match source {
        DataSource::Folder(dir) => Ok(gtfs::load_folder(&dir.join("gtfs"))?),
        DataSource::Embedded => {
            let mut files = HashMap::new();
            for name in source.list("gtfs")? {
                let base = name.rsplit('/').next().unwrap_or(&name).to_string();
                files.insert(base, source.read_to_string(&name)?.into_bytes());
            }
            let feed = gtfs::load_memory("gtfs", &source.label("gtfs"), files, None)?;
            Ok(vec![feed])
        }
    }
}
