//! OSM PBF → walk, bike and drive graphs.
//!
//! Two passes over the file: highway ways first (tags → per-mode access, node refs), then the
//! coordinates of the nodes those ways use. Ways are split at nodes shared with another way of
//! the same mode (and at their ends); each mode keeps only its largest strongly connected
//! component, so every kept vertex can reach and be reached from every other.

use super::graph::{Graph, DIR_BACKWARD, DIR_FORWARD, REVERSED};
use super::tags::{way_access, Dirs, WayAccess};
use super::OsmError;
use crate::geodesy::haversine_m;
use crate::network::streets::StreetMode;
use indicatif::ProgressBar;
use osmpbf::{Element, ElementReader};
use std::path::Path;

/// Walking speed on an imported graph (the project's default, as for the crow-fly proxy).
pub const WALK_KMH: f32 = 4.8;
/// Cycling speed on an imported graph.
pub const BIKE_KMH: f32 = 15.0;

/// What one mode's graph holds after import.
#[derive(Debug, Clone, PartialEq)]
pub struct ModeSummary {
    pub mode: StreetMode,
    pub nodes: usize,
    pub edges: usize,
    pub segments: usize,
    pub km: f64,
    /// Strongly connected components other than the largest, dropped with their vertices.
    pub dropped_components: usize,
    pub dropped_nodes: usize,
}

/// What an import read and built.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportSummary {
    pub highway_ways: usize,
    pub ways_missing_nodes: usize,
    pub modes: Vec<ModeSummary>,
}

struct RawWay {
    id: i64,
    access: WayAccess,
    refs: Vec<i64>,
}

/// Reads `pbf` and builds one graph per mode that has streets, in walk, bike, drive order.
pub fn build_graphs(
    pbf: &Path,
    progress: &ProgressBar,
) -> Result<(Vec<Graph>, ImportSummary), OsmError> {
    progress.set_message("reading ways");
    let mut ways = guarded(pbf, || read_ways(pbf, progress))?;
    // Blocks are decoded in parallel: sort so the output does not depend on thread timing.
    ways.sort_unstable_by_key(|w| w.id);
    if ways.is_empty() {
        return Err(OsmError::NoRoads {
            path: pbf.to_path_buf(),
        });
    }
    let mut ids: Vec<i64> = ways.iter().flat_map(|w| w.refs.iter().copied()).collect();
    ids.sort_unstable();
    ids.dedup();

    progress.set_message("reading nodes");
    let coords = guarded(pbf, || read_nodes(pbf, &ids, progress))?;
    let refs: Vec<Vec<u32>> = ways
        .iter()
        .map(|w| {
            w.refs
                .iter()
                .map(|r| ids.binary_search(r).map_or(u32::MAX, |i| i as u32))
                .collect()
        })
        .collect();
    let ways_missing_nodes = refs
        .iter()
        .filter(|r| {
            r.iter()
                .any(|&i| i == u32::MAX || coords[i as usize][0].is_nan())
        })
        .count();

    let mut graphs = Vec::new();
    let mut modes = Vec::new();
    for mode in StreetMode::ALL {
        progress.set_message(format!("building {mode} graph"));
        let (graph, summary) = build_mode(mode, &ways, &refs, &coords);
        if let Some(g) = graph {
            graphs.push(g);
        }
        modes.push(summary);
        progress.tick();
    }
    if graphs.is_empty() {
        return Err(OsmError::NoRoads {
            path: pbf.to_path_buf(),
        });
    }
    Ok((
        graphs,
        ImportSummary {
            highway_ways: ways.len(),
            ways_missing_nodes,
            modes,
        },
    ))
}

