//! Street legs. The reach engine only sees [`StreetModel`]: given seed points with start
//! times, it spreads over the streets and answers "when is this point reached?". The crow-fly
//! proxy and an imported OpenStreetMap graph both implement it, so the transit search never
//! changes when a real street network is loaded.

mod crowfly;
pub mod osm;

pub use crowfly::CrowFly;

use crate::raster::TimeGrid;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// How a person moves on the streets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreetMode {
    Walk,
    Bike,
    Drive,
}

impl StreetMode {
    pub const ALL: [StreetMode; 3] = [StreetMode::Walk, StreetMode::Bike, StreetMode::Drive];

    pub fn as_str(self) -> &'static str {
        match self {
            StreetMode::Walk => "walk",
            StreetMode::Bike => "bike",
            StreetMode::Drive => "drive",
        }
    }
}

impl fmt::Display for StreetMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StreetMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StreetMode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| format!("unknown street mode '{s}' (expected walk, bike or drive)"))
    }
}

/// A starting point of a street spread: a position and the time (s) it is reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seed {
    pub lonlat: [f64; 2],
    pub secs: f64,
}

/// An arrival time (s) at a point and the index of the seed that reached it first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StreetTime {
    pub secs: f64,
    pub seed: usize,
}

/// What produced the street legs of an answer; reported in every answer's metadata.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct StreetModelInfo {
    /// `crow_fly` or `osm`.
    pub model: String,
    pub mode: StreetMode,
    /// Speed used for the mode where one speed applies (walk, bike; and the crow-fly drive proxy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speed_kmh: Option<f64>,
    /// Network distance / straight-line distance assumed by the crow-fly proxy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detour_factor: Option<f64>,
    pub description: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StreetError {
    #[error("the street network has no {0} graph")]
    ModeUnavailable(StreetMode),
    #[error("no street of the {mode} graph within {max_snap_m} m of ({lon}, {lat})")]
    NoStreetNearby {
        mode: StreetMode,
        lon: f64,
        lat: f64,
        max_snap_m: f64,
    },
}

/// A source of street travel times.
pub trait StreetModel: Send + Sync {
    fn info(&self, mode: StreetMode) -> StreetModelInfo;

    fn supports(&self, mode: StreetMode) -> bool;

    /// Spreads from `seeds` over the streets for `mode`, up to `max_secs`.
    fn spread(
        &self,
        mode: StreetMode,
        seeds: &[Seed],
        max_secs: f64,
    ) -> Result<Box<dyn StreetField + '_>, StreetError>;

    /// (lon, lat) box of the streets the model holds, or `None` for a model that answers
    /// anywhere (the crow-fly proxy). A city's area includes it.
    fn extent(&self) -> Option<[f64; 4]> {
        None
    }

    /// The time from one point to another where it depends on those two points alone (the
    /// crow-fly proxy), so that a spread's time at a point is the least over the seeds of
    /// `seed time + pairwise_secs(seed, point)`, computed exactly so. `None` for street
    /// networks, where times come from a spread. Many-origin analyses use it to precompute
    /// stop-to-destination times once.
    fn pairwise_secs(&self, _mode: StreetMode, _from: [f64; 2], _to: [f64; 2]) -> Option<f64> {
        None
    }

    /// Seconds from each origin (a seed at time 0) to each destination, row-major, each what
    /// the origin's [`StreetModel::spread`] gives at the destination (`None` beyond `max_secs`,
    /// off the streets, or from an origin off the streets). `None` where the model has no
    /// faster way than one spread per origin.
    fn many_to_many(
        &self,
        _mode: StreetMode,
        _origins: &[[f64; 2]],
        _destinations: &[[f64; 2]],
        _max_secs: f64,
    ) -> Option<Vec<Option<f64>>> {
        None
    }
}

/// The result of a spread: earliest arrival times over the street network.
pub trait StreetField {
    /// Earliest arrival at a point, with the seed it came from (index into the `seeds` given to
    /// [`StreetModel::spread`]), or `None` beyond the budget or off the network. The seed lets
    /// the reach engine explain a result leg by leg ("walk from stop X").
    fn time_at(&self, lonlat: [f64; 2]) -> Option<StreetTime>;

    /// Lowers every grid cell to the earliest arrival at its centre (within the budget).
    fn fill_grid(&self, grid: &mut TimeGrid);

    /// (lon, lat) bounding box of everything reached, or `None` if nothing is.
    fn extent(&self) -> Option<[f64; 4]>;
}

/// Loads the street graphs written by `import-osm` from a folder.
pub fn load_street_model(dir: &std::path::Path) -> Result<Box<dyn StreetModel>, osm::OsmError> {
    Ok(Box::new(osm::OsmStreets::load(dir)?))
}
