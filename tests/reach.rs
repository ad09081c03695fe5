//! Reach engine tests: exact times on hand-built networks, the engine against a plain Dijkstra
//! oracle on random networks, polygon validity and consistency, and invariants on the real
//! Zhengzhou data.

use cityreach::geodesy::haversine_m;
use cityreach::reach::{self, BandForm, Leg, Mode, Origin, ReachRequest};
use cityreach::{City, DataSource};
use geo::{Area, BooleanOps, Contains, Validation};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::path::PathBuf;

const WALK_SECS_PER_M: f64 = 1.3 / (4.8 / 3.6);
const TRANSFER_PENALTY_S: f64 = 120.0;

/// A small transit network to write as a GTFS feed.
#[derive(Clone, Debug)]
struct Net {
    stops: Vec<[f64; 2]>,
    /// (stop indices, arrival seconds from the first stop, headway seconds)
    patterns: Vec<(Vec<usize>, Vec<u32>, u32)>,
    /// (from, to, seconds), one direction each
    transfers: Vec<(usize, usize, u32)>,
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cityreach-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("gtfs")).unwrap();
    dir
}

fn hms(s: u32) -> String {
    format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

fn feature_json(id: &str, p: [f64; 2]) -> String {
    format!(
        r#"{{"type":"Feature","id":"{id}","geometry":{{"type":"Point","coordinates":[{},{}]}},"properties":{{"kind":"commercial","subkind":"mall","name_zh":"{id}","name_en":"{id}","name_pinyin":"{id}","aliases":[],"status":"existing","year":null,"status_as_of":2026,"sources":[{{"doc":"000_2e4118b01e10da6a.txt","line":1}}],"position":{{"method":"estimated","accuracy_m":100}},"area_km2":null,"district":null,"note":null}}}}"#,
        p[0], p[1]
    )
}

/// Writes a data folder (features + GTFS) and loads it as a city with the crow-fly proxy.
fn city_from(name: &str, net: &Net, features: &[(String, [f64; 2])]) -> City {
    let dir = temp_dir(name);
    let feats: Vec<String> = features
        .iter()
        .map(|(id, p)| feature_json(id, *p))
        .collect();
    std::fs::write(
        dir.join("features.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            feats.join(",")
        ),
    )
    .unwrap();
    let g = dir.join("gtfs");
    std::fs::write(
        g.join("agency.txt"),
        "agency_id,agency_name,agency_url,agency_timezone\na,Test,https://example.org,Asia/Shanghai\n",
    )
    .unwrap();
    std::fs::write(
        g.join("calendar.txt"),
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nd,1,1,1,1,1,1,1,20260101,20261231\n",
    )
    .unwrap();
    let mut stops = String::from("stop_id,stop_name,stop_lat,stop_lon\n");
    for (i, p) in net.stops.iter().enumerate() {
        stops += &format!("s{i},Stop {i},{},{}\n", p[1], p[0]);
    }
    std::fs::write(g.join("stops.txt"), stops).unwrap();
    let mut routes =
        String::from("route_id,agency_id,route_short_name,route_long_name,route_type\n");
    let mut trips = String::from("route_id,service_id,trip_id\n");
    let mut times = String::from("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n");
    let mut freqs = String::from("trip_id,start_time,end_time,headway_secs\n");
    for (pi, (ps, arr, headway)) in net.patterns.iter().enumerate() {
        routes += &format!("r{pi},a,R{pi},Route {pi},1\n");
        trips += &format!("r{pi},d,t{pi}\n");
        for (k, (s, t)) in ps.iter().zip(arr).enumerate() {
            times += &format!("t{pi},{},{},s{s},{}\n", hms(*t), hms(*t), k + 1);
        }
        freqs += &format!("t{pi},06:00:00,23:00:00,{headway}\n");
    }
    std::fs::write(g.join("routes.txt"), routes).unwrap();
    std::fs::write(g.join("trips.txt"), trips).unwrap();
    std::fs::write(g.join("stop_times.txt"), times).unwrap();
    std::fs::write(g.join("frequencies.txt"), freqs).unwrap();
    let mut tr = String::from("from_stop_id,to_stop_id,transfer_type,min_transfer_time\n");
    for (a, b, s) in &net.transfers {
        tr += &format!("s{a},s{b},2,{s}\n");
    }
    std::fs::write(g.join("transfers.txt"), tr).unwrap();
    City::load(DataSource::Folder(dir)).unwrap()
}

fn transit(origin: Origin, minutes: f64) -> ReachRequest {
    ReachRequest {
        polygons: false,
        ..ReachRequest::new(origin, minutes)
    }
}

// ---------------------------------------------------------------------------------------------
// Exact times on a hand-built network.
// ---------------------------------------------------------------------------------------------

/// Stops A, B, C on an east–west line (≈ 4.6 km apart) and D north of B.
/// Route 0: A → B → C, 300 s per hop, every 10 min. Route 1: B → D in 240 s, every 5 min.
fn two_line_net() -> Net {
    Net {
        stops: vec![
            [113.60, 34.70],
            [113.65, 34.70],
            [113.70, 34.70],
            [113.65, 34.75],
        ],
        patterns: vec![
            (vec![0, 1, 2], vec![0, 300, 600], 600),
            (vec![1, 3], vec![0, 240], 300),
        ],
        transfers: vec![],
    }
}

#[test]
fn hand_checked_times_and_legs() {
    let net = two_line_net();
    let feats: Vec<(String, [f64; 2])> = ["com-a", "com-b", "com-c", "com-d"]
        .iter()
        .zip(&net.stops)
        .map(|(id, p)| (id.to_string(), *p))
        .collect();
    let city = city_from("hand", &net, &feats);
    let r = reach::reach(&city, &transit(Origin::Place("com-a".into()), 30.0)).unwrap();
    let minutes: BTreeMap<&str, f64> = r
        .reached
        .iter()
        .map(|f| (f.id.as_str(), f.minutes))
        .collect();
    // fa: the origin itself. fb: wait 300 + ride 300. fc: wait 300 + ride 600.
    // fd: 600 at B, then wait 150 + transfer penalty 120, ride 240 → 1110 s.
    assert_eq!(minutes["com-a"], 0.0);
    assert_eq!(minutes["com-b"], 10.0);
    assert_eq!(minutes["com-c"], 15.0);
    assert_eq!(minutes["com-d"], 18.5);

    let fd = r.reached.iter().find(|f| f.id == "com-d").unwrap();
    let kinds: Vec<String> = fd.legs.iter().map(|l| l.short()).collect();
    assert_eq!(
        kinds,
        [
            "wait 5",
            "Route 0 (R0) ×1 stops 5",
            "wait 4.5",
            "Route 1 (R1) ×1 stops 4",
            "walk 0"
        ],
        "{kinds:?}"
    );
    match &fd.legs[2] {
        Leg::Wait {
            transfer_penalty_minutes,
            ..
        } => assert_eq!(*transfer_penalty_minutes, 2.0),
        other => panic!("expected a wait, got {other:?}"),
    }
    // Each leg carries the way travelled: a ride passes its stops, a walk is a straight line.
    let paths: Vec<Vec<[f64; 2]>> = fd
        .legs
        .iter()
        .filter_map(|l| match l {
            Leg::Ride { path, .. } | Leg::Street { path, .. } => Some(path.clone()),
            Leg::Wait { .. } | Leg::Timetable { .. } => None,
        })
        .collect();
    assert_eq!(
        paths,
        vec![
            vec![[113.60, 34.70], [113.65, 34.70]],
            vec![[113.65, 34.70], [113.65, 34.75]],
            vec![[113.65, 34.75], [113.65, 34.75]],
        ]
    );
    let fc = r.reached.iter().find(|f| f.id == "com-c").unwrap();
    match &fc.legs[1] {
        Leg::Ride { path, stops, .. } => {
            assert_eq!(*stops, 2);
            assert_eq!(
                path,
                &vec![[113.60, 34.70], [113.65, 34.70], [113.70, 34.70]]
            );
        }
        other => panic!("expected a ride, got {other:?}"),
    }
    // Walking from a point: the one leg runs from the origin to the feature.
    let r2 = reach::reach(&city, &transit(Origin::LonLat([113.64, 34.70]), 30.0)).unwrap();
    let fb = r2.reached.iter().find(|f| f.id == "com-b").unwrap();
    let first = fb.legs.first().unwrap();
    match first {
        Leg::Street { path, .. } => assert_eq!(path.first(), Some(&[113.64, 34.70])),
        other => panic!("expected a walk, got {other:?}"),
    }
    // A budget below 18.5 min leaves fd out; walking alone never gets there in time.
    let r = reach::reach(&city, &transit(Origin::Place("com-a".into()), 18.0)).unwrap();
    assert!(r.reached.iter().all(|f| f.id != "com-d"));
}

#[test]
fn walking_is_crow_fly_times_detour_at_walking_speed() {
    let net = two_line_net();
    let p = [113.60, 34.70];
    let q = [113.61, 34.70];
    let city = city_from("walk", &net, &[("com-a".into(), p), ("com-q".into(), q)]);
    let mut req = transit(Origin::Place("com-a".into()), 30.0);
    req.mode = Mode::Walk;
    let r = reach::reach(&city, &req).unwrap();
    let fq = r.reached.iter().find(|f| f.id == "com-q").unwrap();
    let expected = haversine_m(p, q) * WALK_SECS_PER_M / 60.0;
    assert!(
        (fq.minutes - expected).abs() <= 0.05,
        "{} vs {expected}",
        fq.minutes
    );
    assert_eq!(r.metadata.street_model.model, "crow_fly");
    assert_eq!(r.metadata.street_model.detour_factor, Some(1.3));
}

// ---------------------------------------------------------------------------------------------
// The engine against an independent plain Dijkstra on random networks.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Node {
    /// At a stop on foot, nothing ridden yet.
    Walked(usize),
    /// At a stop after a ride.
    Ridden(usize),
    /// Just boarded pattern p at position i.
    Boarded(usize, usize),
    /// Aboard pattern p, arriving at position i.
    Riding(usize, usize),
}

