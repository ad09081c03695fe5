//! The OpenAPI 3.0 document served at `/api`: every endpoint and parameter the service takes.

use super::layers::Layers;
use super::params::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::reach::{MAX_BANDS, MAX_MINUTES};
use serde_json::{json, Value};

fn param(name: &str, location: &str, description: &str, schema: Value, required: bool) -> Value {
    json!({
        "name": name,
        "in": location,
        "description": description,
        "required": required,
        "schema": schema,
        "style": "form",
        "explode": false,
    })
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/parameters/{name}") })
}

fn responses(ok_type: &str, ok_description: &str, with_404: bool) -> Value {
    let mut r = json!({
        "200": { "description": ok_description, "content": { ok_type: { "schema": { "type": "object" } } } },
        "400": { "$ref": "#/components/responses/InvalidParameter" },
        "500": { "$ref": "#/components/responses/ServerError" },
    });
    if with_404 {
        r["404"] = json!({ "$ref": "#/components/responses/NotFound" });
    }
    r
}

fn get(op: &str, summary: &str, params: Vec<Value>, resp: Value) -> Value {
    json!({ "get": { "operationId": op, "summary": summary, "parameters": params, "responses": resp } })
}

/// Builds the document (collection ids become the `collectionId` enumeration).
pub fn document(title: &str, layers: &Layers) -> Value {
    let ids: Vec<&str> = layers.ids();
    let mut queryable_names: Vec<String> = Vec::new();
    for l in &layers.layers {
        for q in &l.queryables {
            if !queryable_names.contains(&q.name) {
                queryable_names.push(q.name.clone());
            }
        }
    }
    let mut item_params = vec![
        reference("collectionId"),
        reference("bbox"),
        reference("bbox-crs"),
        reference("crs"),
        reference("limit"),
        reference("offset"),
        reference("datetime"),
        reference("q"),
        reference("filter"),
        reference("filter-lang"),
        reference("filter-crs"),
        reference("f-geojson"),
    ];
    for n in &queryable_names {
        item_params.push(param(
            n,
            "query",
            &format!("Equality filter on the queryable '{n}' (where the collection has it; see /collections/{{collectionId}}/queryables)."),
            json!({ "type": "string" }),
            false,
        ));
    }
    let reach_params = vec![
        json!({ "name": "from", "in": "query", "required": true, "style": "form", "explode": true,
                "description": "Origin(s): a feature id, a name (Chinese, English, pinyin, alias), a stop id or name, or lon,lat. Repeat the parameter or separate with '|' for several origins (their union).",
                "schema": { "type": "array", "items": { "type": "string" } } }),
        param(
            "minutes",
            "query",
            "Travel-time budget in minutes (ignored when bands is given).",
            json!({ "type": "number", "default": 20, "exclusiveMinimum": 0, "maximum": MAX_MINUTES }),
            false,
        ),
        param(
            "bands",
            "query",
            "Band limits in minutes, strictly increasing, e.g. 10,20,30; the last is the budget.",
            json!({ "type": "array", "items": { "type": "number" }, "maxItems": MAX_BANDS }),
            false,
        ),
        param(
            "mode",
            "query",
            "How the traveller moves.",
            json!({ "type": "string", "enum": ["walk", "bike", "drive", "transit"], "default": "transit" }),
            false,
        ),
        param(
            "scenario",
            "query",
            "Network scenario id (see /scenarios).",
            json!({ "type": "string", "default": "existing" }),
            false,
        ),
        param(
            "band_form",
            "query",
            "Band polygons as disjoint rings or cumulative (nested) areas.",
            json!({ "type": "string", "enum": ["disjoint", "cumulative"], "default": "disjoint" }),
            false,
        ),
        param(
            "cell",
            "query",
            "Raster cell for band polygons, metres.",
            json!({ "type": "number", "minimum": 20, "maximum": 2000 }),
            false,
        ),
        param(
            "generalize",
            "query",
            "Douglas–Peucker tolerance for band polygons, metres, applied without breaking validity (default: half a cell; 0: none).",
            json!({ "type": "number", "minimum": 0, "maximum": 5000 }),
            false,
        ),
        param(
            "denoise",
            "query",
            "Drop band polygon parts smaller than this share of the largest part, unless a reached place lies in them (default 0.01; 0: keep all).",
            json!({ "type": "number", "minimum": 0, "maximum": 1 }),
            false,
        ),
        param(
            "depart",
            "query",
            "Departure on the feeds' timetable, YYYY-MM-DDTHH:MM in the feeds' local time (default: the steady-state search). A date outside the feeds' calendar is refused naming its range.",
            json!({ "type": "string", "example": "2019-05-13T14:00" }),
            false,
        ),
        param(
            "window",
            "query",
            "Departure window in minutes with depart: one search per minute (0: one departure).",
            json!({ "type": "integer", "minimum": 0, "maximum": 180, "default": 0 }),
            false,
        ),
        param(
            "percentiles",
            "query",
            "Percentiles of travel time over the window's departures (and phase draws of frequency-based service), reported per feature as minutes_by_percentile.",
            json!({ "type": "string", "default": "5,50,95", "example": "5,50,95" }),
            false,
        ),
        param(
            "transfer_penalty",
            "query",
            "Minutes added to every boarding after the first: default 2 in the steady state; with depart waits are real and only 0 applies.",
            json!({ "type": "number", "minimum": 0, "maximum": 30 }),
            false,
        ),
        param(
            "percentile",
            "query",
            "The percentile that minutes and the band polygons show; one of percentiles.",
            json!({ "type": "integer", "minimum": 0, "maximum": 100, "default": 50 }),
            false,
        ),
        param(
            "polygons",
            "query",
            "Whether to compute band polygons.",
            json!({ "type": "boolean", "default": true }),
            false,
        ),
    ];
    let error_schema = json!({
        "type": "object",
        "required": ["code", "description"],
        "properties": {
            "code": { "type": "string" },
            "description": { "type": "string" },
            "parameter": { "type": "string" },
            "suggestions": { "type": "array", "items": { "type": "string" } },
        }
    });
    let error_response = |d: &str| json!({ "description": d, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/exception" } } } });
    let reach_path = json!({
        "get": { "operationId": "getReach", "summary": "What can be reached within N minutes", "parameters": reach_params, "responses": responses("application/geo+json", "Band polygons, reached features with times and legs, origins; metadata and summary as foreign members", false) },
        "post": {
            "operationId": "postReach",
            "summary": "The same query as a JSON body",
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
                "type": "object",
                "required": ["from"],
                "additionalProperties": false,
                "properties": {
                    "from": { "oneOf": [
                        { "type": "string" },
                        { "type": "array", "items": { "oneOf": [ { "type": "string" }, { "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2 } ] } }
                    ] },
                    "minutes": { "type": "number", "exclusiveMinimum": 0, "maximum": MAX_MINUTES },
                    "bands": { "oneOf": [ { "type": "array", "items": { "type": "number" }, "maxItems": MAX_BANDS }, { "type": "string" } ] },
                    "mode": { "type": "string", "enum": ["walk", "bike", "drive", "transit"] },
                    "scenario": { "$ref": "#/components/schemas/scenarioChoice" },
                    "band_form": { "type": "string", "enum": ["disjoint", "cumulative"] },
                    "polygons": { "type": "boolean" },
                    "cell": { "type": "number", "minimum": 20, "maximum": 2000 },
                    "generalize": { "type": "number", "minimum": 0, "maximum": 5000 },
                    "denoise": { "type": "number", "minimum": 0, "maximum": 1 },
                    "depart": { "type": "string", "example": "2019-05-13T14:00" },
                    "window": { "type": "integer", "minimum": 0, "maximum": 180 },
                    "percentiles": { "type": "array", "items": { "type": "integer", "minimum": 0, "maximum": 100 } },
                    "percentile": { "type": "integer", "minimum": 0, "maximum": 100 },
                    "transfer_penalty": { "type": "number", "minimum": 0, "maximum": 30 }
                }
            } } } },
            "responses": {
                "200": { "description": "As GET /reach", "content": { "application/geo+json": { "schema": { "type": "object" } } } },
                "400": { "$ref": "#/components/responses/InvalidParameter" },
                "422": error_response("The scenario's modifications cannot be applied: `problems` lists each with its index, type, field, message and suggestions; nothing is applied"),
                "413": error_response("The body exceeds 1 MiB"),
                "415": error_response("The body is not application/json"),
            }
        }
    });
    let paths = json!({
        "/": get("getLandingPage", "Landing page (browsers asking for text/html are redirected to /map/)", vec![reference("f-landing")], responses("application/json", "The landing page", false)),
        "/conformance": get("getConformanceDeclaration", "Conformance classes", vec![reference("f")], responses("application/json", "The conformance declaration", false)),
        "/api": get("getAPIDefinition", "This document", vec![reference("f")], json!({ "200": { "description": "The OpenAPI 3.0 document", "content": { "application/vnd.oai.openapi+json;version=3.0": { "schema": { "type": "object" } } } } })),
        "/collections": get("getCollections", "The feature collections", vec![reference("f")], responses("application/json", "The collections", false)),
        "/collections/{collectionId}": get("describeCollection", "One collection", vec![reference("collectionId"), reference("f")], responses("application/json", "The collection", true)),
        "/collections/{collectionId}/queryables": get("getQueryables", "Properties a filter may use", vec![reference("collectionId"), reference("f")], responses("application/schema+json", "A JSON Schema of the queryables", true)),
        "/collections/{collectionId}/items": get("getFeatures", "Features of a collection, paged with limit/offset and next links", item_params, responses("application/geo+json", "A GeoJSON FeatureCollection with numberMatched, numberReturned, timeStamp and links", true)),
        "/collections/{collectionId}/items/{featureId}": get("getFeature", "One feature", vec![reference("collectionId"), reference("featureId"), reference("crs"), reference("f-geojson")], responses("application/geo+json", "A GeoJSON Feature", true)),
        "/reach": reach_path,
        "/targets": get("getTargets", "The plan's measurable promises checked against the network", vec![param("scenario", "query", "Scenario id; all scenarios when absent.", json!({ "type": "string" }), false)], responses("application/json", "A list of target results", false)),
        "/scenarios": get("getScenarios", "Network scenarios with their base, modifications, stops, links and assumptions", vec![], responses("application/json", "A list of scenarios", false)),
        "/scenarios/{scenarioId}": get("getScenario", "One named scenario with its base and modifications", vec![param("scenarioId", "path", "Scenario id (see /scenarios).", json!({ "type": "string" }), true)], responses("application/json", "The scenario", true)),
        "/search": get("search", "Name search over features (Chinese, English, pinyin, aliases) and stations", vec![
            param("q", "query", "The name to search for.", json!({ "type": "string", "maxLength": 200 }), true),
            param("limit", "query", "Most hits returned.", json!({ "type": "integer", "minimum": 1, "maximum": 100, "default": 10 }), false),
        ], responses("application/json", "Hits best first (id, name_zh, name_en, kind, lon, lat); suggestions on a miss", false)),
        "/map/": { "get": { "operationId": "getMap", "summary": "The web map", "responses": { "200": { "description": "HTML page", "content": { "text/html": {} } } } } },
    });
    let crs_uris: Vec<&str> = crate::crs::Crs::ALL.iter().map(|c| c.uri()).collect();
    let parameters = json!({
        "collectionId": { "name": "collectionId", "in": "path", "required": true, "description": "Collection id", "schema": { "type": "string", "enum": ids } },
        "featureId": { "name": "featureId", "in": "path", "required": true, "description": "Feature id", "schema": { "type": "string" } },
        "bbox": { "name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
                  "description": "west,south,east,north in CRS84 (lon/lat); features whose bounding box intersects it.",
                  "schema": { "type": "array", "minItems": 4, "maxItems": 4, "items": { "type": "number" } } },
        "bbox-crs": param("bbox-crs", "query", "CRS of bbox (its axis order: EPSG:4326 and EPSG:4490 are lat,lon; EPSG:3857 metres). Default CRS84.", json!({ "type": "string", "format": "uri", "enum": crs_uris, "default": super::ogc::CRS84 }), false),
        "crs": param("crs", "query", "CRS of the returned geometries (OGC API Features Part 2). EPSG:4326 and EPSG:4490 put latitude first; EPSG:4490 (CGCS2000) coordinates are the WGS-84 ones, within centimetres. The response's Content-Crs header names it.", json!({ "type": "string", "format": "uri", "enum": crs_uris, "default": super::ogc::CRS84 }), false),
        "limit": { "name": "limit", "in": "query", "required": false, "style": "form", "explode": false,
                   "description": "Features per page.",
                   "schema": { "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT } },
        "offset": param("offset", "query", "Features skipped before the page (next links set it).", json!({ "type": "integer", "minimum": 0, "default": 0 }), false),
        "datetime": param("datetime", "query", "Accepted for conformance; the collections have no time, so every feature matches.", json!({ "type": "string" }), false),
        "q": param("q", "query", "Comma-separated terms; features with a name containing any of them (folded: case, tone marks, spaces).", json!({ "type": "string" }), false),
        "filter": param("filter", "query", "A CQL2-text expression over the collection's queryables: = <> < <= > >=, LIKE, IN, BETWEEN, IS [NOT] NULL, AND, OR, NOT, parentheses.", json!({ "type": "string" }), false),
        "filter-lang": param("filter-lang", "query", "Filter language.", json!({ "type": "string", "enum": ["cql2-text"], "default": "cql2-text" }), false),
        "filter-crs": param("filter-crs", "query", "CRS of filter geometries; only CRS84.", json!({ "type": "string", "format": "uri", "enum": [super::ogc::CRS84] }), false),
        "f": param("f", "query", "Response format.", json!({ "type": "string", "enum": ["json"] }), false),
        "f-geojson": param("f", "query", "Response format.", json!({ "type": "string", "enum": ["json", "geojson"] }), false),
        "f-landing": param("f", "query", "json: the landing page; html: redirect to the map.", json!({ "type": "string", "enum": ["json", "html"] }), false),
    });
    let components = json!({
        "parameters": parameters,
        "schemas": {
            "exception": error_schema,
            "scenarioChoice": { "oneOf": [
                { "type": "string", "description": "A named scenario id (see /scenarios)." },
                { "type": "object", "additionalProperties": false, "properties": {
                    "base": { "type": "string", "default": "existing" },
                    "modifications": { "type": "array", "maxItems": crate::scenario::MAX_MODIFICATIONS, "items": { "$ref": "#/components/schemas/modification" } }
                } }
            ] },
            "modification": {
                "type": "object",
                "required": ["type"],
                "description": "Applied in this order whatever the order listed: remove-route, remove-stops, adjust-speed, adjust-frequency, add-line, add-transfer. Stops are ids or names; a new stop of add-line is {name, lon, lat}.",
                "properties": {
                    "type": { "type": "string", "enum": crate::scenario::model::Modification::ORDER },
                    "route": { "type": "string", "description": "Route id, short or long name (adjust-*, remove-*)." },
                    "stops": { "type": "array", "items": { "oneOf": [ { "type": "string" }, { "type": "object", "required": ["name", "lon", "lat"] } ] } },
                    "name": { "type": "string" },
                    "mode": { "type": "string", "enum": ["tram", "metro", "rail", "bus"], "description": "add-line; average speed at most 70, 160, 350, 100 km/h" },
                    "headway_min": { "type": "number", "exclusiveMinimum": 0, "maximum": 1440 },
                    "window": { "type": "array", "items": { "type": "string", "example": "07:00" }, "minItems": 2, "maxItems": 2 },
                    "speed_kmh": { "type": "number", "exclusiveMinimum": 0 },
                    "run_min": { "type": "array", "items": { "type": "number" } },
                    "dwell_s": { "type": "number", "minimum": 0, "maximum": 3600 },
                    "color": { "type": "string", "example": "#C0392B" },
                    "factor": { "type": "number", "minimum": 0.1, "maximum": 10 },
                    "from": { "type": "string" },
                    "to": { "type": "string" },
                    "minutes": { "type": "number", "minimum": 0, "maximum": 60 }
                }
            }
        },
        "responses": {
            "InvalidParameter": error_response("A parameter is missing, unknown or has an unusable value"),
            "NotFound": error_response("No such collection or feature"),
            "ServerError": error_response("The service failed or timed out"),
        }
    });
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": title,
            "version": env!("CARGO_PKG_VERSION"),
            "description": "OGC API – Features (Part 1 core, GeoJSON, OpenAPI 3.0; Part 3 queryables and CQL2-text filters) over a city's planning features and transit network, plus reach queries.",
            "license": { "name": "MIT OR Apache-2.0" },
        },
        "servers": [ { "url": "/" } ],
        "paths": paths,
        "components": components,
    })
}
