use super::{CityArgs, CliError, Format};
use crate::reach::{self, BandForm, Mode, Origin, ReachRequest};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Origin: a feature id, a name (中文, English, pinyin, alias), a stop, or LON,LAT.
    /// Repeat for several origins (their union).
    // Hyphen values allowed: west and south coordinates start with a minus sign.
    #[arg(long = "from", required = true, allow_hyphen_values = true)]
    from: Vec<String>,
    /// Travel-time budget in minutes (ignored when --bands is given).
    #[arg(long, default_value_t = 20.0, allow_negative_numbers = true)]
    minutes: f64,
    /// Band limits in minutes, e.g. 10,20,30 (the last one is the budget).
    #[arg(long)]
    bands: Option<String>,
    /// walk, bike, drive or transit.
    #[arg(long, default_value = "transit")]
    mode: String,
    /// Scenario id (existing, plan-2025, …); with --modifications, their base.
    #[arg(long, default_value = "existing")]
    scenario: String,
    /// Modifications applied on top of --scenario: a JSON or TOML file (add-line,
    /// adjust-frequency, adjust-speed, remove-stops, remove-route, add-transfer).
    #[arg(long)]
    modifications: Option<std::path::PathBuf>,
    /// Polygons as disjoint bands or cumulative (nested) areas.
    #[arg(long, default_value = "disjoint")]
    band_form: String,
    /// Raster cell for band polygons, metres.
    #[arg(long)]
    cell: Option<f64>,
    /// Polygon generalisation tolerance, metres (default: half a cell; 0: none).
    #[arg(long, allow_negative_numbers = true)]
    generalize: Option<f64>,
    /// Drop polygon parts smaller than this share of the largest (default 0.01; 0: keep all).
    #[arg(long, allow_negative_numbers = true)]
    denoise: Option<f64>,
    /// Departure on the feeds' timetable, YYYY-MM-DDTHH:MM in the feeds' local time
    /// (default: the steady-state search).
    #[arg(long)]
    depart: Option<String>,
    /// Departure window in minutes (0: one departure; at most 180), one search per minute.
    #[arg(long, default_value_t = 0)]
    window: u32,
    /// Percentiles of travel time reported per feature, e.g. 5,50,95.
    #[arg(long, default_value = "5,50,95")]
    percentiles: String,
    /// The percentile `minutes` and the bands are drawn for (one of --percentiles).
    #[arg(long, default_value = "50")]
    percentile: String,
    /// Minutes added to every boarding after the first (default: 2 in the steady state, 0 on a
    /// timetable, where waits are real and only 0 applies).
    #[arg(long, allow_negative_numbers = true)]
    transfer_penalty: Option<String>,
    /// Skip band polygons (features and times only).
    #[arg(long)]
    no_polygons: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    city: CityArgs,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let bands = match &args.bands {
        Some(b) => reach::parse_bands(b).map_err(input)?,
        None => {
            reach::check_minutes(args.minutes, "minutes").map_err(input)?;
            vec![args.minutes]
        }
    };
    let mode: Mode = args.mode.parse().map_err(input)?;
    let band_form: BandForm = args.band_form.parse().map_err(input)?;
    let origins = args
        .from
        .iter()
        .map(|s| Origin::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(input)?;
    let timing = reach::Timing {
        depart: args.depart.clone(),
        window_min: args.window,
        percentiles: reach::parse_percentiles(&args.percentiles).map_err(input)?,
        percentile: reach::parse_percentile(&args.percentile, "percentile").map_err(input)?,
        transfer_penalty_min: args
            .transfer_penalty
            .as_deref()
            .map(reach::parse_transfer_penalty)
            .transpose()
            .map_err(input)?,
    };
    reach::check_window(timing.window_min).map_err(input)?;
    let city = args.city.load()?;
    let req = ReachRequest {
        origins,
        mode,
        bands,
        scenario: args.scenario.clone(),
        polygons: !args.no_polygons && args.format != Format::Json,
        band_form,
        cell_m: args.cell,
        generalize_m: args.generalize,
        denoise: args.denoise,
        timing,
    };
    let compiled = super::modifications(&city, &args.scenario, args.modifications.as_deref())?;
    let result = match &compiled {
        None => reach::reach(&city, &req).map_err(input)?,
        Some(c) => {
            let mut r = req.clone();
            r.scenario = c.id.clone();
            let mut result = reach::reach(&c.city, &r).map_err(input)?;
            result.metadata["scenario"] = c.metadata();
            result
        }
    };
    match args.format {
        Format::Table => print!("{}", result.to_table()),
        Format::Json => {
            let v = serde_json::json!({
                "metadata": result.metadata,
                "summary": result.to_geojson()["summary"],
                "reached": result.reached,
            });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        Format::Geojson => println!("{}", result.to_geojson()),
    }
    Ok(())
}

fn input(e: reach::ReachError) -> CliError {
    if matches!(e, reach::ReachError::OutsideArea { .. }) {
        return CliError::Input(format!(
            "{e}. For another city, load its data: --data DIR (a data folder, or the folder \
             import-osm wrote) or --streets DIR (street graphs from import-osm)"
        ));
    }
    CliError::Input(e.to_string())
}
