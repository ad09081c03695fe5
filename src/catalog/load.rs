//! Reading a feature GeoJSON file and validating it against the data schema. Every problem is
//! collected (up to a cap) so a file can be fixed in one pass.

use super::geom::{anchor_of, bbox_of, parse_geometry};
use super::model::{CityBounds, Feature, FeatureKind, PositionInfo, SourceRef, Status};
use super::{CatalogError, ValidationIssue};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// More problems than this are counted but not listed.
pub(crate) const MAX_ISSUES: usize = 100;

/// Collects problems for one file.
pub(crate) struct Issues {
    pub file: String,
    pub list: Vec<ValidationIssue>,
    pub total: usize,
}

impl Issues {
    pub fn new(file: &str) -> Self {
        Issues {
            file: file.to_string(),
            list: Vec::new(),
            total: 0,
        }
    }

    pub fn push(&mut self, index: usize, id: &str, field: &str, message: impl Into<String>) {
        self.total += 1;
        if self.list.len() < MAX_ISSUES {
            self.list.push(ValidationIssue {
                index,
                id: id.to_string(),
                field: field.to_string(),
                message: message.into(),
            });
        }
    }

    pub fn into_result<T>(self, value: T) -> Result<T, CatalogError> {
        if self.total == 0 {
            Ok(value)
        } else {
            Err(CatalogError::Invalid {
                file: self.file,
                issues: self.list,
                total: self.total,
            })
        }
    }
}

/// The `features` array of a FeatureCollection, or a parse error naming the file.
pub(crate) fn feature_array<'a>(doc: &'a Value, file: &str) -> Result<&'a [Value], CatalogError> {
    let parse = |message: &str| CatalogError::Parse {
        file: file.to_string(),
        message: message.to_string(),
    };
    let obj = doc
        .as_object()
        .ok_or_else(|| parse("top level is not a JSON object"))?;
    if obj.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(parse("top level is not a GeoJSON FeatureCollection"));
    }
    obj.get("features")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .ok_or_else(|| parse("FeatureCollection has no 'features' array"))
}

pub(crate) fn parse_json(text: &str, file: &str) -> Result<Value, CatalogError> {
    serde_json::from_str(text).map_err(|e| CatalogError::Parse {
        file: file.to_string(),
        message: e.to_string(),
    })
}

pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn id_prefix(kind: FeatureKind) -> &'static str {
    match kind {
        FeatureKind::Commercial => "com-",
        FeatureKind::Cultural => "cul-",
        FeatureKind::TransportHub => "hub-",
        FeatureKind::FreeTradeZone => "ftz-",
    }
}

/// Parses and validates a whole feature collection.
pub(crate) fn parse_features(
    text: &str,
    file: &str,
    bounds: &CityBounds,
) -> Result<Vec<Feature>, CatalogError> {
    let doc = parse_json(text, file)?;
    let items = feature_array(&doc, file)?;
    let mut issues = Issues::new(file);
    let mut out = Vec::with_capacity(items.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        let before = issues.total;
        let id = item
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if id.is_empty() {
            issues.push(index, "?", "id", "missing id (a string)");
        } else if !valid_id(&id) {
            issues.push(index, &id, "id", "id must match [a-z0-9-]+");
        } else if let Some(first) = seen.get(&id) {
            issues.push(
                index,
                &id,
                "id",
                format!("duplicate id (first used by feature {first})"),
            );
        } else {
            seen.insert(id.clone(), index);
        }
        let shown_id = if id.is_empty() { "?" } else { id.as_str() };
        if let Some(f) = parse_feature(item, index, shown_id, bounds, &mut issues) {
            if issues.total == before {
                out.push(f);
            }
        }
    }
    issues.into_result(out)
}

