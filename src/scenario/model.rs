//! The modification language: what a scenario changes on top of its base, the same in files
//! (TOML), in requests and share links (JSON).
//!
//! Field names follow the request example of the map and the API: `headway_min`, `speed_kmh`,
//! stops as ids, names or `{name, lon, lat}`.

use crate::catalog::SourceRef;
use serde::{Deserialize, Serialize};

/// One change to a network. Applied in the order of [`Modification::ORDER`], whatever the
/// order they are listed in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Modification {
    AddLine(Box<AddLine>),
    AdjustFrequency(AdjustFrequency),
    AdjustSpeed(AdjustSpeed),
    RemoveStops(RemoveStops),
    RemoveRoute(RemoveRoute),
    AddTransfer(AddTransfer),
}

impl Modification {
    /// The fixed order modifications are applied in: removals first (so nothing is adjusted or
    /// connected only to vanish), then adjustments of the remaining base routes, then additions
    /// (new lines, then the transfers that may join them). Within one type, as listed.
    pub const ORDER: [&'static str; 6] = [
        "remove-route",
        "remove-stops",
        "adjust-speed",
        "adjust-frequency",
        "add-line",
        "add-transfer",
    ];

    pub fn type_name(&self) -> &'static str {
        match self {
            Modification::AddLine(_) => "add-line",
            Modification::AdjustFrequency(_) => "adjust-frequency",
            Modification::AdjustSpeed(_) => "adjust-speed",
            Modification::RemoveStops(_) => "remove-stops",
            Modification::RemoveRoute(_) => "remove-route",
            Modification::AddTransfer(_) => "add-transfer",
        }
    }

    /// Position of this type in [`Modification::ORDER`].
    pub fn rank(&self) -> usize {
        let t = self.type_name();
        Modification::ORDER
            .iter()
            .position(|o| *o == t)
            .unwrap_or(0)
    }

    /// Whether the modification only adds to the base (a named scenario file may hold only
    /// these, as its elements are overlaid on the shared network).
    pub fn is_additive(&self) -> bool {
        matches!(
            self,
            Modification::AddLine(_) | Modification::AddTransfer(_)
        )
    }
}

/// The kind of vehicle a new line runs, with the fastest average it may be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineMode {
    Tram,
    Metro,
    Rail,
    Bus,
}

impl LineMode {
    /// GTFS `route_type`.
    pub fn route_type(self) -> i32 {
        match self {
            LineMode::Tram => 0,
            LineMode::Metro => 1,
            LineMode::Rail => 2,
            LineMode::Bus => 3,
        }
    }

    /// The highest average speed, km/h, a line of this mode may be given: above what the
    /// fastest vehicles of the mode sustain between stops (trams and buses in streets, metro
    /// up to the 120–160 km/h airport metros, high-speed rail at 350 km/h).
    pub fn max_speed_kmh(self) -> f64 {
        match self {
            LineMode::Tram => 70.0,
            LineMode::Metro => 160.0,
            LineMode::Rail => 350.0,
            LineMode::Bus => 100.0,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LineMode::Tram => "tram",
            LineMode::Metro => "metro",
            LineMode::Rail => "rail",
            LineMode::Bus => "bus",
        }
    }
}

/// A stop of a new line: an existing stop (id or name), or a new one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StopRef {
    Existing(String),
    New(NewStop),
}

/// A stop a line adds, with what is known about its position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewStop {
    /// Default: derived from the modification's index and the stop's place in the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    pub lon: f64,
    pub lat: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy_m: Option<f64>,
    /// The catalog feature this stop realises, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceRef>,
    /// Why the stop is where it is.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

fn default_track_factor() -> f64 {
    1.15
}

fn is_default_track_factor(f: &f64) -> bool {
    *f == default_track_factor()
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// A new route through existing and/or new stops, run in both directions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddLine {
    /// Default: `line-<index>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The name a planner reads (English or either script).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    pub mode: LineMode,
    pub stops: Vec<StopRef>,
    /// Minutes between departures (each direction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headway_min: Option<f64>,
    /// Average speed including acceleration; run times follow from track length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_kmh: Option<f64>,
    /// Run time of each hop, minutes (instead of `speed_kmh`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_min: Option<Vec<f64>>,
    /// Stop time at each intermediate stop, seconds.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dwell_s: f64,
    /// Track length ÷ straight-line length where no via points are given.
    #[serde(
        default = "default_track_factor",
        skip_serializing_if = "is_default_track_factor"
    )]
    pub track_factor: f64,
    /// Alignment points (lon, lat) between the first and the last stop.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<[f64; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub alignment: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reasoning: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

/// A route's headway, optionally for a time window of the day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustFrequency {
    /// Route id, or its short or long name (`metro-chengjiao`, `城郊线`, `Chengjiao Line`).
    pub route: String,
    pub headway_min: f64,
    /// `["HH:MM", "HH:MM"]`: the new headway runs only then. The steady-state search averages
    /// service over 06:00–23:00, so a window changes the average by its share of that day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<[String; 2]>,
}

/// A route's speed: a factor on its run times, or an average speed, optionally only between
/// two of its stops.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustSpeed {
    pub route: String,
    /// Speed multiplier: 1.25 runs the hops in 1/1.25 of their time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<f64>,
    /// Average speed over each hop's straight line × 1.15 (the track factor of new lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_kmh: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// Stops closed: to every route, or only to one (the vehicles still pass, without stopping).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoveStops {
    pub stops: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
}

/// A route taken out of service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoveRoute {
    pub route: String,
}

/// A walking link between two stops, both directions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddTransfer {
    pub from: String,
    pub to: String,
    /// Default: the walk estimate of the base feed (crow-fly × 1.3 at 4.8 km/h, plus a minute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<f64>,
}

/// A scenario given with a request: a named base and modifications on top of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    #[serde(default = "default_base")]
    pub base: String,
    #[serde(default)]
    pub modifications: Vec<Modification>,
}

pub fn default_base() -> String {
    "existing".into()
}
