//! Street networks imported from OpenStreetMap: the importer ([`import_pbf`]), the compact
//! per-mode graph file ([`Graph`]), and [`OsmStreets`], the [`StreetModel`] over those graphs.
//!
//! A query point is snapped to the nearest street segment (at most [`DEFAULT_MAX_SNAP_M`]
//! away); the walk from the point to the street counts at walking speed, and the partial
//! segment from the snapped point to its ends at the segment's own speed, respecting oneways.

mod graph;
mod import;
mod matrix;
mod search;
pub mod tags;

pub use graph::{checksum, Graph, GraphFileError, DIR_BACKWARD, DIR_FORWARD, FORMAT_VERSION};
pub use import::{
    build_graphs, import_pbf, strongly_connected, ImportSummary, ModeSummary, BIKE_KMH, WALK_KMH,
};
pub use search::{one_to_all, Search};

use super::{Seed, StreetError, StreetField, StreetMode, StreetModel, StreetModelInfo, StreetTime};
use crate::geodesy::LocalFrame;
use crate::raster::TimeGrid;
use graph::REVERSED;
use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// A point query also looks at streets up to this much farther than the nearest one, metres.
pub const NEARBY_M: f64 = 100.0;

/// How far a point may lie from the nearest street of a mode, metres.
pub const DEFAULT_MAX_SNAP_M: f64 = 500.0;

#[derive(Debug, thiserror::Error)]
pub enum OsmError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a readable OSM PBF file ({message})", path.display())]
    Pbf { path: PathBuf, message: String },
    #[error("{}: the file holds no streets (no usable highway=* ways)", path.display())]
    NoRoads { path: PathBuf },
    #[error("{}: not a cityreach street graph (wrong magic bytes)", path.display())]
    NotAGraph { path: PathBuf },
    #[error(
        "{}: graph file from another version (format {found}, this build reads {expected}); run import-osm again",
        path.display()
    )]
    GraphVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error("{}: graph file is damaged (checksum mismatch); run import-osm again", path.display())]
    GraphChecksum { path: PathBuf },
    #[error("{}: graph file is damaged ({what}); run import-osm again", path.display())]
    GraphCorrupt { path: PathBuf, what: &'static str },
    #[error("{}: no street graphs (walk.graph, bike.graph, drive.graph); run import-osm first", dir.display())]
    NoGraphs { dir: PathBuf },
}

impl OsmError {
    fn io(path: &Path, source: std::io::Error) -> OsmError {
        OsmError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The file a mode's graph lives in inside an import directory.
pub fn graph_path(dir: &Path, mode: StreetMode) -> PathBuf {
    dir.join(format!("{}.graph", mode.as_str()))
}

fn walk_mps() -> f64 {
    f64::from(WALK_KMH) / 3.6
}

/// A point snapped onto a segment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    pub segment: u32,
    /// Position along the segment from `a` (0) to `b` (1), by length.
    pub fraction: f64,
    /// Straight-line distance from the point to the street, metres.
    pub distance_m: f64,
}

type SegPiece = GeomWithData<Line<[f64; 2]>, (u32, f64)>;

/// R-tree over segment pieces in a local metric frame; values: (segment, metres along it before
/// the piece).
struct SnapIndex {
    frame: LocalFrame,
    tree: RTree<SegPiece>,
    /// Planar length of each segment in the frame (fractions are taken on it).
    seg_len: Vec<f64>,
}

impl SnapIndex {
    fn build(g: &Graph) -> SnapIndex {
        let bbox = g.bbox().unwrap_or([0.0; 4]);
        let frame = LocalFrame::new([(bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0]);
        let mut pieces = Vec::new();
        let mut seg_len = Vec::with_capacity(g.num_segments());
        for s in 0..g.num_segments() as u32 {
            let mut along = 0.0;
            let mut prev: Option<[f64; 2]> = None;
            for p in g.segment_points(s) {
                let xy = frame.to_xy(p);
                if let Some(q) = prev {
                    pieces.push(GeomWithData::new(Line::new(q, xy), (s, along)));
                    along += dist(q, xy);
                }
                prev = Some(xy);
            }
            seg_len.push(along);
        }
        SnapIndex {
            frame,
            tree: RTree::bulk_load(pieces),
            seg_len,
        }
    }

    fn snap(&self, p: [f64; 2], max_m: f64) -> Option<Snap> {
        let xy = self.frame.to_xy(p);
        let piece = self.tree.nearest_neighbor(&xy)?;
        let snap = self.snap_to(piece, xy);
        (snap.distance_m <= max_m).then_some(snap)
    }

    fn snap_to(&self, piece: &SegPiece, xy: [f64; 2]) -> Snap {
        let near = piece.geom().nearest_point(&xy);
        let (s, before) = piece.data;
        let total = self.seg_len[s as usize];
        let along = before + dist(piece.geom().from, near);
        Snap {
            segment: s,
            fraction: if total > 0.0 {
                (along / total).clamp(0.0, 1.0)
            } else {
                0.0
            },
            distance_m: dist(near, xy),
        }
    }

    /// Street pieces by increasing distance from a point, as snaps.
    fn snaps_by_distance(&self, p: [f64; 2]) -> impl Iterator<Item = Snap> + '_ {
        let xy = self.frame.to_xy(p);
        self.tree
            .nearest_neighbor_iter(&xy)
            .map(move |piece| self.snap_to(piece, xy))
    }
}

fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

struct ModeGraph {
    graph: Graph,
    index: OnceLock<SnapIndex>,
    pool: Mutex<Vec<Search>>,
}

impl ModeGraph {
    fn index(&self) -> &SnapIndex {
        self.index.get_or_init(|| SnapIndex::build(&self.graph))
    }

