//! The feeds' trips compiled for one service day, in compact arrays for a RAPTOR search.
//!
//! Times are whole seconds after midnight of the service day (`i32`). A day's timetable holds
//! the trips whose service runs that day (`calendar.txt`, then `calendar_dates.txt`
//! exceptions), the previous day's trips still running after midnight (times past 24:00 shifted
//! back a day), and the next day's trips leaving before 12:00 (shifted forward), so a search
//! late in the evening continues past midnight.
//!
//! `frequencies.txt`: an `exact_times=1` entry becomes one trip per headway from its start time
//! (start, start + headway, … before the end time), each with the template trip's run times. An
//! `exact_times=0` entry (frequency-based service, no published schedule) is expanded the same
//! way after a phase: departures at start + phase, start + phase + headway, …, with the phase
//! in `[0, headway)` taken from [`TimetableParams::phases`] (0 when absent). The template
//! trip itself does not run separately.
//!
//! On a scenario other than `existing` ([`TimetableParams::scenario`]), the feeds' trips run
//! only on the patterns the scenario leaves untouched (a base pattern, tagged `None`); every
//! pattern of the scenario's own (an added line, or a base pattern the modifications removed
//! stops from, sped up or ran at another headway) runs as frequency-based service: one trip
//! per headway over its route's service span in the feeds (06:00–23:00 for a new line), with
//! the pattern's run times, after a phase from [`TimetableParams::pattern_phases`] (0 when
//! absent). Removed routes and hidden patterns run no trips.
//!
//! Trips with the same stop sequence form a pattern; a pattern whose trips would overtake one
//! another is split so each pattern's trips are in the same order at every stop (what lets the
//! search find the first catchable trip by binary search).

use super::gtfs::{Feed, GtfsDate};
use super::transit::{walking_transfer_secs, TransitNetwork};
use crate::geodesy::haversine_m;
use std::collections::{HashMap, HashSet};

/// No time: a stop not reached.
pub const UNREACHED: i32 = i32::MAX;

/// The `feed` of a trip generated from a scenario's pattern.
pub const SCENARIO_FEED: u32 = u32::MAX;

/// Service span of a scenario line whose route has no trips in the feeds (06:00–23:00).
pub const SCENARIO_SPAN_S: (u32, u32) = (6 * 3600, 23 * 3600);

const DAY_S: i32 = 24 * 3600;
/// Next-day trips are kept when they leave before this time of the next day.
const NEXT_DAY_UNTIL_S: i32 = 12 * 3600;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TimetableError {
    #[error("'{0}' is not a date YYYY-MM-DD or YYYYMMDD")]
    BadDate(String),
    #[error("'{0}' is not a departure YYYY-MM-DDTHH:MM (local time of the feed)")]
    BadDeparture(String),
    #[error("the network has no timetabled feed")]
    NoFeeds,
    #[error(
        "{date} is outside the feeds' calendar: service runs from {first} to {last}",
        date = show_date(*.date),
        first = show_date(*.first),
        last = show_date(*.last)
    )]
    OutsideCalendar {
        date: GtfsDate,
        first: GtfsDate,
        last: GtfsDate,
    },
}

/// How the timetable is compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct TimetableParams {
    /// Stops at most this far apart (crow-fly) are linked by a walking transfer.
    pub walk_radius_m: f64,
    /// Phase in seconds of each `exact_times=0` entry, by (feed, index in `frequencies`);
    /// entries not listed start at their start time.
    pub phases: HashMap<(usize, usize), u32>,
    /// The scenario (index into `TransitNetwork::scenarios`) whose service runs; 0 is
    /// `existing`, the feeds' own trips.
    pub scenario: usize,
    /// Phase in seconds of each scenario pattern run as frequency-based service, by index
    /// into `TransitNetwork::patterns`; patterns not listed start at their span's start.
    pub pattern_phases: HashMap<usize, u32>,
}

