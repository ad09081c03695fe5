//! Accessibility and matrices on the feeds' timetables (departure, window, percentiles) against
//! single reach queries with the same timing (the oracle), on a hand-made feed whose values are
//! worked out by hand and on Porto Alegre's real feeds; with the invariants (a larger cutoff
//! never counts less; percentiles ordered).
//!
//! The hand-made feed: route R1 runs A → B → D on weekdays from 2019-04-15 to 2019-07-15, T1
//! leaving A at 08:00 and reaching D at 08:10, T2 leaving at 08:20 and reaching D at 08:30.
//! D is 4.4 km east of A, beyond a 30-minute walk. From A over the window 07:55–08:24 (30
//! departures) the minutes to D are 15…10 (07:55–08:00, T1), 29…10 (08:01–08:20, T2) and
//! none (08:21–08:24): sorted 10,10,11,11,…,15,15,16,17,…,29 and four unreached. Nearest rank
//! (the ⌈p·30/100⌉-th): p25 the 8th = 13, p50 the 15th = 18, p75 the 23rd = 26 minutes.

use cityreach::access::{self, AccessRequest, Opportunities, OriginPoint, Progress};
use cityreach::reach::{self, Mode, Origin, ReachRequest, Timing};
use cityreach::{City, DataSource};
use std::path::{Path, PathBuf};

mod support;
use support::cityreach;

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

fn write_features(dir: &Path, points: &[(String, f64, f64)]) {
    let fs: Vec<String> = points
        .iter()
        .map(|(id, lon, lat)| feature(id, *lon, *lat))
        .collect();
    std::fs::write(
        dir.join("features.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            fs.join(",")
        ),
    )
    .unwrap();
}

/// The hand-made feed, with features at D and at B.
fn hand_made(tag: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!(
        "cityreach-access-timed-{tag}-{}",
        std::process::id()
    ));
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
    write_features(
        &dir,
        &[
            ("com-delta".into(), 0.04, 0.0),
            ("com-bravo".into(), 0.01, 0.0),
        ],
    );
    Scratch(dir)
}

fn load(dir: &Path) -> City {
    City::load(DataSource::Folder(dir.to_path_buf())).expect("city")
}

fn timing(depart: &str, window: u32, ps: &[u8]) -> Timing {
    Timing {
        depart: Some(depart.into()),
        window_min: window,
        percentiles: ps.to_vec(),
        percentile: ps[ps.len() / 2],
        transfer_penalty_min: None,
    }
}

fn points(ps: &[[f64; 2]]) -> Vec<OriginPoint> {
    ps.iter()
        .enumerate()
        .map(|(i, p)| OriginPoint {
            id: format!("o{i}"),
            lonlat: *p,
            cell: None,
        })
        .collect()
}

/// What single reach queries count: features reached within `cutoff` at percentile `p`.
fn reach_count(city: &City, p: [f64; 2], cutoff: f64, t: &Timing, pct: u8) -> usize {
    let mut req = ReachRequest::new(Origin::LonLat(p), cutoff);
    req.polygons = false;
    req.timing = t.clone();
    req.timing.percentile = pct;
    reach::reach(city, &req).expect("reach").reached.len()
}

/// Checks every origin's cumulative counts against single reaches, and the invariants.
fn check_against_reach(city: &City, r: &access::AccessResult, cutoffs: &[f64], t: &Timing) {
    let per = cutoffs.len() + 1;
    for (i, o) in r.origins.iter().enumerate() {
        for (k, &pct) in t.percentiles.iter().enumerate() {
            for (c, &cutoff) in cutoffs.iter().enumerate() {
                let want = reach_count(city, o.lonlat, cutoff, t, pct);
                let got = r.value(i, k * per + c);
                assert_eq!(got, want as f32, "{} p{pct} within {cutoff}", o.id);
                if c > 0 {
                    assert!(got >= r.value(i, k * per + c - 1), "cutoffs at {}", o.id);
                }
                if k > 0 {
                    // A higher percentile is a longer time: never more within a cutoff.
                    assert!(
                        got <= r.value(i, (k - 1) * per + c),
                        "percentiles at {}",
                        o.id
                    );
                }
            }
            let near = r.value(i, k * per + cutoffs.len());
            if k > 0 {
                let before = r.value(i, (k - 1) * per + cutoffs.len());
                assert!(
                    near.is_nan() || near >= before,
                    "nearest at {}: {near} < {before}",
                    o.id
                );
            }
        }
    }
}

