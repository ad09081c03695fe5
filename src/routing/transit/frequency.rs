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
        2 * self.stop_count + 2 * self.pos_stop.len()
    }

    /// Network pattern index of a pattern position.
    pub fn pattern_of(&self, pos: u32) -> usize {
        self.patterns[self.pos_pattern[pos as usize] as usize] as usize
    }

    pub fn stop_at(&self, pos: u32) -> u32 {
        self.pos_stop[pos as usize]
    }

    /// Runs the search from stops reached on foot at the given times, up to `max_s`.
    ///
    /// Node ids: `[0, n)` walked stops, `[n, 2n)` ridden stops, then one "just boarded" node
    /// and one "riding into" node per pattern position. Keeping the two apart means a rider can
    /// always alight where a vehicle arrives, even where someone else boards earlier.
    pub fn search(&self, access: &[(u32, f32)], max_s: f32, params: &TransitParams) -> Labels {
        let n = self.stop_count;
        let p = self.pos_stop.len();
        let mut labels = Labels {
            time: vec![f32::INFINITY; self.node_count()],
            pred: vec![NO_PRED; self.node_count()],
            stop_count: n,
            pos_count: p,
        };
        let mut heap = BinaryHeap::new();
        for &(s, t) in access {
            if t <= max_s && self.stop_active[s as usize] && t < labels.time[s as usize] {
                labels.time[s as usize] = t;
                heap.push(Entry { time: t, node: s });
            }
        }
        let relax =
            |labels: &mut Labels, heap: &mut BinaryHeap<Entry>, from: u32, to: u32, t: f32| {
                if t <= max_s && t < labels.time[to as usize] {
                    labels.time[to as usize] = t;
                    labels.pred[to as usize] = from;
                    heap.push(Entry { time: t, node: to });
                }
            };
        let boarded_base = 2 * n as u32;
        let riding_base = boarded_base + p as u32;
        while let Some(Entry { time, node }) = heap.pop() {
            if time > labels.time[node as usize] {
                continue;
            }
            if node < boarded_base {
                let ridden = node >= n as u32;
                let stop = if ridden {
                    node as usize - n
                } else {
                    node as usize
                };
                let penalty = if ridden {
                    params.transfer_penalty_s
                } else {
                    0.0
                };
                let (a, b) = (
                    self.board_offset[stop] as usize,
                    self.board_offset[stop + 1] as usize,
                );
                for k in a..b {
                    let to = boarded_base + self.board_pos[k];
                    relax(
                        &mut labels,
                        &mut heap,
                        node,
                        to,
                        time + self.board_wait_s[k] + penalty,
                    );
                }
                if ridden {
                    let (a, b) = (
                        self.transfer_offset[stop] as usize,
                        self.transfer_offset[stop + 1] as usize,
                    );
                    for k in a..b {
                        let to = (n as u32) + self.transfer_to[k];
                        relax(&mut labels, &mut heap, node, to, time + self.transfer_s[k]);
                    }
                }
            } else {
                let riding = node >= riding_base;
                let pos = if riding {
                    node - riding_base
                } else {
                    node - boarded_base
                };
                if riding {
                    relax(
                        &mut labels,
                        &mut heap,
                        node,
                        n as u32 + self.pos_stop[pos as usize],
                        time,
                    );
                }
                let next = self.pos_next_s[pos as usize];
                if next.is_finite() {
                    relax(
                        &mut labels,
                        &mut heap,
                        node,
                        riding_base + pos + 1,
                        time + next,
                    );
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
    pos_count: usize,
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
    Transfer {
        from_stop: u32,
        to_stop: u32,
        secs: f32,
    },
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

    /// The steps that reach `ridden(stop)`, first to last (empty if it was not reached).
    pub fn itinerary(&self, graph: &TransitGraph, stop: u32) -> Vec<Step> {
        let n = self.stop_count as u32;
        let boarded_base = 2 * n;
        let riding_base = boarded_base + self.pos_count as u32;
        let mut steps = Vec::new();
        let mut node = n + stop;
        if !self.time[node as usize].is_finite() {
            return steps;
        }
        // (alighting stop, time, hops) of the ride being folded together, walking backwards.
        let mut alight: Option<(u32, f32, usize)> = None;
        for _ in 0..self.time.len() {
            let t = self.time[node as usize];
            let pred = self.pred[node as usize];
            if node < n {
                steps.push(Step::Access {
                    stop: node,
                    arrive_s: t,
                });
                break;
            }
            if pred == NO_PRED {
                break;
            }
            if node < boarded_base {
                if pred < boarded_base {
                    steps.push(Step::Transfer {
                        from_stop: pred - n,
                        to_stop: node - n,
                        secs: t - self.time[pred as usize],
                    });
                } else {
                    let pos = pred - riding_base;
                    alight = Some((graph.stop_at(pos), t, 0));
                }
            } else if node >= riding_base {
                if let Some(a) = &mut alight {
                    a.2 += 1;
                }
            } else {
                let pos = node - boarded_base;
                let (to_stop, alight_s, hops) = alight.take().unwrap_or((graph.stop_at(pos), t, 0));
                steps.push(Step::Ride {
                    pattern: graph.pattern_of(pos),
                    from_stop: graph.stop_at(pos),
                    to_stop,
                    board_s: t,
                    alight_s,
                    wait_s: t - self.time[pred as usize],
                    hops,
                });
            }
            node = pred;
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
