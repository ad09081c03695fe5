//! `cityreach features`: list catalog features by kind, status, area or distance.

use super::{CliError, Format};
use crate::catalog::{area_from_geojson_str, Catalog, Feature, FeatureKind, FeatureQuery, Status};
use crate::dataset::DataSource;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Data folder (default: the embedded Zhengzhou data).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// commercial, cultural, transport_hub or free_trade_zone.
    #[arg(long)]
    pub kind: Option<String>,
    /// existing, under_construction, planned or proposed.
    #[arg(long)]
    pub status: Option<String>,
    /// A finer type, e.g. railway_station, museum, business_district.
    #[arg(long)]
    pub subkind: Option<String>,
    /// Only features whose bounding box meets this box (degrees).
    #[arg(long, value_name = "W,S,E,N", allow_hyphen_values = true)]
    pub bbox: Option<String>,
    /// Sort by distance from this point and show the distance.
    #[arg(long, value_name = "LON,LAT", allow_hyphen_values = true)]
    pub near: Option<String>,
    /// With --near: only features within this many metres.
    #[arg(long, value_name = "M", allow_hyphen_values = true)]
    pub radius: Option<String>,
    /// Only features whose anchor lies inside the (Multi)Polygon(s) of this GeoJSON file.
    #[arg(long, value_name = "FILE.geojson")]
    pub within: Option<PathBuf>,
    /// Show at most N features.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let catalog = load_catalog(args.data.as_deref())?;
    let kind = args
        .kind
        .as_deref()
        .map(|k| k.parse::<FeatureKind>())
        .transpose()
        .map_err(|e| CliError::Input(format!("--kind: {e}")))?;
    let status = args
        .status
        .as_deref()
        .map(|s| s.parse::<Status>())
        .transpose()
        .map_err(|e| CliError::Input(format!("--status: {e}")))?;
    let bbox = args.bbox.as_deref().map(parse_bbox).transpose()?;
    let near = args.near.as_deref().map(parse_point).transpose()?;
    let radius = match (&args.radius, near) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(CliError::Input("--radius needs --near LON,LAT".into()));
        }
        (Some(r), Some(_)) => Some(parse_radius(r)?),
    };
    let within = match &args.within {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CliError::Input(format!("--within: cannot read {}: {e}", path.display()))
            })?;
            Some(
                area_from_geojson_str(&text, &path.display().to_string())
                    .map_err(|e| CliError::Input(format!("--within: {e}")))?,
            )
        }
    };
    let query = FeatureQuery {
        kind,
        status,
        subkind: args.subkind.clone(),
        bbox,
        near: near.map(|p| (p, radius.unwrap_or(f64::INFINITY))),
        within,
        text: None,
    };
    let mut rows: Vec<(&Feature, Option<f64>)> = catalog
        .query(&query)
        .into_iter()
        .map(|f| (f, near.map(|p| f.distance_m(p))))
        .collect();
    if near.is_some() {
        // Stable sort: equal distances keep catalog order.
        rows.sort_by(|a, b| a.1.unwrap_or(0.0).total_cmp(&b.1.unwrap_or(0.0)));
    }
    if let Some(n) = args.limit {
        rows.truncate(n);
    }
    let out = match args.format {
        Format::Table => {
            let mut headers = vec![
                "id",
                "kind",
                "status",
                "name_zh",
                "name_en",
                "lon",
                "lat",
                "accuracy_m",
            ];
            if near.is_some() {
                headers.push("distance_m");
            }
            let body: Vec<Vec<String>> = rows
                .iter()
                .map(|(f, d)| {
                    let mut r = feature_cells(f);
                    if let Some(d) = d {
                        r.push(format!("{d:.0}"));
                    }
                    r
                })
                .collect();
            let mut s = table(&headers, &body);
            s.push_str(&format!("{} feature(s)\n", rows.len()));
            s
        }
        Format::Json => {
            let items: Vec<Value> = rows
                .iter()
                .map(|(f, d)| {
                    let mut v = feature_summary(f);
                    if let Some(d) = d {
                        v["distance_m"] = json!(round1(*d));
                    }
                    v
                })
                .collect();
            pretty(&Value::Array(items))?
        }
        Format::Geojson => {
            let items: Vec<Value> = rows
                .iter()
                .map(|(f, d)| {
                    let mut v = f.to_geojson_value();
                    if let Some(d) = d {
                        v["properties"]["distance_m"] = json!(round1(*d));
                    }
                    v
                })
                .collect();
            pretty(&json!({
                "type": "FeatureCollection",
                "numberReturned": items.len(),
                "features": items,
            }))?
        }
    };
    emit(&out)
}