#[derive(PartialEq)]
struct Item(f64, Node);
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        o.0.total_cmp(&self.0)
    }
}

/// Earliest arrival at every point of `probes`: walk directly, or ride and walk from the stop.
fn oracle(net: &Net, origin: [f64; 2], budget_s: f64, probes: &[[f64; 2]]) -> Vec<Option<f64>> {
    let walk = |a: [f64; 2], b: [f64; 2]| haversine_m(a, b) * WALK_SECS_PER_M;
    let mut edges: HashMap<Node, Vec<(Node, f64)>> = HashMap::new();
    for (pi, (ps, arr, headway)) in net.patterns.iter().enumerate() {
        for i in 0..ps.len() {
            let wait = *headway as f64 / 2.0;
            if i + 1 < ps.len() {
                edges
                    .entry(Node::Walked(ps[i]))
                    .or_default()
                    .push((Node::Boarded(pi, i), wait));
                edges
                    .entry(Node::Ridden(ps[i]))
                    .or_default()
                    .push((Node::Boarded(pi, i), wait + TRANSFER_PENALTY_S));
                let run = (arr[i + 1] - arr[i]) as f64;
                edges
                    .entry(Node::Boarded(pi, i))
                    .or_default()
                    .push((Node::Riding(pi, i + 1), run));
                edges
                    .entry(Node::Riding(pi, i))
                    .or_default()
                    .push((Node::Riding(pi, i + 1), run));
            }
            edges
                .entry(Node::Riding(pi, i))
                .or_default()
                .push((Node::Ridden(ps[i]), 0.0));
        }
    }
    for &(a, b, s) in &net.transfers {
        edges
            .entry(Node::Ridden(a))
            .or_default()
            .push((Node::Ridden(b), s as f64));
    }
    let mut dist: HashMap<Node, f64> = HashMap::new();
    let mut heap = BinaryHeap::new();
    for (i, &p) in net.stops.iter().enumerate() {
        let t = walk(origin, p);
        if t <= budget_s {
            dist.insert(Node::Walked(i), t);
            heap.push(Item(t, Node::Walked(i)));
        }
    }
    while let Some(Item(t, n)) = heap.pop() {
        if t > dist[&n] {
            continue;
        }
        for &(m, c) in edges.get(&n).map(Vec::as_slice).unwrap_or(&[]) {
            let tm = t + c;
            if tm <= budget_s && dist.get(&m).is_none_or(|&d| tm < d) {
                dist.insert(m, tm);
                heap.push(Item(tm, m));
            }
        }
    }
    probes
        .iter()
        .map(|&q| {
            let mut best = walk(origin, q);
            for (i, &p) in net.stops.iter().enumerate() {
                if let Some(&t) = dist.get(&Node::Ridden(i)) {
                    best = best.min(t + walk(p, q));
                }
            }
            (best <= budget_s).then_some(best)
        })
        .collect()
}

