//! Applies checked modifications to a network.
//!
//! Order (whatever the order listed; within one type, as listed):
//! 1. `remove-route`: the route's patterns leave the scenario;
//! 2. `remove-stops`: the stops leave the patterns (of one route, or of all, and then the
//!    network, with their transfers); vehicles pass them at the same times without stopping,
//!    and a pattern left with fewer than two stops leaves the scenario;
//! 3. `adjust-speed`: hop run times divided by the factor, or recomputed from the hop's
//!    straight line × 1.15 at the speed; optionally only between two stops;
//! 4. `adjust-frequency`: the route's headway (with a window: the 06:00–23:00 average);
//! 5. `add-line`: new stops, a route and its two patterns, run times from distance, speed and
//!    dwell as for every scenario line;
//! 6. `add-transfer`: walking links both ways.
//!
//! A request's scenario is applied to a *flattened* copy of the base: everything active in the
//! base belongs to scenario 0 (untagged stays untagged), everything else is tagged
//! [`HIDDEN`], and the copy's one scenario is the request's. The search compiles it exactly as
//! it compiles a named scenario, so nothing downstream changes.

use super::model::Modification;
use super::resolve::{LineStop, Op, Resolved};
use crate::geodesy::haversine_m;
use crate::network::scenario::Scenario;
use crate::network::transit::TransitNetwork;

/// The tag of elements that belong to no scenario of a flattened network.
pub const HIDDEN: usize = usize::MAX;

/// Track length ÷ straight line assumed by `adjust-speed` with a speed.
pub const ADJUST_TRACK_FACTOR: f64 = 1.15;

/// A copy of the base (without the feeds' timetables, which describe `existing` only) whose
/// one scenario, index 0, is the base scenario `base`, named `id`.
pub fn flatten(
    net: &TransitNetwork,
    base: usize,
    id: &str,
    modifications: &[Modification],
) -> TransitNetwork {
    let mut out = net.clone_without_feeds();
    let retag = |tag: &mut Option<usize>| {
        if let Some(t) = *tag {
            *tag = Some(if t == base { 0 } else { HIDDEN });
        }
    };
    let mut hidden_ids = Vec::new();
    for s in &mut out.stops {
        retag(&mut s.scenario);
        if s.scenario == Some(HIDDEN) {
            hidden_ids.push(s.id.clone());
        }
    }
    // Stops of other scenarios keep their place but not their id, so a request may reuse it.
    for id in hidden_ids {
        out.unindex_stop(&id);
    }
    for r in &mut out.routes {
        retag(&mut r.scenario);
    }
    for p in &mut out.patterns {
        retag(&mut p.scenario);
    }
    for t in &mut out.transfers {
        retag(&mut t.scenario);
    }
    let b = &net.scenarios[base];
    let mut sc = Scenario::existing();
    sc.id = id.to_string();
    sc.name = format!("{} + {} modifications", b.name, modifications.len());
    sc.base = Some(b.id.clone());
    sc.modifications = modifications.to_vec();
    // The base's own additions stay listed, so their assumptions are still reported.
    sc.stops = b.stops.clone();
    sc.links = b.links.clone();
    sc.transfers = b.transfers.clone();
    out.scenarios = vec![sc];
    out
}

