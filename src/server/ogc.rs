//! OGC API – Features: landing page, conformance, collections, items (bbox, limit, offset,
//! property filters, `q`, CQL2-text `filter`), single features and queryables; answers in any
//! CRS of [`Crs::ALL`] (Part 2: `crs`, `bbox-crs`, `Content-Crs`).

use super::error::{ApiError, ApiResult};
use super::layers::{Layer, PropType};
use super::params::{check_lonlat_bbox, parse_bbox_numbers};
use super::params::{parse_number, Params, DEFAULT_LIMIT, MAX_LIMIT};
use super::{base_url, cql2, now_rfc3339, Shared};
use crate::crs::Crs;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{json, Value};

pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
const GEOJSON: &str = "application/geo+json";
const JSON: &str = "application/json";

pub const CONFORMANCE: [&str; 10] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
];

/// Parameters `/items` understands besides the layer's queryables.
const ITEM_PARAMS: [&str; 11] = [
    "bbox",
    "crs",
    "bbox-crs",
    "limit",
    "offset",
    "f",
    "q",
    "filter",
    "filter-lang",
    "filter-crs",
    "datetime",
];

pub(crate) fn with_type(body: String, content_type: &'static str) -> Response {
    let mut res = body.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

pub(crate) fn json_response(v: &Value) -> Response {
    with_type(v.to_string(), JSON)
}

/// `f` may be json (or geojson where features are returned); other values are refused.
fn check_f(p: &Params, allowed: &[&str]) -> ApiResult<()> {
    match p.one("f")? {
        None => Ok(()),
        Some(f) if allowed.contains(&f) => Ok(()),
        Some(f) => Err(ApiError::param(
            "f",
            format!(
                "unsupported format '{f}' (supported: {})",
                allowed.join(", ")
            ),
        )),
    }
}

fn simple_params(req: &Request) -> ApiResult<Params> {
    let p = Params::parse(req.uri().query())?;
    p.only(&["f"], |_| false)?;
    check_f(&p, &["json"])?;
    Ok(p)
}

fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.contains("text/html")
}

pub async fn landing(State(st): State<Shared>, req: Request) -> Response {
    let p = match Params::parse(req.uri().query()) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    if let Err(e) = p.only(&["f"], |_| false) {
        return e.into_response();
    }
    let f = match p.one("f") {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    match f {
        Some("html") => return Redirect::to("/map/").into_response(),
        Some("json") => {}
        Some(other) => {
            return ApiError::param(
                "f",
                format!("unsupported format '{other}' (supported: json, html)"),
            )
            .into_response()
        }
        None if wants_html(req.headers()) => return Redirect::to("/map/").into_response(),
        None => {}
    }
    let base = base_url(req.headers());
    json_response(&json!({
        "title": st.title,
        "transit": transit_summary(&st.city.transit),
        "description": "Planning features (commercial, cultural, transport hubs, free-trade zones), districts, the transit network and its planned additions as OGC API Features; reach queries over the network at /reach.",
        "links": [
            { "href": format!("{base}/"), "rel": "self", "type": JSON, "title": "This document" },
            { "href": format!("{base}/api"), "rel": "service-desc", "type": "application/vnd.oai.openapi+json;version=3.0", "title": "The API definition (OpenAPI 3.0)" },
            { "href": format!("{base}/map/"), "rel": "service-doc", "type": "text/html", "title": "The web map" },
            { "href": format!("{base}/conformance"), "rel": "conformance", "type": JSON, "title": "Conformance classes" },
            { "href": format!("{base}/collections"), "rel": "data", "type": JSON, "title": "Collections" },
            { "href": format!("{base}/reach"), "rel": "related", "type": GEOJSON, "title": "Reach queries (GET or POST)" },
            { "href": format!("{base}/scenarios"), "rel": "related", "type": JSON, "title": "Network scenarios" },
            { "href": format!("{base}/targets"), "rel": "related", "type": JSON, "title": "Plan target checks" },
            { "href": format!("{base}/search"), "rel": "related", "type": JSON, "title": "Name search" },
        ]
    }))
}

/// What a client needs to offer departure times: whether reach answers on the timetable by
/// default, the feeds' calendar and the departure used when none is given.
fn transit_summary(net: &crate::network::transit::TransitNetwork) -> Value {
    use crate::network::timetable::{calendar_range, show_date};
    let calendar = calendar_range(&net.feeds)
        .map(|(a, b)| json!({ "first": show_date(a), "last": show_date(b) }));
    json!({
        "timetabled": crate::reach::timetabled(net),
        "calendar": calendar,
        "default_depart": crate::reach::default_departure(net),
    })
}

pub async fn conformance(req: Request) -> ApiResult<Response> {
    simple_params(&req)?;
    Ok(json_response(&json!({ "conformsTo": CONFORMANCE })))
}

fn collection_json(l: &Layer, base: &str) -> Value {
    let url = format!("{base}/collections/{}", l.id);
    let mut v = json!({
        "id": l.id,
        "title": l.title,
        "description": l.description,
        "itemType": "feature",
        "crs": Crs::ALL.iter().map(|c| c.uri()).collect::<Vec<_>>(),
        "storageCrs": CRS84,
        "links": [
            { "href": url, "rel": "self", "type": JSON, "title": "This collection" },
            { "href": format!("{url}/items"), "rel": "items", "type": GEOJSON, "title": "Features" },
            { "href": format!("{url}/queryables"), "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables", "type": "application/schema+json", "title": "Queryables" },
        ],
    });
    if let Some(e) = l.extent {
        v["extent"] = json!({ "spatial": { "bbox": [e], "crs": CRS84 } });
    }
    v
}

pub async fn collections(State(st): State<Shared>, req: Request) -> ApiResult<Response> {
    simple_params(&req)?;
    let base = base_url(req.headers());
    let cols: Vec<Value> = st
        .layers
        .layers
        .iter()
        .map(|l| collection_json(l, &base))
        .collect();
    Ok(json_response(&json!({
        "links": [
            { "href": format!("{base}/collections"), "rel": "self", "type": JSON, "title": "Collections" },
        ],
        "collections": cols,
    })))
}

fn layer<'a>(st: &'a Shared, id: &str) -> ApiResult<&'a Layer> {
    st.layers.get(id).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no collection '{id}' (collections: {})",
            st.layers.ids().join(", ")
        ))
    })
}

