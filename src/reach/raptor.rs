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

use crate::network::timetable::{Timetable, UNREACHED};

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

/// The earliest arrival at every stop from `access` (stop, time), `UNREACHED` where none.
pub fn earliest_arrival(tt: &Timetable, access: &[(u32, i32)], params: &RaptorParams) -> Vec<i32> {
    let mut out = Vec::new();
    Raptor::new(tt, params).run(access, &mut out);
    out
}
