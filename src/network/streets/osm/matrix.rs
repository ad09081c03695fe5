//! Many-to-many street times: destinations snapped once, then per origin one Dijkstra that
//! stops when every street end a destination reads is settled. Each entry equals what the
//! origin's full spread ([`super::OsmField::time_at`]) gives the destination: the settled ends
//! have the full run's times, and the per-point rule below is the same expressions in the
//! same order.

use super::StreetMode;
use super::{at_ends, end_reach, walk_mps, ModeGraph, OsmStreets, Snap, NEARBY_M};
use super::{Graph, Search, DIR_BACKWARD, DIR_FORWARD};
use rayon::prelude::*;

/// One street a destination is read from: where on it, and the walk to it.
struct Candidate {
    segment: u32,
    fraction: f64,
    walk_secs: f64,
}

/// The streets `time_at` looks at for a point, in its order (nearest first, within the snap
/// distance and [`NEARBY_M`] of the nearest); its early stop on a found time is applied later.
fn candidates(streets: &OsmStreets, mg: &ModeGraph, p: [f64; 2]) -> Vec<Candidate> {
    let walk = walk_mps();
    let mut out = Vec::new();
    let mut nearest = None;
    for snap in mg.index().snaps_by_distance(p) {
        let d = snap.distance_m;
        let first = *nearest.get_or_insert(d);
        if d > streets.max_snap_m || d > first + NEARBY_M {
            break;
        }
        out.push(Candidate {
            segment: snap.segment,
            fraction: snap.fraction,
            walk_secs: d / walk,
        });
    }
    out
}

/// An origin on the streets: its snap and the time it reaches the street.
struct OriginSnap {
    snap: Snap,
    t0: f64,
}

/// Earliest arrival at a position on a segment from the search and the origin's own snap.
fn time_on_segment(g: &Graph, dist: &[f32], origin: &OriginSnap, seg: u32, f: f64) -> f64 {
    let s = seg as usize;
    let secs = f64::from(g.seg_secs[s]);
    let mut best = f64::INFINITY;
    let mut offer = |t: f64| {
        if t < best {
            best = t;
        }
    };
    let same = origin.snap.segment == seg;
    let (at_a, at_b) = at_ends(g, seg, f);
    if g.seg_dir[s] & DIR_FORWARD != 0 || at_a {
        offer(f64::from(dist[g.seg_a[s] as usize]) + f * secs);
    }
    if g.seg_dir[s] & DIR_FORWARD != 0 && same && origin.snap.fraction <= f {
        offer(origin.t0 + (f - origin.snap.fraction) * secs);
    }
    if g.seg_dir[s] & DIR_BACKWARD != 0 || at_b {
        offer(f64::from(dist[g.seg_b[s] as usize]) + (1.0 - f) * secs);
    }
    if g.seg_dir[s] & DIR_BACKWARD != 0 && same && origin.snap.fraction >= f {
        offer(origin.t0 + (origin.snap.fraction - f) * secs);
    }
    best
}

/// A search from the mode's pool, given back when dropped.
struct Pooled<'a> {
    mg: &'a ModeGraph,
    search: Option<Search>,
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let (Some(mut s), Ok(mut pool)) = (self.search.take(), self.mg.pool.lock()) {
            s.reset();
            pool.push(s);
        }
    }
}

/// Seconds from every origin to every destination (row-major), `None` beyond `max_secs`, off
/// the streets, or from an origin with no street within the snap distance.
pub(super) fn many_to_many(
    streets: &OsmStreets,
    mode: StreetMode,
    mg: &ModeGraph,
    origins: &[[f64; 2]],
    destinations: &[[f64; 2]],
    max_secs: f64,
) -> Vec<Option<f64>> {
    let g = &mg.graph;
    let cands: Vec<Vec<Candidate>> = destinations
        .par_iter()
        .map(|&p| candidates(streets, mg, p))
        .collect();
    // The street ends the destinations read; the search may stop once all are settled.
    let mut targets = vec![false; g.num_nodes()];
    let mut n_targets = 0;
    let mut mark = |v: u32| {
        if !targets[v as usize] {
            targets[v as usize] = true;
            n_targets += 1;
        }
    };
    for c in cands.iter().flatten() {
        let s = c.segment as usize;
        let (at_a, at_b) = at_ends(g, c.segment, c.fraction);
        if g.seg_dir[s] & DIR_FORWARD != 0 || at_a {
            mark(g.seg_a[s]);
        }
        if g.seg_dir[s] & DIR_BACKWARD != 0 || at_b {
            mark(g.seg_b[s]);
        }
    }
    let n_d = destinations.len();
    let mut out = vec![None; origins.len() * n_d];
    if n_d == 0 {
        return out;
    }
    let walk = walk_mps();
    out.par_chunks_mut(n_d)
        .zip(origins.par_iter())
        .for_each_init(
            || Pooled {
                mg,
                search: Some(mg.take_search()),
            },
            |pooled, (row, &o)| {
                let Some(search) = pooled.search.as_mut() else {
                    return;
                };
                // As `spread` does for one seed at time 0 (its 0 + x is x here).
                let Ok(snap) = streets.snap(mode, o) else {
                    return;
                };
                let t0 = snap.distance_m / walk;
                if t0 > max_secs {
                    return;
                }
                let seg = snap.segment as usize;
                let secs = f64::from(g.seg_secs[seg]);
                let (to_a, to_b) = end_reach(g, &snap);
                let mut sources = [(0u32, 0f32, 0u32); 2];
                let mut n = 0;
                if to_b {
                    sources[n] = (g.seg_b[seg], (t0 + (1.0 - snap.fraction) * secs) as f32, 0);
                    n += 1;
                }
                if to_a {
                    sources[n] = (g.seg_a[seg], (t0 + snap.fraction * secs) as f32, 0);
                    n += 1;
                }
                search.run_to_targets(g, &sources[..n], max_secs as f32, &targets, n_targets);
                let origin = OriginSnap { snap, t0 };
                let dist = search.dist();
                for (cell, cs) in row.iter_mut().zip(&cands) {
                    let mut best: Option<f64> = None;
                    for c in cs {
                        if best.is_some_and(|b| c.walk_secs >= b) {
                            break;
                        }
                        let t =
                            time_on_segment(g, dist, &origin, c.segment, c.fraction) + c.walk_secs;
                        if t <= max_secs && best.is_none_or(|b| t < b) {
                            best = Some(t);
                        }
                    }
                    *cell = best;
                }
            },
        );
    out
}
