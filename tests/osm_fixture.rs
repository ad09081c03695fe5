//! The OSM importer and street model on a tiny hand-built extract whose travel times can be
//! worked out by hand, plus the errors bad inputs must produce.
//!
//! The fixture is written as a real `.osm.pbf` by a minimal encoder below (raw, uncompressed
//! blobs; plain nodes), so the whole path from file to travel time is exercised.

use cityreach::geodesy::haversine_m;
use cityreach::network::streets::osm::{self, one_to_all, Graph, OsmError, OsmStreets};
use cityreach::network::streets::{Seed, StreetError, StreetMode, StreetModel};
use cityreach::raster::TimeGrid;
use indicatif::ProgressBar;
use std::path::{Path, PathBuf};

// ---- a minimal OSM PBF encoder -------------------------------------------------------------

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn field_varint(out: &mut Vec<u8>, field: u32, v: u64) {
    varint(out, u64::from(field << 3));
    varint(out, v);
}

fn field_bytes(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    varint(out, u64::from((field << 3) | 2));
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn packed(values: impl IntoIterator<Item = u64>) -> Vec<u8> {
    let mut out = Vec::new();
    for v in values {
        varint(&mut out, v);
    }
    out
}

struct Way<'a> {
    id: i64,
    refs: &'a [i64],
    tags: &'a [(&'a str, &'a str)],
}

/// A PrimitiveBlock with one group of plain nodes and one group of ways.
fn primitive_block(nodes: &[(i64, f64, f64)], ways: &[Way]) -> Vec<u8> {
    let mut strings: Vec<String> = vec![String::new()];
    let mut sid = |s: &str| -> u64 {
        if let Some(i) = strings.iter().position(|x| x == s) {
            return i as u64;
        }
        strings.push(s.to_string());
        (strings.len() - 1) as u64
    };
    let mut node_group = Vec::new();
    for &(id, lon, lat) in nodes {
        let mut n = Vec::new();
        field_varint(&mut n, 1, zigzag(id));
        field_varint(&mut n, 8, zigzag((lat * 1e7).round() as i64));
        field_varint(&mut n, 9, zigzag((lon * 1e7).round() as i64));
        field_bytes(&mut node_group, 1, &n);
    }
    let mut way_group = Vec::new();
    for w in ways {
        let mut m = Vec::new();
        field_varint(&mut m, 1, w.id as u64);
        let keys: Vec<u64> = w.tags.iter().map(|(k, _)| sid(k)).collect();
        let vals: Vec<u64> = w.tags.iter().map(|(_, v)| sid(v)).collect();
        field_bytes(&mut m, 2, &packed(keys));
        field_bytes(&mut m, 3, &packed(vals));
        let mut prev = 0;
        let deltas: Vec<u64> = w
            .refs
            .iter()
            .map(|&r| {
                let d = r - prev;
                prev = r;
                zigzag(d)
            })
            .collect();
        field_bytes(&mut m, 8, &packed(deltas));
        field_bytes(&mut way_group, 3, &m);
    }
    let mut table = Vec::new();
    for s in &strings {
        field_bytes(&mut table, 1, s.as_bytes());
    }
    let mut block = Vec::new();
    field_bytes(&mut block, 1, &table);
    if !node_group.is_empty() {
        field_bytes(&mut block, 2, &node_group);
    }
    if !way_group.is_empty() {
        field_bytes(&mut block, 2, &way_group);
    }
    block
}

fn blob(out: &mut Vec<u8>, kind: &str, payload: &[u8]) {
    let mut b = Vec::new();
    field_bytes(&mut b, 1, payload); // raw
    field_varint(&mut b, 2, payload.len() as u64); // raw_size
    let mut h = Vec::new();
    field_bytes(&mut h, 1, kind.as_bytes());
    field_varint(&mut h, 3, b.len() as u64);
    out.extend_from_slice(&(h.len() as u32).to_be_bytes());
    out.extend_from_slice(&h);
    out.extend_from_slice(&b);
}

fn pbf(nodes: &[(i64, f64, f64)], ways: &[Way]) -> Vec<u8> {
    let mut header = Vec::new();
    field_bytes(&mut header, 4, b"OsmSchema-V0.6");
    field_bytes(&mut header, 4, b"DenseNodes");
    let mut out = Vec::new();
    blob(&mut out, "OSMHeader", &header);
    blob(&mut out, "OSMData", &primitive_block(nodes, ways));
    out
}

