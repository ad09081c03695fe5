//! City-wide accessibility and matrices against the single-origin reach engine (the oracle),
//! invariants across cutoffs and scenarios, the GeoTIFF as GDAL reads it, and the CLI's errors.

use cityreach::access::{self, AccessRequest, Grid, Opportunities, Progress};
use cityreach::reach::{self, Mode, Origin, ReachRequest};
use cityreach::{City, DataSource, FeatureKind};
use std::process::Command;
use std::sync::OnceLock;

mod support;
use support::cityreach;

fn city() -> &'static City {
    static C: OnceLock<City> = OnceLock::new();
    C.get_or_init(|| City::load(DataSource::Embedded).expect("embedded city"))
}

fn request(cutoffs: &[f64], compare: Option<&str>) -> AccessRequest {
    AccessRequest {
        mode: Mode::Transit,
        scenario: "existing".into(),
        compare: compare.map(str::to_string),
        cutoffs: cutoffs.to_vec(),
        nearest: vec![1],
        max_minutes: None,
        timing: reach::Timing::default(),
    }
}

/// The central city: a 500 m grid from 二七 to 郑东 and south to 小李庄.
fn central_grid() -> Grid {
    Grid::over([113.60, 34.62, 113.80, 34.80], 500.0, None).unwrap()
}

/// What a single reach from `p` with budget `cutoff` counts: features of `kind` reached, and
/// the time to the nearest one (reach reports minutes to 0.1).
fn oracle(p: [f64; 2], kind: FeatureKind, cutoff: f64, scenario: &str) -> (usize, Option<f64>) {
    let mut req = ReachRequest::new(Origin::LonLat(p), cutoff);
    req.polygons = false;
    req.scenario = scenario.into();
    let r = reach::reach(city(), &req).expect("reach");
    let times: Vec<f64> = r
        .reached
        .iter()
        .filter(|f| f.kind == kind)
        .map(|f| f.minutes)
        .collect();
    let nearest = times.iter().copied().reduce(f64::min);
    (times.len(), nearest)
}

#[test]
fn every_sampled_cell_counts_exactly_what_a_single_reach_counts() {
    let grid = central_grid();
    let origins = access::grid_origins(&grid);
    let opp = Opportunities::parse(city(), "commercial").unwrap();
    assert_eq!(
        opp.points.len(),
        city()
            .catalog
            .features()
            .iter()
            .filter(|f| f.kind == FeatureKind::Commercial)
            .count()
    );
    let req = request(&[15.0, 30.0, 45.0], Some("plan-2025"));
    let r = access::run(
        city(),
        &req,
        origins,
        Some(grid),
        &opp,
        &Progress::default(),
    )
    .unwrap();
    let names: Vec<&str> = r.measures.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "existing_cum15",
            "existing_cum30",
            "existing_cum45",
            "existing_nearest1",
            "plan-2025_cum15",
            "plan-2025_cum30",
            "plan-2025_cum45",
            "plan-2025_nearest1",
            "diff_cum15",
            "diff_cum30",
            "diff_cum45",
            "diff_nearest1"
        ]
    );
    let mut nonzero = 0;
    // Every 7th origin (≈ 90 of them), both scenarios, every cutoff.
    for i in (0..r.origins.len()).step_by(7) {
        let p = r.origins[i].lonlat;
        for (s, scen) in ["existing", "plan-2025"].iter().enumerate() {
            for (c, cutoff) in [15.0, 30.0, 45.0].iter().enumerate() {
                let (want, _) = oracle(p, FeatureKind::Commercial, *cutoff, scen);
                let got = r.value(i, s * 4 + c);
                assert_eq!(got, want as f32, "origin {p:?} {scen} {cutoff} min");
                nonzero += usize::from(want > 0);
            }
            let (_, nearest) = oracle(p, FeatureKind::Commercial, 45.0, scen);
            let got = r.value(i, s * 4 + 3);
            match nearest {
                Some(m) => assert!((f64::from(got) - m).abs() <= 0.05 + 1e-4, "{got} vs {m}"),
                None => assert!(got.is_nan()),
            }
        }
    }
    assert!(nonzero > 50, "the sample reaches something: {nonzero}");

    // Invariants on every origin: larger cutoffs never count less; plan-2025 only adds
    // service (a station and three rail links), so no origin loses anything.
    let mut gained = 0;
    for i in 0..r.origins.len() {
        for s in 0..2 {
            let v: Vec<f32> = (0..3).map(|c| r.value(i, s * 4 + c)).collect();
            assert!(v[0] <= v[1] && v[1] <= v[2], "{v:?}");
        }
        for c in 0..3 {
            let d = r.value(i, 8 + c);
            assert!(d >= 0.0, "plan-2025 lowers origin {i}: {d}");
            assert_eq!(d, r.value(i, 4 + c) - r.value(i, c));
            gained += usize::from(d > 0.0);
        }
    }
    assert!(gained > 0, "the plan helps someone near 小李庄");
}

