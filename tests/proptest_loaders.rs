//! Property tests for the file loaders: feature GeoJSON, GTFS feeds, scenario and target TOML,
//! and street graph files. Damaged or arbitrary input must give an error, never a panic, and
//! whatever loads must be usable (searched, indexed, routed) without a panic either.

use cityreach::catalog::{Catalog, Feature};
use cityreach::network::scenario::Scenario;
use cityreach::network::streets::osm::{checksum, Graph, OsmStreets, DIR_BACKWARD, DIR_FORWARD};
use cityreach::network::streets::{Seed, StreetMode, StreetModel};
use cityreach::network::transit::TransitNetwork;
use cityreach::reach::search::{TransitGraph, TransitParams};
use cityreach::reach::targets::Target;
use cityreach::DataSource;
use proptest::prelude::*;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/geodata/zhengzhou");

fn features_text() -> &'static str {
    static T: OnceLock<String> = OnceLock::new();
    T.get_or_init(|| std::fs::read_to_string(format!("{DATA}/features.geojson")).unwrap())
}

fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| Catalog::from_geojson_str(features_text(), "features.geojson").unwrap())
}

fn transit() -> &'static TransitNetwork {
    static N: OnceLock<TransitNetwork> = OnceLock::new();
    N.get_or_init(|| cityreach::scenario::load_network(&DataSource::Embedded).unwrap())
}

/// A scratch folder removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "cityreach-prop-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Damage to a text: cut a range, duplicate one, insert junk, or truncate.
#[derive(Debug, Clone)]
enum Edit {
    Cut(usize, usize),
    Dup(usize, usize),
    Insert(usize, String),
    Truncate(usize),
    Swap(usize, usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let e = prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(a, n)| Edit::Cut(a, n)),
        (any::<usize>(), 1usize..200).prop_map(|(a, n)| Edit::Dup(a, n)),
        (
            any::<usize>(),
            prop_oneof![
                Just("null".to_string()),
                Just("{".to_string()),
                Just("]".to_string()),
                Just(",".to_string()),
                Just("\"".to_string()),
                Just("1e999".to_string()),
                Just("-0".to_string()),
                Just("[[[]]]".to_string()),
                Just("\u{0}".to_string()),
                Just("\n[[link]]\n".to_string()),
                Just("=".to_string()),
                "\\PC{1,6}",
            ]
        )
            .prop_map(|(a, s)| Edit::Insert(a, s)),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Swap(a, b)),
    ];
    prop::collection::vec(e, 1..4)
}

