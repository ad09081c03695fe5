//! The national layer and the two national targets: the layer against its reference files
//! (when ../shared is present), the stated air model's bounds, the target readings against an
//! independent count over the layer file. The `national` collection is checked in server.rs.

use cityreach::reach::national::{National, NationalMode};
use cityreach::reach::targets::{self, Verdict};
use cityreach::{City, DataSource};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn national() -> National {
    National::load(&DataSource::Embedded)
        .unwrap()
        .expect("national.geojson is embedded")
}

/// The layer file read as plain JSON: the oracle the Rust readings are compared with.
fn raw() -> Vec<Value> {
    let text =
        std::fs::read_to_string(crate_dir().join("geodata/zhengzhou/national.geojson")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["features"].as_array().unwrap().clone()
}

fn haversine_km(a: [f64; 2], b: [f64; 2]) -> f64 {
    cityreach::geodesy::haversine_m(a, b) / 1000.0
}

#[test]
fn every_prefecture_city_with_its_census_population() {
    let n = national();
    assert_eq!(n.cities.len(), 279);
    // The source's 2010 populations (in 10,000s) add up to 1,218.8 million.
    assert_eq!(n.population_total(), 1_218_832_430);
    let origin: Vec<_> = n.cities.iter().filter(|c| c.origin).collect();
    assert_eq!(origin.len(), 1);
    assert_eq!(origin[0].name_zh, "郑州市");
    assert_eq!(
        (origin[0].rail_h, origin[0].road_h, origin[0].air_h),
        (Some(0.0), Some(0.0), Some(0.0))
    );
    let caps: BTreeSet<String> = n
        .neighbour_capitals()
        .into_iter()
        .map(|c| c.name_zh)
        .collect();
    let want: BTreeSet<String> = ["石家庄市", "太原市", "济南市", "合肥市", "武汉市", "西安市"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(caps, want);
}

#[test]
fn rail_and_road_hours_are_the_reference_pairs() {
    let path = crate_dir()
        .join("../shared/reference/national/malin84_zhengzhou_prefecture_pairs_2024_GPL3.csv");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("skipped: {} not present", path.display());
        return;
    };
    let n = national();
    let mut checked = 0;
    for line in text.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let (mode, code, hours) = (c[0], c[3], c[7].parse::<f64>().unwrap());
        let city = n.cities.iter().find(|x| x.dzcode == code).unwrap();
        let got = if mode == "road" {
            city.road_h
        } else {
            city.rail_h
        };
        let got = got.unwrap_or_else(|| panic!("{code} {mode} missing"));
        assert!(
            (got - hours).abs() < 0.0006,
            "{code} {mode}: {got} vs {hours}"
        );
        checked += 1;
    }
    assert_eq!(checked, 388);
}

#[test]
fn air_hours_follow_the_stated_block_time_model() {
    // 30 min + great-circle km at 750 km/h from 新郑 (34.5197, 113.841) to an airport within
    // 150 km of the city's centroid: within 0.2 h of the same rule applied to the centroid.
    let cgo = [113.841, 34.5197];
    for c in national().cities.iter().filter(|c| !c.origin) {
        let Some(h) = c.air_h else { continue };
        if h == 0.0 {
            assert!(haversine_km(cgo, c.lonlat) < 150.0 + 150.0, "{}", c.name_zh);
            continue;
        }
        let centroid = 0.5 + haversine_km(cgo, c.lonlat) / 750.0;
        assert!(
            (h - centroid).abs() <= 0.2 + 1e-9,
            "{}: {h} vs {centroid}",
            c.name_zh
        );
    }
}

#[test]
fn the_national_targets_report_every_reading() {
    let city = City::load(DataSource::Embedded).unwrap();
    let results = targets::evaluate_all(&city, "plan-2025").unwrap();
    let circle = results
        .iter()
        .find(|r| r.target.id == "xlz-1.5h-circle")
        .unwrap();
    let nat = circle.national.as_ref().expect("national readings");
    assert_eq!(nat.readings.len(), 3);
    assert!(!nat.assumptions.is_empty());
    let feats = raw();
    let total_pop: u64 = feats
        .iter()
        .map(|f| f["properties"]["population_2010"].as_u64().unwrap())
        .sum();
    for r in &nat.readings {
        let key = format!("{}_h", r.mode.as_str());
        let within: Vec<&Value> = feats
            .iter()
            .filter(|f| f["properties"][&key].as_f64().is_some_and(|h| h <= 1.5))
            .collect();
        let pop: u64 = within
            .iter()
            .map(|f| f["properties"]["population_2010"].as_u64().unwrap())
            .sum();
        assert_eq!(r.cities_within, within.len(), "{key}");
        assert_eq!(r.population_within, pop, "{key}");
        assert_eq!(r.population_total, total_pop);
        assert_eq!(r.cities_total, 279);
    }
    // Data-derived: rail reaches 18 cities (8.5% of people) in 1.5 h, air 132 (54.1%); no
    // reading reaches 2/3 of the cities and 3/5 of the people, so the promise fails.
    let rail = &nat.readings[0];
    assert_eq!((rail.mode, rail.cities_within), (NationalMode::Rail, 18));
    let air = &nat.readings[2];
    assert_eq!((air.mode, air.cities_within), (NationalMode::Air, 132));
    assert_eq!(circle.verdict, Verdict::Fail);

    let caps = results
        .iter()
        .find(|r| r.target.id == "capitals-2h")
        .unwrap();
    let nat = caps.national.as_ref().unwrap();
    assert_eq!(nat.capitals.len(), 6);
    let by_rail = nat
        .capitals
        .iter()
        .filter(|c| c.rail_h.is_some_and(|h| h <= 2.0))
        .count();
    // Data-derived: 石家庄 1.66 h, 济南 2.00 h and 西安 1.92 h by rail; 太原, 合肥, 武汉 over 2 h.
    assert_eq!(by_rail, 3);
    assert_eq!(caps.verdict, Verdict::Fail);
    assert!(caps.note.contains("by rail 3 of 6"), "{}", caps.note);
}