#[test]
fn hand_made_feed_percentiles_by_hand_and_equal_to_single_reaches() {
    let dir = hand_made("lib");
    let city = load(&dir.0);
    let t = timing("2019-04-15T07:55", 30, &[25, 50, 75]);
    let req = AccessRequest {
        mode: Mode::Transit,
        scenario: "existing".into(),
        compare: None,
        cutoffs: vec![15.0, 20.0, 30.0],
        nearest: vec![1],
        max_minutes: None,
        timing: t.clone(),
    };
    let opp = Opportunities::parse(&city, "all").expect("opportunities");
    let delta_only = Opportunities {
        label: "Delta".into(),
        points: opp
            .points
            .into_iter()
            .filter(|p| (p.lonlat[0] - 0.04).abs() < 1e-9)
            .collect(),
    };
    assert_eq!(delta_only.points.len(), 1);
    let origins = points(&[[0.0, 0.0], [0.01, 0.0], [0.005, 0.001], [0.0, -0.002]]);
    let r = access::run(
        &city,
        &req,
        origins.clone(),
        None,
        &delta_only,
        &Progress::default(),
    )
    .unwrap();
    let names: Vec<&str> = r.measures.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "existing_cum15_p25",
            "existing_cum20_p25",
            "existing_cum30_p25",
            "existing_nearest1_p25",
            "existing_cum15_p50",
            "existing_cum20_p50",
            "existing_cum30_p50",
            "existing_nearest1_p50",
            "existing_cum15_p75",
            "existing_cum20_p75",
            "existing_cum30_p75",
            "existing_nearest1_p75",
        ]
    );
    assert!(
        r.measures[5]
            .description
            .contains("within 20 min by transit at the 50th percentile of departures 2019-04-15T07:55 + 30 min, scenario existing"),
        "{}",
        r.measures[5].description
    );
    // From A, worked out by hand: 13, 18 and 26 minutes.
    let row: Vec<f32> = (0..12).map(|m| r.value(0, m)).collect();
    assert_eq!(
        row,
        [1.0, 1.0, 1.0, 13.0, 0.0, 1.0, 1.0, 18.0, 0.0, 0.0, 1.0, 26.0]
    );
    let meta = r.metadata.timetable.as_ref().expect("timetable metadata");
    assert_eq!((meta.samples, meta.draws, meta.window_min), (30, 1, 30));

    // Every origin and both features: equal to single reaches.
    let all = Opportunities::parse(&city, "all").unwrap();
    assert_eq!(all.points.len(), 2);
    let r = access::run(&city, &req, origins, None, &all, &Progress::default()).unwrap();
    check_against_reach(&city, &r, &req.cutoffs, &t);
    // And the times themselves equal the reach engine's travel field, bit for bit.
    for (i, o) in r.origins.iter().enumerate() {
        for (k, &pct) in t.percentiles.iter().enumerate() {
            let mut tk = t.clone();
            tk.percentile = pct;
            let times = access::times_from_timed(
                &city,
                o.lonlat,
                Mode::Transit,
                "existing",
                30.0,
                &tk,
                &all,
            )
            .unwrap();
            let nearest = times.iter().flatten().copied().reduce(f64::min);
            let got = r.value(i, k * 4 + 3);
            match nearest {
                Some(m) => assert_eq!(got, m as f32, "{} p{pct}", o.id),
                None => assert!(got.is_nan()),
            }
        }
    }
}

