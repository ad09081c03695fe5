//! `cityreach check-data`: validate a data folder and, given the seed documents, every cited
//! line.

use super::features::{emit, table};
use super::CliError;
use crate::catalog::districts::{load_districts, DISTRICTS_FILE};
use crate::catalog::{check_seed_citations, Catalog, CatalogError, FeatureKind, Status};
use crate::dataset::DataSource;
use crate::network::gtfs::Feed;
use crate::network::transit::load_feeds;
use std::path::PathBuf;

/// The embedded Zhengzhou default has six districts and six county-level units.
const DEFAULT_DISTRICTS: usize = 12;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Data folder (default: the embedded Zhengzhou data).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Folder of the seed documents the features cite; checks every {doc, line}.
    #[arg(long, value_name = "DIR")]
    pub seeds: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let source = DataSource::from_option(args.data.as_deref())
        .map_err(|e| CliError::Input(format!("--data: {e}")))?;
    if let Some(dir) = &args.seeds {
        if !dir.is_dir() {
            return Err(CliError::Input(format!(
                "--seeds: {} is not a folder",
                dir.display()
            )));
        }
    }
    let bounds = source
        .profile()
        .map_err(|e| CliError::Data(e.to_string()))?
        .bounds;
    let mut problems: Vec<String> = Vec::new();
    let mut report = String::new();

    match Catalog::load_from_in(&source, &bounds) {
        Ok(catalog) => {
            report.push_str(&format!(
                "{}: {} features\n",
                source.label(crate::catalog::FEATURES_FILE),
                catalog.len()
            ));
            report.push_str(&counts_table(&catalog));
            // Positions at a metro station against the feed's stations.
            match crate::scenario::named::load_network(&source) {
                Ok(t) => {
                    let stations: Vec<(String, [f64; 2])> = t
                        .stops
                        .iter()
                        .filter(|s| s.scenario.is_none())
                        .map(|s| (s.name.clone(), s.lonlat))
                        .collect();
                    let checked = catalog
                        .features()
                        .iter()
                        .filter(|f| f.position.method == "metro_station")
                        .count();
                    let bad = crate::catalog::check_station_anchors(&catalog, &stations);
                    report.push_str(&format!(
                        "anchors: {checked} metro-station positions checked against {} stations (and every feature bearing a station's name), {} problem(s)\n",
                        stations.len(),
                        bad.len()
                    ));
                    problems.extend(bad.iter().map(|p| format!("anchor: {p}")));
                }
                Err(e) => report.push_str(&format!("anchors: not checked ({e})\n")),
            }
            if let Some(dir) = &args.seeds {
                let cited: usize = catalog.features().iter().map(|f| f.sources.len()).sum();
                let bad = check_seed_citations(&catalog, dir);
                report.push_str(&format!(
                    "citations: {cited} checked against {}, {} problem(s)\n",
                    dir.display(),
                    bad.len()
                ));
                problems.extend(bad.iter().map(|p| format!("citation: {p}")));
            }
        }
        Err(CatalogError::Invalid {
            file,
            issues,
            total,
        }) => {
            problems.extend(issues.iter().map(|i| format!("{file}: {i}")));
            if total > issues.len() {
                problems.push(format!("{file}: … and {} more", total - issues.len()));
            }
        }
        Err(e) => problems.push(e.to_string()),
    }

    match load_districts(&source, &bounds) {
        Ok(None) => report.push_str(&format!("{DISTRICTS_FILE}: none\n")),
        Ok(Some(d)) => {
            report.push_str(&format!(
                "{}: {} districts\n",
                source.label(DISTRICTS_FILE),
                d.len()
            ));
            if source == DataSource::Embedded && d.len() != DEFAULT_DISTRICTS {
                problems.push(format!(
                    "{}: expected {DEFAULT_DISTRICTS} districts, found {}",
                    source.label(DISTRICTS_FILE),
                    d.len()
                ));
            }
        }
        Err(CatalogError::Invalid { file, issues, .. }) => {
            problems.extend(issues.iter().map(|i| format!("{file}: {i}")))
        }
        Err(e) => problems.push(e.to_string()),
    }

    match crate::catalog::population::Population::load(&source, &bounds) {
        Ok(None) => report.push_str(&format!(
            "{}: none\n",
            crate::catalog::population::POPULATION_FILE
        )),
        Ok(Some(p)) => {
            let years: std::collections::BTreeSet<i32> =
                p.areas.iter().map(|a| a.census_year).collect();
            let years: Vec<String> = years.iter().map(i32::to_string).collect();
            report.push_str(&format!(
                "{}: {} districts, {} residents (census {}), spread uniformly over each district\n",
                source.label(crate::catalog::population::POPULATION_FILE),
                p.areas.len(),
                p.total(),
                years.join(", ")
            ));
        }
        Err(CatalogError::Invalid { file, issues, .. }) => {
            problems.extend(issues.iter().map(|i| format!("{file}: {i}")))
        }
        Err(e) => problems.push(e.to_string()),
    }

    match crate::reach::national::National::load(&source) {
        Ok(None) => report.push_str(&format!(
            "{}: none\n",
            crate::reach::national::NATIONAL_FILE
        )),
        Ok(Some(n)) => report.push_str(&format!(
            "{}: {} cities, {} people (2010), {} neighbouring capitals\n",
            source.label(crate::reach::national::NATIONAL_FILE),
            n.cities.len(),
            n.population_total(),
            n.neighbour_capitals().len()
        )),
        Err(e) => problems.push(e.to_string()),
    }

    if source.exists("gtfs") {
        match load_feeds(&source) {
            Ok(feeds) => report.push_str(&feed_table(&feeds)),
            Err(e) => problems.push(e.to_string()),
        }
    } else {
        report.push_str("gtfs: none (a street-only city)\n");
    }

    emit(&report)?;
    if problems.is_empty() {
        emit("data OK\n")
    } else {
        Err(CliError::Data(format!(
            "{} problem(s):\n{}",
            problems.len(),
            problems.join("\n")
        )))
    }
}

