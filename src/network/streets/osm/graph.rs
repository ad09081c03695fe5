//! The compact street graph of one mode and its binary file.
//!
//! Vertices are OSM nodes where streets meet (or end); a *segment* is the piece of a way between
//! two vertices, with its intermediate geometry; directed *edges* (CSR adjacency) point at the
//! segment they run along. File layout (little-endian), version [`FORMAT_VERSION`]:
//!
//! ```text
//! magic "CRSTREET" | version u32 | mode u8 + 3 pad | n_nodes u32 | n_edges u32 | n_segs u32 |
//! n_shape u32 | node_lon f32[n] | node_lat f32[n] | first_out u32[n+1] | head u32[m] |
//! edge_secs f32[m] | edge_seg u32[m] | seg_a u32[s] | seg_b u32[s] | seg_len_m f32[s] |
//! seg_secs f32[s] | seg_dir u32[s] | shape_first u32[s+1] | shape_lon f32[k] | shape_lat f32[k] |
//! checksum u64 (FNV-1a over the preceding bytes, 8-byte words)
//! ```

use super::OsmError;
use crate::network::streets::StreetMode;
use std::path::Path;

pub const MAGIC: &[u8; 8] = b"CRSTREET";
pub const FORMAT_VERSION: u32 = 1;
/// `edge_seg` bit marking an edge that runs a segment from `b` to `a`.
pub const REVERSED: u32 = 1 << 31;

/// Segment direction bits (as in [`super::tags::Dirs::bits`]).
pub const DIR_FORWARD: u32 = 1;
pub const DIR_BACKWARD: u32 = 2;

/// A street graph for one mode: CSR adjacency over vertices, plus segment geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    pub mode: StreetMode,
    pub node_lon: Vec<f32>,
    pub node_lat: Vec<f32>,
    /// Out-edges of vertex `v` are `first_out[v]..first_out[v + 1]`.
    pub first_out: Vec<u32>,
    pub head: Vec<u32>,
    /// Travel time along the edge, seconds.
    pub edge_secs: Vec<f32>,
    /// Segment index of the edge, with [`REVERSED`] set when it runs b → a.
    pub edge_seg: Vec<u32>,
    pub seg_a: Vec<u32>,
    pub seg_b: Vec<u32>,
    pub seg_len_m: Vec<f32>,
    /// Travel time along the whole segment (either allowed direction), seconds.
    pub seg_secs: Vec<f32>,
    /// [`DIR_FORWARD`] | [`DIR_BACKWARD`].
    pub seg_dir: Vec<u32>,
    /// Intermediate points of segment `s` are `shape_first[s]..shape_first[s + 1]`.
    pub shape_first: Vec<u32>,
    pub shape_lon: Vec<f32>,
    pub shape_lat: Vec<f32>,
}

impl Graph {
    pub fn num_nodes(&self) -> usize {
        self.node_lon.len()
    }

    pub fn num_edges(&self) -> usize {
        self.head.len()
    }

    pub fn num_segments(&self) -> usize {
        self.seg_a.len()
    }

    pub fn node_lonlat(&self, v: u32) -> [f64; 2] {
        [
            f64::from(self.node_lon[v as usize]),
            f64::from(self.node_lat[v as usize]),
        ]
    }

    /// Total length of all segments, km.
    pub fn km(&self) -> f64 {
        self.seg_len_m.iter().map(|&l| f64::from(l)).sum::<f64>() / 1000.0
    }

