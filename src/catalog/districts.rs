//! Administrative districts (`districts.geojson`): outlines with adcode and names, used for
//! basemaps and "features in this district" queries.

use super::geom::parse_geometry_opts;
use super::load::{feature_array, parse_json, Issues};
use super::model::CityBounds;
use super::CatalogError;
use crate::dataset::DataSource;
use geo::{Geometry, MultiPolygon};
use serde_json::Value;
use std::collections::HashMap;

/// The file name of the district layer inside a data folder.
pub const DISTRICTS_FILE: &str = "districts.geojson";

/// One district or county with its outline.
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    /// Administrative division code, e.g. "410103".
    pub adcode: String,
    pub name_zh: String,
    pub name_en: String,
    pub geometry: MultiPolygon<f64>,
}

/// Parses and validates a district FeatureCollection: every feature has a unique adcode, both
/// names, and a valid (Multi)Polygon inside the city bounds.
pub fn districts_from_geojson_str(
    text: &str,
    file_label: &str,
    bounds: &CityBounds,
) -> Result<Vec<District>, CatalogError> {
    let doc = parse_json(text, file_label)?;
    let items = feature_array(&doc, file_label)?;
    let mut issues = Issues::new(file_label);
    let mut out = Vec::with_capacity(items.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        let before = issues.total;
        let props = item.get("properties");
        let text_prop = |key: &str| {
            props
                .and_then(|p| p.get(key))
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let adcode = text_prop("adcode");
        let shown = adcode.clone().unwrap_or_else(|| "?".to_string());
        match &adcode {
            None => issues.push(index, &shown, "adcode", "missing adcode (a string)"),
            Some(a) if !a.bytes().all(|b| b.is_ascii_digit()) => {
                issues.push(index, &shown, "adcode", "adcode must be digits")
            }
            Some(a) => {
                if let Some(first) = seen.insert(a.clone(), index) {
                    issues.push(
                        index,
                        &shown,
                        "adcode",
                        format!("duplicate adcode (first used by feature {first})"),
                    );
                }
            }
        }
        let name_zh = text_prop("name_zh");
        if name_zh.is_none() {
            issues.push(index, &shown, "name_zh", "missing or empty");
        }
        let name_en = text_prop("name_en");
        if name_en.is_none() {
            issues.push(index, &shown, "name_en", "missing or empty");
        }
        let geometry = match item.get("geometry") {
            Some(g) if !g.is_null() => match parse_geometry_opts(g, "geometry", bounds, true) {
                Ok(Geometry::Polygon(p)) => Some(MultiPolygon(vec![p])),
                Ok(Geometry::MultiPolygon(m)) => Some(m),
                Ok(_) => {
                    issues.push(
                        index,
                        &shown,
                        "geometry.type",
                        "a district is a Polygon or MultiPolygon",
                    );
                    None
                }
                Err(e) => {
                    issues.push(index, &shown, &e.field, e.message);
                    None
                }
            },
            _ => {
                issues.push(index, &shown, "geometry", "missing or null geometry");
                None
            }
        };
        if issues.total == before {
            if let (Some(adcode), Some(name_zh), Some(name_en), Some(geometry)) =
                (adcode, name_zh, name_en, geometry)
            {
                out.push(District {
                    adcode,
                    name_zh,
                    name_en,
                    geometry,
                });
            }
        }
    }
    issues.into_result(out)
}

/// Loads `districts.geojson` of a data source if it has one (`Ok(None)` when absent).
pub fn load_districts(
    source: &DataSource,
    bounds: &CityBounds,
) -> Result<Option<Vec<District>>, CatalogError> {
    if !source.exists(DISTRICTS_FILE) {
        return Ok(None);
    }
    let text = source.read_to_string(DISTRICTS_FILE)?;
    districts_from_geojson_str(&text, &source.label(DISTRICTS_FILE), bounds).map(Some)
}

/// Reads an area from GeoJSON: a Polygon or MultiPolygon geometry, a Feature with one, or a
/// FeatureCollection (polygons merged). Positions may be anywhere on Earth; clockwise
/// exteriors are accepted.
pub(crate) fn area_from_geojson_str(
    text: &str,
    file_label: &str,
) -> Result<MultiPolygon<f64>, CatalogError> {
    const WORLD: CityBounds = CityBounds {
        min_lon: -180.0,
        min_lat: -90.0,
        max_lon: 180.0,
        max_lat: 90.0,
    };
    let doc = parse_json(text, file_label)?;
    let parse = |message: String| CatalogError::Parse {
        file: file_label.to_string(),
        message,
    };
    let geometries: Vec<(String, &Value)> =
        match doc.get("type").and_then(Value::as_str).unwrap_or("") {
            "FeatureCollection" => feature_array(&doc, file_label)?
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    (
                        format!("features[{i}].geometry"),
                        f.get("geometry").unwrap_or(&Value::Null),
                    )
                })
                .collect(),
            "Feature" => vec![(
                "geometry".to_string(),
                doc.get("geometry").unwrap_or(&Value::Null),
            )],
            _ => vec![("geometry".to_string(), &doc)],
        };
    let mut polys = Vec::new();
    for (field, g) in geometries {
        match parse_geometry_opts(g, &field, &WORLD, false) {
            Ok(Geometry::Polygon(p)) => polys.push(p),
            Ok(Geometry::MultiPolygon(m)) => polys.extend(m.0),
            Ok(_) => return Err(parse(format!("{field}: not a Polygon or MultiPolygon"))),
            Err(e) => return Err(parse(format!("{}: {}", e.field, e.message))),
        }
    }
    if polys.is_empty() {
        return Err(parse("no polygon in the file".to_string()));
    }
    Ok(MultiPolygon(polys))
}