/// Counts per GTFS feed, one row each.
fn feed_table(feeds: &[Feed]) -> String {
    let rows: Vec<Vec<String>> = feeds
        .iter()
        .map(|f| {
            let stop_times: usize = f.trips.iter().map(|t| t.stop_times.len()).sum();
            let interpolated = f
                .trips
                .iter()
                .flat_map(|t| &t.stop_times)
                .filter(|st| st.interpolated)
                .count();
            vec![
                f.label.clone(),
                f.stops.len().to_string(),
                f.routes.len().to_string(),
                f.trips.len().to_string(),
                stop_times.to_string(),
                interpolated.to_string(),
            ]
        })
        .collect();
    let headers = [
        "gtfs feed",
        "stops",
        "routes",
        "trips",
        "stop_times",
        "interpolated",
    ];
    table(&headers, &rows)
}

/// Features per kind (rows) × status (columns), with totals.
fn counts_table(catalog: &Catalog) -> String {
    let counts = catalog.counts();
    let get = |k: FeatureKind, s: Status| {
        counts
            .iter()
            .find(|c| c.0 == k && c.1 == s)
            .map_or(0, |c| c.2)
    };
    let mut headers = vec!["kind"];
    headers.extend(Status::ALL.iter().map(|s| s.as_str()));
    headers.push("total");
    let mut rows: Vec<Vec<String>> = FeatureKind::ALL
        .iter()
        .map(|&k| {
            let mut r = vec![k.to_string()];
            r.extend(Status::ALL.iter().map(|&s| get(k, s).to_string()));
            r.push(
                Status::ALL
                    .iter()
                    .map(|&s| get(k, s))
                    .sum::<usize>()
                    .to_string(),
            );
            r
        })
        .collect();
    let mut total = vec!["total".to_string()];
    total.extend(Status::ALL.iter().map(|&s| {
        FeatureKind::ALL
            .iter()
            .map(|&k| get(k, s))
            .sum::<usize>()
            .to_string()
    }));
    total.push(catalog.len().to_string());
    rows.push(total);
    table(&headers, &rows)
}