impl Default for TimetableParams {
    fn default() -> Self {
        TimetableParams {
            walk_radius_m: 400.0,
            phases: HashMap::new(),
            scenario: 0,
            pattern_phases: HashMap::new(),
        }
    }
}

/// Where a trip of the timetable comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TripSource {
    /// Index into `TransitNetwork::feeds`; [`SCENARIO_FEED`] for a scenario pattern's trip.
    pub feed: u32,
    /// Index into the feed's `trips` (into `TransitNetwork::patterns` for a scenario's trip).
    pub trip: u32,
    /// -1, 0 or 1: the service day the trip belongs to, relative to the timetable's day.
    pub day: i8,
    /// Seconds added to the feed's times (frequency expansion and day shift).
    pub shift_s: i32,
}

/// One service day's trips, patterns, transfers and walking links.
#[derive(Debug, Clone)]
pub struct Timetable {
    pub date: GtfsDate,
    stop_count: usize,
    pattern_stop_start: Vec<u32>,
    pattern_stops: Vec<u32>,
    pattern_trip_start: Vec<u32>,
    /// Per trip: offset into `times`; trips of a pattern are consecutive.
    trip_time_start: Vec<u32>,
    /// (arrival, departure) per trip and position.
    times: Vec<[i32; 2]>,
    trip_route: Vec<u32>,
    trip_source: Vec<TripSource>,
    stop_pattern_start: Vec<u32>,
    /// (pattern, position in it) per stop.
    stop_patterns: Vec<(u32, u32)>,
    /// Minimum time to change vehicles at the same stop (`transfers.txt`, from = to).
    min_change_s: Vec<i32>,
    footpath_start: Vec<u32>,
    /// (to stop, seconds) per stop.
    footpaths: Vec<(u32, i32)>,
}

/// The default-parameter timetables of the last few (scenario, service day) pairs asked for,
/// shared between requests: compiling a day costs far more than a search on it, and most
/// queries fall on one or two days.
#[derive(Debug, Default)]
pub struct TimetableCache {
    /// Scenario index and timetable, most recently used first, at most
    /// [`TimetableCache::DAYS`].
    days: std::sync::Mutex<Vec<(usize, std::sync::Arc<Timetable>)>>,
}

