//! The collections the service publishes, built once from the city: one per feature kind,
//! districts, metro and rail stations, transit lines and the scenarios' planned additions.
//! Each feature is serialised once here, so an items page is a filter plus a concatenation.

use crate::catalog::{normalise, CityBounds, FeatureKind, Status};
use crate::city::City;
use crate::network::transit::RouteKind;
use crate::output::geojson::{self, multipolygon as multipolygon_json};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One feature of a collection.
#[derive(Debug, Clone)]
pub struct LayerFeature {
    pub id: String,
    pub bbox: [f64; 4],
    pub props: Map<String, Value>,
    /// Folded names for `q`.
    pub names: Vec<String>,
    /// The GeoJSON Feature, serialised.
    pub json: String,
}

/// The JSON type of a queryable property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropType {
    String,
    Number,
    Integer,
    Boolean,
}

impl PropType {
    pub fn as_str(self) -> &'static str {
        match self {
            PropType::String => "string",
            PropType::Number => "number",
            PropType::Integer => "integer",
            PropType::Boolean => "boolean",
        }
    }
}

/// A property clients may filter on (`?name=value` or in a CQL2 `filter`).
#[derive(Debug, Clone)]
pub struct Queryable {
    pub name: String,
    pub ty: PropType,
    /// The allowed values, where the property is an enumeration.
    pub values: Option<Vec<String>>,
}

/// One OGC API collection.
#[derive(Debug, Clone)]
pub struct Layer {
    pub id: String,
    pub title: String,
    pub description: String,
    pub features: Vec<LayerFeature>,
    pub by_id: HashMap<String, usize>,
    pub extent: Option<[f64; 4]>,
    pub queryables: Vec<Queryable>,
}

impl Layer {
    fn new(
        id: &str,
        title: &str,
        description: &str,
        features: Vec<LayerFeature>,
        enums: &[(&str, Vec<String>)],
    ) -> Layer {
        let by_id = features
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id.clone(), i))
            .collect();
        let mut extent: Option<[f64; 4]> = None;
        for f in &features {
            let b = f.bbox;
            extent = Some(match extent {
                None => b,
                Some(e) => [
                    e[0].min(b[0]),
                    e[1].min(b[1]),
                    e[2].max(b[2]),
                    e[3].max(b[3]),
                ],
            });
        }
        let queryables = infer_queryables(&features, enums);
        Layer {
            id: id.to_string(),
            title: title.to_string(),
            description: description.to_string(),
            features,
            by_id,
            extent,
            queryables,
        }
    }

    pub fn queryable(&self, name: &str) -> Option<&Queryable> {
        self.queryables.iter().find(|q| q.name == name)
    }

    pub fn get(&self, id: &str) -> Option<&LayerFeature> {
        self.by_id.get(id).map(|&i| &self.features[i])
    }
}

/// Types of properties that may be null throughout a layer.
const TYPE_HINTS: [(&str, PropType); 5] = [
    ("area_km2", PropType::Number),
    ("year", PropType::Integer),
    ("status_as_of", PropType::Integer),
    ("accuracy_m", PropType::Number),
    ("track_km", PropType::Number),
];

