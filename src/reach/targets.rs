//! Plan targets: the plan's own measurable promises, checked against a scenario.

use super::national::{CapitalReading, CircleReading, National, NationalMode};
use super::search::Step;
use super::{resolve_origin, Leg, Origin, ReachError};
use crate::city::City;
use crate::network::streets::Seed;
use serde::Serialize;

pub use crate::catalog::targets::{Target, TargetError, NATIONAL_CAPITALS, NATIONAL_CIRCLE};

/// What a national target found: one reading per mode, the neighbouring capitals, and the
/// assumptions behind the hours.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NationalResult {
    pub readings: Vec<CircleReading>,
    pub capitals: Vec<CapitalReading>,
    pub assumptions: Vec<String>,
}

/// Pass, fail, or why the target cannot be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    /// Not reachable at all within the search's limit.
    Unreached,
    NotEvaluable,
}

/// A scenario assumption that a result depends on (a link the itinerary rides).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assumption {
    pub link: String,
    pub name: String,
    pub average_speed_kmh: f64,
    pub headway_min: f64,
    pub dwell_s: f64,
    pub track_factor: f64,
    pub track_km: f64,
    pub alignment: String,
    pub reasoning: String,
}

/// The check of one target under one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetResult {
    pub target: Target,
    pub scenario: String,
    pub verdict: Verdict,
    /// Computed door-to-platform time, minutes.
    pub minutes: Option<f64>,
    /// The destination stop the best time arrives at.
    pub arrive_at: Option<String>,
    pub legs: Vec<Leg>,
    pub in_vehicle_minutes: Option<f64>,
    pub waiting_minutes: Option<f64>,
    pub walking_minutes: Option<f64>,
    pub assumptions: Vec<Assumption>,
    pub note: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub national: Option<NationalResult>,
    /// The promise read on the timetable: the share of departures in a window that make it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_of_departures: Option<DepartureShare>,
}

/// How many departures of a window make a target: one timetable search a minute for each
/// phase draw of the frequency-based service, the samples pooled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartureShare {
    /// `2026-01-06T08:00 + 60 min`: the first departure and the window.
    pub window: String,
    pub draws: u32,
    pub seed: u64,
    /// Departures × draws.
    pub samples: usize,
    /// The budget the share is for, minutes.
    pub within_minutes: f64,
    /// Samples arriving within the budget ÷ samples.
    pub share: f64,
    /// Nearest-rank percentiles of door-to-platform minutes (`None`: not reached by then).
    pub p5_minutes: Option<f64>,
    pub p50_minutes: Option<f64>,
    pub p95_minutes: Option<f64>,
}

/// The window a target's share of departures is read over: from the network's default
/// weekday 08:00 (the first Tuesday of the feeds' calendar), 60 minutes.
pub const SHARE_WINDOW_MIN: u32 = 60;

/// A window of departures: the first (`YYYY-MM-DDTHH:MM`), one a minute, and the phase draws.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleWindow {
    pub depart: String,
    pub minutes: u32,
    pub draws: u32,
    pub seed: u64,
}

/// Door-to-platform seconds of every sample (departure minute × draw) of the window, to the
/// nearest of `to_stops`, on scenario `si`'s timetable; `UNREACHED` where none is reached.
/// `access`: stop and walking seconds from the origin.
pub fn departure_samples(
    city: &City,
    si: usize,
    access: &[(u32, i32)],
    to_stops: &[u32],
    w: &SampleWindow,
) -> Result<Vec<i32>, crate::network::timetable::TimetableError> {
    let (minutes, seed) = (w.minutes, w.seed);
    use crate::network::timetable::{parse_departure, Timetable, TimetableParams, UNREACHED};
    use crate::reach::raptor;
    let (date, depart_s) = parse_departure(&w.depart)?;
    let net = &city.transit;
    let drawn = raptor::has_inexact_frequencies(net) || raptor::has_scenario_patterns(net, si);
    let draws = if drawn { w.draws.max(1) } else { 1 };
    let params = raptor::RaptorParams::default();
    let mut out = Vec::with_capacity((draws * minutes.max(1)) as usize);
    for draw in 0..draws {
        let tp = TimetableParams {
            scenario: si,
            phases: raptor::draw_phases(net, seed, draw),
            pattern_phases: raptor::draw_pattern_phases(net, si, seed, draw),
            ..TimetableParams::default()
        };
        let tt = Timetable::build(net, date, &tp)?;
        for row in raptor::range_travel_times(&tt, access, depart_s, minutes.max(1), &params) {
            let best = to_stops
                .iter()
                .map(|&s| row[s as usize])
                .min()
                .unwrap_or(UNREACHED);
            out.push(best);
        }
    }
    Ok(out)
}