fn random_net(rng: &mut StdRng) -> Net {
    let n = rng.random_range(8..30);
    let stops: Vec<[f64; 2]> = (0..n)
        .map(|_| {
            [
                rng.random_range(113.55..113.80),
                rng.random_range(34.65..34.85),
            ]
        })
        .collect();
    let mut patterns = Vec::new();
    for _ in 0..rng.random_range(2..8) {
        let len = rng.random_range(2..7).min(n);
        let mut ps: Vec<usize> = Vec::new();
        while ps.len() < len {
            let s = rng.random_range(0..n);
            if !ps.contains(&s) {
                ps.push(s);
            }
        }
        let mut arr = vec![0u32];
        for w in ps.windows(2) {
            // 40–90 km/h over the straight distance, whole seconds.
            let d = haversine_m(stops[w[0]], stops[w[1]]);
            let speed = rng.random_range(40.0..90.0) / 3.6;
            let last = *arr.last().unwrap();
            arr.push(last + (d / speed).ceil().max(30.0) as u32);
        }
        let headway = rng.random_range(2..16) * 60;
        patterns.push((ps, arr, headway));
    }
    let mut transfers = Vec::new();
    for _ in 0..rng.random_range(0..6) {
        let (a, b) = (rng.random_range(0..n), rng.random_range(0..n));
        if a != b {
            transfers.push((a, b, rng.random_range(30..400)));
        }
    }
    Net {
        stops,
        patterns,
        transfers,
    }
}