#[test]
fn point_origins_and_weighted_opportunities_from_files() {
    let dir = std::env::temp_dir().join(format!("cityreach-access-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Two weighted opportunity points: one at 郑州东站, one at 二七广场.
    let opp_csv = dir.join("jobs.csv");
    std::fs::write(
        &opp_csv,
        "\u{feff}id,lon,lat,jobs\r\neast,113.770938,34.760256,300\r\nerqi,113.65976,34.753649,120\r\n",
    )
    .unwrap();
    let opp = Opportunities::parse(city(), &format!("{}:jobs", opp_csv.display())).unwrap();
    assert_eq!(opp.points.len(), 2);
    assert_eq!(opp.points[0].weight, 300.0);
    let origins_json = dir.join("origins.geojson");
    std::fs::write(
        &origins_json,
        r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[113.7709,34.7603]},"properties":{}},
            {"type":"Feature","properties":{"id":"b"},"geometry":{"type":"Point","coordinates":[113.66,34.75]}}]}"#,
    )
    .unwrap();
    let origins = access::opportunities::origins_from_file(&origins_json).unwrap();
    assert_eq!(origins[1].id, "b");
    let mut req = request(&[5.0, 60.0], None);
    req.nearest = vec![1, 301];
    let r = access::run(city(), &req, origins, None, &opp, &Progress::default()).unwrap();
    // Origin a stands at 郑州东站: its 300 jobs are within 5 minutes (a few metres away).
    assert_eq!(r.value(0, 0), 300.0);
    assert_eq!(r.value(0, 1), 420.0, "both within an hour by metro line 1");
    assert!(r.value(0, 2) < 0.1);
    // The 301st job is at 二七: as far as a single reach says 二七广场 is.
    let m = reach::reach(
        city(),
        &ReachRequest::new(Origin::LonLat([113.7709, 34.7603]), 60.0),
    )
    .unwrap();
    let erqi = m
        .reached
        .iter()
        .find(|f| f.id == "com-erqi-business-district")
        .expect("二七 reached");
    assert!((f64::from(r.value(0, 3)) - erqi.minutes).abs() <= 0.05 + 1e-4);

    // Errors name the file and the line or column.
    std::fs::write(dir.join("bad.csv"), "id,lon,lat,jobs\nx,113.7,north,1\n").unwrap();
    let e = Opportunities::parse(city(), &format!("{}:jobs", dir.join("bad.csv").display()))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("bad.csv") && e.contains("line 2") && e.contains("north"),
        "{e}"
    );
    let e = Opportunities::parse(city(), &format!("{}:pop", opp_csv.display()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no column 'pop'"), "{e}");
    let e = Opportunities::parse(city(), "shops")
        .unwrap_err()
        .to_string();
    assert!(e.contains("'shops'") && e.contains("commercial"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn matrix_entries_equal_single_origin_times() {
    let c = city();
    let from: Vec<String> = ["郑州站", "113.7,34.635", "hub-zhengzhou-east"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let ids: Vec<String> = c
        .catalog
        .features()
        .iter()
        .filter(|f| f.kind == FeatureKind::TransportHub)
        .map(|f| f.id.clone())
        .collect();
    let o = access::matrix::resolve_points(c, &from, "from").unwrap();
    let d = access::matrix::resolve_points(c, &ids, "to").unwrap();
    let m = access::matrix::compute(c, o.clone(), d, Mode::Transit, "plan-2025", 90.0).unwrap();
    let mut compared = 0;
    for (i, origin) in o.iter().enumerate() {
        let mut req = ReachRequest::new(Origin::LonLat(origin.lonlat), 90.0);
        req.scenario = "plan-2025".into();
        req.polygons = false;
        let r = reach::reach(c, &req).unwrap();
        for (j, id) in ids.iter().enumerate() {
            let want = r.reached.iter().find(|f| &f.id == id).map(|f| f.minutes);
            match (m.get(i, j), want) {
                // reach reports minutes to 0.1; the matrix keeps them unrounded.
                (Some(a), Some(b)) => assert!((a - b).abs() <= 0.05 + 1e-9, "{id}: {a} vs {b}"),
                (None, None) => {}
                other => panic!("{id} from {}: {other:?}", origin.id),
            }
            compared += 1;
        }
    }
    assert_eq!(compared, 3 * ids.len());
}

#[test]
fn bad_requests_are_refused_before_any_work() {
    let c = city();
    let opp = Opportunities::parse(c, "all").unwrap();
    let run = |req: &AccessRequest| {
        access::run(
            c,
            req,
            access::grid_origins(&central_grid()),
            None,
            &opp,
            &Progress::default(),
        )
        .unwrap_err()
        .to_string()
    };
    assert!(run(&request(&[30.0, 15.0], None)).contains("cutoff"));
    assert!(run(&request(&[0.0], None)).contains("cutoff"));
    assert!(run(&request(&[500.0], None)).contains("cutoff"));
    let mut r = request(&[30.0], Some("plan-2099"));
    assert!(run(&r).contains("plan-2099"));
    r.compare = None;
    r.nearest = vec![0];
    assert!(run(&r).contains("nearest"));
    r.nearest = vec![];
    r.cutoffs = vec![];
    assert!(run(&r).contains("cutoff"));
    let far = vec![access::OriginPoint {
        id: "x".into(),
        lonlat: [120.0, 30.0],
        cell: None,
    }];
    let e = access::run(
        c,
        &request(&[30.0], None),
        far,
        None,
        &opp,
        &Progress::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("120.00000"), "{e}");
    // A cancelled run stops and says so.
    let p = Progress::default();
    p.cancel();
    let e = access::run(
        c,
        &request(&[30.0], None),
        access::grid_origins(&central_grid()),
        None,
        &opp,
        &p,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("cancelled"), "{e}");
}

/// The CLI writes a GeoTIFF that GDAL georeferences and describes, with the values the CSV
/// of the same run holds; skipped without gdal-bin.
#[test]
fn cli_geotiff_and_csv_agree_and_gdal_reads_them() {
    let dir = std::env::temp_dir().join(format!("cityreach-access-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tif = dir.join("a.tif");
    let csv = dir.join("a.csv");
    let common = [
        "access",
        "--opportunities",
        "commercial",
        "--cutoff",
        "20,40",
        "--within",
        "金水区",
        "--cell",
        "1000",
        "--compare",
        "plan-2025",
    ];
    let mut a: Vec<&str> = common.to_vec();
    a.extend(["--out", tif.to_str().unwrap()]);
    let (code, out, err) = cityreach(&a);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("金水区 Jinshui District"), "{out}");
    let mut a: Vec<&str> = common.to_vec();
    a.extend(["--out", csv.to_str().unwrap()]);
    let (code, _, err) = cityreach(&a);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&csv).unwrap();
    let header = text.lines().next().unwrap();
    assert_eq!(
        header,
        "id,lon,lat,existing_cum20,existing_cum40,plan-2025_cum20,plan-2025_cum40,diff_cum20,diff_cum40"
    );
    let rows = text.lines().count() - 1;
    assert!(rows > 100, "{rows} cells in 金水区 at 1 km");

    for (args, needle) in [
        (vec!["access", "--cutoff", "30,10"], "cutoff"),
        (
            vec!["access", "--cutoff", "30", "--within", "Atlantis"],
            "Atlantis",
        ),
        (
            vec!["access", "--cutoff", "30", "--opportunities", "shops"],
            "shops",
        ),
        (vec!["access", "--cutoff", "30", "--cell", "5"], "cell"),
        (
            vec!["access", "--cutoff", "30", "--out", "/tmp/x.png"],
            "extension",
        ),
        (
            vec!["matrix", "--from", "郑州站", "--to", "nowhere-at-all"],
            "nowhere",
        ),
    ] {
        let (code, _, err) = cityreach(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }

    let gdal = Command::new("gdalinfo").arg("--version").output();
    if !gdal.is_ok_and(|o| o.status.success()) {
        println!("skipped the GDAL part: gdal-bin not installed");
        return;
    }
    let info = Command::new("gdalinfo")
        .args(["-json"])
        .arg(&tif)
        .output()
        .unwrap();
    assert!(info.status.success());
    let v: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(v["driverShortName"], "GTiff");
    assert!(v["coordinateSystem"]["wkt"]
        .as_str()
        .unwrap()
        .contains("EPSG\",4326"));
    let bands = v["bands"].as_array().unwrap();
    assert_eq!(bands.len(), 6);
    assert!(bands[5]["description"]
        .as_str()
        .unwrap()
        .starts_with("diff_cum40: plan-2025 minus existing"));
    // Each CSV row's value is the GeoTIFF's at that point.
    let mut checked = 0;
    for line in text.lines().skip(1).step_by(17) {
        let f: Vec<&str> = line.split(',').collect();
        let out = Command::new("gdallocationinfo")
            .args(["-valonly", "-wgs84"])
            .arg(&tif)
            .args([f[1], f[2]])
            .output()
            .unwrap();
        let vals: Vec<f64> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim().parse().unwrap_or(f64::NAN))
            .collect();
        assert_eq!(vals.len(), 6, "{line}");
        for (k, want) in f[3..].iter().enumerate() {
            let want: f64 = want.parse().unwrap();
            assert!(
                (vals[k] - want).abs() < 0.01,
                "{line}: band {k} {}",
                vals[k]
            );
        }
        checked += 1;
    }
    assert!(checked > 5);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Residents as opportunities: the 1 km cells carry the census counts (within the rounding of
/// districts into whole cells), and the summary weights origins by residents.
#[test]
fn residents_as_opportunities_and_as_weights() {
    let c = city();
    let pop = cityreach::catalog::population::Population::load(
        &c.source,
        &cityreach::catalog::CityBounds::WORLD,
    )
    .unwrap()
    .expect("the embedded city has a population layer");
    let opp = Opportunities::parse(c, "population").unwrap();
    let sum: f64 = opp.points.iter().map(|p| p.weight).sum();
    let total = pop.total() as f64;
    assert!(
        (sum - total).abs() / total < 0.03,
        "cells hold {sum}, the census {total}"
    );
    let grid = Grid::over([113.60, 34.70, 113.70, 34.80], 1000.0, None).unwrap();
    let r = access::run(
        c,
        &request(&[30.0], None),
        access::grid_origins(&grid),
        Some(grid),
        &opp,
        &Progress::default(),
    )
    .unwrap();
    let ds = cityreach::catalog::districts::load_districts(
        &c.source,
        &cityreach::catalog::CityBounds::WORLD,
    )
    .unwrap()
    .unwrap();
    let of = access::output::origin_districts(&r, &ds);
    assert!(of.iter().filter(|d| d.is_some()).count() > 50);
    let all = access::output::overall(&r, &ds, &of, Some(&pop));
    let plain = all.means[0].unwrap();
    let weighted = all.population_weighted_means.unwrap()[0].unwrap();
    assert!(
        plain > 10_000.0 && weighted > 10_000.0,
        "{plain} {weighted}"
    );
    // An origin reaches at least the people of its own cell's neighbourhood within 30 min.
    assert!(r.column(0).all(|v| v.is_nan() || v > 0.0));
}

/// Shards written by `access --shard K/N` merge (in any order) into the single run's files, byte
/// for byte; missing, repeated or foreign parts are refused by name.
#[test]
fn sharded_parts_merge_into_the_single_run() {
    let dir = std::env::temp_dir().join(format!("cityreach-shards-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = |name: &str| dir.join(name).display().to_string();
    let q = [
        "access",
        "--opportunities",
        "transport_hub",
        "--cutoff",
        "30",
        "--nearest",
        "1",
        "--within",
        "中原区",
        "--cell",
        "700",
    ];
    let with = |extra: &[&str]| {
        let mut a: Vec<String> = q.iter().map(|s| s.to_string()).collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let (code, out, err) = cityreach(&a);
        assert_eq!(code, 0, "{a:?}: {err}");
        out
    };
    with(&["--out", &p("single.csv")]);
    with(&["--out", &p("single.tif")]);
    for k in 1..=4 {
        let out = with(&[
            "--shard",
            &format!("{k}/4"),
            "--out",
            &p(&format!("p{k}.json")),
        ]);
        assert!(out.starts_with(&format!("shard {k}/4:")), "{out}");
    }
    for (order, file) in [([1, 2, 3, 4], "m.csv"), ([4, 2, 1, 3], "m.tif")] {
        let mut a = vec!["access-merge".to_string()];
        a.extend(order.iter().map(|k| p(&format!("p{k}.json"))));
        a.extend(["--out".into(), p(file)]);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let (code, _, err) = cityreach(&a);
        assert_eq!(code, 0, "{err}");
    }
    assert_eq!(
        std::fs::read(p("single.csv")).unwrap(),
        std::fs::read(p("m.csv")).unwrap()
    );
    assert_eq!(
        std::fs::read(p("single.tif")).unwrap(),
        std::fs::read(p("m.tif")).unwrap()
    );
    // A part of another query cannot join.
    let mut other: Vec<&str> = q.to_vec();
    other[4] = "45";
    let mut a = other.clone();
    let o2 = p("other2.json");
    a.extend(["--shard", "2/4", "--out", &o2]);
    assert_eq!(cityreach(&a).0, 0);
    for (parts, needle) in [
        (vec!["p1.json", "p2.json", "p3.json"], "missing [4]"),
        (
            vec!["p1.json", "p2.json", "p2.json", "p3.json", "p4.json"],
            "repeated [2]",
        ),
        (
            vec!["p1.json", "other2.json", "p3.json", "p4.json"],
            "not from the same run",
        ),
    ] {
        let mut a = vec!["access-merge".to_string()];
        a.extend(parts.iter().map(|f| p(f)));
        a.extend(["--out".into(), p("x.csv")]);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let (code, _, err) = cityreach(&a);
        assert_eq!(code, 2, "{parts:?}");
        assert!(err.contains(needle), "{parts:?}: {err}");
    }
    let (code, _, err) = cityreach(&[
        "access",
        "--cutoff",
        "30",
        "--shard",
        "5/4",
        "--out",
        &p("y.json"),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("shard"), "{err}");
    let (code, _, err) = cityreach(&[
        "access",
        "--cutoff",
        "30",
        "--shard",
        "1/4",
        "--out",
        &p("y.csv"),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("PART.json"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