impl TimetableCache {
    /// Days kept.
    pub const DAYS: usize = 4;

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(usize, std::sync::Arc<Timetable>)>> {
        // A panic elsewhere while holding the lock leaves the list itself intact.
        self.days.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The timetable of `date` on `scenario` compiled from `net` with the default parameters,
    /// from the cache when compiled before. The cache must only ever be used with the one
    /// network.
    pub fn day(
        &self,
        net: &TransitNetwork,
        scenario: usize,
        date: GtfsDate,
    ) -> Result<std::sync::Arc<Timetable>, TimetableError> {
        let hit = |d: &(usize, std::sync::Arc<Timetable>)| d.0 == scenario && d.1.date == date;
        {
            let mut days = self.lock();
            if let Some(i) = days.iter().position(hit) {
                let entry = days.remove(i);
                let tt = entry.1.clone();
                days.insert(0, entry);
                return Ok(tt);
            }
        }
        // Compiled without the lock held: another request may compile the same day meanwhile,
        // which costs time but not correctness.
        let params = TimetableParams {
            scenario,
            ..TimetableParams::default()
        };
        let tt = std::sync::Arc::new(Timetable::build(net, date, &params)?);
        let mut days = self.lock();
        if !days.iter().any(hit) {
            days.insert(0, (scenario, tt.clone()));
            days.truncate(Self::DAYS);
        }
        Ok(tt)
    }
}

/// A trip before grouping into patterns.
struct RawTrip {
    stops: Vec<u32>,
    times: Vec<[i32; 2]>,
    route: u32,
    source: TripSource,
}

impl Timetable {
    /// Compiles the network's feeds for the service day `date`.
    pub fn build(
        net: &TransitNetwork,
        date: GtfsDate,
        params: &TimetableParams,
    ) -> Result<Timetable, TimetableError> {
        let (first, last) = calendar_range(&net.feeds).ok_or(TimetableError::NoFeeds)?;
        if date < first || date > last {
            return Err(TimetableError::OutsideCalendar { date, first, last });
        }
        let route_index: HashMap<&str, u32> = net
            .routes
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i as u32))
            .collect();
        let scenario = params.scenario;
        // On a scenario, feed trips run only on the base patterns it leaves as they are.
        let untouched: Option<HashSet<(u32, &[u32])>> = (scenario != 0).then(|| {
            net.patterns
                .iter()
                .filter(|p| p.scenario.is_none())
                .map(|p| (p.route as u32, p.stops.as_slice()))
                .collect()
        });
        let mut span: HashMap<u32, (u32, u32)> = HashMap::new();
        let mut raw: Vec<RawTrip> = Vec::new();
        for (fi, feed) in net.feeds.iter().enumerate() {
            let stop_map: Vec<Option<u32>> =
                feed.stops.iter().map(|s| net.stop_by_id(&s.id)).collect();
            let mut freqs: Vec<Vec<usize>> = vec![Vec::new(); feed.trips.len()];
            for (k, f) in feed.frequencies.iter().enumerate() {
                freqs[f.trip as usize].push(k);
            }
            for day in [-1i8, 0, 1] {
                let active = active_services(feed, add_days(date, day as i64));
                let day_shift = day as i32 * DAY_S;
                for (ti, trip) in feed.trips.iter().enumerate() {
                    if trip.stop_times.len() < 2 || !active.contains(trip.service_id.as_str()) {
                        continue;
                    }
                    let Some(stops) = trip
                        .stop_times
                        .iter()
                        .map(|st| stop_map[st.stop as usize])
                        .collect::<Option<Vec<u32>>>()
                    else {
                        continue;
                    };
                    let Some(&route) =
                        route_index.get(feed.routes[trip.route as usize].id.as_str())
                    else {
                        continue;
                    };
                    let template_start = trip.stop_times[0].departure_s as i32;
                    if day == 0 {
                        let (lo, hi) = if freqs[ti].is_empty() {
                            (template_start as u32, template_start as u32 + 1)
                        } else {
                            freqs[ti].iter().fold((u32::MAX, 0), |(lo, hi), &k| {
                                let f = &feed.frequencies[k];
                                (lo.min(f.start_s), hi.max(f.end_s))
                            })
                        };
                        let e = span.entry(route).or_insert((lo, hi));
                        *e = (e.0.min(lo), e.1.max(hi));
                    }
                    if let Some(u) = &untouched {
                        if !u.contains(&(route, stops.as_slice())) {
                            continue;
                        }
                    }
                    let mut shifts = Vec::new();
                    if freqs[ti].is_empty() {
                        shifts.push(0);
                    }
                    for &k in &freqs[ti] {
                        let f = &feed.frequencies[k];
                        if f.headway_s == 0 {
                            continue;
                        }
                        let phase = if f.exact_times {
                            0
                        } else {
                            params.phases.get(&(fi, k)).copied().unwrap_or(0) % f.headway_s
                        };
                        let mut start = f.start_s + phase;
                        while start < f.end_s {
                            shifts.push(start as i32 - template_start);
                            start += f.headway_s;
                        }
                    }
                    for shift in shifts {
                        let total = shift + day_shift;
                        let times: Vec<[i32; 2]> = trip
                            .stop_times
                            .iter()
                            .map(|st| [st.arrival_s as i32 + total, st.departure_s as i32 + total])
                            .collect();
                        let keep = match day {
                            -1 => times[times.len() - 1][0] >= 0,
                            1 => times[0][1] < DAY_S + NEXT_DAY_UNTIL_S,
                            _ => true,
                        };
                        if keep {
                            raw.push(RawTrip {
                                stops: stops.clone(),
                                times,
                                route,
                                source: TripSource {
                                    feed: fi as u32,
                                    trip: ti as u32,
                                    day,
                                    shift_s: total,
                                },
                            });
                        }
                    }
                }
            }
        }

