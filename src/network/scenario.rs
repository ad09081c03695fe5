//! Named scenarios: a base and modifications (the language of [`crate::scenario::model`]),
//! declared in TOML with every assumption written next to its value. The stops, links and
//! transfers a scenario adds are listed here once its modifications are applied.

use crate::catalog::SourceRef;
use crate::geodesy::haversine_m;
use crate::scenario::model::Modification;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{path}: not a valid scenario file: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: {item}: {message}")]
    Invalid {
        path: String,
        item: String,
        message: String,
    },
}

/// A named network state: `existing`, `plan-2025`, …
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub as_of: Option<i32>,
    #[serde(default)]
    pub sources: Vec<SourceRef>,
    /// The scenario the modifications apply to (`None`: the base feed, `existing`).
    #[serde(default)]
    pub base: Option<String>,
    #[serde(default, rename = "modification")]
    pub modifications: Vec<Modification>,
    /// Stops the modifications add, once applied.
    #[serde(skip_deserializing)]
    pub stops: Vec<ScenarioStop>,
    /// Lines the modifications add, once applied.
    #[serde(skip_deserializing)]
    pub links: Vec<ScenarioLink>,
    /// Transfers the modifications add, once applied.
    #[serde(skip_deserializing)]
    pub transfers: Vec<ScenarioTransfer>,
    /// Where the scenario was read from, for error messages.
    #[serde(skip)]
    pub path: String,
}

/// A station the scenario adds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioStop {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    pub lon: f64,
    pub lat: f64,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub position_method: Option<String>,
    #[serde(default)]
    pub accuracy_m: Option<f64>,
    /// The catalog feature this stop realises, if any.
    #[serde(default)]
    pub feature: Option<String>,
    #[serde(default)]
    pub sources: Vec<SourceRef>,
}

/// A service the scenario adds: a stop sequence run in both directions, with the assumptions
/// that give its run times and headway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioLink {
    pub id: String,
    #[serde(default)]
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    /// GTFS route_type (1 metro, 2 rail, 3 bus …).
    pub route_type: i32,
    pub stops: Vec<String>,
    /// Run time of each hop, minutes (when given, instead of the speed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub run_min: Vec<f64>,
    /// Alignment shape points (lon, lat) between the first and the last stop.
    #[serde(default)]
    pub via: Vec<[f64; 2]>,
    /// Track length ÷ straight-line length, used where no via points are given.
    #[serde(default = "default_track_factor")]
    pub track_factor: f64,
    pub average_speed_kmh: f64,
    #[serde(default)]
    pub dwell_s: f64,
    pub headway_min: f64,
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub alignment: String,
    #[serde(default)]
    pub reasoning: String,
    #[serde(default)]
    pub source: String,
}

/// A walking link the scenario adds between two stops (both directions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioTransfer {
    pub from: String,
    pub to: String,
    pub secs: f32,
}

fn default_track_factor() -> f64 {
    1.15
}

impl Scenario {
    /// The base network with nothing added.
    pub fn existing() -> Scenario {
        Scenario {
            id: "existing".into(),
            name: "Existing network".into(),
            description: "The base transit feed as it is.".into(),
            as_of: None,
            sources: Vec::new(),
            base: None,
            modifications: Vec::new(),
            stops: Vec::new(),
            links: Vec::new(),
            transfers: Vec::new(),
            path: String::new(),
        }
    }

    /// Parses and checks a scenario file.
    pub fn parse(text: &str, path: &str) -> Result<Scenario, ScenarioError> {
        let mut s: Scenario = toml::from_str(text).map_err(|e| ScenarioError::Parse {
            path: path.to_string(),
            message: e.to_string(),
        })?;
        s.path = path.to_string();
        s.validate()?;
        Ok(s)
    }

    fn validate(&self) -> Result<(), ScenarioError> {
        let invalid = |item: String, message: &str| ScenarioError::Invalid {
            path: self.path.clone(),
            item,
            message: message.to_string(),
        };
        if self.id.is_empty()
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(invalid(
                "id".into(),
                "must be non-empty letters, digits, '-' or '_'",
            ));
        }
        if self.base.as_deref().is_some_and(|b| b != "existing") {
            return Err(invalid(
                "base".into(),
                "a scenario file builds on 'existing'; give other bases with a request",
            ));
        }
        Ok(())
    }
}

