//! The HTTP service: OGC API Features (Part 1 core, GeoJSON, OpenAPI 3.0; Part 3 queryables
//! and CQL2-text filters), the reach API (`/reach`, `/targets`, `/scenarios`, `/search`) and
//! the web map at `/map/`. Formatting only: every answer comes from the catalog, the network
//! and the reach engine.

mod access;
mod api;
pub mod cql2;
pub mod error;
pub mod layers;
mod ogc;
mod openapi;
pub mod params;
mod web;

use crate::city::City;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use error::ApiError;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// Longest time a request may take before it is answered 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// What every handler shares: the city and what is derived from it once at start-up.
pub struct AppState {
    pub city: Arc<City>,
    pub layers: layers::Layers,
    pub title: String,
    openapi: String,
    /// Reach and target computations allowed at once (two per core). Waiting for a permit is
    /// bounded, so an overloaded service answers 503 quickly instead of queueing work that
    /// keeps burning CPU after its client has given up.
    pub compute: Arc<tokio::sync::Semaphore>,
    /// City-wide accessibility jobs (`/access`).
    pub jobs: access::Jobs,
}

/// How long a request waits for a computation slot before it is answered 503.
pub const COMPUTE_WAIT: Duration = Duration::from_secs(3);

pub type Shared = Arc<AppState>;

/// A short name of the city for titles and the start-up line.
pub fn city_name(city: &City) -> String {
    city.profile.name.clone()
}

/// The service's router: every endpoint with its limits (body size, time, CORS, gzip, logs,
/// JSON errors, panics answered as JSON 500).
pub fn router(city: Arc<City>) -> Router {
    let layers = layers::Layers::build(&city);
    let title = format!("cityreach: {}", city_name(&city));
    let openapi = openapi::document(&title, &layers).to_string();
    let slots = std::thread::available_parallelism().map_or(2, |n| n.get()) * 2;
    let state: Shared = Arc::new(AppState {
        city,
        layers,
        title,
        openapi,
        compute: Arc::new(tokio::sync::Semaphore::new(slots)),
        jobs: access::Jobs::default(),
    });
    Router::new()
        .route("/", get(ogc::landing))
        .route("/conformance", get(ogc::conformance))
        .route("/api", get(api_document))
        .route("/collections", get(ogc::collections))
        .route("/collections/{id}", get(ogc::collection))
        .route("/collections/{id}/items", get(ogc::items))
        .route("/collections/{id}/items/{fid}", get(ogc::item))
        .route("/collections/{id}/queryables", get(ogc::queryables))
        .route("/reach", get(api::reach_get).post(api::reach_post))
        .route("/targets", get(api::targets))
        .route("/scenarios", get(api::scenarios))
        .route("/scenarios/{id}", get(api::scenario))
        .route("/search", get(api::search))
        .route("/access", get(access::list).post(access::start))
        .route("/access/{id}", get(access::status).delete(access::cancel))
        .route("/access/{id}/result", get(access::result))
        .route("/matrix", axum::routing::post(access::matrix))
        .route("/map", get(web::map_redirect))
        .route("/map/", get(web::map_index))
        .route("/map/{*path}", get(web::map_file))
        .route("/favicon.ico", get(web::favicon))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                ApiError::Internal("the request failed inside the service".into()).into_response()
            },
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(middleware::from_fn(json_errors))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([
                    Method::GET,
                    Method::POST,
                    Method::DELETE,
                    Method::HEAD,
                    Method::OPTIONS,
                ])
                .allow_headers(Any),
        )
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

async fn api_document(
    axum::extract::State(st): axum::extract::State<Shared>,
    req: Request,
) -> Response {
    if let Err(e) =
        params::Params::parse(req.uri().query()).and_then(|p| p.only(&["f"], |_| false).map(|_| p))
    {
        return e.into_response();
    }
    let mut res = st.openapi.clone().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.oai.openapi+json;version=3.0"),
    );
    res
}

async fn not_found(req: Request) -> ApiError {
    ApiError::NotFound(format!("no resource at {}", req.uri().path()))
}

async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::MethodNotAllowed(format!(
        "method {} is not allowed on {}",
        req.method(),
        req.uri().path()
    ))
}

/// Error answers from the layers (timeout, body limit) and the router carry no JSON body;
/// give every 4xx / 5xx without one the OGC exception shape.
async fn json_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return res;
    }
    let e = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge(format!("the request body exceeds {MAX_BODY_BYTES} bytes"))
        }
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => {
            ApiError::Timeout(format!(
                "the request took longer than {} s",
                REQUEST_TIMEOUT.as_secs()
            ))
        }
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed("method not allowed".into()),
        StatusCode::NOT_FOUND => ApiError::NotFound("not found".into()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::UnsupportedMediaType("unsupported media type".into())
        }
        s if s.is_client_error() => {
            ApiError::param("request", s.canonical_reason().unwrap_or("bad request"))
        }
        _ => ApiError::Internal("the request failed inside the service".into()),
    };
    let mut out = e.into_response();
    *out.status_mut() = status;
    out
}

/// The base URL clients reached the service under (for absolute links).
pub(crate) fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]_".contains(c))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// Waits for Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

/// How long a client may take to send a request's headers before the connection is closed.
/// Without it, half-sent requests would hold connections open for ever.
pub const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long open connections get to finish after a shutdown signal.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves a city on a bound listener until Ctrl-C / SIGTERM.
///
/// Connections are served by hyper directly (rather than `axum::serve`) so that a header-read
/// timeout applies to every connection.
pub async fn serve(listener: tokio::net::TcpListener, city: Arc<City>) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::server::graceful::GracefulShutdown;

    let app = router(city);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown_signal());
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let app = app.clone();
        let service =
            hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                tower::ServiceExt::oneshot(app.clone(), req.map(axum::body::Body::new))
            });
        let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
        let conn = graceful.watch(conn.into_owned());
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection closed with an error");
            }
        });
    }
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("connections still open after the grace period; closing");
        }
    }
    Ok(())
}

/// An RFC 3339 UTC timestamp of now (for `timeStamp`).
pub(crate) fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
