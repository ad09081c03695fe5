//! Snapshots of what the service and the command line answer for a fixed set of queries, so a
//! change of layout is proved not to change behaviour: reach in every mode and scenario (with
//! and without polygons), plan targets, search, feature pages (paging, bbox, CQL2), the OGC
//! documents, scenarios, and the errors bad input gets. The answers carry no clock times or
//! ports (HTTP runs in process with a fixed `Host`); the only thing redacted is the clock time
//! OGC item pages carry (`timeStamp`).
//!
//! `CI=true` makes a mismatch fail; `INSTA_UPDATE=always cargo test --test snapshots` rewrites
//! the files under `tests/snapshots/` after a deliberate change (review the diff).

mod support;

use axum::body::Body;
use axum::http::{header, Request};
use serde_json::{json, Value};
use tower::ServiceExt;

use support::in_process as app;

/// Status, content type and body (JSON when it parses, else text) of one request.
fn send(req: Request<Body>) -> Value {
    let (rt, router) = app();
    rt.block_on(async {
        let res = router.clone().oneshot(req).await.expect("infallible");
        let status = res.status().as_u16();
        let ctype = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = axum::body::to_bytes(res.into_body(), 64 << 20)
            .await
            .expect("body");
        let body = serde_json::from_slice(&body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
        let mut body = body;
        redact(&mut body);
        json!({"status": status, "content_type": ctype, "body": body})
    })
}

/// Replaces what varies between runs: the time an items page was made.
fn redact(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k == "timeStamp" {
                    *x = Value::String("[time]".into());
                } else {
                    redact(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact),
        _ => {}
    }
}

fn get(path: &str) -> Value {
    send(
        Request::get(path)
            .header(header::HOST, "snapshot.test")
            .body(Body::empty())
            .expect("request"),
    )
}

fn post(path: &str, body: impl Into<Body>) -> Value {
    send(
        Request::post(path)
            .header(header::HOST, "snapshot.test")
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.into())
            .expect("request"),
    )
}

/// Exit code, stdout (JSON when it parses) and stderr of one command.
fn cli(args: &[&str]) -> Value {
    let (code, out, err) = support::cityreach(args);
    let out = serde_json::from_str(&out).unwrap_or(Value::String(out));
    json!({"code": code, "stdout": out, "stderr": err})
}

/// Percent-encodes a query value (names are Chinese, filters have spaces and quotes).
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~,".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

macro_rules! snap {
    ($name:expr, $value:expr) => {
        insta::assert_json_snapshot!($name, $value)
    };
}

#[test]
fn http_reach_every_mode_and_scenario() {
    for mode in ["walk", "bike", "drive", "transit"] {
        for scenario in ["existing", "plan-2025"] {
            let path = format!(
                "/reach?from={}&minutes=15&mode={mode}&scenario={scenario}&polygons=false",
                enc("郑州站")
            );
            snap!(format!("http_reach_{mode}_{scenario}"), get(&path));
        }
    }
}

#[test]
fn http_reach_with_polygons() {
    for (mode, scenario) in [
        ("transit", "existing"),
        ("transit", "plan-2025"),
        ("walk", "existing"),
    ] {
        let path = format!(
            "/reach?from={}&minutes=12&mode={mode}&scenario={scenario}&bands=6,12&cell=250",
            enc("二七广场")
        );
        snap!(format!("http_reach_polygons_{mode}_{scenario}"), get(&path));
    }
    let body = json!({
        "from": ["郑州站", [113.7709, 34.7603]],
        "bands": [5, 10],
        "scenario": "plan-2025",
        "band_form": "cumulative",
        "cell": 300
    });
    snap!(
        "http_reach_post_two_origins",
        post("/reach", body.to_string())
    );
}

#[test]
fn http_targets_search_scenarios() {
    snap!("http_targets_plan", get("/targets?scenario=plan-2025"));
    snap!("http_targets_existing", get("/targets?scenario=existing"));
    snap!("http_search_erqi", get("/search?q=erqi"));
    snap!(
        "http_search_chinese",
        get(&format!("/search?q={}&limit=5", enc("郑州")))
    );
    snap!(
        "http_search_station_name",
        get(&format!("/search?q={}", enc("燕庄")))
    );
    snap!("http_scenarios", get("/scenarios"));
}

#[test]
fn http_ogc_documents() {
    snap!("http_landing", get("/"));
    snap!("http_conformance", get("/conformance"));
    snap!("http_collections", get("/collections"));
    snap!("http_collection_commercial", get("/collections/commercial"));
    snap!(
        "http_queryables_transport_hub",
        get("/collections/transport_hub/queryables")
    );
    snap!(
        "http_queryables_metro_stations",
        get("/collections/metro_stations/queryables")
    );
}

