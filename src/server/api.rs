//! The reach API: `GET|POST /reach`, `/targets`, `/scenarios` and `/search`. Searches run on
//! the blocking pool so the runtime keeps answering while they compute.

use super::error::{ApiError, ApiResult};
use super::ogc::{json_response, with_type};
use super::params::Params;
use super::{Shared, MAX_BODY_BYTES};
use crate::catalog::normalise;
use crate::reach::{self, BandForm, Mode, Origin, ReachRequest};
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::Response;
use serde_json::{json, Map, Value};

/// Budget when neither `minutes` nor `bands` is given.
const DEFAULT_MINUTES: f64 = 20.0;
const REACH_PARAMS: [&str; 15] = [
    "depart",
    "transfer_penalty",
    "window",
    "percentiles",
    "percentile",
    "from",
    "minutes",
    "mode",
    "scenario",
    "bands",
    "band_form",
    "cell",
    "generalize",
    "denoise",
    "polygons",
];

/// A reach query as the client stated it, before the engine checks it against the city.
#[derive(Debug, Default)]
struct ReachInput {
    from: Vec<Origin>,
    minutes: Option<f64>,
    bands: Option<Vec<f64>>,
    mode: Option<String>,
    scenario: Option<String>,
    band_form: Option<String>,
    polygons: Option<bool>,
    cell: Option<f64>,
    generalize: Option<f64>,
    denoise: Option<f64>,
    timing: reach::Timing,
    /// With `"scenario": {"base", "modifications"}`: applied on top of the base.
    modifications: Vec<crate::scenario::Modification>,
}

fn origin(text: &str) -> ApiResult<Origin> {
    Origin::parse(text).map_err(ApiError::from)
}

impl ReachInput {
    fn into_request(self) -> ApiResult<ReachRequest> {
        if self.from.is_empty() {
            return Err(ApiError::param(
                "from",
                "give at least one origin (a place name, a feature or stop id, or lon,lat)",
            ));
        }
        let bands = match (self.bands, self.minutes) {
            (Some(b), m) => {
                let text: Vec<String> = b.iter().map(|x| x.to_string()).collect();
                let b = reach::parse_bands(&text.join(","))?;
                if let Some(m) = m {
                    if b.last().copied() != Some(m) {
                        return Err(ApiError::param(
                            "minutes",
                            "differs from the last band; give one or the other",
                        ));
                    }
                }
                b
            }
            (None, Some(m)) => {
                reach::check_minutes(m, "minutes")?;
                vec![m]
            }
            (None, None) => vec![DEFAULT_MINUTES],
        };
        let mode: Mode = match &self.mode {
            Some(m) => m.parse()?,
            None => Mode::Transit,
        };
        let band_form: BandForm = match &self.band_form {
            Some(b) => b.parse()?,
            None => BandForm::Disjoint,
        };
        Ok(ReachRequest {
            origins: self.from,
            mode,
            bands,
            scenario: self.scenario.unwrap_or_else(|| "existing".into()),
            polygons: self.polygons.unwrap_or(true),
            band_form,
            cell_m: self.cell,
            generalize_m: self.generalize,
            denoise: self.denoise,
            timing: self.timing,
        })
    }
}

fn parse_band_text(s: &str) -> ApiResult<Vec<f64>> {
    Ok(reach::parse_bands(s)?)
}

