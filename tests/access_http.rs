//! `/access` jobs and `/matrix` over HTTP against the real binary: a job runs to the same
//! values the library computes, reports progress, can be cancelled, and bad queries get a
//! JSON 400 naming the field before any job starts.

use cityreach::access::query::AccessQuery;
use cityreach::access::{self, Progress};
use cityreach::{City, DataSource};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

mod support;
use support::Server;

/// One request on a fresh connection: status, headers (lower-case names) and body.
fn call(addr: &str, method: &str, path: &str, body: Option<&Value>) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).ok();
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
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("head");
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status = head[9..12].parse().unwrap();
    (status, head, raw[split + 4..].to_vec())
}

fn json_of(b: &[u8]) -> Value {
    serde_json::from_slice(b).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(b)))
}

fn wait_done(addr: &str, id: &str) -> Value {
    let start = Instant::now();
    loop {
        let (code, _, body) = call(addr, "GET", &format!("/access/{id}"), None);
        assert_eq!(code, 200);
        let v = json_of(&body);
        if v["status"] != "running" {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "job {id} never ends"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_access_job_runs_to_the_librarys_values_and_downloads() {
    let srv = Server::start();
    let q = json!({
        "opportunities": "commercial",
        "cutoffs": [20, 40],
        "compare": "plan-2025",
        "within": ["二七区"],
        "cell": 1000
    });
    let (code, head, body) = call(&srv.addr, "POST", "/access", Some(&q));
    assert_eq!(code, 202, "{}", String::from_utf8_lossy(&body));
    assert!(head.contains("location: /access/"), "{head}");
    let id = json_of(&body)["id"].as_str().unwrap().to_string();
    let v = wait_done(&srv.addr, &id);
    assert_eq!(v["status"], "done", "{v}");
    assert_eq!(v["progress"]["done"], v["progress"]["total"]);
    let d = v["districts"].as_array().unwrap();
    assert!(d.iter().any(|x| x["name_zh"] == "二七区"), "{v}");
    assert!(v["histogram"]["measure"] == "diff_cum40");
    let rels: Vec<&str> = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["href"].as_str())
        .collect();
    assert!(rels.iter().any(|h| h.ends_with("f=tiff")), "{rels:?}");

    // The CSV holds what the library computes for the same query, cell by cell.
    let (code, head, csv) = call(
        &srv.addr,
        "GET",
        &format!("/access/{id}/result?f=csv"),
        None,
    );
    assert_eq!(code, 200);
    assert!(head.contains("content-type: text/csv"));
    let city = City::load(DataSource::Embedded).unwrap();
    let ds = cityreach::catalog::districts::load_districts(
        &city.source,
        &cityreach::catalog::CityBounds::WORLD,
    )
    .unwrap();
    let query: AccessQuery = serde_json::from_value(q).unwrap();
    let p = query.prepare(&city, ds.as_deref()).unwrap();
    let r = access::run(
        &city,
        &p.request,
        p.origins,
        p.grid,
        &p.opportunities,
        &Progress::default(),
    )
    .unwrap();
    let mut want = Vec::new();
    access::output::write_csv(&mut want, &r).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&csv),
        String::from_utf8_lossy(&want)
    );
    let (code, _, tif) = call(
        &srv.addr,
        "GET",
        &format!("/access/{id}/result?f=tiff"),
        None,
    );
    assert_eq!(code, 200);
    assert_eq!(&tif[..4], b"II\x2a\x00");

    // The compact grid a map draws: every origin's cell, found from its lon/lat the way a
    // client finds the cell under the cursor, holds the library's value for every measure.
    let (code, head, g) = call(
        &srv.addr,
        "GET",
        &format!("/access/{id}/result?f=grid"),
        None,
    );
    assert_eq!(code, 200);
    assert!(head.contains("content-type: application/json"), "{head}");
    let g = json_of(&g);
    let grid = r.grid.as_ref().unwrap();
    assert_eq!(g["rows"], grid.rows);
    assert_eq!(g["cols"], grid.cols);
    let (west, north) = (g["west"].as_f64().unwrap(), g["north"].as_f64().unwrap());
    let (dlon, dlat) = (g["dlon"].as_f64().unwrap(), g["dlat"].as_f64().unwrap());
    let values = g["values"].as_array().unwrap();
    assert_eq!(values.len(), r.measures.len());
    for (m, band) in values.iter().enumerate() {
        let band = band.as_array().unwrap();
        assert_eq!(band.len(), grid.rows * grid.cols);
        let filled = band.iter().filter(|v| !v.is_null()).count();
        assert_eq!(filled, r.column(m).filter(|v| !v.is_nan()).count());
        for (i, o) in r.origins.iter().enumerate() {
            let col = ((o.lonlat[0] - west) / dlon).floor() as usize;
            let row = ((north - o.lonlat[1]) / dlat).floor() as usize;
            let want = f64::from(r.value(i, m));
            let got = &band[row * grid.cols + col];
            if want.is_nan() {
                assert!(got.is_null(), "origin {} measure {m}: {got}", o.id);
            } else {
                let got = got.as_f64().unwrap();
                assert!(
                    (got - want).abs() <= 0.005,
                    "origin {} measure {m}: {got} vs {want}",
                    o.id
                );
            }
        }
    }
    assert_eq!(g["measures"][2]["name"], "plan-2025_cum20");
    let (code, _, _) = call(
        &srv.addr,
        "GET",
        &format!("/access/{id}/result?f=png"),
        None,
    );
    assert_eq!(code, 400);
    let (code, _, _) = call(&srv.addr, "DELETE", &format!("/access/{id}"), None);
    assert_eq!(code, 200);
    let (code, _, _) = call(&srv.addr, "GET", &format!("/access/{id}"), None);
    assert_eq!(code, 404);
}

