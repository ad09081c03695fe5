//! The `reach` and `targets` commands as a user runs them: output shapes and exit codes.

mod support;
use support::cityreach;

#[test]
fn reach_table_names_the_street_model_and_lists_features_with_legs() {
    let (code, out, err) = cityreach(&[
        "reach",
        "--from",
        "小李庄站",
        "--minutes",
        "20",
        "--scenario",
        "plan-2025",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("scenario plan-2025"), "{out}");
    assert!(
        out.contains("crow-fly") || out.contains("straight-line"),
        "{out}"
    );
    assert!(out.contains("郑州东站"), "{out}");
    assert!(out.contains("wait 10"), "{out}");
}

#[test]
fn reach_geojson_is_a_feature_collection_with_bands_and_reached_features() {
    let (code, out, err) = cityreach(&[
        "reach",
        "--from",
        "郑州站",
        "--bands",
        "10,20,30",
        "--format",
        "geojson",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["type"], "FeatureCollection");
    let feats = v["features"].as_array().unwrap();
    let bands = feats
        .iter()
        .filter(|f| f["properties"]["layer"] == "band")
        .count();
    let reached: Vec<_> = feats
        .iter()
        .filter(|f| f["properties"]["layer"] == "reached")
        .collect();
    assert_eq!(bands, 3);
    assert!(!reached.is_empty());
    for f in &reached {
        let m = f["properties"]["minutes"].as_f64().unwrap();
        let band = f["properties"]["band"].as_f64().unwrap();
        assert!(m <= band && m <= 30.0, "{f}");
    }
    assert_eq!(v["metadata"]["street_model"]["model"], "crow_fly");
}

#[test]
fn bad_reach_input_fails_with_a_message_naming_the_input() {
    let cases: &[(&[&str], &str)] = &[
        (&["reach", "--from", "不存在的地方"], "unknown place"),
        (&["reach", "--from", "郑州站", "--minutes", "-5"], "minutes"),
        (&["reach", "--from", "郑州站", "--minutes", "0"], "minutes"),
        (
            &["reach", "--from", "郑州站", "--minutes", "NaN"],
            "minutes",
        ),
        (
            &["reach", "--from", "郑州站", "--minutes", "100000"],
            "minutes",
        ),
        (&["reach", "--from", "郑州站", "--bands", "20,10"], "bands"),
        (
            &["reach", "--from", "郑州站", "--mode", "teleport"],
            "teleport",
        ),
        (
            &["reach", "--from", "郑州站", "--scenario", "plan-2099"],
            "plan-2099",
        ),
        (&["reach", "--from", "116.4,39.9"], "outside"),
        (&["reach", "--from", "113.6,NaN"], "NaN"),
        (
            &["reach", "--from", "郑州站", "--data", "/no/such/folder"],
            "/no/such/folder",
        ),
        (&["targets", "--scenario", "nope"], "nope"),
    ];
    for (args, needle) in cases {
        let (code, _out, err) = cityreach(args);
        assert_ne!(code, 0, "{args:?} should fail");
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
        assert!(
            err.to_lowercase().contains(&needle.to_lowercase()),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn unknown_places_suggest_close_names() {
    // A partial name is not silently taken for a place: it fails and suggests the full names.
    let (code, _out, err) = cityreach(&["reach", "--from", "小李庄"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("did you mean") && err.contains("小李庄站"),
        "{err}"
    );
    let (code, _out, err) = cityreach(&["reach", "--from", "erqi"]);
    assert_eq!(code, 2);
    assert!(err.contains("Erqi Shangquan"), "{err}");
}

#[test]
fn targets_print_verdicts_and_assumptions() {
    let (code, out, err) = cityreach(&["targets", "--scenario", "plan-2025"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("xlz-airport-20min") && out.contains("xlz-east-15min"),
        "{out}"
    );
    assert!(out.contains("assumption"), "{out}");
    assert!(out.contains("NOT EVALUABLE"), "{out}");
    let (code, out, _) = cityreach(&["targets", "--scenario", "existing", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v.as_array().unwrap().len() >= 3);
}

/// A street-only city (no GTFS) on a real OpenStreetMap extract: import, then reach by car and
/// on foot over the imported graphs.
#[test]
fn reach_over_imported_streets_in_a_city_without_transit() {
    let pbf =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/osm/andorra.osm.pbf");
    if !pbf.exists() {
        eprintln!("skipped: {} not found", pbf.display());
        return;
    }
    let dir = std::env::temp_dir().join(format!("cityreach-cli-andorra-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (data, streets) = (dir.join("data"), dir.join("streets"));
    std::fs::create_dir_all(&data).unwrap();
    let feature = |id: &str, kind: &str, lon: f64, lat: f64| {
        format!(
            r#"{{"type":"Feature","id":"{id}","geometry":{{"type":"Point","coordinates":[{lon},{lat}]}},"properties":{{"kind":"{kind}","subkind":"example","name_zh":"{id}","name_en":"{id}","name_pinyin":"{id}","aliases":[],"status":"existing","year":null,"status_as_of":2026,"sources":[{{"doc":"example.txt","line":1}}],"position":{{"method":"estimated","accuracy_m":300}},"area_km2":null,"district":null,"note":null}}}}"#
        )
    };
    std::fs::write(
        data.join("features.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
            feature("hub-andorra-bus", "transport_hub", 1.5218, 42.5063),
            feature("com-escaldes", "commercial", 1.5360, 42.5100)
        ),
    )
    .unwrap();
    let (code, _out, err) = cityreach(&[
        "import-osm",
        pbf.to_str().unwrap(),
        "--out",
        streets.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let args = |mode: &str| {
        vec![
            "reach".to_string(),
            "--data".into(),
            data.display().to_string(),
            "--streets".into(),
            streets.display().to_string(),
            "--from".into(),
            "hub-andorra-bus".into(),
            "--mode".into(),
            mode.into(),
            "--minutes".into(),
            "15".into(),
            "--format".into(),
            "geojson".into(),
        ]
    };
    let run = |mode: &str| {
        let a = args(mode);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let (code, out, err) = cityreach(&a);
        assert_eq!(code, 0, "{mode}: {err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let drive = run("drive");
    assert_eq!(drive["metadata"]["street_model"]["model"], "osm");
    let minutes = |v: &serde_json::Value, id: &str| {
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["properties"]["id"] == id)
            .and_then(|f| f["properties"]["minutes"].as_f64())
    };
    let by_car = minutes(&drive, "com-escaldes").expect("Escaldes is within 15 min by car");
    let walk = run("walk");
    // 1.3 km apart: a few minutes by car, longer on foot (or out of reach within 15 min).
    assert!(
        minutes(&walk, "com-escaldes").is_none_or(|m| m > by_car),
        "walk vs drive"
    );
    let band = drive["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["layer"] == "band")
        .expect("a band polygon");
    assert!(band["properties"]["area_km2"].as_f64().unwrap() > 1.0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Another city's streets alone: `import-osm --out DIR` writes graphs and a `city.toml`, and
/// `--streets DIR` (or `--data DIR`) is then a street-only city whose area is the graph's
/// extent, so every one of the 50 fixed Andorra origins answers (26 were refused when the
/// embedded Zhengzhou area or the box of the features applied). An origin elsewhere gets a
/// message with rounded coordinates that says how to load the right city.
#[test]
fn another_citys_streets_alone_answer_every_fixed_origin() {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/osm");
    let (pbf, origins) = (
        shared.join("andorra.osm.pbf"),
        shared.join("origins-andorra.csv"),
    );
    if !pbf.exists() || !origins.exists() {
        eprintln!("skipped: {} not found", pbf.display());
        return;
    }
    let dir = std::env::temp_dir().join(format!("cityreach-streets-only-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.display().to_string();
    let (code, out, err) = cityreach(&["import-osm", pbf.to_str().unwrap(), "--out", &d]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("city.toml"), "{out}");
    let profile = std::fs::read_to_string(dir.join("city.toml")).expect("city.toml");
    assert!(profile.contains("name = \"andorra\""), "{profile}");

    // The regression: --streets alone, drive, at the bus station of Andorra la Vella.
    let (code, out, err) = cityreach(&[
        "reach",
        "--streets",
        &d,
        "--from",
        "1.5218,42.5063",
        "--mode",
        "drive",
        "--minutes",
        "15",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["metadata"]["street_model"]["model"], "osm");

    // Every fixed origin, in process, through the same loading path.
    let city = cityreach::City::load_with_streets(
        cityreach::DataSource::Folder(dir.clone()),
        cityreach::network::streets::load_street_model(&dir).expect("graphs"),
    )
    .expect("street-only city");
    let text = std::fs::read_to_string(&origins).unwrap();
    let mut answered = 0;
    for line in text.lines().skip(1) {
        let f: Vec<f64> = line
            .split(',')
            .take(2)
            .map(|x| x.parse().unwrap())
            .collect();
        let mut req = cityreach::reach::ReachRequest::new(
            cityreach::reach::Origin::LonLat([f[0], f[1]]),
            15.0,
        );
        req.mode = cityreach::reach::Mode::Drive;
        req.polygons = false;
        cityreach::reach::reach(&city, &req).unwrap_or_else(|e| panic!("origin {line}: {e}"));
        answered += 1;
    }
    assert_eq!(answered, 50);

    // `matrix` on these streets gives, bit for bit, the single spread's time per origin.
    use cityreach::access::{self, matrix, Opportunities, OriginPoint};
    let mut pts = Vec::new();
    for (i, line) in text.lines().skip(1).enumerate() {
        let f: Vec<f64> = line
            .split(',')
            .take(2)
            .map(|x| x.parse().unwrap())
            .collect();
        pts.push(OriginPoint {
            id: format!("p{i}"),
            lonlat: [f[0], f[1]],
            cell: None,
        });
    }
    let dests = Opportunities {
        label: "destinations".into(),
        points: pts
            .iter()
            .map(|p| access::opportunities::OpportunityPoint {
                id: p.id.clone(),
                lonlat: p.lonlat,
                weight: 1.0,
            })
            .collect(),
    };
    let (mut some, mut none) = (0, 0);
    for (mode, minutes) in [
        (cityreach::reach::Mode::Drive, 15.0),
        (cityreach::reach::Mode::Walk, 30.0),
    ] {
        let m = matrix::compute(&city, pts.clone(), pts.clone(), mode, "existing", minutes)
            .expect("matrix");
        for (i, o) in pts.iter().enumerate() {
            let want =
                access::times_from(&city, o.lonlat, mode, "existing", minutes, &dests).unwrap();
            for (j, w) in want.iter().enumerate() {
                assert_eq!(
                    m.get(i, j).map(f64::to_bits),
                    w.map(f64::to_bits),
                    "{mode} {i} → {j}"
                );
                if w.is_some() {
                    some += 1;
                } else {
                    none += 1;
                }
            }
        }
    }
    assert!(some > 100 && none > 100, "{some} reached, {none} not");

    // The same folder as a data folder finds its graphs without --streets.
    let (code, out, err) = cityreach(&[
        "reach",
        "--data",
        &d,
        "--from",
        "1.5218,42.5063",
        "--mode",
        "walk",
        "--minutes",
        "5",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"osm\""), "walk over the folder's graphs");

    // Outside every street: rounded coordinates, the city's box, and the flags that fix it.
    let (code, _out, err) = cityreach(&[
        "reach",
        "--streets",
        &d,
        "--from",
        "2.123456789,42.5",
        "--mode",
        "drive",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("(2.12346, 42.50000)"), "{err}");
    assert!(err.contains("--data") && err.contains("--streets"), "{err}");
    assert!(!err.contains("0000000000"), "float noise: {err}");

    // An empty folder is not a city.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let (code, _out, err) = cityreach(&[
        "reach",
        "--data",
        empty.to_str().unwrap(),
        "--from",
        "1.5,42.5",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no city data"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
