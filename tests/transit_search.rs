//! Both transit engines behind `routing::transit::TransitSearch`: the steady-state search and
//! RAPTOR answer through the trait exactly what they answer directly, and every journey the
//! trait reconstructs ends at the arrival it reports.

use cityreach::network::timetable::{Timetable, TimetableParams, UNREACHED};
use cityreach::routing::transit::frequency::Step;
use cityreach::routing::transit::raptor::{JourneyLeg, Raptor, RaptorParams};
use cityreach::routing::transit::{FrequencyRun, RaptorRun, TransitSearch};
use cityreach::{City, DataSource};

/// Stops an engine reached (after a ride), through the trait alone.
fn reached<S: TransitSearch>(s: &S, stops: u32) -> Vec<u32> {
    (0..stops).filter(|&i| s.arrival_s(i).is_some()).collect()
}

#[test]
fn the_steady_state_search_through_the_trait() {
    let city = City::load(DataSource::Embedded).expect("embedded city");
    let graph = &city.graphs[0];
    let from = city
        .transit
        .stop_by_id("metro-erqi-guangchang")
        .expect("stop");
    let labels = graph.search(&[(from, 0.0)], 3600.0, &city.params);
    let run = FrequencyRun {
        graph,
        labels: &labels,
    };
    let n = city.transit.stops.len() as u32;
    let got = reached(&run, n);
    assert!(got.len() > 20, "{} stops reached", got.len());
    for s in 0..n {
        let direct = labels.ridden(s);
        assert_eq!(
            run.arrival_s(s),
            direct.is_finite().then_some(direct as f64)
        );
    }
    for &s in &got {
        let steps = run.itinerary(s).expect("reached");
        assert_eq!(steps, labels.itinerary(graph, s));
        let last_ride = steps.iter().rev().find_map(|st| match st {
            Step::Ride { alight_s, .. } => Some(*alight_s),
            _ => None,
        });
        let walked: f32 = steps
            .iter()
            .rev()
            .take_while(|st| matches!(st, Step::Transfer { .. }))
            .map(|st| match st {
                Step::Transfer { secs, .. } => *secs,
                _ => 0.0,
            })
            .sum();
        let end = last_ride.expect("a ride") + walked;
        let arrival = run.arrival_s(s).expect("reached");
        assert!(
            (end as f64 - arrival).abs() < 1e-3,
            "{s}: {end} vs {arrival}"
        );
    }
    let unreached = (0..n).find(|&s| run.arrival_s(s).is_none());
    if let Some(s) = unreached {
        assert_eq!(run.itinerary(s), None);
    }
}

#[test]
fn raptor_through_the_trait() {
    let city = City::load(DataSource::Embedded).expect("embedded city");
    let tt = Timetable::build(&city.transit, 20260513, &TimetableParams::default())
        .expect("the feeds run on 2026-05-13");
    let params = RaptorParams::default();
    let mut raptor = Raptor::new(&tt, &params);
    let from = city
        .transit
        .stop_by_id("metro-erqi-guangchang")
        .expect("stop");
    let access = [(from, 8 * 3600)];
    let mut arrivals = Vec::new();
    raptor.run(&access, &mut arrivals);
    let run = RaptorRun {
        raptor: &raptor,
        access: &access,
        arrivals: &arrivals,
    };
    let n = tt.stop_count() as u32;
    let got = reached(&run, n);
    assert!(got.len() > 20, "{} stops reached", got.len());
    for s in 0..n {
        let a = arrivals[s as usize];
        assert_eq!(run.arrival_s(s), (a != UNREACHED).then_some(a as f64));
    }
    for &s in got.iter().filter(|&&s| s != from) {
        let legs = run.itinerary(s).expect("reached");
        let end = match legs.last().expect("a leg") {
            JourneyLeg::Ride { arrive_s, .. } | JourneyLeg::Walk { arrive_s, .. } => *arrive_s,
        };
        assert_eq!(Some(end as f64), run.arrival_s(s), "stop {s}");
    }
}