    fn take_search(&self) -> Search {
        self.pool
            .lock()
            .ok()
            .and_then(|mut p| p.pop())
            .unwrap_or_else(|| Search::new(self.graph.num_nodes()))
    }
}

/// Street travel times on imported OpenStreetMap graphs.
pub struct OsmStreets {
    dir: PathBuf,
    modes: [Option<ModeGraph>; 3],
    max_snap_m: f64,
}

impl std::fmt::Debug for OsmStreets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OsmStreets")
            .field("dir", &self.dir)
            .field(
                "modes",
                &StreetMode::ALL
                    .iter()
                    .filter(|m| self.supports(**m))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

fn slot(mode: StreetMode) -> usize {
    graph::mode_code(mode) as usize
}

impl OsmStreets {
    /// Loads every mode graph present in `dir` (written by `import-osm`).
    pub fn load(dir: impl AsRef<Path>) -> Result<OsmStreets, OsmError> {
        let dir = dir.as_ref();
        let mut modes: [Option<ModeGraph>; 3] = [None, None, None];
        for mode in StreetMode::ALL {
            let path = graph_path(dir, mode);
            if !path.exists() {
                continue;
            }
            let graph = Graph::read(&path)?;
            if graph.mode != mode {
                return Err(OsmError::GraphCorrupt {
                    path,
                    what: "the file holds another mode's graph",
                });
            }
            modes[slot(mode)] = Some(ModeGraph {
                graph,
                index: OnceLock::new(),
                pool: Mutex::new(Vec::new()),
            });
        }
        if modes.iter().all(Option::is_none) {
            return Err(OsmError::NoGraphs {
                dir: dir.to_path_buf(),
            });
        }
        Ok(OsmStreets {
            dir: dir.to_path_buf(),
            modes,
            max_snap_m: DEFAULT_MAX_SNAP_M,
        })
    }

    /// Builds the model from graphs in memory (one per mode at most).
    pub fn from_graphs(graphs: Vec<Graph>) -> OsmStreets {
        let mut modes: [Option<ModeGraph>; 3] = [None, None, None];
        for graph in graphs {
            let i = slot(graph.mode);
            modes[i] = Some(ModeGraph {
                graph,
                index: OnceLock::new(),
                pool: Mutex::new(Vec::new()),
            });
        }
        OsmStreets {
            dir: PathBuf::new(),
            modes,
            max_snap_m: DEFAULT_MAX_SNAP_M,
        }
    }

    /// Changes how far from a street a seed or query point may lie.
    pub fn with_max_snap_m(mut self, m: f64) -> OsmStreets {
        self.max_snap_m = m;
        self
    }

    pub fn graph(&self, mode: StreetMode) -> Option<&Graph> {
        self.modes[slot(mode)].as_ref().map(|m| &m.graph)
    }

    /// Snaps a point onto the nearest segment of a mode's graph.
    pub fn snap(&self, mode: StreetMode, lonlat: [f64; 2]) -> Result<Snap, StreetError> {
        let mg = self.modes[slot(mode)]
            .as_ref()
            .ok_or(StreetError::ModeUnavailable(mode))?;
        mg.index()
            .snap(lonlat, self.max_snap_m)
            .ok_or(StreetError::NoStreetNearby {
                mode,
                lon: lonlat[0],
                lat: lonlat[1],
                max_snap_m: self.max_snap_m,
            })
    }

    /// Builds the snapping index of every mode now rather than on the first query.
    pub fn prepare(&self) {
        for m in self.modes.iter().flatten() {
            m.index();
        }
    }
}

impl StreetModel for OsmStreets {
    fn extent(&self) -> Option<[f64; 4]> {
        self.modes
            .iter()
            .flatten()
            .filter_map(|m| m.graph.bbox())
            .reduce(|a, b| {
                [
                    a[0].min(b[0]),
                    a[1].min(b[1]),
                    a[2].max(b[2]),
                    a[3].max(b[3]),
                ]
            })
    }

    fn info(&self, mode: StreetMode) -> StreetModelInfo {
        // The speeds are f32 constants: round so 4.8 prints as 4.8, not 4.800000190734863.
        let kmh = |v: f32| (f64::from(v) * 100.0).round() / 100.0;
        let speed = match mode {
            StreetMode::Walk => Some(kmh(WALK_KMH)),
            StreetMode::Bike => Some(kmh(BIKE_KMH)),
            StreetMode::Drive => None,
        };
        let how = match mode {
            StreetMode::Drive => {
                "car speed per street from maxspeed or the street class".to_string()
            }
            _ => format!(
                "{} km/h on every street it may use",
                speed.unwrap_or_default()
            ),
        };
        StreetModelInfo {
            model: "osm".into(),
            mode,
            speed_kmh: speed,
            detour_factor: None,
            description: format!(
                "OpenStreetMap street graph ({how}); points snap to the nearest street within {} m, \
                 walking to it at {WALK_KMH} km/h.",
                self.max_snap_m
            ),
        }
    }

    fn supports(&self, mode: StreetMode) -> bool {
        self.modes[slot(mode)].is_some()
    }

    fn many_to_many(
        &self,
        mode: StreetMode,
        origins: &[[f64; 2]],
        destinations: &[[f64; 2]],
        max_secs: f64,
    ) -> Option<Vec<Option<f64>>> {
        let mg = self.modes[slot(mode)].as_ref()?;
        Some(matrix::many_to_many(
            self,
            mode,
            mg,
            origins,
            destinations,
            max_secs,
        ))
    }

    /// Seeds farther than the snap distance from every street are skipped; the spread fails only
    /// when no seed reaches a street.
    fn spread(
        &self,
        mode: StreetMode,
        seeds: &[Seed],
        max_secs: f64,
    ) -> Result<Box<dyn StreetField + '_>, StreetError> {
        let mg = self.modes[slot(mode)]
            .as_ref()
            .ok_or(StreetError::ModeUnavailable(mode))?;
        let g = &mg.graph;
        let mut snapped = Vec::new();
        let mut sources = Vec::new();
        let mut first_err = None;
        for (k, s) in seeds.iter().enumerate().filter(|(_, s)| s.secs <= max_secs) {
            match self.snap(mode, s.lonlat) {
                Ok(snap) => {
                    let t0 = s.secs + snap.distance_m / walk_mps();
                    if t0 > max_secs {
                        continue;
                    }
                    let seg = snap.segment as usize;
                    let secs = f64::from(g.seg_secs[seg]);
                    let (to_a, to_b) = end_reach(g, &snap);
                    if to_b {
                        sources.push((
                            g.seg_b[seg],
                            (t0 + (1.0 - snap.fraction) * secs) as f32,
                            k as u32,
                        ));
                    }
                    if to_a {
                        sources.push((g.seg_a[seg], (t0 + snap.fraction * secs) as f32, k as u32));
                    }
                    snapped.push(SeedSnap {
                        snap,
                        t0,
                        lonlat: s.lonlat,
                        index: k,
                    });
                }
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        if snapped.is_empty() {
            if let Some(e) = first_err {
                return Err(e);
            }
        }
        let mut search = mg.take_search();
        search.run(g, &sources, max_secs as f32);
        Ok(Box::new(OsmField {
            streets: self,
            mg,
            search: Some(search),
            seeds: snapped,
            max_secs,
        }))
    }
}

/// Within this distance of a segment's end a point counts as being at that vertex, whatever the
/// segment's direction (a point at a vertex can leave it along any edge).
const AT_VERTEX_M: f64 = 0.5;

/// Whether a snapped point is at the segment's `a` / `b` end.
fn at_ends(g: &Graph, seg: u32, f: f64) -> (bool, bool) {
    let len = f64::from(g.seg_len_m[seg as usize]);
    (f * len <= AT_VERTEX_M, (1.0 - f) * len <= AT_VERTEX_M)
}

/// Which ends a seed on a segment can reach: along the allowed directions, or by standing on it.
fn end_reach(g: &Graph, snap: &Snap) -> (bool, bool) {
    let dir = g.seg_dir[snap.segment as usize];
    let (at_a, at_b) = at_ends(g, snap.segment, snap.fraction);
    (
        dir & DIR_BACKWARD != 0 || at_a,
        dir & DIR_FORWARD != 0 || at_b,
    )
}

struct SeedSnap {
    snap: Snap,
    /// Index into the seeds given to `spread`.
    index: usize,
    t0: f64,
    lonlat: [f64; 2],
}

/// Arrival times of one spread; its search buffers go back to the pool when it is dropped.
struct OsmField<'a> {
    streets: &'a OsmStreets,
    mg: &'a ModeGraph,
    search: Option<Search>,
    seeds: Vec<SeedSnap>,
    max_secs: f64,
}

impl Drop for OsmField<'_> {
    fn drop(&mut self) {
        if let (Some(mut s), Ok(mut pool)) = (self.search.take(), self.mg.pool.lock()) {
            s.reset();
            pool.push(s);
        }
    }
}

impl OsmField<'_> {
    fn dist(&self) -> &[f32] {
        self.search.as_ref().map_or(&[], |s| s.dist())
    }

