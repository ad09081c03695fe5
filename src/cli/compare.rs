//! `cityreach compare`: one reach question asked of the base and of a plan scenario, and what
//! the plan changes (band areas, features gained, lost, faster, slower).

use super::{CliError, Format};
use crate::analysis::compare;

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The reach question; `--scenario` is the plan (when it is the base, the first other
    /// scenario).
    #[command(flatten)]
    reach: super::reach::Args,
    /// The scenario the plan is compared with.
    #[arg(long, default_value = "existing")]
    base: String,
}

pub fn run(args: CompareArgs) -> Result<(), CliError> {
    if args.reach.format == Format::Geojson {
        return Err(CliError::Input(
            "--format: a comparison is a table or JSON (its JSON holds both GeoJSON answers)"
                .into(),
        ));
    }
    let req = super::reach::request(&args.reach, !args.reach.no_polygons)?;
    let city = args.reach.city.load()?;
    let plan = if args.reach.scenario == args.base {
        city.scenario_ids()
            .into_iter()
            .find(|s| *s != args.base)
            .map(str::to_string)
            .ok_or_else(|| CliError::Input("--scenario: no other scenario to compare".into()))?
    } else {
        args.reach.scenario.clone()
    };
    let c = compare::compare(&city, &req, &args.base, &plan).map_err(super::reach::input)?;
    match args.reach.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&c.to_json()).unwrap_or_default()
        ),
        _ => print!("{}", c.to_table()),
    }
    Ok(())
}
