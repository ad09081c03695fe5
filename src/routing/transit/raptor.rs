//! Earliest arrival on a service day's timetable: RAPTOR (round-based public transit routing,
//! Delling, Pajor and Werneck 2012), one round per ride.
//!
//! Labels per round k are "at most k rides": `ride[k][s]` the earliest arrival at stop s off a
//! vehicle, `walk[k][s]` the earliest arrival on foot after a ride (one walking link, not
//! chained), `ready[k][s]` the earliest time a traveller can board at s (off a vehicle plus the
//! stop's minimum change time, or on foot; round 0 holds the access times). Round k boards from
//! `ready[k-1]`.
//!
//! Labels are kept between runs until [`Raptor::reset`]: a run whose access times are each no
//! later than the previous run's reuses its labels as upper bounds (range-RAPTOR, one run per
//! departure minute from the last to the first).
//!
//! Over a window, travel times (arrival − departure minute) are pooled per stop into
//! nearest-rank percentiles. Frequency-based service (`exact_times=0`) has no schedule: each
//! draw gives every such entry a phase uniform in `[0, headway)` from a fixed seed (Monte Carlo,
//! as R5 does), and the window is searched once per draw.

use crate::network::timetable::{Timetable, TimetableError, TimetableParams, UNREACHED};
use crate::network::transit::TransitNetwork;
use std::collections::HashMap;

/// Limits of the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RaptorParams {
    /// The most vehicles one journey boards.
    pub max_rides: usize,
}

impl Default for RaptorParams {
    fn default() -> Self {
        RaptorParams { max_rides: 8 }
    }
}

/// A search over one timetable, with its labels and scratch space.
pub struct Raptor<'a> {
    tt: &'a Timetable,
    rounds: usize,
    ride: Vec<Vec<i32>>,
    walk: Vec<Vec<i32>>,
    ready: Vec<Vec<i32>>,
    marked: Vec<bool>,
    marked_list: Vec<u32>,
    improved: Vec<bool>,
    improved_list: Vec<u32>,
    /// Per pattern: the first position to scan this round (`u32::MAX` when not queued).
    pattern_from: Vec<u32>,
    pattern_list: Vec<u32>,
}