pub async fn collection(
    State(st): State<Shared>,
    Path(id): Path<String>,
    req: Request,
) -> ApiResult<Response> {
    let l = layer(&st, &id)?;
    simple_params(&req)?;
    Ok(json_response(&collection_json(l, &base_url(req.headers()))))
}

pub async fn queryables(
    State(st): State<Shared>,
    Path(id): Path<String>,
    req: Request,
) -> ApiResult<Response> {
    let l = layer(&st, &id)?;
    simple_params(&req)?;
    let base = base_url(req.headers());
    let mut props = serde_json::Map::new();
    for q in &l.queryables {
        let mut s = json!({ "type": q.ty.as_str(), "title": q.name });
        if let Some(v) = &q.values {
            s["enum"] = json!(v);
        }
        props.insert(q.name.clone(), s);
    }
    let body = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{base}/collections/{}/queryables", l.id),
        "type": "object",
        "title": l.title,
        "properties": props,
        "additionalProperties": false,
    });
    Ok(with_type(body.to_string(), "application/schema+json"))
}

/// The conditions of an items request, checked against the layer.
struct ItemFilter {
    /// The CRS of the answer.
    crs: Crs,
    /// In CRS84, whatever `bbox-crs` it was given in.
    bbox: Option<[f64; 4]>,
    props: Vec<(String, PropValue)>,
    q: Vec<String>,
    filter: Option<cql2::Expr>,
}

enum PropValue {
    Text(String),
    Num(f64),
    Bool(bool),
}