#[test]
fn engine_matches_a_plain_dijkstra_on_random_networks() {
    let mut rng = StdRng::seed_from_u64(20251122);
    let mut compared = 0usize;
    for case in 0..25 {
        let net = random_net(&mut rng);
        // Two features at the corners make the city's area cover every random origin.
        let anchor = [
            ("com-sw".to_string(), [113.55, 34.65]),
            ("com-ne".to_string(), [113.80, 34.85]),
        ];
        let city = city_from(&format!("oracle-{case}"), &net, &anchor);
        for _ in 0..4 {
            let origin = [
                rng.random_range(113.55..113.80),
                rng.random_range(34.65..34.85),
            ];
            let minutes = rng.random_range(10.0..60.0f64).round();
            let req = transit(Origin::LonLat(origin), minutes);
            let field = reach::travel_field(&city, &req).unwrap();
            let mut probes = net.stops.clone();
            probes.extend((0..30).map(|_| {
                [
                    rng.random_range(113.55..113.80),
                    rng.random_range(34.65..34.85),
                ]
            }));
            let want = oracle(&net, origin, minutes * 60.0, &probes);
            for (q, w) in probes.iter().zip(&want) {
                let got = field.minutes_at(*q).map(|m| m * 60.0);
                match (got, *w) {
                    (Some(g), Some(w)) => assert!(
                        (g - w).abs() < 0.05,
                        "case {case}: {q:?}: engine {g} s, oracle {w} s"
                    ),
                    (None, None) => {}
                    // Right at the budget, f32 rounding may tip either way.
                    (Some(g), None) | (None, Some(g)) => {
                        assert!(
                            (g - minutes * 60.0).abs() < 0.05,
                            "case {case}: {q:?}: {got:?} vs {w:?}"
                        )
                    }
                }
                compared += 1;
            }
        }
    }
    assert!(compared > 1000);
}

// ---------------------------------------------------------------------------------------------
// Polygons and invariants on the real Zhengzhou data.
// ---------------------------------------------------------------------------------------------

