//! `cityreach search`: find features by name (Chinese, English, pinyin, aliases).

use super::features::{emit, feature_cells, feature_summary, load_catalog, pretty, table};
use super::{CliError, Format};
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
    let catalog = load_catalog(args.data.as_deref())?;
    let found = catalog.search(&args.text, args.limit);
    if found.hits.is_empty() {
        let hint = if found.suggestions.is_empty() {
            String::new()
        } else {
            format!("; did you mean: {}?", found.suggestions.join(", "))
        };
        return Err(CliError::Data(format!(
            "no feature matches '{}'{hint}",
            args.text
        )));
    }
    let features = catalog.features();
    let out = match args.format {
        Format::Table => {
            let rows: Vec<Vec<String>> = found
                .hits
                .iter()
                .map(|h| {
                    let mut r = vec![format!("{:.2}", h.score), h.matched.clone()];
                    r.extend(feature_cells(&features[h.feature]));
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
                    let mut v = feature_summary(&features[h.feature]);
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
                    let mut v = features[h.feature].to_geojson_value();
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
