//! Porto Alegre end to end, as a planner would run it: both real feeds (EPTC buses, TRENSURB
//! rail) in one data folder, the OpenStreetMap extract imported with `import-osm`, and a transit
//! reach from the bus central station checked against facts worked out by hand from the feeds.
//! Needs `../shared/cities/porto-alegre/`; skips with a message when it is absent.

use cityreach::dataset::DataSource;
use serde_json::Value;
use std::path::{Path, PathBuf};

mod support;
use support::cityreach;

fn shared() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/cities/porto-alegre");
    if dir.join("poa_eptc.zip").exists() && dir.join("poa_osm.pbf").exists() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent", dir.display());
        None
    }
}

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// (lon, lat) of a named place in `poa_points_of_interest.csv` (columns id, lat, lon).
fn place(shared: &Path, id: &str) -> [f64; 2] {
    let text = std::fs::read_to_string(shared.join("poa_points_of_interest.csv")).unwrap();
    let line = text
        .lines()
        .find(|l| l.split(',').next() == Some(id))
        .unwrap_or_else(|| panic!("{id} is not in poa_points_of_interest.csv"));
    let f: Vec<f64> = line
        .split(',')
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect();
    [f[1], f[0]]
}

/// TRENSURB stations inside the OSM extract, at their stops.txt coordinates.
const STATIONS: [(&str, f64, f64); 4] = [
    ("hub-mr", -51.2282682008, -30.0262849537),
    ("hub-rd", -51.2199497815, -30.0224034752),
    ("hub-sp", -51.2094251697, -30.0064762425),
    ("hub-fr", -51.1976233916, -29.9973893363),
];

fn features_geojson() -> String {
    let features: Vec<Value> = STATIONS
        .iter()
        .map(|(id, lon, lat)| {
            serde_json::json!({
                "type": "Feature",
                "id": id,
                "geometry": { "type": "Point", "coordinates": [lon, lat] },
                "properties": {
                    "kind": "transport_hub",
                    "subkind": "rail_station",
                    "name_zh": id,
                    "name_en": id,
                    "status": "existing",
                    "sources": [{ "doc": "poa_trensurb.zip", "line": 1 }],
                    "position": { "method": "gtfs_stop", "accuracy_m": 10 }
                }
            })
        })
        .collect();
    serde_json::json!({ "type": "FeatureCollection", "features": features }).to_string()
}

/// The data folder: both feeds as zips in gtfs/, the stations as features, the streets imported.
fn data_folder(shared: &Path) -> Scratch {
    let dir = Scratch(std::env::temp_dir().join(format!("cityreach-poa-{}", std::process::id())));
    let gtfs = dir.0.join("gtfs");
    std::fs::create_dir_all(&gtfs).unwrap();
    for feed in ["poa_eptc.zip", "poa_trensurb.zip"] {
        std::fs::copy(shared.join(feed), gtfs.join(feed)).unwrap();
    }
    std::fs::write(dir.0.join("features.geojson"), features_geojson()).unwrap();
    let pbf = shared.join("poa_osm.pbf").display().to_string();
    let streets = dir.0.join("streets").display().to_string();
    let (code, out, err) = cityreach(&["import-osm", &pbf, "--out", &streets]);
    assert_eq!(code, 0, "{out}{err}");
    dir
}

fn legs(feature: &Value) -> Vec<&Value> {
    feature["legs"].as_array().unwrap().iter().collect()
}