/// Scalar properties become queryables, typed by the values the layer holds (all-null
/// properties are strings). Arrays and objects are not queryable.
fn infer_queryables(features: &[LayerFeature], enums: &[(&str, Vec<String>)]) -> Vec<Queryable> {
    let mut order: Vec<String> = Vec::new();
    let mut types: HashMap<String, Option<PropType>> = HashMap::new();
    let mut complex: BTreeSet<String> = BTreeSet::new();
    for f in features {
        for (k, v) in &f.props {
            if !types.contains_key(k) {
                order.push(k.clone());
                types.insert(k.clone(), None);
            }
            let t = match v {
                Value::Null => continue,
                Value::String(_) => PropType::String,
                Value::Bool(_) => PropType::Boolean,
                Value::Number(n) if n.is_i64() || n.is_u64() => PropType::Integer,
                Value::Number(_) => PropType::Number,
                Value::Array(_) | Value::Object(_) => {
                    complex.insert(k.clone());
                    continue;
                }
            };
            let slot = types.entry(k.clone()).or_insert(None);
            *slot = match (*slot, t) {
                (None, t) => Some(t),
                (Some(a), b) if a == b => Some(a),
                (Some(PropType::Integer), PropType::Number)
                | (Some(PropType::Number), PropType::Integer) => Some(PropType::Number),
                // Mixed types: compare as text.
                _ => Some(PropType::String),
            };
        }
    }
    order
        .into_iter()
        .filter(|k| !complex.contains(k))
        .map(|k| {
            let ty = types
                .get(&k)
                .copied()
                .flatten()
                .or_else(|| TYPE_HINTS.iter().find(|(n, _)| *n == k).map(|(_, t)| *t))
                .unwrap_or(PropType::String);
            let values = enums.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
            Queryable {
                name: k,
                ty,
                values,
            }
        })
        .collect()
}

fn feature(
    id: String,
    geometry: Value,
    bbox: [f64; 4],
    props: Value,
    names: Vec<String>,
) -> LayerFeature {
    let props = match props {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let json = serde_json::to_string(&json!({
        "type": "Feature",
        "id": id,
        "geometry": geometry,
        "properties": props,
    }))
    .unwrap_or_default();
    let names = names
        .iter()
        .map(|n| normalise(n))
        .filter(|n| !n.is_empty())
        .collect();
    LayerFeature {
        id,
        bbox,
        props,
        names,
        json,
    }
}

fn point(p: [f64; 2]) -> (Value, [f64; 4]) {
    (geojson::point(p), [p[0], p[1], p[0], p[1]])
}

fn line(points: &[[f64; 2]]) -> (Value, [f64; 4]) {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for p in points {
        b = [
            b[0].min(p[0]),
            b[1].min(p[1]),
            b[2].max(p[0]),
            b[3].max(p[1]),
        ];
    }
    (geojson::line_string(points), b)
}

fn strings<T: ToString>(items: impl IntoIterator<Item = T>) -> Vec<String> {
    items.into_iter().map(|s| s.to_string()).collect()
}

/// Every collection of a city, in the order `/collections` lists them.
#[derive(Debug, Clone)]
pub struct Layers {
    pub layers: Vec<Layer>,
    index: HashMap<String, usize>,
}

impl Layers {
    pub fn build(city: &City) -> Layers {
        let mut layers = Vec::new();
        let statuses = strings(Status::ALL.iter().map(|s| s.as_str()));
        for kind in FeatureKind::ALL {
            layers.push(kind_layer(city, kind, &statuses));
        }
        if let Some(d) = districts_layer(city) {
            layers.push(d);
        }
        if let Some(p) = population_layer(city) {
            layers.push(p);
        }
        if let Some(n) = national_layer(city) {
            layers.push(n);
        }
        let (metro, rail) = station_layers(city);
        layers.push(metro);
        layers.push(rail);
        layers.push(lines_layer(city));
        layers.push(planned_layer(city));
        let index = layers
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id.clone(), i))
            .collect();
        Layers { layers, index }
    }

    pub fn get(&self, id: &str) -> Option<&Layer> {
        self.index.get(id).map(|&i| &self.layers[i])
    }

    pub fn ids(&self) -> Vec<&str> {
        self.layers.iter().map(|l| l.id.as_str()).collect()
    }
}