/// Applies edits at char boundaries (the loaders take `&str`).
fn apply(text: &str, edits: &[Edit]) -> String {
    let mut s = text.to_string();
    let at = |s: &str, i: usize| {
        let mut i = i % (s.len() + 1);
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    for e in edits {
        match e {
            Edit::Cut(a, n) => {
                let a = at(&s, *a);
                let b = at(&s, (a + n).min(s.len()));
                s.replace_range(a..b.max(a), "");
            }
            Edit::Dup(a, n) => {
                let a = at(&s, *a);
                let b = at(&s, (a + n).min(s.len())).max(a);
                let piece = s[a..b].to_string();
                s.insert_str(b, &piece);
            }
            Edit::Insert(a, t) => {
                let a = at(&s, *a);
                s.insert_str(a, t);
            }
            Edit::Truncate(a) => {
                let a = at(&s, *a);
                s.truncate(a);
            }
            Edit::Swap(a, b) => {
                let (a, b) = (at(&s, *a), at(&s, *b));
                let (a, b) = (a.min(b), a.max(b));
                // Swap the lines that hold the two positions.
                let la = s[..a].rfind('\n').map_or(0, |i| i + 1);
                let lb = s[..b].rfind('\n').map_or(0, |i| i + 1);
                let ea = s[la..].find('\n').map_or(s.len(), |i| la + i);
                if lb > ea {
                    let eb = s[lb..].find('\n').map_or(s.len(), |i| lb + i);
                    let (x, y) = (s[la..ea].to_string(), s[lb..eb].to_string());
                    s.replace_range(lb..eb, &x);
                    s.replace_range(la..ea, &y);
                }
            }
        }
    }
    s
}

/// Uses a loaded catalog the way the service does.
fn exercise_catalog(c: &Catalog) {
    for f in c.features().iter().take(20) {
        let _ = c.search(&f.name_en, 5);
        let _ = c.resolve(&f.name_zh);
        let _ = c.nearest(f.anchor, 3);
        let _ = c.within_radius(f.anchor, 1000.0);
        let _ = f.to_geojson_value();
    }
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

fn collection(features: Vec<Value>) -> String {
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

/// A small sample of the real features (as GeoJSON values), so damaged files stay cheap.
fn real_sample() -> impl Strategy<Value = Vec<Value>> {
    let n = catalog().len();
    prop::collection::btree_set(0..n, 1..8).prop_map(|ix| {
        ix.into_iter()
            .map(|i| catalog().features()[i].to_geojson_value())
            .collect()
    })
}

/// Text a planner might put in a name or note: any printable Unicode, with the odd marks.
fn name_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z][a-zA-Z ]{0,20}",
        "[\\u{4e00}-\\u{9fff}]{1,8}",
        "\\PC{1,20}",
        Just("\u{200f}שלום\u{200e} 站".to_string()),
        Just("a\u{0}b".to_string()),
    ]
    .prop_filter("a name is not blank", |s| !s.trim().is_empty())
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn damaged_geojson_is_refused_or_loads(sample in real_sample(), ed in edits()) {
        let text = apply(&collection(sample), &ed);
        if let Ok(c) = Catalog::from_geojson_str(&text, "damaged.geojson") {
            exercise_catalog(&c);
        }
    }

    #[test]
    fn arbitrary_json_values_are_refused_or_load(v in arb_json(4)) {
        for text in [v.to_string(), collection(vec![v.clone()]),
                     collection(vec![json!({"type": "Feature", "id": "com-x", "geometry": v.clone(), "properties": v.clone()})])] {
            if let Ok(c) = Catalog::from_geojson_str(&text, "arbitrary.geojson") {
                exercise_catalog(&c);
            }
        }
    }

    #[test]
    fn features_round_trip_through_geojson(
        sample in real_sample(),
        names in prop::collection::vec((name_text(), name_text(), prop::collection::vec(name_text(), 0..3)), 8),
        shift in prop::collection::vec((-0.05f64..0.05, -0.05f64..0.05), 8),
    ) {
        // Change names and move points (kept on the 6-decimal grid and inside the city).
        let mut values = sample;
        for (i, v) in values.iter_mut().enumerate() {
            let p = &mut v["properties"];
            p["name_en"] = json!(names[i].0);
            p["name_zh"] = json!(names[i].1);
            p["aliases"] = json!(names[i].2);
            let g = &mut v["geometry"];
            if g["type"] == "Point" {
                let c = g["coordinates"].as_array().unwrap();
                let r6 = |x: f64| (x * 1e6).round() / 1e6;
                let lon = r6((c[0].as_f64().unwrap() + shift[i].0).clamp(112.71, 114.22));
                let lat = r6((c[1].as_f64().unwrap() + shift[i].1).clamp(34.26, 34.99));
                g["coordinates"] = json!([lon, lat]);
            }
        }
        let first = Catalog::from_geojson_str(&collection(values), "first.geojson").unwrap();
        let again: Vec<Value> = first.features().iter().map(Feature::to_geojson_value).collect();
        let second = Catalog::from_geojson_str(&collection(again), "second.geojson").unwrap();
        prop_assert_eq!(first.features(), second.features());
        for f in second.features() {
            prop_assert!(second.resolve(&f.id).is_ok());
        }
    }

    #[test]
    fn scenario_text_is_refused_or_adds_cleanly(ed in edits(), which in 0usize..2) {
        let name = ["existing.toml", "plan-2025.toml"][which];
        let text = std::fs::read_to_string(format!("{DATA}/scenarios/{name}")).unwrap();
        let text = apply(&text, &ed);
        if let Ok(s) = Scenario::parse(&text, name) {
            let mut net = transit().clone();
            net.scenarios.retain(|x| x.id == "existing");
            if cityreach::scenario::add_named(&mut net, s).is_ok() {
                let si = net.scenarios.len() - 1;
                search_everywhere(&net, si);
            }
        }
    }

    #[test]
    fn arbitrary_toml_is_refused_or_parses(text in prop_oneof![
        "\\PC{0,200}",
        prop::collection::vec(prop::sample::select(vec![
            "id = \"x\"\n", "name = \"n\"\n", "[[stop]]\n", "[[link]]\n", "[[transfer]]\n",
            "[[target]]\n", "lon = 1e400\n", "lat = nan\n", "stops = [\"a\", \"a\"]\n",
            "route_type = -7\n", "average_speed_kmh = 0\n", "headway_min = -1\n",
            "evaluable = true\n", "max_minutes = inf\n", "source = { doc = \"\", line = 0 }\n",
            "via = [[200.0, 95.0]]\n", "secs = -5\n", "from = \"a\"\n", "to = \"b\"\n",
            "[[modification]]\n", "type = \"add-line\"\n", "type = \"add-transfer\"\n",
            "type = \"remove-route\"\n", "mode = \"rail\"\n", "speed_kmh = 900\n",
            "stops = [{ name = \"n\", lon = 113.7, lat = 34.6 }, \"郑州站\"]\n",
            "base = \"existing\"\n", "route = \"metro-1\"\n", "minutes = -1\n",
        ]), 0..20).prop_map(|v| v.concat()),
    ]) {
        if let Ok(s) = Scenario::parse(&text, "arbitrary.toml") {
            let mut net = transit().clone();
            let _ = cityreach::scenario::add_named(&mut net, s);
        }
        let _ = Target::parse_all(&text, "arbitrary.toml");
    }

    #[test]
    fn damaged_targets_are_refused_or_parse(ed in edits()) {
        let text = std::fs::read_to_string(format!("{DATA}/targets.toml")).unwrap();
        let _ = Target::parse_all(&apply(&text, &ed), "targets.toml");
    }

    #[test]
    fn small_gtfs_feeds_load_or_fail(feed in gtfs_feed()) {
        let dir = Scratch::new("gtfs");
        std::fs::create_dir_all(dir.0.join("gtfs")).unwrap();
        for (name, text) in &feed {
            std::fs::write(dir.0.join("gtfs").join(name), text).unwrap();
        }
        if let Ok(net) = cityreach::scenario::load_network(&DataSource::Folder(dir.0.clone())) {
            for p in &net.patterns {
                prop_assert_eq!(p.stops.len(), p.arrive_s.len());
            }
            // Every trip the loader keeps is fully timed and runs forward.
            for t in net.feeds.iter().flat_map(|f| &f.trips) {
                for st in &t.stop_times {
                    prop_assert!(st.arrival_s <= st.departure_s);
                }
                for w in t.stop_times.windows(2) {
                    prop_assert!(w[0].departure_s <= w[1].arrival_s);
                }
            }
            search_everywhere(&net, 0);
        }
    }

    /// What real feeds do to their files (a byte-order mark, CRLF, spaces around header names,
    /// no final newline, an unknown column) changes nothing: the network is the embedded one.
    #[test]
    fn tolerated_quirks_of_real_feeds_leave_the_network_unchanged(
        quirks in prop::collection::vec((any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()), 9),
    ) {
        let dir = Scratch::new("gtfs-quirks");
        let gtfs = dir.0.join("gtfs");
        std::fs::create_dir_all(&gtfs).unwrap();
        let mut names: Vec<PathBuf> = std::fs::read_dir(format!("{DATA}/gtfs"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        prop_assert_eq!(names.len(), 9);
        for (path, &(bom, crlf, spaces, no_final, extra)) in names.iter().zip(&quirks) {
            let text = std::fs::read_to_string(path).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            if spaces {
                lines[0] = lines[0].split(',').map(|h| format!(" {h} ")).collect::<Vec<_>>().join(",");
            }
            if extra {
                for (i, l) in lines.iter_mut().enumerate() {
                    l.push_str(if i == 0 { ",vendor_extension" } else { ",x" });
                }
            }
            let mut out = lines.join(if crlf { "\r\n" } else { "\n" });
            if !no_final {
                out.push_str(if crlf { "\r\n" } else { "\n" });
            }
            if bom {
                out.insert(0, '\u{feff}');
            }
            std::fs::write(gtfs.join(path.file_name().unwrap()), out).unwrap();
        }
        let net = cityreach::scenario::load_network(&DataSource::Folder(dir.0.clone())).unwrap();
        let base = transit();
        let stops: Vec<_> = base.stops.iter().filter(|s| s.scenario.is_none()).cloned().collect();
        let routes: Vec<_> = base.routes.iter().filter(|r| r.scenario.is_none()).cloned().collect();
        let patterns: Vec<_> = base.patterns.iter().filter(|p| p.scenario.is_none()).cloned().collect();
        let transfers: Vec<_> = base.transfers.iter().filter(|t| t.scenario.is_none()).cloned().collect();
        prop_assert_eq!(&net.stops, &stops);
        prop_assert_eq!(&net.routes, &routes);
        prop_assert_eq!(&net.patterns, &patterns);
        prop_assert_eq!(&net.transfers, &transfers);
        let mut feeds = net.feeds.clone();
        for f in &mut feeds {
            f.label = base.feeds[0].label.clone();
        }
        // Compared whole, not printed: a feed is thousands of lines of Debug output.
        prop_assert!(feeds == base.feeds, "the feeds differ from the embedded one");
    }

    #[test]
    fn damaged_real_gtfs_files_load_or_fail(file in 0usize..5, ed in edits()) {
        let names = ["stops.txt", "routes.txt", "trips.txt", "stop_times.txt", "frequencies.txt"];
        let dir = Scratch::new("gtfs-real");
        let gtfs = dir.0.join("gtfs");
        std::fs::create_dir_all(&gtfs).unwrap();
        for entry in std::fs::read_dir(format!("{DATA}/gtfs")).unwrap() {
            let p = entry.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).unwrap();
            let text = if name == names[file] { apply(&text, &ed) } else { text };
            std::fs::write(gtfs.join(&name), text).unwrap();
        }
        if let Ok(net) = cityreach::scenario::load_network(&DataSource::Folder(dir.0.clone())) {
            search_everywhere(&net, 0);
        }
    }

    #[test]
    fn truncated_graph_files_are_refused(g in small_graph(), cut in any::<prop::sample::Index>()) {
        let bytes = g.to_bytes();
        prop_assert_eq!(&Graph::from_bytes(&bytes).unwrap(), &g);
        let n = cut.index(bytes.len());
        prop_assert!(Graph::from_bytes(&bytes[..n]).is_err());
        let dir = Scratch::new("graph");
        let path = dir.0.join("walk.graph");
        std::fs::write(&path, &bytes[..n]).unwrap();
        prop_assert!(Graph::read(&path).is_err());
        prop_assert!(OsmStreets::load(&dir.0).is_err());
    }

    #[test]
    fn altered_graph_files_are_refused_or_route(
        g in small_graph(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        fix_checksum in any::<bool>(),
    ) {
        let mut bytes = g.to_bytes();
        let body = bytes.len() - 8;
        for (i, x) in &flips {
            let at = 8 + i.index(body - 8);
            bytes[at] ^= x | 1;
        }
        if fix_checksum {
            let sum = checksum(&bytes[..body]);
            bytes[body..].copy_from_slice(&sum.to_le_bytes());
        } else {
            prop_assert!(Graph::from_bytes(&bytes).is_err());
        }
        if let Ok(g) = Graph::from_bytes(&bytes) {
            route_on(g);
        }
    }

    #[test]
    fn arbitrary_bytes_are_not_graphs(mut bytes in prop::collection::vec(any::<u8>(), 0..300), magic in any::<bool>()) {
        if magic && bytes.len() >= 16 {
            bytes[..8].copy_from_slice(b"CRSTREET");
            bytes[8..12].copy_from_slice(&1u32.to_le_bytes());
            let n = bytes.len();
            let sum = checksum(&bytes[..n - 8]);
            bytes[n - 8..].copy_from_slice(&sum.to_le_bytes());
        }
        if let Ok(g) = Graph::from_bytes(&bytes) {
            route_on(g);
        }
    }
}

/// Routes from every stop of a network's scenario (a short search each).
fn search_everywhere(net: &TransitNetwork, scenario: usize) {
    let params = TransitParams::default();
    let tg = TransitGraph::build(net, scenario, &params);
    for s in 0..tg.stop_count().min(40) as u32 {
        let labels = tg.search(&[(s, 0.0)], 3600.0, &params);
        for t in 0..tg.stop_count().min(40) as u32 {
            let _ = labels.itinerary(&tg, t);
        }
    }
}

/// Snaps, spreads and rasterises on a graph from every vertex.
fn route_on(g: Graph) {
    let mode = g.mode;
    let points: Vec<[f64; 2]> = (0..g.num_nodes() as u32)
        .map(|v| g.node_lonlat(v))
        .collect();
    let streets = OsmStreets::from_graphs(vec![g]);
    for p in points.iter().take(10) {
        let _ = streets.snap(mode, *p);
        if let Ok(field) = streets.spread(
            mode,
            &[Seed {
                lonlat: *p,
                secs: 0.0,
            }],
            900.0,
        ) {
            for q in points.iter().take(10) {
                let _ = field.time_at(*q);
            }
            // As a reach rasterises: 50 m cells, grown so a side stays within the grid limit
            // (an altered file may place a reached street's end far away).
            let _ = cityreach::reach::polygons::rasterise(&*field, Some(50.0));
        }
    }
}

/// A random small street graph near Zhengzhou (including zero-length and looping segments).
fn small_graph() -> impl Strategy<Value = Graph> {
    (1usize..12, any::<u8>()).prop_flat_map(|(n, mode)| {
        let nodes = prop::collection::vec((113.60f64..113.62, 34.70f64..34.72), n);
        let segs = prop::collection::vec(
            (0..n as u32, 0..n as u32, 0.0f32..600.0, 1u32..=3),
            0..3 * n,
        );
        (nodes, segs).prop_map(move |(nodes, segs)| {
            let nodes: Vec<[f64; 2]> = nodes.into_iter().map(|(a, b)| [a, b]).collect();
            let mode = StreetMode::ALL[mode as usize % 3];
            Graph::from_edges(mode, &nodes, &segs).expect("generated segments are valid")
        })
    })
}

/// An arbitrary JSON value of bounded depth.
fn arb_json(depth: u32) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_map(|x| json!(x)),
        any::<i64>().prop_map(|x| json!(x)),
        "\\PC{0,10}".prop_map(Value::String),
        prop::sample::select(vec![
            "Feature",
            "Point",
            "Polygon",
            "LineString",
            "MultiPolygon",
            "commercial",
            "existing",
            "com-a",
        ])
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(depth, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "type",
                    "id",
                    "geometry",
                    "properties",
                    "coordinates",
                    "kind",
                    "status",
                    "name_zh",
                    "name_en",
                    "sources",
                    "position",
                    "features",
                    "subkind",
                ])
                .prop_map(str::to_string),
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The files of a tiny GTFS feed: a few stops, routes, trips and stop times, with values
/// drawn from valid and broken spellings.
fn gtfs_feed() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    let id = prop::sample::select(vec!["a", "b", "c", "d", "e"]);
    let coord = prop_oneof![
        8 => (113.5f64..113.9).prop_map(|x| x.to_string()),
        1 => Just(String::new()),
        1 => prop::sample::select(vec!["NaN", "1e999", "-200", "x", "34.7"]).prop_map(str::to_string),
    ];
    let stop = (id.clone(), coord.clone(), coord, 0u8..4);
    let time = prop_oneof![
        6 => (0u32..30, 0u32..60, 0u32..60).prop_map(|(h, m, s)| format!("{h:02}:{m:02}:{s:02}")),
        1 => Just(String::new()),
        1 => prop::sample::select(vec!["25:99:99", "-1:00:00", "10", "1:2", "99999999:00:00"])
            .prop_map(str::to_string),
    ];
    let route = (
        prop::sample::select(vec!["r1", "r2"]),
        prop::sample::select(vec!["0", "1", "2", "3", "-1", "1700", "x"]),
    );
    let trip = (
        prop::sample::select(vec!["t1", "t2", "t3"]),
        prop::sample::select(vec!["r1", "r2", "r3"]),
    );
    let stop_time = (
        prop::sample::select(vec!["t1", "t2", "t3"]),
        id,
        time.clone(),
        time.clone(),
        prop_oneof![
            (0u32..6).prop_map(|x| x.to_string()),
            Just("-1".to_string()),
            Just("x".to_string())
        ],
    );
    let freq = (
        prop::sample::select(vec!["t1", "t2", "t3"]),
        time.clone(),
        time,
        prop::sample::select(vec!["600", "0", "-5", "x", "1"]),
    );
    (
        prop::collection::vec(stop, 0..5),
        prop::collection::vec(route, 0..3),
        prop::collection::vec(trip, 0..4),
        prop::collection::vec(stop_time, 0..10),
        prop::collection::vec(freq, 0..3),
    )
        .prop_map(|(stops, routes, trips, times, freqs)| {
            let mut s = String::from("stop_id,stop_name,stop_lat,stop_lon,location_type\n");
            for (id, lon, lat, lt) in stops {
                s.push_str(&format!("{id},Stop {id},{lat},{lon},{lt}\n"));
            }
            let mut r = String::from("route_id,agency_id,route_short_name,route_long_name,route_type\n");
            for (id, ty) in routes {
                r.push_str(&format!("{id},ag,{id},Route {id},{ty}\n"));
            }
            let mut t = String::from("route_id,service_id,trip_id\n");
            for (id, route) in trips {
                t.push_str(&format!("{route},daily,{id}\n"));
            }
            let mut st = String::from("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n");
            for (trip, stop, a, d, seq) in times {
                st.push_str(&format!("{trip},{a},{d},{stop},{seq}\n"));
            }
            let mut f = String::from("trip_id,start_time,end_time,headway_secs\n");
            for (trip, a, b, h) in freqs {
                f.push_str(&format!("{trip},{a},{b},{h}\n"));
            }
            vec![
                ("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nag,A,https://a.invalid,Asia/Shanghai\n".to_string()),
                ("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\ndaily,1,1,1,1,1,1,1,20260101,20271231\n".to_string()),
                ("stops.txt", s),
                ("routes.txt", r),
                ("trips.txt", t),
                ("stop_times.txt", st),
                ("frequencies.txt", f),
            ]
        })
}