impl ScenarioLink {
    /// Track length in metres of each hop between consecutive stops.
    ///
    /// With via points the alignment is stop → via… → stop, and each hop gets the share of the
    /// polyline between the stops' projections; without, straight line × track factor.
    pub fn hop_lengths_m(&self, stops: &[[f64; 2]]) -> Vec<f64> {
        let straight: Vec<f64> = stops.windows(2).map(|w| haversine_m(w[0], w[1])).collect();
        if self.via.is_empty() {
            return straight.iter().map(|d| d * self.track_factor).collect();
        }
        // Stretch the straight hops so that they add up to the polyline's length.
        let mut line = Vec::with_capacity(self.via.len() + 2);
        line.push(stops[0]);
        line.extend_from_slice(&self.via);
        line.push(stops[stops.len() - 1]);
        let poly: f64 = line.windows(2).map(|w| haversine_m(w[0], w[1])).sum();
        let total: f64 = straight.iter().sum();
        let scale = if total > 0.0 {
            (poly / total).max(1.0)
        } else {
            1.0
        };
        straight.iter().map(|d| d * scale).collect()
    }

    /// Cumulative arrival times (s) at each stop from the first stop's departure: each hop runs
    /// at the average speed, and every intermediate stop adds the dwell.
    pub fn run_times_s(&self, stops: &[[f64; 2]]) -> Vec<f32> {
        let speed_ms = self.average_speed_kmh / 3.6;
        let mut t = 0.0;
        let mut out = vec![0.0f32];
        for (i, len) in self.hop_lengths_m(stops).into_iter().enumerate() {
            if i > 0 {
                t += self.dwell_s;
            }
            t += match self.run_min.get(i) {
                Some(m) => m * 60.0,
                None => len / speed_ms,
            };
            out.push(t as f32);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(via: Vec<[f64; 2]>) -> ScenarioLink {
        ScenarioLink {
            id: "l".into(),
            name_zh: String::new(),
            name_en: String::new(),
            route_type: 2,
            stops: vec!["a".into(), "b".into(), "c".into()],
            run_min: Vec::new(),
            via,
            track_factor: 1.2,
            average_speed_kmh: 120.0,
            dwell_s: 60.0,
            headway_min: 10.0,
            color: None,
            alignment: String::new(),
            reasoning: String::new(),
            source: String::new(),
        }
    }

    #[test]
    fn run_times_follow_from_distance_speed_and_dwell() {
        // Two hops of 0.1° latitude (≈ 11.12 km each) at 120 km/h with track factor 1.2.
        let stops = [[113.0, 34.0], [113.0, 34.1], [113.0, 34.2]];
        let t = link(Vec::new()).run_times_s(&stops);
        let hop = haversine_m(stops[0], stops[1]) * 1.2 / (120.0 / 3.6);
        assert!((t[1] as f64 - hop).abs() < 0.01);
        assert!((t[2] as f64 - (2.0 * hop + 60.0)).abs() < 0.05);
    }

    #[test]
    fn via_points_lengthen_the_track() {
        let stops = [[113.0, 34.0], [113.0, 34.1], [113.0, 34.2]];
        let straight: f64 = link(Vec::new()).hop_lengths_m(&stops).iter().sum::<f64>() / 1.2;
        let bent: f64 = link(vec![[113.1, 34.1]]).hop_lengths_m(&stops).iter().sum();
        let poly = haversine_m(stops[0], [113.1, 34.1]) + haversine_m([113.1, 34.1], stops[2]);
        assert!((bent - poly).abs() < 1.0, "{bent} vs {poly}");
        assert!(bent > straight);
    }

    #[test]
    fn a_file_builds_on_existing() {
        let text = r#"
id = "x"
name = "x"
base = "plan-2025"
"#;
        let err = Scenario::parse(text, "x.toml").unwrap_err().to_string();
        assert!(err.contains("x.toml") && err.contains("base"), "{err}");
    }

    #[test]
    fn the_shipped_scenarios_parse() {
        for name in ["existing", "plan-2025"] {
            let path = format!(
                "{}/geodata/zhengzhou/scenarios/{name}.toml",
                env!("CARGO_MANIFEST_DIR")
            );
            let text = std::fs::read_to_string(&path).unwrap();
            let s = Scenario::parse(&text, &path).unwrap();
            assert_eq!(s.id, name);
        }
    }
}
