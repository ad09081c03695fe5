//! The timetable search on scenarios: a small hand-made network (a frequency-based feed) with
//! modifications, checked against departures and arrivals worked out by hand, and the
//! invariant that a scenario which only adds service never makes a stop's earliest arrival
//! later for the same departure and phase draws.

use cityreach::network::timetable::{Timetable, TimetableParams, UNREACHED};
use cityreach::reach::raptor::{
    draw_pattern_phases, draw_phases, earliest_arrival, window_travel_times, RaptorParams,
    WindowQuery,
};
use cityreach::reach::{Origin, ReachRequest};
use cityreach::scenario::{self, cache::ScenarioCache, Modification};
use cityreach::{City, DataSource};
use serde_json::{json, Value};
use std::sync::OnceLock;

mod support;
use support::{get_json, Server};

/// A Wednesday inside the feed's calendar.
const DATE: u32 = 20260513;

fn hm(h: i32, m: i32) -> i32 {
    h * 3600 + m * 60
}

/// Stops ≥ 4.5 km apart (no walking transfers between them). Route r0 runs s0 → s1 → s2 → s3,
/// 5 minutes a hop, and r1 runs s4 → s5 in 5 minutes, both every 10 minutes 06:00–23:00.
const STOPS: [[f64; 2]; 6] = [
    [113.60, 34.70],
    [113.65, 34.70],
    [113.70, 34.70],
    [113.75, 34.70],
    [113.75, 34.80],
    [113.80, 34.80],
];

fn city() -> &'static City {
    static C: OnceLock<City> = OnceLock::new();
    C.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("cityreach-ttscen-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let g = dir.join("gtfs");
        std::fs::create_dir_all(&g).unwrap();
        let p = STOPS[0];
        let feature = format!(
            r#"{{"type":"Feature","id":"com-f0","geometry":{{"type":"Point","coordinates":[{},{}]}},"properties":{{"kind":"commercial","subkind":"mall","name_zh":"f0","name_en":"f0","name_pinyin":"f0","aliases":[],"status":"existing","year":null,"status_as_of":2026,"sources":[{{"doc":"000_2e4118b01e10da6a.txt","line":1}}],"position":{{"method":"estimated","accuracy_m":100}},"area_km2":null,"district":null,"note":null}}}}"#,
            p[0], p[1]
        );
        std::fs::write(
            dir.join("features.geojson"),
            format!(r#"{{"type":"FeatureCollection","features":[{feature}]}}"#),
        )
        .unwrap();
        let mut stops = String::from("stop_id,stop_name,stop_lat,stop_lon\n");
        for (i, p) in STOPS.iter().enumerate() {
            stops += &format!("s{i},Stop {i},{},{}\n", p[1], p[0]);
        }
        let files = [
            ("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\na,Test,https://example.org,Asia/Shanghai\n".to_string()),
            ("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nd,1,1,1,1,1,1,1,20260101,20261231\n".to_string()),
            ("stops.txt", stops),
            ("routes.txt", "route_id,agency_id,route_short_name,route_long_name,route_type\nr0,a,R0,Route 0,1\nr1,a,R1,Route 1,1\n".to_string()),
            ("trips.txt", "route_id,service_id,trip_id\nr0,d,t0\nr1,d,t1\n".to_string()),
            ("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nt0,00:00:00,00:00:00,s0,1\nt0,00:05:00,00:05:00,s1,2\nt0,00:10:00,00:10:00,s2,3\nt0,00:15:00,00:15:00,s3,4\nt1,00:00:00,00:00:00,s4,1\nt1,00:05:00,00:05:00,s5,2\n".to_string()),
            ("frequencies.txt", "trip_id,start_time,end_time,headway_secs\nt0,06:00:00,23:00:00,600\nt1,06:00:00,23:00:00,600\n".to_string()),
        ];
        for (name, text) in files {
            std::fs::write(g.join(name), text).unwrap();
        }
        City::load(DataSource::Folder(dir)).unwrap()
    })
}