    /// The full polyline of a segment from `a` to `b`.
    pub fn segment_points(&self, s: u32) -> impl Iterator<Item = [f64; 2]> + '_ {
        let s = s as usize;
        let (lo, hi) = (
            self.shape_first[s] as usize,
            self.shape_first[s + 1] as usize,
        );
        std::iter::once(self.node_lonlat(self.seg_a[s]))
            .chain((lo..hi).map(|i| [f64::from(self.shape_lon[i]), f64::from(self.shape_lat[i])]))
            .chain(std::iter::once(self.node_lonlat(self.seg_b[s])))
    }

    /// The vertex nearest to a point (linear scan; for tools, not for queries).
    pub fn nearest_node(&self, p: [f64; 2]) -> Option<u32> {
        let frame = crate::geodesy::LocalFrame::new(p);
        (0..self.num_nodes() as u32)
            .map(|v| {
                let xy = frame.to_xy(self.node_lonlat(v));
                (xy[0] * xy[0] + xy[1] * xy[1], v)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, v)| v)
    }

    /// Bounding box (west, south, east, north) of the vertices.
    pub fn bbox(&self) -> Option<[f64; 4]> {
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for v in 0..self.num_nodes() as u32 {
            let p = self.node_lonlat(v);
            b = [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ];
        }
        b[0].is_finite().then_some(b)
    }

    /// Builds a graph from vertices (lon, lat) and straight segments `(a, b, secs, dir)`
    /// (`dir`: [`DIR_FORWARD`] | [`DIR_BACKWARD`]), without shape points: for synthetic
    /// networks in tests and benchmarks. Lengths are great-circle distances; every index is
    /// checked as for a file.
    pub fn from_edges(
        mode: StreetMode,
        nodes: &[[f64; 2]],
        segments: &[(u32, u32, f32, u32)],
    ) -> Result<Graph, GraphFileError> {
        let n = nodes.len();
        if segments
            .iter()
            .any(|&(a, b, _, d)| a as usize >= n || b as usize >= n || d & 3 == 0 || d & !3 != 0)
        {
            return Err(GraphFileError::Invalid("segment"));
        }
        let mut edges: Vec<(u32, u32, f32, u32)> = Vec::new();
        for (s, &(a, b, secs, dir)) in segments.iter().enumerate() {
            if dir & DIR_FORWARD != 0 {
                edges.push((a, b, secs, s as u32));
            }
            if dir & DIR_BACKWARD != 0 {
                edges.push((b, a, secs, s as u32 | REVERSED));
            }
        }
        edges.sort_by_key(|e| (e.0, e.1, e.3));
        let mut first_out = vec![0u32; n + 1];
        for e in &edges {
            first_out[e.0 as usize + 1] += 1;
        }
        for v in 0..n {
            first_out[v + 1] += first_out[v];
        }
        let g = Graph {
            mode,
            node_lon: nodes.iter().map(|p| p[0] as f32).collect(),
            node_lat: nodes.iter().map(|p| p[1] as f32).collect(),
            first_out,
            head: edges.iter().map(|e| e.1).collect(),
            edge_secs: edges.iter().map(|e| e.2).collect(),
            edge_seg: edges.iter().map(|e| e.3).collect(),
            seg_a: segments.iter().map(|s| s.0).collect(),
            seg_b: segments.iter().map(|s| s.1).collect(),
            seg_len_m: segments
                .iter()
                .map(|s| {
                    crate::geodesy::haversine_m(nodes[s.0 as usize], nodes[s.1 as usize]) as f32
                })
                .collect(),
            seg_secs: segments.iter().map(|s| s.2).collect(),
            seg_dir: segments.iter().map(|s| s.3).collect(),
            shape_first: vec![0; segments.len() + 1],
            shape_lon: Vec::new(),
            shape_lat: Vec::new(),
        };
        g.validate()?;
        Ok(g)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            64 + 4 * (3 * self.num_nodes() + 3 * self.num_edges() + 7 * self.num_segments()),
        );
        out.extend_from_slice(MAGIC);
        put_u32(&mut out, FORMAT_VERSION);
        out.extend_from_slice(&[mode_code(self.mode), 0, 0, 0]);
        put_u32(&mut out, self.num_nodes() as u32);
        put_u32(&mut out, self.num_edges() as u32);
        put_u32(&mut out, self.num_segments() as u32);
        put_u32(&mut out, self.shape_lon.len() as u32);
        for a in [&self.node_lon, &self.node_lat] {
            put_f32s(&mut out, a);
        }
        put_u32s(&mut out, &self.first_out);
        put_u32s(&mut out, &self.head);
        put_f32s(&mut out, &self.edge_secs);
        put_u32s(&mut out, &self.edge_seg);
        put_u32s(&mut out, &self.seg_a);
        put_u32s(&mut out, &self.seg_b);
        put_f32s(&mut out, &self.seg_len_m);
        put_f32s(&mut out, &self.seg_secs);
        put_u32s(&mut out, &self.seg_dir);
        put_u32s(&mut out, &self.shape_first);
        put_f32s(&mut out, &self.shape_lon);
        put_f32s(&mut out, &self.shape_lat);
        let sum = checksum(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    pub fn write(&self, path: &Path) -> Result<(), OsmError> {
        let tmp = path.with_extension("graph.tmp");
        std::fs::write(&tmp, self.to_bytes()).map_err(|e| OsmError::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| OsmError::io(path, e))
    }

    pub fn read(path: &Path) -> Result<Graph, OsmError> {
        let bytes = std::fs::read(path).map_err(|e| OsmError::io(path, e))?;
        Graph::from_bytes(&bytes).map_err(|e| e.at(path))
    }

    /// Parses and validates a graph file; every index is checked so queries never go out of bounds.
    pub fn from_bytes(bytes: &[u8]) -> Result<Graph, GraphFileError> {
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return Err(GraphFileError::Magic);
        }
        let mut r = Reader { bytes, pos: 8 };
        let version = r.u32()?;
        if version != FORMAT_VERSION {
            return Err(GraphFileError::Version(version));
        }
        if bytes.len() < 8 + 28 + 8 {
            return Err(GraphFileError::Truncated);
        }
        let body = &bytes[..bytes.len() - 8];
        let mut sum = [0u8; 8];
        sum.copy_from_slice(&bytes[bytes.len() - 8..]);
        if checksum(body) != u64::from_le_bytes(sum) {
            return Err(GraphFileError::Checksum);
        }
        let mut r = Reader {
            bytes: body,
            pos: 12,
        };
        let mode = match r.u32()? & 0xff {
            0 => StreetMode::Walk,
            1 => StreetMode::Bike,
            2 => StreetMode::Drive,
            _ => return Err(GraphFileError::Invalid("mode")),
        };
        let n = r.u32()? as usize;
        let m = r.u32()? as usize;
        let s = r.u32()? as usize;
        let k = r.u32()? as usize;
        let g = Graph {
            mode,
            node_lon: r.f32s(n)?,
            node_lat: r.f32s(n)?,
            first_out: r.u32s(n + 1)?,
            head: r.u32s(m)?,
            edge_secs: r.f32s(m)?,
            edge_seg: r.u32s(m)?,
            seg_a: r.u32s(s)?,
            seg_b: r.u32s(s)?,
            seg_len_m: r.f32s(s)?,
            seg_secs: r.f32s(s)?,
            seg_dir: r.u32s(s)?,
            shape_first: r.u32s(s + 1)?,
            shape_lon: r.f32s(k)?,
            shape_lat: r.f32s(k)?,
        };
        if r.pos != body.len() {
            return Err(GraphFileError::Invalid("trailing bytes"));
        }
        g.validate()?;
        Ok(g)
    }

    fn validate(&self) -> Result<(), GraphFileError> {
        let (n, m, s, k) = (
            self.num_nodes(),
            self.num_edges(),
            self.num_segments(),
            self.shape_lon.len(),
        );
        let monotone = |a: &[u32], last: usize| {
            a.first() == Some(&0)
                && a.windows(2).all(|w| w[0] <= w[1])
                && a.last() == Some(&(last as u32))
        };
        if !monotone(&self.first_out, m) {
            return Err(GraphFileError::Invalid("first_out"));
        }
        if !monotone(&self.shape_first, k) {
            return Err(GraphFileError::Invalid("shape_first"));
        }
        if self
            .head
            .iter()
            .chain(&self.seg_a)
            .chain(&self.seg_b)
            .any(|&v| v as usize >= n)
        {
            return Err(GraphFileError::Invalid("vertex index"));
        }
        if self.edge_seg.iter().any(|&e| (e & !REVERSED) as usize >= s) {
            return Err(GraphFileError::Invalid("edge segment"));
        }
        let finite = |a: &[f32]| a.iter().all(|x| x.is_finite() && *x >= 0.0);
        if !finite(&self.edge_secs) || !finite(&self.seg_secs) || !finite(&self.seg_len_m) {
            return Err(GraphFileError::Invalid("travel times"));
        }
        let coords = |a: &[f32], lim: f32| a.iter().all(|x| x.is_finite() && x.abs() <= lim);
        if !coords(&self.node_lon, 180.0)
            || !coords(&self.node_lat, 90.0)
            || !coords(&self.shape_lon, 180.0)
            || !coords(&self.shape_lat, 90.0)
        {
            return Err(GraphFileError::Invalid("coordinates"));
        }
        Ok(())
    }
}

