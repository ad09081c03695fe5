//! Reach on the feeds' timetables (`--depart`, `--window`, `--percentiles`, `--percentile`), on
//! the CLI and over HTTP, on a hand-made feed whose answers are worked out by hand.
//!
//! Route R1 runs A → D (4.4 km east, far beyond a walk within the budget) on weekdays from
//! 2019-04-15 to 2019-07-15: T1 leaves A at 08:00 and reaches D at 08:10, T2 leaves at 08:20 and
//! reaches D at 08:30. The origin is at A and a feature sits at D, so its time is the wait plus
//! the ride.

use serde_json::Value;
use std::io::{Read, Write};
use std::path::PathBuf;

mod support;
use support::{cityreach, Server};

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn feature(id: &str, lon: f64, lat: f64) -> String {
    format!(
        r#"{{"type":"Feature","id":"{id}","geometry":{{"type":"Point","coordinates":[{lon},{lat}]}},"properties":{{"kind":"commercial","subkind":"example","name_zh":"{id}","name_en":"{id}","name_pinyin":"{id}","aliases":[],"status":"existing","year":null,"status_as_of":2026,"sources":[{{"doc":"example.txt","line":1}}],"position":{{"method":"estimated","accuracy_m":300}},"area_km2":null,"district":null,"note":null}}}}"#
    )
}

/// A data folder with the feed and one feature at D.
fn data(tag: &str) -> Scratch {
    data_with(tag, &[feature("com-delta", 0.04, 0.0)])
}

