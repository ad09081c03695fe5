//! The planning-feature data model: what every catalog entry carries.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The four planning layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    Commercial,
    Cultural,
    TransportHub,
    FreeTradeZone,
}

impl FeatureKind {
    pub const ALL: [FeatureKind; 4] = [
        FeatureKind::Commercial,
        FeatureKind::Cultural,
        FeatureKind::TransportHub,
        FeatureKind::FreeTradeZone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FeatureKind::Commercial => "commercial",
            FeatureKind::Cultural => "cultural",
            FeatureKind::TransportHub => "transport_hub",
            FeatureKind::FreeTradeZone => "free_trade_zone",
        }
    }
}

impl fmt::Display for FeatureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FeatureKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FeatureKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!("unknown kind '{s}' (expected commercial, cultural, transport_hub or free_trade_zone)")
            })
    }
}

/// Life-cycle status of a feature, as of the newest source that fixes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Existing,
    UnderConstruction,
    Planned,
    Proposed,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Existing,
        Status::UnderConstruction,
        Status::Planned,
        Status::Proposed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Existing => "existing",
            Status::UnderConstruction => "under_construction",
            Status::Planned => "planned",
            Status::Proposed => "proposed",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!("unknown status '{s}' (expected existing, under_construction, planned or proposed)")
            })
    }
}

/// A citation of the seed document line where the feature's name starts (1-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    pub doc: String,
    pub line: u32,
}

/// How a feature's geometry was obtained and how far off it may be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PositionInfo {
    pub method: String,
    pub accuracy_m: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
}

/// One planning feature: a business district, a heritage site, a station, a zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub id: String,
    pub kind: FeatureKind,
    pub subkind: String,
    pub name_zh: String,
    pub name_en: String,
    pub name_pinyin: String,
    pub aliases: Vec<String>,
    pub status: Status,
    pub year: Option<i32>,
    pub status_as_of: Option<i32>,
    pub sources: Vec<SourceRef>,
    pub position: PositionInfo,
    pub area_km2: Option<f64>,
    pub district: Option<String>,
    pub note: Option<String>,
    pub geometry: geo::Geometry<f64>,
    /// The point reach queries measure to: the point itself, or a point inside the shape.
    pub anchor: [f64; 2],
    /// Bounding box (min lon, min lat, max lon, max lat).
    pub bbox: [f64; 4],
}

impl Feature {
    /// Every name the feature answers to: Chinese, English, pinyin and aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        [
            self.name_zh.as_str(),
            self.name_en.as_str(),
            self.name_pinyin.as_str(),
        ]
        .into_iter()
        .chain(self.aliases.iter().map(String::as_str))
        .filter(|n| !n.is_empty())
    }
}

impl Feature {
    /// Replaces the geometry and recomputes the anchor and bounding box from it.
    pub fn set_geometry(&mut self, geometry: geo::Geometry<f64>) {
        self.anchor = super::geom::anchor_of(&geometry);
        self.bbox = super::geom::bbox_of(&geometry);
        self.geometry = geometry;
    }

    /// Geodesic distance in metres from `point` (lon, lat) to the feature's geometry; 0 inside
    /// a polygon.
    pub fn distance_m(&self, point: [f64; 2]) -> f64 {
        super::geom::distance_m(&self.geometry, point)
    }

    /// The feature as a GeoJSON Feature: top-level `id`, the geometry, and every property
    /// (with `id` repeated inside the properties, which many GIS tools show instead).
    pub fn to_geojson_value(&self) -> serde_json::Value {
        serde_json::json!({
            "type": "Feature",
            "id": self.id,
            "geometry": crate::output::geojson::geometry(
                &self.geometry,
                crate::output::geojson::Precision::Exact,
            ),
            "properties": self.properties_value(),
        })
    }

    /// The feature's properties as a JSON object, in the order of the data schema.
    pub fn properties_value(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "kind": self.kind,
            "subkind": self.subkind,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "name_pinyin": self.name_pinyin,
            "aliases": self.aliases,
            "status": self.status,
            "year": self.year,
            "status_as_of": self.status_as_of,
            "sources": self.sources,
            "position": self.position,
            "area_km2": self.area_km2,
            "district": self.district,
            "note": self.note,
        })
    }
}

pub use crate::geo::bounds::CityBounds;