#[test]
fn from_edges_grid_routes_like_a_grid() {
    // 3 × 3 two-way grid, 60 s per block: the far corner is 4 blocks away.
    let nodes: Vec<[f64; 2]> = (0..9)
        .map(|i| {
            [
                113.6 + 0.005 * f64::from(i % 3),
                34.7 + 0.005 * f64::from(i / 3),
            ]
        })
        .collect();
    let mut segs = Vec::new();
    for i in 0..9u32 {
        if i % 3 < 2 {
            segs.push((i, i + 1, 60.0, DIR_FORWARD | DIR_BACKWARD));
        }
        if i / 3 < 2 {
            segs.push((i, i + 3, 60.0, DIR_FORWARD | DIR_BACKWARD));
        }
    }
    let g = Graph::from_edges(StreetMode::Walk, &nodes, &segs).unwrap();
    let t = cityreach::network::streets::osm::one_to_all(&g, 0, 1e6);
    assert_eq!(t[8], 240.0);
}

#[test]
fn gtfs_time_overflow_is_an_error_not_a_panic() {
    // 99999999 hours overflow seconds in u32; the loader refuses the time by name instead.
    let dir = Scratch::new("gtfs-overflow");
    let gtfs = dir.0.join("gtfs");
    std::fs::create_dir_all(&gtfs).unwrap();
    for (name, text) in [
        ("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nag,A,https://a.invalid,Asia/Shanghai\n"),
        ("stops.txt", "stop_id,stop_name,stop_lat,stop_lon\n"),
        ("routes.txt", "route_id,agency_id,route_type\nr1,ag,3\n"),
        ("trips.txt", "route_id,service_id,trip_id\nr1,daily,t1\n"),
        ("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"),
        ("frequencies.txt", "trip_id,start_time,end_time,headway_secs\nt1,99999999:00:00,00:00:00,600\n"),
    ] {
        std::fs::write(gtfs.join(name), text).unwrap();
    }
    let e = cityreach::scenario::load_network(&DataSource::Folder(dir.0.clone()))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("frequencies.txt line 2, field start_time: '99999999:00:00' is out of range"),
        "{e}"
    );
}