    fn touched(&self) -> &[u32] {
        self.search.as_ref().map_or(&[], |s| s.touched())
    }

    /// Earliest arrival at a position on a segment (without any off-street walk), with the
    /// seed it came from.
    fn time_on_segment(&self, seg: u32, f: f64) -> StreetTime {
        let g = &self.mg.graph;
        let s = seg as usize;
        let secs = f64::from(g.seg_secs[s]);
        let (dist, origin) = match &self.search {
            Some(sr) => (sr.dist(), sr.origin()),
            None => (&[][..], &[][..]),
        };
        let mut best = StreetTime {
            secs: f64::INFINITY,
            seed: 0,
        };
        let mut offer = |t: f64, seed: usize| {
            if t < best.secs {
                best = StreetTime { secs: t, seed };
            }
        };
        let on_seg = |sd: &&SeedSnap| sd.snap.segment == seg;
        let (at_a, at_b) = at_ends(g, seg, f);
        if g.seg_dir[s] & DIR_FORWARD != 0 || at_a {
            let a = g.seg_a[s] as usize;
            if let (Some(&t), Some(&o)) = (dist.get(a), origin.get(a)) {
                offer(f64::from(t) + f * secs, o as usize);
            }
        }
        if g.seg_dir[s] & DIR_FORWARD != 0 {
            for sd in self
                .seeds
                .iter()
                .filter(on_seg)
                .filter(|sd| sd.snap.fraction <= f)
            {
                offer(sd.t0 + (f - sd.snap.fraction) * secs, sd.index);
            }
        }
        if g.seg_dir[s] & DIR_BACKWARD != 0 || at_b {
            let b = g.seg_b[s] as usize;
            if let (Some(&t), Some(&o)) = (dist.get(b), origin.get(b)) {
                offer(f64::from(t) + (1.0 - f) * secs, o as usize);
            }
        }
        if g.seg_dir[s] & DIR_BACKWARD != 0 {
            for sd in self
                .seeds
                .iter()
                .filter(on_seg)
                .filter(|sd| sd.snap.fraction >= f)
            {
                offer(sd.t0 + (sd.snap.fraction - f) * secs, sd.index);
            }
        }
        best
    }

