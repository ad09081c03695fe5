//! Writing an accessibility result: CSV and GeoJSON for any origins, GeoTIFF for grids, and the
//! summaries a planner reads first (per district, and a histogram of the gains).

use super::{AccessResult, Grid};
use crate::catalog::districts::District;
use geo::{BoundingRect, Contains, Point};
use serde::Serialize;
use std::io::Write;

/// Output formats of an analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    GeoJson,
    GeoTiff,
    /// GeoParquet: id, lon, lat, one DOUBLE per measure, WKB points.
    Parquet,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "geojson" | "json" => Some(Format::GeoJson),
            "tif" | "tiff" | "geotiff" => Some(Format::GeoTiff),
            "parquet" | "geoparquet" => Some(Format::Parquet),
            _ => None,
        }
    }

    /// The format a file name implies.
    pub fn from_path(p: &std::path::Path) -> Option<Format> {
        p.extension()
            .and_then(|e| e.to_str())
            .and_then(Format::parse)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv",
            Format::GeoJson => "application/geo+json",
            Format::GeoTiff => "image/tiff; application=geotiff",
            Format::Parquet => "application/vnd.apache.parquet",
        }
    }
}

/// Values keep what their measure justifies: counts to 0.01, minutes to 0.01.
fn cell(v: f32) -> String {
    if v.is_nan() {
        String::new()
    } else {
        let r = (f64::from(v) * 100.0).round() / 100.0;
        format!("{r}")
    }
}

fn coord(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

pub fn write_csv(out: &mut impl Write, r: &AccessResult) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut head = vec!["id".to_string(), "lon".into(), "lat".into()];
    head.extend(r.measures.iter().map(|m| m.name.clone()));
    w.write_record(&head)?;
    for (i, o) in r.origins.iter().enumerate() {
        let mut row = vec![
            o.id.clone(),
            coord(o.lonlat[0]).to_string(),
            coord(o.lonlat[1]).to_string(),
        ];
        row.extend((0..r.measures.len()).map(|m| cell(r.value(i, m))));
        w.write_record(&row)?;
    }
    w.flush()
}

pub fn write_geojson(out: &mut impl Write, r: &AccessResult) -> std::io::Result<()> {
    let features: Vec<serde_json::Value> = r
        .origins
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let mut props = serde_json::Map::new();
            props.insert("id".into(), o.id.clone().into());
            for (m, meas) in r.measures.iter().enumerate() {
                let v = r.value(i, m);
                props.insert(
                    meas.name.clone(),
                    if v.is_nan() {
                        serde_json::Value::Null
                    } else {
                        serde_json::json!((f64::from(v) * 100.0).round() / 100.0)
                    },
                );
            }
            serde_json::json!({
                "type": "Feature",
                "id": o.id,
                "geometry": {"type": "Point", "coordinates": [coord(o.lonlat[0]), coord(o.lonlat[1])]},
                "properties": props,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "type": "FeatureCollection",
        "measures": r.measures,
        "metadata": r.metadata,
        "features": features,
    });
    serde_json::to_writer(&mut *out, &doc)?;
    out.write_all(b"\n")
}

/// The grid as a GeoTIFF, one band per measure; cells outside the area are no data.
pub fn write_geotiff(out: &mut impl Write, r: &AccessResult) -> std::io::Result<()> {
    let Some(grid) = &r.grid else {
        return Err(std::io::Error::other(
            "a GeoTIFF needs grid origins; point sets are written as CSV or GeoJSON",
        ));
    };
    let bands = grid_bands(grid, r);
    let descriptions: Vec<String> = r
        .measures
        .iter()
        .map(|m| format!("{}: {}", m.name, m.description))
        .collect();
    super::geotiff::write(out, grid, &bands, &descriptions)
}

/// One full grid per measure, NaN outside the area.
pub fn grid_bands(grid: &Grid, r: &AccessResult) -> Vec<Vec<f32>> {
    let cells = grid.rows * grid.cols;
    (0..r.measures.len())
        .map(|m| {
            let mut band = vec![f32::NAN; cells];
            for (i, o) in r.origins.iter().enumerate() {
                if let Some(c) = o.cell {
                    band[c] = r.value(i, m);
                }
            }
            band
        })
        .collect()
}