/// Imports `pbf` into `out_dir` (`walk.graph`, `bike.graph`, `drive.graph`).
pub fn import_pbf(
    pbf: &Path,
    out_dir: &Path,
    progress: &ProgressBar,
) -> Result<ImportSummary, OsmError> {
    let (graphs, summary) = build_graphs(pbf, progress)?;
    std::fs::create_dir_all(out_dir).map_err(|e| OsmError::io(out_dir, e))?;
    for mode in StreetMode::ALL {
        let path = super::graph_path(out_dir, mode);
        match graphs.iter().find(|g| g.mode == mode) {
            Some(g) => g.write(&path)?,
            // A stale graph from an earlier import must not survive beside the new ones.
            None if path.exists() => {
                std::fs::remove_file(&path).map_err(|e| OsmError::io(&path, e))?
            }
            None => {}
        }
    }
    Ok(summary)
}

/// Runs a PBF pass, turning a panic inside the decoder into an error about the file.
fn guarded<T>(pbf: &Path, f: impl FnOnce() -> Result<T, OsmError>) -> Result<T, OsmError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(OsmError::Pbf {
            path: pbf.to_path_buf(),
            message: "the decoder failed on malformed data".into(),
        })
    })
}

fn pbf_error(pbf: &Path, e: osmpbf::Error) -> OsmError {
    match e.into_kind() {
        osmpbf::ErrorKind::Io(io) => OsmError::io(pbf, io),
        other => OsmError::Pbf {
            path: pbf.to_path_buf(),
            message: format!("{other:?}"),
        },
    }
}

fn read_ways(pbf: &Path, progress: &ProgressBar) -> Result<Vec<RawWay>, OsmError> {
    let reader = ElementReader::from_path(pbf).map_err(|e| pbf_error(pbf, e))?;
    reader
        .par_map_reduce(
            |el| match el {
                Element::Way(w) => {
                    progress.inc(1);
                    let tags: Vec<(&str, &str)> = w.tags().collect();
                    let access = way_access(&tags);
                    if !access.any() {
                        return Vec::new();
                    }
                    vec![RawWay {
                        id: w.id(),
                        access,
                        refs: w.refs().collect(),
                    }]
                }
                _ => Vec::new(),
            },
            Vec::new,
            concat,
        )
        .map_err(|e| pbf_error(pbf, e))
}

/// Joins two partial results of a parallel pass, appending the shorter to the longer.
fn concat<T>(mut a: Vec<T>, mut b: Vec<T>) -> Vec<T> {
    if a.len() < b.len() {
        std::mem::swap(&mut a, &mut b);
    }
    a.append(&mut b);
    a
}

/// Coordinates of the nodes in `ids` (sorted); NaN for nodes the file lacks.
fn read_nodes(pbf: &Path, ids: &[i64], progress: &ProgressBar) -> Result<Vec<[f64; 2]>, OsmError> {
    let reader = ElementReader::from_path(pbf).map_err(|e| pbf_error(pbf, e))?;
    let found = reader
        .par_map_reduce(
            |el| {
                let (id, lon, lat) = match el {
                    Element::Node(n) => (n.id(), n.lon(), n.lat()),
                    Element::DenseNode(n) => (n.id(), n.lon(), n.lat()),
                    _ => return Vec::new(),
                };
                progress.inc(1);
                match ids.binary_search(&id) {
                    Ok(i) if lon.abs() <= 180.0 && lat.abs() <= 90.0 => vec![(i as u32, lon, lat)],
                    _ => Vec::new(),
                }
            },
            Vec::new,
            concat,
        )
        .map_err(|e| pbf_error(pbf, e))?;
    let mut coords = vec![[f64::NAN; 2]; ids.len()];
    for (i, lon, lat) in found {
        coords[i as usize] = [lon, lat];
    }
    Ok(coords)
}

fn mode_dirs(a: &WayAccess, mode: StreetMode) -> Dirs {
    match mode {
        StreetMode::Walk => a.walk,
        StreetMode::Bike => a.bike,
        StreetMode::Drive => a.drive,
    }
}