/// The share of `samples` within `budget_min`, with percentiles.
pub fn share_within(
    samples: &[i32],
    budget_min: f64,
    window: String,
    draws: u32,
    seed: u64,
) -> DepartureShare {
    use crate::network::timetable::UNREACHED;
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let within = sorted
        .iter()
        .filter(|&&t| t != UNREACHED && t as f64 <= budget_min * 60.0 + 1e-9)
        .count();
    let at = |p: u8| {
        let t = *sorted.get(super::raptor::rank(p, n))?;
        (t != UNREACHED).then(|| (t as f64 / 60.0 * 10.0).round() / 10.0)
    };
    DepartureShare {
        window,
        draws,
        seed,
        samples: n,
        within_minutes: budget_min,
        share: if n == 0 {
            0.0
        } else {
            within as f64 / n as f64
        },
        p5_minutes: at(5),
        p50_minutes: at(50),
        p95_minutes: at(95),
    }
}

/// How far a target search looks beyond the promised time, so a failure still says by how much.
const TARGET_SEARCH_MINUTES: f64 = 180.0;

/// Checks every target under a scenario.
pub fn evaluate_all(city: &City, scenario: &str) -> Result<Vec<TargetResult>, ReachError> {
    let si = city
        .transit
        .scenario_index(scenario)
        .ok_or_else(|| ReachError::UnknownScenario {
            name: scenario.to_string(),
            known: city.scenario_ids().iter().map(|s| s.to_string()).collect(),
        })?;
    city.targets.iter().map(|t| evaluate(city, t, si)).collect()
}

