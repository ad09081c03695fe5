//! What-if scenarios: a base network plus modifications, given in a scenario file or with a
//! request.
//!
//! - [`model`]: the modification language (`add-line`, `adjust-frequency`, `adjust-speed`,
//!   `remove-stops`, `remove-route`, `add-transfer`), one serde enum for TOML and JSON;
//! - [`resolve`]: every modification checked against the base network, all problems at once;
//! - [`apply`]: the checked modifications applied in a fixed order, producing the same stops,
//!   routes, patterns and transfers the search compiles for a named scenario;
//! - [`cache`]: compiled request scenarios, bounded, keyed by a content hash.

pub mod apply;
pub mod cache;
pub mod model;
pub mod resolve;

use crate::city::City;
use crate::reach::{ReachError, ReachRequest, ReachResult};
pub use model::{Modification, ScenarioSpec};
use serde::Serialize;
use std::sync::Arc;

/// The most modifications one scenario may hold.
pub const MAX_MODIFICATIONS: usize = 50;

/// One thing wrong with one modification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// Position in the list of modifications (`None`: the list or the scenario as a whole).
    pub index: Option<usize>,
    /// The modification's `type` as given.
    #[serde(rename = "type")]
    pub kind: String,
    /// The field at fault, e.g. `stops[1]` or `headway_min`.
    pub field: String,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.index {
            Some(i) => write!(f, "modification {i} ({}), {}: ", self.kind, self.field)?,
            None => write!(f, "{}: ", self.field)?,
        }
        write!(f, "{}", self.message)?;
        if !self.suggestions.is_empty() {
            write!(f, " (did you mean: {}?)", self.suggestions.join(", "))?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// Modifications that cannot be applied; nothing is.
    #[error("{}", join_problems(.0))]
    Invalid(Vec<Problem>),
    #[error("unknown base scenario '{name}' (known: {})", known.join(", "))]
    UnknownBase { name: String, known: Vec<String> },
    /// A modifications file that is not a list of modifications.
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error(transparent)]
    Reach(#[from] ReachError),
}

fn join_problems(p: &[Problem]) -> String {
    let n = p.len();
    let head = if n == 1 {
        "1 problem with the modifications".to_string()
    } else {
        format!("{n} problems with the modifications")
    };
    let list: Vec<String> = p.iter().map(|x| x.to_string()).collect();
    format!("{head}: {}", list.join("; "))
}

/// A scenario compiled for requests: a city whose transit holds the named scenarios and, last,
/// this one, with what answers echo.
#[derive(Debug)]
pub struct Compiled {
    pub city: City,
    /// `<base>+<first 8 hex digits of the hash>`: the scenario's id in answers.
    pub id: String,
    pub base: String,
    pub hash: String,
    pub modifications: Vec<Modification>,
}

impl Compiled {
    /// What an answer's metadata says about the scenario.
    pub fn metadata(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "name": format!("{} + {} modifications", self.base, self.modifications.len()),
            "base": self.base,
            "hash": self.hash,
            "modifications": self.modifications,
        })
    }
}

/// Parses a list of modifications (a JSON array) item by item, so each problem names its index.
pub fn parse_list(items: &[serde_json::Value]) -> Result<Vec<Modification>, ScenarioError> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    if items.len() > MAX_MODIFICATIONS {
        return Err(ScenarioError::Invalid(vec![Problem {
            index: None,
            kind: String::new(),
            field: "modifications".into(),
            message: format!(
                "{} modifications; at most {MAX_MODIFICATIONS} in one scenario",
                items.len()
            ),
            suggestions: Vec::new(),
        }]));
    }
    for (i, v) in items.iter().enumerate() {
        match serde_json::from_value::<Modification>(v.clone()) {
            Ok(m) => out.push(m),
            Err(e) => problems.push(Problem {
                index: Some(i),
                kind: v
                    .get("type")
                    .and_then(|t| t.as_str())
                    .unwrap_or("?")
                    .chars()
                    .take(40)
                    .collect(),
                field: field_of(&e.to_string()),
                message: e.to_string(),
                suggestions: Vec::new(),
            }),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ScenarioError::Invalid(problems))
    }
}

// serde names the field in backquotes: "missing field `stops`", "unknown field `spead`".
fn field_of(message: &str) -> String {
    if message.contains("variant") {
        return "type".into();
    }
    message
        .split('`')
        .nth(1)
        .map(str::to_string)
        .unwrap_or_else(|| "-".into())
}

