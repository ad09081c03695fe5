//! Isobands that are valid by construction (OGC simple features as GEOS checks them).
//!
//! Marching squares over the cell centres of a [`TimeGrid`], computed on an integer lattice of
//! decimal degrees (`10^-decimals`°), so the coordinates written out are exactly the ones the
//! topology was built on:
//!
//! - a contour crosses a grid edge at most once per threshold, strictly inside the edge (never at
//!   a cell centre), and the crossing moves strictly along the edge as the threshold grows, so
//!   the loops of one threshold are simple and pairwise disjoint, and the loops of different
//!   thresholds never meet;
//! - saddles are resolved by the mean of the four corners, the same rule for every threshold,
//!   so the region below a lower threshold always lies inside the region below a higher one;
//! - the grid is padded with unreached cells, so every loop closes.
//!
//! Denoising drops small parts (never one holding a pinned place), and generalisation
//! (Douglas–Peucker per loop) is undone loop by loop wherever it would make two loops meet, a
//! loop touch itself, a loop jump over another one, or a pinned place change sides.

use crate::raster::TimeGrid;
use geo::{Coord, LineString, MultiPolygon, Polygon};

/// A point that must end up inside every band whose limit is at least `secs`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pin {
    pub lonlat: [f64; 2],
    pub secs: f64,
}

/// How band loops are cleaned up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cleanup {
    /// Douglas–Peucker tolerance, metres (0: none).
    pub generalize_m: f64,
    /// Parts smaller than this share of the largest part of the same threshold are dropped
    /// (0: none).
    pub denoise: f64,
}

/// Decimal places of the output coordinates for a cell size: a cell edge spans at least a few
/// hundred lattice steps, so every crossing has room to sit apart from the others.
pub fn decimals_for_cell(cell_m: f64) -> u32 {
    if cell_m >= 800.0 {
        4
    } else if cell_m >= 80.0 {
        5
    } else {
        6
    }
}

type Pt = [i64; 2];

/// One closed loop on the lattice (the first point is not repeated at the end). Positive area:
/// a shell (interior on the left); negative: a hole.
#[derive(Debug, Clone)]
struct Loop {
    pts: Vec<Pt>,
    /// Index of the threshold it belongs to.
    level: usize,
    area2: i128,
    bbox: [i64; 4],
}

impl Loop {
    fn new(pts: Vec<Pt>, level: usize) -> Loop {
        let area2 = area2(&pts);
        let bbox = bbox(&pts);
        Loop {
            pts,
            level,
            area2,
            bbox,
        }
    }
}

fn area2(pts: &[Pt]) -> i128 {
    let n = pts.len();
    (0..n)
        .map(|i| {
            let a = pts[i];
            let b = pts[(i + 1) % n];
            i128::from(a[0]) * i128::from(b[1]) - i128::from(b[0]) * i128::from(a[1])
        })
        .sum()
}

fn bbox(pts: &[Pt]) -> [i64; 4] {
    let mut b = [i64::MAX, i64::MAX, i64::MIN, i64::MIN];
    for p in pts {
        b = [
            b[0].min(p[0]),
            b[1].min(p[1]),
            b[2].max(p[0]),
            b[3].max(p[1]),
        ];
    }
    b
}

fn bbox_overlap(a: &[i64; 4], b: &[i64; 4]) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

/// Point in polygon (even–odd) for a point in lattice units given as f64.
fn inside(pts: &[Pt], p: [f64; 2]) -> bool {
    let n = pts.len();
    let mut c = false;
    let mut j = n - 1;
    for i in 0..n {
        let (xi, yi) = (pts[i][0] as f64, pts[i][1] as f64);
        let (xj, yj) = (pts[j][0] as f64, pts[j][1] as f64);
        if (yi > p[1]) != (yj > p[1]) && p[0] < (xj - xi) * (p[1] - yi) / (yj - yi) + xi {
            c = !c;
        }
        j = i;
    }
    c
}

