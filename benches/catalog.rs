//! Catalog hot paths: bbox, nearest, radius and name search, on the Zhengzhou catalog and on a
//! synthetic 100,000-feature layer (fixed seed, so runs compare).

use cityreach::catalog::{Catalog, FeatureQuery};
use cityreach::DataSource;
use criterion::{criterion_group, criterion_main, Criterion};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::hint::black_box;

const KINDS: [(&str, &str); 4] = [
    ("commercial", "com"),
    ("cultural", "cul"),
    ("transport_hub", "hub"),
    ("free_trade_zone", "ftz"),
];

fn r6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn random_position(rng: &mut StdRng) -> [f64; 2] {
    [
        rng.random_range(112.75..114.18),
        rng.random_range(34.30..34.95),
    ]
}

/// Points (80 %), short lines (10 %) and small polygons (10 %) across the Zhengzhou bounds.
fn synthetic(n: usize) -> Catalog {
    let mut rng = StdRng::seed_from_u64(2024);
    let features: Vec<Value> = (0..n)
        .map(|i| {
            let (kind, prefix) = KINDS[i % 4];
            let c = random_position(&mut rng);
            let geometry = match rng.random_range(0..10) {
                0..=7 => json!({"type": "Point", "coordinates": [r6(c[0]), r6(c[1])]}),
                8 => json!({"type": "LineString", "coordinates": [
                    [r6(c[0]), r6(c[1])],
                    [r6(c[0] + rng.random_range(-0.01..0.01)), r6(c[1] + rng.random_range(-0.01..0.01))]
                ]}),
                _ => {
                    let r = rng.random_range(0.001..0.01);
                    let ring: Vec<[f64; 2]> = (0..=4)
                        .map(|k| {
                            let a = std::f64::consts::TAU * (k % 4) as f64 / 4.0;
                            [r6(c[0] + r * a.cos()), r6(c[1] + r * a.sin())]
                        })
                        .collect();
                    json!({"type": "Polygon", "coordinates": [ring]})
                }
            };
            json!({
                "type": "Feature", "id": format!("{prefix}-syn-{i}"), "geometry": geometry,
                "properties": {
                    "kind": kind, "subkind": "synthetic", "status": "existing",
                    "name_zh": format!("合成地点{i}"), "name_en": format!("Synthetic Place {i}"),
                    "name_pinyin": format!("Hecheng Didian {i}"), "aliases": [],
                    "sources": [{"doc": "synthetic.txt", "line": 1}],
                    "position": {"method": "estimated", "accuracy_m": 500}
                }
            })
        })
        .collect();
    let text = json!({"type": "FeatureCollection", "features": features}).to_string();
    Catalog::from_geojson_str(&text, "synthetic").expect("synthetic catalog")
}

fn bench_layer(c: &mut Criterion, name: &str, cat: &Catalog, searches: &[(&str, &str)]) {
    let mut rng = StdRng::seed_from_u64(7);
    let points: Vec<[f64; 2]> = (0..1024).map(|_| random_position(&mut rng)).collect();
    let mut g = c.benchmark_group(name);
    let mut i = 0usize;
    let mut next = || {
        i = (i + 1) % points.len();
        points[i]
    };
    g.bench_function("bbox_0.05deg", |b| {
        b.iter(|| {
            let p = next();
            let q = FeatureQuery {
                bbox: Some([p[0], p[1], p[0] + 0.05, p[1] + 0.05]),
                ..Default::default()
            };
            black_box(cat.query(&q).len())
        })
    });
    g.bench_function("nearest_k5", |b| {
        b.iter(|| black_box(cat.nearest(next(), 5).len()))
    });
    g.bench_function("radius_2km", |b| {
        b.iter(|| {
            let q = FeatureQuery {
                near: Some((next(), 2000.0)),
                ..Default::default()
            };
            black_box(cat.query(&q).len())
        })
    });
    for (label, text) in searches {
        g.bench_function(format!("search_{label}"), |b| {
            b.iter(|| black_box(cat.search(black_box(text), 10).hits.len()))
        });
    }
    g.finish();
}

/// The CQL2 filters the tests use, parsed and evaluated on every transport hub; the same list
/// and loop as the comparison with the `cql2` crate in ARCHITECTURE.md.
const FILTERS: [&str; 10] = [
    "status = 'planned'",
    "status <> 'existing' AND year >= 2020",
    "NOT (status = 'existing') OR year < 0",
    "name_en LIKE 'Erqi%'",
    "status IN ('planned', 'proposed')",
    "year BETWEEN 2020 AND 2030",
    "year IS NULL AND area_km2 IS NULL",
    "status IN ('planned','proposed') AND NOT (subkind = 'port') OR name_zh LIKE '郑州%站'",
    "name_en = 'O''Brien'",
    "year > -1.5e1",
];

fn bench_cql2(c: &mut Criterion) {
    let city = cityreach::City::load(DataSource::Embedded).expect("embedded city");
    let layers = cityreach::server::layers::Layers::build(&city);
    let hubs = layers.get("transport_hub").expect("transport_hub");
    let reps = 2000;
    for f in FILTERS {
        let t = std::time::Instant::now();
        let mut n = 0;
        for _ in 0..reps {
            let e = cityreach::server::cql2::parse(f, hubs).expect("filter");
            n = hubs
                .features
                .iter()
                .filter(|x| e.eval(&x.props) == Some(true))
                .count();
        }
        let us = t.elapsed().as_secs_f64() * 1e6 / reps as f64;
        println!("cql2 {us:9.1} µs  {f}  → {n} matches");
    }
    c.bench_function("cql2/parse_eval_test_filters_on_hubs", |b| {
        b.iter(|| {
            for f in FILTERS {
                let e = cityreach::server::cql2::parse(f, hubs).expect("filter");
                black_box(
                    hubs.features
                        .iter()
                        .filter(|x| e.eval(&x.props) == Some(true))
                        .count(),
                );
            }
        })
    });
}

fn benches(c: &mut Criterion) {
    bench_cql2(c);
    let real = Catalog::load_from(&DataSource::Embedded).expect("embedded catalog");
    bench_layer(
        c,
        "zhengzhou",
        &real,
        &[
            ("zh_partial", "小李庄"),
            ("pinyin_prefix", "zhengzhoudong"),
            ("fuzzy_typo", "zhengzou dongzhan"),
            ("miss", "qqqxxxyyy"),
        ],
    );
    let syn = synthetic(100_000);
    bench_layer(
        c,
        "synthetic_100k",
        &syn,
        &[
            ("zh_exact", "合成地点51234"),
            ("latin_prefix", "synthetic place 9999"),
            ("fuzzy_typo", "sinthetic plaec 123"),
        ],
    );
}

criterion_group! {
    name = catalog;
    // Short runs: the machine has two cores shared with other work.
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(catalog);
