//! Street search on a real imported OpenStreetMap graph (Andorra, from `../shared/osm/`):
//! 15-minute drive and walk spreads from the 50 fixed origins, with and without filling a
//! 100 m travel-time grid. Before the criterion runs, per-query percentiles over all origins
//! are printed (criterion reports means over the rotation of origins).

use cityreach::network::streets::osm::{self, OsmStreets, Search};
use cityreach::network::streets::{Seed, StreetMode, StreetModel};
use cityreach::raster::TimeGrid;
use cityreach::reach::polygons::{band_polygons, contour_grid_with, rasterise, PolygonOptions};
use cityreach::reach::BandForm;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

struct Setup {
    streets: OsmStreets,
    origins: Vec<[f64; 2]>,
    _dir: TempDir,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn setup() -> Option<Setup> {
    let osm_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/osm");
    let pbf = osm_dir.join("andorra.osm.pbf");
    if !pbf.exists() {
        eprintln!("skipped: no OpenStreetMap extract at {}", pbf.display());
        return None;
    }
    let dir = TempDir(
        std::env::temp_dir().join(format!("cityreach-bench-streets-{}", std::process::id())),
    );
    let t = Instant::now();
    osm::import_pbf(&pbf, &dir.0, &indicatif::ProgressBar::hidden()).ok()?;
    let import_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let streets = OsmStreets::load(&dir.0).ok()?;
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    streets.prepare();
    let index_ms = t.elapsed().as_secs_f64() * 1e3;
    eprintln!(
        "andorra: import {import_s:.2} s, load {load_ms:.2} ms, snapping index {index_ms:.1} ms"
    );
    let origins = std::fs::read_to_string(osm_dir.join("origins-andorra.csv"))
        .ok()?
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split(',').map(|x| x.parse::<f64>());
            Some([f.next()?.ok()?, f.next()?.ok()?])
        })
        .collect();
    Some(Setup {
        streets,
        origins,
        _dir: dir,
    })
}

/// Median, 90th and 99th percentile (ms) of `f` over all origins, 20 runs each.
fn percentiles(origins: &[[f64; 2]], mut f: impl FnMut([f64; 2])) -> (f64, f64, f64) {
    let mut t: Vec<f64> = Vec::new();
    for &o in origins {
        for _ in 0..20 {
            let s = Instant::now();
            f(o);
            t.push(s.elapsed().as_secs_f64() * 1e3);
        }
    }
    t.sort_by(f64::total_cmp);
    (t[t.len() / 2], t[t.len() * 9 / 10], t[t.len() * 99 / 100])
}

fn spread_with_grid(streets: &OsmStreets, mode: StreetMode, o: [f64; 2], cell_m: f64) -> usize {
    let Ok(field) = streets.spread(
        mode,
        &[Seed {
            lonlat: o,
            secs: 0.0,
        }],
        900.0,
    ) else {
        return 0;
    };
    let Some(ext) = field.extent() else { return 0 };
    let mut grid = TimeGrid::covering(ext, cell_m);
    field.fill_grid(&mut grid);
    grid.values().iter().filter(|v| v.is_finite()).count()
}