    /// Calls `visit(point, secs)` at points no more than `step_m` apart along every reached
    /// street, in the frame `frame`, while the arrival stays within the budget. A street reached
    /// over its whole length (from one end, or from both ends meeting within the budget) is
    /// first offered to `whole(segment)`; if that returns true, its points are not visited.
    fn sample_reached(
        &self,
        frame: &LocalFrame,
        step_m: f64,
        mut visit: impl FnMut([f64; 2], f64),
        mut whole: impl FnMut(u32) -> bool,
    ) {
        let g = &self.mg.graph;
        let dist = self.dist();
        let mut line: Vec<[f64; 2]> = Vec::new();
        let fill_line = |seg: u32, reversed: bool, line: &mut Vec<[f64; 2]>| {
            line.clear();
            line.extend(g.segment_points(seg).map(|p| frame.to_xy(p)));
            if reversed {
                line.reverse();
            }
        };
        for &u in self.touched() {
            let tu = f64::from(dist[u as usize]);
            if tu > self.max_secs {
                continue;
            }
            visit(frame.to_xy(g.node_lonlat(u)), tu);
            for e in g.first_out[u as usize]..g.first_out[u as usize + 1] {
                let e = e as usize;
                let seg = g.edge_seg[e] & !REVERSED;
                let secs = f64::from(g.edge_secs[e]);
                // On a two-way street reached from both ends, each end draws up to where the
                // two arrivals meet; beyond it the other end is earlier.
                let tw = f64::from(dist[g.head[e] as usize]);
                let two_way = g.seg_dir[seg as usize] & (DIR_FORWARD | DIR_BACKWARD)
                    == DIR_FORWARD | DIR_BACKWARD;
                let limit = if two_way && tw.is_finite() {
                    self.max_secs.min((tu + tw + secs) / 2.0)
                } else {
                    self.max_secs
                };
                if tu >= limit && limit < self.max_secs {
                    continue;
                }
                let covered = tu + secs <= self.max_secs
                    || (two_way && (tu + tw + secs) / 2.0 <= self.max_secs);
                if covered && whole(seg) {
                    continue;
                }
                fill_line(seg, g.edge_seg[e] & REVERSED != 0, &mut line);
                walk_line(&line, 0.0, tu, secs, limit, step_m, &mut visit);
            }
        }
        for sd in &self.seeds {
            let s = sd.snap.segment as usize;
            let secs = f64::from(g.seg_secs[s]);
            visit(frame.to_xy(sd.lonlat), sd.t0);
            if g.seg_dir[s] & DIR_FORWARD != 0 {
                fill_line(sd.snap.segment, false, &mut line);
                walk_line(
                    &line,
                    sd.snap.fraction,
                    sd.t0,
                    secs,
                    self.max_secs,
                    step_m,
                    &mut visit,
                );
            }
            if g.seg_dir[s] & DIR_BACKWARD != 0 {
                fill_line(sd.snap.segment, true, &mut line);
                walk_line(
                    &line,
                    1.0 - sd.snap.fraction,
                    sd.t0,
                    secs,
                    self.max_secs,
                    step_m,
                    &mut visit,
                );
            }
        }
    }
}