/// What is wrong with a graph file's bytes (before the path is known).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFileError {
    Magic,
    Version(u32),
    Checksum,
    Truncated,
    Invalid(&'static str),
}

impl GraphFileError {
    pub fn at(self, path: &Path) -> OsmError {
        let path = path.to_path_buf();
        match self {
            GraphFileError::Magic => OsmError::NotAGraph { path },
            GraphFileError::Version(found) => OsmError::GraphVersion {
                path,
                found,
                expected: FORMAT_VERSION,
            },
            GraphFileError::Checksum => OsmError::GraphChecksum { path },
            GraphFileError::Truncated => OsmError::GraphCorrupt {
                path,
                what: "file is truncated",
            },
            GraphFileError::Invalid(what) => OsmError::GraphCorrupt { path, what },
        }
    }
}

pub fn mode_code(mode: StreetMode) -> u8 {
    match mode {
        StreetMode::Walk => 0,
        StreetMode::Bike => 1,
        StreetMode::Drive => 2,
    }
}

/// FNV-1a (64-bit) over little-endian 8-byte words, the tail zero-padded: fast enough to check
/// a city graph in about a millisecond.
pub fn checksum(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET ^ bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(PRIME);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(PRIME);
    }
    h
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_u32s(out: &mut Vec<u8>, a: &[u32]) {
    for &v in a {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn put_f32s(out: &mut Vec<u8>, a: &[f32]) {
    for &v in a {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, len: usize) -> Result<&[u8], GraphFileError> {
        let end = self.pos.checked_add(len).ok_or(GraphFileError::Truncated)?;
        let s = self
            .bytes
            .get(self.pos..end)
            .ok_or(GraphFileError::Truncated)?;
        self.pos = end;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32, GraphFileError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u32s(&mut self, n: usize) -> Result<Vec<u32>, GraphFileError> {
        let b = self.take(n.checked_mul(4).ok_or(GraphFileError::Truncated)?)?;
        Ok(b.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    fn f32s(&mut self, n: usize) -> Result<Vec<f32>, GraphFileError> {
        let b = self.take(n.checked_mul(4).ok_or(GraphFileError::Truncated)?)?;
        Ok(b.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_edges_builds_a_valid_graph_that_round_trips() {
        let nodes = [[113.60, 34.70], [113.61, 34.70], [113.61, 34.71]];
        let g = Graph::from_edges(
            StreetMode::Walk,
            &nodes,
            &[
                (0, 1, 60.0, DIR_FORWARD | DIR_BACKWARD),
                (1, 2, 90.0, DIR_FORWARD),
            ],
        )
        .unwrap();
        assert_eq!((g.num_nodes(), g.num_segments(), g.num_edges()), (3, 2, 3));
        // Vertex 1 leaves towards 0 (reversed segment 0) and towards 2.
        let out: Vec<u32> = (g.first_out[1]..g.first_out[2])
            .map(|e| g.head[e as usize])
            .collect();
        assert_eq!(out, vec![0, 2]);
        assert!((g.seg_len_m[0] - 914.0).abs() < 5.0, "{}", g.seg_len_m[0]);
        assert_eq!(Graph::from_bytes(&g.to_bytes()).unwrap(), g);
    }

    #[test]
    fn from_edges_refuses_bad_indices_and_times() {
        let nodes = [[113.60, 34.70], [113.61, 34.70]];
        let bad: [&[(u32, u32, f32, u32)]; 4] = [
            &[(0, 2, 1.0, DIR_FORWARD)],
            &[(0, 1, 1.0, 0)],
            &[(0, 1, f32::NAN, DIR_FORWARD)],
            &[(0, 1, -1.0, DIR_BACKWARD)],
        ];
        for segs in bad {
            assert!(
                Graph::from_edges(StreetMode::Drive, &nodes, segs).is_err(),
                "{segs:?}"
            );
        }
        assert!(Graph::from_edges(
            StreetMode::Drive,
            &[[200.0, 0.0], [0.0, 0.0]],
            &[(0, 1, 1.0, 1)]
        )
        .is_err());
    }
}
