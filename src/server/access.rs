//! `/access` (city-wide accessibility as a job: start, watch progress, download, cancel) and
//! `/matrix` (travel times, answered at once). Parsing and formatting only; the work is
//! [`crate::access`].

use super::api::{compute_slot, json_body};
use super::error::{ApiError, ApiResult};
use super::ogc::{json_response, with_type};
use super::params::Params;
use super::{base_url, Shared};
use crate::access::output::{self, Format};
use crate::access::query::{AccessQuery, PointSpec};
use crate::access::{self, AccessError, AccessResult, OriginPoint, Progress};
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Jobs computing at once; further requests are answered 503 until one ends.
pub const MAX_RUNNING_JOBS: usize = 2;
/// Jobs kept (running or finished); the oldest finished one makes room for a new one.
pub const MAX_KEPT_JOBS: usize = 16;
/// Largest matrix answered over HTTP (origins × destinations).
pub const MAX_HTTP_MATRIX_PAIRS: usize = 250_000;

impl From<AccessError> for ApiError {
    fn from(e: AccessError) -> ApiError {
        match e {
            AccessError::Reach(r) => r.into(),
            AccessError::Invalid { parameter, message } => ApiError::param(parameter, message),
            other => ApiError::param(other.parameter().unwrap_or("body"), other.to_string()),
        }
    }
}

enum JobState {
    Running,
    /// The result and its summaries (per district, overall, histogram), computed once.
    Done(Arc<AccessResult>, Value),
    Failed(String),
    Cancelled,
}

struct Job {
    id: String,
    started: Instant,
    finished: Mutex<Option<f64>>,
    progress: Arc<Progress>,
    state: Mutex<JobState>,
    has_grid: bool,
}