fn zhengzhou() -> City {
    City::load(DataSource::Embedded).unwrap()
}

/// The text the server sends (band geometries written straight from their coordinates) is the
/// same document as the `Value` built feature by feature, for every band form and band count.
#[test]
fn geojson_text_is_the_geojson_value() {
    let city = zhengzhou();
    for (origin, bands, form) in [
        ("小李庄站", vec![10.0, 20.0, 30.0], BandForm::Disjoint),
        ("郑州东站", vec![15.0, 45.0], BandForm::Cumulative),
        ("二七商圈", vec![20.0], BandForm::Disjoint),
    ] {
        let mut req = ReachRequest::new(Origin::Place(origin.into()), *bands.last().unwrap());
        req.bands = bands;
        req.band_form = form;
        let r = reach::reach(&city, &req).unwrap();
        let text = r.to_geojson_string();
        let value = r.to_geojson();
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, value, "{origin}");
        let polygons = value["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["properties"]["layer"] == "band")
            .map(|f| f["geometry"]["coordinates"].as_array().unwrap().len())
            .sum::<usize>();
        assert!(polygons > 0, "{origin}: no band polygon to compare");
    }
}

#[test]
fn bands_are_valid_disjoint_and_nest_in_the_cumulative_form() {
    let city = zhengzhou();
    for (origin, scenario) in [
        ("小李庄站", "plan-2025"),
        ("郑州东站", "existing"),
        ("二七商圈", "existing"),
    ] {
        let mut req = ReachRequest::new(Origin::Place(origin.into()), 30.0);
        req.bands = vec![10.0, 20.0, 30.0];
        req.scenario = scenario.into();
        let disjoint = reach::reach(&city, &req).unwrap();
        req.band_form = BandForm::Cumulative;
        let cumulative = reach::reach(&city, &req).unwrap();
        let d: Vec<_> = disjoint
            .bands
            .iter()
            .map(|b| b.geometry.clone().unwrap())
            .collect();
        let c: Vec<_> = cumulative
            .bands
            .iter()
            .map(|b| b.geometry.clone().unwrap())
            .collect();
        for mp in d.iter().chain(&c) {
            assert!(mp.is_valid(), "{origin}: invalid band polygon");
        }
        assert!(
            c.last().unwrap().unsigned_area() > 0.0,
            "{origin}: nothing reached"
        );
        for i in 0..d.len() {
            for j in i + 1..d.len() {
                let overlap = d[i].intersection(&d[j]).unsigned_area();
                assert!(
                    overlap < 1e-9,
                    "{origin}: bands {i} and {j} overlap by {overlap}"
                );
            }
        }
        for k in 1..c.len() {
            // Everything within band k-1 is within band k.
            let outside = c[k - 1].difference(&c[k]).unsigned_area();
            assert!(
                outside < 1e-9 * c[k - 1].unsigned_area().max(1e-12) + 1e-12,
                "{origin}: band {k} does not contain band {}",
                k - 1
            );
        }
        // The disjoint bands add up to the cumulative outer band.
        let sum: f64 = d.iter().map(|m| m.unsigned_area()).sum();
        let outer = c.last().unwrap().unsigned_area();
        assert!(
            (sum - outer).abs() / outer < 1e-6,
            "{origin}: {sum} vs {outer}"
        );
    }
}

#[test]
fn points_inside_a_band_are_reached_within_it_and_vice_versa() {
    let city = zhengzhou();
    let mut req = ReachRequest::new(Origin::Place("小李庄站".into()), 40.0);
    req.bands = vec![10.0, 20.0, 30.0, 40.0];
    req.scenario = "plan-2025".into();
    req.band_form = BandForm::Cumulative;
    let result = reach::reach(&city, &req).unwrap();
    let field = reach::travel_field(&city, &req).unwrap();
    let polys: Vec<_> = result
        .bands
        .iter()
        .map(|b| b.geometry.clone().unwrap())
        .collect();
    let bbox = geo::BoundingRect::bounding_rect(polys.last().unwrap()).unwrap();
    // One raster cell of slack: walking 100 m (× detour) is 1.6 min.
    let cell_minutes = polys_cell_minutes(&result);
    let mut rng = StdRng::seed_from_u64(7);
    let (mut agree, mut total) = (0usize, 0usize);
    for _ in 0..10_000 {
        let p = [
            rng.random_range(bbox.min().x..bbox.max().x),
            rng.random_range(bbox.min().y..bbox.max().y),
        ];
        let t = field.minutes_at(p);
        for (k, mp) in polys.iter().enumerate() {
            let limit = req.bands[k];
            let inside = mp.contains(&geo::Point::new(p[0], p[1]));
            let ok = if inside {
                t.is_some_and(|t| t <= limit + cell_minutes)
            } else {
                t.is_none_or(|t| t >= limit - cell_minutes)
            };
            total += 1;
            agree += ok as usize;
        }
    }
    let share = agree as f64 / total as f64;
    assert!(share >= 0.99, "only {:.2}% of samples agree", share * 100.0);
}

