//! The catalog commands run as a user runs them: the built binary, its output and exit codes.

use std::path::PathBuf;
use std::process::{Command, Output};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cityreach"))
        .args(args)
        .current_dir(crate_dir())
        .output()
        .expect("run cityreach")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn features_geojson_lists_the_hubs() {
    let o = run(&["features", "--kind", "transport_hub", "--format", "geojson"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    assert_eq!(v["type"], "FeatureCollection");
    let feats = v["features"].as_array().unwrap();
    assert!(feats.len() >= 6);
    assert!(feats
        .iter()
        .all(|f| f["properties"]["kind"] == "transport_hub"));
    assert!(feats.iter().any(|f| f["id"] == "hub-zhengzhou-east"));
}

#[test]
fn features_near_sorts_by_distance() {
    let o = run(&[
        "features",
        "--near",
        "113.770938,34.760256",
        "--radius",
        "3000",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let d: Vec<f64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["distance_m"].as_f64().unwrap())
        .collect();
    assert!(!d.is_empty() && d.windows(2).all(|w| w[0] <= w[1]) && d[d.len() - 1] <= 3000.0);
    let t = run(&["features", "--near", "113.770938,34.760256", "--limit", "3"]);
    let text = stdout(&t);
    assert!(
        text.lines().next().unwrap().contains("distance_m"),
        "{text}"
    );
    assert!(text.contains("hub-zhengzhou-east"));
}

#[test]
fn search_finds_xiaolizhuang() {
    let o = run(&["search", "小李庄"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("hub-xiaolizhuang"));
}

#[test]
fn search_miss_suggests_and_fails() {
    let o = run(&["search", "qqqxxxyyy"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("did you mean"), "{}", stderr(&o));
}

#[test]
fn check_data_passes_on_the_real_seeds() {
    if !crate_dir().join("../shared/seeds").is_dir() {
        eprintln!("skipped: ../shared/seeds not found");
        return;
    }
    let o = run(&["check-data", "--seeds", "../shared/seeds"]);
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("253 features") && out.contains("12 districts"),
        "{out}"
    );
    assert!(
        out.contains("transport_hub") && out.contains("data OK"),
        "{out}"
    );
    // Every metro-station position agrees with the station its anchor names.
    assert!(
        out.contains("anchors: 22 metro-station positions checked") && out.contains("0 problem(s)"),
        "{out}"
    );
    assert!(
        out.contains("12600574 residents (census 2020)") && out.contains("279 cities"),
        "{out}"
    );
}

#[test]
fn check_data_reports_a_position_its_anchor_contradicts() {
    // A copy of the embedded data with 郑州文庙 moved 5 km east of the station its anchor names.
    let dir = std::env::temp_dir().join(format!("cityreach-anchor-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let src = crate_dir().join("geodata/zhengzhou");
    copy_dir(&src, &dir);
    let path = dir.join("features.geojson");
    let text = std::fs::read_to_string(&path).unwrap();
    let moved = text.replace(
        r#""id":"cul-zhengzhou-confucian-temple","geometry":{"type":"Point","coordinates":[113.685,34.7488]}"#,
        r#""id":"cul-zhengzhou-confucian-temple","geometry":{"type":"Point","coordinates":[113.74,34.7488]}"#,
    );
    assert_ne!(moved, text, "the fixture feature was found");
    std::fs::write(&path, moved).unwrap();
    let o = run(&["check-data", "--data", dir.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("cul-zhengzhou-confucian-temple") && err.contains("郑州文庙"),
        "{err}"
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn check_data_lists_every_problem() {
    let dir = std::env::temp_dir().join(format!("cityreach-cli-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","id":"com-a","geometry":{"type":"Point","coordinates":[34.75,113.66]},
       "properties":{"kind":"commercial","subkind":"mall","name_zh":"甲","name_en":"A","status":"open",
       "sources":[{"doc":"x.txt","line":1}],"position":{"method":"estimated","accuracy_m":500}}}]}"#;
    std::fs::write(dir.join("features.geojson"), bad).unwrap();
    let o = run(&["check-data", "--data", dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("'geometry.coordinates'") && err.contains("'status'"),
        "{err}"
    );
    assert!(err.contains("feature 0 (com-a)"), "{err}");
}

#[test]
fn bad_input_exits_with_2_and_names_the_argument() {
    for (args, name) in [
        (vec!["features", "--bbox", "114,34,113,35"], "--bbox"),
        (vec!["features", "--bbox", "113,34,NaN,35"], "--bbox"),
        (vec!["features", "--bbox", "113,34,200,35"], "--bbox"),
        (vec!["features", "--bbox", "113,34"], "--bbox"),
        (vec!["features", "--radius", "500"], "--radius"),
        (
            vec!["features", "--near", "113.7,34.7", "--radius", "-5"],
            "--radius",
        ),
        (vec!["features", "--near", "113.7"], "--near"),
        (
            vec!["features", "--within", "/nonexistent/area.geojson"],
            "--within",
        ),
        (vec!["features", "--kind", "shop"], "--kind"),
        (vec!["features", "--status", "open"], "--status"),
        (vec!["features", "--data", "/nonexistent/dir"], "--data"),
        (
            vec!["check-data", "--seeds", "/nonexistent/seeds"],
            "--seeds",
        ),
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(name), "{args:?}: {}", stderr(&o));
    }
}