fn kind_layer(city: &City, kind: FeatureKind, statuses: &[String]) -> Layer {
    let (title, description) = match kind {
        FeatureKind::Commercial => (
            "Commercial areas",
            "Business districts, commercial and pedestrian streets, malls and markets named in the planning documents.",
        ),
        FeatureKind::Cultural => (
            "Cultural sites",
            "Historic districts, heritage sites, museums, temples and cultural venues named in the planning documents.",
        ),
        FeatureKind::TransportHub => (
            "Transport hubs",
            "Railway stations, the airport, coach and logistics hubs named in the planning documents.",
        ),
        FeatureKind::FreeTradeZone => (
            "Free-trade zones",
            "Free-trade areas, bonded zones and development zones named in the planning documents.",
        ),
    };
    let mut subkinds = BTreeSet::new();
    let features: Vec<LayerFeature> = city
        .catalog
        .features()
        .iter()
        .filter(|f| f.kind == kind)
        .map(|f| {
            subkinds.insert(f.subkind.clone());
            let v = f.to_geojson_value();
            feature(
                f.id.clone(),
                v["geometry"].clone(),
                f.bbox,
                v["properties"].clone(),
                strings(f.names()),
            )
        })
        .collect();
    let enums = [
        ("kind", vec![kind.as_str().to_string()]),
        ("status", statuses.to_vec()),
        ("subkind", subkinds.into_iter().collect()),
    ];
    Layer::new(kind.as_str(), title, description, features, &enums)
}

fn districts_layer(city: &City) -> Option<Layer> {
    // District outlines may reach beyond the features' bounds; any WGS-84 position is accepted.
    let world = CityBounds {
        min_lon: -180.0,
        min_lat: -90.0,
        max_lon: 180.0,
        max_lat: 90.0,
    };
    let districts = match crate::catalog::districts::load_districts(&city.source, &world) {
        Ok(Some(d)) => d,
        Ok(None) => return None,
        Err(e) => {
            tracing::warn!("districts layer not published: {e}");
            return None;
        }
    };
    let features = districts
        .iter()
        .map(|d| {
            let g = geo::Geometry::MultiPolygon(d.geometry.clone());
            feature(
                d.adcode.clone(),
                multipolygon_json(&d.geometry),
                crate::catalog::bbox_of(&g),
                json!({ "adcode": d.adcode, "name_zh": d.name_zh, "name_en": d.name_en }),
                vec![d.name_zh.clone(), d.name_en.clone()],
            )
        })
        .collect();
    Some(Layer::new(
        "districts",
        "Districts",
        "Administrative districts and counties with their outlines.",
        features,
        &[],
    ))
}

fn population_layer(city: &City) -> Option<Layer> {
    let world = CityBounds {
        min_lon: -180.0,
        min_lat: -90.0,
        max_lon: 180.0,
        max_lat: 90.0,
    };
    let population = match crate::catalog::population::Population::load(&city.source, &world) {
        Ok(Some(p)) => p,
        Ok(None) => return None,
        Err(e) => {
            tracing::warn!("population layer not published: {e}");
            return None;
        }
    };
    let features = population
        .areas
        .iter()
        .map(|a| {
            let d = &a.district;
            let g = geo::Geometry::MultiPolygon(d.geometry.clone());
            feature(
                d.adcode.clone(),
                multipolygon_json(&d.geometry),
                crate::catalog::bbox_of(&g),
                json!({
                    "adcode": d.adcode,
                    "name_zh": d.name_zh,
                    "name_en": d.name_en,
                    "population": a.population,
                    "census_year": a.census_year,
                    "method": a.method,
                    "area_km2": (a.area_km2 * 10.0).round() / 10.0,
                    "density_per_km2": a.density_per_km2().round(),
                    "distribution": "uniform over the district's area",
                }),
                vec![d.name_zh.clone(), d.name_en.clone()],
            )
        })
        .collect();
    Some(Layer::new(
        "population",
        "Population",
        "Census residents per district and county, spread uniformly over each district's area.",
        features,
        &[],
    ))
}

/// China's prefecture-level cities with their hours from Zhengzhou, for the national targets.
fn national_layer(city: &City) -> Option<Layer> {
    let national = match crate::reach::national::National::load(&city.source) {
        Ok(Some(n)) => n,
        Ok(None) => return None,
        Err(e) => {
            tracing::warn!("national layer not published: {e}");
            return None;
        }
    };
    let features = national
        .cities
        .iter()
        .map(|c| {
            let (geom, bbox) = point(c.lonlat);
            feature(
                c.dzcode.clone(),
                geom,
                bbox,
                json!({
                    "dzcode": c.dzcode,
                    "name_zh": c.name_zh,
                    "name_en": c.name_en,
                    "capital": c.capital,
                    "neighbour_capital": c.neighbour_capital,
                    "origin": c.origin,
                    "population_2010": c.population_2010,
                    "rail_h": c.rail_h,
                    "road_h": c.road_h,
                    "air_h": c.air_h,
                }),
                vec![c.name_zh.clone(), c.name_en.clone()],
            )
        })
        .collect();
    Some(Layer::new(
        "national",
        "China's prefecture-level cities",
        "Prefecture-level cities with their 2010 population and modelled rail and road hours and a block-time flight model from Zhengzhou (see /targets for the assumptions).",
        features,
        &[],
    ))
}