fn bench_streets(c: &mut Criterion) {
    let Some(s) = setup() else { return };
    let drive = s
        .streets
        .graph(StreetMode::Drive)
        .expect("andorra has a drive graph");
    let nodes: Vec<u32> = s
        .origins
        .iter()
        .filter_map(|&o| drive.nearest_node(o))
        .collect();
    let mut search = Search::new(drive.num_nodes());

    let mut k = 0;
    let mut next = |n: usize| {
        k = (k + 1) % n;
        k
    };
    let report = |name: &str, (p50, p90, p99): (f64, f64, f64)| {
        eprintln!("{name}: p50 {p50:.4} ms, p90 {p90:.4} ms, p99 {p99:.4} ms")
    };

    let mut i = 0;
    report(
        "drive 15 min one-to-all (vertex)",
        percentiles(&s.origins, |_| {
            i = (i + 1) % nodes.len();
            search.run(drive, &[(nodes[i], 0.0, 0)], 900.0);
        }),
    );
    for mode in [StreetMode::Drive, StreetMode::Walk] {
        report(
            &format!("{mode} 15 min spread"),
            percentiles(&s.origins, |o| {
                black_box(
                    s.streets
                        .spread(
                            mode,
                            &[Seed {
                                lonlat: o,
                                secs: 0.0,
                            }],
                            900.0,
                        )
                        .ok(),
                );
            }),
        );
        report(
            &format!("{mode} 15 min spread + extent"),
            percentiles(&s.origins, |o| {
                if let Ok(field) = s.streets.spread(
                    mode,
                    &[Seed {
                        lonlat: o,
                        secs: 0.0,
                    }],
                    900.0,
                ) {
                    black_box(field.extent());
                }
            }),
        );
        report(
            &format!("{mode} 15 min spread + fill_grid 100 m"),
            percentiles(&s.origins, |o| {
                black_box(spread_with_grid(&s.streets, mode, o, 100.0));
            }),
        );
        // The whole isochrone as the reach engine builds it: spread, raster, contour.
        report(
            &format!("{mode} 15 min isochrone (spread + band polygons, default cell)"),
            percentiles(&s.origins, |o| {
                if let Ok(field) = s.streets.spread(
                    mode,
                    &[Seed {
                        lonlat: o,
                        secs: 0.0,
                    }],
                    900.0,
                ) {
                    black_box(band_polygons(
                        field.as_ref(),
                        &[15.0],
                        BandForm::Disjoint,
                        None,
                    ));
                }
            }),
        );
        // The contouring alone, on rasters filled beforehand: default cleanup, then none.
        let grids: Vec<TimeGrid> = s
            .origins
            .iter()
            .filter_map(|&o| {
                let field = s
                    .streets
                    .spread(
                        mode,
                        &[Seed {
                            lonlat: o,
                            secs: 0.0,
                        }],
                        900.0,
                    )
                    .ok()?;
                rasterise(field.as_ref(), None)
            })
            .collect();
        for (what, opts) in [
            ("default cleanup", PolygonOptions::default()),
            (
                "no generalize, no denoise",
                PolygonOptions {
                    generalize_m: Some(0.0),
                    denoise: Some(0.0),
                    ..PolygonOptions::default()
                },
            ),
        ] {
            let mut g = 0;
            report(
                &format!("{mode} 15 min contour only ({what})"),
                percentiles(&s.origins, |_| {
                    g = (g + 1) % grids.len();
                    black_box(contour_grid_with(
                        &grids[g],
                        &[15.0],
                        BandForm::Disjoint,
                        &opts,
                    ));
                }),
            );
        }
    }

    c.bench_function("andorra/drive_15min_one_to_all", |b| {
        b.iter(|| {
            let v = nodes[next(nodes.len())];
            search.run(drive, &[(v, 0.0, 0)], 900.0);
            black_box(search.touched().len())
        })
    });
    for mode in [StreetMode::Drive, StreetMode::Walk] {
        c.bench_function(&format!("andorra/{mode}_15min_spread"), |b| {
            b.iter(|| {
                let o = s.origins[next(s.origins.len())];
                black_box(
                    s.streets
                        .spread(
                            mode,
                            &[Seed {
                                lonlat: o,
                                secs: 0.0,
                            }],
                            900.0,
                        )
                        .ok()
                        .is_some(),
                )
            })
        });
        c.bench_function(
            &format!("andorra/{mode}_15min_spread_fill_grid_100m"),
            |b| {
                b.iter(|| {
                    let o = s.origins[next(s.origins.len())];
                    black_box(spread_with_grid(&s.streets, mode, o, 100.0))
                })
            },
        );
    }
}

criterion_group!(benches, bench_streets);
criterion_main!(benches);