/// Walks a polyline from fraction `from` on, at `secs` for its whole length starting at `t0`,
/// visiting points exactly `step_m` apart along it (however densely the line is drawn), and
/// the point where the time reaches `max_secs` or the line ends. An infinite step visits the
/// line's own vertices instead (for bounding boxes).
fn walk_line(
    line: &[[f64; 2]],
    from: f64,
    t0: f64,
    secs: f64,
    max_secs: f64,
    step_m: f64,
    visit: &mut impl FnMut([f64; 2], f64),
) {
    let total: f64 = line.windows(2).map(|w| dist(w[0], w[1])).sum();
    if total <= 0.0 || t0 > max_secs {
        return;
    }
    let rate = secs / total;
    let start = from * total;
    let end = if rate > 0.0 {
        (start + (max_secs - t0) / rate).min(total)
    } else {
        total
    };
    let vertices = step_m.is_infinite();
    let mut next = start;
    let mut before = 0.0;
    let mut last = line[0];
    for w in line.windows(2) {
        let l = dist(w[0], w[1]);
        let piece_end = before + l;
        let at = |s: f64| {
            let k = if l > 0.0 { (s - before) / l } else { 0.0 };
            [
                w[0][0] + (w[1][0] - w[0][0]) * k,
                w[0][1] + (w[1][1] - w[0][1]) * k,
            ]
        };
        while next <= piece_end && next <= end {
            if next >= before {
                visit(at(next), t0 + (next - start) * rate);
            }
            next = if vertices {
                f64::INFINITY
            } else {
                next + step_m
            };
        }
        if piece_end >= end {
            last = at(end);
            break;
        }
        if vertices && piece_end > start {
            visit(w[1], t0 + (piece_end - start) * rate);
        }
        last = w[1];
        before = piece_end;
    }
    visit(last, t0 + (end - start) * rate);
}