fn polys_cell_minutes(result: &reach::ReachResult) -> f64 {
    let _ = result;
    // Default cell 100 m; the diagonal of a cell walked with the detour factor.
    100.0 * std::f64::consts::SQRT_2 * WALK_SECS_PER_M / 60.0
}

#[test]
fn a_larger_budget_never_reaches_fewer_features() {
    let city = zhengzhou();
    for origin in ["小李庄站", "郑州站", "hub-xinzheng-airport", "113.66,34.75"] {
        let mut prev: Vec<String> = Vec::new();
        for minutes in [5.0, 10.0, 20.0, 30.0, 45.0, 60.0, 90.0] {
            let req = transit(Origin::parse(origin).unwrap(), minutes);
            let ids: Vec<String> = reach::reach(&city, &req)
                .unwrap()
                .reached
                .into_iter()
                .map(|f| f.id)
                .collect();
            for id in &prev {
                assert!(
                    ids.contains(id),
                    "{origin}: {id} reached in fewer than {minutes} min but not in {minutes}"
                );
            }
            prev = ids;
        }
    }
}

#[test]
fn plan_2025_never_reaches_less_than_existing() {
    let city = zhengzhou();
    let origins: Vec<String> = city
        .catalog
        .features()
        .iter()
        .step_by(7)
        .map(|f| f.id.clone())
        .collect();
    for origin in origins {
        let mut req = transit(Origin::Place(origin.clone()), 30.0);
        let existing = reach::reach(&city, &req).unwrap();
        req.scenario = "plan-2025".into();
        let plan = reach::reach(&city, &req).unwrap();
        let plan_times: HashMap<&str, f64> = plan
            .reached
            .iter()
            .map(|f| (f.id.as_str(), f.minutes))
            .collect();
        for f in &existing.reached {
            let t = plan_times.get(f.id.as_str());
            assert!(
                t.is_some_and(|t| *t <= f.minutes + 1e-9),
                "{origin}: {} is {} min in existing but {t:?} in plan-2025",
                f.id,
                f.minutes
            );
        }
    }
}

#[test]
fn xiaolizhuang_is_served_only_by_the_plan() {
    let city = zhengzhou();
    let mut req = transit(Origin::Place("小李庄站".into()), 20.0);
    let existing = reach::reach(&city, &req).unwrap();
    req.scenario = "plan-2025".into();
    let plan = reach::reach(&city, &req).unwrap();
    let ids = |r: &reach::ReachResult| r.reached.iter().map(|f| f.id.clone()).collect::<Vec<_>>();
    assert!(!ids(&existing).contains(&"hub-zhengzhou-east".to_string()));
    assert!(ids(&plan).contains(&"hub-zhengzhou-east".to_string()));
    // In the plan the east station is reached by the new link, with its assumptions.
    let east = plan
        .reached
        .iter()
        .find(|f| f.id == "hub-zhengzhou-east")
        .unwrap();
    assert!(east
        .legs
        .iter()
        .any(|l| matches!(l, Leg::Ride { scenario: Some(s), .. } if s == "plan-2025")));
}