fn input_from_query(p: &Params) -> ApiResult<ReachInput> {
    p.only(&REACH_PARAMS, |_| false)?;
    let mut from = Vec::new();
    for v in p.all("from") {
        for part in v.split('|') {
            from.push(origin(part)?);
        }
    }
    let mut timing = reach::Timing {
        depart: p.one("depart")?.map(str::to_string),
        ..reach::Timing::default()
    };
    if let Some(w) = p.one("window")? {
        timing.window_min = w.trim().parse().map_err(|_| {
            ApiError::param("window", format!("'{w}' is not a whole number of minutes"))
        })?;
    }
    if let Some(ps) = p.one("percentiles")? {
        timing.percentiles = reach::parse_percentiles(ps)?;
    }
    if let Some(t) = p.one("transfer_penalty")? {
        timing.transfer_penalty_min = Some(reach::parse_transfer_penalty(t)?);
    }
    if let Some(q) = p.one("percentile")? {
        timing.percentile = reach::parse_percentile(q, "percentile")?;
    }
    Ok(ReachInput {
        timing,
        from,
        minutes: p.number("minutes")?,
        bands: p.one("bands")?.map(parse_band_text).transpose()?,
        mode: p.one("mode")?.map(str::to_string),
        scenario: p.one("scenario")?.map(str::to_string),
        band_form: p.one("band_form")?.map(str::to_string),
        polygons: p.boolean("polygons")?,
        cell: p.number("cell")?,
        generalize: p.number("generalize")?,
        denoise: p.number("denoise")?,
        // A query string names a scenario; modifications go in a POST body.
        modifications: Vec::new(),
    })
}