        if scenario != 0 {
            for (pi, p) in net.patterns.iter().enumerate() {
                if p.scenario != Some(scenario) || p.stops.len() < 2 || p.headway_s <= 0.0 {
                    continue;
                }
                let headway = (p.headway_s.round() as u32).max(1);
                let (lo, hi) = span
                    .get(&(p.route as u32))
                    .copied()
                    .unwrap_or(SCENARIO_SPAN_S);
                let phase = params.pattern_phases.get(&pi).copied().unwrap_or(0) % headway;
                for day in [-1i8, 0, 1] {
                    let mut start = lo + phase;
                    while start < hi {
                        let t0 = start as i32 + day as i32 * DAY_S;
                        let times: Vec<[i32; 2]> = p
                            .arrive_s
                            .iter()
                            .map(|&a| {
                                let t = t0 + a.round() as i32;
                                [t, t]
                            })
                            .collect();
                        let keep = match day {
                            -1 => times[times.len() - 1][0] >= 0,
                            1 => times[0][1] < DAY_S + NEXT_DAY_UNTIL_S,
                            _ => true,
                        };
                        if keep {
                            raw.push(RawTrip {
                                stops: p.stops.clone(),
                                times,
                                route: p.route as u32,
                                source: TripSource {
                                    feed: SCENARIO_FEED,
                                    trip: pi as u32,
                                    day,
                                    shift_s: t0,
                                },
                            });
                        }
                        start += headway;
                    }
                }
            }
        }

        let mut tt = Timetable {
            date,
            stop_count: net.stops.len(),
            pattern_stop_start: vec![0],
            pattern_stops: Vec::new(),
            pattern_trip_start: vec![0],
            trip_time_start: Vec::new(),
            times: Vec::new(),
            trip_route: Vec::new(),
            trip_source: Vec::new(),
            stop_pattern_start: Vec::new(),
            stop_patterns: Vec::new(),
            min_change_s: vec![0; net.stops.len()],
            footpath_start: Vec::new(),
            footpaths: Vec::new(),
        };

        // Patterns: trips grouped by stop sequence, in departure order, split where they overtake.
        let mut groups: HashMap<&[u32], Vec<usize>> = HashMap::new();
        for (i, t) in raw.iter().enumerate() {
            groups.entry(t.stops.as_slice()).or_default().push(i);
        }
        let mut keys: Vec<&[u32]> = groups.keys().copied().collect();
        keys.sort();
        for key in keys {
            let mut members = groups[key].clone();
            members.sort_by(|&a, &b| {
                raw[a]
                    .times
                    .cmp(&raw[b].times)
                    .then(raw[a].source.feed.cmp(&raw[b].source.feed))
                    .then(raw[a].source.trip.cmp(&raw[b].source.trip))
            });
            let mut splits: Vec<Vec<usize>> = Vec::new();
            for m in members {
                let fits = |s: &Vec<usize>| {
                    let last = &raw[*s.last().unwrap_or(&m)].times;
                    last.iter()
                        .zip(&raw[m].times)
                        .all(|(a, b)| a[0] <= b[0] && a[1] <= b[1])
                };
                match splits.iter_mut().find(|s| fits(s)) {
                    Some(s) => s.push(m),
                    None => splits.push(vec![m]),
                }
            }
            for split in splits {
                tt.pattern_stops.extend_from_slice(key);
                tt.pattern_stop_start.push(tt.pattern_stops.len() as u32);
                for m in split {
                    let t = &raw[m];
                    tt.trip_time_start.push(tt.times.len() as u32);
                    tt.times.extend_from_slice(&t.times);
                    tt.trip_route.push(t.route);
                    tt.trip_source.push(t.source);
                }
                tt.pattern_trip_start.push(tt.trip_route.len() as u32);
            }
        }