fn mods(v: Value) -> Vec<Modification> {
    scenario::parse_list(v.as_array().unwrap()).unwrap()
}

/// The compiled scenario's city and its index.
fn compiled(v: Value) -> (City, usize) {
    let c = scenario::compile(city(), "existing", &mods(v)).unwrap();
    let k = c.city.transit.scenario_index(&c.id).unwrap();
    (c.city, k)
}

fn stop(city: &City, id: &str) -> u32 {
    city.transit.stop_by_id(id).unwrap()
}

/// Earliest arrival at every stop leaving s0 at `depart`, with the phases given (the feed's
/// all at 0 unless `phases` says otherwise).
fn arrivals(city: &City, k: usize, depart: i32, pattern_phases: &[(usize, u32)]) -> Vec<i32> {
    let params = TimetableParams {
        scenario: k,
        pattern_phases: pattern_phases.iter().copied().collect(),
        ..TimetableParams::default()
    };
    let tt = Timetable::build(&city.transit, DATE, &params).unwrap();
    earliest_arrival(&tt, &[(stop(city, "s0"), depart)], &RaptorParams::default())
}

/// Patterns of scenario `k` starting at stop `from`.
fn patterns_from(city: &City, k: usize, from: &str) -> Vec<usize> {
    let s = stop(city, from);
    (0..city.transit.patterns.len())
        .filter(|&i| {
            let p = &city.transit.patterns[i];
            p.scenario == Some(k) && p.stops[0] == s
        })
        .collect()
}

#[test]
fn an_added_line_runs_every_headway_after_its_phase() {
    let base = city();
    let a = arrivals(base, 0, hm(8, 0), &[]);
    // r0 leaves s0 at 08:00 (06:00 + 12 headways) and reaches s3 at 08:15; s5 is out of reach.
    assert_eq!(a[stop(base, "s3") as usize], hm(8, 15));
    assert_eq!(a[stop(base, "s5") as usize], UNREACHED);

    let (c, k) = compiled(json!([{"type": "add-line", "name": "X", "mode": "metro",
        "stops": ["s3", "s5"], "headway_min": 10, "run_min": [7]}]));
    let x = patterns_from(&c, k, "s3");
    assert_eq!(x.len(), 1);
    // Departures from s3 at 06:03 + 10 min × n: 08:23 is the first after 08:15, then 7 minutes.
    let a = arrivals(&c, k, hm(8, 0), &[(x[0], 180)]);
    assert_eq!(a[stop(&c, "s3") as usize], hm(8, 15));
    assert_eq!(a[stop(&c, "s5") as usize], hm(8, 30));
    // Phase 0: 08:20, arrival 08:27; phase 9 min: 08:19, arrival 08:26; phase 4 min: 08:14 is
    // gone before r0 arrives, 08:24, arrival 08:31.
    assert_eq!(a.len(), c.transit.stops.len());
    let a = arrivals(&c, k, hm(8, 0), &[(x[0], 0)]);
    assert_eq!(a[stop(&c, "s5") as usize], hm(8, 27));
    let a = arrivals(&c, k, hm(8, 0), &[(x[0], 540)]);
    assert_eq!(a[stop(&c, "s5") as usize], hm(8, 26));
    let a = arrivals(&c, k, hm(8, 0), &[(x[0], 240)]);
    assert_eq!(a[stop(&c, "s5") as usize], hm(8, 31));
    // The line runs its own span, 06:00–23:00: after 23:00 the next is 06:00 the next day.
    let a = arrivals(&c, k, hm(22, 50), &[(x[0], 0)]);
    assert_eq!(a[stop(&c, "s3") as usize], hm(23, 5));
    assert_eq!(a[stop(&c, "s5") as usize], hm(24 + 6, 7));
}

