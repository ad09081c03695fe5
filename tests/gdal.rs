//! GDAL's OGC API Features driver reads the service: every layer with the catalog's counts,
//! and `ogr2ogr` copies all of them into a GeoPackage; Debian's GDAL (3.6) and a current one
//! (the `pyogrio` wheel, GDAL 3.12 as current QGIS ships) both read every layer in full, in
//! CRS84 and in EPSG:3857. Skipped when gdal-bin or pyogrio is missing.

use cityreach::catalog::FeatureQuery;
use cityreach::{City, DataSource, FeatureKind};
use std::collections::BTreeMap;
use std::process::Command;

mod support;
use support::{number_matched, Server, COLLECTIONS};

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
    // Every layer, read in full, holds what the service says it matches.
    let matched = number_matched(&srv.addr);
    assert_eq!(info, matched, "ogrinfo's counts against numberMatched");

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

/// "Extent: (x0, y0) - (x1, y1)" of each layer in `ogrinfo -so` output.
fn extents(out: &str) -> BTreeMap<String, [f64; 4]> {
    let mut m = BTreeMap::new();
    let mut layer = None;
    for line in out.lines() {
        if let Some(n) = line.strip_prefix("Layer name: ") {
            layer = Some(n.trim().to_string());
        } else if let Some(e) = line.strip_prefix("Extent: ") {
            let nums: Vec<f64> = e
                .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
                .filter(|t| !t.is_empty() && *t != "-")
                .filter_map(|t| t.parse().ok())
                .collect();
            if let (Some(l), [x0, y0, x1, y1]) = (layer.take(), nums.as_slice()) {
                m.insert(l, [*x0, *y0, *x1, *y1]);
            }
        }
    }
    m
}

fn mercator(lon: f64, lat: f64) -> [f64; 2] {
    let r = 6_378_137.0;
    [
        r * lon.to_radians(),
        r * (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0)
            .tan()
            .ln(),
    ]
}

/// Debian's GDAL 3.6 predates Part 2 in its OAPIF driver, so it reads a layer's items in
/// EPSG:3857 through its GeoJSON driver, straight from the URL: every feature, and the extent
/// equal to the CRS84 extent transformed (within 1 m).
#[test]
fn debian_gdal_reads_web_mercator_items() {
    if !gdal_installed() {
        println!("skipped: gdal-bin not installed");
        return;
    }
    let srv = Server::start();
    let matched = number_matched(&srv.addr);
    let web = cityreach::crs::Crs::Epsg3857.uri();
    for (layer, n) in &matched {
        let url = |crs: &str| {
            format!(
                "http://{}/collections/{layer}/items?limit=10000&crs={crs}",
                srv.addr
            )
        };
        let lonlat = run(Command::new("ogrinfo").args([
            "-ro",
            "-al",
            "-so",
            &url(cityreach::crs::Crs::Crs84.uri()),
        ]));
        let merc = run(Command::new("ogrinfo").args(["-ro", "-al", "-so", &url(web)]));
        let count = |out: &str| counts(out).into_values().next();
        assert_eq!(count(&lonlat), Some(*n), "{layer} in CRS84");
        assert_eq!(count(&merc), Some(*n), "{layer} in EPSG:3857");
        let e = extents(&lonlat).into_values().next().expect("CRS84 extent");
        let m = extents(&merc)
            .into_values()
            .next()
            .expect("EPSG:3857 extent");
        let lo = mercator(e[0], e[1]);
        let hi = mercator(e[2], e[3]);
        for (got, want) in m.iter().zip([lo[0], lo[1], hi[0], hi[1]]) {
            assert!(
                (got - want).abs() < 1.0,
                "{layer}: {m:?} against {lo:?} {hi:?}"
            );
        }
    }
}

/// The Python that has pyogrio (`CITYREACH_PYTHON`, else `python3`), if any.
fn pyogrio_python() -> Option<String> {
    let py = std::env::var("CITYREACH_PYTHON").unwrap_or_else(|_| "python3".into());
    Command::new(&py)
        .args(["-c", "import pyogrio"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| py)
}

/// A current GDAL (3.12, from the pyogrio wheel) sends `crs` with every items request; it must
/// read every layer in full, and the same layers in EPSG:3857 (see tests/clients/).
#[test]
fn current_gdal_reads_every_layer_in_crs84_and_web_mercator() {
    let Some(py) = pyogrio_python() else {
        println!("skipped: no python3 with pyogrio (pip install pyogrio)");
        return;
    };
    let srv = Server::start();
    let matched = number_matched(&srv.addr);
    assert_eq!(
        matched
            .keys()
            .filter(|k| COLLECTIONS.contains(&k.as_str()))
            .count(),
        COLLECTIONS.len()
    );
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/clients/pyogrio_reads.py"
    );
    let expected = serde_json::to_string(&matched).expect("json");
    let out = run(Command::new(py)
        .arg(script)
        .arg(format!("http://{}", srv.addr))
        .arg(expected));
    println!("{}", out.trim());
    assert!(out.contains("layers,"), "{out}");
}
