//! `cityreach access`: city-wide accessibility over a grid or a point set; and
//! `cityreach matrix`: travel times from many origins to many destinations.

use super::{CityArgs, CliError};
use crate::access::output::{self, Format};
use crate::access::query::{AccessQuery, OpportunitySpec, PointSpec};
use crate::access::{self, AccessError, Progress};
use crate::catalog::districts::{load_districts, District};
use crate::reach::Mode;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to count: a feature kind (commercial, cultural, transport_hub, free_trade_zone), a
    /// subkind, several comma-separated, all, stations, or FILE:COLUMN (CSV with lon,lat
    /// columns, or GeoJSON points; each point weighted by COLUMN).
    #[arg(long, default_value = "all")]
    opportunities: String,
    /// Cutoffs in minutes: opportunities reachable within each (comma-separated or repeated).
    #[arg(long = "cutoff", value_delimiter = ',', allow_negative_numbers = true)]
    cutoffs: Vec<f64>,
    /// Minutes to the nearest N opportunities (comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    nearest: Vec<usize>,
    /// Search budget in minutes (default: the largest cutoff, or 120 for nearest-N only).
    #[arg(long, allow_negative_numbers = true)]
    max_minutes: Option<f64>,
    /// walk, bike, drive or transit.
    #[arg(long, default_value = "transit")]
    mode: String,
    /// Scenario id (existing, plan-2025, …); with --modifications, their base.
    #[arg(long, default_value = "existing")]
    scenario: String,
    /// Modifications applied on top of --scenario (JSON or TOML file); --compare may then name
    /// the base to get the difference the modifications make.
    #[arg(long)]
    modifications: Option<PathBuf>,
    /// A second scenario: adds its values and the difference (compared − base).
    #[arg(long)]
    compare: Option<String>,
    /// Grid cell size, metres (origins are the cell centres).
    #[arg(long, default_value_t = 250.0, allow_negative_numbers = true)]
    cell: f64,
    /// Limit the grid to districts (name or adcode) or a GeoJSON polygon file; repeatable.
    /// Default: the city's districts, or its area when it has none.
    #[arg(long)]
    within: Vec<String>,
    /// Limit the grid to a box west,south,east,north.
    #[arg(long, allow_hyphen_values = true)]
    bbox: Option<String>,
    /// Origins from a CSV (id,lon,lat) or GeoJSON point file instead of a grid.
    #[arg(long)]
    origins: Option<PathBuf>,
    /// Write the result here (.tif, .csv or .geojson; or name the format with --format).
    #[arg(long)]
    out: Option<PathBuf>,
    /// tiff, csv or geojson (default: from --out's extension; without --out, written to stdout).
    #[arg(long)]
    format: Option<String>,
    /// Departure on the feeds' timetable, YYYY-MM-DDTHH:MM in the feeds' local time (default:
    /// the steady state; a timetabled network without --compare uses 08:00 on the first
    /// Tuesday of its calendar, as reach does).
    #[arg(long)]
    depart: Option<String>,
    /// Departure window in minutes (0: one departure; at most 180), one search per minute.
    #[arg(long)]
    window: Option<u32>,
    /// Percentiles of travel time, one set of measures each (default 5,50,95; or --percentile
    /// alone).
    #[arg(long)]
    percentiles: Option<String>,
    /// One percentile of travel time (with --percentiles, one of them).
    #[arg(long)]
    percentile: Option<String>,
    /// Compute only shard K of N (1-based; contiguous runs of origins) and write a part
    /// (`--out FILE.json`) for access-merge.
    #[arg(long)]
    shard: Option<String>,
    #[command(flatten)]
    city: CityArgs,
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The part files written by `access --shard K/N --out PART.json`, every shard once.
    #[arg(required = true)]
    parts: Vec<PathBuf>,
    /// The merged result (.tif, .csv or .geojson).
    #[arg(long)]
    out: PathBuf,
    /// tiff, csv or geojson (default: from --out's extension).
    #[arg(long)]
    format: Option<String>,
}