#[test]
fn removed_routes_and_stops_are_left_out() {
    let (c, k) = compiled(json!([{"type": "remove-route", "route": "r0"}]));
    let a = arrivals(&c, k, hm(8, 0), &[]);
    assert_eq!(a[stop(&c, "s1") as usize], UNREACHED);
    assert_eq!(a[stop(&c, "s3") as usize], UNREACHED);

    let (c, k) = compiled(json!([{"type": "remove-stops", "stops": ["s1"]}]));
    let a = arrivals(&c, k, hm(8, 0), &[]);
    // Vehicles pass s1 at the same times without stopping.
    assert_eq!(a[stop(&c, "s1") as usize], UNREACHED);
    assert_eq!(a[stop(&c, "s2") as usize], hm(8, 10));
    assert_eq!(a[stop(&c, "s3") as usize], hm(8, 15));
}

#[test]
fn adjusted_frequencies_and_speeds_are_honoured() {
    let base = city();
    // The feed: 08:10 from s0 after 08:01, at s1 at 08:15.
    let a = arrivals(base, 0, hm(8, 1), &[]);
    assert_eq!(a[stop(base, "s1") as usize], hm(8, 15));

    let (c, k) = compiled(json!([{"type": "adjust-frequency", "route": "r0", "headway_min": 20}]));
    let p = patterns_from(&c, k, "s0");
    assert_eq!(p.len(), 1);
    assert_eq!(c.transit.patterns[p[0]].headway_s, 1200.0);
    // Every 20 minutes from 06:00 (phase 0): after 08:01 the next is 08:20, at s1 at 08:25.
    let a = arrivals(&c, k, hm(8, 1), &[]);
    assert_eq!(a[stop(&c, "s1") as usize], hm(8, 25));
    // A phase of 5 minutes: 08:05, at s1 at 08:10.
    let a = arrivals(&c, k, hm(8, 1), &[(p[0], 300)]);
    assert_eq!(a[stop(&c, "s1") as usize], hm(8, 10));

    let (c, k) = compiled(json!([{"type": "adjust-speed", "route": "r0", "factor": 2}]));
    // Twice as fast: 2.5 minutes a hop; leaving at 08:00, s3 at 08:07:30.
    let a = arrivals(&c, k, hm(8, 0), &[]);
    assert_eq!(a[stop(&c, "s1") as usize], hm(8, 2) + 30);
    assert_eq!(a[stop(&c, "s3") as usize], hm(8, 7) + 30);
}

#[test]
fn a_scenario_that_only_adds_service_never_arrives_later() {
    let (c, k) = compiled(json!([
        {"type": "add-line", "name": "X", "mode": "metro", "stops": ["s3", "s5"],
         "headway_min": 10, "run_min": [7]},
        {"type": "add-line", "name": "Y", "mode": "bus", "stops": ["s0", "s4"],
         "headway_min": 15, "speed_kmh": 30},
        {"type": "add-transfer", "from": "s2", "to": "s4", "minutes": 5}
    ]));
    let params = RaptorParams::default();
    let mut improved = 0;
    for draw in 0..8 {
        let phases = draw_phases(&c.transit, 7, draw);
        let base = Timetable::build(
            &c.transit,
            DATE,
            &TimetableParams {
                phases: phases.clone(),
                ..TimetableParams::default()
            },
        )
        .unwrap();
        let plus = Timetable::build(
            &c.transit,
            DATE,
            &TimetableParams {
                phases,
                scenario: k,
                pattern_phases: draw_pattern_phases(&c.transit, k, 7, draw),
                ..TimetableParams::default()
            },
        )
        .unwrap();
        for depart in (hm(7, 0)..hm(9, 0)).step_by(420) {
            for from in ["s0", "s2", "s4"] {
                let access = [(stop(&c, from), depart)];
                let a = earliest_arrival(&base, &access, &params);
                let b = earliest_arrival(&plus, &access, &params);
                for s in 0..a.len() {
                    assert!(b[s] <= a[s], "draw {draw}, {from} at {depart}, stop {s}");
                    improved += usize::from(b[s] < a[s]);
                }
            }
        }
    }
    assert!(improved > 0, "the added lines reach nothing earlier");
}