// ---- the fixture ---------------------------------------------------------------------------

const D: f64 = 0.001;

/// Nodes on the equator, 0.001° (≈ 111.2 m) apart:
///
/// ```text
///   3 ──W2 oneway 60──▶ 4          W1 residential 1-2-3 (two-way, 30 km/h default)
///   │                   │          W2 primary 3→4 oneway=yes, maxspeed 60
///   2 ···W5 footway··· 6           W3 secondary 5-6-4 oneway=-1 (so 4→6→5), "30 mph"
///   │                   │          W4 tertiary 5-1, maxspeed RU:urban (50), two-way
///   1 ──────W4───────── 5          W5 footway 2-6; W6 service 1-6 access=private;
///                                  W7 residential 10-11 far away; W8 pedestrian area=yes
/// ```
fn fixture_nodes() -> Vec<(i64, f64, f64)> {
    vec![
        (1, 0.0, 0.0),
        (2, 0.0, D),
        (3, 0.0, 2.0 * D),
        (4, D, 2.0 * D),
        (5, D, 0.0),
        (6, D, D),
        (10, 0.01, 0.01),
        (11, 0.01, 0.011),
    ]
}

fn fixture_pbf() -> Vec<u8> {
    let ways = [
        Way {
            id: 101,
            refs: &[1, 2, 3],
            tags: &[("highway", "residential")],
        },
        Way {
            id: 102,
            refs: &[3, 4],
            tags: &[
                ("highway", "primary"),
                ("oneway", "yes"),
                ("maxspeed", "60"),
            ],
        },
        Way {
            id: 103,
            refs: &[5, 6, 4],
            tags: &[
                ("highway", "secondary"),
                ("oneway", "-1"),
                ("maxspeed", "30 mph"),
            ],
        },
        Way {
            id: 104,
            refs: &[5, 1],
            tags: &[("highway", "tertiary"), ("maxspeed", "RU:urban")],
        },
        Way {
            id: 105,
            refs: &[2, 6],
            tags: &[("highway", "footway")],
        },
        Way {
            id: 106,
            refs: &[1, 6],
            tags: &[("highway", "service"), ("access", "private")],
        },
        Way {
            id: 107,
            refs: &[10, 11],
            tags: &[("highway", "residential")],
        },
        Way {
            id: 108,
            refs: &[1, 2, 6, 5, 1],
            tags: &[("highway", "pedestrian"), ("area", "yes")],
        },
        Way {
            id: 109,
            refs: &[1, 3],
            tags: &[("building", "yes")],
        },
    ];
    pbf(&fixture_nodes(), &ways)
}

fn ll(id: i64) -> [f64; 2] {
    let (_, lon, lat) = fixture_nodes().into_iter().find(|n| n.0 == id).unwrap();
    [lon, lat]
}

fn len(a: i64, b: i64) -> f64 {
    haversine_m(ll(a), ll(b))
}