/// Applies checked modifications as scenario `si` of `net`, its elements tagged `si` and route
/// ids prefixed with `scenario_id`. Returns the links and stops added, for the scenario's
/// listing.
pub fn apply(net: &mut TransitNetwork, si: usize, scenario_id: &str, resolved: &Resolved) {
    for (_, op) in &resolved.ops {
        match op {
            Op::RemoveRoute { route } => {
                for p in net.patterns.iter_mut().filter(|p| p.route == *route) {
                    p.scenario = Some(HIDDEN);
                }
                net.routes[*route].scenario = Some(HIDDEN);
            }
            Op::RemoveStops { stops, route } => {
                for p in &mut net.patterns {
                    if p.scenario == Some(HIDDEN) || route.is_some_and(|r| r != p.route) {
                        continue;
                    }
                    if !p.stops.iter().any(|s| stops.contains(s)) {
                        continue;
                    }
                    let keep: Vec<usize> = (0..p.stops.len())
                        .filter(|&i| !stops.contains(&p.stops[i]))
                        .collect();
                    p.stops = keep.iter().map(|&i| p.stops[i]).collect();
                    p.arrive_s = keep.iter().map(|&i| p.arrive_s[i]).collect();
                    if p.stops.len() < 2 {
                        p.scenario = Some(HIDDEN);
                    }
                }
                if route.is_none() {
                    for &s in stops {
                        net.stops[s as usize].scenario = Some(HIDDEN);
                    }
                    for t in &mut net.transfers {
                        if stops.contains(&t.from) || stops.contains(&t.to) {
                            t.scenario = Some(HIDDEN);
                        }
                    }
                }
            }
            Op::AdjustSpeed {
                route,
                factor,
                speed_kmh,
                between,
            } => {
                let positions: Vec<[f64; 2]> = net.stops.iter().map(|s| s.lonlat).collect();
                for p in net.patterns.iter_mut().filter(|p| p.route == *route) {
                    if p.scenario == Some(HIDDEN) {
                        continue;
                    }
                    let (lo, hi) = match between {
                        None => (0, p.stops.len() - 1),
                        Some((a, b)) => {
                            let (Some(i), Some(j)) = (
                                p.stops.iter().position(|s| s == a),
                                p.stops.iter().position(|s| s == b),
                            ) else {
                                continue;
                            };
                            (i.min(j), i.max(j))
                        }
                    };
                    let mut t = p.arrive_s[lo] as f64;
                    let mut out = p.arrive_s.clone();
                    for k in lo..p.stops.len() - 1 {
                        let hop = (p.arrive_s[k + 1] - p.arrive_s[k]) as f64;
                        let new = if k < hi {
                            match (factor, speed_kmh) {
                                (Some(f), _) => hop / f,
                                (None, Some(v)) => {
                                    let d = haversine_m(
                                        positions[p.stops[k] as usize],
                                        positions[p.stops[k + 1] as usize],
                                    );
                                    d * ADJUST_TRACK_FACTOR / (v / 3.6)
                                }
                                (None, None) => hop,
                            }
                        } else {
                            hop
                        };
                        t += new;
                        out[k + 1] = t as f32;
                    }
                    p.arrive_s = out;
                }
            }
            Op::AdjustFrequency {
                route,
                headway_min,
                share,
            } => {
                let new = headway_min * 60.0;
                for p in net.patterns.iter_mut().filter(|p| p.route == *route) {
                    let old = p.headway_s as f64;
                    // Vehicles per second, averaged over the day by the window's share.
                    let rate = (1.0 - share) / old + share / new;
                    p.headway_s = (1.0 / rate) as f32;
                }
            }
            Op::AddLine { link, stops } => {
                let mut ids = Vec::with_capacity(stops.len());
                for s in stops {
                    match s {
                        LineStop::Id(id) => ids.push(net.stop_by_id(id).unwrap_or(0)),
                        LineStop::New(stop) => ids.push(net.push_scenario_stop(stop, si)),
                    }
                }
                net.push_link(si, scenario_id, link, ids);
            }
            Op::AddTransfer { from, to, secs } => {
                let (Some(a), Some(b)) = (net.stop_by_id(from), net.stop_by_id(to)) else {
                    continue;
                };
                let secs = secs.unwrap_or_else(|| {
                    crate::network::transit::walking_transfer_secs(
                        net.stops[a as usize].lonlat,
                        net.stops[b as usize].lonlat,
                    )
                });
                net.push_transfer_pair(si, a, b, secs);
            }
        }
    }
}

/// Lists what the modifications added (stops, lines, transfers) on the scenario, for its
/// description and the assumptions answers report.
pub fn list_additions(net: &TransitNetwork, resolved: &Resolved, sc: &mut Scenario) {
    for (_, op) in &resolved.ops {
        match op {
            Op::AddLine { link, stops } => {
                for s in stops {
                    if let LineStop::New(stop) = s {
                        sc.stops.push(stop.clone());
                    }
                }
                sc.links.push((**link).clone());
            }
            Op::AddTransfer { from, to, secs } => {
                let secs =
                    secs.unwrap_or_else(|| match (net.stop_by_id(from), net.stop_by_id(to)) {
                        (Some(a), Some(b)) => crate::network::transit::walking_transfer_secs(
                            net.stops[a as usize].lonlat,
                            net.stops[b as usize].lonlat,
                        ),
                        _ => 0.0,
                    });
                sc.transfers
                    .push(crate::network::scenario::ScenarioTransfer {
                        from: from.clone(),
                        to: to.clone(),
                        secs,
                    });
            }
            _ => {}
        }
    }
}