impl ItemFilter {
    fn parse(l: &Layer, p: &Params) -> ApiResult<ItemFilter> {
        p.only_with(
            &ITEM_PARAMS,
            |k| l.queryable(k).is_some(),
            &format!(", or a queryable of '{}' (see its /queryables)", l.id),
        )?;
        check_f(p, &["json", "geojson"])?;
        let crs = crs_param(p, "crs")?;
        let bbox_crs = crs_param(p, "bbox-crs")?;
        if let Some(c) = p.one("filter-crs")? {
            if c != CRS84 {
                return Err(ApiError::param(
                    "filter-crs",
                    format!("only {CRS84} is supported"),
                ));
            }
        }
        // The collections carry no time: `datetime` is accepted and matches every feature.
        p.one("datetime")?;
        let bbox = match p.one("bbox")? {
            None => None,
            Some(v) => {
                let b = parse_bbox_numbers(v)?;
                let b = bbox_crs
                    .bbox_to_lonlat(b)
                    .map_err(|e| ApiError::param("bbox", e.to_string()))?;
                Some(check_lonlat_bbox(b)?)
            }
        };
        let mut props = Vec::new();
        for q in &l.queryables {
            let Some(v) = p.one(&q.name)? else { continue };
            let pv = match q.ty {
                PropType::String => {
                    if let Some(values) = &q.values {
                        if !values.iter().any(|x| x == v) {
                            return Err(ApiError::param(
                                q.name.clone(),
                                format!("'{v}' is not one of {}", values.join(", ")),
                            ));
                        }
                    }
                    PropValue::Text(v.to_string())
                }
                PropType::Number | PropType::Integer => PropValue::Num(parse_number(&q.name, v)?),
                PropType::Boolean => match v {
                    "true" => PropValue::Bool(true),
                    "false" => PropValue::Bool(false),
                    _ => {
                        return Err(ApiError::param(
                            q.name.clone(),
                            format!("'{v}' is not true or false"),
                        ))
                    }
                },
            };
            props.push((q.name.clone(), pv));
        }
        let q = match p.one("q")? {
            None => Vec::new(),
            Some(text) => {
                let terms: Vec<String> = text
                    .split(',')
                    .map(crate::catalog::normalise)
                    .filter(|t| !t.is_empty())
                    .collect();
                if terms.is_empty() {
                    return Err(ApiError::param("q", "give at least one search term"));
                }
                terms
            }
        };
        match p.one("filter-lang")? {
            None | Some("cql2-text") => {}
            Some(other) => {
                return Err(ApiError::param(
                    "filter-lang",
                    format!("'{other}' is not supported (supported: cql2-text)"),
                ))
            }
        }
        let filter = match p.one("filter")? {
            None => None,
            Some(f) => Some(cql2::parse(f, l)?),
        };
        Ok(ItemFilter {
            crs,
            bbox,
            props,
            q,
            filter,
        })
    }

    fn matches(&self, f: &super::layers::LayerFeature) -> bool {
        if let Some(b) = self.bbox {
            let fb = f.bbox;
            if !(fb[0] <= b[2] && b[0] <= fb[2] && fb[1] <= b[3] && b[1] <= fb[3]) {
                return false;
            }
        }
        for (name, want) in &self.props {
            let ok = match (f.props.get(name), want) {
                (Some(Value::String(s)), PropValue::Text(t)) => s == t,
                (Some(Value::Number(n)), PropValue::Num(x)) => n.as_f64() == Some(*x),
                (Some(Value::Bool(b)), PropValue::Bool(x)) => b == x,
                _ => false,
            };
            if !ok {
                return false;
            }
        }
        if !self.q.is_empty()
            && !self
                .q
                .iter()
                .any(|t| f.names.iter().any(|n| n.contains(t.as_str())))
        {
            return false;
        }
        if let Some(e) = &self.filter {
            if e.eval(&f.props) != Some(true) {
                return false;
            }
        }
        true
    }
}

/// A CRS parameter (`crs`, `bbox-crs`); CRS84 when absent.
fn crs_param(p: &Params, name: &'static str) -> ApiResult<Crs> {
    match p.one(name)? {
        None => Ok(Crs::Crs84),
        Some(c) => Crs::parse(c).map_err(|e| ApiError::param(name, e.to_string())),
    }
}

/// A stored feature (CRS84 GeoJSON text) in the requested CRS.
fn feature_in(json: &str, crs: Crs) -> std::borrow::Cow<'_, str> {
    if crs == Crs::Crs84 {
        return std::borrow::Cow::Borrowed(json);
    }
    match serde_json::from_str::<Value>(json) {
        Ok(mut v) => {
            crs.transform_feature(&mut v);
            std::borrow::Cow::Owned(v.to_string())
        }
        // Stored features are written by the server itself; this cannot fail in practice.
        Err(_) => std::borrow::Cow::Borrowed(json),
    }
}