#[test]
fn scenario_lines_are_drawn_with_the_seed_and_reach_answers_at_a_departure() {
    let (c, k) = compiled(json!([{"type": "add-line", "name": "X", "mode": "metro",
        "stops": ["s3", "s5"], "headway_min": 10, "run_min": [7]}]));
    let x = patterns_from(&c, k, "s3")[0];
    // Reproducible: the same seed and draw give the same phase, within the headway.
    let p1 = draw_pattern_phases(&c.transit, k, 1, 3);
    assert_eq!(p1, draw_pattern_phases(&c.transit, k, 1, 3));
    assert!(p1[&x] < 600);
    assert!(draw_pattern_phases(&c.transit, 0, 1, 3).is_empty());
    let params = TimetableParams {
        scenario: k,
        ..TimetableParams::default()
    };
    let tt = Timetable::build(&c.transit, DATE, &params).unwrap();
    let q = WindowQuery {
        depart: hm(8, 0),
        minutes: 10,
        percentiles: vec![5, 50, 95],
        draws: 20,
        seed: 1,
    };
    let w = window_travel_times(
        &c.transit,
        &tt,
        &params,
        &[(stop(&c, "s0"), 0)],
        &q,
        &RaptorParams::default(),
    )
    .unwrap();
    assert_eq!((w.draws, w.samples), (20, 200));
    let s5 = stop(&c, "s5") as usize;
    // s0 → s3 takes 15 minutes after a wait of 0–9 for r0, then a wait of 0–9 for X and 7 min.
    for p in 0..3 {
        assert!((22 * 60..=40 * 60).contains(&w.seconds[p][s5]), "{w:?}");
    }
    assert!(w.seconds[0][s5] <= w.seconds[1][s5] && w.seconds[1][s5] <= w.seconds[2][s5]);

    // Over the API: a reach at a departure on the inline scenario is answered, not refused.
    let mut req = ReachRequest::new(Origin::parse("s0").unwrap(), 60.0);
    req.polygons = false;
    req.timing.depart = Some("2026-05-13T08:00".into());
    req.timing.window_min = 10;
    let list = mods(json!([{"type": "add-line", "name": "X", "mode": "metro",
        "stops": ["s3", "s5"], "headway_min": 10, "run_min": [7]}]));
    let r = scenario::reach(&ScenarioCache::default(), city(), &req, &list).unwrap();
    assert!(!r.reached.is_empty());
}

fn zhengzhou() -> &'static City {
    static C: OnceLock<City> = OnceLock::new();
    C.get_or_init(|| City::load(DataSource::Embedded).expect("embedded city"))
}