/// Base-network stops served by metro (or tram) lines, and by rail lines.
fn station_layers(city: &City) -> (Layer, Layer) {
    let t = &city.transit;
    let mut served: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); t.stops.len()];
    for p in t.patterns.iter().filter(|p| p.scenario.is_none()) {
        for &s in &p.stops {
            if let Some(set) = served.get_mut(s as usize) {
                set.insert(p.route);
            }
        }
    }
    let mut metro = Vec::new();
    let mut rail = Vec::new();
    for (i, s) in t.stops.iter().enumerate() {
        if s.scenario.is_some() {
            continue;
        }
        let routes: Vec<&crate::network::transit::TransitRoute> =
            served[i].iter().map(|&r| &t.routes[r]).collect();
        let is_rail = routes.iter().any(|r| r.kind == RouteKind::Rail);
        let is_metro = routes
            .iter()
            .any(|r| matches!(r.kind, RouteKind::Metro | RouteKind::Tram));
        let lines: Vec<String> = routes
            .iter()
            .map(|r| {
                if r.short_name.is_empty() {
                    r.long_name.clone()
                } else {
                    r.short_name.clone()
                }
            })
            .collect();
        let route_ids: Vec<&str> = routes.iter().map(|r| r.id.as_str()).collect();
        let (geom, bbox) = point(s.lonlat);
        let mk = || {
            feature(
                s.id.clone(),
                geom.clone(),
                bbox,
                json!({
                    "id": s.id,
                    "name_zh": s.name,
                    "name_en": s.name_en,
                    "lines": lines.join(", "),
                    "route_ids": route_ids.join(","),
                    "line_count": routes.len(),
                }),
                [Some(s.name.clone()), s.name_en.clone()]
                    .into_iter()
                    .flatten()
                    .collect(),
            )
        };
        if is_rail {
            rail.push(mk());
        }
        if is_metro {
            metro.push(mk());
        }
    }
    (
        Layer::new(
            "metro_stations",
            "Metro stations",
            "Stations of the existing metro network, with the lines serving them.",
            metro,
            &[],
        ),
        Layer::new(
            "rail_stations",
            "Railway stations",
            "Stations of the existing intercity and high-speed rail services in the transit feed.",
            rail,
            &[],
        ),
    )
}

fn route_kind_str(k: RouteKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "other".into())
}

/// Each base route as a LineString along its longest pattern.
fn lines_layer(city: &City) -> Layer {
    let t = &city.transit;
    let mut best: BTreeMap<usize, usize> = BTreeMap::new();
    for (pi, p) in t.patterns.iter().enumerate() {
        if p.scenario.is_some() || p.stops.len() < 2 {
            continue;
        }
        let e = best.entry(p.route).or_insert(pi);
        if p.stops.len() > t.patterns[*e].stops.len() {
            *e = pi;
        }
    }
    let features = best
        .into_iter()
        .filter_map(|(ri, pi)| {
            let r = t.routes.get(ri)?;
            let p = &t.patterns[pi];
            let pts: Vec<[f64; 2]> = p.stops.iter().filter_map(|&s| t.stops.get(s as usize).map(|s| s.lonlat)).collect();
            let (geom, bbox) = line(&pts);
            let first = t.stops.get(*p.stops.first()? as usize)?;
            let last = t.stops.get(*p.stops.last()? as usize)?;
            Some(feature(
                r.id.clone(),
                geom,
                bbox,
                json!({
                    "id": r.id,
                    "name": r.display_name(),
                    "short_name": r.short_name,
                    "long_name": r.long_name,
                    "color": r.color,
                    "kind": route_kind_str(r.kind),
                    "stops": p.stops.len(),
                    "from": first.name,
                    "to": last.name,
                    "run_minutes": ((p.arrive_s.last().copied().unwrap_or(0.0) as f64) / 6.0).round() / 10.0,
                    "headway_minutes": ((p.headway_s as f64) / 6.0).round() / 10.0,
                }),
                vec![r.short_name.clone(), r.long_name.clone(), r.display_name()],
            ))
        })
        .collect();
    Layer::new(
        "transit_lines",
        "Transit lines",
        "Each metro and rail route of the existing network along its longest stop pattern, with its colour.",
        features,
        &[],
    )
}