/// The lattice and value grid marching squares runs on: nodes are cell centres, padded by one
/// unreached node all round.
struct Lattice {
    nx: usize,
    ny: usize,
    /// Node values, seconds, (nx + 2) × (ny + 2), row-major; unreached = `unreached`.
    v: Vec<f64>,
    /// Lattice x of each padded column, y of each padded row.
    xs: Vec<i64>,
    ys: Vec<i64>,
    thresholds: Vec<f64>,
    scale: f64,
    /// Metres per lattice unit in x and y.
    m_per_unit: [f64; 2],
}

impl Lattice {
    fn new(grid: &TimeGrid, thresholds: &[f64], pins: &[Pin], decimals: u32) -> Lattice {
        let (nx, ny) = grid.size();
        let top = thresholds.iter().copied().fold(0.0, f64::max);
        let unreached = top + 60.0;
        let w = nx + 2;
        let mut v = vec![unreached; w * (ny + 2)];
        for iy in 0..ny {
            for ix in 0..nx {
                let s = f64::from(grid.get(ix, iy));
                if s.is_finite() {
                    v[(iy + 1) * w + ix + 1] = s.min(unreached);
                }
            }
        }
        let (sw, step) = grid.lonlat_origin_and_step();
        let scale = 10f64.powi(decimals as i32);
        // Padded column P is grid column P - 1; its centre is at sw + (P - 0.5) × step.
        let xs: Vec<i64> = (0..nx + 2)
            .map(|p| ((sw[0] + (p as f64 - 0.5) * step[0]) * scale).round() as i64)
            .collect();
        let ys: Vec<i64> = (0..ny + 2)
            .map(|q| ((sw[1] + (q as f64 - 0.5) * step[1]) * scale).round() as i64)
            .collect();
        let m = grid.frame().metres_per_degree();
        let mut lat = Lattice {
            nx,
            ny,
            v,
            xs,
            ys,
            thresholds: thresholds.to_vec(),
            scale,
            m_per_unit: [m[0] / scale, m[1] / scale],
        };
        // A reached place sits in a square of four nodes; lowering them to its time puts the
        // whole square (and so the place) inside every band it belongs to.
        for pin in pins {
            if pin.secs > top || !pin.secs.is_finite() {
                continue;
            }
            let Some((p, q)) = lat.square_of(pin.lonlat) else {
                continue;
            };
            for (dp, dq) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let k = (q + dq) * w + p + dp;
                lat.v[k] = lat.v[k].min(pin.secs.max(0.0));
            }
        }
        lat
    }

    /// The padded node square (bottom-left node) holding a lon/lat point, if any; squares on the
    /// padding ring are excluded so pins never touch the unreached border.
    fn square_of(&self, lonlat: [f64; 2]) -> Option<(usize, usize)> {
        let x = lonlat[0] * self.scale;
        let y = lonlat[1] * self.scale;
        let p = self.xs.partition_point(|&c| (c as f64) <= x);
        let q = self.ys.partition_point(|&c| (c as f64) <= y);
        // p - 1 is the column at or left of x.
        if p < 2 || q < 2 || p > self.nx || q > self.ny {
            return None;
        }
        Some((p - 1, q - 1))
    }

    fn to_units(&self, lonlat: [f64; 2]) -> [f64; 2] {
        [lonlat[0] * self.scale, lonlat[1] * self.scale]
    }

    fn val(&self, p: usize, q: usize) -> f64 {
        self.v[q * (self.nx + 2) + p]
    }

    /// Edge ids: horizontal (p, q)–(p+1, q) is 2k, vertical (p, q)–(p, q+1) is 2k + 1, with
    /// k = q × (nx + 2) + p.
    fn h(&self, p: usize, q: usize) -> usize {
        2 * (q * (self.nx + 2) + p)
    }

    fn vert(&self, p: usize, q: usize) -> usize {
        2 * (q * (self.nx + 2) + p) + 1
    }

    /// Where threshold `level` crosses edge `e` (whose ends straddle it).
    fn crossing(&self, e: usize, level: usize) -> Pt {
        let k = e / 2;
        let (p, q) = (k % (self.nx + 2), k / (self.nx + 2));
        let (a, b, lo, hi, fixed, horizontal) = if e % 2 == 0 {
            (
                self.val(p, q),
                self.val(p + 1, q),
                self.xs[p],
                self.xs[p + 1],
                self.ys[q],
                true,
            )
        } else {
            (
                self.val(p, q),
                self.val(p, q + 1),
                self.ys[q],
                self.ys[q + 1],
                self.xs[p],
                false,
            )
        };
        let t = self.thresholds[level];
        let n = hi - lo;
        let eps = n / 20;
        let room = (n - 2 * eps - self.thresholds.len() as i64).max(0);
        let (v_in, v_out, from_lo) = if a <= t { (a, b, true) } else { (b, a, false) };
        let f = ((t - v_in) / (v_out - v_in)).clamp(0.0, 1.0);
        // Strictly increasing in the threshold: the fraction never decreases and `level` grows.
        let u = eps + ((f * room as f64).floor() as i64).min(room) + level as i64;
        let along = if from_lo { lo + u } else { hi - u };
        if horizontal {
            [along, fixed]
        } else {
            [fixed, along]
        }
    }

    /// All loops of one threshold.
    /// For each threshold, the cells (bottom-left node p + q × (nx + 2)) it crosses.
    fn crossed_cells(&self) -> Vec<Vec<u32>> {
        let w = self.nx + 2;
        let mut lists = vec![Vec::new(); self.thresholds.len()];
        for q in 0..=self.ny {
            let (lo_row, hi_row) = (
                &self.v[q * w..(q + 1) * w],
                &self.v[(q + 1) * w..(q + 2) * w],
            );
            for p in 0..=self.nx {
                let c = [lo_row[p], lo_row[p + 1], hi_row[p], hi_row[p + 1]];
                let lo = c[0].min(c[1]).min(c[2]).min(c[3]);
                let hi = c[0].max(c[1]).max(c[2]).max(c[3]);
                if lo == hi {
                    // Unreached, or wholly inside: no threshold crosses it.
                    continue;
                }
                // Thresholds t with lo <= t < hi.
                let a = self.thresholds.partition_point(|&t| t < lo);
                let b = self.thresholds.partition_point(|&t| t < hi);
                for list in &mut lists[a..b] {
                    list.push((q * w + p) as u32);
                }
            }
        }
        lists
    }

    fn loops(&self, level: usize, cells: &[u32], next: &mut [u32]) -> Vec<Loop> {
        let t = self.thresholds[level];
        let mut starts = Vec::new();
        let w = self.nx + 2;
        for &cell in cells {
            let (p, q) = (cell as usize % w, cell as usize / w);
            {
                let c = [
                    self.val(p, q),
                    self.val(p + 1, q),
                    self.val(p + 1, q + 1),
                    self.val(p, q + 1),
                ];
                let ins = c.map(|v| v <= t);
                let n_in = ins.iter().filter(|&&b| b).count();
                if n_in == 0 || n_in == 4 {
                    continue;
                }
                let edges = [
                    self.h(p, q),
                    self.vert(p + 1, q),
                    self.h(p, q + 1),
                    self.vert(p, q),
                ];
                // Going round the cell counter-clockwise, edge k runs from corner k to k + 1:
                // an exit leaves the inside, an enter comes back. A segment runs from an exit to
                // an enter, keeping the inside on its left.
                let exits: Vec<usize> = (0..4).filter(|&k| ins[k] && !ins[(k + 1) % 4]).collect();
                let enters: Vec<usize> = (0..4).filter(|&k| !ins[k] && ins[(k + 1) % 4]).collect();
                if exits.len() == 1 {
                    next[edges[exits[0]]] = edges[enters[0]] as u32;
                    starts.push(edges[exits[0]]);
                } else {
                    let connect = (c.iter().sum::<f64>() / 4.0) <= t;
                    for &x in &exits {
                        // Connected insides: the exit pairs with the following enter (cutting
                        // off the outside corner); separate: with the preceding one.
                        let en = if connect { (x + 1) % 4 } else { (x + 3) % 4 };
                        next[edges[x]] = edges[en] as u32;
                        starts.push(edges[x]);
                    }
                }
            }
        }
        let mut out = Vec::new();
        for s in starts {
            if next[s] == u32::MAX {
                continue;
            }
            let mut pts = Vec::new();
            let mut e = s;
            while next[e] != u32::MAX {
                pts.push(self.crossing(e, level));
                let n = next[e] as usize;
                next[e] = u32::MAX;
                e = n;
            }
            out.push(Loop::new(pts, level));
        }
        out
    }
}

