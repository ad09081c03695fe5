//! A Zhengzhou reach with a scenario given inline (3 modifications): compiled for every query
//! (uncached), from the cache, and the same network as a named scenario for comparison.
//!
//! Prints p50 / p99 over every transport hub × repetitions besides criterion's estimates.

use cityreach::reach::{self, Origin, ReachRequest};
use cityreach::scenario::{self, Modification};
use cityreach::{City, DataSource, FeatureKind};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The README's three edits: an airport express from a new 小李庄 stop, 城郊线 every 4 minutes,
/// line 10 cut back to 柳湖.
fn three_modifications() -> Vec<Modification> {
    let v = serde_json::json!([
        {"type": "add-line", "name": "XLZ airport express", "mode": "rail",
         "stops": [{"name": "小李庄", "lon": 113.700, "lat": 34.635}, "新郑机场"],
         "headway_min": 10, "speed_kmh": 120},
        {"type": "adjust-frequency", "route": "城郊线", "headway_min": 4},
        {"type": "remove-stops", "route": "10号线", "stops": ["郑州西站", "李商隐公园", "庙王"]},
    ]);
    scenario::parse_list(v.as_array().unwrap()).unwrap()
}

fn hub_requests(city: &City, scenario: &str) -> Vec<ReachRequest> {
    city.catalog
        .features()
        .iter()
        .filter(|f| f.kind == FeatureKind::TransportHub)
        .map(|f| ReachRequest {
            polygons: false,
            scenario: scenario.into(),
            ..ReachRequest::new(Origin::Place(f.id.clone()), 20.0)
        })
        .collect()
}

fn percentiles(
    mut run: impl FnMut(&ReachRequest),
    reqs: &[ReachRequest],
    reps: usize,
) -> (Duration, Duration, usize) {
    let mut samples = Vec::with_capacity(reqs.len() * reps);
    for _ in 0..reps {
        for r in reqs {
            let t = Instant::now();
            run(r);
            samples.push(t.elapsed());
        }
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99), samples.len())
}

fn bench_scenario(c: &mut Criterion) {
    let city = City::load(DataSource::Embedded).unwrap();
    let mods = three_modifications();
    let reqs = hub_requests(&city, "existing");
    // The same network as a named scenario: the compiled city, queried by the scenario's id.
    let compiled = scenario::compile(&city, "existing", &mods).unwrap();
    let named = hub_requests(&compiled.city, &compiled.id);

    let uncached = |r: &ReachRequest| {
        let c = scenario::compile(&city, &r.scenario, &mods).unwrap();
        let mut q = r.clone();
        q.scenario = c.id.clone();
        black_box(reach::reach(&c.city, &q).unwrap());
    };
    let cache = scenario::cache::ScenarioCache::default();
    let cached = |r: &ReachRequest| {
        black_box(scenario::reach(&cache, &city, r, &mods).unwrap());
    };
    let as_named = |r: &ReachRequest| {
        black_box(reach::reach(&compiled.city, r).unwrap());
    };
    cached(&reqs[0]);
    for (label, p) in [
        (
            "inline, uncached (compile + reach)",
            percentiles(uncached, &reqs, 20),
        ),
        ("inline, cached", percentiles(cached, &reqs, 20)),
        (
            "the same network as a named scenario",
            percentiles(as_named, &named, 20),
        ),
    ] {
        println!(
            "reach 20 min transit from {} hubs, 3 modifications, {label}: p50 {:.3} ms, p99 {:.3} ms ({} queries)",
            reqs.len(),
            p.0.as_secs_f64() * 1e3,
            p.1.as_secs_f64() * 1e3,
            p.2
        );
    }
    let t = Instant::now();
    let n = 200;
    for _ in 0..n {
        black_box(scenario::compile(&city, "existing", &mods).unwrap());
    }
    println!(
        "compile alone (resolve, apply, search graphs): {:.3} ms per scenario",
        t.elapsed().as_secs_f64() * 1e3 / n as f64
    );

    let mut group = c.benchmark_group("reach_20min_3_modifications");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(5));
    let r = &reqs[0];
    group.bench_function("uncached", |b| b.iter(|| uncached(r)));
    group.bench_function("cached", |b| b.iter(|| cached(r)));
    group.bench_function("named", |b| b.iter(|| as_named(&named[0])));
    group.finish();
}

criterion_group!(benches, bench_scenario);
criterion_main!(benches);