#[test]
fn a_long_job_can_be_cancelled() {
    let srv = Server::start();
    // The whole municipality at 100 m: far more work than the test waits for.
    let q = json!({"opportunities": "all", "cutoffs": [60], "cell": 100, "compare": "plan-2025"});
    let (code, _, body) = call(&srv.addr, "POST", "/access", Some(&q));
    assert_eq!(code, 202, "{}", String::from_utf8_lossy(&body));
    let id = json_of(&body)["id"].as_str().unwrap().to_string();
    std::thread::sleep(Duration::from_millis(300));
    let (code, _, body) = call(&srv.addr, "DELETE", &format!("/access/{id}"), None);
    assert_eq!(code, 200);
    assert_eq!(json_of(&body)["status"], "cancelling");
    // The service is free again: a small job starts and finishes.
    let small = json!({"opportunities": "transport_hub", "nearest": [1], "within": ["410103"], "cell": 2000});
    let start = Instant::now();
    loop {
        let (code, _, body) = call(&srv.addr, "POST", "/access", Some(&small));
        if code == 202 {
            let id = json_of(&body)["id"].as_str().unwrap().to_string();
            assert_eq!(wait_done(&srv.addr, &id)["status"], "done");
            break;
        }
        assert_eq!(code, 503);
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the cancelled job holds its slot"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn bad_queries_get_a_json_400_naming_the_field() {
    let srv = Server::start();
    let cases = [
        (json!({"cutoffs": [30, 10]}), "cutoff"),
        (json!({"cutoffs": [30], "within": ["Atlantis"]}), "within"),
        (
            json!({"cutoffs": [30], "opportunities": "shops"}),
            "opportunities",
        ),
        (json!({"cutoffs": [30], "cell": 1}), "cell"),
        (json!({"cutoffs": [30], "mode": "teleport"}), "mode"),
        (
            json!({"cutoffs": [30], "scenario": "plan-2099"}),
            "scenario",
        ),
        (json!({"cutoffs": [30], "colour": "red"}), "body"),
        (json!({"cutoffs": [30], "origins": [[120.0, 30.0]]}), "from"),
        (
            json!({"cutoffs": [30], "origins": [[999.0, 30.0]]}),
            "origins",
        ),
        (
            json!({"cutoffs": [30], "opportunities": [{"lon": 113.7, "lat": 34.7, "weight": -1}]}),
            "opportunities",
        ),
        (json!({"cutoffs": ["x"]}), "body"),
    ];
    for (q, field) in cases {
        let (code, head, body) = call(&srv.addr, "POST", "/access", Some(&q));
        assert_eq!(code, 400, "{q}: {}", String::from_utf8_lossy(&body));
        assert!(head.contains("application/json"));
        let v = json_of(&body);
        assert_eq!(v["parameter"], field, "{q}: {v}");
    }
    let (code, _, _) = call(&srv.addr, "GET", "/access/999", None);
    assert_eq!(code, 404);
    let (code, _, body) = call(
        &srv.addr,
        "POST",
        "/matrix",
        Some(&json!({"from": ["郑州站"], "to": ["nowhere-at-all"]})),
    );
    assert_eq!(code, 400, "{}", String::from_utf8_lossy(&body));
    assert_eq!(json_of(&body)["parameter"], "from");
}

#[test]
fn matrix_over_http_equals_the_library() {
    let srv = Server::start();
    let q = json!({"from": ["郑州站", [113.7, 34.635]], "to": ["hub-zhengzhou-east", {"id": "erqi", "lon": 113.65976, "lat": 34.753649}], "scenario": "plan-2025", "max_minutes": 90});
    let (code, _, body) = call(&srv.addr, "POST", "/matrix", Some(&q));
    assert_eq!(code, 200, "{}", String::from_utf8_lossy(&body));
    let v = json_of(&body);
    let city = City::load(DataSource::Embedded).unwrap();
    let o =
        access::matrix::resolve_points(&city, &["郑州站".into(), "113.7,34.635".into()], "from")
            .unwrap();
    let d = access::matrix::resolve_points(
        &city,
        &["hub-zhengzhou-east".into(), "113.65976,34.753649".into()],
        "to",
    )
    .unwrap();
    let m = access::matrix::compute(
        &city,
        o,
        d,
        cityreach::reach::Mode::Transit,
        "plan-2025",
        90.0,
    )
    .unwrap();
    for i in 0..2 {
        for j in 0..2 {
            let got = v["minutes"][i][j].as_f64();
            let want = m.get(i, j).map(|x| (x * 100.0).round() / 100.0);
            assert_eq!(got, want, "{i},{j}");
        }
    }
    assert_eq!(v["destinations"][1]["id"], "erqi");

    // The same query as GeoParquet is, byte for byte, the library's matrix written so (with
    // the ids the answer gave the points).
    let mut q = q;
    q["format"] = json!("parquet");
    let (code, head, body) = call(&srv.addr, "POST", "/matrix", Some(&q));
    assert_eq!(code, 200, "{}", String::from_utf8_lossy(&body));
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/vnd.apache.parquet"),
        "{head}"
    );
    let mut m = m;
    for i in 0..2 {
        m.origins[i].id = v["origins"][i]["id"].as_str().unwrap().to_string();
        m.destinations[i].id = v["destinations"][i]["id"].as_str().unwrap().to_string();
    }
    assert_eq!(body, m.to_geoparquet());
    q["format"] = json!("xml");
    let (code, _, body) = call(&srv.addr, "POST", "/matrix", Some(&q));
    assert_eq!(code, 400, "{}", String::from_utf8_lossy(&body));
    assert_eq!(
        json_of(&body)["parameter"],
        "f",
        "{}",
        String::from_utf8_lossy(&body)
    );
}