/// Band polygons for thresholds (seconds, strictly increasing): for each threshold, the region
/// at or below it (cumulative) or between it and the previous one (disjoint).
pub fn isobands(
    grid: &TimeGrid,
    thresholds: &[f64],
    cumulative: bool,
    pins: &[Pin],
    cleanup: Cleanup,
) -> Vec<MultiPolygon<f64>> {
    let decimals = decimals_for_cell(grid.cell_m());
    let lat = Lattice::new(grid, thresholds, pins, decimals);
    let mut next = vec![u32::MAX; 2 * (lat.nx + 2) * (lat.ny + 2)];
    let crossed = lat.crossed_cells();
    let mut loops: Vec<Loop> = (0..thresholds.len())
        .flat_map(|l| lat.loops(l, &crossed[l], &mut next))
        .collect();
    let pin_units: Vec<([f64; 2], f64)> = pins
        .iter()
        .map(|p| (lat.to_units(p.lonlat), p.secs))
        .collect();
    if cleanup.denoise > 0.0 {
        loops = denoise(loops, &lat.thresholds, &pin_units, cleanup.denoise);
    }
    if cleanup.generalize_m > 0.0 {
        loops = generalize(loops, &pin_units, cleanup.generalize_m, lat.m_per_unit);
    }
    let scale = lat.scale;
    (0..thresholds.len())
        .map(|l| {
            let mut ring_set: Vec<(Vec<Pt>, bool)> = Vec::new();
            for lp in loops.iter().filter(|lp| lp.level == l) {
                ring_set.push((lp.pts.clone(), false));
            }
            if !cumulative && l > 0 {
                for lp in loops.iter().filter(|lp| lp.level == l - 1) {
                    ring_set.push((lp.pts.clone(), true));
                }
            }
            assemble(ring_set, scale)
        })
        .collect()
}