fn mode_kmh(a: &WayAccess, mode: StreetMode) -> f32 {
    match mode {
        StreetMode::Walk => WALK_KMH,
        StreetMode::Bike => BIKE_KMH,
        StreetMode::Drive => a.drive_kmh,
    }
}

/// A segment before vertex renumbering; `a`, `b` index the node id table.
struct RawSeg {
    a: u32,
    b: u32,
    len_m: f64,
    secs: f64,
    dir: u32,
    shape: std::ops::Range<usize>,
}

fn build_mode(
    mode: StreetMode,
    ways: &[RawWay],
    refs: &[Vec<u32>],
    coords: &[[f64; 2]],
) -> (Option<Graph>, ModeSummary) {
    let known = |i: u32| i != u32::MAX && !coords[i as usize][0].is_nan();
    // How many times each node is used by this mode's ways: 2+ makes it a vertex.
    let mut uses = vec![0u8; coords.len()];
    for (w, r) in ways.iter().zip(refs) {
        if mode_dirs(&w.access, mode).any() {
            for &i in r.iter().filter(|&&i| known(i)) {
                uses[i as usize] = uses[i as usize].saturating_add(1);
            }
        }
    }

    let mut segs: Vec<RawSeg> = Vec::new();
    let mut shape: Vec<[f64; 2]> = Vec::new();
    for (w, r) in ways.iter().zip(refs) {
        let dirs = mode_dirs(&w.access, mode);
        if !dirs.any() {
            continue;
        }
        let mps = f64::from(mode_kmh(&w.access, mode)) / 3.6;
        let mut start: Option<u32> = None;
        let mut prev = 0u32;
        let mut len = 0.0;
        let mut shape_start = shape.len();
        for (k, &i) in r.iter().enumerate() {
            if !known(i) {
                // A node outside the extract: the run already ended at the node before it
                // (`next_missing` below), so only the open run is dropped.
                start = None;
                shape.truncate(shape_start);
                continue;
            }
            let p = coords[i as usize];
            let Some(s) = start else {
                start = Some(i);
                prev = i;
                len = 0.0;
                shape_start = shape.len();
                continue;
            };
            len += haversine_m(coords[prev as usize], p);
            prev = i;
            let next_missing = r.get(k + 1).is_some_and(|&n| !known(n));
            if k + 1 == r.len() || uses[i as usize] >= 2 || next_missing {
                if i != s {
                    push_seg(&mut segs, s, i, len, mps, dirs, shape_start..shape.len());
                } else {
                    shape.truncate(shape_start);
                }
                start = Some(i);
                len = 0.0;
                shape_start = shape.len();
            } else {
                shape.push(p);
            }
        }
        if start.is_some() {
            shape.truncate(shape_start);
        }
    }

    // Vertex ids in first-seen order, then the largest strongly connected component.
    let mut vid = vec![u32::MAX; coords.len()];
    let mut verts: Vec<u32> = Vec::new();
    for s in &segs {
        for v in [s.a, s.b] {
            if vid[v as usize] == u32::MAX {
                vid[v as usize] = verts.len() as u32;
                verts.push(v);
            }
        }
    }
    let n = verts.len();
    let arcs = segs.iter().flat_map(|s| {
        let (a, b) = (vid[s.a as usize], vid[s.b as usize]);
        let f = (s.dir & DIR_FORWARD != 0).then_some((a, b));
        let r = (s.dir & DIR_BACKWARD != 0).then_some((b, a));
        f.into_iter().chain(r)
    });
    let (first, head) = csr(n, arcs);
    let (comp, sizes) = strongly_connected(n, &first, &head);
    let largest = (0..sizes.len()).max_by_key(|&c| sizes[c]).map(|c| c as u32);
    let kept = largest.map_or(0, |c| sizes[c as usize]);

    // Renumber kept vertices along a Z-order curve so neighbours sit near in memory.
    let mut order: Vec<u32> = (0..n as u32)
        .filter(|&v| Some(comp[v as usize]) == largest)
        .collect();
    let bbox = order.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, &v| {
            let p = coords[verts[v as usize] as usize];
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        },
    );
    order.sort_by_cached_key(|&v| morton(coords[verts[v as usize] as usize], bbox));
    let mut new_id = vec![u32::MAX; n];
    for (k, &v) in order.iter().enumerate() {
        new_id[v as usize] = k as u32;
    }

    let mut g = Graph {
        mode,
        node_lon: order
            .iter()
            .map(|&v| coords[verts[v as usize] as usize][0] as f32)
            .collect(),
        node_lat: order
            .iter()
            .map(|&v| coords[verts[v as usize] as usize][1] as f32)
            .collect(),
        first_out: Vec::new(),
        head: Vec::new(),
        edge_secs: Vec::new(),
        edge_seg: Vec::new(),
        seg_a: Vec::new(),
        seg_b: Vec::new(),
        seg_len_m: Vec::new(),
        seg_secs: Vec::new(),
        seg_dir: Vec::new(),
        shape_first: vec![0],
        shape_lon: Vec::new(),
        shape_lat: Vec::new(),
    };
    for s in &segs {
        let (a, b) = (
            new_id[vid[s.a as usize] as usize],
            new_id[vid[s.b as usize] as usize],
        );
        if a == u32::MAX || b == u32::MAX {
            continue;
        }
        g.seg_a.push(a);
        g.seg_b.push(b);
        g.seg_len_m.push(s.len_m as f32);
        g.seg_secs.push(s.secs as f32);
        g.seg_dir.push(s.dir);
        for p in &shape[s.shape.clone()] {
            g.shape_lon.push(p[0] as f32);
            g.shape_lat.push(p[1] as f32);
        }
        g.shape_first.push(g.shape_lon.len() as u32);
    }
    // Directed edges, grouped by tail (counting sort).
    let mut edges: Vec<(u32, u32, f32, u32)> = Vec::new();
    for s in 0..g.num_segments() {
        let (a, b, secs, dir) = (g.seg_a[s], g.seg_b[s], g.seg_secs[s], g.seg_dir[s]);
        if dir & DIR_FORWARD != 0 {
            edges.push((a, b, secs, s as u32));
        }
        if dir & DIR_BACKWARD != 0 {
            edges.push((b, a, secs, s as u32 | REVERSED));
        }
    }
    edges.sort_by_key(|e| (e.0, e.1, e.3));
    let mut first_out = vec![0u32; g.num_nodes() + 1];
    for e in &edges {
        first_out[e.0 as usize + 1] += 1;
    }
    for v in 0..g.num_nodes() {
        first_out[v + 1] += first_out[v];
    }
    g.first_out = first_out;
    g.head = edges.iter().map(|e| e.1).collect();
    g.edge_secs = edges.iter().map(|e| e.2).collect();
    g.edge_seg = edges.iter().map(|e| e.3).collect();

    let summary = ModeSummary {
        mode,
        nodes: g.num_nodes(),
        edges: g.num_edges(),
        segments: g.num_segments(),
        km: g.km(),
        dropped_components: sizes.len().saturating_sub(1),
        dropped_nodes: n - kept,
    };
    ((g.num_edges() > 0).then_some(g), summary)
}