impl<'a> Raptor<'a> {
    pub fn new(tt: &'a Timetable, params: &RaptorParams) -> Raptor<'a> {
        let n = tt.stop_count();
        let rounds = params.max_rides;
        Raptor {
            tt,
            rounds,
            ride: vec![vec![UNREACHED; n]; rounds + 1],
            walk: vec![vec![UNREACHED; n]; rounds + 1],
            ready: vec![vec![UNREACHED; n]; rounds + 1],
            marked: vec![false; n],
            marked_list: Vec::new(),
            improved: vec![false; n],
            improved_list: Vec::new(),
            pattern_from: vec![u32::MAX; tt.pattern_count()],
            pattern_list: Vec::new(),
        }
    }

    /// Forgets every label: the next run is an independent search.
    pub fn reset(&mut self) {
        for labels in [&mut self.ride, &mut self.walk, &mut self.ready] {
            for round in labels.iter_mut() {
                round.fill(UNREACHED);
            }
        }
    }

    /// One search from `access` (stop, time the traveller is there), writing the earliest
    /// arrival at every stop into `out` (`UNREACHED` where none).
    pub fn run(&mut self, access: &[(u32, i32)], out: &mut Vec<i32>) {
        let n = self.tt.stop_count();
        out.clear();
        out.resize(n, UNREACHED);
        for &(s, t) in access {
            let s = s as usize;
            if s >= n {
                continue;
            }
            out[s] = out[s].min(t);
            if t < self.ready[0][s] {
                self.ready[0][s] = t;
                self.mark(s);
            }
        }
        for k in 1..=self.rounds {
            // At most k rides includes at most k − 1.
            for labels in [&mut self.ride, &mut self.walk, &mut self.ready] {
                let (before, after) = labels.split_at_mut(k);
                for (now, prev) in after[0].iter_mut().zip(&before[k - 1]) {
                    *now = (*now).min(*prev);
                }
            }
            if self.marked_list.is_empty() {
                continue;
            }
            self.queue_patterns();
            for qi in 0..self.pattern_list.len() {
                let p = self.pattern_list[qi] as usize;
                let from = std::mem::replace(&mut self.pattern_from[p], u32::MAX) as usize;
                self.scan_pattern(k, p, from);
            }
            self.pattern_list.clear();
            self.walk_after_rides(k);
        }
        let last = self.rounds;
        for ((o, r), w) in out.iter_mut().zip(&self.ride[last]).zip(&self.walk[last]) {
            *o = (*o).min(*r).min(*w);
        }
        for &s in &self.marked_list {
            self.marked[s as usize] = false;
        }
        self.marked_list.clear();
    }

    fn mark(&mut self, s: usize) {
        if !self.marked[s] {
            self.marked[s] = true;
            self.marked_list.push(s as u32);
        }
    }

    /// Every pattern through a marked stop, from its earliest marked position; clears the marks.
    fn queue_patterns(&mut self) {
        for &s in &self.marked_list {
            self.marked[s as usize] = false;
            for &(p, pos) in self.tt.patterns_at(s as usize) {
                let from = &mut self.pattern_from[p as usize];
                if *from == u32::MAX {
                    self.pattern_list.push(p);
                }
                *from = (*from).min(pos);
            }
        }
        self.marked_list.clear();
    }

    fn scan_pattern(&mut self, k: usize, p: usize, from: usize) {
        let tt = self.tt;
        let stops = tt.pattern_stops(p);
        let trips = tt.pattern_trips(p);
        let mut current: Option<usize> = None;
        for (i, &s) in stops.iter().enumerate().skip(from) {
            let s = s as usize;
            if let Some(t) = current {
                let arrive = tt.trip_times(t)[i][0];
                if arrive < self.ride[k][s] {
                    self.ride[k][s] = arrive;
                    if !self.improved[s] {
                        self.improved[s] = true;
                        self.improved_list.push(s as u32);
                    }
                }
            }
            let ready = self.ready[k - 1][s];
            if ready == UNREACHED {
                continue;
            }
            // Trips are in the same order at every stop: the first one leaving at or after
            // `ready` is found by bisection, among those before the current one.
            let end = match current {
                Some(t) if tt.trip_times(t)[i][1] < ready => continue,
                Some(t) => t,
                None => trips.end,
            };
            let (mut lo, mut hi) = (trips.start, end);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if tt.trip_times(mid)[i][1] < ready {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            let first = lo;
            if first < end {
                current = Some(first);
            }
        }
    }

    /// After round k's rides: the change time at the stop reached, and one walking link on.
    fn walk_after_rides(&mut self, k: usize) {
        let tt = self.tt;
        let list = std::mem::take(&mut self.improved_list);
        for &s in &list {
            let s = s as usize;
            self.improved[s] = false;
            let t = self.ride[k][s];
            let board = t + tt.min_change_s(s);
            if board < self.ready[k][s] {
                self.ready[k][s] = board;
                self.mark(s);
            }
            for &(u, w) in tt.footpaths(s) {
                let u = u as usize;
                let v = t + w;
                if v < self.walk[k][u] {
                    self.walk[k][u] = v;
                }
                if v < self.ready[k][u] {
                    self.ready[k][u] = v;
                    self.mark(u);
                }
            }
        }
        self.improved_list = list;
        self.improved_list.clear();
    }
}

/// One leg of a journey found by [`Raptor::journey`], with clock times in seconds after
/// midnight of the timetable's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JourneyLeg {
    /// Trip `trip` of the timetable from `from` (leaving `depart_s`) to `to` (arriving
    /// `arrive_s`), boarding and alighting at those positions of its pattern.
    Ride {
        trip: usize,
        board_pos: u32,
        alight_pos: u32,
        from: u32,
        to: u32,
        depart_s: i32,
        arrive_s: i32,
    },
    /// A walking link between stops.
    Walk {
        from: u32,
        to: u32,
        depart_s: i32,
        arrive_s: i32,
    },
}

impl Raptor<'_> {
    /// The legs of a journey arriving at `stop` at its earliest arrival, after one run from
    /// `access` since the last [`Raptor::reset`] (labels mixed over several departures do not
    /// describe one journey). Empty when `stop` is an access stop reached no later by access;
    /// `None` when it is not reached.
    pub fn journey(&self, access: &[(u32, i32)], stop: u32) -> Option<Vec<JourneyLeg>> {
        let s = stop as usize;
        let last = self.rounds;
        // Round 0 of `ready` holds the earliest access time at each stop after one run.
        let by_access = self.ready[0][s];
        debug_assert_eq!(
            by_access,
            access
                .iter()
                .filter(|a| a.0 == stop)
                .map(|a| a.1)
                .min()
                .unwrap_or(UNREACHED),
            "labels of a run from other access times"
        );
        let best = by_access.min(self.ride[last][s]).min(self.walk[last][s]);
        if best == UNREACHED {
            return None;
        }
        let mut legs = Vec::new();
        if by_access == best {
            return Some(legs);
        }
        if self.ride[last][s] == best {
            let k = self.first_round(&self.ride, s, best);
            self.ride_back(k, s, best, &mut legs)?;
        } else {
            let k = self.first_round(&self.walk, s, best);
            let (v, w) = self.walked_from(k, s, best)?;
            self.ride_back(k, v, best - w, &mut legs)?;
            legs.push(JourneyLeg::Walk {
                from: v as u32,
                to: stop,
                depart_s: best - w,
                arrive_s: best,
            });
        }
        Some(legs)
    }