#[test]
fn targets_run_in_both_scenarios_and_say_what_drives_them() {
    let city = zhengzhou();
    for scenario in ["existing", "plan-2025"] {
        let results = reach::targets::evaluate_all(&city, scenario).unwrap();
        let airport = results
            .iter()
            .find(|r| r.target.id == "xlz-airport-20min")
            .unwrap();
        let minutes = airport
            .minutes
            .expect("the airport is reachable in both scenarios");
        assert!(minutes > 0.0);
        if scenario == "plan-2025" {
            assert!(
                !airport.assumptions.is_empty(),
                "plan-2025 rides a scenario link"
            );
        } else {
            assert!(airport.assumptions.is_empty());
        }
        assert!(results
            .iter()
            .any(|r| r.verdict == reach::targets::Verdict::NotEvaluable));
    }
}

#[test]
fn bad_input_is_rejected_with_the_parameter_named() {
    let city = zhengzhou();
    let err = |req: ReachRequest| reach::reach(&city, &req).unwrap_err();
    let e = err(transit(Origin::Place("no such place".into()), 20.0));
    assert_eq!(e.parameter(), "from");
    let e = err(transit(Origin::LonLat([116.4, 39.9]), 20.0));
    assert!(e.to_string().contains("outside"), "{e}");
    for m in [0.0, -5.0, f64::NAN, f64::INFINITY, 181.0] {
        let e = err(transit(Origin::Place("郑州站".into()), m));
        assert_eq!(e.parameter(), "bands", "{m}: {e}");
    }
    let mut req = transit(Origin::Place("郑州站".into()), 20.0);
    req.scenario = "plan-2099".into();
    let e = err(req);
    assert_eq!(e.parameter(), "scenario");
    assert!(e.to_string().contains("plan-2025"));
    for g in [-1.0, f64::NAN, 5000.5] {
        let mut req = transit(Origin::Place("郑州站".into()), 20.0);
        req.generalize_m = Some(g);
        let e = err(req);
        assert_eq!(e.parameter(), "generalize", "{g}: {e}");
    }
    for d in [-0.1, f64::INFINITY, 1.5] {
        let mut req = transit(Origin::Place("郑州站".into()), 20.0);
        req.denoise = Some(d);
        let e = err(req);
        assert_eq!(e.parameter(), "denoise", "{d}: {e}");
    }
    assert!("teleport".parse::<Mode>().is_err());
    assert!(reach::parse_bands("10,5").is_err());
    assert!(reach::parse_bands("10,abc").is_err());
    assert!(Origin::parse("113.6,NaN").is_err());
    assert!(Origin::parse("500,34").is_err());
}

#[test]
fn another_city_loads_with_its_own_bounds() {
    // Andorra: outside Zhengzhou, fine without a profile, refused by a profile that excludes it.
    let net = Net {
        stops: vec![[1.52, 42.50], [1.55, 42.51]],
        patterns: vec![(vec![0, 1], vec![0, 240], 600)],
        transfers: vec![],
    };
    let city = city_from("andorra", &net, &[("com-andorra".into(), [1.53, 42.505])]);
    assert_eq!(city.catalog.len(), 1);
    let r = reach::reach(&city, &transit(Origin::LonLat([1.52, 42.50]), 20.0)).unwrap();
    assert!(r.reached.iter().any(|f| f.id == "com-andorra"));

    let DataSource::Folder(dir) = &city.source else {
        panic!("a folder city")
    };
    std::fs::write(
        dir.join("city.toml"),
        "name = \"Somewhere else\"\nbbox = [112.70, 34.25, 114.23, 35.00]\n",
    )
    .unwrap();
    let err = City::load(DataSource::Folder(dir.clone()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("com-andorra") && err.contains("features.geojson"),
        "{err}"
    );

    std::fs::write(
        dir.join("city.toml"),
        "name = \"Andorra\"\nbbox = [1.4, 42.4, 1.8, 42.7]\n",
    )
    .unwrap();
    let city = City::load(DataSource::Folder(dir.clone())).unwrap();
    assert_eq!(city.profile.name, "Andorra");

    std::fs::write(
        dir.join("city.toml"),
        "name = \"Bad\"\nbbox = [1.8, 42.4, 1.4, 42.7]\n",
    )
    .unwrap();
    let err = City::load(DataSource::Folder(dir.clone()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("city.toml") && err.contains("bbox"), "{err}");
}