        let mut at_stop: Vec<Vec<(u32, u32)>> = vec![Vec::new(); tt.stop_count];
        for p in 0..tt.pattern_count() {
            for (pos, &s) in tt.pattern_stops(p).iter().enumerate() {
                at_stop[s as usize].push((p as u32, pos as u32));
            }
        }
        (tt.stop_pattern_start, tt.stop_patterns) = csr(at_stop);

        // transfers.txt: a minimum time at the same stop; between stops, a walking link.
        let mut links: Vec<Vec<(u32, i32)>> = vec![Vec::new(); tt.stop_count];
        for feed in &net.feeds {
            for t in &feed.transfers {
                let (Some(from), Some(to)) = (
                    net.stop_by_id(&feed.stops[t.from as usize].id),
                    net.stop_by_id(&feed.stops[t.to as usize].id),
                ) else {
                    continue;
                };
                if from == to && t.transfer_type == 2 {
                    let s = t.min_transfer_s.unwrap_or(0) as i32;
                    let m = &mut tt.min_change_s[from as usize];
                    *m = (*m).max(s);
                }
            }
        }
        let mut explicit: HashSet<(u32, u32)> = HashSet::new();
        for t in net
            .transfers
            .iter()
            .filter(|t| TransitNetwork::active(t.scenario, scenario))
        {
            if explicit.insert((t.from, t.to)) {
                links[t.from as usize].push((t.to, t.secs.ceil() as i32));
            }
        }
        for (a, b) in nearby_pairs(net, params.walk_radius_m, scenario) {
            if !explicit.contains(&(a, b)) {
                let secs = walking_transfer_secs(
                    net.stops[a as usize].lonlat,
                    net.stops[b as usize].lonlat,
                );
                links[a as usize].push((b, secs.ceil() as i32));
            }
        }
        for l in &mut links {
            l.sort();
        }
        (tt.footpath_start, tt.footpaths) = csr(links);
        Ok(tt)
    }

    pub fn stop_count(&self) -> usize {
        self.stop_count
    }

    pub fn pattern_count(&self) -> usize {
        self.pattern_trip_start.len() - 1
    }

    pub fn trip_count(&self) -> usize {
        self.trip_route.len()
    }

    /// The stops of pattern `p`, in order.
    pub fn pattern_stops(&self, p: usize) -> &[u32] {
        &self.pattern_stops
            [self.pattern_stop_start[p] as usize..self.pattern_stop_start[p + 1] as usize]
    }

    /// The trips of pattern `p`, in the same order at every stop.
    pub fn pattern_trips(&self, p: usize) -> std::ops::Range<usize> {
        self.pattern_trip_start[p] as usize..self.pattern_trip_start[p + 1] as usize
    }

    /// (arrival, departure) of trip `t` at each stop of its pattern.
    pub fn trip_times(&self, t: usize) -> &[[i32; 2]] {
        let start = self.trip_time_start[t] as usize;
        let end = self
            .trip_time_start
            .get(t + 1)
            .map_or(self.times.len(), |&e| e as usize);
        &self.times[start..end]
    }

    /// Index into `TransitNetwork::routes` of trip `t`.
    pub fn trip_route(&self, t: usize) -> usize {
        self.trip_route[t] as usize
    }

    pub fn trip_source(&self, t: usize) -> TripSource {
        self.trip_source[t]
    }

    /// (pattern, position) of every pattern serving stop `s`.
    pub fn patterns_at(&self, s: usize) -> &[(u32, u32)] {
        &self.stop_patterns
            [self.stop_pattern_start[s] as usize..self.stop_pattern_start[s + 1] as usize]
    }

    /// Walking links (to stop, seconds) from stop `s`.
    pub fn footpaths(&self, s: usize) -> &[(u32, i32)] {
        &self.footpaths[self.footpath_start[s] as usize..self.footpath_start[s + 1] as usize]
    }

    /// Minimum seconds between alighting and boarding another vehicle at stop `s`.
    pub fn min_change_s(&self, s: usize) -> i32 {
        self.min_change_s[s]
    }
}