fn input_from_json(v: Value) -> ApiResult<ReachInput> {
    let Value::Object(obj) = v else {
        return Err(ApiError::param("body", "the body must be a JSON object"));
    };
    let mut input = ReachInput::default();
    for (k, v) in obj {
        match k.as_str() {
            "from" => {
                let items = match v {
                    Value::Array(a) if a.len() == 2 && a.iter().all(Value::is_number) => {
                        vec![Value::Array(a)]
                    }
                    Value::Array(a) => a,
                    other => vec![other],
                };
                for it in items {
                    match it {
                        Value::String(s) => {
                            for part in s.split('|') {
                                input.from.push(origin(part)?)
                            }
                        }
                        Value::Array(a) if a.len() == 2 => {
                            let (Some(lon), Some(lat)) = (a[0].as_f64(), a[1].as_f64()) else {
                                return Err(ApiError::param(
                                    "from",
                                    "a coordinate is [lon, lat] with two numbers",
                                ));
                            };
                            input.from.push(origin(&format!("{lon},{lat}"))?);
                        }
                        _ => {
                            return Err(ApiError::param(
                                "from",
                                "each origin is a string (name, id or \"lon,lat\") or [lon, lat]",
                            ))
                        }
                    }
                }
            }
            "minutes" => input.minutes = Some(number(&k, &v)?),
            "cell" => input.cell = Some(number(&k, &v)?),
            "generalize" => input.generalize = Some(number(&k, &v)?),
            "denoise" => input.denoise = Some(number(&k, &v)?),
            "bands" => {
                input.bands = Some(match &v {
                    Value::String(s) => parse_band_text(s)?,
                    Value::Array(a) => a
                        .iter()
                        .map(|x| number("bands", x))
                        .collect::<ApiResult<_>>()?,
                    Value::Number(_) => vec![number("bands", &v)?],
                    _ => {
                        return Err(ApiError::param(
                            "bands",
                            "a list of minutes, e.g. [10, 20, 30]",
                        ))
                    }
                })
            }
            "scenario" if v.is_object() => {
                let (base, mods) = inline_scenario(v)?;
                input.scenario = Some(base);
                input.modifications = mods;
            }
            "mode" | "scenario" | "band_form" => {
                let Value::String(s) = v else {
                    return Err(ApiError::param(k, "must be a string"));
                };
                match k.as_str() {
                    "mode" => input.mode = Some(s),
                    "scenario" => input.scenario = Some(s),
                    _ => input.band_form = Some(s),
                }
            }
            "depart" => {
                let Value::String(s) = v else {
                    return Err(ApiError::param("depart", "a string YYYY-MM-DDTHH:MM"));
                };
                input.timing.depart = Some(s);
            }
            "window" => {
                let w = v.as_u64().ok_or_else(|| {
                    ApiError::param("window", format!("{v} is not a whole number of minutes"))
                })?;
                input.timing.window_min = u32::try_from(w).unwrap_or(u32::MAX);
            }
            "percentiles" => {
                let text = match &v {
                    Value::String(s) => s.clone(),
                    Value::Array(a) => a
                        .iter()
                        .map(|x| match x {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(","),
                    other => other.to_string(),
                };
                input.timing.percentiles = reach::parse_percentiles(&text)?;
            }
            "transfer_penalty" => {
                let text = match &v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                input.timing.transfer_penalty_min = Some(reach::parse_transfer_penalty(&text)?);
            }
            "percentile" => {
                let text = match &v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                input.timing.percentile = reach::parse_percentile(&text, "percentile")?;
            }
            "polygons" => {
                input.polygons = Some(
                    v.as_bool()
                        .ok_or_else(|| ApiError::param("polygons", "must be true or false"))?,
                )
            }
            _ => {
                return Err(ApiError::param(
                    k.clone(),
                    format!("unknown field '{k}' (fields: {})", REACH_PARAMS.join(", ")),
                ))
            }
        }
    }
    Ok(input)
}

/// `{"base": "existing", "modifications": [...]}`: the base id and the modifications, each
/// parsed on its own so a problem names its index.
pub(crate) fn inline_scenario(v: Value) -> ApiResult<(String, Vec<crate::scenario::Modification>)> {
    let Value::Object(o) = v else {
        return Err(ApiError::param(
            "scenario",
            "a scenario id, or {\"base\": id, \"modifications\": [...]}",
        ));
    };
    let mut base = "existing".to_string();
    let mut mods = Vec::new();
    for (k, v) in o {
        match (k.as_str(), v) {
            ("base", Value::String(b)) => base = b,
            ("base", _) => return Err(ApiError::param("scenario.base", "must be a scenario id")),
            ("modifications", Value::Array(a)) => mods = crate::scenario::parse_list(&a)?,
            ("modifications", _) => {
                return Err(ApiError::param(
                    "scenario.modifications",
                    "must be a list of modifications",
                ))
            }
            (other, _) => {
                return Err(ApiError::param(
                    "scenario",
                    format!("unknown field '{other}' (fields: base, modifications)"),
                ))
            }
        }
    }
    Ok((base, mods))
}

fn number(name: &str, v: &Value) -> ApiResult<f64> {
    v.as_f64()
        .filter(|x| x.is_finite())
        .ok_or_else(|| ApiError::param(name.to_string(), format!("{v} is not a number")))
}

/// Waits (bounded) for a computation slot; the permit is held until the computation ends.
pub(crate) async fn compute_slot(st: &Shared) -> ApiResult<tokio::sync::OwnedSemaphorePermit> {
    match tokio::time::timeout(super::COMPUTE_WAIT, st.compute.clone().acquire_owned()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(ApiError::Timeout(
            "the service is busy with other reach queries; retry in a moment".into(),
        )),
    }
}

async fn run_reach(
    st: Shared,
    req: ReachRequest,
    mods: Vec<crate::scenario::Modification>,
) -> ApiResult<Response> {
    let city = st.city.clone();
    let permit = compute_slot(&st).await?;
    let result = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        crate::scenario::reach(&city, &req, &mods)
            .map(|r| serde_json::to_string(&r.to_geojson()).unwrap_or_default())
    })
    .await
    .map_err(|_| ApiError::Internal("the reach computation failed".into()))??;
    Ok(with_type(result, "application/geo+json"))
}

pub async fn reach_get(State(st): State<Shared>, req: Request) -> ApiResult<Response> {
    let p = Params::parse(req.uri().query())?;
    let r = input_from_query(&p)?.into_request()?;
    run_reach(st, r, Vec::new()).await
}

pub async fn reach_post(State(st): State<Shared>, req: Request) -> ApiResult<Response> {
    let v = json_body(req, "POST /reach").await?;
    let mut input = input_from_json(v)?;
    let mods = std::mem::take(&mut input.modifications);
    let r = input.into_request()?;
    run_reach(st, r, mods).await
}

