//! `POST /reach` bodies (and `GET /reach` query strings) through the service's router in
//! process: any answer but a 5xx is fine.
#![no_main]

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use cityreach::{City, DataSource};
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

fn app() -> &'static (tokio::runtime::Runtime, Router) {
    static APP: OnceLock<(tokio::runtime::Runtime, Router)> = OnceLock::new();
    APP.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let city = Arc::new(City::load(DataSource::Embedded).expect("embedded city"));
        (rt, cityreach::server::router(city))
    })
}

fuzz_target!(|data: &[u8]| {
    let (rt, router) = app();
    // The first byte chooses GET (query string) or POST (JSON body).
    let Some((&how, rest)) = data.split_first() else {
        return;
    };
    let req = if how & 1 == 0 {
        Request::post("/reach")
            .header("content-type", "application/json")
            .body(Body::from(rest.to_vec()))
    } else {
        let q = String::from_utf8_lossy(rest).replace(['#', ' '], "");
        Request::get(format!("/reach?{q}")).body(Body::empty())
    };
    let Ok(req) = req else {
        return;
    };
    // The router's error type is Infallible: every request gets a response.
    let Ok(s) = rt.block_on(async { router.clone().oneshot(req).await.map(|r| r.status()) });
    // 503 is the documented answer to a query over the time limit, not a fault.
    assert!(
        !s.is_server_error() || s.as_u16() == 503,
        "{s} for {:?}",
        String::from_utf8_lossy(rest)
    );
});