#[test]
fn plan_targets_report_the_share_of_departures_that_make_them() {
    use cityreach::reach::targets::{self, departure_samples, share_within, SampleWindow};
    let city = zhengzhou();
    let results = targets::evaluate_all(city, "plan-2025").unwrap();
    let get = |id: &str| {
        results
            .iter()
            .find(|r| r.target.id == id)
            .and_then(|r| r.share_of_departures.clone())
            .unwrap()
    };
    // Headway 20 min on both new lines: the airport ride alone is 22.8 min, so no departure
    // makes 20 min; 郑州东站 is 9.6 min in the vehicle, so about a quarter of the waits fit.
    let airport = get("xlz-airport-20min");
    assert_eq!(airport.window, "2026-01-06T08:00 + 60 min");
    assert_eq!(
        (airport.draws, airport.seed, airport.samples),
        (20, 1, 1200)
    );
    assert_eq!(airport.share, 0.0);
    assert_eq!(airport.p50_minutes, Some(32.7));
    let east = get("xlz-east-15min");
    assert_eq!(east.within_minutes, 15.0);
    assert_eq!(east.share, 324.0 / 1200.0);
    assert_eq!(east.p50_minutes, Some(19.6));
    // On today's network neither is made.
    let today = targets::evaluate_all(city, "existing").unwrap();
    for r in today.iter().filter_map(|r| r.share_of_departures.as_ref()) {
        assert_eq!(r.share, 0.0);
    }

    // From the platform of 小李庄站: the share is in [0, 1], grows with the budget, and
    // reaches 1 once the budget covers the slowest sample.
    let k = city.transit.scenario_index("plan-2025").unwrap();
    let from = city
        .transit
        .stops
        .iter()
        .position(|s| s.name == "小李庄站")
        .unwrap() as u32;
    let to: Vec<u32> = results
        .iter()
        .find(|r| r.target.id == "xlz-east-15min")
        .unwrap()
        .target
        .to_stops
        .iter()
        .filter_map(|id| city.transit.stop_by_id(id))
        .collect();
    let w = SampleWindow {
        depart: "2026-01-06T08:00".into(),
        minutes: 60,
        draws: 20,
        seed: 1,
    };
    let samples = departure_samples(city, k, &[(from, 0)], &to, &w).unwrap();
    assert_eq!(
        samples,
        departure_samples(city, k, &[(from, 0)], &to, &w).unwrap()
    );
    let mut last = 0.0;
    for budget in 0..=40 {
        let s = share_within(&samples, budget as f64, String::new(), 20, 1).share;
        assert!(
            (0.0..=1.0).contains(&s) && s >= last,
            "{budget}: {s} after {last}"
        );
        last = s;
    }
    assert_eq!(last, 1.0);
    assert_eq!(share_within(&samples, 0.0, String::new(), 20, 1).share, 0.0);
}

/// `POST path` with a JSON body: status and JSON answer.
fn post(addr: &str, path: &str, body: &Value) -> (u16, Value) {
    use std::io::{Read, Write};
    let body = body.to_string();
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("HTTP head");
    let status = head[9..12].parse().unwrap();
    (status, serde_json::from_str(body).expect("JSON"))
}

fn airport_minutes(v: &Value) -> (f64, Value) {
    let f = &v["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "hub-xinzheng-airport")
        .unwrap_or_else(|| panic!("airport not reached: {v}"))["properties"];
    (
        f["minutes"].as_f64().unwrap(),
        f["minutes_by_percentile"].clone(),
    )
}

#[test]
fn over_http_departures_work_on_named_and_inline_scenarios_and_targets_give_the_share() {
    let srv = Server::start();
    // 小李庄站, percent-encoded.
    let from = "%E5%B0%8F%E6%9D%8E%E5%BA%84%E7%AB%99";
    let named = get_json(
        &srv.addr,
        &format!(
            "/reach?from={from}&minutes=60&polygons=false&scenario=plan-2025\
             &depart=2026-01-06T08:00&window=60"
        ),
    );
    let (m, by) = airport_minutes(&named);
    // The plan's airport line every 20 minutes: 22.8 min ride after a wait of 0–20.
    assert!((23.0..=44.0).contains(&m), "{m}");
    assert!(by["5"].as_f64() <= by["50"].as_f64() && by["50"].as_f64() <= by["95"].as_f64());

    let (code, inline) = post(
        &srv.addr,
        "/reach",
        &json!({"from": "小李庄站", "minutes": 45, "mode": "transit", "polygons": false,
            "depart": "2026-01-06T08:00", "window": 60,
            "scenario": {"base": "existing", "modifications": [
              {"type": "add-line", "name": "XLZ airport express", "mode": "rail",
               "stops": [{"name": "小李庄", "lon": 113.700, "lat": 34.635}, "新郑机场"],
               "headway_min": 10, "speed_kmh": 120}]}}),
    );
    assert_eq!(code, 200, "{inline}");
    let (m, by) = airport_minutes(&inline);
    assert_eq!(m, 17.7);
    assert_eq!(by, json!({"5": 13.2, "50": 17.7, "95": 22.2}));

    let t = get_json(&srv.addr, "/targets?scenario=plan-2025");
    let text = t.to_string();
    assert!(text.contains("\"share_of_departures\""), "{text}");
    assert!(text.contains("\"share\":0.27"), "{text}");
}