fn csr<T>(lists: Vec<Vec<T>>) -> (Vec<u32>, Vec<T>) {
    let mut start = Vec::with_capacity(lists.len() + 1);
    let mut flat = Vec::new();
    start.push(0);
    for l in lists {
        flat.extend(l);
        start.push(flat.len() as u32);
    }
    (start, flat)
}

/// Ordered pairs of distinct stops of `scenario` at most `radius_m` apart.
fn nearby_pairs(net: &TransitNetwork, radius_m: f64, scenario: usize) -> Vec<(u32, u32)> {
    let mut pairs = Vec::new();
    if radius_m <= 0.0 {
        return pairs;
    }
    let stops: Vec<u32> = (0..net.stops.len() as u32)
        .filter(|&i| TransitNetwork::active(net.stops[i as usize].scenario, scenario))
        .collect();
    let max_lat = stops
        .iter()
        .map(|&i| net.stops[i as usize].lonlat[1].abs())
        .fold(0.0, f64::max)
        .min(89.0);
    // Cells at least `radius_m` wide everywhere, so neighbours are in the 3 × 3 block around.
    let dlat = radius_m / 111_000.0;
    let dlon = dlat / max_lat.to_radians().cos();
    let cell = |p: [f64; 2]| ((p[0] / dlon).floor() as i64, (p[1] / dlat).floor() as i64);
    let mut grid: HashMap<(i64, i64), Vec<u32>> = HashMap::new();
    for &i in &stops {
        grid.entry(cell(net.stops[i as usize].lonlat))
            .or_default()
            .push(i);
    }
    for &a in &stops {
        let pa = net.stops[a as usize].lonlat;
        let (cx, cy) = cell(pa);
        for dx in -1..=1 {
            for dy in -1..=1 {
                for &b in grid.get(&(cx + dx, cy + dy)).into_iter().flatten() {
                    if a != b && haversine_m(pa, net.stops[b as usize].lonlat) <= radius_m {
                        pairs.push((a, b));
                    }
                }
            }
        }
    }
    pairs.sort();
    pairs
}

/// The service ids running on `date`: calendar.txt by weekday and date range, then
/// calendar_dates.txt additions and removals.
pub fn active_services(feed: &Feed, date: GtfsDate) -> HashSet<&str> {
    let wd = weekday(date);
    let mut on: HashSet<&str> = feed
        .calendar
        .iter()
        .filter(|c| c.start_date <= date && date <= c.end_date && c.days[wd])
        .map(|c| c.service_id.as_str())
        .collect();
    for cd in feed.calendar_dates.iter().filter(|cd| cd.date == date) {
        if cd.added {
            on.insert(cd.service_id.as_str());
        } else {
            on.remove(cd.service_id.as_str());
        }
    }
    on
}

/// The first and last dates any of the feeds has service defined for.
pub fn calendar_range(feeds: &[Feed]) -> Option<(GtfsDate, GtfsDate)> {
    let dates = feeds.iter().flat_map(|f| {
        f.calendar
            .iter()
            .flat_map(|c| [c.start_date, c.end_date])
            .chain(f.calendar_dates.iter().filter(|d| d.added).map(|d| d.date))
    });
    dates.fold(None, |acc, d| match acc {
        None => Some((d, d)),
        Some((a, b)) => Some((a.min(d), b.max(d))),
    })
}

/// `2019-05-13` or `20190513` as a date, checked against the calendar.
pub fn parse_date(text: &str) -> Result<GtfsDate, TimetableError> {
    let bad = || TimetableError::BadDate(text.to_string());
    let t = text.trim().as_bytes();
    let digits: String = match t.len() {
        8 => text.trim().to_string(),
        10 if t[4] == b'-' && t[7] == b'-' => text.trim().replace('-', ""),
        _ => return Err(bad()),
    };
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: u32 = digits.parse().map_err(|_| bad())?;
    // A real day of a real month: it survives the round trip through the day count.
    if add_days(n, 0) != n || n / 10000 < 1900 {
        return Err(bad());
    }
    Ok(n)
}

