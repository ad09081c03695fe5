//! The web map: the files of `web/`, embedded in the binary and served under `/map/`.

use super::error::ApiError;
use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use include_dir::{include_dir, Dir};

static WEB: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/web");

/// Shown at `/map/` when the binary was built without a web map.
const PLACEHOLDER: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cityreach</title></head>
<body><h1>cityreach</h1>
<p>This build has no web map. The service answers at:</p>
<ul><li><a href="/?f=json">/ (OGC API Features landing page)</a></li>
<li><a href="/collections">/collections</a></li>
<li><a href="/api">/api (OpenAPI 3.0)</a></li>
<li><a href="/scenarios">/scenarios</a>, <a href="/targets">/targets</a>,
<a href="/search?q=%E9%83%91%E5%B7%9E%E4%B8%9C%E7%AB%99">/search</a>,
<a href="/reach?from=%E9%83%91%E5%B7%9E%E4%B8%9C%E7%AB%99&amp;minutes=20">/reach</a></li></ul>
</body></html>
"#;

const FAVICON_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="6" fill="none" stroke="#c0392b" stroke-width="2"/><circle cx="8" cy="8" r="2" fill="#c0392b"/></svg>"##;

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "geojson" => "application/geo+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "pbf" => "application/x-protobuf",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn file_response(path: &str, bytes: &'static [u8]) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

pub async fn map_redirect() -> Redirect {
    Redirect::permanent("/map/")
}

pub async fn map_index() -> Response {
    match WEB.get_file("index.html") {
        Some(f) => file_response("index.html", f.contents()),
        None => file_response("index.html", PLACEHOLDER.as_bytes()),
    }
}

pub async fn map_file(Path(path): Path<String>) -> Response {
    // include_dir paths are relative and never contain "..": anything else simply misses.
    let p = path.trim_start_matches('/');
    let p = if p.is_empty() || p.ends_with('/') {
        format!("{p}index.html")
    } else {
        p.to_string()
    };
    if p.split('/').any(|s| s == ".." || s.starts_with('.')) {
        return ApiError::NotFound(format!("no file /map/{path}")).into_response();
    }
    match WEB.get_file(&p) {
        Some(f) => file_response(&p, f.contents()),
        None if p == "index.html" => map_index().await,
        None => ApiError::NotFound(format!("no file /map/{path}")).into_response(),
    }
}

pub async fn favicon() -> Response {
    for name in ["favicon.ico", "favicon.svg"] {
        if let Some(f) = WEB.get_file(name) {
            return file_response(name, f.contents());
        }
    }
    file_response("favicon.svg", FAVICON_SVG.as_bytes())
}