    /// The first round whose label at `s` is `t` (cumulative labels only fall with rounds).
    fn first_round(&self, labels: &[Vec<i32>], s: usize, t: i32) -> usize {
        (0..labels.len()).find(|&k| labels[k][s] == t).unwrap_or(0)
    }

    /// A stop `v` whose round-k ride arrival plus a walking link to `u` is `t`.
    fn walked_from(&self, k: usize, u: usize, t: i32) -> Option<(usize, i32)> {
        (0..self.tt.stop_count()).find_map(|v| {
            let r = self.ride[k][v];
            (r != UNREACHED)
                .then(|| {
                    self.tt
                        .footpaths(v)
                        .iter()
                        .find(|&&(to, w)| to as usize == u && r + w == t)
                })
                .flatten()
                .map(|&(_, w)| (v, w))
        })
    }

    /// Appends the legs of the round-k ride arriving at `s` at `t`, and of what came before it.
    fn ride_back(&self, k: usize, s: usize, t: i32, legs: &mut Vec<JourneyLeg>) -> Option<()> {
        let tt = self.tt;
        for &(p, i) in tt.patterns_at(s) {
            let (p, i) = (p as usize, i as usize);
            let stops = tt.pattern_stops(p);
            for trip in tt.pattern_trips(p) {
                let times = tt.trip_times(trip);
                if times[i][0] != t {
                    continue;
                }
                for j in 0..i {
                    let b = stops[j] as usize;
                    let ready = self.ready[k - 1][b];
                    if ready == UNREACHED || ready > times[j][1] {
                        continue;
                    }
                    self.ready_back(k - 1, b, ready, legs)?;
                    legs.push(JourneyLeg::Ride {
                        trip,
                        board_pos: j as u32,
                        alight_pos: i as u32,
                        from: b as u32,
                        to: s as u32,
                        depart_s: times[j][1],
                        arrive_s: t,
                    });
                    return Some(());
                }
            }
        }
        None
    }

    /// Appends the legs that made a traveller ready to board at `u` at `t` within k rides.
    fn ready_back(&self, k: usize, u: usize, t: i32, legs: &mut Vec<JourneyLeg>) -> Option<()> {
        let j = self.first_round(&self.ready, u, t);
        if j == 0 {
            return (self.ready[0][u] == t).then_some(());
        }
        debug_assert!(j <= k);
        let ride = self.ride[j][u];
        if ride != UNREACHED && ride + self.tt.min_change_s(u) == t {
            return self.ride_back(self.first_round(&self.ride, u, ride), u, ride, legs);
        }
        let (v, _) = self.walked_from(j, u, t)?;
        let r = self.ride[j][v];
        self.ride_back(self.first_round(&self.ride, v, r), v, r, legs)?;
        legs.push(JourneyLeg::Walk {
            from: v as u32,
            to: u as u32,
            depart_s: r,
            arrive_s: t,
        });
        Some(())
    }
}

