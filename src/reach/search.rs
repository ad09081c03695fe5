//! The transit search: one bounded label-setting (Dijkstra) pass over compact arrays.
//!
//! Labels live on three kinds of node:
//! - `walked(s)`: stop `s` reached on foot from an origin, nothing ridden yet;
//! - `ridden(s)`: stop `s` reached after at least one ride (alighting, or a transfer walk);
//! - `aboard(p, i)`: on a vehicle of pattern `p` at its `i`-th stop.
//!
//! Boarding costs the expected wait (headway ÷ 2), plus the transfer penalty when something was
//! ridden before. Riding costs the pattern's run time; alighting is free.

use crate::network::transit::TransitNetwork;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Search parameters that shape transit results.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct TransitParams {
    /// Added to every boarding after the first, seconds.
    pub transfer_penalty_s: f32,
    /// Expected wait as a share of the headway (0.5 = random arrival at the stop).
    pub wait_factor: f32,
}

impl Default for TransitParams {
    fn default() -> Self {
        TransitParams {
            transfer_penalty_s: 120.0,
            wait_factor: 0.5,
        }
    }
}

/// The network of one scenario in search form: CSR boardings and transfers per stop.
#[derive(Debug, Clone)]
pub struct TransitGraph {
    pub scenario: usize,
    stop_count: usize,
    /// First `aboard` node of each pattern (CSR offsets into pattern positions).
    pattern_offset: Vec<u32>,
    /// Active patterns (indices into the network's patterns), in offset order.
    patterns: Vec<u32>,
    /// Per pattern position: the stop it is at, and run time to the next position.
    pos_stop: Vec<u32>,
    pos_next_s: Vec<f32>,
    pos_pattern: Vec<u32>,
    /// Per stop: boardings (pattern position, wait seconds) in CSR form.
    board_offset: Vec<u32>,
    board_pos: Vec<u32>,
    board_wait_s: Vec<f32>,
    /// Per stop: walking transfers (to stop, seconds) in CSR form.
    transfer_offset: Vec<u32>,
    transfer_to: Vec<u32>,
    transfer_s: Vec<f32>,
    /// Whether the stop exists in this scenario.
    pub stop_active: Vec<bool>,
}

impl TransitGraph {
    pub fn build(net: &TransitNetwork, scenario: usize, params: &TransitParams) -> TransitGraph {
        let n = net.stops.len();
        let stop_active: Vec<bool> = net
            .stops
            .iter()
            .map(|s| TransitNetwork::active(s.scenario, scenario))
            .collect();
        let mut pattern_offset = Vec::new();
        let mut patterns = Vec::new();
        let mut pos_stop = Vec::new();
        let mut pos_next_s = Vec::new();
        let mut pos_pattern = Vec::new();
        let mut boardings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n];
        for (pi, p) in net.patterns.iter().enumerate() {
            if !TransitNetwork::active(p.scenario, scenario) {
                continue;
            }
            let local = patterns.len() as u32;
            pattern_offset.push(pos_stop.len() as u32);
            patterns.push(pi as u32);
            let wait = p.headway_s * params.wait_factor;
            for (i, &s) in p.stops.iter().enumerate() {
                let pos = pos_stop.len() as u32;
                pos_stop.push(s);
                pos_pattern.push(local);
                let next = if i + 1 < p.stops.len() {
                    (p.arrive_s[i + 1] - p.arrive_s[i]).max(0.0)
                } else {
                    f32::INFINITY
                };
                pos_next_s.push(next);
                // Nobody boards at the last stop.
                if i + 1 < p.stops.len() {
                    boardings[s as usize].push((pos, wait));
                }
            }
        }
        pattern_offset.push(pos_stop.len() as u32);