/// Loads the catalog of `--data DIR` (or the embedded default).
pub(super) fn load_catalog(data: Option<&Path>) -> Result<Catalog, CliError> {
    let source =
        DataSource::from_option(data).map_err(|e| CliError::Input(format!("--data: {e}")))?;
    Catalog::load_from(&source).map_err(|e| CliError::Data(e.to_string()))
}

fn numbers(arg: &str, text: &str, n: usize, shape: &str) -> Result<Vec<f64>, CliError> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if parts.len() != n {
        return Err(CliError::Input(format!(
            "{arg}: expected {shape}, got '{text}'"
        )));
    }
    parts
        .iter()
        .map(|p| match p.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(CliError::Input(format!(
                "{arg}: '{p}' is not a finite number (expected {shape})"
            ))),
        })
        .collect()
}

fn parse_bbox(text: &str) -> Result<[f64; 4], CliError> {
    let v = numbers("--bbox", text, 4, "W,S,E,N in degrees")?;
    let [w, s, e, n] = [v[0], v[1], v[2], v[3]];
    if !(-180.0..=180.0).contains(&w) || !(-180.0..=180.0).contains(&e) {
        return Err(CliError::Input(format!(
            "--bbox: longitudes must lie in -180..180, got {w} and {e}"
        )));
    }
    if !(-90.0..=90.0).contains(&s) || !(-90.0..=90.0).contains(&n) {
        return Err(CliError::Input(format!(
            "--bbox: latitudes must lie in -90..90, got {s} and {n}"
        )));
    }
    if w > e || s > n {
        return Err(CliError::Input(format!(
            "--bbox: expected W,S,E,N with W ≤ E and S ≤ N, got {text}"
        )));
    }
    Ok([w, s, e, n])
}

fn parse_point(text: &str) -> Result<[f64; 2], CliError> {
    let v = numbers("--near", text, 2, "LON,LAT in degrees")?;
    if !(-180.0..=180.0).contains(&v[0]) || !(-90.0..=90.0).contains(&v[1]) {
        return Err(CliError::Input(format!(
            "--near: {text} is not a lon,lat position (lon -180..180, lat -90..90)"
        )));
    }
    Ok([v[0], v[1]])
}

fn parse_radius(text: &str) -> Result<f64, CliError> {
    match text.trim().parse::<f64>() {
        Ok(r) if r.is_finite() && r >= 0.0 => Ok(r),
        _ => Err(CliError::Input(format!(
            "--radius: expected a non-negative number of metres, got '{text}'"
        ))),
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The table cells every listing shows for a feature.
pub(super) fn feature_cells(f: &Feature) -> Vec<String> {
    vec![
        f.id.clone(),
        f.kind.to_string(),
        f.status.to_string(),
        f.name_zh.clone(),
        f.name_en.clone(),
        format!("{:.6}", f.anchor[0]),
        format!("{:.6}", f.anchor[1]),
        format!("{:.0}", f.position.accuracy_m),
    ]
}

/// A compact JSON record of a feature for `--format json`.
pub(super) fn feature_summary(f: &Feature) -> Value {
    json!({
        "id": f.id,
        "kind": f.kind,
        "subkind": f.subkind,
        "status": f.status,
        "name_zh": f.name_zh,
        "name_en": f.name_en,
        "lon": f.anchor[0],
        "lat": f.anchor[1],
        "accuracy_m": f.position.accuracy_m,
    })
}

pub(super) fn pretty(v: &Value) -> Result<String, CliError> {
    serde_json::to_string_pretty(v)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| CliError::Io(format!("cannot write JSON: {e}")))
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
pub(super) fn emit(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Io(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

/// Terminal columns a string takes: East Asian wide characters count double.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115f
            | 0x2e80..=0x303e
            | 0x3041..=0x33ff
            | 0x3400..=0x4dbf
            | 0x4e00..=0x9fff
            | 0xa000..=0xa4cf
            | 0xac00..=0xd7a3
            | 0xf900..=0xfaff
            | 0xfe30..=0xfe4f
            | 0xff00..=0xff60
            | 0xffe0..=0xffe6
            | 0x20000..=0x3fffd => 2,
            _ => 1,
        })
        .sum()
}

/// A plain aligned text table.
pub(super) fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| display_width(h)).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(display_width(c));
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::new();
        for (i, c) in cells.enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            if i + 1 < widths.len() {
                s.push_str(&" ".repeat(widths[i].saturating_sub(display_width(c))));
            }
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(&mut headers.iter().copied());
    for r in rows {
        out.push_str(&line(&mut r.iter().map(String::as_str)));
    }
    out
}
