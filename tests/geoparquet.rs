//! The GeoParquet writer, read back by pyarrow (`CITYREACH_PYTHON`, else `python3`): values,
//! nulls, WKB points and the `geo` metadata, exactly (doubles compared as their bits). Skipped when pyarrow is missing.

use cityreach::access::parquet::PointTable;
use std::process::Command;

fn pyarrow_python() -> Option<String> {
    let py = std::env::var("CITYREACH_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&py)
        .args(["-c", "import pyarrow.parquet"])
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(py)
}

#[test]
fn pyarrow_reads_points_measures_nulls_geometry_and_geo_metadata() {
    let Some(py) = pyarrow_python() else {
        println!("skipped: no python3 with pyarrow (pip install pyarrow)");
        return;
    };
    // 20 rows so the null runs span more than one RLE run of each kind.
    let ids: Vec<String> = (0..20).map(|i| format!("cell-{i}")).collect();
    let lonlat: Vec<[f64; 2]> = (0..20)
        .map(|i| [113.6 + f64::from(i) * 0.01, 34.7 - f64::from(i) * 0.003])
        .collect();
    let m30: Vec<Option<f64>> = (0..20)
        .map(|i| (i % 3 != 0).then(|| f64::from(i) * 1.5 + 0.125))
        .collect();
    let table = PointTable {
        ids: ids.iter().map(String::as_str).collect(),
        lonlat: lonlat.clone(),
        measures: vec![
            ("within_30".into(), m30.clone()),
            ("nearest_1".into(), vec![Some(7.25); 20]),
        ],
    };
    let path = std::env::temp_dir().join(format!(
        "cityreach-geoparquet-{}.parquet",
        std::process::id()
    ));
    std::fs::write(&path, table.to_bytes()).unwrap();
    let script = r#"
import json, struct, sys
import pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
meta = pq.read_metadata(sys.argv[1]).metadata
geo = json.loads(meta[b"geo"])
bits = lambda x: None if x is None else struct.unpack("<Q", struct.pack("<d", x))[0]
rows = []
for r in t.to_pylist():
    for k in ("lon", "lat", "within_30", "nearest_1"):
        r[k] = bits(r[k])
    g = r.pop("geometry")
    assert len(g) == 21 and g[:5] == bytes([1, 1, 0, 0, 0]), g
    r["wkb"] = [bits(x) for x in struct.unpack("<dd", g[5:])]
    rows.append(r)
print(json.dumps({"schema": [f"{f.name}:{f.type}" for f in t.schema], "geo": geo, "rows": rows}))
"#;
    let out = Command::new(&py)
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["schema"],
        serde_json::json!([
            "id:string",
            "lon:double",
            "lat:double",
            "within_30:double",
            "nearest_1:double",
            "geometry:binary"
        ])
    );
    let geo = &v["geo"];
    assert_eq!(geo["version"], "1.1.0");
    assert_eq!(geo["primary_column"], "geometry");
    assert_eq!(geo["columns"]["geometry"]["encoding"], "WKB");
    assert_eq!(
        geo["columns"]["geometry"]["geometry_types"],
        serde_json::json!(["Point"])
    );
    assert!(geo["columns"]["geometry"].get("crs").is_none());
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 20);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r["id"], ids[i].as_str());
        let bits = |x: f64| serde_json::json!(x.to_bits());
        assert_eq!(r["lon"], bits(lonlat[i][0]));
        assert_eq!(r["lat"], bits(lonlat[i][1]));
        assert_eq!(
            r["within_30"],
            m30[i].map_or(serde_json::Value::Null, bits),
            "row {i}"
        );
        assert_eq!(r["nearest_1"], bits(7.25));
        assert_eq!(
            r["wkb"],
            serde_json::json!([lonlat[i][0].to_bits(), lonlat[i][1].to_bits()]),
            "row {i}"
        );
    }
}