/// Reads a modifications file: JSON (a list, or `{"base", "modifications"}`) or TOML
/// (`base = …` and `[[modification]]` tables). Returns the base it names, if any.
pub fn parse_file(
    text: &str,
    path: &str,
) -> Result<(Option<String>, Vec<Modification>), ScenarioError> {
    let file = |message: String| ScenarioError::File {
        path: path.to_string(),
        message,
    };
    let value: serde_json::Value = if path.ends_with(".toml") {
        let t: toml::Value = toml::from_str(text).map_err(|e| file(e.to_string()))?;
        serde_json::to_value(t).map_err(|e| file(e.to_string()))?
    } else {
        serde_json::from_str(text).map_err(|e| file(format!("not valid JSON: {e}")))?
    };
    let (base, items) = match &value {
        serde_json::Value::Array(a) => (None, a.clone()),
        serde_json::Value::Object(o) => {
            for k in o.keys() {
                if !["base", "modifications", "modification"].contains(&k.as_str()) {
                    return Err(file(format!(
                        "unknown field '{k}' (fields: base, modifications)"
                    )));
                }
            }
            let base = match o.get("base") {
                None => None,
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(_) => return Err(file("base: must be a scenario id".into())),
            };
            let items = match o.get("modifications").or_else(|| o.get("modification")) {
                Some(serde_json::Value::Array(a)) => a.clone(),
                None => Vec::new(),
                Some(_) => return Err(file("modifications: must be a list".into())),
            };
            (base, items)
        }
        _ => {
            return Err(file(
                "expected a list of modifications or {\"base\", \"modifications\"}".into(),
            ))
        }
    };
    let mods = parse_list(&items).map_err(|e| match e {
        ScenarioError::Invalid(p) => ScenarioError::Invalid(p),
        other => other,
    })?;
    Ok((base, mods))
}

/// The scenario a request names: an id, or a base with modifications (compiled through the
/// city's cache). `None` when the id alone answers.
pub fn compile_for(
    city: &City,
    base: &str,
    modifications: &[Modification],
) -> Result<Option<Arc<Compiled>>, ScenarioError> {
    if modifications.is_empty() {
        return Ok(None);
    }
    city.scenario_cache
        .get_or_compile(city, base, modifications)
        .map(Some)
}

/// Compiles a scenario without the cache: resolve (every problem at once), then apply.
pub fn compile(
    city: &City,
    base: &str,
    modifications: &[Modification],
) -> Result<Compiled, ScenarioError> {
    let base_index =
        city.transit
            .scenario_index(base)
            .ok_or_else(|| ScenarioError::UnknownBase {
                name: base.to_string(),
                known: city.scenario_ids().iter().map(|s| s.to_string()).collect(),
            })?;
    let hash = cache::content_hash(city, base_index, modifications);
    let id = format!("{base}+{}", &hash[..8]);
    let mut net = apply::with_scenario(&city.transit, base_index, &id, modifications);
    let k = net.scenarios.len() - 1;
    let ctx = resolve::Context {
        net: &net,
        base: k,
        area: Some(city.area),
        catalog: Some(&city.catalog),
        named: false,
    };
    let resolved = resolve::resolve(&ctx, modifications)?;
    apply::apply(&mut net, k, &id, &resolved);
    let mut sc = net.scenarios[k].clone();
    apply::list_additions(&net, &resolved, &mut sc);
    net.scenarios[k] = sc;
    let city = city.with_transit(net);
    Ok(Compiled {
        city,
        id,
        base: base.to_string(),
        hash,
        modifications: modifications.to_vec(),
    })
}

/// A reach on a base scenario with modifications: the same answer a named scenario holding
/// them would give, with the modifications and their hash in the metadata.
pub fn reach(
    city: &City,
    req: &ReachRequest,
    modifications: &[Modification],
) -> Result<ReachResult, ScenarioError> {
    let Some(c) = compile_for(city, &req.scenario, modifications)? else {
        return Ok(crate::reach::reach(city, req)?);
    };
    let mut r = req.clone();
    r.scenario = c.id.clone();
    let mut result = crate::reach::reach(&c.city, &r)?;
    result.metadata["scenario"] = c.metadata();
    Ok(result)
}
