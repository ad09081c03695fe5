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
//! A request's scenario is applied to a copy of the network as one more scenario, index `k`
//! (every named scenario keeps its index, so a request may still compare against them). What
//! the base adds is copied into `k`; a shared element the modifications change or remove is
//! first split: the original goes to scenario 0, copies to the other named scenarios, and
//! `k` gets its own copy to change or to tag [`HIDDEN`]. The search compiles `k` exactly as
//! it compiles a named scenario, so nothing downstream changes.

use super::model::Modification;
use super::resolve::{LineStop, Op, Resolved};
use crate::geodesy::haversine_m;
use crate::network::scenario::Scenario;
use crate::network::transit::TransitNetwork;

/// The tag of elements that belong to no scenario.
pub const HIDDEN: usize = usize::MAX;

/// Track length ÷ straight line assumed by `adjust-speed` with a speed.
pub const ADJUST_TRACK_FACTOR: f64 = 1.15;

/// A copy of the network (with the feeds, whose trips still run where the scenario leaves the
/// base as it is) with one more scenario, the last, holding what `base` holds, named `id`.
pub fn with_scenario(
    net: &TransitNetwork,
    base: usize,
    id: &str,
    modifications: &[Modification],
) -> TransitNetwork {
    let mut out = net.clone();
    let k = out.scenarios.len();
    if base != 0 {
        // The base's stops become visible everywhere (in other scenarios no line serves them);
        // its lines and transfers are copied into the new scenario.
        for s in &mut out.stops {
            if s.scenario == Some(base) {
                s.scenario = None;
            }
        }
        for r in &mut out.routes {
            if r.scenario == Some(base) {
                r.scenario = None;
            }
        }
        let copies: Vec<_> = out
            .patterns
            .iter()
            .filter(|p| p.scenario == Some(base))
            .cloned()
            .collect();
        for mut p in copies {
            p.scenario = Some(k);
            out.patterns.push(p);
        }
        let copies: Vec<_> = out
            .transfers
            .iter()
            .filter(|t| t.scenario == Some(base))
            .copied()
            .collect();
        for mut t in copies {
            t.scenario = Some(k);
            out.transfers.push(t);
        }
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
    out.scenarios.push(sc);
    out
}

/// The index of scenario `k`'s own copy of pattern `pi` (active in `k`): a shared pattern is
/// split, the original to scenario 0 and copies to every other scenario.
fn own_pattern(net: &mut TransitNetwork, k: usize, pi: usize) -> usize {
    if net.patterns[pi].scenario.is_some() {
        return pi;
    }
    net.patterns[pi].scenario = Some(0);
    for j in 1..=k {
        let mut c = net.patterns[pi].clone();
        c.scenario = Some(j);
        net.patterns.push(c);
    }
    net.patterns.len() - 1
}

fn own_transfer(net: &mut TransitNetwork, k: usize, ti: usize) -> usize {
    if net.transfers[ti].scenario.is_some() {
        return ti;
    }
    net.transfers[ti].scenario = Some(0);
    for j in 1..=k {
        let mut c = net.transfers[ti];
        c.scenario = Some(j);
        net.transfers.push(c);
    }
    net.transfers.len() - 1
}

/// Scenario `k`'s own copies of the patterns of `route` active in it.
fn own_route_patterns(net: &mut TransitNetwork, k: usize, route: usize) -> Vec<usize> {
    let active: Vec<usize> = (0..net.patterns.len())
        .filter(|&i| {
            net.patterns[i].route == route && TransitNetwork::active(net.patterns[i].scenario, k)
        })
        .collect();
    active.into_iter().map(|i| own_pattern(net, k, i)).collect()
}

/// Applies checked modifications as scenario `si` of `net`, its elements tagged `si` and route
/// ids prefixed with `scenario_id`. Returns the links and stops added, for the scenario's
/// listing.
pub fn apply(net: &mut TransitNetwork, si: usize, scenario_id: &str, resolved: &Resolved) {
    for (_, op) in &resolved.ops {
        match op {
            Op::RemoveRoute { route } => {
                for pi in own_route_patterns(net, si, *route) {
                    net.patterns[pi].scenario = Some(HIDDEN);
                }
            }
            Op::RemoveStops { stops, route } => {
                let touched: Vec<usize> = (0..net.patterns.len())
                    .filter(|&i| {
                        let p = &net.patterns[i];
                        TransitNetwork::active(p.scenario, si)
                            && route.is_none_or(|r| r == p.route)
                            && p.stops.iter().any(|s| stops.contains(s))
                    })
                    .collect();
                for pi in touched {
                    let pi = own_pattern(net, si, pi);
                    let p = &mut net.patterns[pi];
                    let keep: Vec<usize> = (0..p.stops.len())
                        .filter(|&i| !stops.contains(&p.stops[i]))
                        .collect();
                    p.stops = keep.iter().map(|&i| p.stops[i]).collect();
                    p.arrive_s = keep.iter().map(|&i| p.arrive_s[i]).collect();
                    if p.stops.len() < 2 {
                        p.scenario = Some(HIDDEN);
                    }
                }
                // Closed to every route: no walking link leads through the stop either (it stays
                // in the arrays, with nothing to board there).
                if route.is_none() {
                    let touched: Vec<usize> = (0..net.transfers.len())
                        .filter(|&i| {
                            let t = &net.transfers[i];
                            TransitNetwork::active(t.scenario, si)
                                && (stops.contains(&t.from) || stops.contains(&t.to))
                        })
                        .collect();
                    for ti in touched {
                        let ti = own_transfer(net, si, ti);
                        net.transfers[ti].scenario = Some(HIDDEN);
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
                for pi in own_route_patterns(net, si, *route) {
                    let p = &mut net.patterns[pi];
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
                for pi in own_route_patterns(net, si, *route) {
                    let p = &mut net.patterns[pi];
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
