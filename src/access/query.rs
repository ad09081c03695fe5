//! The accessibility query as clients write it (JSON over HTTP; the CLI fills the same struct
//! from its flags and files), with one set of defaults, turned into what [`super::run`] needs.

use super::grid::Grid;
use super::opportunities::{Opportunities, OpportunityPoint};
use super::{AccessError, AccessRequest, OriginPoint};
use crate::catalog::districts::District;
use crate::city::City;
use crate::reach::Mode;
use geo::BoundingRect;
use serde::{Deserialize, Serialize};

/// Default grid cell, metres (about web-mercator zoom 9 at Zhengzhou's latitude).
pub const DEFAULT_CELL_M: f64 = 250.0;

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum OpportunitySpec {
    /// `commercial`, `mall`, `all`, `stations`, `commercial,cultural`, or (CLI) `FILE:COLUMN`.
    Named(String),
    /// Weighted points given inline.
    Points(Vec<PointSpec>),
}

/// A point as JSON: `[lon, lat]` or `{"id", "lon", "lat", "weight"}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum PointSpec {
    Pair([f64; 2]),
    Object {
        #[serde(default)]
        id: Option<String>,
        lon: f64,
        lat: f64,
        #[serde(default)]
        weight: Option<f64>,
    },
}

impl PointSpec {
    fn parts(&self, i: usize) -> (String, [f64; 2], f64) {
        match self {
            PointSpec::Pair(p) => (format!("{}", i + 1), *p, 1.0),
            PointSpec::Object {
                id,
                lon,
                lat,
                weight,
            } => (
                id.clone().unwrap_or_else(|| format!("{}", i + 1)),
                [*lon, *lat],
                weight.unwrap_or(1.0),
            ),
        }
    }
}