pub fn run_merge(args: MergeArgs) -> Result<(), CliError> {
    let format = match &args.format {
        Some(f) => Format::parse(f)
            .ok_or_else(|| input(format!("--format {f}: expected tiff, csv, geojson or parquet")))?,
        None => Format::from_path(&args.out).ok_or_else(|| {
            input(format!(
                "--out {}: name the format with a .tif, .csv, .geojson or .parquet extension or --format",
                args.out.display()
            ))
        })?,
    };
    let mut parts = Vec::with_capacity(args.parts.len());
    for p in &args.parts {
        let text =
            std::fs::read_to_string(p).map_err(|e| input(format!("{}: {e}", p.display())))?;
        let part: access::shard::Part = serde_json::from_str(&text)
            .map_err(|e| input(format!("{}: not an access part ({e})", p.display())))?;
        parts.push(part);
    }
    let result = access::shard::merge(parts).map_err(access_err)?;
    let file = std::fs::File::create(&args.out)
        .map_err(|e| CliError::Io(format!("{}: {e}", args.out.display())))?;
    let mut w = std::io::BufWriter::new(file);
    output::write(&mut w, &result, format)
        .and_then(|_| w.flush())
        .map_err(|e| CliError::Io(format!("{}: {e}", args.out.display())))?;
    println!(
        "merged {} parts: {} origins, {} measures → {}",
        args.parts.len(),
        result.origins.len(),
        result.measures.len(),
        args.out.display()
    );
    Ok(())
}

fn input(e: impl std::fmt::Display) -> CliError {
    CliError::Input(e.to_string())
}

fn access_err(e: AccessError) -> CliError {
    match e {
        AccessError::Cancelled { .. } => CliError::Data(e.to_string()),
        other => CliError::Input(other.to_string()),
    }
}

/// A progress bar on a terminal (hidden otherwise) that follows `progress` until `done`.
fn with_progress<T>(progress: &Progress, work: impl FnOnce() -> T) -> T {
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} origins, {elapsed} (eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let finished = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            while !finished.load(Ordering::Relaxed) {
                bar.set_length(progress.total.load(Ordering::Relaxed) as u64);
                bar.set_position(progress.done.load(Ordering::Relaxed) as u64);
                std::thread::sleep(Duration::from_millis(100));
            }
            bar.finish_and_clear();
        });
        let out = work();
        finished.store(true, Ordering::Relaxed);
        out
    })
}

