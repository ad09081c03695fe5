//! `/compare` against two `/reach` answers: the comparison must be exactly what a client would
//! work out from the two answers (areas, counts, minutes before and after), and it carries
//! those very answers.

mod support;

use axum::body::Body;
use axum::http::{header, Request};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use tower::ServiceExt;

use support::in_process as app;

fn send(req: Request<Body>) -> (u16, Value) {
    let (rt, router) = app();
    rt.block_on(async {
        let res = router.clone().oneshot(req).await.expect("infallible");
        let status = res.status().as_u16();
        let body = axum::body::to_bytes(res.into_body(), 64 << 20)
            .await
            .expect("body");
        (status, serde_json::from_slice(&body).expect("JSON body"))
    })
}

fn get(path: &str) -> (u16, Value) {
    send(Request::get(path).body(Body::empty()).expect("request"))
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.,".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Reached feature id → minutes of a reach answer.
fn minutes(fc: &Value) -> BTreeMap<String, f64> {
    fc["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|f| f["properties"]["layer"] == "reached")
        .map(|f| {
            let p = &f["properties"];
            (
                p["id"].as_str().expect("id").to_string(),
                p["minutes"].as_f64().expect("minutes"),
            )
        })
        .collect()
}

fn check_against_reach(query: &str, plan: &str) -> Value {
    let (s, cmp) = get(&format!("/compare?{query}&scenario={plan}"));
    assert_eq!(s, 200, "{cmp}");
    let (s, base) = get(&format!("/reach?{query}&scenario=existing"));
    assert_eq!(s, 200);
    let (s, planned) = get(&format!("/reach?{query}&scenario={plan}"));
    assert_eq!(s, 200);
    // The comparison carries the two answers unchanged.
    assert_eq!(cmp["reach"]["base"], base);
    assert_eq!(cmp["reach"]["plan"], planned);
    assert_eq!(cmp["base"], "existing");
    assert_eq!(cmp["plan"], plan);

    // Bands: areas and counts as each answer's summary states them.
    let (sb, sp) = (
        base["summary"]["bands"].as_array().expect("bands"),
        planned["summary"]["bands"].as_array().expect("bands"),
    );
    let bands = cmp["bands"].as_array().expect("bands");
    assert_eq!(bands.len(), sb.len());
    let count = |b: &Value| -> u64 {
        b["counts"]
            .as_object()
            .map_or(0, |m| m.values().map(|v| v.as_u64().expect("count")).sum())
    };
    for ((c, b), p) in bands.iter().zip(sb).zip(sp) {
        assert_eq!(c["max_minutes"], b["max_minutes"]);
        assert_eq!(c["base_km2"], b["area_km2"]);
        assert_eq!(c["plan_km2"], p["area_km2"]);
        if let (Some(x), Some(y)) = (b["area_km2"].as_f64(), p["area_km2"].as_f64()) {
            let d = c["delta_km2"].as_f64().expect("delta");
            assert!((d - (y - x)).abs() < 1e-9, "{d} vs {}", y - x);
        }
        assert_eq!(c["base_features"].as_u64(), Some(count(b)));
        assert_eq!(c["plan_features"].as_u64(), Some(count(p)));
    }

    // Features: every feature either answer reaches, once, with its minutes in each.
    let (mb, mp) = (minutes(&base), minutes(&planned));
    let features = cmp["features"].as_array().expect("features");
    let mut seen = std::collections::BTreeSet::new();
    for f in features {
        let id = f["id"].as_str().expect("id");
        assert!(seen.insert(id.to_string()), "{id} twice");
        assert_eq!(f["before"].as_f64(), mb.get(id).copied(), "{id}");
        assert_eq!(f["after"].as_f64(), mp.get(id).copied(), "{id}");
        let want = match (mb.get(id), mp.get(id)) {
            (None, Some(_)) => "gained",
            (Some(_), None) => "lost",
            (Some(b), Some(a)) if b - a >= 0.5 => "faster",
            (Some(b), Some(a)) if a - b >= 0.5 => "slower",
            (Some(_), Some(_)) => "same",
            (None, None) => unreachable!(),
        };
        assert_eq!(f["change"], want, "{id}");
    }
    let union: std::collections::BTreeSet<&String> = mb.keys().chain(mp.keys()).collect();
    assert_eq!(seen.len(), union.len());
    let n = |k: &str| features.iter().filter(|f| f["change"] == k).count() as u64;
    for k in ["gained", "lost", "faster", "slower", "same"] {
        assert_eq!(cmp["counts"][k].as_u64(), Some(n(k)), "{k}");
    }
    cmp
}

#[test]
fn compare_is_the_difference_of_two_reach_answers() {
    let q = format!("from={}&bands=15,30&cell=300", enc("郑州站"));
    let cmp = check_against_reach(&q, "plan-2025");
    // Hand-checked: the plan's new station 小李庄站 is reached from 郑州站 only with the plan.
    let gained: Vec<&str> = cmp["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|f| f["change"] == "gained")
        .map(|f| f["id"].as_str().expect("id"))
        .collect();
    assert!(gained.contains(&"hub-xiaolizhuang"), "{gained:?}");
    assert_eq!(cmp["plan_gains"], true);
}

#[test]
fn compare_without_polygons_and_by_car() {
    let q = format!("from={}&minutes=20&polygons=false", enc("二七广场"));
    let cmp = check_against_reach(&q, "plan-2025");
    assert_eq!(cmp["total"]["base_km2"], Value::Null);
    let q = format!(
        "from={}&minutes=10&mode=drive&polygons=false",
        enc("郑州站")
    );
    let cmp = check_against_reach(&q, "plan-2025");
    // Driving does not use transit: the plan changes nothing.
    assert_eq!(cmp["counts"]["gained"], 0);
    assert_eq!(cmp["counts"]["lost"], 0);
    assert_eq!(cmp["plan_gains"], false);
}

#[test]
fn post_compare_is_get_compare() {
    let q = format!("from={}&bands=10,20&polygons=false", enc("郑州东站"));
    let (_, g) = get(&format!("/compare?{q}"));
    let body = json!({"from": "郑州东站", "bands": [10, 20], "polygons": false});
    let (s, p) = send(
        Request::post("/compare")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request"),
    );
    assert_eq!(s, 200, "{p}");
    assert_eq!(g, p);
    // Without `scenario`, the plan is the first scenario that is not the base.
    assert_eq!(g["plan"], "plan-2025");
}

#[test]
fn compare_refuses_bad_input_naming_it() {
    let (s, e) = get("/compare?from=113.66,34.75&scenario=existing");
    assert_eq!(s, 400);
    assert_eq!(e["parameter"], "base", "{e}");
    let (s, e) = get("/compare?from=113.66,34.75&scenario=plan-2099");
    assert_eq!(s, 400);
    assert_eq!(e["parameter"], "scenario", "{e}");
    let (s, e) = get("/compare?from=113.66,34.75&base=nothing");
    assert_eq!(s, 400);
    assert_eq!(e["parameter"], "base", "{e}");
    let (s, e) = get("/compare?from=113.66,34.75&colour=red");
    assert_eq!(s, 400, "{e}");
}