/// A data folder with the feed and these features.
fn data_with(tag: &str, features: &[String]) -> Scratch {
    let dir =
        std::env::temp_dir().join(format!("cityreach-timetable-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let gtfs = dir.join("gtfs");
    std::fs::create_dir_all(&gtfs).unwrap();
    let files = [
        (
            "stops.txt",
            "stop_id,stop_name,stop_lat,stop_lon\nA,Alpha,0,0\nB,Bravo,0,0.01\nD,Delta,0,0.04\n",
        ),
        (
            "routes.txt",
            "route_id,route_short_name,route_long_name,route_type\nR1,1,One,3\n",
        ),
        ("trips.txt", "route_id,service_id,trip_id\nR1,wk,T1\nR1,wk,T2\n"),
        (
            "stop_times.txt",
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n\
             T1,08:00:00,08:00:00,A,1\nT1,08:02:30,08:02:30,B,2\nT1,08:10:00,08:10:00,D,3\n\
             T2,08:20:00,08:20:00,A,1\nT2,08:22:30,08:22:30,B,2\nT2,08:30:00,08:30:00,D,3\n",
        ),
        (
            "calendar.txt",
            "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n\
             wk,1,1,1,1,1,0,0,20190415,20190715\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(gtfs.join(name), text).unwrap();
    }
    std::fs::write(
        dir.join("features.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        ),
    )
    .unwrap();
    Scratch(dir)
}

/// The JSON answer of a 30-minute reach from A with these extra arguments.
fn reach(dir: &Scratch, extra: &[&str]) -> Value {
    let data = dir.0.display().to_string();
    let mut args = vec![
        "reach",
        "--data",
        &data,
        "--from",
        "0.0,0.0",
        "--minutes",
        "30",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = cityreach(&args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

fn delta(v: &Value) -> Option<&Value> {
    v["reached"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "com-delta")
}

#[test]
fn one_departure_waits_for_the_actual_next_trip() {
    let dir = data("one");
    // 08:00: T1 at once, D at 08:10.
    let v = reach(&dir, &["--depart", "2019-05-13T08:00"]);
    let d = delta(&v).expect("D reached at 08:00");
    assert_eq!(d["minutes"], 10.0);
    assert_eq!(
        d["minutes_by_percentile"],
        serde_json::json!({"5": 10.0, "50": 10.0, "95": 10.0})
    );
    assert_eq!(d["legs"][0]["type"], "timetable");
    assert_eq!(d["legs"][0]["to"], "Delta");
    let t = &v["metadata"]["transit"];
    assert_eq!(t["depart"], "2019-05-13T08:00");
    assert_eq!(t["calendar_day"], "2019-05-13");
    assert_eq!(t["window_minutes"], 0);
    assert_eq!(t["departures"], 1);
    // No frequency-based service: nothing to draw.
    assert_eq!(t["draws"], 1);

    // 08:05: T1 is gone, T2 leaves at 08:20 and reaches D at 08:30.
    let v = reach(&dir, &["--depart", "2019-05-13T08:05"]);
    let d = delta(&v).expect("D reached at 08:05");
    assert_eq!(d["minutes"], 25.0);
    assert_eq!(d["legs"][0]["leaving"], "08:05");
    assert_eq!(
        d["legs"][0]["journey"],
        serde_json::json!(["08:20 board One (1) at Alpha → 08:30 alight at Delta"])
    );

    // 08:21: no trip left within 30 minutes; Saturday: no service at all.
    assert!(delta(&reach(&dir, &["--depart", "2019-05-13T08:21"])).is_none());
    assert!(delta(&reach(&dir, &["--depart", "2019-05-18T08:00"])).is_none());

    // Without --depart a timetabled feed answers at 08:00 on the first Tuesday of its calendar
    // (2019-04-15 is a Monday): T1 at once, and the metadata says so.
    let v = reach(&dir, &[]);
    let t = &v["metadata"]["transit"];
    assert_eq!(t["depart"], "2019-04-16T08:00", "{v}");
    assert!(
        t["depart_note"].as_str().unwrap().contains("default"),
        "{v}"
    );
    assert_eq!(delta(&v).unwrap()["minutes"], 10.0);
    // An explicit departure carries no such note.
    let v = reach(&dir, &["--depart", "2019-04-16T08:00"]);
    assert!(v["metadata"]["transit"]["depart_note"].is_null(), "{v}");
}

#[test]
fn every_reached_feature_shows_the_journey_of_its_own_stop() {
    // Features at the origin (walked to), at B (T1 alights at 08:02:30), at D (08:10) and
    // 550 m short of D (D's ride, then the walk back): each shows the rides to the stop its
    // time starts from, and two features sharing a stop share its journey.
    let dir = data_with(
        "legs",
        &[
            feature("com-alpha", 0.0, 0.0),
            feature("com-bravo", 0.01, 0.0),
            feature("com-delta", 0.04, 0.0),
            feature("com-near-delta", 0.035, 0.0),
        ],
    );
    let v = reach(&dir, &["--depart", "2019-05-13T08:00"]);
    let reached = v["reached"].as_array().unwrap();
    let by_id = |id: &str| {
        reached
            .iter()
            .find(|f| f["id"] == id)
            .unwrap_or_else(|| panic!("{id} reached: {v}"))
    };
    assert_ne!(by_id("com-alpha")["legs"][0]["type"], "timetable");
    let ride_to_d = serde_json::json!(["08:00 board One (1) at Alpha → 08:10 alight at Delta"]);
    for (id, stop, journey) in [
        (
            "com-bravo",
            "Bravo",
            serde_json::json!(["08:00 board One (1) at Alpha → 08:02 alight at Bravo"]),
        ),
        ("com-delta", "Delta", ride_to_d.clone()),
        ("com-near-delta", "Delta", ride_to_d),
    ] {
        let legs = &by_id(id)["legs"];
        assert_eq!(legs[0]["type"], "timetable", "{id}: {legs}");
        assert_eq!(legs[0]["to"], stop, "{id}: {legs}");
        assert_eq!(legs[0]["leaving"], "08:00", "{id}: {legs}");
        assert_eq!(legs[0]["journey"], journey, "{id}: {legs}");
    }
    assert_eq!(by_id("com-bravo")["minutes"], 2.5);
    assert_eq!(by_id("com-delta")["minutes"], 10.0);
}

#[test]
fn a_window_gives_ordered_nearest_rank_percentiles() {
    let dir = data("window");
    // Departures 08:00 … 08:09: 10 min at 08:00, then 29, 28, … 21 (T2 at 08:20, D at 08:30).
    // Sorted: 10, 21, …, 29; nearest rank p5 → 1st = 10, p50 → 5th = 24, p95 → 10th = 29.
    let v = reach(
        &dir,
        &[
            "--depart",
            "2019-05-13T08:00",
            "--window",
            "10",
            "--percentiles",
            "95,5,50",
        ],
    );
    let d = delta(&v).unwrap();
    assert_eq!(
        d["minutes_by_percentile"],
        serde_json::json!({"5": 10.0, "50": 24.0, "95": 29.0})
    );
    assert_eq!(d["minutes"], 24.0);
    // Legs are for the window's middle minute, 08:04 (the fifth of ten).
    assert_eq!(d["legs"][0]["leaving"], "08:04");
    assert_eq!(
        d["legs"][0]["journey"][0],
        "08:20 board One (1) at Alpha → 08:30 alight at Delta"
    );
    assert_eq!(v["metadata"]["transit"]["samples_per_stop"], 10);
    assert_eq!(
        v["metadata"]["transit"]["percentiles"],
        serde_json::json!([5, 50, 95])
    );
    // The selected percentile is what `minutes` and the bands show.
    let v = reach(
        &dir,
        &[
            "--depart",
            "2019-05-13T08:00",
            "--window",
            "10",
            "--percentile",
            "95",
        ],
    );
    assert_eq!(delta(&v).unwrap()["minutes"], 29.0);
    assert_eq!(v["metadata"]["transit"]["percentile"], 95);
}

#[test]
fn bad_timetable_input_exits_with_2_naming_it() {
    let dir = data("bad");
    let data = dir.0.display().to_string();
    let base = ["reach", "--data", &data, "--from", "0.0,0.0"];
    for (extra, want) in [
        (
            vec!["--depart", "2019-08-01T08:00"],
            "depart: 2019-08-01 is outside the feeds' calendar: service runs from 2019-04-15 to 2019-07-15",
        ),
        (vec!["--depart", "tomorrow"], "depart: 'tomorrow' is not a departure"),
        (vec!["--percentiles", "5,101"], "percentiles: '101'"),
        (vec!["--percentiles", "5,x"], "percentiles: 'x'"),
        (vec!["--percentile", "75"], "percentile: 75 is not one of"),
        (
            vec!["--depart", "2019-05-13T08:00", "--window", "181"],
            "window: 181 minutes; at most 180",
        ),
    ] {
        let mut args = base.to_vec();
        args.extend_from_slice(&extra);
        let (code, _, err) = cityreach(&args);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(err.contains(want), "{extra:?}: {err}");
    }
}

/// `cityreach serve --data DIR` on an ephemeral port, killed when dropped.
fn serve(dir: &Scratch) -> Server {
    Server::start_with(&["--data".as_ref(), dir.0.as_os_str()])
}

/// Status and JSON body of one request (small answers: sent with a length, not chunked).
fn http(srv: &Server, method: &str, path: &str, body: &str) -> (u16, Value) {
    let mut s = std::net::TcpStream::connect(&srv.addr).expect("connect");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        srv.addr,
        body.len()
    )
    .expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("HTTP head");
    let status = head[9..12].parse().unwrap();
    let v = serde_json::from_str(body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
    (status, v)
}

#[test]
fn over_http_get_and_post_answer_as_the_cli() {
    let dir = data("http");
    let srv = serve(&dir);
    // The landing page tells a client (the web map) that this feed is timetabled, its calendar
    // and the departure used when none is given.
    let (code, v) = http(&srv, "GET", "/", "");
    assert_eq!(code, 200, "{v}");
    assert_eq!(
        v["transit"],
        serde_json::json!({
            "timetabled": true,
            "calendar": {"first": "2019-04-15", "last": "2019-07-15"},
            "default_depart": "2019-04-16T08:00",
        })
    );
    let (code, v) = http(
        &srv,
        "GET",
        "/reach?from=0,0&minutes=30&polygons=false&depart=2019-05-13T08:00&window=10&percentiles=5,50,95",
        "",
    );
    assert_eq!(code, 200, "{v}");
    let d = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["id"] == "com-delta")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(
        d["properties"]["minutes_by_percentile"],
        serde_json::json!({"5": 10.0, "50": 24.0, "95": 29.0})
    );
    assert_eq!(d["properties"]["minutes"], 24.0);
    assert_eq!(v["metadata"]["transit"]["window_minutes"], 10);

    let body = r#"{"from":"0,0","minutes":30,"polygons":false,"depart":"2019-05-13T08:05","percentiles":[50],"percentile":50}"#;
    let (code, v) = http(&srv, "POST", "/reach", body);
    assert_eq!(code, 200, "{v}");
    assert!(
        v.to_string()
            .contains(r#""minutes_by_percentile":{"50":25.0}"#),
        "{v}"
    );

    for (path, param) in [
        ("/reach?from=0,0&depart=2019-08-01T08:00", "depart"),
        (
            "/reach?from=0,0&depart=2019-05-13T08:00&window=181",
            "window",
        ),
        ("/reach?from=0,0&window=ten", "window"),
        ("/reach?from=0,0&percentiles=5,500", "percentiles"),
        ("/reach?from=0,0&percentile=75", "percentile"),
        ("/reach?from=0,0&transfer_penalty=x", "transfer_penalty"),
        (
            "/reach?from=0,0&depart=2019-05-13T08:00&transfer_penalty=2",
            "transfer_penalty",
        ),
    ] {
        let (code, v) = http(&srv, "GET", path, "");
        assert_eq!(code, 400, "{path}: {v}");
        assert!(v.to_string().contains(param), "{path}: {v}");
    }
    let (_, v) = http(&srv, "GET", "/reach?from=0,0&depart=2019-08-01T08:00", "");
    assert!(
        v.to_string()
            .contains("service runs from 2019-04-15 to 2019-07-15"),
        "{v}"
    );
}

/// (id → minutes, the JSON) of a steady-state reach on Zhengzhou with these extra arguments.
fn zhengzhou(extra: &[&str]) -> (std::collections::BTreeMap<String, f64>, Value) {
    let mut args = vec![
        "reach",
        "--from",
        "郑州东站",
        "--minutes",
        "40",
        "--no-polygons",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = cityreach(&args);
    assert_eq!(code, 0, "{args:?}: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let m = v["reached"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["minutes"].as_f64().unwrap(),
            )
        })
        .collect();
    (m, v)
}

#[test]
fn the_transfer_penalty_is_a_parameter_of_the_steady_state() {
    let (base, v) = zhengzhou(&[]);
    assert_eq!(v["metadata"]["transit"]["transfer_penalty_minutes"], 2.0);
    let (none, _) = zhengzhou(&["--transfer-penalty", "0"]);
    let (five, v5) = zhengzhou(&["--transfer-penalty", "5"]);
    assert_eq!(v5["metadata"]["transit"]["transfer_penalty_minutes"], 5.0);
    // A smaller penalty never makes a place later, a larger one never earlier; some place
    // reached with a change gets strictly faster without the penalty.
    for (id, m) in &base {
        let n = none
            .get(id)
            .unwrap_or_else(|| panic!("{id} lost at penalty 0"));
        assert!(*n <= m + 1e-9, "{id}: {n} > {m}");
        if let Some(f) = five.get(id) {
            assert!(*f >= m - 1e-9, "{id}: {f} < {m}");
        }
    }
    assert!(base.iter().any(|(id, m)| none[id] < m - 0.5));
    // The legs show the penalty asked for at each change.
    let changes: Vec<f64> = v5["reached"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["legs"].as_array().unwrap().clone())
        .filter_map(|l| l["transfer_penalty_minutes"].as_f64())
        .collect();
    assert!(!changes.is_empty());
    assert!(changes.iter().all(|p| *p == 5.0), "{changes:?}");

    for (extra, want) in [
        (vec!["--transfer-penalty", "-1"], "transfer_penalty: '-1'"),
        (vec!["--transfer-penalty", "31"], "transfer_penalty: '31'"),
        (
            vec!["--depart", "2026-05-13T08:00", "--transfer-penalty", "2"],
            "transfer_penalty: 2 minutes: waits on the feeds' timetable are real",
        ),
    ] {
        let mut args = vec!["reach", "--from", "郑州东站"];
        args.extend_from_slice(&extra);
        let (code, _, err) = cityreach(&args);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(err.contains(want), "{extra:?}: {err}");
    }
}

#[test]
fn zhengzhou_window_percentiles_are_ordered_and_reproducible() {
    let args = [
        "--depart",
        "2026-05-13T08:00",
        "--window",
        "20",
        "--percentiles",
        "5,25,50,75,95",
    ];
    let (_, v) = zhengzhou(&args);
    let t = &v["metadata"]["transit"];
    // Frequency-based metro: 20 phase draws × 20 departure minutes per stop.
    assert_eq!(
        (t["draws"].as_u64(), t["samples_per_stop"].as_u64()),
        (Some(20), Some(400))
    );
    let reached = v["reached"].as_array().unwrap();
    let mut spread = 0;
    for f in reached {
        let by = &f["minutes_by_percentile"];
        let vals: Vec<Option<f64>> = ["5", "25", "50", "75", "95"]
            .iter()
            .map(|p| by[*p].as_f64())
            .collect();
        assert_eq!(vals[2], f["minutes"].as_f64(), "{f}");
        // Reached at a percentile means reached at every lower one, no later.
        for w in vals.windows(2) {
            match (w[0], w[1]) {
                (Some(a), Some(b)) => assert!(a <= b, "{f}"),
                (None, Some(_)) => panic!("a higher percentile reached, a lower not: {f}"),
                _ => {}
            }
        }
        if vals[0] < vals[4] || vals[4].is_none() {
            spread += 1;
        }
    }
    assert!(spread > 0, "no feature's time varies over the window");
    // A fixed seed: the same query gives the same answer.
    let (_, again) = zhengzhou(&args);
    assert_eq!(again["reached"], v["reached"]);
}