        let (board_offset, board_pairs) = csr(boardings);
        let mut transfers: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n];
        for t in &net.transfers {
            if TransitNetwork::active(t.scenario, scenario) {
                transfers[t.from as usize].push((t.to, t.secs));
            }
        }
        let (transfer_offset, transfer_pairs) = csr(transfers);
        TransitGraph {
            scenario,
            stop_count: n,
            pattern_offset,
            patterns,
            pos_stop,
            pos_next_s,
            pos_pattern,
            board_offset,
            board_pos: board_pairs.iter().map(|p| p.0).collect(),
            board_wait_s: board_pairs.iter().map(|p| p.1).collect(),
            transfer_offset,
            transfer_to: transfer_pairs.iter().map(|p| p.0).collect(),
            transfer_s: transfer_pairs.iter().map(|p| p.1).collect(),
            stop_active,
        }
    }

    pub fn stop_count(&self) -> usize {
        self.stop_count
    }

    fn node_count(&self) -> usize {
        2 * self.stop_count + self.pos_stop.len()
    }

    /// Network pattern index of a pattern position.
    pub fn pattern_of(&self, pos: u32) -> usize {
        self.patterns[self.pos_pattern[pos as usize] as usize] as usize
    }

    /// Index of a position within its pattern's stop list.
    pub fn index_in_pattern(&self, pos: u32) -> usize {
        (pos - self.pattern_offset[self.pos_pattern[pos as usize] as usize]) as usize
    }

    pub fn stop_at(&self, pos: u32) -> u32 {
        self.pos_stop[pos as usize]
    }

    /// Runs the search from stops reached on foot at the given times, up to `max_s`.
    pub fn search(&self, access: &[(u32, f32)], max_s: f32, params: &TransitParams) -> Labels {
        let n = self.stop_count;
        let mut labels = Labels {
            time: vec![f32::INFINITY; self.node_count()],
            pred: vec![NO_PRED; self.node_count()],
            stop_count: n,
        };
        let mut heap = BinaryHeap::new();
        for &(s, t) in access {
            if t <= max_s && self.stop_active[s as usize] && t < labels.time[s as usize] {
                labels.time[s as usize] = t;
                heap.push(Entry { time: t, node: s });
            }
        }
        let relax = |labels: &mut Labels, heap: &mut BinaryHeap<Entry>, from: u32, to: u32, t: f32| {
            if t <= max_s && t < labels.time[to as usize] {
                labels.time[to as usize] = t;
                labels.pred[to as usize] = from;
                heap.push(Entry { time: t, node: to });
            }
        };
        let aboard_base = 2 * n as u32;
        while let Some(Entry { time, node }) = heap.pop() {
            if time > labels.time[node as usize] {
                continue;
            }
            let node_us = node as usize;
            if node_us < 2 * n {
                let ridden = node_us >= n;
                let stop = if ridden { node_us - n } else { node_us };
                let penalty = if ridden { params.transfer_penalty_s } else { 0.0 };
                let (a, b) = (self.board_offset[stop] as usize, self.board_offset[stop + 1] as usize);
                for k in a..b {
                    let to = aboard_base + self.board_pos[k];
                    relax(&mut labels, &mut heap, node, to, time + self.board_wait_s[k] + penalty);
                }
                if ridden {
                    let (a, b) = (self.transfer_offset[stop] as usize, self.transfer_offset[stop + 1] as usize);
                    for k in a..b {
                        let to = (n as u32) + self.transfer_to[k];
                        relax(&mut labels, &mut heap, node, to, time + self.transfer_s[k]);
                    }
                }
            } else {
                let pos = node - aboard_base;
                let stop = self.pos_stop[pos as usize];
                // Alight here (not at the stop just boarded: that is no ride at all).
                let boarded_here = labels.pred[node_us] < 2 * n as u32;
                if !boarded_here {
                    relax(&mut labels, &mut heap, node, n as u32 + stop, time);
                }
                let next = self.pos_next_s[pos as usize];
                if next.is_finite() {
                    relax(&mut labels, &mut heap, node, node + 1, time + next);
                }
            }
        }
        labels
    }
}

const NO_PRED: u32 = u32::MAX;

/// Search labels: arrival times and predecessors over all nodes.
#[derive(Debug, Clone)]
pub struct Labels {
    time: Vec<f32>,
    pred: Vec<u32>,
    stop_count: usize,
}

/// One step of a transit itinerary, as the search found it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// Walked from an origin to a stop.
    Access { stop: u32, arrive_s: f32 },
    /// Waited at a stop and boarded a pattern (at `board_s`, after `wait_s` incl. penalty).
    Ride {
        pattern: usize,
        from_stop: u32,
        to_stop: u32,
        board_s: f32,
        alight_s: f32,
        wait_s: f32,
        hops: usize,
    },
    /// Walked between two stops after alighting.
    Transfer { from_stop: u32, to_stop: u32, secs: f32 },
}

impl Labels {
    /// Earliest arrival at a stop on foot from an origin (no ride).
    pub fn walked(&self, stop: u32) -> f32 {
        self.time[stop as usize]
    }

    /// Earliest arrival at a stop after at least one ride.
    pub fn ridden(&self, stop: u32) -> f32 {
        self.time[self.stop_count + stop as usize]
    }

    /// The steps that reach `ridden(stop)`, first to last.
    pub fn itinerary(&self, graph: &TransitGraph, stop: u32) -> Vec<Step> {
        let n = self.stop_count as u32;
        let mut steps = Vec::new();
        let mut node = n + stop;
        // Walk back through predecessors, folding aboard runs into one ride each.
        let mut alight: Option<(u32, f32, usize)> = None; // (stop, time, hops)
        let mut guard = 0usize;
        loop {
            guard += 1;
            if guard > self.time.len() + 1 {
                break;
            }
            let t = self.time[node as usize];
            let pred = self.pred[node as usize];
            if node < n {
                steps.push(Step::Access { stop: node, arrive_s: t });
                break;
            } else if node < 2 * n {
                if pred == NO_PRED {
                    break;
                }
                if pred < 2 * n {
                    // A transfer walk from another ridden stop.
                    let from = pred - n;
                    steps.push(Step::Transfer {
                        from_stop: from,
                        to_stop: node - n,
                        secs: t - self.time[pred as usize],
                    });
                } else {
                    alight = Some((node - n, t, 0));
                }
                node = pred;
            } else {
                let pos = node - 2 * n;
                if pred >= 2 * n {
                    if let Some(a) = &mut alight {
                        a.2 += 1;
                    }
                    node = pred;
                } else {
                    let (to_stop, alight_s, hops) = alight.take().unwrap_or((graph.stop_at(pos), t, 0));
                    let from_time = self.time[pred as usize];
                    steps.push(Step::Ride {
                        pattern: graph.pattern_of(pos),
                        from_stop: graph.stop_at(pos),
                        to_stop,
                        board_s: t,
                        alight_s,
                        wait_s: t - from_time,
                        hops,
                    });
                    node = pred;
                }
            }
        }
        steps.reverse();
        steps
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    time: f32,
    node: u32,
}

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Min-heap on time; ties broken by node for determinism.
        other
            .time
            .total_cmp(&self.time)
            .then_with(|| other.node.cmp(&self.node))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn csr(lists: Vec<Vec<(u32, f32)>>) -> (Vec<u32>, Vec<(u32, f32)>) {
    let mut offset = Vec::with_capacity(lists.len() + 1);
    let mut flat = Vec::new();
    for l in lists {
        offset.push(flat.len() as u32);
        flat.extend(l);
    }
    offset.push(flat.len() as u32);
    (offset, flat)
}
