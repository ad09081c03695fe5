//! The GTFS loader on small hand-written feeds: what real feeds do that it must tolerate, blank
//! stop times interpolated to exact values, several feeds kept apart, and errors that name the
//! feed, file, line and field.

use cityreach::dataset::DataSource;
use cityreach::network::gtfs::{self, GtfsError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

mod support;
use support::cityreach;

struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "cityreach-gtfs-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Stops on the equator at longitudes 0, 0.01, 0.03 and 0.04: the legs between them are 1, 2 and
/// 1 units long, so distance shares along the line are exact quarters.
const STOPS: &str = "stop_id,stop_name,stop_lat,stop_lon\n\
A,Alpha,0,0\n\
B,Bravo,0,0.01\n\
C,Charlie,0,0.03\n\
D,Delta,0,0.04\n";
const ROUTES: &str =
    "route_id,route_short_name,route_long_name,route_type,route_color,route_text_color\n\
R1,1,One,3,FF0000,0\n";
const TRIPS: &str = "route_id,service_id,trip_id\nR1,wk,T1\n";
/// Times only at the ends, as EPTC gives them.
const STOP_TIMES: &str = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n\
T1,08:00:00,08:00:00,A,1\n\
T1,,,B,2\n\
T1,,,C,3\n\
T1,08:10:00,08:10:00,D,4\n";
const CALENDAR: &str =
    "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n\
wk,1,1,1,1,1,0,0,20190415,20190715\n";

fn base() -> Vec<(&'static str, String)> {
    vec![
        ("stops.txt", STOPS.to_string()),
        ("routes.txt", ROUTES.to_string()),
        ("trips.txt", TRIPS.to_string()),
        ("stop_times.txt", STOP_TIMES.to_string()),
        ("calendar.txt", CALENDAR.to_string()),
    ]
}

fn with(
    files: &[(&'static str, String)],
    name: &'static str,
    text: &str,
) -> Vec<(&'static str, String)> {
    let mut out: Vec<_> = files.iter().filter(|f| f.0 != name).cloned().collect();
    out.push((name, text.to_string()));
    out
}

fn write_feed(dir: &Path, files: &[(&str, String)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn write_zip(path: &Path, folder_inside: &str, files: &[(&str, String)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in files {
        zip.start_file(format!("{folder_inside}{name}"), opts)
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

/// The single feed of a `gtfs/` folder holding these files.
fn load(files: &[(&str, String)]) -> Result<gtfs::Feed, GtfsError> {
    let dir = Scratch::new("load");
    write_feed(&dir.0, files);
    gtfs::load_folder(&dir.0).map(|mut v| v.remove(0))
}

fn clock(h: u32, m: u32, s: u32) -> u32 {
    h * 3600 + m * 60 + s
}

#[test]
fn blank_intermediate_times_are_interpolated_by_distance_along_the_stops() {
    let feed = load(&base()).unwrap();
    let t = &feed.trips[0];
    let times: Vec<(u32, u32, bool)> = t
        .stop_times
        .iter()
        .map(|st| (st.arrival_s, st.departure_s, st.interpolated))
        .collect();
    // 600 s over legs of 1, 2, 1: a quarter and three quarters of the way.
    assert_eq!(
        times,
        vec![
            (clock(8, 0, 0), clock(8, 0, 0), false),
            (clock(8, 2, 30), clock(8, 2, 30), true),
            (clock(8, 7, 30), clock(8, 7, 30), true),
            (clock(8, 10, 0), clock(8, 10, 0), false),
        ]
    );
}

#[test]
fn interpolation_runs_from_a_departure_to_the_next_arrival_and_evenly_between_coincident_stops() {
    // Dwell at A (08:00 → 08:02), then 8 minutes to D: B at 08:02 + 480 × ¼.
    let dwell = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n\
        T1,08:00:00,08:02:00,A,1\nT1,,,B,2\nT1,08:06:00,08:06:00,C,3\nT1,,,D,4\nT1,08:10:00,,A,5\n";
    let feed = load(&with(&base(), "stop_times.txt", dwell)).unwrap();
    let arr: Vec<u32> = feed.trips[0]
        .stop_times
        .iter()
        .map(|s| s.arrival_s)
        .collect();
    // A→B→C is 1 + 2: B gets a third of 08:02 → 08:06 (80 s); C→D→A is 1 + 4: D a fifth of 240 s.
    assert_eq!(
        arr,
        vec![
            clock(8, 0, 0),
            clock(8, 3, 20),
            clock(8, 6, 0),
            clock(8, 6, 48),
            clock(8, 10, 0)
        ]
    );
    assert_eq!(feed.trips[0].stop_times[4].departure_s, clock(8, 10, 0));

    // Three stops at one spot: no distance to share, so the gap is split evenly.
    let same = "stop_id,stop_name,stop_lat,stop_lon\nA,a,0,0\nB,b,0,0\nC,c,0,0\nD,d,0,0.04\n";
    let three = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n\
        T1,08:00:00,08:00:00,A,1\nT1,,,B,2\nT1,08:01:00,08:01:00,C,3\n";
    let feed = load(&with(
        &with(&base(), "stops.txt", same),
        "stop_times.txt",
        three,
    ))
    .unwrap();
    assert_eq!(feed.trips[0].stop_times[1].arrival_s, clock(8, 0, 30));
}

#[test]
fn the_search_pattern_uses_the_interpolated_run_times() {
    let dir = Scratch::new("pattern");
    write_feed(&dir.0.join("gtfs"), &base());
    let net = cityreach::scenario::load_network(&DataSource::Folder(dir.0.clone())).unwrap();
    assert_eq!(net.patterns.len(), 1);
    assert_eq!(net.patterns[0].arrive_s, vec![0.0, 150.0, 450.0, 600.0]);
    // One timetabled trip in the 17-hour daytime window.
    assert_eq!(net.patterns[0].headway_s, 17.0 * 3600.0);
    assert_eq!(net.feeds.len(), 1);
    assert_eq!(net.feeds[0].trips[0].service_id, "wk");
    assert_eq!(
        net.feeds[0].calendar[0].days,
        [true, true, true, true, true, false, false]
    );
    assert_eq!(net.feeds[0].calendar[0].start_date, 20190415);
}

#[test]
fn what_real_feeds_do_is_tolerated() {
    let crlf = |s: &str| s.replace('\n', "\r\n");
    let files = vec![
        // A byte-order mark, CRLF and an unknown column.
        (
            "stops.txt",
            format!(
                "\u{feff}{}",
                crlf(
                    "stop_id,stop_name,stop_lat,stop_lon,platform_code\n\
                     A,Alpha,0,0,1\nB,Bravo,0,0.01,\nC,Charlie,0,0.03,2\nD,Delta,0,0.04,\n"
                )
            ),
        ),
        // Spaces around header names and values, colours that are not colours, no final newline.
        (
            "routes.txt",
            " route_id , route_short_name,route_type , route_color,route_text_color\n\
             R1 ,1, 3 ,0,0\nR2,2,3,FFF,zzzzzz\nR3,3,2,00aa00,FFFFFF"
                .to_string(),
        ),
        // A short row (no direction_id value at all), a blank line and a row of empty fields.
        (
            "trips.txt",
            "route_id,service_id,trip_id,direction_id\nR1,wk,T1\n\n,,,\nR3,wk,T3,1\n".to_string(),
        ),
        (
            "stop_times.txt",
            crlf(
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence,shape_dist_traveled\n\
                 T1,08:00:00,08:00:00,A,1,\nT1,,,B,2,\nT1,,,C,3,\nT1,08:10:00,08:10:00,D,4,\n\
                 T3,24:50:00,24:51:00,D,10,\nT3,25:10:00,,A,20,\n",
            ),
        ),
        ("shapes.txt", "shape_id,shape_pt_lat\nx,1\n".to_string()),
        ("fare_rules.txt", "nonsense\n".to_string()),
        (
            "agency.txt",
            crlf(" agency_id, agency_name,agency_url,agency_timezone\nA,Ag,https://a.invalid,UTC"),
        ),
    ];
    let feed = load(&files).unwrap();
    let ids: Vec<&str> = feed.stops.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["A", "B", "C", "D"]);
    assert_eq!(feed.stops[3].lonlat, Some([0.04, 0.0]));
    let colours: Vec<Option<&str>> = feed.routes.iter().map(|r| r.color.as_deref()).collect();
    assert_eq!(colours, [None, None, Some("#00AA00")]);
    assert_eq!(feed.routes[0].id, "R1");
    assert_eq!(feed.routes[0].route_type, 3);
    assert_eq!(feed.trips[0].direction_id, None);
    assert_eq!(feed.trips[1].direction_id, Some(1));
    assert_eq!(feed.trips[0].stop_times[1].arrival_s, clock(8, 2, 30));
    // Past midnight of the service day; a blank departure takes the arrival.
    let t3: Vec<(u32, u32)> = feed.trips[1]
        .stop_times
        .iter()
        .map(|s| (s.arrival_s, s.departure_s))
        .collect();
    assert_eq!(
        t3,
        [
            (clock(24, 50, 0), clock(24, 51, 0)),
            (clock(25, 10, 0), clock(25, 10, 0))
        ]
    );
}

#[test]
fn several_feeds_load_together_with_ids_kept_apart() {
    let dir = Scratch::new("multi");
    let gtfs_dir = dir.0.join("gtfs");
    std::fs::create_dir_all(&gtfs_dir).unwrap();
    // The same ids in three feeds: a zip, a zip with a folder inside, and a sub-folder.
    write_zip(&gtfs_dir.join("bus.zip"), "", &base());
    write_zip(&gtfs_dir.join("rail.ZIP"), "rail-2019/", &base());
    write_feed(&gtfs_dir.join("tram"), &base());
    // Left over from unzipping on a Mac: not a feed.
    std::fs::create_dir_all(gtfs_dir.join("__MACOSX")).unwrap();
    let net = cityreach::scenario::load_network(&DataSource::Folder(dir.0.clone())).unwrap();
    let names: Vec<&str> = net.feeds.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["bus", "rail", "tram"]);
    assert_eq!(net.stops.len(), 12);
    assert_eq!(net.routes.len(), 3);
    assert_eq!(net.patterns.len(), 3);
    for feed in ["bus", "rail", "tram"] {
        for stop in ["A", "B", "C", "D"] {
            assert!(
                net.stop_by_id(&format!("{feed}:{stop}")).is_some(),
                "{feed}:{stop}"
            );
        }
        assert!(net.routes.iter().any(|r| r.id == format!("{feed}:R1")));
    }
    assert_eq!(net.stop_by_id("A"), None);
    assert_eq!(net.feeds[1].trips[0].id, "rail:T1");
    assert_eq!(net.feeds[1].trips[0].service_id, "rail:wk");
    assert_eq!(net.feeds[1].calendar[0].service_id, "rail:wk");
    // Each pattern stays on its own feed's stops.
    for p in &net.patterns {
        let route = &net.routes[p.route].id;
        let feed = route.split(':').next().unwrap();
        for &s in &p.stops {
            assert!(net.stops[s as usize].id.starts_with(&format!("{feed}:")));
        }
    }

    // One feed in a sub-folder keeps its ids as they are.
    let one = Scratch::new("one");
    write_feed(&one.0.join("gtfs").join("only"), &base());
    let net = cityreach::scenario::load_network(&DataSource::Folder(one.0.clone())).unwrap();
    assert!(net.stop_by_id("A").is_some());
}

#[test]
fn frequencies_and_transfers_are_kept_and_used() {
    let freq = "trip_id,start_time,end_time,headway_secs,exact_times\nT1,06:00:00,22:00:00,600,0\n";
    let transfers = "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n\
        A,D,2,90\nB,C,3,\nD,A,0,\n";
    let files = with(
        &with(&base(), "frequencies.txt", freq),
        "transfers.txt",
        transfers,
    );
    let dir = Scratch::new("freq");
    write_feed(&dir.0.join("gtfs"), &files);
    let net = cityreach::scenario::load_network(&DataSource::Folder(dir.0.clone())).unwrap();
    let f = &net.feeds[0].frequencies[0];
    assert_eq!(
        (f.start_s, f.end_s, f.headway_s, f.exact_times),
        (6 * 3600, 22 * 3600, 600, false)
    );
    assert_eq!(net.patterns[0].headway_s, 600.0);
    assert_eq!(net.feeds[0].transfers.len(), 3);
    // Type 3 (no transfer possible) is no walking link; a blank time is walked.
    let links: Vec<(String, String, f32)> = net
        .transfers
        .iter()
        .map(|t| {
            (
                net.stops[t.from as usize].id.clone(),
                net.stops[t.to as usize].id.clone(),
                t.secs,
            )
        })
        .collect();
    let walk = cityreach::network::transit::walking_transfer_secs([0.04, 0.0], [0.0, 0.0]);
    assert_eq!(
        links,
        [
            ("A".into(), "D".into(), 90.0),
            ("D".into(), "A".into(), walk)
        ]
    );
}

#[test]
fn unusable_feeds_are_refused_naming_feed_file_line_and_field() {
    let b = base();
    let cases: Vec<(Files, &str, &str)> = vec![
        (
            with(&b, "routes.txt", "route_id,route_type\nR0,3\nR1,bus\n"),
            "routes.txt line 3, field route_type",
            "'bus'",
        ),
        // Lines are counted as an editor shows them: CRLF, blank lines and all.
        (
            with(
                &b,
                "routes.txt",
                "\u{feff}route_id,route_type\r\n\r\nR0,3\r\nR1,bus",
            ),
            "routes.txt line 4, field route_type",
            "'bus'",
        ),
        (
            with(&b, "trips.txt", "route_id,service_id,trip_id\nR9,wk,T1\n"),
            "trips.txt line 2, field route_id",
            "'R9' is not in routes.txt",
        ),
        (
            with(&b, "stop_times.txt", &STOP_TIMES.replace(",C,3", ",X,3")),
            "stop_times.txt line 4, field stop_id",
            "'X' is not in stops.txt",
        ),
        (
            with(
                &b,
                "stop_times.txt",
                &STOP_TIMES.replace("T1,08:10:00,08:10:00,D", "T1,,,D"),
            ),
            "stop_times.txt line 5, field arrival_time",
            "last stop of trip 'T1' has no time",
        ),
        (
            with(
                &b,
                "stop_times.txt",
                &STOP_TIMES.replace("08:10:00,08:10:00", "99999999:00:00,"),
            ),
            "stop_times.txt line 5, field arrival_time",
            "out of range",
        ),
        (
            with(
                &b,
                "stop_times.txt",
                &STOP_TIMES.replace("08:10:00,08:10:00", "07:10:00,07:10:00"),
            ),
            "stop_times.txt line 5, field arrival_time",
            "07:10:00 is before the departure 08:00:00",
        ),
        (
            with(&b, "stop_times.txt", &STOP_TIMES.replace(",B,2", ",B,1")),
            "stop_times.txt line 3, field stop_sequence",
            "repeats",
        ),
        (
            with(
                &b,
                "stops.txt",
                &STOPS.replace("C,Charlie,0,0.03", "C,Charlie,95,0.03"),
            ),
            "stops.txt line 4, field stop_lat",
            "not a valid lon/lat",
        ),
        (
            with(&b, "stops.txt", &format!("{STOPS}A,again,1,1\n")),
            "stops.txt line 6, field stop_id",
            "'A' repeats line 2",
        ),
        (
            with(&b, "trips.txt", "route_id,trip_id\nR1,T1\n"),
            "trips.txt line 1, field service_id",
            "required column is missing",
        ),
        (
            with(
                &b,
                "frequencies.txt",
                "trip_id,start_time,end_time,headway_secs\nT1,99999999:00:00,00:00:00,600\n",
            ),
            "frequencies.txt line 2, field start_time",
            "out of range",
        ),
        (
            with(
                &b,
                "calendar.txt",
                &CALENDAR.replace("20190715", "2019-07-15"),
            ),
            "calendar.txt line 2, field end_date",
            "not a YYYYMMDD date",
        ),
        (
            b.iter().filter(|f| f.0 != "trips.txt").cloned().collect(),
            "trips.txt",
            "required file is missing",
        ),
    ];
    for (files, place, what) in cases {
        let dir = Scratch::new("bad");
        write_feed(&dir.0, &files);
        let msg = gtfs::load_folder(&dir.0).unwrap_err().to_string();
        let feed = dir.0.display().to_string();
        assert!(
            msg.starts_with(&format!("GTFS feed {feed}: {place}")),
            "{msg}"
        );
        assert!(msg.contains(what), "{msg}");
    }
    // In a multi-feed folder, the message names the zip.
    let dir = Scratch::new("badzip");
    write_zip(&dir.0.join("good.zip"), "", &b);
    write_zip(
        &dir.0.join("bad.zip"),
        "",
        &with(&b, "routes.txt", "route_id,route_type\nR1,\n"),
    );
    let msg = gtfs::load_folder(&dir.0).unwrap_err().to_string();
    let zip = dir.0.join("bad.zip").display().to_string();
    assert!(
        msg.starts_with(&format!(
            "GTFS feed {zip}: routes.txt line 2, field route_type: is blank"
        )),
        "{msg}"
    );
    let dir = Scratch::new("brokenzip");
    std::fs::write(dir.0.join("broken.zip"), b"PK not really").unwrap();
    let msg = gtfs::load_folder(&dir.0).unwrap_err().to_string();
    assert!(msg.contains("broken.zip: not a readable zip file"), "{msg}");
    let empty = Scratch::new("empty");
    let msg = gtfs::load_folder(&empty.0).unwrap_err().to_string();
    assert!(msg.contains("no feed"), "{msg}");
}

/// A feed's files, name → text.
type Files = Vec<(&'static str, String)>;

const NO_FEATURES: &str = r#"{"type":"FeatureCollection","features":[]}"#;

/// EPTC's routes.txt has `route_text_color` 0; a strict reader refused the whole file, naming
/// nothing, and check-data never read the feed.
#[test]
fn route_text_color_zero_loads_and_check_data_reads_the_feed() {
    let dir = Scratch::new("cli");
    std::fs::write(dir.0.join("features.geojson"), NO_FEATURES).unwrap();
    let eptc_routes = "route_id,agency_id,route_short_name,route_long_name,route_desc,route_type,route_url,route_color,route_text_color\n\
        R1,EPTC,2441,SANTA TERESA,\"\",3,\"\",FF0000,0\n";
    write_feed(
        &dir.0.join("gtfs"),
        &with(&base(), "routes.txt", eptc_routes),
    );
    let data = dir.0.display().to_string();
    let (code, out, err) = cityreach(&["check-data", "--data", &data]);
    assert_eq!(code, 0, "{err}");
    let row = out
        .lines()
        .find(|l| l.starts_with(&format!("{data}/gtfs ")))
        .unwrap_or_else(|| panic!("{out}"));
    let counts: Vec<&str> = row.split_whitespace().skip(1).collect();
    // stops, routes, trips, stop_times, interpolated
    assert_eq!(counts, ["4", "1", "1", "4", "2"], "{out}");
    assert!(out.ends_with("data OK\n"), "{out}");

    let (code, out, err) = cityreach(&[
        "reach",
        "--data",
        &data,
        "--from",
        "0.0,0.0",
        "--minutes",
        "30",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"mode\": \"transit\""), "{out}");

    // A broken feed: check-data fails and names the place.
    write_feed(
        &dir.0.join("gtfs"),
        &[("stop_times.txt", STOP_TIMES.replace(",C,3", ",C,x"))],
    );
    let (code, out, err) = cityreach(&["check-data", "--data", &data]);
    assert_ne!(code, 0, "{out}");
    assert!(
        err.contains(
            "stop_times.txt line 4, field stop_sequence: 'x' is not a non-negative integer"
        ),
        "{err}"
    );
    let (code, _, err) = cityreach(&["reach", "--data", &data, "--from", "0.0,0.0"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("stop_times.txt line 4, field stop_sequence"),
        "{err}"
    );
}

/// The real EPTC feed, when the shared data is there.
#[test]
fn the_real_eptc_feed_loads_with_its_published_counts() {
    let zip = Path::new("../shared/cities/porto-alegre/poa_eptc.zip");
    if !zip.exists() {
        eprintln!("skipped: {} is absent", zip.display());
        return;
    }
    let dir = Scratch::new("eptc");
    std::fs::copy(zip, dir.0.join("poa_eptc.zip")).unwrap();
    let feeds = gtfs::load_folder(&dir.0).unwrap();
    let f = &feeds[0];
    let stop_times: usize = f.trips.iter().map(|t| t.stop_times.len()).sum();
    // The counts the feed's README states.
    assert_eq!(
        (f.stops.len(), f.routes.len(), f.trips.len(), stop_times),
        (3986, 115, 2374, 130019)
    );
    // Every route_text_color is 0 and every route_color FF0000 or similar: colours survive.
    assert!(f.routes.iter().all(|r| r.color.is_some()));
    // Only the ends of each trip are timed, so each trip has times running forward.
    for t in &f.trips {
        assert!(!t.stop_times[0].interpolated && !t.stop_times.last().unwrap().interpolated);
        for w in t.stop_times.windows(2) {
            assert!(w[0].departure_s <= w[1].arrival_s, "{}", t.id);
        }
    }
}

/// Metro lines with a published end-to-end run time run it in the feed the city loads, to
/// within 30 s (each segment is rounded to the second). Line 3: 省体育中心 → 省骨科医院 in 48 min
/// (Railway Gazette, opening of 2020-12-26). Line 5 is a ring whose loop takes 72 min (Zhengzhou
/// government, 2019-05); the feed's trip is the loop opened at 五一公园, so it takes the share of
/// 72 min that its stops' distances are of the loop's, the closing hop measured here.
#[test]
fn calibrated_metro_lines_take_their_published_run_times() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata/zhengzhou/gtfs");
    let feed = gtfs::load_folder(&dir).unwrap().remove(0);
    let trip = |id: &str| feed.trips.iter().find(|t| t.id == id).unwrap();
    let name = |st: &gtfs::StopTime| feed.stops[st.stop as usize].name.as_str();
    let between = |id: &str, a: &str, b: &str| {
        let t = trip(id);
        let at = |n: &str| t.stop_times.iter().find(|s| name(s) == n).unwrap();
        (i64::from(at(b).arrival_s) - i64::from(at(a).departure_s)).abs()
    };
    for id in ["metro-3-0", "metro-3-1"] {
        let s = between(id, "省体育中心", "省骨科医院");
        assert!((s - 48 * 60).abs() <= 30, "{id}: {s} s");
    }
    let pos = |st: &gtfs::StopTime| feed.stops[st.stop as usize].lonlat.unwrap();
    let hav = |a: [f64; 2], b: [f64; 2]| {
        let (la1, la2) = (a[1].to_radians(), b[1].to_radians());
        let h = ((la2 - la1) / 2.0).sin().powi(2)
            + la1.cos() * la2.cos() * ((b[0] - a[0]).to_radians() / 2.0).sin().powi(2);
        2.0 * 6_371_008.8 * h.sqrt().asin()
    };
    for id in ["metro-5-0", "metro-5-1"] {
        let t = trip(id);
        let st = &t.stop_times;
        assert_eq!(st.len(), 32);
        let open: f64 = st.windows(2).map(|w| hav(pos(&w[0]), pos(&w[1]))).sum();
        let closing = hav(pos(&st[31]), pos(&st[0]));
        let expect = 72.0 * 60.0 * open / (open + closing);
        let s = f64::from(st[31].arrival_s - st[0].departure_s);
        assert!(
            (s - expect).abs() <= 30.0,
            "{id}: {s} s, expected {expect:.0} s"
        );
        // The loop is a little longer than the open trip: the closing hop is one station apart.
        assert!(expect > 68.0 * 60.0 && expect < 71.0 * 60.0, "{expect}");
    }
}

/// No all-stops run time is published for line 2 or the 城郊线, but the news of the 城郊线
/// opening (2017-01-12) gives the non-stop airport express that ran over both: 紫荆山 to
/// 新郑机场 in about 50 min. The feed's all-stops trains over the same track must be slower
/// than that, and by no more than 90 s for each stop the express passes (dwell, braking and
/// acceleration, an assumption); the change at 南四环 is not counted, as the express ran through.
#[test]
fn line_2_and_the_chengjiao_line_are_slower_than_the_published_airport_express() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata/zhengzhou/gtfs");
    let feed = gtfs::load_folder(&dir).unwrap().remove(0);
    let name = |st: &gtfs::StopTime| feed.stops[st.stop as usize].name.as_str();
    // (seconds between two stops of a trip, stops strictly between them)
    let leg = |id: &str, a: &str, b: &str| {
        let t = feed.trips.iter().find(|t| t.id == id).unwrap();
        let i = t.stop_times.iter().position(|s| name(s) == a).unwrap();
        let j = t.stop_times.iter().position(|s| name(s) == b).unwrap();
        assert!(i < j, "{id}: {a} before {b}");
        let secs = t.stop_times[j].arrival_s - t.stop_times[i].departure_s;
        (secs, j - i - 1)
    };
    let (s2, skipped2) = leg("metro-2-0", "紫荆山", "南四环(郑州航空港站)");
    let (s9, skipped9) = leg("metro-chengjiao-0", "南四环(贾河)", "新郑机场");
    let secs = f64::from(s2 + s9);
    // The express also passes 南四环 itself.
    let passed = (skipped2 + skipped9 + 1) as f64;
    assert!(secs > 50.0 * 60.0, "{secs} s");
    assert!(
        secs <= 50.0 * 60.0 + 90.0 * passed,
        "{secs} s for {passed} stops passed"
    );
}
