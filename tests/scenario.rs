//! What-if scenarios: the modification language on a small hand-made network with exact times,
//! the shipped `plan-2025` against the answers it gave before it was written as modifications,
//! whole rejection of invalid edits, and the cache.

mod support;

use cityreach::geodesy::haversine_m;
use cityreach::reach::{self, Mode, Origin, ReachRequest};
use cityreach::scenario::cache::ScenarioCache;
use cityreach::scenario::{self, Modification, ScenarioError};
use cityreach::{City, DataSource};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// FNV-1a over a string: a compact fingerprint of a whole answer.
fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Every reached feature (id, minutes, legs) of reaches from several origins in every mode,
/// and every plan target, on one scenario: one line per answer.
fn plan_answers(city: &City, scenario: &str) -> Vec<String> {
    let mut out = Vec::new();
    let origins = [
        "小李庄站",
        "郑州站",
        "郑州东站",
        "hub-xinzheng-airport",
        "113.75,34.70",
    ];
    for o in origins {
        for (mode, minutes) in [
            (Mode::Transit, 90.0),
            (Mode::Walk, 30.0),
            (Mode::Bike, 30.0),
            (Mode::Drive, 30.0),
        ] {
            let mut req = ReachRequest::new(Origin::parse(o).unwrap(), minutes);
            req.mode = mode;
            req.polygons = false;
            req.scenario = scenario.to_string();
            let r = reach::reach(city, &req).unwrap();
            let json = serde_json::to_string(&r.reached).unwrap();
            let times: String = r
                .reached
                .iter()
                .map(|f| format!("{}={};", f.id, f.minutes))
                .collect();
            out.push(format!(
                "{o} {} {} {:016x} {:016x}",
                mode.as_str(),
                r.reached.len(),
                fnv(&times),
                fnv(&json)
            ));
        }
    }
    for t in reach::targets::evaluate_all(city, scenario).unwrap() {
        // The timetable reading came later than these answers; it is pinned in
        // tests/timetable_scenario.rs.
        let mut before = t.clone();
        before.share_of_departures = None;
        let json = serde_json::to_string(&before).unwrap();
        out.push(format!(
            "target {} {:?} {:?} {:016x}",
            t.target.id,
            t.verdict,
            t.minutes,
            fnv(&json)
        ));
    }
    out
}

/// `plan_answers(city, "plan-2025")` as computed before `plan-2025.toml` was written as
/// modifications (when it declared its stops and links directly; recomputed that way whenever
/// the city's data changes): the reached features' ids and
/// minutes (first hash), their whole JSON with legs and scenario tags (second hash), and every
/// target's verdict, minutes and JSON.
const PLAN_2025_BEFORE: [&str; 27] = [
    "小李庄站 transit 193 9cff57f683fb75b3 6fd21e3b730feb53",
    "小李庄站 walk 1 7ae8405010c8224e 75a251ab0a540142",
    "小李庄站 bike 3 c4a71ad17e44f555 07135436490ca673",
    "小李庄站 drive 17 62b36acea4036f64 c3f26c887a895d0f",
    "郑州站 transit 181 472a6e78025e4c6b ae701b234c2cff76",
    "郑州站 walk 17 d99e42f56d3d714e a6549e2d1298dafc",
    "郑州站 bike 52 fd9d780b4886a672 8c6c772c31b3820a",
    "郑州站 drive 110 2d7588c437585e1f 5ea6fa48cdda6d40",
    "郑州东站 transit 199 0bbd669d444def85 090ee951a21e97b4",
    "郑州东站 walk 9 13e076ab7afeb3bf dfa85ab14568d565",
    "郑州东站 bike 39 90a8c5013376ef99 b3f65434a10b63f5",
    "郑州东站 drive 115 25d91fe6a540ca64 6a7b85863cecfdc0",
    "hub-xinzheng-airport transit 166 eb0228a6e173be5a 82351887bff13954",
    "hub-xinzheng-airport walk 22 1cadf44bb0e3eb8b 20a10b4f127b0be7",
    "hub-xinzheng-airport bike 48 8e940a173c23872f e94353701a9fb62a",
    "hub-xinzheng-airport drive 65 f1d3aa0cd50d1dd2 b6f683f1e5170bff",
    "113.75,34.70 transit 131 a12a8d138cebe306 e3caf18929203463",
    "113.75,34.70 walk 5 814de8de69890bfa f8dd0a6fc6c7b57d",
    "113.75,34.70 bike 27 45c8cb1dd4aab771 49fdf6951e28d941",
    "113.75,34.70 drive 97 6e42c05efeded217 bdd7e93ea9e07024",
    "target xlz-airport-20min Fail Some(32.8) 5844153e6bdf4b53",
    "target xlz-east-15min Fail Some(19.6) 434f45dbc14fd4e4",
    "target xlz-1.5h-circle Fail None 506de9ce904a8f8f",
    "target capitals-2h Fail None 5fc29373dbd2dc71",
    "target rail-network-700km NotEvaluable None 2d8af9ccdc972588",
    "target fitness-10min NotEvaluable None d106104b961eef96",
    "target air-cargo-24h NotEvaluable None 507ab020456a5ff9",
];