/// Stops and links each scenario adds, with the assumptions behind them.
fn planned_layer(city: &City) -> Layer {
    let t = &city.transit;
    let scenario_ids: Vec<String> = t.scenarios.iter().map(|s| s.id.clone()).collect();
    let mut features = Vec::new();
    for sc in &t.scenarios {
        for s in &sc.stops {
            let (geom, bbox) = point([s.lon, s.lat]);
            features.push(feature(
                format!("{}-stop-{}", sc.id, s.id),
                geom,
                bbox,
                json!({
                    "scenario": sc.id,
                    "element": "stop",
                    "ref": s.id,
                    "name_zh": s.name,
                    "name_en": s.name_en,
                    "kind": "station",
                    "status": s.status,
                    "position_method": s.position_method,
                    "accuracy_m": s.accuracy_m,
                    "feature": s.feature,
                    "sources": s.sources,
                }),
                [Some(s.name.clone()), s.name_en.clone()]
                    .into_iter()
                    .flatten()
                    .collect(),
            ));
        }
        for l in &sc.links {
            let stop_pos = |id: &str| -> Option<[f64; 2]> {
                t.stop_by_id(id)
                    .and_then(|i| t.stops.get(i as usize).map(|s| s.lonlat))
                    .or_else(|| sc.stops.iter().find(|s| s.id == id).map(|s| [s.lon, s.lat]))
            };
            let stops: Vec<[f64; 2]> = l.stops.iter().filter_map(|s| stop_pos(s)).collect();
            if stops.len() < 2 {
                continue;
            }
            // With via points the alignment runs first stop → via… → last stop.
            let pts: Vec<[f64; 2]> = if l.via.is_empty() {
                stops.clone()
            } else {
                let mut v = vec![stops[0]];
                v.extend_from_slice(&l.via);
                v.push(stops[stops.len() - 1]);
                v
            };
            let (geom, bbox) = line(&pts);
            let track_km = l.hop_lengths_m(&stops).iter().sum::<f64>() / 1000.0;
            features.push(feature(
                format!("{}-link-{}", sc.id, l.id),
                geom,
                bbox,
                json!({
                    "scenario": sc.id,
                    "element": "link",
                    "ref": l.id,
                    "name_zh": l.name_zh,
                    "name_en": l.name_en,
                    "kind": route_kind_str(RouteKind::from_gtfs(l.route_type)),
                    "stops": l.stops.join(","),
                    "color": l.color,
                    "track_km": (track_km * 10.0).round() / 10.0,
                    "track_factor": l.track_factor,
                    "average_speed_kmh": l.average_speed_kmh,
                    "dwell_s": l.dwell_s,
                    "headway_min": l.headway_min,
                    "alignment": l.alignment,
                    "reasoning": l.reasoning,
                    "source": l.source,
                }),
                vec![l.name_zh.clone(), l.name_en.clone()],
            ));
        }
    }
    Layer::new(
        "planned_additions",
        "Planned additions",
        "Stations and links that the scenarios add to the existing network, with the assumptions (speed, dwell, headway, alignment) each rests on.",
        features,
        &[
            ("scenario", scenario_ids),
            ("element", vec!["stop".into(), "link".into()]),
        ],
    )
}