/// A GeoJSON response with the `Content-Crs` header of Part 2.
fn geojson_in(body: String, crs: Crs) -> Response {
    let mut res = with_type(body, GEOJSON);
    if let Ok(v) = HeaderValue::from_str(&crs.header()) {
        res.headers_mut().insert("content-crs", v);
    }
    res
}

fn page_url(base: &str, path: &str, p: &Params, offset: usize, limit: usize) -> String {
    let mut pairs: Vec<(String, String)> =
        p.0.iter()
            .filter(|(k, _)| k != "offset" && k != "limit")
            .cloned()
            .collect();
    pairs.push(("limit".into(), limit.to_string()));
    pairs.push(("offset".into(), offset.to_string()));
    let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("{base}{path}?{qs}")
}

pub async fn items(
    State(st): State<Shared>,
    Path(id): Path<String>,
    req: Request,
) -> ApiResult<Response> {
    let l = layer(&st, &id)?;
    let p = Params::parse(req.uri().query())?;
    let filter = ItemFilter::parse(l, &p)?;
    let limit = p.limit(DEFAULT_LIMIT, MAX_LIMIT)?;
    let offset = p.offset()?;
    let matched: Vec<&super::layers::LayerFeature> =
        l.features.iter().filter(|f| filter.matches(f)).collect();
    let page: &[&super::layers::LayerFeature] = matched.get(offset..).unwrap_or(&[]);
    let page = &page[..page.len().min(limit)];

    let base = base_url(req.headers());
    let path = req.uri().path();
    let mut links = vec![
        json!({ "href": page_url(&base, path, &p, offset, limit), "rel": "self", "type": GEOJSON, "title": "This page" }),
        json!({ "href": format!("{base}/collections/{}", l.id), "rel": "collection", "type": JSON, "title": l.title }),
    ];
    if offset + page.len() < matched.len() {
        links.push(json!({ "href": page_url(&base, path, &p, offset + limit, limit), "rel": "next", "type": GEOJSON, "title": "Next page" }));
    }
    if offset > 0 {
        links.push(json!({ "href": page_url(&base, path, &p, offset.saturating_sub(limit), limit), "rel": "prev", "type": GEOJSON, "title": "Previous page" }));
    }
    let total: usize = page.iter().map(|f| f.json.len() + 1).sum();
    let mut body = String::with_capacity(total + 512);
    body.push_str("{\"type\":\"FeatureCollection\",\"numberMatched\":");
    body.push_str(&matched.len().to_string());
    body.push_str(",\"numberReturned\":");
    body.push_str(&page.len().to_string());
    body.push_str(",\"timeStamp\":\"");
    body.push_str(&now_rfc3339());
    body.push_str("\",\"links\":");
    body.push_str(&Value::Array(links).to_string());
    body.push_str(",\"features\":[");
    for (i, f) in page.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&feature_in(&f.json, filter.crs));
    }
    body.push_str("]}");
    Ok(geojson_in(body, filter.crs))
}

pub async fn item(
    State(st): State<Shared>,
    Path((id, fid)): Path<(String, String)>,
    req: Request,
) -> ApiResult<Response> {
    let l = layer(&st, &id)?;
    let p = Params::parse(req.uri().query())?;
    p.only(&["f", "crs"], |_| false)?;
    check_f(&p, &["json", "geojson"])?;
    let crs = crs_param(&p, "crs")?;
    let f = l
        .get(&fid)
        .ok_or_else(|| ApiError::NotFound(format!("no feature '{fid}' in collection '{id}'")))?;
    let base = base_url(req.headers());
    let links = json!([
        { "href": format!("{base}/collections/{id}/items/{fid}"), "rel": "self", "type": GEOJSON, "title": "This feature" },
        { "href": format!("{base}/collections/{id}"), "rel": "collection", "type": JSON, "title": l.title },
    ]);
    // The stored feature is an object: add the links before its closing brace.
    let mut body = feature_in(&f.json, crs).into_owned();
    if body.ends_with('}') {
        body.pop();
        body.push_str(",\"links\":");
        body.push_str(&links.to_string());
        body.push('}');
    }
    let mut res = geojson_in(body, crs);
    *res.status_mut() = StatusCode::OK;
    Ok(res)
}
