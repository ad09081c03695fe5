//! Bounded multi-source Dijkstra on a [`Graph`], with buffers kept between queries.

use super::graph::Graph;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Reusable search state: arrival times per vertex (∞ when unreached) and the vertices touched
/// by the last run, so a reset costs what the search cost, not the size of the city.
#[derive(Debug, Clone)]
pub struct Search {
    dist: Vec<f32>,
    /// Which source reached each vertex first (the value given with the source).
    origin: Vec<u32>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<u64>>,
}

/// Heap key: non-negative f32 bits order like the numbers, so (time, vertex) packs in a u64.
fn key(t: f32, v: u32) -> u64 {
    (u64::from(t.to_bits()) << 32) | u64::from(v)
}

impl Search {
    pub fn new(num_nodes: usize) -> Search {
        Search {
            dist: vec![f32::INFINITY; num_nodes],
            origin: vec![0; num_nodes],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    /// Earliest arrival per vertex of the last run (∞ if unreached or beyond the budget).
    pub fn dist(&self) -> &[f32] {
        &self.dist
    }

    /// The source label that reached each vertex (meaningful where `dist` is finite).
    pub fn origin(&self) -> &[u32] {
        &self.origin
    }

    /// Vertices with a finite arrival time in the last run (each once).
    pub fn touched(&self) -> &[u32] {
        &self.touched
    }

    pub fn reset(&mut self) {
        for &v in &self.touched {
            self.dist[v as usize] = f32::INFINITY;
        }
        self.touched.clear();
        self.heap.clear();
    }

    /// Spreads from `sources` (vertex, start time s, label) up to `max_secs`; arrivals beyond the budget
    /// are never recorded.
    pub fn run(&mut self, g: &Graph, sources: &[(u32, f32, u32)], max_secs: f32) {
        self.run_until(g, sources, max_secs, |_| false);
    }

    /// [`Search::run`] that stops once every vertex marked in `targets` is settled (or the
    /// budget is spent). The settled vertices get the same times as a full run: the search is
    /// a prefix of it. `targets` must hold `n_targets` marked vertices.
    pub fn run_to_targets(
        &mut self,
        g: &Graph,
        sources: &[(u32, f32, u32)],
        max_secs: f32,
        targets: &[bool],
        n_targets: usize,
    ) {
        let mut left = n_targets;
        if left == 0 {
            self.reset();
            return;
        }
        self.run_until(g, sources, max_secs, |v| {
            if targets.get(v as usize).copied().unwrap_or(false) {
                left -= 1;
            }
            left == 0
        });
    }

    /// The search; `settled(v)` is called once per settled vertex and stops it by returning true.
    fn run_until(
        &mut self,
        g: &Graph,
        sources: &[(u32, f32, u32)],
        max_secs: f32,
        mut settled: impl FnMut(u32) -> bool,
    ) {
        self.reset();
        if self.dist.len() != g.num_nodes() {
            self.dist = vec![f32::INFINITY; g.num_nodes()];
            self.origin = vec![0; g.num_nodes()];
        }
        for &(v, t, label) in sources {
            let t = t.max(0.0);
            if (v as usize) < self.dist.len() && t <= max_secs && t < self.dist[v as usize] {
                if self.dist[v as usize] == f32::INFINITY {
                    self.touched.push(v);
                }
                self.dist[v as usize] = t;
                self.origin[v as usize] = label;
                self.heap.push(Reverse(key(t, v)));
            }
        }
        while let Some(Reverse(k)) = self.heap.pop() {
            let v = k as u32;
            let t = f32::from_bits((k >> 32) as u32);
            if t > self.dist[v as usize] {
                continue;
            }
            if settled(v) {
                return;
            }
            let label = self.origin[v as usize];
            let (lo, hi) = (
                g.first_out[v as usize] as usize,
                g.first_out[v as usize + 1] as usize,
            );
            for e in lo..hi {
                let w = g.head[e];
                let nt = t + g.edge_secs[e];
                let dw = &mut self.dist[w as usize];
                if nt < *dw && nt <= max_secs {
                    if *dw == f32::INFINITY {
                        self.touched.push(w);
                    }
                    *dw = nt;
                    self.origin[w as usize] = label;
                    self.heap.push(Reverse(key(nt, w)));
                }
            }
        }
    }
}

/// Earliest arrival (s) at every vertex from `source`, ∞ beyond `max_secs`: a plain one-to-all
/// Dijkstra, usable as an oracle and by comparison tools.
pub fn one_to_all(g: &Graph, source: u32, max_secs: f32) -> Vec<f32> {
    let mut s = Search::new(g.num_nodes());
    s.run(g, &[(source, 0.0, 0)], max_secs);
    s.dist
}