/// Polygons from disjoint loops: shells take the holes they most tightly contain.
fn assemble(rings: Vec<(Vec<Pt>, bool)>, scale: f64) -> MultiPolygon<f64> {
    let rings: Vec<Loop> = rings
        .into_iter()
        .map(|(mut pts, reverse)| {
            if reverse {
                pts.reverse();
            }
            Loop::new(pts, 0)
        })
        .collect();
    let shells: Vec<usize> = (0..rings.len()).filter(|&i| rings[i].area2 > 0).collect();
    let mut holes_of: Vec<Vec<usize>> = vec![Vec::new(); rings.len()];
    for (i, h) in rings.iter().enumerate().filter(|(_, r)| r.area2 < 0) {
        let v = [h.pts[0][0] as f64, h.pts[0][1] as f64];
        let best = shells
            .iter()
            .filter(|&&s| bbox_overlap(&rings[s].bbox, &h.bbox) && inside(&rings[s].pts, v))
            .min_by_key(|&&s| rings[s].area2);
        if let Some(&s) = best {
            holes_of[s].push(i);
        }
    }
    let ls = |pts: &[Pt]| -> LineString<f64> {
        let mut c: Vec<Coord<f64>> = pts
            .iter()
            .map(|p| Coord {
                x: p[0] as f64 / scale,
                y: p[1] as f64 / scale,
            })
            .collect();
        c.push(c[0]);
        LineString::new(c)
    };
    MultiPolygon::new(
        shells
            .iter()
            .map(|&s| {
                Polygon::new(
                    ls(&rings[s].pts),
                    holes_of[s].iter().map(|&h| ls(&rings[h].pts)).collect(),
                )
            })
            .collect(),
    )
}

/// The first point of every loop, sorted by x, to find the loops that may lie inside a box.
struct FirstPoints(Vec<(i64, i64, u32)>);