/// A matrix as GeoParquet: a row per origin, a column per destination, each value the
/// matrix's own minutes to the bit, nulls where the budget ends.
#[test]
fn a_matrix_reads_back_as_one_row_per_origin() {
    let Some(py) = pyarrow_python() else {
        println!("skipped: no python3 with pyarrow (pip install pyarrow)");
        return;
    };
    use cityreach::access::{matrix, OriginPoint};
    let city = cityreach::City::load(cityreach::DataSource::Embedded).unwrap();
    let pts: Vec<OriginPoint> = [
        [113.62, 34.75],
        [113.66, 34.76],
        [113.70, 34.78],
        [113.9, 34.9],
    ]
    .iter()
    .enumerate()
    .map(|(i, &p)| OriginPoint {
        id: format!("p{i}"),
        lonlat: p,
        cell: None,
    })
    .collect();
    let m = matrix::compute(
        &city,
        pts.clone(),
        pts.clone(),
        cityreach::reach::Mode::Walk,
        "existing",
        20.0,
    )
    .unwrap();
    assert!(m.minutes.iter().any(Option::is_none) && m.minutes.iter().any(Option::is_some));
    let path =
        std::env::temp_dir().join(format!("cityreach-matrix-{}.parquet", std::process::id()));
    std::fs::write(&path, m.to_geoparquet()).unwrap();
    let script = r#"
import json, struct, sys
import pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
bits = lambda x: None if x is None else struct.unpack("<Q", struct.pack("<d", x))[0]
print(json.dumps({"names": t.column_names,
  "ids": t.column("id").to_pylist(),
  "cols": {n: [bits(x) for x in t.column(n).to_pylist()] for n in t.column_names if n.startswith("to_")}}))
"#;
    let out = Command::new(&py)
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["names"],
        serde_json::json!(["id", "lon", "lat", "to_p0", "to_p1", "to_p2", "to_p3", "geometry"])
    );
    assert_eq!(v["ids"], serde_json::json!(["p0", "p1", "p2", "p3"]));
    for j in 0..4 {
        for i in 0..4 {
            let want = m
                .get(i, j)
                .map_or(serde_json::Value::Null, |x| serde_json::json!(x.to_bits()));
            assert_eq!(v["cols"][format!("to_p{j}")][i], want, "{i} → {j}");
        }
    }
}

/// `access --out FILE.parquet` on a point set: the same origins and values as the CSV of the
/// same run (which rounds to 0.01), with the `geo` metadata.
#[test]
fn access_points_as_geoparquet_match_the_csv() {
    let Some(py) = pyarrow_python() else {
        println!("skipped: no python3 with pyarrow (pip install pyarrow)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("cityreach-access-pq-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pts = dir.join("points.csv");
    std::fs::write(
        &pts,
        "id,lon,lat\na,113.6598,34.7536\nb,113.70,34.78\nc,113.62,34.75\n",
    )
    .unwrap();
    let run = |out: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_cityreach"))
            .args(["access", "--origins", pts.to_str().unwrap()])
            .args(["--opportunities", "commercial", "--cutoff", "15"])
            .args(["--cutoff", "30", "--nearest", "1", "--out"])
            .arg(dir.join(out))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    run("a.csv");
    run("a.parquet");
    let script = r#"
import json, sys
import pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
geo = json.loads(pq.read_metadata(sys.argv[1]).metadata[b"geo"])
print(json.dumps({"geo": geo, "rows": t.drop(["geometry"]).to_pylist()}))
"#;
    let out = Command::new(&py)
        .args(["-c", script, dir.join("a.parquet").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["geo"]["columns"]["geometry"]["encoding"], "WKB");
    let csv = std::fs::read_to_string(dir.join("a.csv")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for (r, line) in rows.iter().zip(lines) {
        let want: Vec<&str> = line.split(',').collect();
        assert_eq!(r["id"], want[0]);
        for (k, w) in head.iter().zip(&want).skip(3) {
            let got = r[*k].as_f64().map(|x| (x * 100.0).round() / 100.0);
            assert_eq!(got, w.parse::<f64>().ok(), "{k} of {}", want[0]);
        }
    }
}