pub fn run(args: Args) -> Result<(), CliError> {
    let shard = args
        .shard
        .as_deref()
        .map(access::shard::parse)
        .transpose()
        .map_err(access_err)?;
    if shard.is_some()
        && args
            .out
            .as_ref()
            .is_none_or(|p| p.extension().is_none_or(|e| e != "json"))
    {
        return Err(input(
            "--shard writes a part for access-merge: give --out PART.json",
        ));
    }
    let format = match (&args.format, &args.out) {
        _ if shard.is_some() => None,
        (Some(f), _) => Some(
            Format::parse(f)
                .ok_or_else(|| input(format!("--format {f}: expected tiff, csv, geojson or parquet")))?,
        ),
        (None, Some(p)) => Some(Format::from_path(p).ok_or_else(|| {
            input(format!(
                "--out {}: name the format with a .tif, .csv, .geojson or .parquet extension or --format",
                p.display()
            ))
        })?),
        (None, None) => None,
    };
    // Files named on the command line go into the query as the HTTP API would carry them.
    let mut query = AccessQuery {
        opportunities: OpportunitySpec::Named(args.opportunities.clone()),
        cutoffs: args.cutoffs.clone(),
        nearest: args.nearest.clone(),
        max_minutes: args.max_minutes,
        mode: args.mode.clone(),
        scenario: args.scenario.clone(),
        compare: args.compare.clone(),
        cell: args.cell,
        depart: args.depart.clone(),
        window: args.window.map(serde_json::Value::from),
        percentiles: args.percentiles.clone().map(serde_json::Value::from),
        percentile: args.percentile.clone().map(serde_json::Value::from),
        ..AccessQuery::default()
    };
    for w in &args.within {
        let lw = w.to_ascii_lowercase();
        if lw.ends_with(".geojson") || lw.ends_with(".json") {
            if query.polygon.is_some() {
                return Err(input("--within: at most one polygon file"));
            }
            let text =
                std::fs::read_to_string(w).map_err(|e| input(format!("--within {w}: {e}")))?;
            let v: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| input(format!("--within {w}: {e}")))?;
            query.polygon = Some(v);
        } else {
            query.within.push(w.clone());
        }
    }
    if let Some(b) = &args.bbox {
        let v: Vec<f64> = b
            .split(',')
            .map(|x| x.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| input(format!("--bbox {b}: expected west,south,east,north")))?;
        let [w, s, e, n] = v[..] else {
            return Err(input(format!("--bbox {b}: expected four numbers")));
        };
        query.bbox = Some([w, s, e, n]);
    }
    if let Some(path) = &args.origins {
        let pts = access::opportunities::origins_from_file(path).map_err(access_err)?;
        query.origins = Some(
            pts.into_iter()
                .map(|p| PointSpec::Object {
                    id: Some(p.id),
                    lon: p.lonlat[0],
                    lat: p.lonlat[1],
                    weight: None,
                })
                .collect(),
        );
    }
    let loaded = args.city.load()?;
    let compiled = super::modifications(&loaded, &args.scenario, args.modifications.as_deref())?;
    let city = match &compiled {
        Some(c) => {
            query.scenario = c.id.clone();
            &c.city
        }
        None => &loaded,
    };
    let job = access::shard::fingerprint(&format!(
        "{}\n{}",
        city.profile.name,
        serde_json::to_string(&query).unwrap_or_default()
    ));
    let districts = load_districts(&city.source, &crate::catalog::CityBounds::WORLD)
        .map_err(|e| CliError::Data(e.to_string()))?;
    let population = crate::catalog::population::Population::load(
        &city.source,
        &crate::catalog::CityBounds::WORLD,
    )
    .map_err(|e| CliError::Data(e.to_string()))?;
    let mut prepared = query
        .prepare(city, districts.as_deref())
        .map_err(access_err)?;
    let total = prepared.origins.len();
    if let Some((k, n)) = shard {
        let r = access::shard::range(total, k, n);
        prepared.origins = prepared.origins[r].to_vec();
        if prepared.origins.is_empty() {
            return Err(input(format!(
                "--shard {k}/{n}: no origin falls in this shard ({total} origins in all); use fewer shards"
            )));
        }
    }
    if format == Some(Format::GeoTiff) && prepared.grid.is_none() {
        return Err(input(
            "--format tiff needs a grid; point-set origins are written as csv or geojson",
        ));
    }
    let progress = Progress::default();
    let started = std::time::Instant::now();
    let result = with_progress(&progress, || {
        access::run(
            city,
            &prepared.request,
            prepared.origins,
            prepared.grid,
            &prepared.opportunities,
            &progress,
        )
    })
    .map_err(access_err)?;
    let secs = started.elapsed().as_secs_f64();
    if let (Some((k, n)), Some(path)) = (shard, &args.out) {
        let part = access::shard::Part::new(&result, job, k, n, total);
        let file = std::fs::File::create(path)
            .map_err(|e| CliError::Io(format!("{}: {e}", path.display())))?;
        let mut w = std::io::BufWriter::new(file);
        serde_json::to_writer(&mut w, &part)
            .map_err(std::io::Error::from)
            .and_then(|_| w.flush())
            .map_err(|e| CliError::Io(format!("{}: {e}", path.display())))?;
        println!(
            "shard {k}/{n}: {} of {total} origins in {secs:.2} s → {}",
            result.origins.len(),
            path.display()
        );
        return Ok(());
    }

    let summary_to = |w: &mut dyn Write| -> std::io::Result<()> {
        print_summary(w, &result, districts.as_deref(), population.as_ref(), secs)
    };
    match (&args.out, format) {
        (Some(path), Some(f)) => {
            let file = std::fs::File::create(path)
                .map_err(|e| CliError::Io(format!("{}: {e}", path.display())))?;
            let mut w = std::io::BufWriter::new(file);
            output::write(&mut w, &result, f)
                .and_then(|_| w.flush())
                .map_err(|e| CliError::Io(format!("{}: {e}", path.display())))?;
            let mut so = std::io::stdout().lock();
            summary_to(&mut so).map_err(|e| CliError::Io(e.to_string()))?;
            writeln!(so, "wrote {}", path.display()).map_err(|e| CliError::Io(e.to_string()))?;
        }
        (None, Some(f)) => {
            let mut so = std::io::stdout().lock();
            output::write(&mut so, &result, f).map_err(|e| CliError::Io(e.to_string()))?;
        }
        _ => {
            let mut so = std::io::stdout().lock();
            summary_to(&mut so).map_err(|e| CliError::Io(e.to_string()))?;
        }
    }
    Ok(())
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "–".into())
}