/// The JSON body of a POST: no query string, `application/json`, within the size limit.
pub(crate) async fn json_body(req: Request, what: &str) -> ApiResult<Value> {
    if req.uri().query().is_some_and(|q| !q.is_empty()) {
        return Err(ApiError::param(
            "query",
            format!("{what} takes its parameters in the JSON body"),
        ));
    }
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mime = ct.split(';').next().unwrap_or("").trim().to_string();
    if mime != "application/json" {
        return Err(ApiError::UnsupportedMediaType(format!(
            "the body must be application/json, not '{}'",
            if ct.is_empty() { "(none)" } else { &ct }
        )));
    }
    let bytes = axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            ApiError::PayloadTooLarge(format!("the request body exceeds {MAX_BODY_BYTES} bytes"))
        })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::param("body", format!("malformed JSON: {e}")))
}

pub async fn targets(State(st): State<Shared>, req: Request) -> ApiResult<Response> {
    let p = Params::parse(req.uri().query())?;
    p.only(&["scenario"], |_| false)?;
    let scenarios: Vec<String> = match p.one("scenario")? {
        Some(s) => {
            if st.city.transit.scenario_index(s).is_none() {
                return Err(ApiError::param(
                    "scenario",
                    format!(
                        "unknown scenario '{s}' (known: {})",
                        st.city.scenario_ids().join(", ")
                    ),
                ));
            }
            vec![s.to_string()]
        }
        None => st
            .city
            .scenario_ids()
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    let city = st.city.clone();
    let permit = compute_slot(&st).await?;
    let out = tokio::task::spawn_blocking(move || -> Result<Value, reach::ReachError> {
        let _permit = permit;
        let mut all = Vec::new();
        for s in &scenarios {
            for r in reach::targets::evaluate_all(&city, s)? {
                all.push(serde_json::to_value(&r).unwrap_or(Value::Null));
            }
        }
        Ok(Value::Array(all))
    })
    .await
    .map_err(|_| ApiError::Internal("the target check failed".into()))??;
    Ok(json_response(&out))
}

/// A scenario as `/scenarios` lists it: its description, sources, base and modifications, and
/// the stops, lines (with track length and run time) and transfers they add.
fn scenario_json(
    t: &crate::network::transit::TransitNetwork,
    sc: &crate::network::scenario::Scenario,
) -> Value {
    let links: Vec<Value> = sc
        .links
        .iter()
        .map(|l| {
            let pos: Vec<[f64; 2]> = l
                .stops
                .iter()
                .filter_map(|id| {
                    t.stop_by_id(id)
                        .and_then(|i| t.stops.get(i as usize))
                        .map(|s| s.lonlat)
                })
                .collect();
            let mut v = serde_json::to_value(l).unwrap_or(Value::Null);
            if pos.len() == l.stops.len() && pos.len() >= 2 {
                let km: f64 = l.hop_lengths_m(&pos).iter().sum::<f64>() / 1000.0;
                let run: f64 = l.run_times_s(&pos).last().copied().unwrap_or(0.0) as f64 / 60.0;
                v["track_km"] = json!((km * 10.0).round() / 10.0);
                v["run_minutes"] = json!((run * 10.0).round() / 10.0);
            }
            v
        })
        .collect();
    json!({
        "id": sc.id,
        "name": sc.name,
        "description": sc.description,
        "as_of": sc.as_of,
        "sources": sc.sources,
        "base": sc.base.clone().unwrap_or_else(|| if sc.id == "existing" { String::new() } else { "existing".into() }),
        "modifications": sc.modifications,
        "stops": sc.stops,
        "links": links,
        "transfers": sc.transfers,
    })
}

pub async fn scenarios(State(st): State<Shared>, req: Request) -> ApiResult<Response> {
    let p = Params::parse(req.uri().query())?;
    p.only(&[], |_| false)?;
    let t = &st.city.transit;
    let list: Vec<Value> = t.scenarios.iter().map(|sc| scenario_json(t, sc)).collect();
    Ok(json_response(&Value::Array(list)))
}

/// `GET /scenarios/{id}`: one named scenario, with its modifications.
pub async fn scenario(
    State(st): State<Shared>,
    axum::extract::Path(id): axum::extract::Path<String>,
    req: Request,
) -> ApiResult<Response> {
    let p = Params::parse(req.uri().query())?;
    p.only(&[], |_| false)?;
    let t = &st.city.transit;
    let Some(i) = t.scenario_index(&id) else {
        return Err(ApiError::NotFound(format!(
            "no scenario '{id}' (known: {})",
            st.city.scenario_ids().join(", ")
        )));
    };
    Ok(json_response(&scenario_json(t, &t.scenarios[i])))
}

/// Maximum and default number of search hits.
const SEARCH_MAX: usize = 100;
const SEARCH_DEFAULT: usize = 10;

pub async fn search(State(st): State<Shared>, req: Request) -> ApiResult<Response> {
    let p = Params::parse(req.uri().query())?;
    p.only(&["q", "limit"], |_| false)?;
    let q = p.one("q")?.map(str::trim).unwrap_or("");
    if q.is_empty() {
        return Err(ApiError::param("q", "give a name to search for"));
    }
    if q.chars().count() > 200 {
        return Err(ApiError::param("q", "longer than 200 characters"));
    }
    let limit = p.limit(SEARCH_DEFAULT, SEARCH_MAX)?;
    let found = st.city.catalog.search(q, limit);
    let mut hits: Vec<(f64, Value)> = Vec::new();
    for h in &found.hits {
        let f = &st.city.catalog.features()[h.feature];
        hits.push((
            h.score,
            json!({
                "type": "feature",
                "id": f.id,
                "name_zh": f.name_zh,
                "name_en": f.name_en,
                "kind": f.kind,
                "subkind": f.subkind,
                "status": f.status,
                "lon": f.anchor[0],
                "lat": f.anchor[1],
                "score": h.score,
                "matched": h.matched,
            }),
        ));
    }
    // Stations match by folded name: exact, prefix, then substring.
    let key = normalise(q);
    if !key.is_empty() {
        for (layer_id, kind) in [
            ("metro_stations", "metro_station"),
            ("rail_stations", "rail_station"),
            ("planned_additions", "planned_station"),
        ] {
            let Some(l) = st.layers.get(layer_id) else {
                continue;
            };
            for f in &l.features {
                if f.props.get("element").is_some_and(|e| e != "stop") {
                    continue;
                }
                let score = f
                    .names
                    .iter()
                    .map(|n| {
                        if *n == key {
                            1.0
                        } else if n.starts_with(&key) {
                            0.85
                        } else if n.contains(&key) {
                            0.65
                        } else {
                            0.0
                        }
                    })
                    .fold(0.0, f64::max);
                if score == 0.0 {
                    continue;
                }
                let prop = |k: &str| f.props.get(k).cloned().unwrap_or(Value::Null);
                hits.push((
                    score,
                    json!({
                        "type": "stop",
                        "id": prop("ref").as_str().map(str::to_string).unwrap_or_else(|| f.id.clone()),
                        "name_zh": prop("name_zh"),
                        "name_en": prop("name_en"),
                        "kind": kind,
                        "lines": prop("lines"),
                        "scenario": prop("scenario"),
                        "lon": f.bbox[0],
                        "lat": f.bbox[1],
                        "score": score,
                        "matched": prop("name_zh"),
                    }),
                ));
            }
        }
    }
    // Best first; catalog hits before stations of equal score; one entry per id and kind.
    hits.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut seen = std::collections::HashSet::new();
    let hits: Vec<Value> = hits
        .into_iter()
        .map(|(_, v)| v)
        .filter(|v| seen.insert((v["id"].to_string(), v["kind"].to_string())))
        .take(limit)
        .collect();
    let mut body = Map::new();
    body.insert("query".into(), json!(q));
    body.insert("count".into(), json!(hits.len()));
    body.insert("hits".into(), Value::Array(hits));
    body.insert("suggestions".into(), json!(found.suggestions));
    Ok(json_response(&Value::Object(body)))
}
