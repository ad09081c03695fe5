//! Plan targets as the data states them: the plan's own measurable promises, each with the
//! seed line that makes it, loaded and checked once with the city. Evaluating them against a
//! scenario is an analysis (`reach::targets`).

use crate::catalog::SourceRef;
use serde::{Deserialize, Serialize};

/// The modes a city target may name: `reach::Mode`'s names (a test keeps the two equal; the
/// data sits below the engine, so it cannot use the engine's type).
pub const TARGET_MODES: [&str; 4] = ["walk", "bike", "drive", "transit"];

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("{path}: not a valid targets file: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: target {id}: {message}")]
    Invalid {
        path: String,
        id: String,
        message: String,
    },
}

/// One promise of a plan, with the seed line that makes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub id: String,
    pub title_en: String,
    /// Catalog feature id of the origin ("" where the promise names none).
    #[serde(default)]
    pub from: String,
    /// Catalog feature id of the destination ("" where the promise names none).
    #[serde(default)]
    pub to: String,
    /// Stops where arrival counts as reaching the destination.
    #[serde(default)]
    pub to_stops: Vec<String>,
    #[serde(default)]
    pub to_description: String,
    #[serde(default)]
    pub max_minutes: Option<f64>,
    #[serde(default)]
    pub min_km: Option<f64>,
    /// National circle targets: the share of China's cities that must lie within the time.
    #[serde(default)]
    pub min_city_share: Option<f64>,
    /// National circle targets: the share of China's people that must lie within the time.
    #[serde(default)]
    pub min_population_share: Option<f64>,
    #[serde(default)]
    pub by_year: Option<i32>,
    #[serde(default = "default_mode")]
    pub mode: String,
    pub source: SourceRef,
    #[serde(default)]
    pub quote_zh: String,
    pub evaluable: bool,
    #[serde(default)]
    pub why: Option<String>,
}

/// Target modes evaluated on the national layer rather than the city's network.
pub const NATIONAL_CIRCLE: &str = "national_circle";
pub const NATIONAL_CAPITALS: &str = "national_capitals";

fn default_mode() -> String {
    "transit".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetsFile {
    #[serde(default, rename = "target")]
    targets: Vec<Target>,
}

impl Target {
    pub fn parse_all(text: &str, path: &str) -> Result<Vec<Target>, TargetError> {
        let file: TargetsFile = toml::from_str(text).map_err(|e| TargetError::Parse {
            path: path.to_string(),
            message: e.to_string(),
        })?;
        let mut seen = std::collections::HashSet::new();
        for t in &file.targets {
            let invalid = |message: &str| TargetError::Invalid {
                path: path.to_string(),
                id: t.id.clone(),
                message: message.to_string(),
            };
            if !seen.insert(t.id.clone()) {
                return Err(invalid("duplicate id"));
            }
            let share_ok = |v: Option<f64>| v.is_some_and(|x| x > 0.0 && x <= 1.0);
            if t.evaluable && (t.mode == NATIONAL_CIRCLE || t.mode == NATIONAL_CAPITALS) {
                match t.max_minutes {
                    Some(m) if m.is_finite() && m > 0.0 => {}
                    _ => return Err(invalid("an evaluable target needs max_minutes > 0")),
                }
                if t.mode == NATIONAL_CIRCLE
                    && !(share_ok(t.min_city_share) && share_ok(t.min_population_share))
                {
                    return Err(invalid(
                        "a national circle needs min_city_share and min_population_share in (0, 1]",
                    ));
                }
            } else if t.evaluable {
                if t.from.is_empty() || t.to_stops.is_empty() {
                    return Err(invalid("an evaluable target needs `from` and `to_stops`"));
                }
                match t.max_minutes {
                    Some(m) if m.is_finite() && m > 0.0 => {}
                    _ => return Err(invalid("an evaluable target needs max_minutes > 0")),
                }
                if !TARGET_MODES.contains(&t.mode.as_str()) {
                    return Err(invalid("mode must be walk, bike, drive or transit"));
                }
            } else if t.why.as_deref().unwrap_or("").is_empty() {
                return Err(invalid("a target that is not evaluable must say why"));
            }
        }
        Ok(file.targets)
    }
}
