//! Transit reach on the embedded Zhengzhou data: a 20-minute query from every transport hub,
//! with and without band polygons, plus cost growth with the budget.
//!
//! Besides criterion's estimates, prints p50 / p99 over every hub × repetitions, because a
//! planner's experience is the slow tail, not the mean.

use cityreach::output::geojson::{multipolygon, round6};
use cityreach::reach::{self, Origin, ReachRequest};
use cityreach::{City, DataSource, FeatureKind};
use criterion::{criterion_group, criterion_main, Criterion};
use geo::MapCoords;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn hub_requests(city: &City, minutes: f64, polygons: bool) -> Vec<ReachRequest> {
    city.catalog
        .features()
        .iter()
        .filter(|f| f.kind == FeatureKind::TransportHub)
        .map(|f| ReachRequest {
            polygons,
            scenario: "plan-2025".into(),
            ..ReachRequest::new(Origin::Place(f.id.clone()), minutes)
        })
        .collect()
}

fn percentiles(city: &City, reqs: &[ReachRequest], reps: usize) -> (Duration, Duration, usize) {
    let mut samples = Vec::with_capacity(reqs.len() * reps);
    for _ in 0..reps {
        for r in reqs {
            let t = Instant::now();
            black_box(reach::reach(city, r).unwrap());
            samples.push(t.elapsed());
        }
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99), samples.len())
}

fn bench_reach(c: &mut Criterion) {
    let city = City::load(DataSource::Embedded).unwrap();
    let without = hub_requests(&city, 20.0, false);
    let with = hub_requests(&city, 20.0, true);

    for (label, reqs) in [("without polygons", &without), ("with polygons", &with)] {
        let (p50, p99, n) = percentiles(&city, reqs, 20);
        println!(
            "reach 20 min transit from {} hubs, {label}: p50 {:.3} ms, p99 {:.3} ms ({n} queries)",
            reqs.len(),
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    }
    for minutes in [5.0, 10.0, 20.0, 30.0, 45.0, 60.0] {
        let reqs = hub_requests(&city, minutes, true);
        let (p50, p99, _) = percentiles(&city, &reqs, 5);
        println!(
            "budget {minutes:>4} min, with polygons: p50 {:.3} ms, p99 {:.3} ms",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    }

    let mut group = c.benchmark_group("reach_20min_transit_all_hubs");
    group.sample_size(20);
    group.bench_function("without_polygons", |b| {
        b.iter(|| {
            for r in &without {
                black_box(reach::reach(&city, r).unwrap());
            }
        })
    });
    group.bench_function("with_polygons", |b| {
        b.iter(|| {
            for r in &with {
                black_box(reach::reach(&city, r).unwrap());
            }
        })
    });
    group.finish();

    // Writing the band polygons of every hub's answer as GeoJSON text: the crate's own writer
    // against the `geojson` crate (geo → geojson::Value, rounded the same way first).
    let polys: Vec<geo::MultiPolygon<f64>> = with
        .iter()
        .flat_map(|r| reach::reach(&city, r).unwrap().bands)
        .filter_map(|b| b.geometry)
        .collect();
    let mut group = c.benchmark_group("band_polygons_to_geojson_text");
    group.sample_size(20);
    group.bench_function("own_writer", |b| {
        b.iter(|| {
            for mp in &polys {
                black_box(multipolygon(mp).to_string());
            }
        })
    });
    group.bench_function("geojson_crate", |b| {
        b.iter(|| {
            for mp in &polys {
                let rounded = mp.map_coords(|c| geo::coord! { x: round6(c.x), y: round6(c.y) });
                let g = geojson::Geometry::new(geojson::GeometryValue::from(&rounded));
                black_box(serde_json::to_string(&g).unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_reach);
criterion_main!(benches);