#[test]
fn http_items_pages() {
    snap!(
        "http_items_commercial_page1",
        get("/collections/commercial/items?limit=3")
    );
    snap!(
        "http_items_commercial_page2",
        get("/collections/commercial/items?limit=3&offset=3")
    );
    snap!(
        "http_items_metro_bbox",
        get("/collections/metro_stations/items?bbox=113.60,34.70,113.70,34.80&limit=5")
    );
    snap!(
        "http_items_hub_filter",
        get(&format!(
            "/collections/transport_hub/items?filter={}&limit=5",
            enc("status = 'planned'")
        ))
    );
    snap!(
        "http_items_districts_crs",
        get(&format!(
            "/collections/districts/items?limit=1&crs={}",
            enc("http://www.opengis.net/def/crs/EPSG/0/3857")
        ))
    );
    snap!(
        "http_items_transit_lines",
        get("/collections/transit_lines/items?limit=2")
    );
}

#[test]
fn http_errors() {
    snap!(
        "http_error_unknown_place",
        get(&format!("/reach?from={}", enc("不存在的地方")))
    );
    snap!("http_error_bad_coordinates", get("/reach?from=200,100"));
    snap!("http_error_outside_city", get("/reach?from=2.35,48.85"));
    snap!(
        "http_error_nan_minutes",
        get("/reach?from=113.66,34.75&minutes=NaN")
    );
    snap!("http_error_nan_coordinate", get("/reach?from=113.66,NaN"));
    snap!(
        "http_error_minutes_oversize",
        get("/reach?from=113.66,34.75&minutes=500")
    );
    snap!(
        "http_error_too_many_bands",
        get(&format!(
            "/reach?from=113.66,34.75&bands={}",
            (1..=30)
                .map(|b| b.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ))
    );
    snap!(
        "http_error_unknown_mode",
        get("/reach?from=113.66,34.75&mode=boat")
    );
    snap!(
        "http_error_unknown_scenario",
        get("/reach?from=113.66,34.75&scenario=plan-2099")
    );
    snap!(
        "http_error_unknown_parameter",
        get("/reach?from=113.66,34.75&speed=3")
    );
    snap!("http_error_post_not_json", post("/reach", "{from:"));
    snap!(
        "http_error_post_oversize_body",
        post("/reach", vec![b' '; cityreach::server::MAX_BODY_BYTES + 1])
    );
    snap!(
        "http_error_unknown_collection",
        get("/collections/nothing/items")
    );
    snap!(
        "http_error_bad_filter",
        get(&format!(
            "/collections/commercial/items?filter={}",
            enc("status = ")
        ))
    );
    snap!(
        "http_error_bad_bbox",
        get("/collections/commercial/items?bbox=1,2,3")
    );
    snap!("http_error_bad_limit", get("/search?q=erqi&limit=-1"));
}

#[test]
fn cli_answers() {
    snap!(
        "cli_reach_transit_existing_json",
        cli(&[
            "reach",
            "--from",
            "郑州站",
            "--minutes",
            "15",
            "--no-polygons",
            "--format",
            "json"
        ])
    );
    snap!(
        "cli_reach_transit_plan_table",
        cli(&[
            "reach",
            "--from",
            "郑州站",
            "--minutes",
            "15",
            "--scenario",
            "plan-2025",
            "--no-polygons"
        ])
    );
    snap!(
        "cli_reach_bike_geojson_polygons",
        cli(&[
            "reach",
            "--from",
            "113.66,34.75",
            "--mode",
            "bike",
            "--bands",
            "5,10",
            "--cell",
            "250",
            "--format",
            "geojson"
        ])
    );
    snap!(
        "cli_targets_plan_json",
        cli(&["targets", "--scenario", "plan-2025", "--format", "json"])
    );
    snap!(
        "cli_targets_existing_table",
        cli(&["targets", "--scenario", "existing"])
    );
    snap!("cli_search_erqi", cli(&["search", "erqi"]));
    snap!(
        "cli_search_json",
        cli(&["search", "郑州东", "--format", "json"])
    );
    snap!(
        "cli_features_hubs_planned",
        cli(&["features", "--kind", "transport_hub", "--status", "planned"])
    );
    snap!(
        "cli_error_unknown_place",
        cli(&["reach", "--from", "不存在的地方"])
    );
    snap!(
        "cli_error_bad_coordinates",
        cli(&["reach", "--from", "200,100"])
    );
    snap!(
        "cli_error_minutes_oversize",
        cli(&["reach", "--from", "郑州站", "--minutes", "500"])
    );
    snap!(
        "cli_error_nan_minutes",
        cli(&["reach", "--from", "郑州站", "--minutes", "NaN"])
    );
}