/// The grid compactly for drawing: its frame and, per measure, `rows × cols` values row-major
/// from the north-west corner (null outside the area or not reached), to 0.01 like the CSV.
pub fn grid_json(r: &AccessResult) -> Option<serde_json::Value> {
    let grid = r.grid.as_ref()?;
    let bands: Vec<Vec<Option<f64>>> = grid_bands(grid, r)
        .into_iter()
        .map(|b| {
            b.into_iter()
                .map(|v| (!v.is_nan()).then(|| (f64::from(v) * 100.0).round() / 100.0))
                .collect()
        })
        .collect();
    Some(serde_json::json!({
        "west": grid.west,
        "north": grid.north,
        "dlon": grid.dlon,
        "dlat": grid.dlat,
        "rows": grid.rows,
        "cols": grid.cols,
        "cell_m": grid.cell_m,
        "measures": r.measures,
        "values": bands,
    }))
}

pub fn write(out: &mut impl Write, r: &AccessResult, format: Format) -> std::io::Result<()> {
    match format {
        Format::Csv => write_csv(out, r),
        Format::GeoJson => write_geojson(out, r),
        Format::GeoTiff => write_geotiff(out, r),
        Format::Parquet => out.write_all(&geoparquet(r)),
    }
}

/// The origins and their measures as GeoParquet, values unrounded (null where not reached).
pub fn geoparquet(r: &AccessResult) -> Vec<u8> {
    super::parquet::PointTable {
        ids: r.origins.iter().map(|o| o.id.as_str()).collect(),
        lonlat: r.origins.iter().map(|o| o.lonlat).collect(),
        measures: r
            .measures
            .iter()
            .enumerate()
            .map(|(m, meas)| {
                let col = (0..r.origins.len())
                    .map(|i| {
                        let v = r.value(i, m);
                        (!v.is_nan()).then(|| f64::from(v))
                    })
                    .collect();
                (meas.name.clone(), col)
            })
            .collect(),
    }
    .to_bytes()
}

/// Mean of each measure over the origins of one district (NaN values left out).
#[derive(Debug, Clone, Serialize)]
pub struct DistrictSummary {
    pub adcode: String,
    pub name_zh: String,
    pub name_en: String,
    pub origins: usize,
    pub means: Vec<Option<f64>>,
}

/// The district each origin lies in (index into `districts`): by the grid's scanline mask for
/// grid origins, by point-in-polygon for point sets.
pub fn origin_districts(r: &AccessResult, districts: &[District]) -> Vec<Option<usize>> {
    let mut out = vec![None; r.origins.len()];
    if let Some(g) = &r.grid {
        let mut cell_district: Vec<Option<usize>> = vec![None; g.rows * g.cols];
        for (d, dist) in districts.iter().enumerate() {
            for (c, inside) in g.cells_in(&dist.geometry).into_iter().enumerate() {
                if inside && cell_district[c].is_none() {
                    cell_district[c] = Some(d);
                }
            }
        }
        for (i, o) in r.origins.iter().enumerate() {
            out[i] = o.cell.and_then(|c| cell_district[c]);
        }
        return out;
    }
    let boxes: Vec<Option<geo::Rect<f64>>> = districts
        .iter()
        .map(|d| d.geometry.bounding_rect())
        .collect();
    for (i, o) in r.origins.iter().enumerate() {
        let p = Point::new(o.lonlat[0], o.lonlat[1]);
        out[i] = districts.iter().zip(&boxes).position(|(d, b)| {
            b.is_some_and(|b| {
                p.x() >= b.min().x && p.x() <= b.max().x && p.y() >= b.min().y && p.y() <= b.max().y
            }) && d.geometry.contains(&p)
        });
    }
    out
}

fn mean(vals: impl Iterator<Item = (f64, f64)>) -> Option<f64> {
    let (mut sum, mut weight) = (0.0, 0.0);
    for (v, w) in vals {
        if !v.is_nan() && w > 0.0 {
            sum += v * w;
            weight += w;
        }
    }
    (weight > 0.0).then(|| sum / weight)
}

