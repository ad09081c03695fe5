//! The importer and street model on the real OpenStreetMap extracts in `../shared/osm/`
//! (© OpenStreetMap contributors, ODbL). Skipped, with a note, where the folder is absent.

use cityreach::network::streets::osm::{self, one_to_all, Graph, OsmStreets, Search};
use cityreach::network::streets::{Seed, StreetMode, StreetModel};
use cityreach::raster::TimeGrid;
use indicatif::ProgressBar;
use std::path::PathBuf;

fn osm_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/osm");
    if dir.join("andorra.osm.pbf").exists() {
        Some(dir)
    } else {
        eprintln!("skipped: no OpenStreetMap extracts at {}", dir.display());
        None
    }
}

fn graphs(name: &str) -> Option<Vec<Graph>> {
    let file = osm_dir()?.join(name);
    let (graphs, summary) = osm::build_graphs(&file, &ProgressBar::hidden()).unwrap();
    assert_eq!(summary.modes.len(), 3);
    Some(graphs)
}

fn origins(name: &str) -> Vec<[f64; 2]> {
    let Some(dir) = osm_dir() else {
        return Vec::new();
    };
    std::fs::read_to_string(dir.join(name))
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split(',').map(|x| x.parse::<f64>());
            Some([f.next()?.ok()?, f.next()?.ok()?])
        })
        .collect()
}

/// Textbook Dijkstra by linear scan for the unsettled minimum: slow, obviously right.
fn oracle(g: &Graph, sources: &[(u32, f32)], max: f32) -> Vec<f32> {
    let n = g.num_nodes();
    let mut dist = vec![f32::INFINITY; n];
    let mut done = vec![false; n];
    for &(v, t) in sources {
        dist[v as usize] = dist[v as usize].min(t);
    }
    loop {
        let mut best = None;
        for v in 0..n {
            if !done[v] && dist[v].is_finite() && best.is_none_or(|b: usize| dist[v] < dist[b]) {
                best = Some(v);
            }
        }
        let Some(v) = best else { break };
        done[v] = true;
        for e in g.first_out[v] as usize..g.first_out[v + 1] as usize {
            let w = g.head[e] as usize;
            dist[w] = dist[w].min(dist[v] + g.edge_secs[e]);
        }
    }
    dist.iter()
        .map(|&d| if d <= max { d } else { f32::INFINITY })
        .collect()
}

#[test]
fn every_extract_imports_into_strongly_connected_graphs() {
    for name in [
        "andorra.osm.pbf",
        "liechtenstein-latest.osm.pbf",
        "monaco.osm.pbf",
        "porto.osm.pbf",
    ] {
        let Some(gs) = graphs(name) else { return };
        assert_eq!(gs.len(), 3, "{name}");
        for g in &gs {
            assert!(
                g.num_nodes() > 300,
                "{name} {}: {} nodes",
                g.mode,
                g.num_nodes()
            );
            // Largest strongly connected component: everything is reachable from vertex 0 ...
            let t = one_to_all(g, 0, f32::INFINITY);
            assert!(t.iter().all(|x| x.is_finite()), "{name} {}", g.mode);
            // ... and the file round-trips exactly.
            assert_eq!(&Graph::from_bytes(&g.to_bytes()).unwrap(), g);
            let speed_ok = (0..g.num_segments()).all(|s| {
                let kmh = f64::from(g.seg_len_m[s]) / f64::from(g.seg_secs[s]).max(1e-9) * 3.6;
                g.seg_len_m[s] == 0.0 || (4.0..=141.0).contains(&kmh)
            });
            assert!(speed_ok, "{name} {}: implausible speeds", g.mode);
        }
    }
}

#[test]
fn bounded_multi_source_search_matches_the_oracle_on_andorra() {
    let Some(gs) = graphs("andorra.osm.pbf") else {
        return;
    };
    let mut search = Search::new(0);
    for g in &gs {
        let n = g.num_nodes() as u32;
        for (k, sources) in [
            vec![(0, 0.0)],
            vec![(n / 3, 0.0), (2 * n / 3, 120.0)],
            vec![(n / 2, 30.0), (n / 5, 0.0), (n - 1, 400.0)],
        ]
        .into_iter()
        .enumerate()
        {
            let max = 600.0 + 300.0 * k as f32;
            let labelled: Vec<(u32, f32, u32)> = sources.iter().map(|&(v, t)| (v, t, 0)).collect();
            search.run(g, &labelled, max);
            let want = oracle(g, &sources, max);
            for (v, (&a, &b)) in search.dist().iter().zip(&want).enumerate() {
                assert!(
                    a == b || (a - b).abs() < 1e-3,
                    "{} sources {sources:?} vertex {v}: {a} vs {b}",
                    g.mode
                );
            }
            assert_eq!(
                search.touched().len(),
                want.iter().filter(|x| x.is_finite()).count()
            );
        }
    }
}

