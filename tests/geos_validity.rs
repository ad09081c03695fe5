//! Band polygons checked by GEOS itself (shapely over Debian's libgeos, driven from here): on
//! property-generated travel-time fields, on every Zhengzhou hub in every mode, and on the 50
//! Andorra origins by car and on foot. Every band must be valid, disjoint bands must not
//! overlap, cumulative bands must nest, and every pinned (reached) place must lie inside the
//! bands its time belongs to.
//!
//! Needs `/usr/bin/python3` with shapely (`apt-get install python3-shapely`, done by `.ci/run`);
//! skipped with a note where it is missing, except under CI, where that is a failure.

use cityreach::network::streets::osm::{self, OsmStreets};
use cityreach::network::streets::{Seed, StreetMode, StreetModel};
use cityreach::output::geojson::multipolygon as multipolygon_json;
use cityreach::raster::TimeGrid;
use cityreach::reach::contour::Pin;
use cityreach::reach::polygons::{band_polygons_with, contour_grid_with, PolygonOptions};
use cityreach::reach::{self, BandForm, Mode, Origin, ReachRequest};
use cityreach::{City, DataSource};
use indicatif::ProgressBar;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const PYTHON: &str = "/usr/bin/python3";

/// Reads cases (one JSON object a line: label, form, bands [{limit, geometry}], pins
/// [[lon, lat, secs]]) and prints one line per failed check.
const CHECKER: &str = r#"
import json, sys
from shapely.geometry import shape, Point
from shapely.validation import explain_validity
bad = 0
n = 0
for line in sys.stdin:
    c = json.loads(line)
    label = c["label"]
    bands = [(b["limit"], shape(b["geometry"])) for b in c["bands"]]
    for lim, g in bands:
        n += 1
        if not g.is_valid:
            bad += 1
            print(f"{label} band {lim}: invalid: {explain_validity(g)}")
    ok = all(g.is_valid for _, g in bands)
    if not ok:
        continue
    if c["form"] == "disjoint":
        for i in range(len(bands)):
            for j in range(i + 1, len(bands)):
                a = bands[i][1].intersection(bands[j][1]).area
                if a > 1e-12:
                    bad += 1
                    print(f"{label}: bands {bands[i][0]} and {bands[j][0]} overlap by {a}")
    else:
        for i in range(1, len(bands)):
            a = bands[i - 1][1].difference(bands[i][1]).area
            if a > 1e-12:
                bad += 1
                print(f"{label}: band {bands[i-1][0]} sticks out of band {bands[i][0]} by {a}")
    for lon, lat, secs in c["pins"]:
        p = Point(lon, lat)
        want = [g for lim, g in bands if lim * 60.0 >= secs]
        if not want:
            continue
        if c["form"] == "disjoint":
            first = min(lim for lim, g in bands if lim * 60.0 >= secs)
            inside = any(g.intersects(p) for lim, g in bands if lim <= first)
        else:
            inside = all(g.intersects(p) for g in want)
        if not inside:
            bad += 1
            print(f"{label}: place ({lon}, {lat}) reached in {secs / 60.0:.2f} min lies outside its bands")
print(f"checked {n} band polygons, {bad} failures")
"#;