/// The earliest arrival at every stop from `access` (stop, time), `UNREACHED` where none.
pub fn earliest_arrival(tt: &Timetable, access: &[(u32, i32)], params: &RaptorParams) -> Vec<i32> {
    let mut out = Vec::new();
    Raptor::new(tt, params).run(access, &mut out);
    out
}

/// Travel time in seconds (arrival − departure) to every stop for each departure minute
/// `depart`, `depart` + 60, … (`minutes` departures), `UNREACHED` where none: `[minute][stop]`.
/// `access` gives each access stop and the seconds to reach it. One range-RAPTOR: the last
/// minute first, each earlier one reusing the labels of the later ones.
pub fn range_travel_times(
    tt: &Timetable,
    access: &[(u32, i32)],
    depart: i32,
    minutes: u32,
    params: &RaptorParams,
) -> Vec<Vec<i32>> {
    let mut raptor = Raptor::new(tt, params);
    let mut out = vec![Vec::new(); minutes as usize];
    let mut at: Vec<(u32, i32)> = Vec::with_capacity(access.len());
    for m in (0..minutes as usize).rev() {
        let start = depart + 60 * m as i32;
        at.clear();
        at.extend(access.iter().map(|&(s, w)| (s, start + w)));
        raptor.run(&at, &mut out[m]);
        for t in out[m].iter_mut().filter(|t| **t != UNREACHED) {
            *t -= start;
        }
    }
    out
}

/// The value at each percentile (nearest rank: the ⌈p·N/100⌉-th smallest, the smallest for
/// p = 0) of each stop's samples, `UNREACHED` counting as the longest: `[percentile][stop]`.
pub fn percentiles(samples: &[Vec<i32>], ps: &[u8]) -> Vec<Vec<i32>> {
    let n = samples.first().map_or(0, Vec::len);
    let mut out = vec![vec![UNREACHED; n]; ps.len()];
    if samples.is_empty() {
        return out;
    }
    let mut column = Vec::with_capacity(samples.len());
    for s in 0..n {
        column.clear();
        column.extend(samples.iter().map(|row| row[s]));
        column.sort_unstable();
        for (row, &p) in out.iter_mut().zip(ps) {
            row[s] = column[rank(p, column.len())];
        }
    }
    out
}

/// Index of the nearest-rank percentile `p` among `len` sorted samples.
pub fn rank(p: u8, len: usize) -> usize {
    let r = (p.min(100) as usize * len).div_ceil(100);
    r.saturating_sub(1).min(len.saturating_sub(1))
}