fn parse_feature(
    item: &Value,
    index: usize,
    id: &str,
    bounds: &CityBounds,
    issues: &mut Issues,
) -> Option<Feature> {
    let mut bad = |field: &str, msg: String| issues.push(index, id, field, msg);
    if item.get("type").and_then(Value::as_str) != Some("Feature") {
        bad("type", "not a GeoJSON Feature".into());
    }
    let geometry = match item.get("geometry") {
        Some(g) if !g.is_null() => match parse_geometry(g, "geometry", bounds) {
            Ok(g) => Some(g),
            Err(e) => {
                bad(&e.field, e.message);
                None
            }
        },
        _ => {
            bad("geometry", "missing or null geometry".into());
            None
        }
    };
    let empty = Map::new();
    let props = match item.get("properties").and_then(Value::as_object) {
        Some(p) => p,
        None => {
            bad("properties", "missing properties object".into());
            &empty
        }
    };

    let string = |bad: &mut dyn FnMut(&str, String), key: &str, required: bool| -> String {
        match props.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(Value::String(_)) | None | Some(Value::Null) => {
                if required {
                    bad(key, "missing or empty".into());
                }
                String::new()
            }
            Some(_) => {
                bad(key, "must be a string".into());
                String::new()
            }
        }
    };
    let kind_s = string(&mut bad, "kind", true);
    let kind = if kind_s.is_empty() {
        None
    } else {
        match kind_s.parse::<FeatureKind>() {
            Ok(k) => Some(k),
            Err(e) => {
                bad("kind", e);
                None
            }
        }
    };
    if let Some(k) = kind {
        if !id.starts_with(id_prefix(k)) && id != "?" {
            bad(
                "id",
                format!("a {k} feature's id starts with '{}'", id_prefix(k)),
            );
        }
    }
    let status_s = string(&mut bad, "status", true);
    let status = if status_s.is_empty() {
        None
    } else {
        match status_s.parse::<Status>() {
            Ok(s) => Some(s),
            Err(e) => {
                bad("status", e);
                None
            }
        }
    };
    let subkind = string(&mut bad, "subkind", true);
    if !subkind.is_empty()
        && !subkind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        bad("subkind", "subkind must be snake_case [a-z0-9_]+".into());
    }
    let name_zh = string(&mut bad, "name_zh", true);
    let name_en = string(&mut bad, "name_en", true);
    let name_pinyin = string(&mut bad, "name_pinyin", false);
    let note = Some(string(&mut bad, "note", false)).filter(|s| !s.is_empty());
    let district = Some(string(&mut bad, "district", false)).filter(|s| !s.is_empty());

    let aliases = match props.get("aliases") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => {
            let mut v = Vec::with_capacity(a.len());
            for (i, x) in a.iter().enumerate() {
                match x.as_str() {
                    Some(s) if !s.trim().is_empty() => v.push(s.to_string()),
                    _ => bad(
                        &format!("aliases[{i}]"),
                        "an alias is a non-empty string".into(),
                    ),
                }
            }
            v
        }
        Some(_) => {
            bad("aliases", "must be an array of strings".into());
            Vec::new()
        }
    };

    let int = |bad: &mut dyn FnMut(&str, String), key: &str| -> Option<i32> {
        match props.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_i64().and_then(|x| i32::try_from(x).ok()) {
                Some(x) => Some(x),
                None => {
                    bad(key, "must be an integer year or null".into());
                    None
                }
            },
        }
    };
    let year = int(&mut bad, "year");
    let status_as_of = int(&mut bad, "status_as_of");

    let area_km2 = match props.get("area_km2") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_f64() {
            Some(x) if x.is_finite() && x > 0.0 => Some(x),
            _ => {
                bad("area_km2", "must be a positive number or null".into());
                None
            }
        },
    };

    let mut sources = Vec::new();
    match props.get("sources") {
        Some(Value::Array(a)) if !a.is_empty() => {
            for (i, s) in a.iter().enumerate() {
                let field = format!("sources[{i}]");
                let doc = s.get("doc").and_then(Value::as_str).unwrap_or("");
                if doc.trim().is_empty() {
                    bad(&format!("{field}.doc"), "missing seed document name".into());
                }
                let line = s.get("line").and_then(Value::as_u64);
                match line {
                    Some(l) if l >= 1 && l <= u64::from(u32::MAX) => sources.push(SourceRef {
                        doc: doc.to_string(),
                        line: l as u32,
                    }),
                    _ => bad(
                        &format!("{field}.line"),
                        "line must be a 1-based line number".into(),
                    ),
                }
            }
        }
        Some(Value::Array(_)) => bad("sources", "at least one source is required".into()),
        _ => bad("sources", "missing sources (a list of {doc, line})".into()),
    }

    let position = match props.get("position").and_then(Value::as_object) {
        Some(p) => {
            let method = p.get("method").and_then(Value::as_str).unwrap_or("");
            if method.is_empty() {
                bad("position.method", "missing or empty".into());
            }
            let acc = p.get("accuracy_m").and_then(Value::as_f64);
            let accuracy_m = match acc {
                Some(a) if a.is_finite() && a > 0.0 => a,
                _ => {
                    bad(
                        "position.accuracy_m",
                        "must be a positive number of metres".into(),
                    );
                    f64::NAN
                }
            };
            PositionInfo {
                method: method.to_string(),
                accuracy_m,
                anchor: p.get("anchor").and_then(Value::as_str).map(str::to_string),
            }
        }
        None => {
            bad("position", "missing position {method, accuracy_m}".into());
            PositionInfo {
                method: String::new(),
                accuracy_m: f64::NAN,
                anchor: None,
            }
        }
    };

    let (geometry, kind, status) = (geometry?, kind?, status?);
    Some(Feature {
        id: id.to_string(),
        kind,
        subkind,
        name_zh,
        name_en,
        name_pinyin,
        aliases,
        status,
        year,
        status_as_of,
        sources,
        position,
        area_km2,
        district,
        note,
        anchor: anchor_of(&geometry),
        bbox: bbox_of(&geometry),
        geometry,
    })
}