impl FirstPoints {
    fn new(loops: &[Loop]) -> FirstPoints {
        let mut v: Vec<(i64, i64, u32)> = loops
            .iter()
            .enumerate()
            .map(|(i, l)| (l.pts[0][0], l.pts[0][1], i as u32))
            .collect();
        v.sort_unstable();
        FirstPoints(v)
    }

    /// Loops whose first point lies in the box.
    fn within(&self, b: [i64; 4]) -> impl Iterator<Item = usize> + '_ {
        let start = self.0.partition_point(|e| e.0 < b[0]);
        self.0[start..]
            .iter()
            .take_while(move |e| e.0 <= b[2])
            .filter(move |e| e.1 >= b[1] && e.1 <= b[3])
            .map(|e| e.2 as usize)
    }
}

/// Drops shells smaller than `share` of the largest shell of their threshold, with everything
/// inside them (their holes, and the loops of lower thresholds), unless a pin reached within
/// the threshold lies inside.
fn denoise(
    loops: Vec<Loop>,
    thresholds: &[f64],
    pins: &[([f64; 2], f64)],
    share: f64,
) -> Vec<Loop> {
    let mut largest = vec![0i128; thresholds.len()];
    for lp in &loops {
        largest[lp.level] = largest[lp.level].max(lp.area2);
    }
    let firsts = FirstPoints::new(&loops);
    let mut keep = vec![true; loops.len()];
    // Highest threshold first, larger loops first, so a loop inside a dropped one is already
    // marked when its turn comes.
    let mut order: Vec<usize> = (0..loops.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse((loops[i].level, loops[i].area2)));
    for &i in &order {
        let lp = &loops[i];
        if !keep[i] || lp.area2 <= 0 || (lp.area2 as f64) >= share * largest[lp.level] as f64 {
            continue;
        }
        let t = thresholds[lp.level];
        if pins
            .iter()
            .any(|(p, secs)| *secs <= t && inside(&lp.pts, *p))
        {
            continue;
        }
        keep[i] = false;
        for j in firsts.within(lp.bbox) {
            let other = &loops[j];
            if j != i && other.level <= lp.level && keep[j] {
                let v = [other.pts[0][0] as f64, other.pts[0][1] as f64];
                if inside(&lp.pts, v) {
                    keep[j] = false;
                }
            }
        }
    }
    loops
        .into_iter()
        .zip(keep)
        .filter_map(|(l, k)| k.then_some(l))
        .collect()
}

/// Douglas–Peucker of a closed loop with tolerance `tol` metres.
fn simplify(pts: &[Pt], tol: f64, m: [f64; 2]) -> Vec<Pt> {
    let n = pts.len();
    if n < 4 || tol <= 0.0 {
        return pts.to_vec();
    }
    let xy = |p: Pt| [p[0] as f64 * m[0], p[1] as f64 * m[1]];
    // Anchor at the first point and the point farthest from it.
    let p0 = xy(pts[0]);
    let far = (1..n)
        .max_by(|&a, &b| {
            let da = d2(xy(pts[a]), p0);
            let db = d2(xy(pts[b]), p0);
            da.total_cmp(&db)
        })
        .unwrap_or(n / 2);
    let mut keep = vec![false; n];
    keep[0] = true;
    keep[far] = true;
    let mut stack = vec![(0usize, far), (far, n)];
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let pa = xy(pts[a]);
        let pb = xy(pts[b % n]);
        let (mut best, mut best_d) = (a, -1.0);
        for (i, p) in pts.iter().enumerate().take(b).skip(a + 1) {
            let d = seg_dist(xy(*p), pa, pb);
            if d > best_d {
                best = i;
                best_d = d;
            }
        }
        if best_d > tol {
            keep[best] = true;
            stack.push((a, best));
            stack.push((best, b));
        }
    }
    pts.iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

