use super::{CityArgs, CliError, Format};
use crate::reach::targets::{self, Verdict};
use std::fmt::Write;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario to check the targets against.
    #[arg(long, default_value = "plan-2025")]
    scenario: String,
    /// Modifications applied on top of --scenario (JSON or TOML file).
    #[arg(long)]
    modifications: Option<std::path::PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    city: CityArgs,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let city = args.city.load()?;
    let compiled = super::modifications(&city, &args.scenario, args.modifications.as_deref())?;
    let (on, scenario) = match &compiled {
        Some(c) => (&c.city, c.id.as_str()),
        None => (&city, args.scenario.as_str()),
    };
    let results =
        targets::evaluate_all(on, scenario).map_err(|e| CliError::Input(e.to_string()))?;
    if args.format != Format::Table {
        println!(
            "{}",
            serde_json::to_string_pretty(&results).unwrap_or_default()
        );
        return Ok(());
    }
    let mut out = String::new();
    let _ = writeln!(out, "Plan targets — scenario {scenario}\n");
    for r in &results {
        let t = &r.target;
        let verdict = match r.verdict {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Unreached => "UNREACHED",
            Verdict::NotEvaluable => "NOT EVALUABLE",
        };
        let _ = writeln!(out, "[{verdict}] {} ({})", t.title_en, t.id);
        let _ = writeln!(
            out,
            "  source: {} line {}: 「{}」",
            t.source.doc, t.source.line, t.quote_zh
        );
        match r.minutes {
            Some(m) => {
                let _ = writeln!(
                    out,
                    "  computed: {m} min (target ≤ {} min) — arrive at {}",
                    t.max_minutes.unwrap_or(f64::NAN),
                    r.arrive_at.as_deref().unwrap_or("?")
                );
                if let Some(d) = &r.share_of_departures {
                    let p50 = d
                        .p50_minutes
                        .map_or_else(|| "—".to_string(), |m| format!("{m} min"));
                    let _ = writeln!(
                        out,
                        "  on the timetable: {:.0}% of departures within {} min (p50 {p50}; {}, {} phase draws, seed {}, {} samples)",
                        d.share * 100.0,
                        d.within_minutes,
                        d.window,
                        d.draws,
                        d.seed,
                        d.samples
                    );
                }
                let legs: Vec<String> = r.legs.iter().map(|l| l.short()).collect();
                let _ = writeln!(out, "  legs: {}", legs.join(" → "));
                let _ = writeln!(
                    out,
                    "  in vehicle {} min, waiting {} min, walking {} min",
                    r.in_vehicle_minutes.unwrap_or(0.0),
                    r.waiting_minutes.unwrap_or(0.0),
                    r.walking_minutes.unwrap_or(0.0)
                );
                // A request's scenario is edited in its modifications file, a named one in its TOML.
                let edit = match &args.modifications {
                    Some(f) => f.display().to_string(),
                    None => format!("scenarios/{}.toml", r.scenario),
                };
                for a in &r.assumptions {
                    let _ = writeln!(
                        out,
                        "  assumption {}: {} — {} km at {} km/h, dwell {} s, every {} min (edit {edit})",
                        a.link, a.name, a.track_km, a.average_speed_kmh, a.dwell_s, a.headway_min
                    );
                }
            }
            None => match &r.national {
                Some(n) => {
                    let _ = writeln!(out, "  computed: {}", r.note);
                    for x in &n.readings {
                        let _ = writeln!(
                            out,
                            "  {:<4} within {} h: {} of {} cities ({:.1}%), {:.1} of {:.1} million people ({:.1}%)",
                            x.mode.as_str(),
                            x.max_hours,
                            x.cities_within,
                            x.cities_total,
                            x.city_share * 100.0,
                            x.population_within as f64 / 1e6,
                            x.population_total as f64 / 1e6,
                            x.population_share * 100.0
                        );
                    }
                    for c in &n.capitals {
                        let h =
                            |v: Option<f64>| v.map_or("—".to_string(), |h| format!("{h:.2} h"));
                        let _ = writeln!(
                            out,
                            "  {} ({}): rail {}, road {}, air {}",
                            c.name_zh,
                            c.name_en,
                            h(c.rail_h),
                            h(c.road_h),
                            h(c.air_h)
                        );
                    }
                    for a in &n.assumptions {
                        let _ = writeln!(out, "  assumption {a}");
                    }
                }
                None => {
                    let _ = writeln!(out, "  why: {}", r.note);
                }
            },
        }
        let _ = writeln!(out);
    }
    print!("{out}");
    Ok(())
}