pub fn district_summaries(
    r: &AccessResult,
    districts: &[District],
    of: &[Option<usize>],
) -> Vec<DistrictSummary> {
    districts
        .iter()
        .enumerate()
        .map(|(d, dist)| {
            let members: Vec<usize> = (0..r.origins.len()).filter(|&i| of[i] == Some(d)).collect();
            let means = (0..r.measures.len())
                .map(|m| mean(members.iter().map(|&i| (f64::from(r.value(i, m)), 1.0))))
                .collect();
            DistrictSummary {
                adcode: dist.adcode.clone(),
                name_zh: dist.name_zh.clone(),
                name_en: dist.name_en.clone(),
                origins: members.len(),
                means,
            }
        })
        .collect()
}

/// The whole analysis in one row per measure: the mean over origins, and the mean over
/// residents (each origin weighted by the population density of its district) where a
/// population layer exists — "what the average resident reaches".
#[derive(Debug, Clone, Serialize)]
pub struct Overall {
    pub means: Vec<Option<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population_weighted_means: Option<Vec<Option<f64>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population_note: Option<String>,
}

pub fn overall(
    r: &AccessResult,
    districts: &[District],
    of: &[Option<usize>],
    population: Option<&crate::catalog::population::Population>,
) -> Overall {
    let means = (0..r.measures.len())
        .map(|m| mean(r.column(m).map(|v| (f64::from(v), 1.0))))
        .collect();
    let weights: Option<Vec<f64>> = population.map(|p| {
        let density: Vec<f64> = districts
            .iter()
            .map(|d| {
                p.areas
                    .iter()
                    .find(|a| a.district.adcode == d.adcode)
                    .map_or(0.0, |a| a.density_per_km2())
            })
            .collect();
        of.iter().map(|d| d.map_or(0.0, |d| density[d])).collect()
    });
    let population_weighted_means = weights.as_ref().map(|w| {
        (0..r.measures.len())
            .map(|m| mean(r.column(m).map(f64::from).zip(w.iter().copied())))
            .collect()
    });
    let population_note = population.map(|p| {
        let years: std::collections::BTreeSet<i32> =
            p.areas.iter().map(|a| a.census_year).collect();
        format!(
            "residents per district from the {} census, spread uniformly over each district",
            years
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join("/")
        )
    });
    Overall {
        means,
        population_weighted_means,
        population_note,
    }
}

/// How many origins gained how much: bins of a difference measure.
#[derive(Debug, Clone, Serialize)]
pub struct Histogram {
    pub measure: String,
    /// (lower bound, upper bound, origins); the first bin is exactly 0 (no change).
    pub bins: Vec<(f64, f64, usize)>,
    pub lost: usize,
    pub unchanged: usize,
    pub gained: usize,
}

pub fn histogram(r: &AccessResult, measure: usize, bins: usize) -> Histogram {
    let vals: Vec<f64> = r
        .column(measure)
        .map(f64::from)
        .filter(|v| !v.is_nan())
        .collect();
    let lost = vals.iter().filter(|&&v| v < 0.0).count();
    let unchanged = vals.iter().filter(|&&v| v == 0.0).count();
    let gains: Vec<f64> = vals.iter().copied().filter(|&v| v > 0.0).collect();
    let max = gains.iter().copied().fold(0.0, f64::max);
    let mut out = Vec::new();
    if max > 0.0 {
        let width = (max / bins as f64).max(f64::MIN_POSITIVE);
        for b in 0..bins {
            let lo = width * b as f64;
            let hi = if b + 1 == bins {
                max
            } else {
                width * (b + 1) as f64
            };
            let n = gains
                .iter()
                .filter(|&&g| g > lo && (g <= hi || (b + 1 == bins && g <= max)))
                .count();
            out.push((lo, hi, n));
        }
    }
    Histogram {
        measure: r.measures[measure].name.clone(),
        bins: out,
        lost,
        unchanged,
        gained: gains.len(),
    }
}