fn push_seg(
    segs: &mut Vec<RawSeg>,
    a: u32,
    b: u32,
    len_m: f64,
    mps: f64,
    dirs: Dirs,
    shape: std::ops::Range<usize>,
) {
    segs.push(RawSeg {
        a,
        b,
        len_m,
        secs: len_m / mps,
        dir: u32::from(dirs.bits()),
        shape,
    });
}

/// Compressed adjacency from (tail, head) arcs.
fn csr(n: usize, arcs: impl Iterator<Item = (u32, u32)> + Clone) -> (Vec<u32>, Vec<u32>) {
    let mut first = vec![0u32; n + 1];
    for (a, _) in arcs.clone() {
        first[a as usize + 1] += 1;
    }
    for v in 0..n {
        first[v + 1] += first[v];
    }
    let mut fill = first.clone();
    let mut head = vec![0u32; first[n] as usize];
    for (a, b) in arcs {
        head[fill[a as usize] as usize] = b;
        fill[a as usize] += 1;
    }
    (first, head)
}

/// Tarjan's strongly connected components without recursion: component id per vertex and the
/// size of each component.
pub fn strongly_connected(n: usize, first: &[u32], head: &[u32]) -> (Vec<u32>, Vec<usize>) {
    const UNSEEN: u32 = u32::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![UNSEEN; n];
    let mut sizes = Vec::new();
    let mut stack: Vec<u32> = Vec::new();
    let mut calls: Vec<(u32, u32)> = Vec::new();
    let mut counter = 0u32;
    for root in 0..n as u32 {
        if index[root as usize] != UNSEEN {
            continue;
        }
        index[root as usize] = counter;
        low[root as usize] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        calls.push((root, first[root as usize]));
        while let Some(&mut (v, ref mut e)) = calls.last_mut() {
            if *e < first[v as usize + 1] {
                let w = head[*e as usize];
                *e += 1;
                if index[w as usize] == UNSEEN {
                    index[w as usize] = counter;
                    low[w as usize] = counter;
                    counter += 1;
                    stack.push(w);
                    on_stack[w as usize] = true;
                    calls.push((w, first[w as usize]));
                } else if on_stack[w as usize] {
                    low[v as usize] = low[v as usize].min(index[w as usize]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(u, _)) = calls.last() {
                low[u as usize] = low[u as usize].min(low[v as usize]);
            }
            if low[v as usize] == index[v as usize] {
                let c = sizes.len() as u32;
                let mut size = 0;
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    comp[w as usize] = c;
                    size += 1;
                    if w == v {
                        break;
                    }
                }
                sizes.push(size);
            }
        }
    }
    (comp, sizes)
}

/// Z-order key of a point within a bounding box (16 bits per axis).
fn morton(p: [f64; 2], bbox: [f64; 4]) -> u32 {
    let q = |x: f64, lo: f64, hi: f64| {
        let span = (hi - lo).max(1e-12);
        (((x - lo) / span).clamp(0.0, 1.0) * 65535.0) as u32
    };
    let spread = |mut x: u32| {
        x &= 0xffff;
        x = (x | (x << 8)) & 0x00ff_00ff;
        x = (x | (x << 4)) & 0x0f0f_0f0f;
        x = (x | (x << 2)) & 0x3333_3333;
        x = (x | (x << 1)) & 0x5555_5555;
        x
    };
    spread(q(p[0], bbox[0], bbox[2])) | (spread(q(p[1], bbox[1], bbox[3])) << 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tarjan_finds_cycles_and_singletons() {
        // 0 → 1 → 2 → 0, 2 → 3, 3 alone; 4 ↔ 5.
        let arcs = [(0, 1), (1, 2), (2, 0), (2, 3), (4, 5), (5, 4)];
        let (first, head) = csr(6, arcs.iter().copied());
        let (comp, sizes) = strongly_connected(6, &first, &head);
        assert_eq!(sizes.len(), 3);
        assert_eq!(comp[0], comp[1]);
        assert_eq!(comp[1], comp[2]);
        assert_ne!(comp[3], comp[0]);
        assert_eq!(comp[4], comp[5]);
        assert_eq!(sizes[comp[0] as usize], 3);
    }

    #[test]
    fn tarjan_survives_a_long_path() {
        // A million-vertex cycle would overflow a recursive implementation's stack.
        let n = 1_000_000u32;
        let arcs = (0..n).map(|v| (v, (v + 1) % n));
        let (first, head) = csr(n as usize, arcs);
        let (_, sizes) = strongly_connected(n as usize, &first, &head);
        assert_eq!(sizes, vec![n as usize]);
    }
}
