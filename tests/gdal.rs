//! GDAL's OGC API Features driver reads the service: every layer with the catalog's counts,
//! and `ogr2ogr` copies all of them into a GeoPackage. Skipped when gdal-bin is missing.

use cityreach::catalog::FeatureQuery;
use cityreach::{City, DataSource, FeatureKind};
use std::collections::BTreeMap;
use std::process::Command;

mod support;
use support::{Server, COLLECTIONS};

fn gdal_installed() -> bool {
    Command::new("ogrinfo")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Layer name → "Feature Count" from `ogrinfo -so` output.
fn counts(out: &str) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    let mut layer = None;
    for line in out.lines() {
        if let Some(n) = line.strip_prefix("Layer name: ") {
            layer = Some(n.trim().to_string());
        } else if let Some(c) = line.strip_prefix("Feature Count: ") {
            if let (Some(l), Ok(c)) = (layer.take(), c.trim().parse()) {
                m.insert(l, c);
            }
        }
    }
    m
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run a GDAL tool");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn expected() -> BTreeMap<String, u64> {
    let city = City::load(DataSource::Embedded).expect("embedded city");
    let mut m = BTreeMap::new();
    for k in FeatureKind::ALL {
        let n = city
            .catalog
            .query(&FeatureQuery {
                kind: Some(k),
                ..FeatureQuery::default()
            })
            .len();
        m.insert(k.as_str().to_string(), n as u64);
    }
    let added: usize = city
        .transit
        .scenarios
        .iter()
        .map(|s| s.stops.len() + s.links.len())
        .sum();
    m.insert("planned_additions".into(), added as u64);
    m
}

#[test]
fn gdal_reads_every_layer() {
    if !gdal_installed() {
        println!("skipped: gdal-bin not installed");
        return;
    }
    let srv = Server::start();
    let url = format!("OAPIF:http://{}", srv.addr);
    let info = counts(&run(
        Command::new("ogrinfo").args(["-ro", "-al", "-so", &url])
    ));
    let layers: Vec<&str> = info.keys().map(String::as_str).collect();
    for l in COLLECTIONS {
        assert!(layers.contains(&l), "layer {l} in {layers:?}");
    }
    for (layer, n) in expected() {
        assert_eq!(info.get(&layer), Some(&n), "{layer}");
    }

    // ogr2ogr pages through every layer into a GeoPackage.
    let dir = std::env::temp_dir().join(format!("cityreach-gdal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let gpkg = dir.join("out.gpkg");
    let _ = std::fs::remove_file(&gpkg);
    run(Command::new("ogr2ogr")
        .args(["-f", "GPKG"])
        .arg(&gpkg)
        .arg(&url));
    let copied = counts(&run(Command::new("ogrinfo")
        .args(["-ro", "-al", "-so"])
        .arg(&gpkg)));
    assert_eq!(copied, info, "the GeoPackage holds what the service lists");
    let _ = std::fs::remove_dir_all(&dir);

    // A spatial filter (sent as bbox) and an attribute filter give the catalog's answers.
    let city = City::load(DataSource::Embedded).expect("embedded city");
    let bbox = [113.6, 34.7, 113.75, 34.8];
    let want = city
        .catalog
        .query(&FeatureQuery {
            kind: Some(FeatureKind::Commercial),
            bbox: Some(bbox),
            ..FeatureQuery::default()
        })
        .len() as u64;
    let spat: Vec<String> = bbox.iter().map(|x| x.to_string()).collect();
    let out = run(Command::new("ogrinfo")
        .args(["-ro", "-so", "-spat"])
        .args(&spat)
        .args([&url, "commercial"]));
    assert_eq!(counts(&out).get("commercial"), Some(&want));
    let planned = city
        .catalog
        .features()
        .iter()
        .filter(|f| f.kind == FeatureKind::TransportHub && f.status == cityreach::Status::Planned)
        .count() as u64;
    let out = run(Command::new("ogrinfo").args([
        "-ro",
        "-so",
        "-where",
        "status = 'planned'",
        &url,
        "transport_hub",
    ]));
    assert_eq!(counts(&out).get("transport_hub"), Some(&planned));
}
