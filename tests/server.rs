//! The HTTP service end to end: the real binary on an ephemeral loopback port, spoken to with
//! a minimal HTTP/1.1 client, its answers checked against the library in-process.

use cityreach::catalog::FeatureQuery;
use cityreach::reach::{self, Origin, ReachRequest};
use cityreach::{City, DataSource, FeatureKind};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::OnceLock;
use std::time::Duration;

mod support;
use support::{Server, COLLECTIONS};

impl Server {
    fn get(&self, path: &str) -> Resp {
        request(&self.addr, "GET", path, &[], b"")
    }

    fn json(&self, path: &str) -> Value {
        let r = self.get(path);
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        r.json()
    }
}

#[derive(Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// One request on a fresh connection (`Connection: close`), chunked bodies decoded.
fn request(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).expect("write head");
    // A server may answer (413) before reading the whole body; ignore write errors then.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| {
            panic!(
                "no response head for {method} {path}: {:?}",
                String::from_utf8_lossy(&raw)
            )
        });
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..eol]).trim(), 16)
                .unwrap_or(0);
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
            rest = &rest[eol + 2 + size + 2..];
        }
        body = out;
    }
    Resp {
        status,
        headers,
        body,
    }
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The path and query of an absolute link.
fn path_of(href: &str) -> String {
    let rest = href.strip_prefix("http://").expect("absolute http link");
    rest[rest.find('/').expect("path")..].to_string()
}

fn city() -> &'static City {
    static CITY: OnceLock<City> = OnceLock::new();
    CITY.get_or_init(|| City::load(DataSource::Embedded).expect("embedded city loads"))
}