/// The phases (seconds) of the `exact_times=0` frequency entries for draw `draw`: uniform in
/// `[0, headway)`, from a fixed seed so answers are reproducible.
pub fn draw_phases(net: &TransitNetwork, seed: u64, draw: u32) -> HashMap<(usize, usize), u32> {
    let mut phases = HashMap::new();
    for (fi, feed) in net.feeds.iter().enumerate() {
        for (k, f) in feed.frequencies.iter().enumerate() {
            if !f.exact_times && f.headway_s > 0 {
                let key = seed
                    ^ (draw as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                    ^ ((fi as u64) << 48)
                    ^ k as u64;
                phases.insert((fi, k), (splitmix64(key) % f.headway_s as u64) as u32);
            }
        }
    }
    phases
}

/// Phases of draw `draw` of the patterns scenario `scenario` runs as frequency-based service
/// (see [`crate::network::timetable`]): the same generator as [`draw_phases`], keyed by
/// pattern index in a range no feed index reaches.
pub fn draw_pattern_phases(
    net: &TransitNetwork,
    scenario: usize,
    seed: u64,
    draw: u32,
) -> HashMap<usize, u32> {
    let mut phases = HashMap::new();
    if scenario == 0 {
        return phases;
    }
    for (pi, p) in net.patterns.iter().enumerate() {
        if p.scenario == Some(scenario) && p.headway_s > 0.0 {
            let headway = (p.headway_s.round() as u64).max(1);
            let key = seed
                ^ (draw as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                ^ (0xFFFFu64 << 48)
                ^ pi as u64;
            phases.insert(pi, (splitmix64(key) % headway) as u32);
        }
    }
    phases
}

/// Whether scenario `scenario` runs any pattern of its own as frequency-based service.
pub fn has_scenario_patterns(net: &TransitNetwork, scenario: usize) -> bool {
    scenario != 0
        && net
            .patterns
            .iter()
            .any(|p| p.scenario == Some(scenario) && p.headway_s > 0.0)
}

/// SplitMix64 (Steele, Lea and Flood 2014): a well-mixed 64-bit hash of `x`.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Whether any feed has frequency-based service without exact times (whose phase is drawn).
pub fn has_inexact_frequencies(net: &TransitNetwork) -> bool {
    net.feeds.iter().any(|f| {
        f.frequencies
            .iter()
            .any(|q| !q.exact_times && q.headway_s > 0)
    })
}

/// What a window query asks.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowQuery {
    /// Seconds after midnight of the timetable's day of the first departure.
    pub depart: i32,
    /// Departures, one a minute (at least 1).
    pub minutes: u32,
    pub percentiles: Vec<u8>,
    /// Draws of the phases of frequency-based service (ignored when there is none).
    pub draws: u32,
    pub seed: u64,
}

/// Travel times by percentile over a departure window.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowTimes {
    pub percentiles: Vec<u8>,
    /// Seconds, `[percentile][stop]`, `UNREACHED` where none.
    pub seconds: Vec<Vec<i32>>,
    /// Draws actually made: 1 when the feeds have no frequency-based service to draw.
    pub draws: u32,
    /// Samples per stop: departures × draws.
    pub samples: usize,
}

/// Range-RAPTOR over the window on `tt` (the day's timetable, compiled from `net` with
/// `tt_params`), pooled into percentiles per stop. With frequency-based service, each draw
/// compiles the day's timetable again with its own phases.
pub fn window_travel_times(
    net: &TransitNetwork,
    tt: &Timetable,
    tt_params: &TimetableParams,
    access: &[(u32, i32)],
    query: &WindowQuery,
    params: &RaptorParams,
) -> Result<WindowTimes, TimetableError> {
    let minutes = query.minutes.max(1);
    let inexact = has_inexact_frequencies(net) || has_scenario_patterns(net, tt_params.scenario);
    let draws = if inexact { query.draws.max(1) } else { 1 };
    let mut samples: Vec<Vec<i32>> = Vec::with_capacity((minutes * draws) as usize);
    for draw in 0..draws {
        if inexact {
            let p = TimetableParams {
                phases: draw_phases(net, query.seed, draw),
                pattern_phases: draw_pattern_phases(net, tt_params.scenario, query.seed, draw),
                ..tt_params.clone()
            };
            let drawn = Timetable::build(net, tt.date, &p)?;
            samples.extend(range_travel_times(
                &drawn,
                access,
                query.depart,
                minutes,
                params,
            ));
        } else {
            samples.extend(range_travel_times(
                tt,
                access,
                query.depart,
                minutes,
                params,
            ));
        }
    }
    Ok(WindowTimes {
        percentiles: query.percentiles.clone(),
        seconds: percentiles(&samples, &query.percentiles),
        draws,
        samples: samples.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_ranks_with_unreached_last() {
        let samples = vec![
            vec![600, 5],
            vec![1800, 5],
            vec![1200, 5],
            vec![UNREACHED, 5],
        ];
        let got = percentiles(&samples, &[0, 25, 50, 75, 100]);
        assert_eq!(got[0], [600, 5]);
        assert_eq!(got[1], [600, 5]);
        assert_eq!(got[2], [1200, 5]);
        assert_eq!(got[3], [1800, 5]);
        assert_eq!(got[4], [UNREACHED, 5]);
        assert_eq!((rank(5, 60), rank(50, 60), rank(95, 60)), (2, 29, 56));
        assert_eq!((rank(50, 1), rank(0, 0)), (0, 0));
    }
}