/// The jobs of a running service.
#[derive(Default)]
pub struct Jobs {
    inner: Mutex<(u64, BTreeMap<u64, Arc<Job>>)>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A job thread that panicked leaves its data usable: every write is a whole value.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Job {
    fn running(&self) -> bool {
        matches!(*lock(&self.state), JobState::Running)
    }

    fn status_json(&self, base: &str) -> Value {
        let done = self.progress.done.load(Ordering::Relaxed);
        let total = self.progress.total.load(Ordering::Relaxed);
        let url = format!("{base}/access/{}", self.id);
        let mut v = json!({
            "id": self.id,
            "progress": { "done": done, "total": total },
            "elapsed_s": lock(&self.finished).unwrap_or_else(|| self.started.elapsed().as_secs_f64()),
            "links": [{ "href": url, "rel": "self", "type": "application/json" }],
        });
        match &*lock(&self.state) {
            JobState::Running => v["status"] = json!("running"),
            JobState::Cancelled => v["status"] = json!("cancelled"),
            JobState::Failed(e) => {
                v["status"] = json!("failed");
                v["error"] = json!(e);
            }
            JobState::Done(r, summary) => {
                v["status"] = json!("done");
                v["metadata"] = json!(r.metadata);
                v["measures"] = json!(r.measures);
                if let (Some(out), Some(sum)) = (v.as_object_mut(), summary.as_object()) {
                    out.extend(sum.clone());
                }
                let mut formats = vec![
                    ("csv", "text/csv"),
                    ("geojson", "application/geo+json"),
                    ("parquet", "application/vnd.apache.parquet"),
                ];
                if self.has_grid {
                    formats.push(("tiff", "image/tiff; application=geotiff"));
                    formats.push(("grid", "application/json"));
                }
                for (f, ty) in formats {
                    if let Some(l) = v["links"].as_array_mut() {
                        l.push(json!({
                            "href": format!("{url}/result?f={f}"),
                            "rel": "enclosure",
                            "type": ty,
                            "title": format!("The result as {f}"),
                        }));
                    }
                }
            }
        }
        v
    }
}

/// A body whose `scenario` is `{"base", "modifications"}`: the scenario compiled (through the
/// city's cache) and the body with `scenario` set to its id, so the rest reads it as a name.
fn inline_scenario(
    st: &Shared,
    mut body: Value,
) -> ApiResult<(Value, Option<Arc<crate::scenario::Compiled>>)> {
    let Some(v) = body.get_mut("scenario").filter(|v| v.is_object()) else {
        return Ok((body, None));
    };
    let (base, mods) = super::api::inline_scenario(v.take())?;
    let compiled = crate::scenario::compile_for(&st.scenarios, &st.city, &base, &mods)?;
    *v = json!(compiled.as_ref().map_or(base, |c| c.id.clone()));
    Ok((body, compiled))
}

fn query_from(v: Value) -> ApiResult<AccessQuery> {
    serde_json::from_value(v).map_err(|e| ApiError::param("body", e.to_string()))
}

fn districts(st: &Shared) -> Option<Vec<crate::catalog::District>> {
    crate::catalog::districts::load_districts(&st.city.source, &crate::catalog::CityBounds::WORLD)
        .ok()
        .flatten()
}

/// What a finished job reports besides its values: per-district means, the overall (and
/// population-weighted) means, and the histogram of gains.
fn summary(
    city: &crate::city::City,
    r: &AccessResult,
    districts: Option<&[crate::catalog::District]>,
) -> Value {
    let mut v = json!({});
    let ds = districts.unwrap_or(&[]);
    let of = output::origin_districts(r, ds);
    let population = crate::catalog::population::Population::load(
        &city.source,
        &crate::catalog::CityBounds::WORLD,
    )
    .ok()
    .flatten();
    if !ds.is_empty() {
        let sums: Vec<_> = output::district_summaries(r, ds, &of)
            .into_iter()
            .filter(|d| d.origins > 0)
            .collect();
        v["districts"] = json!(sums);
    }
    v["overall"] = json!(output::overall(r, ds, &of, population.as_ref()));
    if r.metadata.compare.is_some() && !r.metadata.cutoffs.is_empty() {
        let per = r.metadata.cutoffs.len() + r.metadata.nearest.len();
        let m = 2 * per + r.metadata.cutoffs.len() - 1;
        v["histogram"] = json!(output::histogram(r, m, 8));
    }
    v
}

/// `POST /access`: checks the query at once (400 naming the field), then starts the job and
/// answers 202 with its address.
pub async fn start(State(st): State<Shared>, req: Request) -> ApiResult<Response> {
    let base = base_url(req.headers());
    let (body, compiled) = inline_scenario(&st, json_body(req, "POST /access").await?)?;
    let query = query_from(body)?;
    let ds = districts(&st);
    let on: &crate::city::City = compiled.as_deref().map_or(&st.city, |c| &c.city);
    let prepared = query.prepare(on, ds.as_deref())?;
    let has_grid = prepared.grid.is_some();
    let job = {
        let mut g = lock(&st.jobs.inner);
        let running = g.1.values().filter(|j| j.running()).count();
        if running >= MAX_RUNNING_JOBS {
            return Err(ApiError::Timeout(format!(
                "{running} accessibility jobs are running (at most {MAX_RUNNING_JOBS}); retry when one ends"
            )));
        }
        while g.1.len() >= MAX_KEPT_JOBS {
            let Some(oldest) = g.1.iter().find(|(_, j)| !j.running()).map(|(k, _)| *k) else {
                return Err(ApiError::Timeout("every kept job is still running".into()));
            };
            g.1.remove(&oldest);
        }
        g.0 += 1;
        let n = g.0;
        let job = Arc::new(Job {
            id: format!("{n}"),
            started: Instant::now(),
            finished: Mutex::new(None),
            progress: Arc::new(Progress::default()),
            state: Mutex::new(JobState::Running),
            has_grid,
        });
        g.1.insert(n, job.clone());
        job
    };
    let city = st.city.clone();
    let worker = job.clone();
    std::thread::spawn(move || {
        let city: &crate::city::City = compiled.as_deref().map_or(&city, |c| &c.city);
        let r = access::run(
            city,
            &prepared.request,
            prepared.origins,
            prepared.grid,
            &prepared.opportunities,
            &worker.progress,
        );
        *lock(&worker.finished) = Some(worker.started.elapsed().as_secs_f64());
        *lock(&worker.state) = match r {
            Ok(r) => {
                let s = summary(city, &r, ds.as_deref());
                JobState::Done(Arc::new(r), s)
            }
            Err(AccessError::Cancelled { .. }) => JobState::Cancelled,
            Err(e) => JobState::Failed(e.to_string()),
        };
    });
    let mut res = json_response(&job.status_json(&base));
    *res.status_mut() = StatusCode::ACCEPTED;
    if let Ok(loc) = HeaderValue::from_str(&format!("/access/{}", job.id)) {
        res.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(res)
}

fn find(st: &Shared, id: &str) -> ApiResult<Arc<Job>> {
    let g = lock(&st.jobs.inner);
    id.parse::<u64>()
        .ok()
        .and_then(|n| g.1.get(&n).cloned())
        .ok_or_else(|| ApiError::NotFound(format!("no accessibility job '{id}'")))
}

/// `GET /access`: every kept job's status.
pub async fn list(State(st): State<Shared>, req: Request) -> ApiResult<Response> {
    Params::parse(req.uri().query())?.only(&[], |_| false)?;
    let base = base_url(req.headers());
    let jobs: Vec<Arc<Job>> = lock(&st.jobs.inner).1.values().cloned().collect();
    let v: Vec<Value> = jobs.iter().map(|j| j.status_json(&base)).collect();
    Ok(json_response(&json!({ "jobs": v })))
}

/// `GET /access/{id}`: status and progress; when done, the summaries and download links.
pub async fn status(
    State(st): State<Shared>,
    Path(id): Path<String>,
    req: Request,
) -> ApiResult<Response> {
    Params::parse(req.uri().query())?.only(&[], |_| false)?;
    let job = find(&st, &id)?;
    Ok(json_response(&job.status_json(&base_url(req.headers()))))
}

/// `DELETE /access/{id}`: cancels a running job and forgets it.
pub async fn cancel(State(st): State<Shared>, Path(id): Path<String>) -> ApiResult<Response> {
    let job = find(&st, &id)?;
    job.progress.cancel();
    if let Ok(n) = id.parse::<u64>() {
        lock(&st.jobs.inner).1.remove(&n);
    }
    Ok(json_response(
        &json!({ "id": id, "status": if job.running() { "cancelling" } else { "removed" } }),
    ))
}

/// `GET /access/{id}/result?f=csv|geojson|tiff|grid` (`grid`: the compact JSON grid a map draws).
pub async fn result(
    State(st): State<Shared>,
    Path(id): Path<String>,
    req: Request,
) -> ApiResult<Response> {
    let p = Params::parse(req.uri().query())?;
    p.only(&["f"], |_| false)?;
    let f = p.one("f")?.unwrap_or("csv");
    let format = if f == "grid" {
        None
    } else {
        Some(Format::parse(f).ok_or_else(|| {
            ApiError::param(
                "f",
                format!("'{f}' is not csv, geojson, parquet, tiff or grid"),
            )
        })?)
    };
    let job = find(&st, &id)?;
    let r = match &*lock(&job.state) {
        JobState::Done(r, _) => r.clone(),
        JobState::Running => {
            return Err(ApiError::param(
                "id",
                format!("job {id} is still running; its status is at /access/{id}"),
            ))
        }
        JobState::Failed(e) => return Err(ApiError::param("id", format!("job {id} failed: {e}"))),
        JobState::Cancelled => {
            return Err(ApiError::param("id", format!("job {id} was cancelled")))
        }
    };
    let Some(format) = format else {
        return output::grid_json(&r)
            .map(|v| json_response(&v))
            .ok_or_else(|| {
                ApiError::param(
                    "f",
                    "a grid needs grid origins; this job's origins are points (csv, geojson or parquet)",
                )
            });
    };
    if format == Format::GeoTiff && r.grid.is_none() {
        return Err(ApiError::param(
            "f",
            "a GeoTIFF needs grid origins; this job's origins are points (csv, geojson or parquet)",
        ));
    }
    let bytes = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        output::write(&mut out, &r, format).map(|_| out)
    })
    .await
    .map_err(|_| ApiError::Internal("writing the result failed".into()))?
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut res = bytes.into_response();
    if let Ok(ct) = HeaderValue::from_str(format.content_type()) {
        res.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    let ext = match format {
        Format::Csv => "csv",
        Format::GeoJson => "geojson",
        Format::GeoTiff => "tif",
        Format::Parquet => "parquet",
    };
    if let Ok(cd) = HeaderValue::from_str(&format!("attachment; filename=\"access-{id}.{ext}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, cd);
    }
    Ok(res)
}

/// A matrix endpoint: a place name, id or stop; `[lon, lat]`; or `{"id", "lon", "lat"}`.
#[derive(Debug, serde::Deserialize)]
#[serde(untagged)]
enum Endpoint {
    Name(String),
    Point(PointSpec),
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MatrixQuery {
    from: Vec<Endpoint>,
    to: Vec<Endpoint>,
    #[serde(default = "transit")]
    mode: String,
    #[serde(default = "existing")]
    scenario: String,
    #[serde(default = "two_hours")]
    max_minutes: f64,
    /// json (default), csv or parquet (GeoParquet: a row per origin); also named `format`.
    #[serde(default, alias = "format")]
    f: Option<String>,
    /// Departure, window and percentile on the feeds' timetable, as in `/reach`.
    #[serde(default)]
    depart: Option<String>,
    #[serde(default)]
    window: Option<Value>,
    #[serde(default)]
    percentile: Option<Value>,
}

fn transit() -> String {
    "transit".into()
}
fn existing() -> String {
    "existing".into()
}
fn two_hours() -> f64 {
    120.0
}

fn endpoints(st: &Shared, items: &[Endpoint], field: &'static str) -> ApiResult<Vec<OriginPoint>> {
    let mut out = Vec::with_capacity(items.len());
    for (i, e) in items.iter().enumerate() {
        match e {
            Endpoint::Name(s) => out.extend(access::matrix::resolve_points(
                &st.city,
                std::slice::from_ref(s),
                field,
            )?),
            Endpoint::Point(p) => {
                let (id, lon, lat) = match p {
                    PointSpec::Pair([lon, lat]) => (format!("{}", i + 1), *lon, *lat),
                    PointSpec::Object { id, lon, lat, .. } => (
                        id.clone().unwrap_or_else(|| format!("{}", i + 1)),
                        *lon,
                        *lat,
                    ),
                };
                if !(lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0)
                {
                    return Err(ApiError::param(
                        field,
                        format!("item {i}: ({lon}, {lat}) is not lon,lat in degrees"),
                    ));
                }
                out.push(OriginPoint {
                    id,
                    lonlat: [lon, lat],
                    cell: None,
                });
            }
        }
    }
    Ok(out)
}

/// `POST /matrix`: minutes from every `from` to every `to`.
pub async fn matrix(State(st): State<Shared>, req: Request) -> ApiResult<Response> {
    let (body, compiled) = inline_scenario(&st, json_body(req, "POST /matrix").await?)?;
    let q: MatrixQuery =
        serde_json::from_value(body).map_err(|e| ApiError::param("body", e.to_string()))?;
    let mode: crate::reach::Mode = q.mode.parse()?;
    let (csv, parquet) = match q.f.as_deref() {
        None | Some("json") => (false, false),
        Some("csv") => (true, false),
        Some("parquet") => (false, true),
        Some(other) => {
            return Err(ApiError::param(
                "f",
                format!("'{other}' is not json, csv or parquet"),
            ))
        }
    };
    let pairs = q.from.len().saturating_mul(q.to.len());
    if pairs > MAX_HTTP_MATRIX_PAIRS {
        return Err(ApiError::param(
            "to",
            format!(
                "{} × {} = {pairs} pairs; at most {MAX_HTTP_MATRIX_PAIRS} over HTTP (the CLI's matrix takes more)",
                q.from.len(),
                q.to.len()
            ),
        ));
    }
    let timing = AccessQuery {
        depart: q.depart.clone(),
        window: q.window.clone(),
        percentile: q.percentile.clone(),
        ..AccessQuery::default()
    }
    .timing()?;
    let origins = endpoints(&st, &q.from, "from")?;
    let dests = endpoints(&st, &q.to, "to")?;
    let city = st.city.clone();
    let permit = compute_slot(&st).await?;
    let echo = compiled.as_ref().map(|c| c.metadata());
    let m = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let city: &crate::city::City = compiled.as_deref().map_or(&city, |c| &c.city);
        access::matrix::compute_timed(
            city,
            origins,
            dests,
            mode,
            &q.scenario,
            q.max_minutes,
            &timing,
        )
    })
    .await
    .map_err(|_| ApiError::Internal("the matrix computation failed".into()))??;
    if parquet {
        let mut res = m.to_geoparquet().into_response();
        res.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/vnd.apache.parquet"),
        );
        return Ok(res);
    }
    if csv {
        let mut out = Vec::new();
        m.write_csv(&mut out)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        return Ok(with_type(
            String::from_utf8_lossy(&out).into_owned(),
            "text/csv",
        ));
    }
    let mut v = m.to_json();
    if let Some(e) = echo {
        v["metadata"]["base"] = json!(e.base);
        v["metadata"]["hash"] = json!(e.hash);
        v["metadata"]["modifications"] = e.modifications.unwrap_or(Value::Null);
    }
    Ok(json_response(&v))
}