#[test]
fn a_point_job_has_no_grid_and_says_so() {
    let srv = Server::start();
    let q =
        json!({"opportunities": "commercial", "cutoffs": [30], "origins": [[113.6598, 34.7536]]});
    let (code, _, body) = call(&srv.addr, "POST", "/access", Some(&q));
    assert_eq!(code, 202, "{}", String::from_utf8_lossy(&body));
    let id = json_of(&body)["id"].as_str().unwrap().to_string();
    let v = wait_done(&srv.addr, &id);
    assert_eq!(v["status"], "done", "{v}");
    let links = v["links"].to_string();
    assert!(
        !links.contains("f=grid") && !links.contains("f=tiff"),
        "{links}"
    );
    assert!(links.contains("f=parquet"), "{links}");
    let (code, head, body) = call(
        &srv.addr,
        "GET",
        &format!("/access/{id}/result?f=parquet"),
        None,
    );
    assert_eq!(code, 200, "{}", String::from_utf8_lossy(&body));
    assert!(
        head.contains("content-type: application/vnd.apache.parquet"),
        "{head}"
    );
    assert!(body.starts_with(b"PAR1") && body.ends_with(b"PAR1"));
    // The one origin and the `geo` metadata are in the file.
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains("\"encoding\":\"WKB\""), "{text}");
    assert!(text.contains("existing_cum30"), "{text}");
    let (code, _, body) = call(
        &srv.addr,
        "GET",
        &format!("/access/{id}/result?f=grid"),
        None,
    );
    assert_eq!(code, 400);
    let e = json_of(&body);
    assert_eq!(e["parameter"], "f", "{e}");
    assert!(
        e["description"].as_str().unwrap().contains("grid origins"),
        "{e}"
    );
}