fn print_summary(
    w: &mut dyn Write,
    r: &access::AccessResult,
    districts: Option<&[District]>,
    population: Option<&crate::catalog::population::Population>,
    secs: f64,
) -> std::io::Result<()> {
    let m = &r.metadata;
    writeln!(
        w,
        "Accessibility to {} ({} points, total weight {}) by {}, scenario {}{}",
        m.opportunities,
        m.opportunity_count,
        m.opportunity_total,
        m.mode,
        m.scenario,
        m.compare
            .as_ref()
            .map(|c| format!(" compared with {c}"))
            .unwrap_or_default()
    )?;
    writeln!(
        w,
        "{} origins{} in {secs:.2} s; {} could not start (no street nearby)",
        m.origin_count,
        m.cell_m
            .map(|c| format!(" (a {c} m grid; each cell's origin is its centre)"))
            .unwrap_or_default(),
        m.origins_skipped
    )?;
    writeln!(w, "Street model: {}", m.street_model.description)?;
    let ds = districts.unwrap_or(&[]);
    let of = output::origin_districts(r, ds);
    let all = output::overall(r, ds, &of, population);
    writeln!(w)?;
    write!(w, "{:<28} {:>8}", "mean per origin", "origins")?;
    for meas in &r.measures {
        write!(w, " {:>18}", meas.name)?;
    }
    writeln!(w)?;
    let row = |w: &mut dyn Write, label: &str, n: String, vals: &[Option<f64>]| {
        write!(w, "{label:<28} {n:>8}")?;
        for v in vals {
            write!(w, " {:>18}", fmt_opt(*v))?;
        }
        writeln!(w)
    };
    for s in output::district_summaries(r, ds, &of)
        .iter()
        .filter(|s| s.origins > 0)
    {
        row(
            w,
            &format!("{} {}", s.name_zh, s.name_en),
            s.origins.to_string(),
            &s.means,
        )?;
    }
    row(w, "all origins", r.origins.len().to_string(), &all.means)?;
    if let (Some(pw), Some(note)) = (&all.population_weighted_means, &all.population_note) {
        row(w, "all residents", String::new(), pw)?;
        writeln!(w, "(residents: {note})")?;
    }
    if m.compare.is_some() {
        let per = m.cutoffs.len() + m.nearest.len();
        // The gains at the largest cutoff: the one most origins have any opportunity within.
        if let Some(diff) = (!m.cutoffs.is_empty()).then(|| 2 * per + m.cutoffs.len() - 1) {
            let h = output::histogram(r, diff, 8);
            writeln!(w)?;
            writeln!(
                w,
                "{}: {} origins gain, {} unchanged, {} lose",
                h.measure, h.gained, h.unchanged, h.lost
            )?;
            for (lo, hi, n) in &h.bins {
                writeln!(w, "  gain ({lo:>7.1}, {hi:>7.1}]  {n:>7}")?;
            }
        }
    }
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct MatrixArgs {
    /// Origins: names, ids, stops or LON,LAT (repeatable).
    #[arg(long = "from")]
    from: Vec<String>,
    /// Destinations: names, ids, stops or LON,LAT (repeatable).
    #[arg(long = "to")]
    to: Vec<String>,
    /// Origins from a CSV (id,lon,lat) or GeoJSON point file.
    #[arg(long)]
    origins: Option<PathBuf>,
    /// Destinations from a CSV (id,lon,lat) or GeoJSON point file.
    #[arg(long)]
    destinations: Option<PathBuf>,
    /// walk, bike, drive or transit.
    #[arg(long, default_value = "transit")]
    mode: String,
    #[arg(long, default_value = "existing")]
    scenario: String,
    /// Modifications applied on top of --scenario (JSON or TOML file).
    #[arg(long)]
    modifications: Option<PathBuf>,
    /// Search budget, minutes; pairs beyond it have no time.
    #[arg(long, default_value_t = 120.0, allow_negative_numbers = true)]
    max_minutes: f64,
    /// Departure on the feeds' timetable, YYYY-MM-DDTHH:MM (default as for access).
    #[arg(long)]
    depart: Option<String>,
    /// Departure window in minutes (0: one departure; at most 180).
    #[arg(long)]
    window: Option<u32>,
    /// The percentile of travel time over the window each entry gives (default 50).
    #[arg(long)]
    percentile: Option<String>,
    /// csv (origin,destination,minutes), json, or parquet (GeoParquet: a row per origin, a
    /// column of minutes per destination).
    #[arg(long, default_value = "csv")]
    format: String,
    #[command(flatten)]
    city: CityArgs,
}

pub fn run_matrix(args: MatrixArgs) -> Result<(), CliError> {
    let mode: Mode = args.mode.parse().map_err(input)?;
    if !matches!(args.format.as_str(), "csv" | "json" | "parquet") {
        return Err(input(format!(
            "--format {}: expected csv, json or parquet",
            args.format
        )));
    }
    let timing = AccessQuery {
        depart: args.depart.clone(),
        window: args.window.map(serde_json::Value::from),
        percentile: args.percentile.clone().map(serde_json::Value::from),
        ..AccessQuery::default()
    }
    .timing()
    .map_err(access_err)?;
    let loaded = args.city.load()?;
    let compiled = super::modifications(&loaded, &args.scenario, args.modifications.as_deref())?;
    let (city, scenario) = match &compiled {
        Some(c) => (&c.city, c.id.as_str()),
        None => (&loaded, args.scenario.as_str()),
    };
    let points = |items: &[String], file: &Option<PathBuf>, flag: &'static str| {
        let mut v = access::matrix::resolve_points(city, items, flag).map_err(access_err)?;
        if let Some(f) = file {
            v.extend(access::opportunities::origins_from_file(f).map_err(access_err)?);
        }
        Ok::<_, CliError>(v)
    };
    let origins = points(&args.from, &args.origins, "from")?;
    let dests = points(&args.to, &args.destinations, "to")?;
    let m = access::matrix::compute_timed(
        city,
        origins,
        dests,
        mode,
        scenario,
        args.max_minutes,
        &timing,
    )
    .map_err(access_err)?;
    let mut so = std::io::stdout().lock();
    let r = if args.format == "json" {
        writeln!(so, "{}", m.to_json())
    } else if args.format == "parquet" {
        so.write_all(&m.to_geoparquet())
    } else {
        m.write_csv(&mut so)
    };
    r.map_err(|e| CliError::Io(e.to_string()))
}
