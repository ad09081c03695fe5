//! What an analysis counts (opportunities) and where it starts (point-set origins): catalog
//! features by kind or subkind, transit stations, or points from a CSV or GeoJSON file with a
//! weight column.

use super::{AccessError, OriginPoint};
use crate::catalog::FeatureKind;
use crate::city::City;
use std::path::Path;

/// One weighted destination.
#[derive(Debug, Clone, PartialEq)]
pub struct OpportunityPoint {
    pub id: String,
    pub lonlat: [f64; 2],
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Opportunities {
    /// What they are, in words: `commercial features`, `jobs (poa_hexgrid.csv)`.
    pub label: String,
    pub points: Vec<OpportunityPoint>,
}

/// The most opportunity points one analysis may count.
pub const MAX_OPPORTUNITIES: usize = 200_000;

impl Opportunities {
    /// Reads a specification: `all`, a feature kind (`commercial`), a subkind (`mall`), several
    /// of those comma-separated, `stations` (every transit stop of the base network), or
    /// `FILE[:COLUMN]` — a CSV (`lon`, `lat` columns) or GeoJSON point file, each point weighted
    /// by COLUMN (1 when no column is named).
    pub fn parse(city: &City, spec: &str) -> Result<Opportunities, AccessError> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Err(AccessError::invalid(
                "opportunities",
                "name a feature kind (commercial, cultural, transport_hub, free_trade_zone), a subkind, all, stations, or FILE:COLUMN",
            ));
        }
        let (path, column) = match spec.rsplit_once(':') {
            Some((p, c)) if looks_like_file(p) => (p, Some(c)),
            _ => (spec, None),
        };
        if looks_like_file(path) {
            return from_file(Path::new(path), column);
        }
        if spec == "population" {
            return population(city);
        }
        if spec == "stations" {
            let points = city
                .transit
                .stops
                .iter()
                .map(|s| OpportunityPoint {
                    id: s.id.clone(),
                    lonlat: s.lonlat,
                    weight: 1.0,
                })
                .collect();
            return Ok(Opportunities {
                label: "transit stations".into(),
                points,
            });
        }
        let mut points = Vec::new();
        for term in spec.split(',').map(str::trim) {
            let kind = term.parse::<FeatureKind>().ok();
            let known_subkind = city.catalog.features().iter().any(|f| f.subkind == term);
            if term != "all" && kind.is_none() && !known_subkind {
                let mut subkinds: Vec<&str> = city
                    .catalog
                    .features()
                    .iter()
                    .map(|f| f.subkind.as_str())
                    .collect();
                subkinds.sort();
                subkinds.dedup();
                return Err(AccessError::invalid(
                    "opportunities",
                    format!(
                        "'{term}' is neither a feature kind ({}), a subkind ({}), all, stations, nor FILE:COLUMN",
                        FeatureKind::ALL.map(|k| k.as_str()).join(", "),
                        subkinds.join(", ")
                    ),
                ));
            }
            for f in city.catalog.features() {
                let hit = term == "all" || Some(f.kind) == kind || f.subkind == term;
                if hit && !points.iter().any(|p: &OpportunityPoint| p.id == f.id) {
                    points.push(OpportunityPoint {
                        id: f.id.clone(),
                        lonlat: f.anchor,
                        weight: 1.0,
                    });
                }
            }
        }
        Ok(Opportunities {
            label: format!("{spec} features"),
            points,
        })
    }
}

/// Cell of the population opportunity grid, metres: fine enough for a city-wide count, coarse
/// enough that an analysis precomputes stop-to-cell times for all of them.
pub const POPULATION_CELL_M: f64 = 1000.0;

/// Residents as opportunities: a 1 km grid over the population layer's districts, each cell
/// weighted by the people in it (its district's density times its area) at its centre.
fn population(city: &City) -> Result<Opportunities, AccessError> {
    use geo::BoundingRect;
    let pop = crate::catalog::population::Population::load(
        &city.source,
        &crate::catalog::CityBounds::WORLD,
    )
    .map_err(|e| AccessError::invalid("opportunities", e.to_string()))?
    .ok_or_else(|| {
        AccessError::invalid(
            "opportunities",
            "this city has no population layer (population.geojson)",
        )
    })?;
    let mut points = Vec::new();
    let mut total = 0.0;
    let cell_km2 = (POPULATION_CELL_M / 1000.0).powi(2);
    for a in &pop.areas {
        let Some(r) = a.district.geometry.bounding_rect() else {
            continue;
        };
        let g = super::Grid::over(
            [r.min().x, r.min().y, r.max().x, r.max().y],
            POPULATION_CELL_M,
            Some(&a.district.geometry),
        )?;
        for (i, p) in g.origins() {
            let w = a.density_per_km2() * cell_km2;
            total += w;
            points.push(OpportunityPoint {
                id: format!("{}-{}", a.district.adcode, i),
                lonlat: p,
                weight: w,
            });
        }
    }
    Ok(Opportunities {
        label: format!(
            "residents ({} in all; census counts per district spread uniformly, 1 km cells)",
            total.round()
        ),
        points,
    })
}

fn looks_like_file(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    l.ends_with(".csv") || l.ends_with(".geojson") || l.ends_with(".json")
}

fn file_err(path: &Path, message: impl Into<String>) -> AccessError {
    AccessError::File {
        path: path.display().to_string(),
        message: message.into(),
    }
}

/// Points of a CSV or GeoJSON file: (id, lon, lat, row) plus the named column's value.
struct FilePoint {
    id: String,
    lonlat: [f64; 2],
    value: Option<f64>,
}