#[test]
fn plan_2025_as_modifications_gives_exactly_the_answers_it_gave_before() {
    let city = City::load(DataSource::Embedded).unwrap();
    let now = plan_answers(&city, "plan-2025");
    for (a, b) in now.iter().zip(PLAN_2025_BEFORE) {
        assert_eq!(a, b);
    }
    assert_eq!(now.len(), PLAN_2025_BEFORE.len());
}

// ---------------------------------------------------------------------------------------------
// Every modification type on a small hand-made network with exact times.
// ---------------------------------------------------------------------------------------------

/// Stops s0–s5 (named "Stop 0" …) with a feature f0–f5 on each:
/// s0 A (113.60, 34.70), s1 B (113.65), s2 C (113.70), s3 D (113.75) on route R0, 5 min per hop,
/// every 10 min; s4 F (113.75, 34.80) → s5 G (113.80, 34.80) on route R1, 5 min, every 10 min.
/// Neighbouring stops are ≥ 4.5 km apart, beyond a 60-minute walk at the crow-fly proxy's pace.
const STOPS: [[f64; 2]; 6] = [
    [113.60, 34.70],
    [113.65, 34.70],
    [113.70, 34.70],
    [113.75, 34.70],
    [113.75, 34.80],
    [113.80, 34.80],
];
/// A feature with no stop of its own, 5.6 km north of s0.
const E: [f64; 2] = [113.60, 34.75];

fn small_city() -> &'static City {
    static C: OnceLock<City> = OnceLock::new();
    C.get_or_init(|| build_small("shared"))
}

