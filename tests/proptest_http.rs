//! Property tests of the service's request parsing, in process through `server::router`:
//! arbitrary query strings on every GET endpoint and arbitrary `POST /reach` bodies are
//! answered 2xx or a JSON 4xx, never 5xx.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use proptest::prelude::*;
use serde_json::{json, Value};
use tower::ServiceExt;

use support::in_process as app;

/// Sends one request; returns the status and the body.
fn send(req: Request<Body>) -> (StatusCode, Vec<u8>) {
    let (rt, router) = app();
    rt.block_on(async {
        let res = router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), 64 << 20)
            .await
            .expect("body");
        (status, body.to_vec())
    })
}

fn check(what: &str, status: StatusCode, body: &[u8]) -> Result<(), TestCaseError> {
    prop_assert!(
        !status.is_server_error(),
        "{what}: {status} {}",
        String::from_utf8_lossy(body)
    );
    if status.is_client_error() {
        let v: Value = serde_json::from_slice(body)
            .map_err(|e| TestCaseError::fail(format!("{what}: {status}, body not JSON: {e}")))?;
        prop_assert!(
            v["code"].is_string() && v["description"].is_string(),
            "{what}: {v}"
        );
    }
    Ok(())
}

/// Percent-encodes every byte outside the unreserved set.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn value_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9,.| -]{0,12}",
        prop::sample::select(vec![
            "113.7,34.75",
            "hub-zhengzhou-east",
            "郑州东站",
            "0",
            "-1",
            "1e308",
            "NaN",
            "inf",
            "10,20,30",
            "true",
            "maybe",
            "walk",
            "transit",
            "cumulative",
            "plan-2025",
            "113,34,114,35",
            "status = 'planned'",
            "year > 2020 AND name_zh LIKE '%站%'",
            "\u{200f}",
            "\u{1F687}",
            "e\u{301}",
            "%",
            "%zz",
            "%C0%AF",
            "%ED%A0%80",
        ])
        .prop_map(str::to_string),
        "\\PC{0,8}",
    ]
}

fn query() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "from",
        "minutes",
        "mode",
        "bands",
        "band_form",
        "cell",
        "polygons",
        "scenario",
        "limit",
        "offset",
        "bbox",
        "filter",
        "filter-lang",
        "q",
        "f",
        "status",
        "year",
        "subkind",
        "x",
    ]);
    let pair = (key, value_text(), any::<bool>()).prop_map(|(k, v, raw)| {
        // Some values go raw (possibly invalid percent-escapes), most encoded.
        if raw {
            format!("{k}={}", v.replace(['&', '#', ' '], ""))
        } else {
            format!("{k}={}", enc(&v))
        }
    });
    prop::collection::vec(pair, 0..6).prop_map(|v| v.join("&"))
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-400.0f64..400.0).prop_map(|x| json!(x)),
        any::<i64>().prop_map(|x| json!(x)),
        value_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn reach_body() -> impl Strategy<Value = Value> {
    let field = prop::sample::select(vec![
        "from",
        "minutes",
        "mode",
        "bands",
        "band_form",
        "cell",
        "polygons",
        "scenario",
        "x",
    ]);
    prop::collection::btree_map(field, json_value(), 0..5).prop_map(|mut m| {
        // Keep real computations small: bodies that would pass ask for short budgets.
        if let Some(Value::Number(n)) = m.get("minutes") {
            if n.as_f64().is_some_and(|x| x > 30.0) {
                m.insert("minutes", json!(-1));
            }
        }
        if m.contains_key("bands") {
            m.insert("polygons", json!(false));
        }
        Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    })
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn get_endpoints_never_answer_5xx(
        path in prop::sample::select(vec![
            "/collections/commercial/items", "/collections/metro_stations/items",
            "/collections/districts/items", "/collections/transit_lines/items",
            "/collections/cultural/items/cul-nope", "/collections/commercial", "/collections",
            "/conformance", "/", "/api", "/search", "/targets", "/scenarios",
            "/collections/commercial/queryables", "/reach",
        ]),
        q in query(),
    ) {
        let q = if path == "/reach" { format!("{q}&polygons=false") } else { q };
        let uri = format!("{path}?{q}");
        let Ok(req) = Request::get(uri.as_str()).body(Body::empty()) else {
            // Not a URI at all: the HTTP layer refuses it before the router.
            return Ok(());
        };
        let (status, body) = send(req);
        check(&uri, status, &body)?;
    }

    #[test]
    fn reach_bodies_never_answer_5xx(body in prop_oneof![
        4 => reach_body().prop_map(|v| v.to_string().into_bytes()),
        1 => json_value().prop_map(|v| v.to_string().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..64),
    ], ct in prop::sample::select(vec![
        "application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "text/plain", "",
    ])) {
        let mut req = Request::post("/reach");
        if !ct.is_empty() {
            req = req.header("content-type", ct);
        }
        let (status, out) = send(req.body(Body::from(body.clone())).unwrap());
        check(&String::from_utf8_lossy(&body), status, &out)?;
        if ct.is_empty() || ct == "text/plain" {
            prop_assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        }
    }
}

#[test]
fn a_valid_body_still_computes() {
    let body = json!({"from": "hub-zhengzhou-east", "minutes": 10, "polygons": false});
    let (status, out) = send(
        Request::post("/reach")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    );
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&out));
}