#[test]
fn andorra_origins_snap_and_spread_within_budget() {
    let Some(gs) = graphs("andorra.osm.pbf") else {
        return;
    };
    let streets = OsmStreets::from_graphs(gs);
    let pts = origins("origins-andorra.csv");
    assert_eq!(pts.len(), 50);
    let mut close = 0;
    for (i, &p) in pts.iter().enumerate() {
        // The origins were picked on another import's car network: most lie on our streets,
        // a few beside roads that ours leaves out (private, tracks).
        let snap = streets.snap(StreetMode::Drive, p).unwrap();
        if snap.distance_m < 20.0 {
            close += 1;
        }
        assert!(
            snap.distance_m < 500.0,
            "origin {i} is {} m off",
            snap.distance_m
        );
        let field = streets
            .spread(
                StreetMode::Drive,
                &[Seed {
                    lonlat: p,
                    secs: 0.0,
                }],
                900.0,
            )
            .unwrap();
        let at = field.time_at(p).unwrap();
        assert!(
            at.secs <= 2.0 * snap.distance_m / (4.8 / 3.6) + 1e-6, // onto the street and back
            "origin {i}: {at:?}"
        );
        let ext = field.extent().unwrap();
        assert!(ext[0] <= p[0] && p[0] <= ext[2] && ext[1] <= p[1] && p[1] <= ext[3]);
    }
    assert!(close >= 45, "{close} of 50 origins within 20 m of a street");
}

#[test]
fn andorra_grid_agrees_with_point_queries() {
    let Some(gs) = graphs("andorra.osm.pbf") else {
        return;
    };
    let streets = OsmStreets::from_graphs(gs);
    let p = origins("origins-andorra.csv")[0];
    for (mode, budget) in [(StreetMode::Walk, 600.0), (StreetMode::Drive, 300.0)] {
        let field = streets
            .spread(
                mode,
                &[Seed {
                    lonlat: p,
                    secs: 0.0,
                }],
                budget,
            )
            .unwrap();
        let cell = 100.0;
        let mut grid = TimeGrid::covering(field.extent().unwrap(), cell);
        field.fill_grid(&mut grid);
        let (nx, ny) = grid.size();
        let mut checked = 0;
        for iy in 0..ny {
            for ix in 0..nx {
                let v = grid.get(ix, iy);
                if !v.is_finite() {
                    continue;
                }
                let e = field
                    .time_at(grid.cell_centre(ix, iy))
                    .expect("filled cell has a point time");
                // The grid never promises more than the point query (up to sampling along the
                // street, half a cell at street speed, and the walk inside the cell).
                assert!(
                    f64::from(v) >= e.secs - cell / (4.8 / 3.6) - 1.0,
                    "{mode} cell ({ix},{iy}): grid {v} vs point {}",
                    e.secs
                );
                checked += 1;
            }
        }
        assert!(checked > 30, "{mode}: {checked} cells");
    }
}

/// The many-to-many matrix gives, entry for entry and to the last bit, what one full spread
/// per origin gives at each destination: on Andorra, every mode, a budget that covers the
/// country and short ones that cut the search, with points on and beside the streets, points
/// sharing a street, and points too far from any street.
#[test]
fn many_to_many_equals_one_spread_per_origin_on_andorra() {
    let Some(gs) = graphs("andorra.osm.pbf") else {
        return;
    };
    let streets = OsmStreets::from_graphs(gs);
    let base = origins("origins-andorra.csv");
    assert_eq!(base.len(), 50);
    let mut points = base.clone();
    for (i, a) in base.iter().enumerate() {
        let b = base[(i + 1) % base.len()];
        // Midpoints (often off the streets), and a point a few metres from an origin, which
        // usually shares its street.
        points.push([(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]);
        points.push([a[0] + 0.00003, a[1] - 0.00002]);
    }
    // Far outside the extract: no street within the snap distance.
    points.push([1.0, 42.0]);
    let (origins, dests) = points.split_at(60);
    let mut reached = 0;
    let mut cut = 0;
    for mode in StreetMode::ALL {
        for minutes in [3.0, 10.0, 180.0] {
            let max_secs = minutes * 60.0;
            let m = streets
                .many_to_many(mode, origins, dests, max_secs)
                .expect("OSM streets answer matrices");
            assert_eq!(m.len(), origins.len() * dests.len());
            for (i, &o) in origins.iter().enumerate() {
                let field = streets
                    .spread(
                        mode,
                        &[Seed {
                            lonlat: o,
                            secs: 0.0,
                        }],
                        max_secs,
                    )
                    .ok();
                for (j, &d) in dests.iter().enumerate() {
                    let want = field.as_ref().and_then(|f| f.time_at(d)).map(|t| t.secs);
                    let got = m[i * dests.len() + j];
                    assert_eq!(
                        got.map(f64::to_bits),
                        want.map(f64::to_bits),
                        "{mode} {minutes} min, origin {i} {o:?} → {j} {d:?}: {got:?} vs {want:?}"
                    );
                    match got {
                        Some(_) => reached += 1,
                        None => cut += 1,
                    }
                }
            }
        }
    }
    // Both kinds of answer are exercised.
    assert!(
        reached > 10_000 && cut > 10_000,
        "{reached} reached, {cut} not"
    );
}