/// Checks one target under scenario index `si`.
pub fn evaluate(city: &City, target: &Target, si: usize) -> Result<TargetResult, ReachError> {
    let scenario = city.transit.scenarios[si].id.clone();
    let mut result = TargetResult {
        target: target.clone(),
        scenario,
        verdict: Verdict::NotEvaluable,
        minutes: None,
        arrive_at: None,
        legs: Vec::new(),
        in_vehicle_minutes: None,
        waiting_minutes: None,
        walking_minutes: None,
        assumptions: Vec::new(),
        note: target.why.clone().unwrap_or_default(),
        national: None,
        share_of_departures: None,
    };
    if !target.evaluable {
        return Ok(result);
    }
    if target.mode == NATIONAL_CIRCLE || target.mode == NATIONAL_CAPITALS {
        evaluate_national(city, target, &mut result);
        return Ok(result);
    }
    let origin = resolve_origin(city, &Origin::Place(target.from.clone()))?;
    let graph = &city.graphs[si];
    let budget_s = TARGET_SEARCH_MINUTES * 60.0;
    let field = city.streets.spread(
        crate::network::streets::StreetMode::Walk,
        &[Seed {
            lonlat: origin.lonlat,
            secs: 0.0,
        }],
        budget_s,
    )?;
    let access: Vec<(u32, f32)> = city
        .transit
        .stops
        .iter()
        .enumerate()
        .filter(|(i, _)| graph.stop_active[*i])
        .filter_map(|(i, s)| field.time_at(s.lonlat).map(|t| (i as u32, t.secs as f32)))
        .collect();
    let labels = graph.search(&access, budget_s as f32, &city.params);

    // Best arrival over the destination stops, on foot or after a ride.
    let mut best: Option<(f32, u32, bool)> = None;
    for id in &target.to_stops {
        let Some(s) = city.transit.stop_by_id(id) else {
            continue;
        };
        for (t, ridden) in [(labels.walked(s), false), (labels.ridden(s), true)] {
            if t.is_finite() && best.is_none_or(|b| t < b.0) {
                best = Some((t, s, ridden));
            }
        }
    }
    let Some((t, stop, ridden)) = best else {
        result.verdict = Verdict::Unreached;
        result.note = format!(
            "none of the destination stops is reached within {TARGET_SEARCH_MINUTES} min in scenario {}",
            result.scenario
        );
        return Ok(result);
    };
    let origins = vec![origin.clone()];
    let access_origin = vec![0usize; city.transit.stops.len()];
    let steps = if ridden {
        labels.itinerary(graph, stop)
    } else {
        vec![Step::Access { stop, arrive_s: t }]
    };
    result.legs = super::result::legs_from_steps(
        city,
        &steps,
        &origins,
        &access_origin,
        city.params.transfer_penalty_s,
    );
    let minutes = (t as f64 / 60.0 * 10.0).round() / 10.0;
    result.minutes = Some(minutes);
    result.arrive_at = Some(city.transit.stops[stop as usize].name.clone());
    let sum = |pred: fn(&Leg) -> bool| -> f64 {
        let s: f64 = result
            .legs
            .iter()
            .filter(|l| pred(l))
            .map(Leg::minutes)
            .sum();
        (s * 10.0).round() / 10.0
    };
    result.in_vehicle_minutes = Some(sum(|l| matches!(l, Leg::Ride { .. })));
    result.waiting_minutes = Some(sum(|l| matches!(l, Leg::Wait { .. })));
    result.walking_minutes = Some(sum(|l| matches!(l, Leg::Street { .. })));
    let max = target.max_minutes.unwrap_or(f64::INFINITY);
    result.verdict = if t as f64 / 60.0 <= max + 1e-9 {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    result.assumptions = assumptions_of(city, &result.legs);
    if let (Some(max), Some(depart)) = (target.max_minutes, super::default_departure(&city.transit))
    {
        let access_s: Vec<(u32, i32)> =
            access.iter().map(|&(s, t)| (s, t.round() as i32)).collect();
        let to: Vec<u32> = target
            .to_stops
            .iter()
            .filter_map(|id| city.transit.stop_by_id(id))
            .collect();
        let (draws, seed) = (super::DRAWS, super::DRAW_SEED);
        let window = SampleWindow {
            depart: depart.clone(),
            minutes: SHARE_WINDOW_MIN,
            draws,
            seed,
        };
        if let Ok(samples) = departure_samples(city, si, &access_s, &to, &window) {
            let drawn = (samples.len() as u32 / SHARE_WINDOW_MIN).max(1);
            result.share_of_departures = Some(share_within(
                &samples,
                max,
                format!("{depart} + {SHARE_WINDOW_MIN} min"),
                drawn,
                seed,
            ));
        }
    }
    result.note = format!(
        "door-to-platform from {} to {} ({}); expected wait is half the headway, transfers add {} min",
        origin.name,
        target.to_description,
        target.to,
        city.params.transfer_penalty_s / 60.0
    );
    Ok(result)
}

/// Scenario links the legs ride, with the assumptions that set their run times.
fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn hours_text(h: Option<f64>) -> String {
    h.map_or_else(|| "—".to_string(), |h| format!("{h:.2} h"))
}

/// Evaluates a national target on `national.geojson`; without that layer the target stays
/// not evaluable, with the reason.
fn evaluate_national(city: &City, target: &Target, result: &mut TargetResult) {
    let national = match National::load(&city.source) {
        Ok(Some(n)) => n,
        Ok(None) => {
            result.note = format!(
                "needs {} in the data folder",
                super::national::NATIONAL_FILE
            );
            return;
        }
        Err(e) => {
            result.note = format!("cannot read the national layer: {e}");
            return;
        }
    };
    let max_h = target.max_minutes.unwrap_or(0.0) / 60.0;
    let mut assumptions: Vec<String> = NationalMode::ALL
        .iter()
        .map(|m| m.assumption().to_string())
        .collect();
    assumptions.push(super::national::POPULATION_ASSUMPTION.to_string());
    let capitals = national.neighbour_capitals();
    let readings: Vec<CircleReading>;
    if target.mode == NATIONAL_CIRCLE {
        let (cs, ps) = (
            target.min_city_share.unwrap_or(1.0),
            target.min_population_share.unwrap_or(1.0),
        );
        readings = NationalMode::ALL
            .iter()
            .map(|&m| national.circle(m, max_h, cs, ps))
            .collect();
        let passes = readings
            .iter()
            .any(|r| r.meets_city_share && r.meets_population_share);
        result.verdict = if passes { Verdict::Pass } else { Verdict::Fail };
        let parts: Vec<String> = readings
            .iter()
            .map(|r| {
                format!(
                    "{} {} of cities, {} of people",
                    r.mode.as_str(),
                    pct(r.city_share),
                    pct(r.population_share)
                )
            })
            .collect();
        result.note = format!(
            "within {max_h} h of Zhengzhou (city centroid for rail and road, 新郑国际机场 for air; the plan says 小李庄站, which the national model cannot tell apart): {}; the target is {} of cities and {} of people under at least one reading",
            parts.join("; "),
            pct(cs),
            pct(ps)
        );
    } else {
        readings = Vec::new();
        let within = |f: fn(&CapitalReading) -> Option<f64>| {
            capitals
                .iter()
                .filter(|c| f(c).is_some_and(|h| h <= max_h + 1e-9))
                .count()
        };
        let rail = within(|c| c.rail_h);
        let air = within(|c| c.air_h);
        let road = within(|c| c.road_h);
        // The promise sits in the rail-hub section of the plan: rail decides the verdict.
        result.verdict = if !capitals.is_empty() && rail == capitals.len() {
            Verdict::Pass
        } else {
            Verdict::Fail
        };
        let list: Vec<String> = capitals
            .iter()
            .map(|c| format!("{} rail {}", c.name_zh, hours_text(c.rail_h)))
            .collect();
        result.note = format!(
            "neighbouring provincial capitals within {max_h} h: by rail {rail} of {n} ({}), by air {air} of {n}, by road {road} of {n}; the promise is in the plan's railway-hub section, so rail decides",
            list.join(", "),
            n = capitals.len()
        );
    }
    result.national = Some(NationalResult {
        readings,
        capitals,
        assumptions,
    });
}

fn assumptions_of(city: &City, legs: &[Leg]) -> Vec<Assumption> {
    let mut out: Vec<Assumption> = Vec::new();
    for leg in legs {
        let Leg::Ride {
            route_id,
            scenario: Some(scenario),
            ..
        } = leg
        else {
            continue;
        };
        let Some(sc) = city.transit.scenarios.iter().find(|s| &s.id == scenario) else {
            continue;
        };
        let link_id = route_id
            .strip_prefix(&format!("{scenario}:"))
            .unwrap_or(route_id);
        let Some(link) = sc.links.iter().find(|l| l.id == link_id) else {
            continue;
        };
        if out.iter().any(|a| a.link == link.id) {
            continue;
        }
        let positions: Vec<[f64; 2]> = link
            .stops
            .iter()
            .filter_map(|id| city.transit.stop_by_id(id))
            .map(|i| city.transit.stops[i as usize].lonlat)
            .collect();
        let track_km: f64 = link.hop_lengths_m(&positions).iter().sum::<f64>() / 1000.0;
        out.push(Assumption {
            link: link.id.clone(),
            name: if link.name_en.is_empty() {
                link.name_zh.clone()
            } else {
                link.name_en.clone()
            },
            average_speed_kmh: link.average_speed_kmh,
            headway_min: link.headway_min,
            dwell_s: link.dwell_s,
            track_factor: link.track_factor,
            track_km: (track_km * 10.0).round() / 10.0,
            alignment: link.alignment.trim().to_string(),
            reasoning: link.reasoning.trim().to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::Mode;
    use crate::catalog::targets::TARGET_MODES;

    #[test]
    fn target_modes_are_the_engine_modes() {
        let engine: Vec<&str> = Mode::ALL.iter().map(|m| m.as_str()).collect();
        assert_eq!(engine, TARGET_MODES);
    }
}