/// A departure `2019-05-13T14:00` (or `T14:00:30`, or a space for `T`): the service day and
/// seconds after its midnight, in the feed's own local time.
pub fn parse_departure(text: &str) -> Result<(GtfsDate, i32), TimetableError> {
    let bad = || TimetableError::BadDeparture(text.to_string());
    let t = text.trim();
    let (day, clock) = t.split_once(['T', ' ']).ok_or_else(bad)?;
    let date = parse_date(day).map_err(|_| bad())?;
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let n: Vec<i32> = parts.iter().map(|p| p.parse().unwrap_or(99)).collect();
    let (h, m, sec) = (n[0], n[1], n.get(2).copied().unwrap_or(0));
    if h > 23 || m > 59 || sec > 59 {
        return Err(bad());
    }
    Ok((date, h * 3600 + m * 60 + sec))
}

/// `20190513` as `2019-05-13`.
pub fn show_date(d: GtfsDate) -> String {
    format!("{:04}-{:02}-{:02}", d / 10000, d / 100 % 100, d % 100)
}

/// Days since 1970-01-01 (proleptic Gregorian calendar).
pub fn day_number(d: GtfsDate) -> i64 {
    let (mut y, m, day) = ((d / 10000) as i64, (d / 100 % 100) as i64, (d % 100) as i64);
    if m <= 2 {
        y -= 1;
    }
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `n` days after 1970-01-01.
pub fn from_day_number(n: i64) -> GtfsDate {
    let z = n + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y * 10000 + m * 100 + day) as GtfsDate
}

pub fn add_days(d: GtfsDate, days: i64) -> GtfsDate {
    from_day_number(day_number(d) + days)
}

/// 0 for Monday … 6 for Sunday.
pub fn weekday(d: GtfsDate) -> usize {
    // 1970-01-01 was a Thursday.
    (day_number(d) + 3).rem_euclid(7) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_count_days_across_months_years_and_leap_days() {
        assert_eq!(day_number(19700101), 0);
        assert_eq!(day_number(20000301) - day_number(20000228), 2);
        assert_eq!(day_number(19000301) - day_number(19000228), 1);
        assert_eq!(add_days(20190513, -1), 20190512);
        assert_eq!(add_days(20191231, 1), 20200101);
        assert_eq!(add_days(20200301, -1), 20200229);
        assert_eq!(weekday(20190513), 0); // a Monday
        assert_eq!(weekday(20190519), 6);
        for n in [-100_000, -1, 0, 17_999, 18_000, 2_900_000] {
            assert_eq!(day_number(from_day_number(n)), n);
        }
    }

    #[test]
    fn dates_parse_with_or_without_dashes_and_must_exist() {
        assert_eq!(parse_date("2019-05-13"), Ok(20190513));
        assert_eq!(parse_date("20190513"), Ok(20190513));
        for bad in [
            "2019-02-30",
            "2019-13-01",
            "2019-5-13",
            "13/05/2019",
            "",
            "2019051",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_departure("2019-05-13T14:00"),
            Ok((20190513, 14 * 3600))
        );
        assert_eq!(
            parse_departure(" 2019-05-13 07:05:30 "),
            Ok((20190513, 7 * 3600 + 5 * 60 + 30))
        );
        for bad in [
            "2019-05-13",
            "14:00",
            "2019-05-13T24:00",
            "2019-05-13T14:60",
            "2019-05-13T1:00",
            "2019-02-30T08:00",
            "2019-05-13T14:00:00:00",
            "2019-05-13T+4:00",
        ] {
            let e = parse_departure(bad).unwrap_err();
            assert!(e.to_string().contains(bad.trim()), "{e}");
        }
        let e = TimetableError::OutsideCalendar {
            date: 20200101,
            first: 20190415,
            last: 20190715,
        };
        assert_eq!(
            e.to_string(),
            "2020-01-01 is outside the feeds' calendar: service runs from 2019-04-15 to 2019-07-15"
        );
    }
}
