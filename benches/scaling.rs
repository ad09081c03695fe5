//! How reach cost grows: with the budget on the Zhengzhou data (search alone vs search plus
//! polygons, for transit, walk and drive; `benches/reach.rs` covers transit with polygons),
//! and with network size on synthetic grid cities of 10k, 100k and 1M street vertices
//! (15-minute walk and drive spreads, the polygon step, and drive budgets up to an hour).
//!
//! Percentiles are printed before criterion's own estimates; set `SCALING_MAX_NODES` (e.g.
//! 100000) to skip the largest grid on a small machine.

use cityreach::network::streets::osm::{Graph, OsmStreets, DIR_BACKWARD, DIR_FORWARD};
use cityreach::network::streets::{Seed, StreetMode, StreetModel};
use cityreach::reach::polygons::band_polygons;
use cityreach::reach::{self, BandForm, Mode, Origin, ReachRequest};
use cityreach::{City, DataSource, FeatureKind};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// p50 and p99 of `f` over `n` runs, milliseconds.
fn percentiles(n: usize, mut f: impl FnMut(usize)) -> (f64, f64) {
    let mut t: Vec<f64> = (0..n)
        .map(|i| {
            let s = Instant::now();
            f(i);
            s.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    let at = |q: f64| t[((t.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}

fn hub_requests(city: &City, mode: Mode, minutes: f64, polygons: bool) -> Vec<ReachRequest> {
    city.catalog
        .features()
        .iter()
        .filter(|f| f.kind == FeatureKind::TransportHub)
        .map(|f| ReachRequest {
            mode,
            polygons,
            ..ReachRequest::new(Origin::Place(f.id.clone()), minutes)
        })
        .collect()
}

fn budget_growth() {
    let city = City::load(DataSource::Embedded).expect("embedded city");
    println!("# Budget growth on Zhengzhou (every transport hub, existing network)");
    println!("mode     budget  search p50/p99 ms   with polygons p50/p99 ms   polygon step p50 ms");
    for mode in [Mode::Transit, Mode::Walk, Mode::Drive] {
        for minutes in [5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0] {
            let bare = hub_requests(&city, mode, minutes, false);
            let full = hub_requests(&city, mode, minutes, true);
            let reps = 5 * bare.len();
            let s = percentiles(reps, |i| {
                black_box(reach::reach(&city, &bare[i % bare.len()]).expect("reach"));
            });
            let p = percentiles(reps, |i| {
                black_box(reach::reach(&city, &full[i % full.len()]).expect("reach"));
            });
            println!(
                "{:<8} {minutes:>4} min  {:>8.3} / {:>8.3}   {:>10.3} / {:>10.3}   {:>10.3}",
                mode.as_str(),
                s.0,
                s.1,
                p.0,
                p.1,
                (p.0 - s.0).max(0.0)
            );
        }
    }
}

/// A square grid of `side` × `side` two-way streets, `spacing_m` apart, centred in Zhengzhou,
/// at `kmh`.
fn grid(mode: StreetMode, side: usize, spacing_m: f64, kmh: f64) -> Graph {
    let (lon0, lat0): (f64, f64) = (113.65, 34.75);
    let dlat = spacing_m / 111_195.0;
    let dlon = dlat / lat0.to_radians().cos();
    let half = side as f64 / 2.0;
    let nodes: Vec<[f64; 2]> = (0..side * side)
        .map(|i| {
            let (x, y) = ((i % side) as f64 - half, (i / side) as f64 - half);
            [lon0 + x * dlon, lat0 + y * dlat]
        })
        .collect();
    let secs = (spacing_m / (kmh / 3.6)) as f32;
    let both = DIR_FORWARD | DIR_BACKWARD;
    let mut segs = Vec::with_capacity(2 * side * side);
    for i in 0..side * side {
        let v = i as u32;
        if i % side + 1 < side {
            segs.push((v, v + 1, secs, both));
        }
        if i / side + 1 < side {
            segs.push((v, v + side as u32, secs, both));
        }
    }
    Graph::from_edges(mode, &nodes, &segs).expect("grid is a valid graph")
}

struct GridCity {
    label: String,
    streets: OsmStreets,
    centre: [f64; 2],
}

fn grid_cities() -> Vec<GridCity> {
    let max: usize = std::env::var("SCALING_MAX_NODES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    println!("\n# Synthetic grid cities (100 m blocks; walk 4.8 km/h, drive 30 km/h)");
    let mut out = Vec::new();
    for side in [100usize, 317, 1000] {
        if side * side > max {
            continue;
        }
        let t = Instant::now();
        let walk = grid(StreetMode::Walk, side, 100.0, 4.8);
        let drive = grid(StreetMode::Drive, side, 100.0, 30.0);
        let build_ms = t.elapsed().as_secs_f64() * 1e3;
        let (nodes, edges) = (walk.num_nodes(), walk.num_edges());
        let t = Instant::now();
        let streets = OsmStreets::from_graphs(vec![walk, drive]);
        streets.prepare();
        let index_ms = t.elapsed().as_secs_f64() * 1e3;
        let label = format!("{}k", nodes / 1000);
        println!(
            "grid {label}: {nodes} vertices, {edges} directed edges per mode; \
             build {build_ms:.0} ms (both modes), snapping index {index_ms:.0} ms"
        );
        out.push(GridCity {
            label,
            streets,
            centre: [113.65 + 0.000_37, 34.75 + 0.000_21],
        });
    }
    out
}

fn spread_and_polygons(c: &GridCity, mode: StreetMode, minutes: f64, reps: usize) {
    let seeds = [Seed {
        lonlat: c.centre,
        secs: 0.0,
    }];
    let (s50, s99) = percentiles(reps, |_| {
        black_box(
            c.streets
                .spread(mode, &seeds, minutes * 60.0)
                .expect("spread"),
        );
    });
    let field = c
        .streets
        .spread(mode, &seeds, minutes * 60.0)
        .expect("spread");
    let bands = [minutes / 3.0, 2.0 * minutes / 3.0, minutes];
    let (p50, p99) = percentiles(reps, |_| {
        black_box(band_polygons(
            field.as_ref(),
            &bands,
            BandForm::Disjoint,
            None,
        ));
    });
    let area: f64 = band_polygons(field.as_ref(), &bands, BandForm::Disjoint, None)
        .iter()
        .filter_map(|b| b.area_km2)
        .sum();
    println!(
        "grid {:>5} {:<5} {minutes:>4} min: spread p50 {s50:>9.3} ms p99 {s99:>9.3} ms | \
         polygons p50 {p50:>8.3} ms p99 {p99:>8.3} ms | {area:>7.1} km²",
        c.label,
        mode.as_str()
    );
}

fn bench_scaling(crit: &mut Criterion) {
    budget_growth();
    let cities = grid_cities();
    for c in &cities {
        for mode in [StreetMode::Walk, StreetMode::Drive] {
            spread_and_polygons(c, mode, 15.0, 30);
        }
    }
    if let Some(big) = cities.last() {
        println!(
            "\n# Drive budget growth on the largest grid ({})",
            big.label
        );
        for minutes in [5.0, 15.0, 30.0, 60.0] {
            spread_and_polygons(big, StreetMode::Drive, minutes, 10);
        }
    }

    let mut group = crit.benchmark_group("grid_15min_spread");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for c in &cities {
        for mode in [StreetMode::Walk, StreetMode::Drive] {
            let seeds = [Seed {
                lonlat: c.centre,
                secs: 0.0,
            }];
            group.bench_function(format!("{}/{}", c.label, mode.as_str()), |b| {
                b.iter(|| black_box(c.streets.spread(mode, &seeds, 900.0).expect("spread")))
            });
            group.bench_function(
                format!("{}/{}_with_polygons", c.label, mode.as_str()),
                |b| {
                    b.iter(|| {
                        let f = c.streets.spread(mode, &seeds, 900.0).expect("spread");
                        black_box(band_polygons(
                            f.as_ref(),
                            &[5.0, 10.0, 15.0],
                            BandForm::Disjoint,
                            None,
                        ))
                    })
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, bench_scaling);
criterion_main!(benches);
