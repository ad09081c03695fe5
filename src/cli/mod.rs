//! The command line: argument structures and the commands they run. `main.rs` only parses and
//! calls [`run`].

mod access;
mod check_data;
mod features;
mod import_osm;
mod reach;
mod search;
mod serve;
mod targets;

use clap::{Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

/// City planning features, transport networks and reach queries.
#[derive(Debug, Parser)]
#[command(name = "cityreach", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web map, OGC API Features and the reach API.
    Serve(serve::Args),
    /// What can be reached from a place within N minutes.
    Reach(reach::Args),
    /// Check the plan's measurable promises against the network.
    Targets(targets::Args),
    /// List planning features by kind, status, area or distance.
    Features(features::Args),
    /// Find features by name (Chinese, English, pinyin, aliases).
    Search(search::Args),
    /// Validate the data folder (and, given the seeds, every cited line).
    CheckData(check_data::Args),
    /// Build walk, bike and drive graphs from an OpenStreetMap extract.
    ImportOsm(import_osm::Args),
    /// City-wide accessibility: opportunities within cutoffs from every grid cell or point.
    Access(access::Args),
    /// Travel times from many origins to many destinations.
    Matrix(access::MatrixArgs),
    /// Assemble the parts of a sharded `access` run into one result.
    AccessMerge(access::MergeArgs),
}

/// Output formats shared by the listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
    Geojson,
}

/// What a command can fail with. Input errors exit with 2, everything else with 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Input(String),
    #[error("{0}")]
    Data(String),
    #[error("{0}")]
    Io(String),
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            CliError::Input(_) => 2,
            CliError::Data(_) | CliError::Io(_) => 1,
        }
    }
}

/// Reads `--modifications FILE` (JSON or TOML, the language of `src/scenario/model.rs`) and
/// compiles it on the base `--scenario` names. A base written in the file must be that one.
pub(crate) fn modifications(
    city: &crate::city::City,
    base: &str,
    file: Option<&std::path::Path>,
) -> Result<Option<std::sync::Arc<crate::scenario::Compiled>>, CliError> {
    let Some(path) = file else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Input(format!("--modifications {shown}: {e}")))?;
    let (file_base, mods) = crate::scenario::parse_file(&text, &shown)
        .map_err(|e| CliError::Input(format!("--modifications {shown}: {e}")))?;
    if let Some(b) = file_base.filter(|b| b != base) {
        return Err(CliError::Input(format!(
            "--modifications {shown}: the file builds on '{b}' but --scenario is '{base}'; \
             give --scenario {b}"
        )));
    }
    if mods.is_empty() {
        return Ok(None);
    }
    crate::scenario::compile_for(city, base, &mods)
        .map_err(|e| CliError::Input(format!("--modifications {shown}: {e}")))
}

/// Where a command's city comes from: shared by `serve`, `reach` and `targets`.
#[derive(Debug, clap::Args)]
pub struct CityArgs {
    /// Data folder (default: the embedded Zhengzhou data).
    #[arg(long)]
    data: Option<std::path::PathBuf>,
    /// Street graphs from `import-osm` (default: the crow-fly proxy).
    #[arg(long)]
    streets: Option<std::path::PathBuf>,
}

impl CityArgs {
    /// Loads the city: a data folder or the embedded default, with street graphs from
    /// `import-osm` when given. `--streets DIR` alone is a street-only city made from that
    /// folder, and a data folder that holds graphs (`import-osm --out` writes them with a
    /// `city.toml`) uses them without `--streets`.
    pub(crate) fn load(&self) -> Result<crate::city::City, CliError> {
        use crate::network::streets::{osm, StreetMode};
        let has_graphs = |d: &std::path::Path| {
            StreetMode::ALL
                .iter()
                .any(|&m| osm::graph_path(d, m).exists())
        };
        let data = self.data.as_deref().or(self.streets.as_deref());
        let source = crate::dataset::DataSource::from_option(data).map_err(|e| {
            let flag = if self.data.is_some() {
                "--data"
            } else {
                "--streets"
            };
            CliError::Input(format!("{flag}: {e}"))
        })?;
        if let crate::dataset::DataSource::Folder(d) = &source {
            let holds_data = source.exists(crate::catalog::FEATURES_FILE)
                || source.exists("gtfs")
                || has_graphs(d);
            if !holds_data {
                return Err(CliError::Input(format!(
                    "--data {}: no city data there (expected features.geojson, a gtfs/ folder, \
                     or street graphs written by import-osm --out)",
                    d.display()
                )));
            }
        }
        let streets_dir = match (&self.streets, &source) {
            (Some(dir), _) => Some(dir.clone()),
            (None, crate::dataset::DataSource::Folder(d)) if has_graphs(d) => Some(d.clone()),
            _ => None,
        };
        let city = match streets_dir {
            None => crate::city::City::load(source),
            Some(dir) => {
                let model = crate::network::streets::load_street_model(&dir)
                    .map_err(|e| CliError::Input(format!("--streets: {e}")))?;
                crate::city::City::load_with_streets(source, model)
            }
        };
        city.map_err(|e| CliError::Data(e.to_string()))
    }
}

/// Runs a parsed command line; errors are printed to stderr with a non-zero exit code.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Serve(a) => serve::run(a),
        Command::Reach(a) => reach::run(a),
        Command::Targets(a) => targets::run(a),
        Command::Features(a) => features::run(a),
        Command::Search(a) => search::run(a),
        Command::CheckData(a) => check_data::run(a),
        Command::ImportOsm(a) => import_osm::run(a),
        Command::Access(a) => access::run(a),
        Command::Matrix(a) => access::run_matrix(a),
        Command::AccessMerge(a) => access::run_merge(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