fn build_small(tag: &str) -> City {
    {
        let dir =
            std::env::temp_dir().join(format!("cityreach-scenario-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let g = dir.join("gtfs");
        std::fs::create_dir_all(&g).unwrap();
        let mut feats = Vec::new();
        for (i, p) in STOPS.iter().chain([&E]).enumerate() {
            feats.push(format!(
                r#"{{"type":"Feature","id":"com-f{i}","geometry":{{"type":"Point","coordinates":[{},{}]}},"properties":{{"kind":"commercial","subkind":"mall","name_zh":"f{i}","name_en":"f{i}","name_pinyin":"f{i}","aliases":[],"status":"existing","year":null,"status_as_of":2026,"sources":[{{"doc":"000_2e4118b01e10da6a.txt","line":1}}],"position":{{"method":"estimated","accuracy_m":100}},"area_km2":null,"district":null,"note":null}}}}"#,
                p[0], p[1]
            ));
        }
        std::fs::write(
            dir.join("features.geojson"),
            format!(
                r#"{{"type":"FeatureCollection","features":[{}]}}"#,
                feats.join(",")
            ),
        )
        .unwrap();
        let files = [
            ("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\na,Test,https://example.org,Asia/Shanghai\n".to_string()),
            ("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nd,1,1,1,1,1,1,1,20260101,20261231\n".to_string()),
            ("stops.txt", {
                let mut t = String::from("stop_id,stop_name,stop_lat,stop_lon\n");
                for (i, p) in STOPS.iter().enumerate() {
                    t += &format!("s{i},Stop {i},{},{}\n", p[1], p[0]);
                }
                t
            }),
            ("routes.txt", "route_id,agency_id,route_short_name,route_long_name,route_type\nr0,a,R0,Route 0,1\nr1,a,R1,Route 1,1\n".to_string()),
            ("trips.txt", "route_id,service_id,trip_id\nr0,d,t0\nr1,d,t1\n".to_string()),
            ("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nt0,00:00:00,00:00:00,s0,1\nt0,00:05:00,00:05:00,s1,2\nt0,00:10:00,00:10:00,s2,3\nt0,00:15:00,00:15:00,s3,4\nt1,00:00:00,00:00:00,s4,1\nt1,00:05:00,00:05:00,s5,2\n".to_string()),
            ("frequencies.txt", "trip_id,start_time,end_time,headway_secs\nt0,06:00:00,23:00:00,600\nt1,06:00:00,23:00:00,600\n".to_string()),
        ];
        for (name, text) in files {
            std::fs::write(g.join(name), text).unwrap();
        }
        City::load(DataSource::Folder(dir)).unwrap()
    }
}

fn mods(v: Value) -> Vec<Modification> {
    scenario::parse_list(v.as_array().unwrap()).unwrap()
}

/// Minutes to each feature reached within 60 min of s0 by transit.
fn times(city: &City, modifications: Value) -> BTreeMap<String, f64> {
    let mut req = ReachRequest::new(Origin::parse("113.60,34.70").unwrap(), 60.0);
    req.polygons = false;
    let r = scenario::reach(&ScenarioCache::default(), city, &req, &mods(modifications)).unwrap();
    r.reached
        .iter()
        .map(|f| (f.id.trim_start_matches("com-").to_string(), f.minutes))
        .collect()
}

fn expect(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

fn round1(m: f64) -> f64 {
    (m * 10.0).round() / 10.0
}

#[test]
fn the_base_answer_of_the_small_network() {
    // Wait 5 (half of 10), then 5 min per hop.
    let base = expect(&[("f0", 0.0), ("f1", 10.0), ("f2", 15.0), ("f3", 20.0)]);
    assert_eq!(times(small_city(), json!([])), base);
}

#[test]
fn adjust_frequency_changes_the_wait() {
    let c = small_city();
    let t = times(
        c,
        json!([{"type": "adjust-frequency", "route": "R0", "headway_min": 4}]),
    );
    assert_eq!(
        t,
        expect(&[("f0", 0.0), ("f1", 7.0), ("f2", 12.0), ("f3", 17.0)])
    );
    // For 07:00–08:00 only: 1 h of the 17 h day at 4 min, 16 h at 10 min, averaged as rates.
    let t = times(
        c,
        json!([{"type": "adjust-frequency", "route": "r0", "headway_min": 4, "window": ["07:00", "08:00"]}]),
    );
    let headway_s = 1.0 / ((16.0 / 17.0) / 600.0 + (1.0 / 17.0) / 240.0);
    let wait = headway_s / 2.0 / 60.0;
    assert_eq!(
        t,
        expect(&[
            ("f0", 0.0),
            ("f1", round1(wait + 5.0)),
            ("f2", round1(wait + 10.0)),
            ("f3", round1(wait + 15.0))
        ])
    );
}

#[test]
fn adjust_speed_by_factor_speed_and_between_two_stops() {
    let c = small_city();
    let t = times(
        c,
        json!([{"type": "adjust-speed", "route": "Route 0", "factor": 2}]),
    );
    assert_eq!(
        t,
        expect(&[("f0", 0.0), ("f1", 7.5), ("f2", 10.0), ("f3", 12.5)])
    );
    let t = times(
        c,
        json!([{"type": "adjust-speed", "route": "R0", "factor": 2, "from": "Stop 1", "to": "s2"}]),
    );
    assert_eq!(
        t,
        expect(&[("f0", 0.0), ("f1", 10.0), ("f2", 12.5), ("f3", 17.5)])
    );
    // 60 km/h over the straight line × 1.15 between s1 and s2.
    let t = times(
        c,
        json!([{"type": "adjust-speed", "route": "R0", "speed_kmh": 60, "from": "s1", "to": "s2"}]),
    );
    let hop = haversine_m(STOPS[1], STOPS[2]) * 1.15 / (60.0 / 3.6) / 60.0;
    assert_eq!(
        t,
        expect(&[
            ("f0", 0.0),
            ("f1", 10.0),
            ("f2", round1(10.0 + hop)),
            ("f3", round1(15.0 + hop))
        ])
    );
}

#[test]
fn remove_stops_and_remove_route() {
    let c = small_city();
    // Vehicles pass s2 without stopping: s3 keeps its time.
    let closed = expect(&[("f0", 0.0), ("f1", 10.0), ("f3", 20.0)]);
    assert_eq!(
        times(c, json!([{"type": "remove-stops", "stops": ["s2"]}])),
        closed
    );
    assert_eq!(
        times(
            c,
            json!([{"type": "remove-stops", "stops": ["Stop 2"], "route": "R0"}])
        ),
        closed
    );
    assert_eq!(
        times(c, json!([{"type": "remove-route", "route": "R0"}])),
        expect(&[("f0", 0.0)])
    );
}

#[test]
fn add_line_through_existing_and_new_stops() {
    let c = small_city();
    // s0 → s3 in 6 min every 6 min: 3 + 6.
    let t = times(
        c,
        json!([{"type": "add-line", "mode": "metro", "stops": ["s0", "Stop 3"], "run_min": [6], "headway_min": 6}]),
    );
    assert_eq!(
        t,
        expect(&[("f0", 0.0), ("f1", 10.0), ("f2", 15.0), ("f3", 9.0)])
    );
    // A new stop at E, 60 km/h over the straight line × 1.15, every 10 min.
    let t = times(
        c,
        json!([{"type": "add-line", "name": "north", "mode": "bus",
                "stops": ["s0", {"name": "E", "lon": E[0], "lat": E[1]}],
                "headway_min": 10, "speed_kmh": 60}]),
    );
    let ride = haversine_m(STOPS[0], E) * 1.15 / (60.0 / 3.6) / 60.0;
    assert_eq!(
        t,
        expect(&[
            ("f0", 0.0),
            ("f1", 10.0),
            ("f2", 15.0),
            ("f3", 20.0),
            ("f6", round1(5.0 + ride))
        ])
    );
}

#[test]
fn add_transfer_joins_two_lines() {
    // s3 at 20, a 1-minute walk to s4; then R1: wait 5 + transfer penalty 2, ride 5.
    let t = times(
        small_city(),
        json!([{"type": "add-transfer", "from": "s3", "to": "s4", "minutes": 1}]),
    );
    assert_eq!(
        t,
        expect(&[
            ("f0", 0.0),
            ("f1", 10.0),
            ("f2", 15.0),
            ("f3", 20.0),
            ("f4", 21.0),
            ("f5", 33.0)
        ])
    );
}

#[test]
fn modifications_apply_in_the_documented_order_whatever_the_listed_order() {
    // The frequency change applies to the route before the removal of s2, as listed or not.
    let c = small_city();
    let a = times(
        c,
        json!([{"type": "adjust-frequency", "route": "R0", "headway_min": 4},
               {"type": "remove-stops", "stops": ["s2"]}]),
    );
    let b = times(
        c,
        json!([{"type": "remove-stops", "stops": ["s2"]},
               {"type": "adjust-frequency", "route": "R0", "headway_min": 4}]),
    );
    assert_eq!(a, b);
    assert_eq!(a, expect(&[("f0", 0.0), ("f1", 7.0), ("f3", 17.0)]));
}

#[test]
fn invalid_modifications_are_rejected_whole_with_every_problem_named() {
    let c = &build_small("invalid");
    let list = json!([
        {"type": "adjust-frequency", "route": "R0", "headway_min": 4},
        {"type": "add-line", "mode": "bus", "stops": ["s0", "Stop 9"], "headway_min": 0, "speed_kmh": 300},
        {"type": "remove-route", "route": "R7"},
        {"type": "add-line", "mode": "rail", "stops": ["s0", {"name": "far", "lon": 116.4, "lat": 39.9}], "headway_min": 10, "speed_kmh": 100},
    ]);
    let mut req = ReachRequest::new(Origin::parse("113.60,34.70").unwrap(), 60.0);
    req.polygons = false;
    let cache = ScenarioCache::default();
    let err = scenario::reach(&cache, c, &req, &mods(list)).unwrap_err();
    let ScenarioError::Invalid(problems) = &err else {
        panic!("{err}");
    };
    let got: Vec<(Option<usize>, &str, &str)> = problems
        .iter()
        .map(|p| (p.index, p.kind.as_str(), p.field.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(1), "add-line", "stops[1]"),
            (Some(1), "add-line", "headway_min"),
            (Some(1), "add-line", "speed_kmh"),
            (Some(2), "remove-route", "route"),
            (Some(3), "add-line", "stops[1]"),
        ]
    );
    let text = err.to_string();
    assert!(text.contains("at most 100 km/h"), "{text}");
    assert!(text.contains("outside the city's area"), "{text}");
    assert!(
        problems[0].suggestions.contains(&"Stop 0".to_string()),
        "{:?}",
        problems[0]
    );
    // Nothing was compiled or kept, and the shared network is as it was.
    assert!(cache.is_empty());
    assert_eq!(c.transit.stops.len(), 6);
    assert_eq!(c.transit.scenarios.len(), 1);
    // Too many modifications: one problem for the list.
    let many: Vec<Value> = (0..51)
        .map(|_| json!({"type": "remove-route", "route": "R0"}))
        .collect();
    let err = scenario::parse_list(&many).unwrap_err().to_string();
    assert!(err.contains("51 modifications; at most 50"), "{err}");
}

#[test]
fn a_cached_scenario_answers_the_same_and_is_compiled_once() {
    let city = City::load(DataSource::Embedded).unwrap();
    let list = json!([{"type": "adjust-frequency", "route": "城郊线", "headway_min": 4}]);
    let mut req = ReachRequest::new(Origin::parse("郑州东站").unwrap(), 40.0);
    req.polygons = false;
    let cache = ScenarioCache::default();
    let first = scenario::reach(&cache, &city, &req, &mods(list.clone())).unwrap();
    assert_eq!(cache.len(), 1);
    // The same edit written with another field order shares the entry.
    let reordered = json!([{"headway_min": 4.0, "route": "城郊线", "type": "adjust-frequency"}]);
    let second = scenario::reach(&cache, &city, &req, &mods(reordered)).unwrap();
    assert_eq!(cache.len(), 1);
    assert_eq!(
        serde_json::to_string(&first.to_geojson()).unwrap(),
        serde_json::to_string(&second.to_geojson()).unwrap()
    );
    let hash = first.metadata.scenario.hash.as_deref().unwrap();
    assert_eq!(hash.len(), 16);
    assert_eq!(
        first.metadata.scenario.id,
        format!("existing+{}", &hash[..8])
    );
    // Echoed in canonical form (numbers as the typed list writes them).
    assert_eq!(
        first.metadata.scenario.modifications.clone().unwrap(),
        json!([{"type": "adjust-frequency", "route": "城郊线", "headway_min": 4.0}])
    );
}

fn zhengzhou() -> &'static City {
    static C: OnceLock<City> = OnceLock::new();
    C.get_or_init(|| City::load(DataSource::Embedded).unwrap())
}

#[test]
fn the_plan_2025_modifications_sent_with_a_request_give_the_plan_2025_times() {
    let city = zhengzhou();
    let sc = &city.transit.scenarios[city.transit.scenario_index("plan-2025").unwrap()];
    // The named plan's stop id belongs to the network already: the request names it by name.
    let mut list = serde_json::to_value(&sc.modifications).unwrap();
    for (i, m) in list.as_array_mut().unwrap().iter_mut().enumerate() {
        let stops = m["stops"].as_array_mut().unwrap();
        if i == 0 {
            stops[0].as_object_mut().unwrap().remove("id");
        } else {
            stops[0] = json!("小李庄站");
        }
    }
    for o in ["小李庄站", "郑州站", "hub-xinzheng-airport"] {
        let mut req = ReachRequest::new(Origin::parse(o).unwrap(), 90.0);
        req.polygons = false;
        req.scenario = "plan-2025".into();
        let named = reach::reach(city, &req).unwrap();
        req.scenario = "existing".into();
        let inline =
            scenario::reach(&ScenarioCache::default(), city, &req, &mods(list.clone())).unwrap();
        let t = |r: &reach::ReachResult| -> Vec<(String, f64)> {
            r.reached
                .iter()
                .map(|f| (f.id.clone(), f.minutes))
                .collect()
        };
        assert_eq!(t(&named), t(&inline), "from {o}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// A line that only adds service never makes a reached time longer, nor leaves a place
    /// unreached that the base reached.
    #[test]
    fn adding_a_line_never_lengthens_a_reached_time(
        a in 0usize..235, b in 0usize..235, c in 0usize..235,
        headway in 1.0f64..60.0, speed in 10.0f64..160.0, origin in 0usize..5,
    ) {
        let city = zhengzhou();
        let base_stops: Vec<&str> = city
            .transit
            .stops
            .iter()
            .filter(|s| s.scenario.is_none())
            .map(|s| s.id.as_str())
            .collect();
        let pick = |i: usize| base_stops[i % base_stops.len()];
        prop_assume!(pick(a) != pick(b) && pick(b) != pick(c));
        let list = json!([{"type": "add-line", "mode": "metro",
            "stops": [pick(a), pick(b), pick(c)], "headway_min": headway, "speed_kmh": speed}]);
        let origins = ["小李庄站", "郑州站", "郑州东站", "hub-xinzheng-airport", "113.75,34.70"];
        let mut req = ReachRequest::new(Origin::parse(origins[origin]).unwrap(), 60.0);
        req.polygons = false;
        let before: BTreeMap<String, f64> = reach::reach(city, &req)
            .unwrap()
            .reached
            .iter()
            .map(|f| (f.id.clone(), f.minutes))
            .collect();
        let after: BTreeMap<String, f64> = scenario::reach(&ScenarioCache::default(), city, &req, &mods(list))
            .unwrap()
            .reached
            .iter()
            .map(|f| (f.id.clone(), f.minutes))
            .collect();
        for (id, t) in &before {
            let Some(t2) = after.get(id) else {
                return Err(TestCaseError::fail(format!("{id} no longer reached")));
            };
            prop_assert!(t2 <= t, "{id}: {t} → {t2}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Over HTTP, in process through `server::router`.
// ---------------------------------------------------------------------------------------------

fn app() -> &'static (tokio::runtime::Runtime, axum::Router) {
    static APP: OnceLock<(tokio::runtime::Runtime, axum::Router)> = OnceLock::new();
    APP.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let city = std::sync::Arc::new(City::load(DataSource::Embedded).unwrap());
        (rt, cityreach::server::router(city))
    })
}

fn http(method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    use tower::ServiceExt;
    let (rt, router) = app();
    let mut b = axum::http::Request::builder().method(method).uri(path);
    if body.is_some() {
        b = b.header("content-type", "application/json");
    }
    let req = b
        .body(axum::body::Body::from(
            body.map(|v| v.to_string()).unwrap_or_default(),
        ))
        .unwrap();
    rt.block_on(async {
        let res = router.clone().oneshot(req).await.unwrap();
        let status = res.status().as_u16();
        let bytes = axum::body::to_bytes(res.into_body(), 64 << 20)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    })
}

/// The request of the scenario issue, verbatim.
fn airport_express() -> Value {
    json!({"from": "小李庄站", "minutes": 30, "mode": "transit",
     "scenario": {"base": "existing", "modifications": [
       {"type": "add-line", "name": "XLZ airport express", "mode": "rail",
        "stops": [{"name": "小李庄", "lon": 113.700, "lat": 34.635}, "新郑机场"],
        "headway_min": 10, "speed_kmh": 120}]}})
}

#[test]
fn post_reach_with_the_issue_example_rides_the_new_line() {
    let (status, v) = http("POST", "/reach", Some(airport_express()));
    assert_eq!(status, 200, "{v}");
    let meta = &v["metadata"];
    let hash = meta["scenario"]["hash"].as_str().unwrap();
    assert_eq!(meta["scenario"]["base"], "existing");
    assert_eq!(
        meta["scenario"]["id"],
        json!(format!("existing+{}", &hash[..8]))
    );
    assert_eq!(meta["scenario"]["modifications"][0]["type"], "add-line");
    assert_eq!(meta["scenario"]["modifications"][0]["speed_kmh"], 120.0);
    // The new stop is where 小李庄站 is: wait 5 (half of 10), then the ride at 120 km/h over
    // the straight line × 1.15 to 新郑机场 (城郊线), then 0 min to the ground transport centre.
    let ride =
        haversine_m([113.700, 34.635], [113.846547, 34.527411]) * 1.15 / (120.0 / 3.6) / 60.0;
    assert!(
        v.to_string().contains("XLZ airport express"),
        "the answer rides the new line"
    );
    let (status, plain) = http(
        "POST",
        "/reach",
        Some(json!({"from": "小李庄站", "minutes": 30, "mode": "transit", "polygons": false})),
    );
    assert_eq!(status, 200);
    assert!(!plain.to_string().contains("XLZ airport express"));
    // Features at the airport stop are reached at wait + ride.
    let gtc = find_feature(&v, "机场综合交通中心").expect("the ground transport centre is reached");
    assert_eq!(gtc, round1(5.0 + ride));
    assert!(find_feature(&plain, "机场综合交通中心").is_none());
}

/// Minutes to a reached feature by its Chinese name, in a reach GeoJSON answer.
fn find_feature(v: &Value, name: &str) -> Option<f64> {
    fn walk(v: &Value, name: &str) -> Option<f64> {
        match v {
            Value::Object(o) => {
                if o.get("name_zh").and_then(|n| n.as_str()) == Some(name) {
                    if let Some(m) = o.get("minutes").and_then(|m| m.as_f64()) {
                        return Some(m);
                    }
                }
                o.values().find_map(|x| walk(x, name))
            }
            Value::Array(a) => a.iter().find_map(|x| walk(x, name)),
            _ => None,
        }
    }
    walk(v, name)
}

#[test]
fn invalid_inline_scenarios_are_422_naming_index_type_and_field() {
    let body = json!({"from": "郑州站", "minutes": 30, "scenario": {"base": "existing", "modifications": [
        {"type": "adjust-frequency", "route": "城郊线", "headway_min": -4},
        {"type": "add-line", "mode": "metro", "stops": ["郑州站", "新郑机厂"], "headway_min": 5, "speed_kmh": 400},
    ]}});
    let (status, v) = http("POST", "/reach", Some(body));
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["code"], "InvalidScenario");
    let got: Vec<(u64, &str, &str)> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["index"].as_u64().unwrap(),
                p["type"].as_str().unwrap(),
                p["field"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (0, "adjust-frequency", "headway_min"),
            (1, "add-line", "stops[1]"),
            (1, "add-line", "speed_kmh"),
        ]
    );
    assert!(v["problems"][1]["suggestions"]
        .as_array()
        .unwrap()
        .contains(&json!("新郑机场")));
    assert!(
        v["description"]
            .as_str()
            .unwrap()
            .contains("at most 160 km/h"),
        "{v}"
    );
    // Malformed items: the index and the field serde names.
    let body = json!({"from": "郑州站", "scenario": {"modifications": [
        {"type": "add-lane"}, {"type": "remove-route"}]}});
    let (status, v) = http("POST", "/reach", Some(body));
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["problems"][0]["field"], "type");
    assert_eq!(v["problems"][1]["index"], 1);
    assert_eq!(v["problems"][1]["field"], "route");
    // An unknown base, and an unknown key: 400 naming the scenario.
    let (status, v) = http(
        "POST",
        "/reach",
        Some(
            json!({"from": "郑州站", "scenario": {"base": "plan-2099", "modifications": [
            {"type": "remove-route", "route": "城郊线"}]}}),
        ),
    );
    assert_eq!(
        (status, v["parameter"].clone()),
        (400, json!("scenario")),
        "{v}"
    );
    let (status, _) = http(
        "POST",
        "/reach",
        Some(json!({"from": "郑州站", "scenario": {"bsae": "existing"}})),
    );
    assert_eq!(status, 400);
}

#[test]
fn access_and_matrix_take_an_inline_scenario() {
    let sc = airport_express()["scenario"].clone();
    let (status, v) = http(
        "POST",
        "/matrix",
        Some(json!({"from": ["小李庄站"], "to": ["机场综合交通中心"], "scenario": sc})),
    );
    assert_eq!(status, 200, "{v}");
    let ride =
        haversine_m([113.700, 34.635], [113.846547, 34.527411]) * 1.15 / (120.0 / 3.6) / 60.0;
    let m = v["minutes"][0][0].as_f64().unwrap();
    assert!((m - (5.0 + ride)).abs() < 0.01, "{m} vs {}", 5.0 + ride);
    assert_eq!(v["metadata"]["base"], "existing");
    assert_eq!(v["metadata"]["hash"].as_str().unwrap().len(), 16);
    let (_, plain) = http(
        "POST",
        "/matrix",
        Some(json!({"from": ["小李庄站"], "to": ["机场综合交通中心"]})),
    );
    assert!(
        plain["minutes"][0][0].as_f64().unwrap() > m + 10.0,
        "{plain}"
    );
    // An accessibility job on the modified network, compared with its base.
    let (status, v) = http(
        "POST",
        "/access",
        Some(
            json!({"opportunities": "transport_hub", "cutoffs": [30], "cell": 2000,
                    "bbox": [113.65, 34.60, 113.75, 34.66], "scenario": sc, "compare": "existing"}),
        ),
    );
    assert_eq!(status, 202, "{v}");
    let (status, v) = http(
        "POST",
        "/access",
        Some(json!({"opportunities": "transport_hub", "cutoffs": [30],
                    "scenario": {"modifications": [{"type": "remove-route", "route": "no such"}]}})),
    );
    assert_eq!(status, 422, "{v}");
}

#[test]
fn named_scenarios_show_their_modifications() {
    let (status, v) = http("GET", "/scenarios/plan-2025", None);
    assert_eq!(status, 200);
    assert_eq!(v["base"], "existing");
    let m = v["modifications"].as_array().unwrap();
    assert_eq!(m.len(), 3);
    assert!(m.iter().all(|x| x["type"] == "add-line"));
    assert_eq!(m[0]["stops"][0]["position_method"], "railway_alignment");
    assert_eq!(m[0]["stops"][0]["accuracy_m"], 1500.0);
    assert_eq!(v["links"].as_array().unwrap().len(), 3);
    assert_eq!(v["stops"][0]["id"], "rail-xiaolizhuang");
    let (status, v) = http("GET", "/scenarios/nope", None);
    assert_eq!(status, 404, "{v}");
    let (status, v) = http("GET", "/scenarios", None);
    assert_eq!(status, 200);
    assert_eq!(v.as_array().unwrap().len(), 2);
    // GET /reach names a scenario only.
    let (status, v) = http(
        "GET",
        "/reach?from=郑州站&scenario=%7B%22base%22%3A1%7D",
        None,
    );
    assert_eq!(status, 400, "{v}");
}

// ---------------------------------------------------------------------------------------------
// The CLI.
// ---------------------------------------------------------------------------------------------

#[test]
fn cli_modifications_in_json_and_toml_and_their_errors() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let express = format!("{dir}/docs/scenarios/xlz-airport-express.json");
    let (code, out, err) = support::cityreach(&[
        "reach",
        "--from",
        "小李庄站",
        "--minutes",
        "30",
        "--modifications",
        &express,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["metadata"]["scenario"]["base"], "existing");
    let ride =
        haversine_m([113.700, 34.635], [113.846547, 34.527411]) * 1.15 / (120.0 / 3.6) / 60.0;
    assert_eq!(
        find_feature(&v, "机场综合交通中心"),
        Some(round1(5.0 + ride))
    );
    // TOML, on the matrix: 城郊线 every 4 minutes instead of every 12 (wait 2 instead of 6).
    let toml = format!("{dir}/docs/scenarios/chengjiao-every-4-min.toml");
    let matrix = |extra: &[&str]| {
        let mut a = vec![
            "matrix",
            "--from",
            "metro-shibalihe",
            "--to",
            "新郑国际机场",
            "--format",
            "json",
        ];
        a.extend_from_slice(extra);
        let (code, out, err) = support::cityreach(&a);
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        v["minutes"][0][0].as_f64().unwrap()
    };
    let before = matrix(&[]);
    let after = matrix(&["--modifications", &toml]);
    assert!((before - after - 4.0).abs() < 0.005, "{before} → {after}");
    // A bad file: exit 2, the problem named with its index, type and field.
    let bad = std::env::temp_dir().join(format!("cityreach-bad-mods-{}.json", std::process::id()));
    std::fs::write(
        &bad,
        r#"[{"type": "adjust-frequency", "route": "城郊线", "headway_min": 0}]"#,
    )
    .unwrap();
    let (code, _, err) = support::cityreach(&["targets", "--modifications", bad.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("modification 0 (adjust-frequency), headway_min"),
        "{err}"
    );
    let (code, _, err) = support::cityreach(&[
        "reach",
        "--from",
        "郑州站",
        "--modifications",
        "/nonexistent/mods.json",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--modifications /nonexistent/mods.json"),
        "{err}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random modifications (valid, out of range, wrong types, unknown names) over HTTP are
    /// answered 200 or a JSON 4xx, never a 5xx.
    #[test]
    fn random_inline_scenarios_never_answer_5xx(
        items in prop::collection::vec((0usize..7, 0usize..6, -10.0f64..500.0), 0..5)
    ) {
        let stops = ["郑州站", "新郑机场", "nowhere", "metro-liuhu", "郑州东站", "s"];
        let routes = ["城郊线", "10号线", "metro-1", "Line 2", "none", ""];
        let list: Vec<Value> = items
            .iter()
            .map(|&(t, k, x)| match t {
                0 => json!({"type": "add-line", "mode": "rail", "stops": [stops[k], stops[(k + 1) % 6],
                    {"name": "n", "lon": 113.6 + x / 1000.0, "lat": 34.7}], "headway_min": x, "speed_kmh": x}),
                1 => json!({"type": "adjust-frequency", "route": routes[k], "headway_min": x,
                    "window": ["07:00", if k % 2 == 0 { "09:00" } else { "06:00" }]}),
                2 => json!({"type": "adjust-speed", "route": routes[k], "factor": x / 50.0,
                    "from": stops[k], "to": stops[(k + 2) % 6]}),
                3 => json!({"type": "remove-stops", "stops": [stops[k]], "route": routes[k]}),
                4 => json!({"type": "remove-route", "route": routes[k]}),
                5 => json!({"type": "add-transfer", "from": stops[k], "to": stops[(k + 3) % 6], "minutes": x / 10.0}),
                _ => json!({"type": "add-line", "stops": x}),
            })
            .collect();
        let body = json!({"from": "郑州站", "minutes": 30, "polygons": false,
            "scenario": {"base": if items.len() % 2 == 0 { "existing" } else { "plan-2025" }, "modifications": list}});
        let (status, v) = http("POST", "/reach", Some(body));
        prop_assert!(status == 200 || (400..500).contains(&status), "{status} {v}");
        prop_assert!(status == 200 || v["code"].is_string(), "{v}");
    }
}