impl StreetField for OsmField<'_> {
    /// The earliest arrival over the nearest street and every street at most [`NEARBY_M`]
    /// farther, each plus the straight walk to it (a point beside a side street that the search
    /// has not reached is still reached from the main road a few metres farther away).
    fn time_at(&self, lonlat: [f64; 2]) -> Option<StreetTime> {
        let walk = walk_mps();
        let max_snap = self.streets.max_snap_m;
        let mut best: Option<StreetTime> = None;
        let mut nearest = None;
        for snap in self.mg.index().snaps_by_distance(lonlat) {
            let d = snap.distance_m;
            let first = *nearest.get_or_insert(d);
            let walk_secs = d / walk;
            if d > max_snap || d > first + NEARBY_M || best.is_some_and(|b| walk_secs >= b.secs) {
                break;
            }
            let mut t = self.time_on_segment(snap.segment, snap.fraction);
            t.secs += walk_secs;
            if t.secs <= self.max_secs && best.is_none_or(|b| t.secs < b.secs) {
                best = Some(t);
            }
        }
        best
    }

    /// Samples reached streets every 3/4 cell and lowers each cell whose centre lies within one
    /// cell of a sample to the sample's time plus the walk to the centre; cells farther from
    /// every reached street stay unreached. With samples 3/4 cell apart, a centre 0.9 cell from
    /// a street is at most √(0.9² + 0.375²) < 1 cell from a sample, so it is reached.
    fn fill_grid(&self, grid: &mut TimeGrid) {
        let frame = *grid.frame();
        let cell = grid.cell_m();
        let secs_per_m = 1.0 / walk_mps();
        let max = self.max_secs;
        self.sample_reached(
            &frame,
            cell * 0.75,
            |q, t| {
                grid.lower_within(q, t, cell, secs_per_m, max);
            },
            |_| false,
        );
    }

    fn extent(&self) -> Option<[f64; 4]> {
        let frame = LocalFrame::new(self.seeds.first().map_or([0.0, 0.0], |s| s.lonlat));
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        // An infinite step visits only the geometry's own points (and where the budget ends);
        // a street reached over its whole length adds its points as they are, in lon/lat.
        let g = &self.mg.graph;
        let grow = |b: &mut [f64; 4], p: [f64; 2]| {
            *b = [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ];
        };
        let mut whole = b;
        self.sample_reached(
            &frame,
            f64::INFINITY,
            |p, _| grow(&mut b, p),
            |seg| {
                for p in g.segment_points(seg) {
                    grow(&mut whole, p);
                }
                true
            },
        );
        let mut out = whole;
        if b[0].is_finite() {
            let sw = frame.to_lonlat([b[0], b[1]]);
            let ne = frame.to_lonlat([b[2], b[3]]);
            grow(&mut out, sw);
            grow(&mut out, ne);
        }
        out[0].is_finite().then_some(out)
    }
}