#[test]
fn hand_made_feed_on_the_cli_default_departure_matrix_and_errors() {
    let dir = hand_made("cli");
    let data = dir.0.display().to_string();
    let csv = dir.0.join("o.csv");
    std::fs::write(&csv, "id,lon,lat\na,0,0\nb,0.01,0\n").unwrap();
    let origins = csv.display().to_string();
    let (code, out, err) = cityreach(&[
        "access",
        "--data",
        &data,
        "--origins",
        &origins,
        "--cutoff",
        "20",
        "--depart",
        "2019-04-15T07:55",
        "--window",
        "30",
        "--percentiles",
        "25,50,75",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "id,lon,lat,existing_cum20_p25,existing_cum20_p50,existing_cum20_p75"
    );
    // From A: Delta within 20 at p25 and p50 (13, 18), not p75 (26); Bravo (A → B is 2.5 min
    // of ride after the wait) at every percentile.
    assert_eq!(lines[1], "a,0,0,2,2,1");

    // No departure on a timetabled feed: the default, 08:00 on the first Tuesday (2019-04-16),
    // one departure, so T1: Delta in 10 minutes at every percentile.
    let (code, out, err) = cityreach(&[
        "access",
        "--data",
        &data,
        "--origins",
        &origins,
        "--nearest",
        "2",
        "--format",
        "geojson",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let meta = &v["metadata"]["timetable"];
    assert_eq!(meta["depart"], "2019-04-16T08:00");
    assert!(meta["depart_note"]
        .as_str()
        .unwrap()
        .contains("first Tuesday"));
    let props = &v["features"][0]["properties"];
    for p in [5, 50, 95] {
        assert_eq!(props[format!("existing_nearest2_p{p}")], 10.0, "{props}");
    }

    // The matrix at a departure and percentile.
    let (code, out, err) = cityreach(&[
        "matrix",
        "--data",
        &data,
        "--from",
        "0,0",
        "--to",
        "0.04,0",
        "--depart",
        "2019-04-15T07:55",
        "--window",
        "30",
        "--percentile",
        "75",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().nth(1), Some(r#""0,0","0.04,0",26"#), "{out}");

    // Errors name the flag.
    for (args, needle) in [
        (vec!["--depart", "2030-01-01T08:00"], "depart"),
        (vec!["--depart", "soon"], "depart"),
        (vec!["--window", "500"], "window"),
        (vec!["--percentiles", "5,500"], "percentiles"),
        (
            vec!["--percentiles", "5,95", "--percentile", "50"],
            "percentile",
        ),
        (
            vec!["--depart", "2019-04-15T08:00", "--scenario", "nope"],
            "depart",
        ),
    ] {
        let mut a = vec![
            "access",
            "--data",
            &data,
            "--origins",
            &origins,
            "--cutoff",
            "20",
        ];
        a.extend(args.iter().copied());
        let (code, _, err) = cityreach(&a);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

/// Porto Alegre's two feeds (timetabled: EPTC buses, TRENSURB rail) and every 25th hexagon
/// with jobs as a feature; `None` (skipped) when the shared data is absent.
fn porto_alegre() -> Option<(Scratch, Vec<[f64; 2]>)> {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/cities/porto-alegre");
    if !shared.join("poa_hexgrid.csv").exists() {
        eprintln!("skipped: {} is absent", shared.display());
        return None;
    }
    let dir = std::env::temp_dir().join(format!("cityreach-access-poa-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("gtfs")).unwrap();
    for feed in ["poa_eptc.zip", "poa_trensurb.zip"] {
        std::fs::copy(shared.join(feed), dir.join("gtfs").join(feed)).unwrap();
    }
    let text = std::fs::read_to_string(shared.join("poa_hexgrid.csv")).unwrap();
    let mut cells = Vec::new();
    let mut features = Vec::new();
    for (i, line) in text.lines().skip(1).enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        let (lon, lat): (f64, f64) = (f[1].parse().unwrap(), f[2].parse().unwrap());
        let jobs: f64 = f[5].parse().unwrap_or(0.0);
        cells.push([lon, lat]);
        if i % 25 == 0 && jobs > 0.0 {
            features.push((format!("com-{}", f[0]), lon, lat));
        }
    }
    write_features(&dir, &features);
    Some((Scratch(dir), cells))
}

#[test]
fn porto_alegre_sampled_cells_equal_single_reaches_over_a_window() {
    let Some((dir, cells)) = porto_alegre() else {
        return;
    };
    let city = load(&dir.0);
    let t = timing("2019-05-13T14:00", 20, &[25, 50, 75]);
    let cutoffs = vec![30.0, 45.0];
    let req = AccessRequest {
        mode: Mode::Transit,
        scenario: "existing".into(),
        compare: None,
        cutoffs: cutoffs.clone(),
        nearest: vec![1],
        max_minutes: None,
        timing: t.clone(),
    };
    let opp = Opportunities::parse(&city, "commercial").unwrap();
    assert!(opp.points.len() >= 20, "{}", opp.points.len());
    // Eight cells spread over the grid's order.
    let sample: Vec<[f64; 2]> = cells.iter().step_by(cells.len() / 8).copied().collect();
    let r = access::run(
        &city,
        &req,
        points(&sample),
        None,
        &opp,
        &Progress::default(),
    )
    .unwrap();
    let reached: f32 = (0..r.origins.len()).map(|i| r.value(i, 3 + 1)).sum();
    assert!(reached > 20.0, "the sample reaches features: {reached}");
    check_against_reach(&city, &r, &cutoffs, &t);
}

/// One request on a fresh connection: status and body.
fn call(addr: &str, method: &str, path: &str, body: Option<&serde_json::Value>) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .ok();
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if body.is_some() {
        head.push_str("Content-Type: application/json\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", payload.len()));
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(payload.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("head");
    (head[9..12].parse().unwrap(), body.to_string())
}

#[test]
fn hand_made_feed_over_http_access_job_matrix_and_errors() {
    use serde_json::json;
    let dir = hand_made("http");
    let srv = support::Server::start_with(&[std::ffi::OsStr::new("--data"), dir.0.as_os_str()]);
    let q = json!({
        "opportunities": "all",
        "origins": [{"id": "a", "lon": 0, "lat": 0}],
        "cutoffs": [20],
        "depart": "2019-04-15T07:55",
        "window": 30,
        "percentiles": [25, 50, 75]
    });
    let (code, body) = call(&srv.addr, "POST", "/access", Some(&q));
    assert_eq!(code, 202, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    let start = std::time::Instant::now();
    loop {
        let (code, body) = call(&srv.addr, "GET", &format!("/access/{id}"), None);
        assert_eq!(code, 200);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        if v["status"] != "running" {
            assert_eq!(v["status"], "done", "{v}");
            break;
        }
        assert!(start.elapsed().as_secs() < 60, "job never ends");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let (code, csv) = call(
        &srv.addr,
        "GET",
        &format!("/access/{id}/result?f=csv"),
        None,
    );
    assert_eq!(code, 200, "{csv}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "id,lon,lat,existing_cum20_p25,existing_cum20_p50,existing_cum20_p75",
            "a,0,0,2,2,1"
        ]
    );

    let m = json!({"from": [[0, 0]], "to": [[0.04, 0]], "depart": "2019-04-15T07:55",
                   "window": 30, "percentile": 25});
    let (code, body) = call(&srv.addr, "POST", "/matrix", Some(&m));
    assert_eq!(code, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["minutes"], json!([[13.0]]), "{v}");
    assert_eq!(v["metadata"]["timetable"]["window_min"], 30);

    for (field, value) in [
        ("window", json!(500)),
        ("window", json!(-1)),
        ("percentiles", json!([5, 500])),
        ("percentile", json!("x")),
        ("depart", json!("2030-01-01T08:00")),
    ] {
        let mut bad = q.clone();
        bad[field] = value.clone();
        let (code, body) = call(&srv.addr, "POST", "/access", Some(&bad));
        assert_eq!(code, 400, "{field}={value}: {body}");
        let e: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(
            e["description"].as_str().unwrap_or("").contains(field),
            "{field}={value}: {e}"
        );
    }
}