fn d2(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

fn seg_dist(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let l2 = dx * dx + dy * dy;
    let t = if l2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    d2(p, [a[0] + t * dx, a[1] + t * dy]).sqrt()
}

fn orient(a: Pt, b: Pt, c: Pt) -> i128 {
    let v = i128::from(b[0] - a[0]) * i128::from(c[1] - a[1])
        - i128::from(b[1] - a[1]) * i128::from(c[0] - a[0]);
    v.signum()
}

fn on_seg(a: Pt, b: Pt, p: Pt) -> bool {
    p[0] >= a[0].min(b[0])
        && p[0] <= a[0].max(b[0])
        && p[1] >= a[1].min(b[1])
        && p[1] <= a[1].max(b[1])
}

/// Whether closed segments ab and cd share any point.
fn segs_meet(a: Pt, b: Pt, c: Pt, d: Pt) -> bool {
    let (o1, o2, o3, o4) = (
        orient(a, b, c),
        orient(a, b, d),
        orient(c, d, a),
        orient(c, d, b),
    );
    if o1 * o2 < 0 && o3 * o4 < 0 {
        return true;
    }
    (o1 == 0 && on_seg(a, b, c))
        || (o2 == 0 && on_seg(a, b, d))
        || (o3 == 0 && on_seg(c, d, a))
        || (o4 == 0 && on_seg(c, d, b))
}

/// Loops whose segments meet another loop's, or their own beyond the shared vertex of
/// neighbours.
fn crossing_loops(loops: &[Vec<Pt>]) -> Vec<bool> {
    let mut bad = vec![false; loops.len()];
    let segs: Vec<(usize, usize)> = loops
        .iter()
        .enumerate()
        .flat_map(|(l, pts)| (0..pts.len()).map(move |i| (l, i)))
        .collect();
    if segs.is_empty() {
        return bad;
    }
    let end = |l: usize, i: usize| -> (Pt, Pt) {
        let p = &loops[l];
        (p[i], p[(i + 1) % p.len()])
    };
    let mut b = [i64::MAX, i64::MAX, i64::MIN, i64::MIN];
    for pts in loops {
        let bb = bbox(pts);
        b = [
            b[0].min(bb[0]),
            b[1].min(bb[1]),
            b[2].max(bb[2]),
            b[3].max(bb[3]),
        ];
    }
    // Contours are curves: a fine grid keeps the segments per bucket few. Buckets are laid
    // out flat (counts, then offsets) so a check costs two allocations, not one per bucket.
    let side = ((segs.len() as f64).sqrt() * 4.0).ceil().clamp(1.0, 1024.0) as i64;
    let w = ((b[2] - b[0]) / side + 1).max(1);
    let h = ((b[3] - b[1]) / side + 1).max(1);
    let cells_of = |p: Pt, q: Pt| {
        let (x0, x1) = ((p[0].min(q[0]) - b[0]) / w, (p[0].max(q[0]) - b[0]) / w);
        let (y0, y1) = ((p[1].min(q[1]) - b[1]) / h, (p[1].max(q[1]) - b[1]) / h);
        (y0..=y1.min(side - 1))
            .flat_map(move |y| (x0..=x1.min(side - 1)).map(move |x| (y * side + x) as usize))
    };
    let mut start = vec![0u32; (side * side) as usize + 1];
    for &(l, i) in &segs {
        let (p, q) = end(l, i);
        for c in cells_of(p, q) {
            start[c + 1] += 1;
        }
    }
    for c in 1..start.len() {
        start[c] += start[c - 1];
    }
    let mut fill = start.clone();
    let mut flat = vec![0u32; start[start.len() - 1] as usize];
    for (k, &(l, i)) in segs.iter().enumerate() {
        let (p, q) = end(l, i);
        for c in cells_of(p, q) {
            flat[fill[c] as usize] = k as u32;
            fill[c] += 1;
        }
    }
    let buckets = start
        .windows(2)
        .map(|r| &flat[r[0] as usize..r[1] as usize]);
    for bucket in buckets {
        for (ia, &sa) in bucket.iter().enumerate() {
            let (la, i) = segs[sa as usize];
            let (a, b2) = end(la, i);
            for &sb in &bucket[ia + 1..] {
                let (lb, j) = segs[sb as usize];
                if bad[la] && bad[lb] {
                    continue;
                }
                let (c, d) = end(lb, j);
                let meet = if la == lb {
                    let n = loops[la].len();
                    if (i + 1) % n == j || (j + 1) % n == i {
                        // Neighbours share a vertex; they must not fold back over each other.
                        let (s, p, q) = if (i + 1) % n == j {
                            (b2, a, d)
                        } else {
                            (a, b2, c)
                        };
                        orient(p, s, q) == 0
                            && (i128::from(p[0] - s[0]) * i128::from(q[0] - s[0])
                                + i128::from(p[1] - s[1]) * i128::from(q[1] - s[1]))
                                > 0
                    } else {
                        segs_meet(a, b2, c, d)
                    }
                } else {
                    segs_meet(a, b2, c, d)
                };
                if meet {
                    bad[la] = true;
                    bad[lb] = true;
                }
            }
        }
    }
    bad
}

/// Rounds of backing off before generalisation gives up on a whole answer.
const MAX_GENERALIZE_ROUNDS: usize = 32;

/// Simplifies every loop, then backs off (halving the tolerance, then keeping the loop as it
/// was) on each loop that would break validity or move a pin across it.
fn generalize(loops: Vec<Loop>, pins: &[([f64; 2], f64)], tol_m: f64, m: [f64; 2]) -> Vec<Loop> {
    let mut tol = vec![tol_m; loops.len()];
    let mut cur: Vec<Vec<Pt>> = loops.iter().map(|l| simplify(&l.pts, tol_m, m)).collect();
    let mut clean = false;
    let firsts = FirstPoints::new(&loops);
    // Two loops as contoured never conflict, so every round with a conflict lowers the
    // tolerance of some simplified loop: the rounds end clean after at most 3 per loop. The cap
    // only bounds the work; past it, every loop is kept as contoured.
    for _ in 0..MAX_GENERALIZE_ROUNDS {
        let bad = generalize_conflicts(&loops, &firsts, &cur, pins);
        if !bad.iter().any(|&b| b) {
            clean = true;
            break;
        }
        for i in (0..loops.len()).filter(|&i| bad[i]) {
            tol[i] = if tol[i] <= tol_m / 4.0 {
                0.0
            } else {
                tol[i] / 2.0
            };
            cur[i] = simplify(&loops[i].pts, tol[i], m);
        }
    }
    if !clean {
        // The loops as contoured are valid together.
        return loops;
    }
    loops
        .into_iter()
        .zip(cur)
        .map(|(l, pts)| Loop::new(pts, l.level))
        .collect()
}

/// Which simplified loops break validity: loops that meet, degenerate or flipped loops, and
/// loops that moved across another loop or a pin.
fn generalize_conflicts(
    loops: &[Loop],
    firsts: &FirstPoints,
    cur: &[Vec<Pt>],
    pins: &[([f64; 2], f64)],
) -> Vec<bool> {
    let mut bad = crossing_loops(cur);
    let mut flipped: Vec<usize> = Vec::new();
    for (i, lp) in loops.iter().enumerate() {
        let c = &cur[i];
        if c.len() == lp.pts.len() {
            continue;
        }
        let a = area2(c);
        if c.len() < 3 || a == 0 || a.signum() != lp.area2.signum() {
            bad[i] = true;
            continue;
        }
        // The first point of every loop survives simplification: if no loops meet, a loop lies
        // on the same side of another as before iff that point does. A point changes sides iff
        // it lies in an odd number of the stretches cut off (each original run between two kept
        // points, closed by the new chord); stretches are small, so few points need a test.
        let n = lp.pts.len();
        let mut kept = Vec::with_capacity(c.len());
        let mut k = 0;
        for q in c {
            while lp.pts[k] != *q {
                k += 1;
            }
            kept.push(k);
        }
        flipped.clear();
        let mut stretch: Vec<Pt> = Vec::new();
        for (w, &a) in kept.iter().enumerate() {
            let b = if w + 1 < kept.len() { kept[w + 1] } else { n };
            if b - a < 2 {
                continue;
            }
            stretch.clear();
            stretch.extend((a..=b).map(|x| lp.pts[x % n]));
            let sb = bbox(&stretch);
            for j in firsts.within(sb) {
                let v = [loops[j].pts[0][0] as f64, loops[j].pts[0][1] as f64];
                if j != i && inside(&stretch, v) {
                    flipped.push(j);
                }
            }
            for (pi, (p, _)) in pins.iter().enumerate() {
                let inb = p[0] >= sb[0] as f64 - 1.0
                    && p[0] <= sb[2] as f64 + 1.0
                    && p[1] >= sb[1] as f64 - 1.0
                    && p[1] <= sb[3] as f64 + 1.0;
                if inb && inside(&stretch, *p) {
                    flipped.push(loops.len() + pi);
                }
            }
        }
        flipped.sort_unstable();
        let moved = flipped
            .chunk_by(|x, y| x == y)
            .any(|run| run.len() % 2 == 1);
        bad[i] |= moved;
    }
    bad
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, Contains};

    const NONE: Cleanup = Cleanup {
        generalize_m: 0.0,
        denoise: 0.0,
    };

    /// A 3×3 grid of 100 m cells near Zhengzhou, all unreached.
    fn grid() -> TimeGrid {
        let m = crate::geodesy::LocalFrame::new([113.65, 34.75]).metres_per_degree();
        TimeGrid::covering(
            [113.65, 34.75, 113.65 + 299.0 / m[0], 34.75 + 299.0 / m[1]],
            100.0,
        )
    }

    #[test]
    fn one_reached_cell_is_a_diamond_around_its_centre() {
        let mut g = grid();
        g.lower(1, 1, 0.0);
        let out = isobands(&g, &[600.0], false, &[], NONE);
        let polys = &out[0].0;
        assert_eq!(polys.len(), 1);
        let ring = &polys[0].exterior().0;
        // Four distinct corners and the closing point, no holes.
        assert_eq!(ring.len(), 5);
        assert!(polys[0].interiors().is_empty());
        // Unreached counts as 660 s: the band reaches 600/660 of the way to the next centre,
        // squeezed into the middle 90 % of the edge and cut to whole lattice steps.
        let c = g.cell_centre(1, 1);
        let (_, step) = g.lonlat_origin_and_step();
        for p in &ring[..4] {
            let dx = ((p.x - c[0]) / step[0]).abs();
            let dy = ((p.y - c[1]) / step[1]).abs();
            let off = dx.max(dy);
            assert!(
                dx.min(dy) < 0.02,
                "{p:?} is not on an axis through the centre"
            );
            assert!(
                (off - (0.05 + 0.9 * 600.0 / 660.0)).abs() < 0.03,
                "{p:?}: {off} cells out"
            );
        }
        assert!(polys[0].contains(&geo::Point::new(c[0], c[1])));
    }

    #[test]
    fn nested_limits_give_disjoint_bands_that_tile_the_outer_one() {
        let mut g = grid();
        for (ix, iy, t) in [(0, 0, 0.0), (1, 0, 300.0), (1, 1, 500.0), (2, 2, 590.0)] {
            g.lower(ix, iy, t);
        }
        let limits = [300.0, 400.0, 600.0];
        let disjoint = isobands(&g, &limits, false, &[], NONE);
        let cumulative = isobands(&g, &limits, true, &[], NONE);
        let sum: f64 = disjoint.iter().map(|m| m.unsigned_area()).sum();
        let outer = cumulative[2].unsigned_area();
        assert!(
            (sum - outer).abs() <= 1e-12 * outer.max(1.0),
            "{sum} vs {outer}"
        );
        assert!(cumulative[0].unsigned_area() < cumulative[1].unsigned_area());
    }

    #[test]
    fn a_pinned_place_between_unreached_cells_is_inside() {
        let g = grid();
        // Nothing on the grid is reached, but the place was (with 24 s left of 10 min).
        let a = g.cell_centre(1, 1);
        let b = g.cell_centre(2, 2);
        let p = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
        let pin = Pin {
            lonlat: p,
            secs: 576.0,
        };
        let out = isobands(&g, &[600.0], false, &[pin], NONE);
        assert!(out[0].contains(&geo::Point::new(p[0], p[1])));
        // Without the pin there is nothing.
        assert!(isobands(&g, &[600.0], false, &[], NONE)[0].0.is_empty());
    }
}