fn default_opportunities() -> OpportunitySpec {
    OpportunitySpec::Named("all".into())
}
fn default_mode() -> String {
    "transit".into()
}
fn default_scenario() -> String {
    "existing".into()
}
fn default_cell() -> f64 {
    DEFAULT_CELL_M
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AccessQuery {
    #[serde(default = "default_opportunities")]
    pub opportunities: OpportunitySpec,
    #[serde(default)]
    pub cutoffs: Vec<f64>,
    #[serde(default)]
    pub nearest: Vec<usize>,
    #[serde(default)]
    pub max_minutes: Option<f64>,
    #[serde(default = "default_mode")]
    pub mode: String,
    #[serde(default = "default_scenario")]
    pub scenario: String,
    #[serde(default)]
    pub compare: Option<String>,
    /// Grid cell, metres.
    #[serde(default = "default_cell")]
    pub cell: f64,
    /// Districts (name or adcode) the grid covers.
    #[serde(default)]
    pub within: Vec<String>,
    /// A GeoJSON Polygon / MultiPolygon (geometry, Feature or FeatureCollection) the grid covers.
    #[serde(default)]
    pub polygon: Option<serde_json::Value>,
    /// west, south, east, north the grid covers.
    #[serde(default)]
    pub bbox: Option<[f64; 4]>,
    /// Point origins instead of a grid.
    #[serde(default)]
    pub origins: Option<Vec<PointSpec>>,
    /// Departure on the feeds' timetable, `YYYY-MM-DDTHH:MM` (as `reach`'s `depart`).
    #[serde(default)]
    pub depart: Option<String>,
    /// Departure window, minutes (0: one departure; at most 180).
    #[serde(default)]
    pub window: Option<serde_json::Value>,
    /// Percentiles of travel time, one set of measures each (`[5, 50, 95]` or `"5,50,95"`;
    /// default: `percentile` alone when given, else 5, 50 and 95 as in `reach`).
    #[serde(default)]
    pub percentiles: Option<serde_json::Value>,
    /// One percentile; with `percentiles` it must be one of them.
    #[serde(default)]
    pub percentile: Option<serde_json::Value>,
}

impl Default for AccessQuery {
    fn default() -> Self {
        AccessQuery {
            opportunities: default_opportunities(),
            cutoffs: Vec::new(),
            nearest: Vec::new(),
            max_minutes: None,
            mode: default_mode(),
            scenario: default_scenario(),
            compare: None,
            cell: DEFAULT_CELL_M,
            within: Vec::new(),
            polygon: None,
            bbox: None,
            origins: None,
            depart: None,
            window: None,
            percentiles: None,
            percentile: None,
        }
    }
}

/// Everything [`super::run`] takes, checked.
pub struct Prepared {
    pub request: AccessRequest,
    pub origins: Vec<OriginPoint>,
    pub grid: Option<Grid>,
    pub opportunities: Opportunities,
}

impl AccessQuery {
    /// Checks the query against the city and resolves its origins and opportunities. Every
    /// problem names its field; nothing is computed yet.
    pub fn prepare(
        &self,
        city: &City,
        districts: Option<&[District]>,
    ) -> Result<Prepared, AccessError> {
        let mode: Mode = self
            .mode
            .parse()
            .map_err(|e: crate::reach::ReachError| AccessError::invalid("mode", e.to_string()))?;
        let request = AccessRequest {
            mode,
            scenario: self.scenario.clone(),
            compare: self.compare.clone(),
            cutoffs: self.cutoffs.clone(),
            nearest: self.nearest.clone(),
            max_minutes: self.max_minutes,
            timing: self.timing()?,
        };
        request.validate(city)?;
        // A departure the feeds cannot answer is refused now, not when the job runs.
        if let Some((t, _)) = request.effective_timing(city) {
            let bad = |e: crate::network::timetable::TimetableError| {
                AccessError::invalid("depart", e.to_string())
            };
            let text = t.depart.unwrap_or_default();
            let (date, _) = crate::network::timetable::parse_departure(&text).map_err(bad)?;
            crate::network::timetable::Timetable::build(&city.transit, date, &Default::default())
                .map_err(bad)?;
        }
        let opportunities = match &self.opportunities {
            OpportunitySpec::Named(s) => Opportunities::parse(city, s)?,
            OpportunitySpec::Points(pts) => {
                let mut points = Vec::with_capacity(pts.len());
                for (i, p) in pts.iter().enumerate() {
                    let (id, lonlat, weight) = p.parts(i);
                    check_point("opportunities", i, lonlat)?;
                    if !(weight.is_finite() && weight >= 0.0) {
                        return Err(AccessError::invalid(
                            "opportunities",
                            format!("point {i}: weight {weight} is not a finite number ≥ 0"),
                        ));
                    }
                    points.push(OpportunityPoint { id, lonlat, weight });
                }
                if points.len() > super::opportunities::MAX_OPPORTUNITIES {
                    return Err(AccessError::invalid(
                        "opportunities",
                        format!(
                            "{} points; at most {}",
                            points.len(),
                            super::opportunities::MAX_OPPORTUNITIES
                        ),
                    ));
                }
                Opportunities {
                    label: format!("{} given points", points.len()),
                    points,
                }
            }
        };
        if opportunities.points.is_empty() {
            return Err(AccessError::invalid(
                "opportunities",
                "no opportunity to count",
            ));
        }
        let (origins, grid) = match &self.origins {
            Some(pts) => {
                if !self.within.is_empty() || self.polygon.is_some() || self.bbox.is_some() {
                    return Err(AccessError::invalid(
                        "origins",
                        "give either point origins or a grid area (within, polygon, bbox), not both",
                    ));
                }
                let mut v = Vec::with_capacity(pts.len());
                for (i, p) in pts.iter().enumerate() {
                    let (id, lonlat, _) = p.parts(i);
                    check_point("origins", i, lonlat)?;
                    if !city.contains(lonlat) {
                        return Err(crate::reach::ReachError::OutsideArea {
                            lon: lonlat[0],
                            lat: lonlat[1],
                            area: city.area,
                        }
                        .into());
                    }
                    v.push(OriginPoint {
                        id,
                        lonlat,
                        cell: None,
                    });
                }
                (v, None)
            }
            None => {
                let (extent, area) = self.grid_area(city, districts)?;
                let grid = Grid::over(extent, self.cell, area.as_ref())?;
                (super::grid_origins(&grid), Some(grid))
            }
        };
        Ok(Prepared {
            request,
            origins,
            grid,
            opportunities,
        })
    }

    /// The timing fields as `reach` reads them, with errors naming the field.
    pub fn timing(&self) -> Result<crate::reach::Timing, AccessError> {
        use crate::reach::{parse_percentile, parse_percentiles, Timing};
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(a) => a
                .iter()
                .map(|x| match x {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        };
        let mut t = Timing {
            depart: self.depart.clone(),
            ..Timing::default()
        };
        if let Some(w) = &self.window {
            t.window_min = w
                .as_u64()
                .or_else(|| w.as_str().and_then(|s| s.trim().parse().ok()))
                .and_then(|w| u32::try_from(w).ok())
                .ok_or_else(|| {
                    AccessError::invalid("window", format!("{w} is not a whole number of minutes"))
                })?;
        }
        let one = match &self.percentile {
            Some(v) => Some(parse_percentile(&text(v), "percentile")?),
            None => None,
        };
        match (&self.percentiles, one) {
            (Some(v), _) => t.percentiles = parse_percentiles(&text(v))?,
            (None, Some(p)) => t.percentiles = vec![p],
            (None, None) => {}
        }
        // Without a choice, the percentile is 50 if asked for, else the middle one.
        t.percentile = one.unwrap_or_else(|| {
            if t.percentiles.contains(&50) {
                50
            } else {
                t.percentiles
                    .get(t.percentiles.len() / 2)
                    .copied()
                    .unwrap_or(50)
            }
        });
        Ok(t)
    }

    /// The box and (optional) area of the grid: named districts and a polygon (their union),
    /// clipped to `bbox`; by default the city's districts, or its area when it has none.
    fn grid_area(
        &self,
        city: &City,
        districts: Option<&[District]>,
    ) -> Result<([f64; 4], Option<geo::MultiPolygon<f64>>), AccessError> {
        let mut polys: Vec<geo::Polygon<f64>> = Vec::new();
        for w in &self.within {
            let Some(ds) = districts else {
                return Err(AccessError::invalid(
                    "within",
                    format!("{w}: this city has no districts.geojson; give a polygon"),
                ));
            };
            let d = ds
                .iter()
                .find(|d| d.adcode == *w || d.name_zh == *w || d.name_en.eq_ignore_ascii_case(w))
                .ok_or_else(|| {
                    AccessError::invalid(
                        "within",
                        format!(
                            "{w}: no such district (known: {})",
                            ds.iter()
                                .map(|d| format!("{} {}", d.name_zh, d.name_en))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })?;
            polys.extend(d.geometry.0.iter().cloned());
        }
        if let Some(g) = &self.polygon {
            let mp = crate::catalog::area_from_geojson_str(&g.to_string(), "polygon")
                .map_err(|e| AccessError::invalid("polygon", e.to_string()))?;
            polys.extend(mp.0);
        }
        if let Some(b) = self.bbox {
            let ok = b.iter().all(|v| v.is_finite())
                && b[0] < b[2]
                && b[1] < b[3]
                && b[0].abs() <= 180.0
                && b[2].abs() <= 180.0
                && b[1].abs() <= 90.0
                && b[3].abs() <= 90.0;
            if !ok {
                return Err(AccessError::invalid(
                    "bbox",
                    format!("{b:?} is not west,south,east,north in degrees"),
                ));
            }
        }
        if polys.is_empty() && self.bbox.is_none() {
            if let Some(ds) = districts {
                polys.extend(ds.iter().flat_map(|d| d.geometry.0.iter().cloned()));
            }
        }
        let area = (!polys.is_empty()).then_some(geo::MultiPolygon(polys));
        let extent = match (&area, self.bbox) {
            (Some(a), b) => {
                let r = a
                    .bounding_rect()
                    .ok_or_else(|| AccessError::invalid("within", "an empty area"))?;
                let e = [r.min().x, r.min().y, r.max().x, r.max().y];
                match b {
                    Some(b) => [
                        e[0].max(b[0]),
                        e[1].max(b[1]),
                        e[2].min(b[2]),
                        e[3].min(b[3]),
                    ],
                    None => e,
                }
            }
            (None, Some(b)) => b,
            (None, None) => city.area,
        };
        Ok((extent, area))
    }
}

fn check_point(field: &'static str, i: usize, p: [f64; 2]) -> Result<(), AccessError> {
    if p.iter().all(|v| v.is_finite()) && p[0].abs() <= 180.0 && p[1].abs() <= 90.0 {
        Ok(())
    } else {
        Err(AccessError::invalid(
            field,
            format!("point {i}: ({}, {}) is not lon,lat in degrees", p[0], p[1]),
        ))
    }
}