#[test]
fn landing_conformance_api_and_collections() {
    let srv = Server::start();
    // The start-up line names the city and the actual port, not the requested :0.
    assert!(
        srv.line.starts_with("cityreach serving Zhengzhou"),
        "{}",
        srv.line
    );
    assert!(srv.line.contains("(map: http://127.0.0.1:"), "{}", srv.line);
    assert!(!srv.addr.ends_with(":0"), "{}", srv.line);
    let landing = srv.get("/");
    assert_eq!(landing.status, 200);
    assert_eq!(landing.content_type(), "application/json");
    let l = landing.json();
    let rels: BTreeSet<&str> = l["links"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["rel"].as_str())
        .collect();
    for r in ["self", "service-desc", "conformance", "data"] {
        assert!(rels.contains(r), "landing page link {r}");
    }
    // Zhengzhou runs every trip from frequencies: the steady state by default, a departure on
    // request within its calendar (2026-01-01 is a Thursday, so the first Tuesday is the 6th).
    assert_eq!(
        l["transit"],
        serde_json::json!({
            "timetabled": false,
            "calendar": {"first": "2026-01-01", "last": "2027-12-31"},
            "default_depart": "2026-01-06T08:00",
        })
    );
    let html = request(
        &srv.addr,
        "GET",
        "/",
        &[("Accept", "text/html,application/xhtml+xml")],
        b"",
    );
    assert_eq!(html.status, 303);
    assert_eq!(html.header("location"), Some("/map/"));
    let forced = request(
        &srv.addr,
        "GET",
        "/?f=json",
        &[("Accept", "text/html")],
        b"",
    );
    assert_eq!(forced.status, 200);
    assert_eq!(forced.content_type(), "application/json");

    let conf = srv.json("/conformance");
    let classes: Vec<&str> = conf["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for c in [
        "ogcapi-features-1/1.0/conf/core",
        "ogcapi-features-1/1.0/conf/oas30",
        "ogcapi-features-1/1.0/conf/geojson",
        "ogcapi-features-3/1.0/conf/queryables",
        "ogcapi-features-3/1.0/conf/queryables-query-parameters",
        "ogcapi-features-3/1.0/conf/filter",
        "ogcapi-features-3/1.0/conf/features-filter",
        "cql2/1.0/conf/basic-cql2",
        "cql2/1.0/conf/cql2-text",
        "ogcapi-features-2/1.0/conf/crs",
    ] {
        assert!(
            classes.iter().any(|x| x.ends_with(c)),
            "conformance class {c}"
        );
    }

    let api = srv.get("/api");
    assert_eq!(api.status, 200);
    assert_eq!(
        api.content_type(),
        "application/vnd.oai.openapi+json;version=3.0"
    );
    let api = api.json();
    assert!(api["openapi"].as_str().unwrap().starts_with("3.0"));
    for p in [
        "/",
        "/conformance",
        "/api",
        "/collections",
        "/collections/{collectionId}",
        "/collections/{collectionId}/items",
        "/collections/{collectionId}/items/{featureId}",
        "/collections/{collectionId}/queryables",
        "/reach",
        "/targets",
        "/scenarios",
        "/search",
    ] {
        assert!(api["paths"][p].is_object(), "OpenAPI declares {p}");
    }
    assert!(api["paths"]["/reach"]["post"].is_object());
    let limit = &api["components"]["parameters"]["limit"]["schema"];
    assert_eq!(limit["default"], 100);
    assert_eq!(limit["maximum"], 10000);

    let cols = srv.json("/collections");
    let ids: Vec<&str> = cols["collections"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, COLLECTIONS);
    for id in COLLECTIONS {
        let c = srv.json(&format!("/collections/{id}"));
        assert_eq!(c["id"], id);
        assert_eq!(c["itemType"], "feature");
        assert!(c["crs"][0].as_str().unwrap().ends_with("CRS84"));
        assert_eq!(c["storageCrs"], cityreach::crs::Crs::Crs84.uri());
        for crs in cityreach::crs::Crs::ALL {
            assert!(
                c["crs"].as_array().unwrap().contains(&json!(crs.uri())),
                "{id} lists {}",
                crs.uri()
            );
        }
        let b = c["extent"]["spatial"]["bbox"][0]
            .as_array()
            .expect("extent bbox");
        assert_eq!(b.len(), 4);
        assert!(b[0].as_f64() <= b[2].as_f64() && b[1].as_f64() <= b[3].as_f64());
        let items_link = c["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["rel"] == "items")
            .expect("items link");
        assert_eq!(items_link["type"], "application/geo+json");
        let q = srv.get(&format!("/collections/{id}/queryables"));
        assert_eq!(q.status, 200);
        assert_eq!(q.content_type(), "application/schema+json");
        assert!(q.json()["properties"].is_object());
    }

    let map = srv.get("/map/");
    assert_eq!(map.status, 200);
    assert!(map.content_type().starts_with("text/html"));
    assert_eq!(srv.get("/map").status, 308);
    assert_eq!(srv.get("/favicon.ico").status, 200);
    // The page's modules live in subfolders of web/; the embed serves them byte for byte.
    for f in [
        "app.js",
        "js/state.js",
        "js/map/route.js",
        "js/panels/reach.js",
    ] {
        let res = srv.get(&format!("/map/{f}"));
        assert_eq!(res.status, 200, "{f}");
        assert!(res.content_type().starts_with("text/javascript"), "{f}");
        let disk = std::fs::read(format!("{}/web/{f}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        assert_eq!(res.body, disk, "{f}");
    }
}

/// OGC API Features Part 2: the same features in every supported CRS, each position the CRS84
/// one transformed (axis order as EPSG defines it), `Content-Crs` naming the CRS, and `bbox-crs`
/// selecting what the CRS84 bbox selects. GDAL 3.12 sends `crs=…CRS84` with every request.
#[test]
fn items_in_every_supported_crs() {
    use cityreach::crs::Crs;
    let srv = Server::start();
    let path = "/collections/metro_stations/items?limit=300";
    let base = srv.get(path);
    assert_eq!(base.status, 200);
    assert_eq!(
        base.header("content-crs"),
        Some(Crs::Crs84.header().as_str())
    );
    let base = base.json();
    let n = base["features"].as_array().unwrap().len();
    assert_eq!(n as u64, base["numberMatched"].as_u64().unwrap());
    for crs in Crs::ALL {
        let r = srv.get(&format!("{path}&crs={}", enc(crs.uri())));
        assert_eq!(r.status, 200, "{}: {}", crs.uri(), r.text());
        assert_eq!(r.header("content-crs"), Some(crs.header().as_str()));
        let v = r.json();
        let feats = v["features"].as_array().unwrap();
        assert_eq!(feats.len(), n);
        for (a, b) in base["features"].as_array().unwrap().iter().zip(feats) {
            assert_eq!(a["id"], b["id"]);
            let ll = &a["geometry"]["coordinates"];
            let (lon, lat) = (ll[0].as_f64().unwrap(), ll[1].as_f64().unwrap());
            let c = &b["geometry"]["coordinates"];
            let (x, y) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
            match crs {
                Crs::Crs84 => assert_eq!((x, y), (lon, lat)),
                // EPSG axis order: latitude first; CGCS2000 coordinates are the WGS-84 ones.
                Crs::Epsg4326 | Crs::Epsg4490 => {
                    assert!((x - lat).abs() < 1e-7 && (y - lon).abs() < 1e-7, "{b}")
                }
                Crs::Epsg3857 => {
                    // Independent of the server's code: x = Rλ, y = R ln tan(π/4 + φ/2).
                    let r = 6_378_137.0_f64;
                    let mx = r * lon.to_radians();
                    let my = r
                        * (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0)
                            .tan()
                            .ln();
                    assert!((x - mx).abs() < 0.01 && (y - my).abs() < 0.01, "{b}");
                }
            }
        }
    }
    // One feature, by id, in web mercator.
    let id = base["features"][0]["id"].as_str().unwrap().to_string();
    let one = srv.get(&format!(
        "/collections/metro_stations/items/{id}?crs={}",
        enc(Crs::Epsg3857.uri())
    ));
    assert_eq!(one.status, 200);
    assert_eq!(
        one.header("content-crs"),
        Some(Crs::Epsg3857.header().as_str())
    );
    assert!(one.json()["geometry"]["coordinates"][0].as_f64().unwrap() > 1.0e7);

    // bbox-crs: the same box in three CRSs selects the same stations.
    let ids = |q: &str| -> Vec<String> {
        srv.json(&format!("/collections/metro_stations/items?limit=300&{q}"))["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    let want = ids("bbox=113.6,34.7,113.7,34.8");
    assert!(want.len() > 10 && want.len() < n, "{}", want.len());
    assert_eq!(
        ids(&format!(
            "bbox=34.7,113.6,34.8,113.7&bbox-crs={}",
            enc(Crs::Epsg4326.uri())
        )),
        want
    );
    let lo = Crs::Epsg3857.from_lonlat([113.6, 34.7]);
    let hi = Crs::Epsg3857.from_lonlat([113.7, 34.8]);
    assert_eq!(
        ids(&format!(
            "bbox={},{},{},{}&bbox-crs=EPSG:3857",
            lo[0], lo[1], hi[0], hi[1]
        )),
        want
    );
    // An unknown CRS is refused with the list of supported ones.
    let r = srv.get("/collections/metro_stations/items?crs=EPSG:2385");
    assert_eq!(r.status, 400);
    let v = r.json();
    assert_eq!(v["parameter"], "crs");
    let d = v["description"].as_str().unwrap();
    assert!(d.contains("EPSG:2385") && d.contains("EPSG/0/3857"), "{d}");
}

#[test]
fn paging_sees_every_feature_exactly_once() {
    let srv = Server::start();
    let c = city();
    for kind in FeatureKind::ALL {
        let expected: BTreeSet<String> = c
            .catalog
            .query(&FeatureQuery {
                kind: Some(kind),
                ..FeatureQuery::default()
            })
            .iter()
            .map(|f| f.id.clone())
            .collect();
        let mut seen: Vec<String> = Vec::new();
        let mut next = Some(format!("/collections/{kind}/items?limit=7"));
        let mut pages = 0;
        while let Some(path) = next.take() {
            let r = srv.get(&path);
            assert_eq!(r.status, 200, "{path}");
            assert_eq!(r.content_type(), "application/geo+json");
            let page = r.json();
            assert_eq!(page["type"], "FeatureCollection");
            assert_eq!(page["numberMatched"].as_u64(), Some(expected.len() as u64));
            let feats = page["features"].as_array().unwrap();
            assert_eq!(page["numberReturned"].as_u64(), Some(feats.len() as u64));
            assert!(feats.len() <= 7);
            assert!(page["timeStamp"].as_str().is_some_and(|t| t.ends_with('Z')));
            for f in feats {
                seen.push(f["id"].as_str().unwrap().to_string());
                assert_eq!(f["properties"]["kind"], kind.as_str());
            }
            let links = page["links"].as_array().unwrap();
            for l in links {
                let rel = l["rel"].as_str().unwrap();
                if ["self", "next", "prev"].contains(&rel) {
                    assert_eq!(l["type"], "application/geo+json", "{rel}");
                }
            }
            if pages > 0 {
                assert!(
                    links.iter().any(|l| l["rel"] == "prev"),
                    "prev link after the first page"
                );
            }
            next = links
                .iter()
                .find(|l| l["rel"] == "next")
                .map(|l| path_of(l["href"].as_str().unwrap()));
            pages += 1;
            assert!(pages < 100);
        }
        let unique: BTreeSet<String> = seen.iter().cloned().collect();
        assert_eq!(
            unique.len(),
            seen.len(),
            "{kind}: a feature was returned twice"
        );
        assert_eq!(unique, expected, "{kind}: paging misses features");
    }
    // The other collections page the same way; their counts match the network.
    let t = &c.transit;
    let base_stops = t.stops.iter().filter(|s| s.scenario.is_none()).count();
    let metro = srv.json("/collections/metro_stations/items?limit=10000");
    let rail = srv.json("/collections/rail_stations/items?limit=10000");
    let m = metro["numberMatched"].as_u64().unwrap() as usize;
    let r = rail["numberMatched"].as_u64().unwrap() as usize;
    assert!(
        m > 200 && r >= 5 && m + r >= base_stops,
        "{m} metro + {r} rail vs {base_stops} stops"
    );
    let planned = srv.json("/collections/planned_additions/items");
    let added: usize = t
        .scenarios
        .iter()
        .map(|s| s.stops.len() + s.links.len())
        .sum();
    assert_eq!(planned["numberMatched"].as_u64(), Some(added as u64));
    for f in planned["features"].as_array().unwrap() {
        assert!(f["properties"]["scenario"].is_string());
    }
    let lines = srv.json("/collections/transit_lines/items");
    for f in lines["features"].as_array().unwrap() {
        assert_eq!(f["geometry"]["type"], "LineString");
        assert!(f["properties"]["kind"].is_string());
    }
    let districts = srv.json("/collections/districts/items");
    assert_eq!(districts["numberMatched"], 12);
    // One population feature per district; the counts add up to the 2020 census total.
    let pop = srv.json("/collections/population/items");
    assert_eq!(pop["numberMatched"], 12);
    let total: u64 = pop["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["population"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 12_600_574);
    // China's 279 prefecture-level cities for the national targets, Zhengzhou the origin.
    let national = srv.json("/collections/national/items?limit=1000");
    assert_eq!(national["numberMatched"], 279);
    let zz = srv.json("/collections/national/items/4101");
    assert_eq!(zz["properties"]["origin"], true);
}

#[test]
fn filters_match_the_catalog() {
    let srv = Server::start();
    let c = city();
    let ids = |v: &Value| -> BTreeSet<String> {
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    let bbox = [113.6, 34.7, 113.75, 34.8];
    let got = srv.json(&format!(
        "/collections/commercial/items?limit=10000&bbox={}",
        enc(&format!("{},{},{},{}", bbox[0], bbox[1], bbox[2], bbox[3]))
    ));
    let want: BTreeSet<String> = c
        .catalog
        .query(&FeatureQuery {
            kind: Some(FeatureKind::Commercial),
            bbox: Some(bbox),
            ..FeatureQuery::default()
        })
        .iter()
        .map(|f| f.id.clone())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(ids(&got), want);

    let got = srv.json("/collections/transport_hub/items?status=planned");
    let want: BTreeSet<String> = c
        .catalog
        .features()
        .iter()
        .filter(|f| f.kind == FeatureKind::TransportHub && f.status == cityreach::Status::Planned)
        .map(|f| f.id.clone())
        .collect();
    assert_eq!(ids(&got), want);
    assert!(want.contains("hub-xiaolizhuang"));

    let got = srv.json(&format!(
        "/collections/transport_hub/items?q={}",
        enc("郑州东")
    ));
    assert!(ids(&got).contains("hub-zhengzhou-east"));

    let filter =
        "status IN ('planned','proposed') AND NOT (subkind = 'port') OR name_zh LIKE '郑州%站'";
    let got = srv.json(&format!(
        "/collections/transport_hub/items?filter-lang=cql2-text&filter={}",
        enc(filter)
    ));
    let want: BTreeSet<String> = c
        .catalog
        .features()
        .iter()
        .filter(|f| f.kind == FeatureKind::TransportHub)
        .filter(|f| {
            (matches!(
                f.status,
                cityreach::Status::Planned | cityreach::Status::Proposed
            ) && f.subkind != "port")
                || (f.name_zh.starts_with("郑州") && f.name_zh.ends_with('站'))
        })
        .map(|f| f.id.clone())
        .collect();
    assert_eq!(ids(&got), want);

    let got = srv.json(&format!(
        "/collections/commercial/items?filter={}",
        enc("year IS NULL AND area_km2 IS NULL")
    ));
    let want = c
        .catalog
        .features()
        .iter()
        .filter(|f| f.kind == FeatureKind::Commercial && f.year.is_none() && f.area_km2.is_none())
        .count();
    assert_eq!(got["numberMatched"].as_u64(), Some(want as u64));

    let one = srv.get("/collections/transport_hub/items/hub-zhengzhou-east");
    assert_eq!(one.status, 200);
    assert_eq!(one.content_type(), "application/geo+json");
    let one = one.json();
    assert_eq!(one["type"], "Feature");
    assert_eq!(one["id"], "hub-zhengzhou-east");
    assert!(one["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "self"));
    let stop = srv.json("/collections/rail_stations/items/rail-zhengzhou-east");
    assert_eq!(stop["geometry"]["type"], "Point");
    let planned = srv.json("/collections/planned_additions/items?scenario=plan-2025&element=stop");
    assert!(ids(&planned).contains("plan-2025-stop-rail-xiaolizhuang"));
}

/// (method, path, content type, body) of requests the service must refuse with a JSON 4xx.
fn bad_requests() -> Vec<(&'static str, String, Option<&'static str>, Vec<u8>)> {
    let mut v: Vec<(&'static str, String, Option<&'static str>, Vec<u8>)> = Vec::new();
    let mut get = |p: &str| v.push(("GET", p.to_string(), None, Vec::new()));
    let items = "/collections/commercial/items";
    get("/collections/nope");
    get("/collections/nope/items");
    get("/collections/nope/queryables");
    get("/collections/commercial/items/no-such-feature");
    get("/no/such/path");
    get("/map/no-such-file.js");
    get(&format!("{items}?bbox=1,2,3"));
    get(&format!("{items}?bbox=1,2,3,4,5"));
    get(&format!("{items}?bbox=114,34,113,35"));
    get(&format!("{items}?bbox=113,35,114,34"));
    get(&format!("{items}?bbox=113,34,200,35"));
    get(&format!("{items}?bbox=113,-95,114,35"));
    get(&format!("{items}?bbox=NaN,34,114,35"));
    get(&format!("{items}?bbox=a,b,c,d"));
    get(&format!("{items}?bbox=113,34,114,35&bbox=113,34,114,35"));
    get(&format!("{items}?limit=0"));
    get(&format!("{items}?limit=-5"));
    get(&format!("{items}?limit=10001"));
    get(&format!("{items}?limit=ten"));
    get(&format!("{items}?limit=1.5"));
    get(&format!("{items}?offset=-1"));
    get(&format!("{items}?offset=x"));
    get(&format!("{items}?colour=red"));
    get(&format!("{items}?status=bogus"));
    get(&format!("{items}?subkind=not_a_subkind"));
    get(&format!("{items}?kind=cultural"));
    get(&format!("{items}?year=soon"));
    get(&format!("{items}?f=xml"));
    get(&format!("{items}?q="));
    get(&format!("{items}?filter-lang=cql2-json&filter=x"));
    get(&format!("{items}?bbox-crs=EPSG:2385&bbox=1,2,3,4"));
    get(&format!("{items}?bbox-crs=EPSG:3857&bbox=1,2,3e9,4"));
    get(&format!("{items}?crs=EPSG:9999"));
    get(&format!("{items}?crs="));
    get(&format!("{items}/com-erqi-square?crs=EPSG:27700"));
    get(&format!("{items}?filter={}", enc("status =")));
    get(&format!("{items}?filter={}", enc("nope = 1")));
    get(&format!("{items}?filter={}", enc("year = 'x'")));
    get(&format!("{items}?filter={}", enc("(status = 'planned'")));
    get(&format!("{items}?filter={}", enc("status == 'planned'")));
    get(&format!("{items}?filter={}", enc("status = 'unterminated")));
    get("/collections/commercial?foo=1");
    get("/conformance?f=html");
    get("/?f=xml");
    get("/reach");
    get("/reach?from=");
    get(&format!("/reach?from={}", enc("没有这个地方")));
    get("/reach?from=nowhere-at-all&minutes=20");
    get("/reach?from=hub-zhengzhou-east&minutes=0");
    get("/reach?from=hub-zhengzhou-east&minutes=-3");
    get("/reach?from=hub-zhengzhou-east&minutes=500");
    get("/reach?from=hub-zhengzhou-east&minutes=abc");
    get("/reach?from=hub-zhengzhou-east&mode=teleport");
    get("/reach?from=hub-zhengzhou-east&scenario=plan-2099");
    get("/reach?from=hub-zhengzhou-east&bands=10,5");
    get("/reach?from=hub-zhengzhou-east&bands=10,x");
    get(&format!(
        "/reach?from=hub-zhengzhou-east&bands={}",
        (1..=30)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",")
    ));
    get("/reach?from=hub-zhengzhou-east&band_form=nested");
    get("/reach?from=hub-zhengzhou-east&cell=5");
    get("/reach?from=hub-zhengzhou-east&generalize=-3");
    get("/reach?from=hub-zhengzhou-east&denoise=2");
    get("/reach?from=hub-zhengzhou-east&polygons=maybe");
    get("/reach?from=hub-zhengzhou-east&speed=fast");
    get("/reach?from=0,0");
    get("/reach?from=113.7,abc");
    get("/reach?from=113.7,95");
    get("/targets?scenario=plan-2099");
    get("/targets?year=2025");
    get("/scenarios?x=1");
    get("/search");
    get("/search?q=");
    get("/search?q=zheng&limit=0");
    get("/search?q=zheng&limit=1000");
    get("/search?q=zheng&lang=en");
    let json_ct = Some("application/json");
    v.push(("POST", "/reach".into(), json_ct, b"{\"from\":".to_vec()));
    v.push(("POST", "/reach".into(), json_ct, b"[1,2]".to_vec()));
    v.push(("POST", "/reach".into(), json_ct, b"{}".to_vec()));
    v.push((
        "POST",
        "/reach".into(),
        json_ct,
        br#"{"from":"hub-zhengzhou-east","minutes":"20"}"#.to_vec(),
    ));
    v.push((
        "POST",
        "/reach".into(),
        json_ct,
        br#"{"from":"hub-zhengzhou-east","colour":"red"}"#.to_vec(),
    ));
    v.push((
        "POST",
        "/reach".into(),
        json_ct,
        br#"{"from":[[113.7]]}"#.to_vec(),
    ));
    v.push((
        "POST",
        "/reach".into(),
        json_ct,
        br#"{"from":"hub-zhengzhou-east","mode":"swim"}"#.to_vec(),
    ));
    v.push((
        "POST",
        "/reach".into(),
        json_ct,
        br#"{"from":"hub-zhengzhou-east","polygons":"yes"}"#.to_vec(),
    ));
    v.push((
        "POST",
        "/reach".into(),
        json_ct,
        br#"{"from":"hub-zhengzhou-east","bands":[30,20]}"#.to_vec(),
    ));
    v.push((
        "POST",
        "/reach".into(),
        Some("text/plain"),
        br#"{"from":"hub-zhengzhou-east"}"#.to_vec(),
    ));
    v.push((
        "POST",
        "/reach".into(),
        None,
        br#"{"from":"hub-zhengzhou-east"}"#.to_vec(),
    ));
    v.push(("POST", "/reach".into(), json_ct, vec![b' '; (1 << 20) + 10]));
    v.push((
        "POST",
        "/reach?minutes=20".into(),
        json_ct,
        br#"{"from":"hub-zhengzhou-east"}"#.to_vec(),
    ));
    v.push(("POST", "/collections".into(), json_ct, b"{}".to_vec()));
    v.push((
        "DELETE",
        "/collections/commercial/items".into(),
        None,
        Vec::new(),
    ));
    v.push(("PUT", "/reach".into(), json_ct, b"{}".to_vec()));
    v.push(("PATCH", "/search?q=x".into(), None, Vec::new()));
    v
}

#[test]
fn every_bad_request_gets_a_json_4xx() {
    let srv = Server::start();
    let cases = bad_requests();
    let distinct: BTreeSet<(&str, &String)> = cases.iter().map(|(m, p, ..)| (*m, p)).collect();
    assert!(
        cases.len() >= 40 && distinct.len() >= 40,
        "{} cases",
        cases.len()
    );
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    for (method, path, ct, body) in &cases {
        let headers: Vec<(&str, &str)> = ct.iter().map(|c| ("Content-Type", *c)).collect();
        let r = request(&srv.addr, method, path, &headers, body);
        assert!(
            (400..500).contains(&r.status),
            "{method} {path}: status {} {}",
            r.status,
            r.text()
        );
        assert_eq!(r.content_type(), "application/json", "{method} {path}");
        let v = r.json();
        let code = v["code"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path}: no code"));
        let desc = v["description"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path}: no description"));
        assert!(!desc.is_empty());
        *codes.entry(code.to_string()).or_default() += 1;
    }
    for c in [
        "InvalidParameterValue",
        "NotFound",
        "PayloadTooLarge",
        "MethodNotAllowed",
        "UnsupportedMediaType",
    ] {
        assert!(codes.contains_key(c), "no case answered {c}: {codes:?}");
    }
    // Errors name the parameter; unknown places come with suggestions that resolve.
    let r = srv.get("/collections/commercial/items?limit=0").json();
    assert!(r["description"].as_str().unwrap().contains("limit"));
    let r = srv.get("/reach?from=Zhengzhou%20Dongzhan%20xx").json();
    assert_eq!(r["parameter"], "from");
    let sugg = r["suggestions"].as_array().expect("suggestions");
    assert!(!sugg.is_empty());
    for s in sugg {
        let q = enc(s.as_str().unwrap());
        let ok = srv.get(&format!("/reach?from={q}&minutes=5&polygons=false"));
        assert_eq!(ok.status, 200, "suggestion {s} resolves");
    }
    // The service still answers after all of that.
    assert_eq!(srv.get("/").status, 200);
}

fn in_process(req: &ReachRequest) -> Vec<(String, f64)> {
    reach::reach(city(), req)
        .expect("in-process reach")
        .reached
        .iter()
        .map(|r| (r.id.clone(), r.minutes))
        .collect()
}

fn over_http(v: &Value) -> Vec<(String, f64)> {
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["layer"] == "reached")
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["properties"]["minutes"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn reach_over_http_equals_the_engine() {
    let srv = Server::start();
    let req = ReachRequest {
        origins: vec![Origin::Place("小李庄站".into())],
        bands: vec![10.0, 20.0],
        scenario: "plan-2025".into(),
        ..ReachRequest::new(Origin::Place("小李庄站".into()), 20.0)
    };
    let want = in_process(&req);
    assert!(!want.is_empty());

    let get = srv.get(&format!(
        "/reach?from={}&bands=10,20&scenario=plan-2025",
        enc("小李庄站")
    ));
    assert_eq!(get.status, 200, "{}", get.text());
    assert_eq!(get.content_type(), "application/geo+json");
    let get = get.json();
    assert_eq!(over_http(&get), want);

    let body =
        json!({ "from": "小李庄站", "bands": [10, 20], "scenario": "plan-2025" }).to_string();
    let post = request(
        &srv.addr,
        "POST",
        "/reach",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    );
    assert_eq!(post.status, 200, "{}", post.text());
    assert_eq!(post.content_type(), "application/geo+json");
    assert_eq!(over_http(&post.json()), want);

    // 小李庄站, 20 min by transit on plan-2025: a band polygon and reached features.
    let v = srv.json(&format!(
        "/reach?from={}&minutes=20&scenario=plan-2025",
        enc("小李庄站")
    ));
    let bands: Vec<&Value> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["layer"] == "band")
        .collect();
    assert!(!bands.is_empty());
    assert_eq!(bands[0]["geometry"]["type"], "MultiPolygon");
    assert!(v["summary"]["reached"].as_u64().unwrap() > 0);
    assert_eq!(v["metadata"]["scenario"]["id"], "plan-2025");

    // Several origins: repeated, '|'-separated and in a JSON list give one union.
    let two = ReachRequest {
        origins: vec![
            Origin::Place("hub-zhengzhou-east".into()),
            Origin::LonLat([113.7, 34.63]),
        ],
        polygons: false,
        ..ReachRequest::new(Origin::LonLat([0.0, 0.0]), 15.0)
    };
    let want = in_process(&two);
    let a = srv.json("/reach?from=hub-zhengzhou-east&from=113.7,34.63&minutes=15&polygons=false");
    let b = srv.json(&format!(
        "/reach?from={}&minutes=15&polygons=false",
        enc("hub-zhengzhou-east|113.7,34.63")
    ));
    let body =
        json!({ "from": ["hub-zhengzhou-east", [113.7, 34.63]], "minutes": 15, "polygons": false })
            .to_string();
    let c = request(
        &srv.addr,
        "POST",
        "/reach",
        &[("Content-Type", "application/json; charset=utf-8")],
        body.as_bytes(),
    )
    .json();
    assert_eq!(over_http(&a), want);
    assert_eq!(over_http(&b), want);
    assert_eq!(over_http(&c), want);
    assert_eq!(a["metadata"]["origins"].as_array().unwrap().len(), 2);
    assert!(a["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["properties"]["layer"] != "band" || f["geometry"].is_null()));
}

#[test]
fn targets_scenarios_and_search() {
    let srv = Server::start();
    let t = srv.json("/targets?scenario=plan-2025");
    let list = t.as_array().expect("a list of target results");
    assert_eq!(list.len(), city().targets.len());
    for r in list {
        assert_eq!(r["scenario"], "plan-2025");
        assert!(r["verdict"].is_string());
    }
    let all = srv.json("/targets");
    assert_eq!(
        all.as_array().unwrap().len(),
        city().targets.len() * city().transit.scenarios.len()
    );

    let s = srv.json("/scenarios");
    let ids: Vec<&str> = s
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["id"].as_str())
        .collect();
    assert_eq!(ids, city().scenario_ids());
    let plan = s
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "plan-2025")
        .unwrap();
    assert!(plan["stops"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == "rail-xiaolizhuang"));
    let link = &plan["links"][0];
    for k in [
        "average_speed_kmh",
        "headway_min",
        "dwell_s",
        "reasoning",
        "track_km",
    ] {
        assert!(!link[k].is_null(), "link assumption {k}");
    }

    let r = srv.get(&format!("/search?q={}&limit=5", enc("郑州东")));
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type(), "application/json");
    let r = r.json();
    let hits = r["hits"].as_array().unwrap();
    assert!(!hits.is_empty() && hits.len() <= 5);
    for h in hits {
        for k in ["id", "name_zh", "kind", "lon", "lat"] {
            assert!(!h[k].is_null(), "hit field {k}: {h}");
        }
        assert!(h.get("name_en").is_some());
    }
    assert!(hits.iter().any(|h| h["id"] == "hub-zhengzhou-east"));
    let en = srv.json("/search?q=Erqi");
    assert!(!en["hits"].as_array().unwrap().is_empty());
    let stop = srv.json(&format!("/search?q={}", enc("紫荆山")));
    assert!(stop["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["kind"] == "metro_station"));
    let miss = srv.json("/search?q=qqqzzzxxx");
    assert!(miss["hits"].as_array().unwrap().is_empty());
    assert!(miss["suggestions"].is_array());
}

#[test]
fn router_serves_in_process_with_cors_and_gzip() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let city = std::sync::Arc::new(City::load(DataSource::Embedded).expect("embedded city"));
    let addr = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, cityreach::server::router(city)).await });
        addr.to_string()
    });
    let r = request(&addr, "GET", "/collections", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let pre = request(
        &addr,
        "OPTIONS",
        "/reach",
        &[
            ("Origin", "http://example.org"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
        b"",
    );
    assert!(pre.status < 300, "CORS preflight: {}", pre.status);
    let z = request(
        &addr,
        "GET",
        "/collections/metro_stations/items?limit=100",
        &[("Accept-Encoding", "gzip")],
        b"",
    );
    assert_eq!(z.status, 200);
    assert_eq!(z.header("content-encoding"), Some("gzip"));
    let head = request(&addr, "HEAD", "/conformance", &[], b"");
    assert_eq!(head.status, 200);
    drop(rt);
}

#[test]
fn a_burst_of_heavy_reach_queries_is_answered_and_the_service_stays_healthy() {
    let srv = Server::start();
    // 3-hour budgets with 1-minute bands: the heaviest queries the limits allow.
    let bands: Vec<String> = (1..=24).map(|i| (i * 7 + 12).to_string()).collect();
    let path = format!(
        "/reach?from=%E9%83%91%E5%B7%9E%E7%AB%99&bands={}&scenario=plan-2025",
        bands.join(",")
    );
    let answers: Vec<Resp> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..24)
            .map(|_| s.spawn(|| request(&srv.addr, "GET", &path, &[], b"")))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in &answers {
        // Either the answer, or the documented JSON 503 when the service is saturated.
        assert!(
            r.status == 200 || r.status == 503,
            "{} {}",
            r.status,
            r.text()
        );
        if r.status == 503 {
            assert_eq!(r.json()["code"], "ServiceUnavailable");
        }
    }
    assert!(answers.iter().any(|r| r.status == 200));
    assert_eq!(srv.get("/conformance").status, 200);
}
