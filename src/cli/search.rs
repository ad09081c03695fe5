//! `cityreach search`: find features and stations by name (Chinese, English, pinyin, aliases).

use super::features::{emit, feature_cells, feature_summary, pretty, table};
use super::{CliError, Format};
use crate::city::City;
use crate::dataset::DataSource;
use crate::gazetteer::{Place, Station};
use serde_json::{json, Value};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to look for, e.g. 小李庄, "Zhengzhou Dong", erqi.
    pub text: String,
    /// Data folder (default: the embedded Zhengzhou data).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Show at most N hits.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: usize,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: Args) -> Result<(), CliError> {
    if args.text.trim().is_empty() {
        return Err(CliError::Input("TEXT: nothing to search for".into()));
    }
    if args.limit == 0 {
        return Err(CliError::Input("--limit: must be at least 1".into()));
    }
    let source = DataSource::from_option(args.data.as_deref())
        .map_err(|e| CliError::Input(format!("--data: {e}")))?;
    let city = City::load(source).map_err(|e| CliError::Data(e.to_string()))?;
    let found = city.places.search(&city.catalog, &args.text, args.limit);
    if found.hits.is_empty() {
        let hint = if found.suggestions.is_empty() {
            String::new()
        } else {
            format!("; did you mean: {}?", found.suggestions.join(", "))
        };
        return Err(CliError::Data(format!(
            "no feature or station matches '{}'{hint}",
            args.text
        )));
    }
    let features = city.catalog.features();
    let stations = city.places.stations();
    let out = match args.format {
        Format::Table => {
            let rows: Vec<Vec<String>> = found
                .hits
                .iter()
                .map(|h| {
                    let mut r = vec![format!("{:.2}", h.score), h.matched.clone()];
                    match h.place {
                        Place::Feature(i) => r.extend(feature_cells(&features[i])),
                        Place::Station(i) => r.extend(station_cells(&stations[i])),
                    }
                    r
                })
                .collect();
            table(
                &[
                    "score",
                    "matched",
                    "id",
                    "kind",
                    "status",
                    "name_zh",
                    "name_en",
                    "lon",
                    "lat",
                    "accuracy_m",
                ],
                &rows,
            )
        }
        Format::Json => {
            let hits: Vec<Value> = found
                .hits
                .iter()
                .map(|h| {
                    let mut v = match h.place {
                        Place::Feature(i) => feature_summary(&features[i]),
                        Place::Station(i) => station_summary(&stations[i]),
                    };
                    v["score"] = json!(h.score);
                    v["matched"] = json!(h.matched);
                    v
                })
                .collect();
            pretty(&json!({"query": args.text, "hits": hits}))?
        }
        Format::Geojson => {
            let items: Vec<Value> = found
                .hits
                .iter()
                .map(|h| {
                    let mut v = match h.place {
                        Place::Feature(i) => features[i].to_geojson_value(),
                        Place::Station(i) => {
                            let s = &stations[i];
                            json!({
                                "type": "Feature",
                                "id": s.id,
                                "geometry": {"type": "Point", "coordinates": s.lonlat},
                                "properties": station_summary(s),
                            })
                        }
                    };
                    v["properties"]["score"] = json!(h.score);
                    v["properties"]["matched"] = json!(h.matched);
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

/// A station's row, in the columns of a feature's (no status or accuracy).
fn station_cells(s: &Station) -> Vec<String> {
    vec![
        s.id.clone(),
        s.kind.as_str().to_string(),
        String::new(),
        s.name_zh.clone(),
        s.name_en.clone().unwrap_or_default(),
        format!("{:.6}", s.lonlat[0]),
        format!("{:.6}", s.lonlat[1]),
        String::new(),
    ]
}

fn station_summary(s: &Station) -> Value {
    json!({
        "id": s.id,
        "kind": s.kind,
        "name_zh": s.name_zh,
        "name_en": s.name_en,
        "lines": s.lines,
        "scenario": s.scenario,
        "lon": s.lonlat[0],
        "lat": s.lonlat[1],
    })
}