fn secs(m: f64, kmh: f64) -> f64 {
    m / (kmh / 3.6)
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("cityreach-osm-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn import_fixture(dir: &TempDir) -> (PathBuf, osm::ImportSummary) {
    let file = dir.0.join("fixture.osm.pbf");
    std::fs::write(&file, fixture_pbf()).unwrap();
    let out = dir.0.join("graphs");
    let summary = osm::import_pbf(&file, &out, &ProgressBar::hidden()).unwrap();
    (out, summary)
}

fn vertex(g: &Graph, id: i64) -> u32 {
    let v = g.nearest_node(ll(id)).unwrap();
    assert!(
        haversine_m(g.node_lonlat(v), ll(id)) < 0.1,
        "node {id} is no vertex"
    );
    v
}

// Hand-computed drive edge times (s).
fn drive_1_3() -> f64 {
    secs(len(1, 2) + len(2, 3), 30.0)
}
fn drive_3_4() -> f64 {
    secs(len(3, 4), 60.0)
}
fn drive_4_5() -> f64 {
    secs(len(4, 6) + len(6, 5), 30.0 * 1.609_344)
}
fn drive_5_1() -> f64 {
    secs(len(5, 1), 50.0)
}

#[test]
fn import_keeps_the_largest_component_and_splits_per_mode() {
    let dir = TempDir::new("summary");
    let (_, summary) = import_fixture(&dir);
    let m = |mode| {
        summary
            .modes
            .iter()
            .find(|s| s.mode == mode)
            .unwrap()
            .clone()
    };
    let drive = m(StreetMode::Drive);
    // Drive: 2 and 6 are shape points (the footway does not split car streets).
    assert_eq!((drive.nodes, drive.segments, drive.edges), (4, 4, 6));
    assert_eq!((drive.dropped_components, drive.dropped_nodes), (1, 2));
    let walk = m(StreetMode::Walk);
    // Walk: split at 2 and 6 by the footway, every segment both ways, private service excluded.
    assert_eq!((walk.nodes, walk.segments, walk.edges), (6, 7, 14));
    let expected_km =
        (len(1, 2) + len(2, 3) + len(3, 4) + len(4, 6) + len(6, 5) + len(5, 1) + len(2, 6))
            / 1000.0;
    assert!(
        (walk.km - expected_km).abs() < 1e-3,
        "{} vs {expected_km}",
        walk.km
    );
    let bike = m(StreetMode::Bike);
    assert_eq!((bike.nodes, bike.segments, bike.edges), (4, 4, 6));
}

#[test]
fn drive_times_match_hand_computation_and_respect_oneways() {
    let dir = TempDir::new("drive");
    let (out, _) = import_fixture(&dir);
    let streets = OsmStreets::load(&out).unwrap();
    let g = streets.graph(StreetMode::Drive).unwrap();
    let t = one_to_all(g, vertex(g, 1), 3600.0);
    let at = |id| f64::from(t[vertex(g, id) as usize]);
    assert!((at(1) - 0.0).abs() < 1e-6);
    assert!(
        (at(3) - drive_1_3()).abs() < 0.01,
        "{} vs {}",
        at(3),
        drive_1_3()
    );
    assert!((at(4) - (drive_1_3() + drive_3_4())).abs() < 0.01);
    assert!((at(5) - drive_5_1()).abs() < 0.01);
    // From 4 the only way to 3 is round the loop: 4 → 5 → 1 → 3, never against W2.
    let t4 = one_to_all(g, vertex(g, 4), 3600.0);
    let back = drive_4_5() + drive_5_1() + drive_1_3();
    assert!((f64::from(t4[vertex(g, 3) as usize]) - back).abs() < 0.01);
    // The budget bounds the search.
    let short = one_to_all(g, vertex(g, 1), 10.0);
    assert!(short[vertex(g, 3) as usize].is_infinite());
    assert!(f64::from(short[vertex(g, 5) as usize]) <= 10.0);
}

#[test]
fn walk_and_bike_times_match_hand_computation() {
    let dir = TempDir::new("walkbike");
    let (out, _) = import_fixture(&dir);
    let streets = OsmStreets::load(&out).unwrap();
    let w = streets.graph(StreetMode::Walk).unwrap();
    let t = one_to_all(w, vertex(w, 1), 3600.0);
    // Not through the private service road: 1 → 2 → 6 (or 1 → 5 → 6) at 4.8 km/h.
    let expected = secs(len(1, 2) + len(2, 6), 4.8);
    assert!((f64::from(t[vertex(w, 6) as usize]) - expected).abs() < 0.01);
    // Walkers ignore oneways: 4 → 3 directly.
    let t4 = one_to_all(w, vertex(w, 4), 3600.0);
    assert!((f64::from(t4[vertex(w, 3) as usize]) - secs(len(3, 4), 4.8)).abs() < 0.01);
    // Bikes keep them: 4 → 5 → 1 → 3 at 15 km/h; no footway.
    let b = streets.graph(StreetMode::Bike).unwrap();
    let tb = one_to_all(b, vertex(b, 4), 3600.0);
    let loop_m = len(4, 6) + len(6, 5) + len(5, 1) + len(1, 2) + len(2, 3);
    assert!((f64::from(tb[vertex(b, 3) as usize]) - secs(loop_m, 15.0)).abs() < 0.01);
}

#[test]
fn spread_snaps_onto_partial_edges() {
    let dir = TempDir::new("spread");
    let (out, _) = import_fixture(&dir);
    let streets = OsmStreets::load(&out).unwrap();
    // A seed halfway along the oneway W2 (3 → 4).
    let mid = [D / 2.0, 2.0 * D];
    let field = streets
        .spread(
            StreetMode::Drive,
            &[Seed {
                lonlat: mid,
                secs: 0.0,
            }],
            3600.0,
        )
        .unwrap();
    let to4 = field.time_at(ll(4)).unwrap();
    assert!((to4.secs - drive_3_4() / 2.0).abs() < 0.05, "{to4:?}");
    assert_eq!(to4.seed, 0);
    // Reaching 3 means going on to 4 and round the loop.
    let to3 = field.time_at(ll(3)).unwrap().secs;
    let expected = drive_3_4() / 2.0 + drive_4_5() + drive_5_1() + drive_1_3();
    assert!((to3 - expected).abs() < 0.05, "{to3} vs {expected}");
    // A point 50 m north of node 1's street walks onto it at 4.8 km/h.
    let off = [0.000_45, -50.0 / 111_195.0];
    let t_off = field.time_at(off).unwrap().secs;
    let on = field.time_at([0.000_45, 0.0]).unwrap().secs;
    assert!((t_off - on - secs(50.0, 4.8)).abs() < 0.5, "{t_off} {on}");
    // Beyond the snap distance: no time, and a seed there is an error.
    assert!(field.time_at([0.05, 0.05]).is_none());
    let far = streets.spread(
        StreetMode::Drive,
        &[Seed {
            lonlat: [0.05, 0.05],
            secs: 0.0,
        }],
        600.0,
    );
    assert!(matches!(far, Err(StreetError::NoStreetNearby { .. })));
    // Two seeds: the later one wins where it is nearer in time.
    let two = streets
        .spread(
            StreetMode::Drive,
            &[
                Seed {
                    lonlat: ll(1),
                    secs: 0.0,
                },
                Seed {
                    lonlat: ll(4),
                    secs: 1.0,
                },
            ],
            3600.0,
        )
        .unwrap();
    assert_eq!(two.time_at(ll(5)).unwrap().seed, 0);
    let near4 = two.time_at(ll(4)).unwrap();
    assert_eq!(near4.seed, 1);
    assert!((near4.secs - 1.0).abs() < 1e-3, "{near4:?}");
}

#[test]
fn fill_grid_agrees_with_time_at_near_streets_and_leaves_the_rest_unreached() {
    let dir = TempDir::new("grid");
    let (out, _) = import_fixture(&dir);
    let streets = OsmStreets::load(&out).unwrap();
    let field = streets
        .spread(
            StreetMode::Walk,
            &[Seed {
                lonlat: ll(1),
                secs: 0.0,
            }],
            150.0,
        )
        .unwrap();
    let ext = field.extent().unwrap();
    let bbox = [
        ext[0] - 0.002,
        ext[1] - 0.002,
        ext[2] + 0.002,
        ext[3] + 0.002,
    ];
    let cell = 10.0;
    let mut grid = TimeGrid::covering(bbox, cell);
    field.fill_grid(&mut grid);
    let (nx, ny) = grid.size();
    let mut reached = 0;
    for iy in 0..ny {
        for ix in 0..nx {
            let v = grid.get(ix, iy);
            let c = grid.cell_centre(ix, iy);
            let exact = field.time_at(c).map(|t| t.secs);
            if v.is_finite() {
                reached += 1;
                assert!(v <= 150.0);
                // A filled cell never promises more than the point query (which may also use a
                // street a little farther than the nearest), up to the walk across one cell; and
                // where the nearest street decides, the two agree within that walk.
                let e = exact.expect("a filled cell has a point time");
                assert!(
                    f64::from(v) >= e - secs(cell, 4.8) - 0.5,
                    "{v} vs {e} at {c:?}"
                );
                let nearest = streets.snap(StreetMode::Walk, c).unwrap();
                if nearest.distance_m < cell / 2.0 {
                    assert!(
                        f64::from(v) <= e + secs(cell, 4.8) + 0.5,
                        "{v} vs {e} at {c:?}"
                    );
                }
            } else if let Some(e) = exact {
                // Unreached cells are more than a cell from any street, or at the budget's edge.
                let off = streets.snap(StreetMode::Walk, c).unwrap().distance_m;
                assert!(
                    off > cell * 0.9 || e > 150.0 - secs(2.0 * cell, 4.8),
                    "cell {c:?} ({off} m off) has {e} but stayed unreached"
                );
            }
        }
    }
    assert!(reached > 20, "{reached}");
    // 150 s of walking is 200 m: node 3 (222 m up W1) is out of reach.
    assert!(field.time_at(ll(3)).is_none());
    assert!(ext[3] < 0.002);
}

#[test]
fn graph_files_round_trip() {
    let dir = TempDir::new("roundtrip");
    let file = dir.0.join("f.osm.pbf");
    std::fs::write(&file, fixture_pbf()).unwrap();
    let (graphs, _) = osm::build_graphs(&file, &ProgressBar::hidden()).unwrap();
    for g in graphs {
        let back = Graph::from_bytes(&g.to_bytes()).unwrap();
        assert_eq!(back, g);
    }
}

// ---- bad inputs ----------------------------------------------------------------------------

fn import_err(bytes: &[u8], name: &str) -> OsmError {
    let dir = TempDir::new(name);
    let file = dir.0.join("bad.osm.pbf");
    std::fs::write(&file, bytes).unwrap();
    osm::import_pbf(&file, &dir.0.join("out"), &ProgressBar::hidden()).unwrap_err()
}

#[test]
fn malformed_and_truncated_pbf_are_errors() {
    let garbage: Vec<u8> = (0..4000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let e = import_err(&garbage, "garbage");
    assert!(matches!(e, OsmError::Pbf { .. }), "{e}");
    let good = fixture_pbf();
    // (Cutting only the trailing raw_size field would leave a valid file, so cut into data.)
    for cut in [5, 20, good.len() / 2, good.len() - 8] {
        let e = import_err(&good[..cut], &format!("cut{cut}"));
        assert!(
            matches!(e, OsmError::Pbf { .. } | OsmError::NoRoads { .. }),
            "cut {cut}: {e}"
        );
    }
    let missing = osm::import_pbf(
        Path::new("/nonexistent/x.osm.pbf"),
        Path::new("/tmp/x"),
        &ProgressBar::hidden(),
    );
    assert!(matches!(missing, Err(OsmError::Io { .. })));
}

#[test]
fn a_pbf_without_roads_is_an_error() {
    let ways = [Way {
        id: 1,
        refs: &[1, 2, 3],
        tags: &[("building", "yes")],
    }];
    let e = import_err(&pbf(&fixture_nodes(), &ways), "noroads");
    assert!(matches!(e, OsmError::NoRoads { .. }), "{e}");
    assert!(e.to_string().contains("no streets"));
    let e = import_err(&pbf(&fixture_nodes(), &[]), "nodesonly");
    assert!(matches!(e, OsmError::NoRoads { .. }), "{e}");
}

#[test]
fn damaged_or_foreign_graph_files_are_errors() {
    let dir = TempDir::new("badgraph");
    let (out, _) = import_fixture(&dir);
    let path = osm::graph_path(&out, StreetMode::Drive);
    let good = std::fs::read(&path).unwrap();

    // Another format version (checksum recomputed, as a real older file would have).
    let mut other = good[..good.len() - 8].to_vec();
    other[8..12].copy_from_slice(&(osm::FORMAT_VERSION + 1).to_le_bytes());
    let sum = osm::checksum(&other);
    other.extend_from_slice(&sum.to_le_bytes());
    std::fs::write(&path, &other).unwrap();
    let e = OsmStreets::load(&out).unwrap_err();
    assert!(matches!(e, OsmError::GraphVersion { .. }), "{e}");
    assert!(
        e.to_string().contains("graph file from another version"),
        "{e}"
    );

    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x40;
    std::fs::write(&path, &flipped).unwrap();
    assert!(matches!(
        OsmStreets::load(&out).unwrap_err(),
        OsmError::GraphChecksum { .. }
    ));

    std::fs::write(&path, &good[..good.len() / 3]).unwrap();
    assert!(matches!(
        OsmStreets::load(&out).unwrap_err(),
        OsmError::GraphChecksum { .. } | OsmError::GraphCorrupt { .. }
    ));

    std::fs::write(&path, b"PK\x03\x04 not a graph at all").unwrap();
    assert!(matches!(
        OsmStreets::load(&out).unwrap_err(),
        OsmError::NotAGraph { .. }
    ));

    let empty = TempDir::new("emptygraphs");
    assert!(matches!(
        OsmStreets::load(&empty.0).unwrap_err(),
        OsmError::NoGraphs { .. }
    ));
}