fn read_points(path: &Path, column: Option<&str>) -> Result<Vec<FilePoint>, AccessError> {
    let text = std::fs::read_to_string(path).map_err(|e| file_err(path, e.to_string()))?;
    let lower = path.to_string_lossy().to_ascii_lowercase();
    let points = if lower.ends_with(".csv") {
        read_csv(path, &text, column)?
    } else {
        read_geojson(path, &text, column)?
    };
    if points.is_empty() {
        return Err(file_err(path, "no points"));
    }
    Ok(points)
}

fn read_csv(path: &Path, text: &str, column: Option<&str>) -> Result<Vec<FilePoint>, AccessError> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| file_err(path, e.to_string()))?
        .clone();
    let find = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    };
    let lon = find(&["lon", "lng", "longitude", "x"])
        .ok_or_else(|| file_err(path, "no lon column (lon, lng, longitude or x)"))?;
    let lat = find(&["lat", "latitude", "y"])
        .ok_or_else(|| file_err(path, "no lat column (lat, latitude or y)"))?;
    let id = find(&["id"]);
    let col = match column {
        None => None,
        Some(c) => Some(find(&[c]).ok_or_else(|| {
            file_err(
                path,
                format!(
                    "no column '{c}' (columns: {})",
                    headers.iter().collect::<Vec<_>>().join(", ")
                ),
            )
        })?),
    };
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| file_err(path, format!("line {line}: {e}")))?;
        let num = |k: usize, name: &str| -> Result<f64, AccessError> {
            rec.get(k)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    file_err(
                        path,
                        format!(
                            "line {line}: {name} '{}' is not a finite number",
                            rec.get(k).unwrap_or("")
                        ),
                    )
                })
        };
        let p = [num(lon, "lon")?, num(lat, "lat")?];
        check_lonlat(path, line, p)?;
        out.push(FilePoint {
            id: id
                .and_then(|k| rec.get(k))
                .map(str::to_string)
                .unwrap_or_else(|| format!("{}", i + 1)),
            lonlat: p,
            value: match col {
                None => None,
                // A blank count is no data, as in r5r's sample grid: no opportunity there.
                Some(k) if rec.get(k).is_some_and(str::is_empty) => Some(0.0),
                Some(k) => Some(num(k, column.unwrap_or("value"))?),
            },
        });
    }
    Ok(out)
}

fn check_lonlat(path: &Path, line: usize, p: [f64; 2]) -> Result<(), AccessError> {
    if p[0].abs() > 180.0 || p[1].abs() > 90.0 {
        return Err(file_err(
            path,
            format!(
                "line {line}: ({}, {}) is not lon,lat in degrees",
                p[0], p[1]
            ),
        ));
    }
    Ok(())
}

fn read_geojson(
    path: &Path,
    text: &str,
    column: Option<&str>,
) -> Result<Vec<FilePoint>, AccessError> {
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| file_err(path, e.to_string()))?;
    let Some(features) = doc
        .get("features")
        .and_then(|f| f.as_array())
        .filter(|_| doc["type"] == "FeatureCollection")
    else {
        return Err(file_err(path, "expected a FeatureCollection of points"));
    };
    let mut out = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let g = &f["geometry"];
        let c = g["coordinates"].as_array();
        let (Some("Point"), Some(c)) = (g["type"].as_str(), c) else {
            return Err(file_err(path, format!("feature {i}: not a Point")));
        };
        let (Some(x), Some(y)) = (
            c.first().and_then(|v| v.as_f64()),
            c.get(1).and_then(|v| v.as_f64()),
        ) else {
            return Err(file_err(path, format!("feature {i}: bad coordinates")));
        };
        let p = [x, y];
        check_lonlat(path, i, p)?;
        let id = match (&f["id"], &f["properties"]["id"]) {
            (serde_json::Value::String(s), _) | (_, serde_json::Value::String(s)) => s.clone(),
            (serde_json::Value::Number(n), _) | (_, serde_json::Value::Number(n)) => n.to_string(),
            _ => format!("{}", i + 1),
        };
        let value = match column {
            None => None,
            Some(c) => Some(
                f["properties"][c]
                    .as_f64()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| {
                        file_err(path, format!("feature {i}: property '{c}' is not a number"))
                    })?,
            ),
        };
        out.push(FilePoint {
            id,
            lonlat: p,
            value,
        });
    }
    Ok(out)
}

fn from_file(path: &Path, column: Option<&str>) -> Result<Opportunities, AccessError> {
    let pts = read_points(path, column)?;
    if pts.len() > MAX_OPPORTUNITIES {
        return Err(file_err(
            path,
            format!("{} points; at most {MAX_OPPORTUNITIES}", pts.len()),
        ));
    }
    if let Some(p) = pts.iter().find(|p| p.value.is_some_and(|v| v < 0.0)) {
        return Err(file_err(path, format!("point {}: a negative weight", p.id)));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Opportunities {
        label: match column {
            Some(c) => format!("{c} ({name})"),
            None => format!("points of {name}"),
        },
        points: pts
            .into_iter()
            .map(|p| OpportunityPoint {
                id: p.id,
                lonlat: p.lonlat,
                weight: p.value.unwrap_or(1.0),
            })
            .collect(),
    })
}

/// Origins from a CSV (`id`, `lon`, `lat`) or GeoJSON point file.
pub fn origins_from_file(path: &Path) -> Result<Vec<OriginPoint>, AccessError> {
    let pts = read_points(path, None)?;
    if pts.len() > super::MAX_POINT_ORIGINS {
        return Err(file_err(
            path,
            format!("{} points; at most {}", pts.len(), super::MAX_POINT_ORIGINS),
        ));
    }
    Ok(pts
        .into_iter()
        .map(|p| OriginPoint {
            id: p.id,
            lonlat: p.lonlat,
            cell: None,
        })
        .collect())
}