fn shapely_available() -> bool {
    let ok = Command::new(PYTHON)
        .args(["-c", "import shapely.geometry, shapely.validation"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if std::env::var_os("CI").is_some() {
            panic!("{PYTHON} with shapely is missing; .ci/run installs python3-shapely");
        }
        eprintln!("skipped: {PYTHON} with shapely is missing (apt-get install python3-shapely)");
    }
    ok
}

struct Case {
    label: String,
    form: BandForm,
    bands: Vec<(f64, geo::MultiPolygon<f64>)>,
    pins: Vec<Pin>,
}

fn case_json(c: &Case) -> Value {
    json!({
        "label": c.label,
        "form": match c.form { BandForm::Disjoint => "disjoint", BandForm::Cumulative => "cumulative" },
        "bands": c.bands.iter().map(|(l, g)| json!({ "limit": l, "geometry": multipolygon_json(g) })).collect::<Vec<_>>(),
        "pins": c.pins.iter().map(|p| json!([p.lonlat[0], p.lonlat[1], p.secs])).collect::<Vec<_>>(),
    })
}

/// Runs GEOS over the cases; panics listing every failure.
fn geos_check(cases: &[Case]) {
    let mut child = Command::new(PYTHON)
        .args(["-c", CHECKER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start python3");
    {
        let mut stdin = child.stdin.take().unwrap();
        for c in cases {
            writeln!(stdin, "{}", case_json(c)).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "checker failed: {text}");
    let last = text.lines().last().unwrap_or_default().to_string();
    eprintln!("{last}");
    assert!(
        last.ends_with(" 0 failures"),
        "GEOS found problems:\n{}",
        text.lines().take(40).collect::<Vec<_>>().join("\n")
    );
    let checked: usize = last
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    let expected: usize = cases.iter().map(|c| c.bands.len()).sum();
    assert_eq!(checked, expected);
}

/// A random travel-time field: smooth spreads from a few centres, random noise, values sitting
/// exactly on band limits, checkerboard saddles and unreached holes, mixed.
fn random_grid(rng: &mut StdRng, bands: &[f64]) -> TimeGrid {
    let nx = rng.random_range(1..40usize);
    let ny = rng.random_range(1..40usize);
    let cell = [20.0, 100.0, 250.0, 700.0, 1500.0][rng.random_range(0..5)];
    let lon = rng.random_range(-170.0..170.0);
    let lat = rng.random_range(-60.0..60.0);
    let m = cityreach::geodesy::LocalFrame::new([lon, lat]).metres_per_degree();
    let bbox = [
        lon,
        lat,
        lon + nx as f64 * cell / m[0] * 0.999,
        lat + ny as f64 * cell / m[1] * 0.999,
    ];
    let mut grid = TimeGrid::covering(bbox, cell);
    let (nx, ny) = grid.size();
    let top = bands.last().copied().unwrap_or(10.0) * 60.0;
    let kind = rng.random_range(0..5);
    let centres: Vec<[f64; 3]> = (0..rng.random_range(1..4))
        .map(|_| {
            [
                rng.random_range(0.0..nx as f64),
                rng.random_range(0.0..ny as f64),
                rng.random_range(0.0..top / 2.0),
            ]
        })
        .collect();
    let speed = rng.random_range(0.05..2.0) * top / (nx.max(ny) as f64);
    for iy in 0..ny {
        for ix in 0..nx {
            let smooth = centres
                .iter()
                .map(|c| c[2] + ((ix as f64 - c[0]).hypot(iy as f64 - c[1])) * speed)
                .fold(f64::INFINITY, f64::min);
            let v = match kind {
                0 => smooth,
                1 => rng.random_range(0.0..top * 1.3),
                2 => bands[rng.random_range(0..bands.len())] * 60.0,
                3 => {
                    if (ix + iy) % 2 == 0 {
                        0.0
                    } else {
                        f64::INFINITY
                    }
                }
                _ => {
                    if rng.random_bool(0.2) {
                        f64::INFINITY
                    } else if rng.random_bool(0.2) {
                        bands[rng.random_range(0..bands.len())] * 60.0
                    } else {
                        smooth + rng.random_range(0.0..60.0)
                    }
                }
            };
            if v.is_finite() && v <= top * 1.2 {
                grid.lower(ix, iy, v as f32);
            }
        }
    }
    grid
}

fn random_bands(rng: &mut StdRng) -> Vec<f64> {
    let n = rng.random_range(1..6);
    let mut b = Vec::new();
    let mut t = 0.0;
    for _ in 0..n {
        t += [0.1, 1.0, 5.0, 10.0][rng.random_range(0..4)];
        b.push((t * 10.0f64).round() / 10.0);
    }
    b
}

#[test]
fn generated_fields_give_valid_bands_that_hold_every_pinned_place() {
    if !shapely_available() {
        return;
    }
    let mut rng = StdRng::seed_from_u64(20261202);
    let mut cases = Vec::new();
    for k in 0..400 {
        let bands = random_bands(&mut rng);
        let grid = random_grid(&mut rng, &bands);
        let (nx, ny) = grid.size();
        // Pins between the first and the last cell centres (the padding ring of a real raster
        // holds none), with times at or above the field there.
        let mut pins = Vec::new();
        if nx > 1 && ny > 1 {
            for _ in 0..rng.random_range(0..6) {
                let fx = rng.random_range(0.5..nx as f64 - 0.5);
                let fy = rng.random_range(0.5..ny as f64 - 0.5);
                let a = grid.cell_centre(0, 0);
                let b = grid.cell_centre(nx - 1, ny - 1);
                let lonlat = [
                    a[0] + (b[0] - a[0]) * (fx - 0.5) / (nx as f64 - 1.0),
                    a[1] + (b[1] - a[1]) * (fy - 0.5) / (ny as f64 - 1.0),
                ];
                let secs = rng.random_range(0.0..bands.last().unwrap() * 60.0);
                pins.push(Pin { lonlat, secs });
            }
        }
        let form = if rng.random_bool(0.5) {
            BandForm::Disjoint
        } else {
            BandForm::Cumulative
        };
        let opts = PolygonOptions {
            cell_m: None,
            generalize_m: Some([0.0, 0.3, 1.0, 3.0][rng.random_range(0..4)] * grid.cell_m()),
            denoise: Some([0.0, 0.01, 0.3, 1.0][rng.random_range(0..4)]),
            pins: pins.clone(),
        };
        let polys = contour_grid_with(&grid, &bands, form, &opts);
        cases.push(Case {
            label: format!("field {k} ({nx}×{ny}, bands {bands:?}, {opts:?})"),
            form,
            bands: bands.iter().copied().zip(polys).collect(),
            pins,
        });
    }
    geos_check(&cases);
}

fn band_case(label: String, result: &reach::ReachResult, form: BandForm) -> Case {
    Case {
        label,
        form,
        bands: result
            .bands
            .iter()
            .map(|b| (b.max_minutes, b.geometry.clone().unwrap()))
            .collect(),
        pins: result
            .reached
            .iter()
            .map(|r| Pin {
                lonlat: r.anchor,
                // The band the engine assigned from the exact time (reported minutes are
                // rounded to 0.1, so 20.00004 min reads "20.0" yet belongs to the next band).
                secs: if r.band.is_finite() {
                    r.band * 60.0
                } else {
                    f64::INFINITY
                },
            })
            .collect(),
    }
}

#[test]
fn every_zhengzhou_hub_in_every_mode_gives_valid_bands_holding_what_it_reaches() {
    if !shapely_available() {
        return;
    }
    let city = City::load(DataSource::Embedded).unwrap();
    let hubs: Vec<String> = city
        .catalog
        .features()
        .iter()
        .filter(|f| f.kind == cityreach::catalog::FeatureKind::TransportHub)
        .map(|f| f.id.clone())
        .collect();
    assert!(hubs.len() >= 10);
    let mut cases = Vec::new();
    for hub in &hubs {
        for mode in Mode::ALL {
            for (bands, form, scenario) in [
                (vec![20.0], BandForm::Disjoint, "plan-2025"),
                (vec![5.0, 10.0, 15.0, 20.0], BandForm::Disjoint, "existing"),
                (vec![10.0, 20.0, 30.0], BandForm::Cumulative, "plan-2025"),
            ] {
                let req = ReachRequest {
                    mode,
                    bands: bands.clone(),
                    band_form: form,
                    scenario: scenario.into(),
                    ..ReachRequest::new(Origin::Place(hub.clone()), 20.0)
                };
                let result = reach::reach(&city, &req).unwrap();
                cases.push(band_case(
                    format!("{hub} {mode} {bands:?} {form:?} {scenario}"),
                    &result,
                    form,
                ));
            }
        }
    }
    // The answer that had collapsed rings at 郑州东站 and 郑州站 (reached with 0.4 min left).
    let mut req = ReachRequest::new(Origin::Place("小李庄站".into()), 20.0);
    req.scenario = "plan-2025".into();
    let result = reach::reach(&city, &req).unwrap();
    assert!(result.reached.iter().any(|r| r.id == "hub-zhengzhou-east"));
    cases.push(band_case(
        "小李庄站 transit 20 plan-2025".into(),
        &result,
        BandForm::Disjoint,
    ));
    geos_check(&cases);
}

fn andorra() -> Option<(OsmStreets, Vec<[f64; 2]>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/osm");
    if !dir.join("andorra.osm.pbf").exists() {
        eprintln!("skipped: no OpenStreetMap extracts at {}", dir.display());
        return None;
    }
    let (graphs, _) =
        osm::build_graphs(&dir.join("andorra.osm.pbf"), &ProgressBar::hidden()).unwrap();
    let origins = std::fs::read_to_string(dir.join("origins-andorra.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split(',').map(|x| x.parse::<f64>());
            Some([f.next()?.ok()?, f.next()?.ok()?])
        })
        .collect();
    Some((OsmStreets::from_graphs(graphs), origins))
}

#[test]
fn andorra_drive_and_walk_bands_are_valid_and_hold_reached_places() {
    if !shapely_available() {
        return;
    }
    let Some((streets, origins)) = andorra() else {
        return;
    };
    assert_eq!(origins.len(), 50);
    let mut rng = StdRng::seed_from_u64(5);
    let mut cases = Vec::new();
    for (k, o) in origins.iter().enumerate() {
        for mode in [StreetMode::Drive, StreetMode::Walk] {
            let field = streets
                .spread(
                    mode,
                    &[Seed {
                        lonlat: *o,
                        secs: 0.0,
                    }],
                    900.0,
                )
                .unwrap();
            // Places the field reaches: the origin and random points around it.
            let mut pins = Vec::new();
            let r = if mode == StreetMode::Drive {
                0.08
            } else {
                0.01
            };
            for i in 0..60 {
                let p = if i == 0 {
                    *o
                } else {
                    [
                        o[0] + rng.random_range(-r..r),
                        o[1] + rng.random_range(-r..r),
                    ]
                };
                if let Some(t) = field.time_at(p) {
                    pins.push(Pin {
                        lonlat: p,
                        secs: t.secs,
                    });
                }
            }
            for (bands, form) in [
                (vec![15.0], BandForm::Disjoint),
                (vec![5.0, 10.0, 15.0], BandForm::Disjoint),
                (vec![5.0, 10.0, 15.0], BandForm::Cumulative),
            ] {
                let opts = PolygonOptions {
                    pins: pins.clone(),
                    ..PolygonOptions::default()
                };
                let out = band_polygons_with(field.as_ref(), &bands, form, &opts);
                cases.push(Case {
                    label: format!("andorra origin {k} {mode} {bands:?} {form:?}"),
                    form,
                    bands: out
                        .iter()
                        .map(|b| (b.max_minutes, b.geometry.clone().unwrap()))
                        .collect(),
                    pins: pins.clone(),
                });
            }
        }
    }
    geos_check(&cases);
}