#[test]
fn transit_reach_from_the_bus_central_station_matches_the_feeds() {
    let Some(shared) = shared() else { return };
    let dir = data_folder(&shared);
    let data = dir.0.display().to_string();

    // check-data reads both feeds: the counts the feeds' README states, and EPTC's blank
    // intermediate times (all but the two ends of each of its 2,374 trips) interpolated.
    let (code, out, err) = cityreach(&["check-data", "--data", &data]);
    assert_eq!(code, 0, "{err}");
    let row = |feed: &str| -> Vec<String> {
        let label = dir.0.join("gtfs").join(feed).display().to_string();
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("{label} ")))
            .unwrap_or_else(|| panic!("no row for {feed}: {out}"));
        line.split_whitespace()
            .skip(1)
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        row("poa_eptc.zip"),
        ["3986", "115", "2374", "130019", "125271"]
    );
    assert_eq!(row("poa_trensurb.zip"), ["24", "2", "1248", "14855", "0"]);
    assert_eq!(130019 - 2 * 2374, 125271);

    // The patterns the search rides, worked out from the feeds by hand:
    // - TRENSURB LINHA1 Mercado → Novo Hamburgo (22 stations) has 284 trips, 269 of them leaving
    //   between 06:00 and 23:00: headway 61 200 s / 269 = 227.5 s. From Rodoviária (2nd) to
    //   Farrapos (4th) the trips take 180, 240 or 300 s, on average 298.94 s.
    // - EPTC 510 (23 stops from Pereira Parobé) runs 24 trips, all 32 minutes, with times only
    //   at the ends: headway 61 200 s / 24 = 2 550 s; stops 2–6 interpolated by distance to
    //   153, 233, 258, 414 and 482 s after the start.
    let net = cityreach::scenario::load_network(&DataSource::Folder(dir.0.clone())).unwrap();
    let route = |id: &str| net.routes.iter().position(|r| r.id == id).unwrap();
    let stop = |id: &str| net.stop_by_id(id).unwrap();
    let linha1 = net
        .patterns
        .iter()
        .find(|p| p.route == route("poa_trensurb:LINHA1") && p.stops.len() == 22)
        .expect("LINHA1 Mercado → Novo Hamburgo");
    assert_eq!(linha1.stops[0], stop("poa_trensurb:MR"));
    assert_eq!(linha1.stops[1], stop("poa_trensurb:RD"));
    assert_eq!(linha1.stops[3], stop("poa_trensurb:FR"));
    assert!((linha1.headway_s - 61_200.0 / 269.0).abs() < 1e-3);
    let ride_rd_fr = (linha1.arrive_s[3] - linha1.arrive_s[1]) as f64;
    assert!((ride_rd_fr - 298.943_66).abs() < 1e-3, "{ride_rd_fr}");
    let bus = net
        .patterns
        .iter()
        .find(|p| p.route == route("poa_eptc:510") && p.stops[0] == stop("poa_eptc:5256"))
        .expect("EPTC 510 from Pereira Parobé");
    assert_eq!(bus.stops.len(), 23);
    assert_eq!(bus.headway_s, 2550.0);
    assert_eq!(
        &bus.arrive_s[..6],
        &[0.0, 153.0, 233.0, 258.0, 414.0, 482.0]
    );
    assert_eq!(bus.arrive_s[22], 32.0 * 60.0);

    // The reach itself, with the real binary, at an explicit departure: Monday 13 May 2019, 14:00.
    let [lon, lat] = place(&shared, "bus_central_station");
    assert_eq!([lon, lat], [-51.218856, -30.023285]);
    // West and south: the value starts with a minus sign, as a planner types it.
    let from = format!("{lon},{lat}");
    let streets = dir.0.join("streets").display().to_string();
    let run = |extra: &[&str]| -> Value {
        let mut args = vec![
            "reach",
            "--data",
            &data,
            "--streets",
            &streets,
            "--from",
            &from,
            "--mode",
            "transit",
            "--minutes",
            "30",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let (code, out, err) = cityreach(&args);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).expect("JSON")
    };
    let v = run(&["--depart", "2019-05-13T14:00"]);
    assert_eq!(v["metadata"]["street_model"]["model"], "osm");
    assert_eq!(v["metadata"]["transit"]["calendar_day"], "2019-05-13");
    let reached = v["reached"].as_array().unwrap().clone();
    let get = |id: &str| {
        reached
            .iter()
            .find(|f| f["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} not reached: {v}"))
    };

    // Rodoviária station is 144 m from the bus station: walked to directly.
    let rd = get("hub-rd");
    let walk_to_rd = rd["minutes"].as_f64().unwrap();
    assert_eq!(legs(&rd).len(), 1, "{rd}");
    assert!(walk_to_rd > 144.0 / 80.0 / 1.5 && walk_to_rd < 5.0, "{rd}");

    // Farrapos is 3.2 km away, 40 minutes on foot: reached in 30 by the first LINHA1 train
    // leaving Rodoviária after the walk there, worked out here from the feed's own stop times.
    let trensurb = net
        .feeds
        .iter()
        .find(|f| f.name == "poa_trensurb")
        .expect("TRENSURB feed");
    let on = cityreach::network::timetable::active_services(trensurb, 20190513);
    // Stop ids may carry the feed's prefix.
    let is = |i: u32, id: &str| trensurb.stops[i as usize].id.rsplit(':').next() == Some(id);
    let ready = 14 * 3600 + (walk_to_rd * 60.0).round() as u32;
    let (dep, arr) = trensurb
        .trips
        .iter()
        .filter(|t| on.contains(t.service_id.as_str()))
        .filter_map(|t| {
            let rd = t.stop_times.iter().position(|st| is(st.stop, "RD"))?;
            let fr = t.stop_times[rd..].iter().position(|st| is(st.stop, "FR"))?;
            let (d, a) = (&t.stop_times[rd], &t.stop_times[rd + fr]);
            (d.departure_s >= ready).then_some((d.departure_s, a.arrival_s))
        })
        .min()
        .unwrap_or_else(|| {
            panic!(
                "no train after 14:00: {} services on, stops {:?}",
                on.len(),
                trensurb
                    .stops
                    .iter()
                    .take(3)
                    .map(|s| &s.id)
                    .collect::<Vec<_>>()
            )
        });
    let hm = |s: u32| format!("{:02}:{:02}", s / 3600, s / 60 % 60);
    let fr = get("hub-fr");
    let fr_legs = legs(&fr);
    assert_eq!(fr_legs.len(), 2, "{fr}");
    assert_eq!(fr_legs[0]["type"], "timetable");
    assert_eq!(fr_legs[0]["to"], "ESTACAO FARRAPOS");
    let by_train = (arr - 14 * 3600) as f64 / 60.0;
    assert_eq!(
        fr_legs[0]["minutes"],
        (by_train * 10.0).round() / 10.0,
        "{fr}"
    );
    assert_eq!(
        fr_legs[0]["journey"][0],
        format!(
            "{} board ESTACAO MERCADO ATE ESTACAO NOVO HAMBURGO (LINHA1) at ESTACAO RODOVIARIA → {} alight at ESTACAO FARRAPOS",
            hm(dep),
            hm(arr)
        ),
        "{fr}"
    );
    // One departure, no frequency-based service to draw: every percentile is the same time.
    assert_eq!(v["metadata"]["transit"]["draws"], 1);
    let by = &fr["minutes_by_percentile"];
    assert_eq!(by["5"], fr["minutes"]);
    assert_eq!(by["95"], fr["minutes"]);

    // Without a departure the timetabled feeds answer at their documented default and say so.
    let v = run(&["--no-polygons"]);
    let t = &v["metadata"]["transit"];
    assert!(t["depart"].as_str().unwrap().ends_with("T08:00"), "{t}");
    assert!(
        t["depart_note"].as_str().unwrap().contains("default"),
        "{t}"
    );
}
