//! The timetable search (RAPTOR on a service day's timetable) against times worked out by hand
//! on a small feed, and against an independent oracle written here: a plain connection scan
//! over trips expanded from the feeds by this file's own calendar and frequency code. The
//! oracle shares only the walking links and minimum change times with the search (inputs).
//! Porto Alegre's real feeds need `../shared/cities/porto-alegre/`; that test skips with a
//! message when they are absent.

use cityreach::dataset::DataSource;
use cityreach::network::gtfs::{self, Feed};
use cityreach::network::timetable::{
    add_days, weekday, Timetable, TimetableCache, TimetableError, TimetableParams, UNREACHED,
};
use cityreach::network::transit::TransitNetwork;
use cityreach::reach::raptor::{
    draw_phases, earliest_arrival, has_inexact_frequencies, range_travel_times,
    window_travel_times, JourneyLeg, Raptor, RaptorParams, WindowQuery,
};
use std::collections::HashMap;
use std::path::PathBuf;

const H: i32 = 3600;
const M: i32 = 60;

fn hm(h: i32, m: i32) -> i32 {
    h * H + m * M
}

/// A small feed on the equator, stops 0.01° (1.1 km) apart except G, 11 m from F.
fn hand_feed() -> TransitNetwork {
    let mut files: HashMap<String, Vec<u8>> = HashMap::new();
    let mut put = |name: &str, text: &str| {
        files.insert(name.to_string(), text.as_bytes().to_vec());
    };
    put(
        "stops.txt",
        "stop_id,stop_name,stop_lat,stop_lon\n\
         A,A,0,0.00\nB,B,0,0.01\nC,C,0,0.02\nD,D,0,0.03\nE,E,0,0.04\n\
         F,F,0,0.05\nG,G,0,0.0501\nH,H,0,0.06\n",
    );
    put(
        "routes.txt",
        "route_id,route_short_name,route_type\n\
         R1,1,3\nR2,2,3\nR3,3,3\nRX,X,3\nRN,N,3\nRF1,F1,3\nRF0,F0,3\n",
    );
    put(
        "trips.txt",
        "route_id,service_id,trip_id\n\
         R1,WK,t1\nR2,WK,t2\nR2,WK,t3\nR3,SAT,t4\nRX,X,t5\nRN,DAILY,t6\n\
         RF1,WK,tf1\nRF0,WK,tf0\n",
    );
    put(
        "stop_times.txt",
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n\
         t1,08:00:00,08:00:00,A,1\nt1,,,B,2\nt1,08:20:00,08:20:00,C,3\n\
         t2,08:25:00,08:25:00,C,1\nt2,08:40:00,08:40:00,D,2\n\
         t3,08:35:00,08:35:00,C,1\nt3,08:50:00,08:50:00,D,2\n\
         t4,08:00:00,08:00:00,A,1\nt4,08:05:00,08:05:00,D,2\n\
         t5,09:00:00,09:00:00,D,1\nt5,09:10:00,09:10:00,E,2\n\
         t6,23:50:00,23:50:00,E,1\nt6,24:30:00,24:30:00,F,2\nt6,25:10:00,25:10:00,H,3\n\
         tf1,00:00:00,00:00:00,A,1\ntf1,00:30:00,00:30:00,H,2\n\
         tf0,00:00:00,00:00:00,B,1\ntf0,00:20:00,00:20:00,E,2\n",
    );
    put(
        "calendar.txt",
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n\
         WK,1,1,1,1,1,0,0,20190401,20190630\n\
         SAT,0,0,0,0,0,1,0,20190401,20190630\n\
         DAILY,1,1,1,1,1,1,1,20190401,20190630\n",
    );
    put(
        "calendar_dates.txt",
        "service_id,date,exception_type\nWK,20190514,2\nX,20190513,1\nDAILY,20190519,2\n",
    );
    put(
        "frequencies.txt",
        "trip_id,start_time,end_time,headway_secs,exact_times\n\
         tf1,06:00:00,07:00:00,900,1\ntf0,10:00:00,11:00:00,1200,0\n",
    );
    put(
        "transfers.txt",
        "from_stop_id,to_stop_id,transfer_type,min_transfer_time\nC,C,2,600\nC,G,2,120\n",
    );
    let feed = gtfs::load_memory("hand", "hand", files, None).expect("hand-made feed");
    TransitNetwork::from_feeds(vec![feed])
}

fn stop(net: &TransitNetwork, id: &str) -> u32 {
    net.stop_by_id(id).unwrap_or_else(|| panic!("no stop {id}"))
}

/// Earliest arrivals at the named stops from one stop at one time.
fn arrivals(
    net: &TransitNetwork,
    date: u32,
    from: &str,
    at: i32,
    rides: usize,
    params: &TimetableParams,
) -> HashMap<&'static str, i32> {
    let tt = Timetable::build(net, date, params).unwrap();
    let out = earliest_arrival(
        &tt,
        &[(stop(net, from), at)],
        &RaptorParams { max_rides: rides },
    );
    ["A", "B", "C", "D", "E", "F", "G", "H"]
        .into_iter()
        .map(|id| (id, out[stop(net, id) as usize]))
        .collect()
}

const MONDAY: u32 = 20190513;

#[test]
fn a_weekday_morning_with_interpolation_change_times_and_a_transfer_rule() {
    let net = hand_feed();
    let p = TimetableParams::default();
    let a = arrivals(&net, MONDAY, "A", hm(8, 0), 8, &p);
    // B is halfway between A (08:00) and C (08:20): interpolated to 08:10.
    assert_eq!(a["B"], hm(8, 10));
    assert_eq!(a["C"], hm(8, 20));
    // C's minimum change time of 10 minutes misses the 08:25 to D; the 08:35 arrives 08:50.
    assert_eq!(a["D"], hm(8, 50));
    // transfers.txt C → G, 2 minutes, although the stops are 3 km apart.
    assert_eq!(a["G"], hm(8, 22));
    // X runs on 13 May only, by calendar_dates.
    assert_eq!(a["E"], hm(9, 10));
    // Then the night bus at 23:50 from E: F at 24:30, H at 25:10.
    assert_eq!(a["F"], hm(24, 30));
    assert_eq!(a["H"], hm(25, 10));

    // The number of rides: C in one, D in two, E in three.
    let one = arrivals(&net, MONDAY, "A", hm(8, 0), 1, &p);
    assert_eq!(
        (one["C"], one["G"], one["D"]),
        (hm(8, 20), hm(8, 22), UNREACHED)
    );
    let two = arrivals(&net, MONDAY, "A", hm(8, 0), 2, &p);
    // Two rides reach E too, but later: B at 08:10, then the 10:00 frequency trip.
    assert_eq!((two["D"], two["E"]), (hm(8, 50), hm(10, 20)));
    assert_eq!(two["H"], UNREACHED);
}

#[test]
fn calendars_and_their_exceptions_decide_which_trips_run() {
    let net = hand_feed();
    let p = TimetableParams::default();
    // Tuesday 14 May: the weekday service is removed that day.
    // The first trip from A is Wednesday's, 24 hours later on Tuesday's clock.
    let tue = arrivals(&net, 20190514, "A", hm(8, 0), 8, &p);
    assert_eq!((tue["B"], tue["C"]), (hm(32, 10), hm(32, 20)));
    // Saturday 18 May: only the Saturday trip A 08:00 → D 08:05.
    let sat = arrivals(&net, 20190518, "A", hm(8, 0), 8, &p);
    assert_eq!(
        (sat["D"], sat["C"], sat["E"]),
        (hm(8, 5), UNREACHED, UNREACHED)
    );
    // Outside the calendar: an error naming the feed's range.
    let err = Timetable::build(&net, 20190701, &p).unwrap_err();
    assert_eq!(
        err,
        TimetableError::OutsideCalendar {
            date: 20190701,
            first: 20190401,
            last: 20190630
        }
    );
    assert!(
        err.to_string().contains("2019-04-01 to 2019-06-30"),
        "{err}"
    );
}

#[test]
fn trips_past_midnight_run_on_the_next_morning_and_the_next_day_follows_late_evenings() {
    let net = hand_feed();
    let p = TimetableParams::default();
    // Monday 00:10 at F: Sunday's night bus (24:30 at F, 25:10 at H) is Monday 00:30 → 01:10.
    let mon = arrivals(&net, MONDAY, "F", hm(0, 10), 8, &p);
    assert_eq!(mon["H"], hm(1, 10));
    // Sunday 19 May's night bus is cancelled: on Monday 20 May the first is that evening's.
    let mon20 = arrivals(&net, 20190520, "F", hm(0, 10), 8, &p);
    assert_eq!(mon20["H"], hm(25, 10));
    // Monday 23:40 at E: the 23:50 night bus, F at 24:30 and G 11 m away on foot (71 s:
    // 11.1 m × 1.3 at 4.8 km/h plus a minute).
    let late = arrivals(&net, MONDAY, "E", hm(23, 40), 8, &p);
    assert_eq!((late["F"], late["G"]), (hm(24, 30), hm(24, 30) + 71));
    // Friday 23:00 at A: Saturday's 08:00 trip, on Friday's clock 32:05 at D.
    let fri = arrivals(&net, 20190517, "A", hm(23, 0), 8, &p);
    assert_eq!(fri["D"], hm(32, 5));
}

#[test]
fn frequencies_are_expanded_exact_ones_from_their_start_others_after_a_phase() {
    let net = hand_feed();
    let mut p = TimetableParams::default();
    // tf1, exact: 06:00, 06:15, 06:30, 06:45 (07:00 is the end, not a departure), 30 min to H.
    let f = |at: i32, p: &TimetableParams| arrivals(&net, MONDAY, "A", at, 1, p)["H"];
    assert_eq!(f(hm(6, 16), &p), hm(7, 0));
    assert_eq!(f(hm(6, 45), &p), hm(7, 15));
    assert_eq!(f(hm(6, 46), &p), UNREACHED);
    // tf0, not exact: 10:00, 10:20, 10:40 at phase 0; 10:05, 10:25, 10:45 at phase 300 s.
    let e = |p: &TimetableParams| arrivals(&net, MONDAY, "B", hm(10, 1), 1, p)["E"];
    assert_eq!(e(&p), hm(10, 40));
    p.phases.insert((0, 1), 300);
    assert_eq!(e(&p), hm(10, 25));
}

// ---------------------------------------------------------------------------------------------
// The oracle: connections expanded from the feeds, scanned in departure order.

struct Connection {
    dep: i32,
    arr: i32,
    from: u32,
    to: u32,
    trip: usize,
}

fn runs_on(feed: &Feed, service: &str, date: u32) -> bool {
    let mut on = feed.calendar.iter().any(|c| {
        c.service_id == service
            && c.start_date <= date
            && date <= c.end_date
            && c.days[weekday(date)]
    });
    for cd in &feed.calendar_dates {
        if cd.service_id == service && cd.date == date {
            on = cd.added;
        }
    }
    on
}

/// Every connection of the trips running on `date`, the day before and the day after (those
/// leaving before noon, as documented), on `date`'s clock; frequency-based trips expanded from
/// their start time.
fn connections(net: &TransitNetwork, date: u32) -> Vec<Connection> {
    let mut out = Vec::new();
    let mut trip_no = 0;
    for feed in &net.feeds {
        for day in [-1i64, 0, 1] {
            let d = add_days(date, day);
            for (ti, trip) in feed.trips.iter().enumerate() {
                if !runs_on(feed, &trip.service_id, d) {
                    continue;
                }
                let first = trip.stop_times[0].departure_s as i32;
                let mut starts: Vec<i32> = Vec::new();
                let entries: Vec<_> = feed
                    .frequencies
                    .iter()
                    .filter(|f| f.trip as usize == ti)
                    .collect();
                if entries.is_empty() {
                    starts.push(first);
                }
                for f in entries {
                    let mut t = f.start_s;
                    while f.headway_s > 0 && t < f.end_s {
                        starts.push(t as i32);
                        t += f.headway_s;
                    }
                }
                for start in starts {
                    let shift = start - first + day as i32 * 86_400;
                    if first + shift >= 36 * H {
                        continue;
                    }
                    for w in trip.stop_times.windows(2) {
                        let id = |s: u32| net.stop_by_id(&feed.stops[s as usize].id).unwrap();
                        out.push(Connection {
                            dep: w[0].departure_s as i32 + shift,
                            arr: w[1].arrival_s as i32 + shift,
                            from: id(w[0].stop),
                            to: id(w[1].stop),
                            trip: trip_no,
                        });
                    }
                    trip_no += 1;
                }
            }
        }
    }
    out.sort_by_key(|c| (c.dep, c.arr));
    out
}

/// Earliest arrivals with at most `rides` vehicles. Layer k: on board with at most k rides;
/// `ready[k]`: able to board having used at most k rides.
fn oracle(
    tt: &Timetable,
    conns: &[Connection],
    trips: usize,
    access: &[(u32, i32)],
    rides: usize,
) -> Vec<i32> {
    let n = tt.stop_count();
    let mut arrival = vec![UNREACHED; n];
    let mut ready = vec![vec![UNREACHED; n]; rides + 1];
    let mut alighted = vec![vec![UNREACHED; n]; rides + 1];
    let mut on = vec![vec![false; trips]; rides + 1];
    for &(s, t) in access {
        arrival[s as usize] = arrival[s as usize].min(t);
        for r in ready.iter_mut() {
            r[s as usize] = r[s as usize].min(t);
        }
    }
    for c in conns {
        let mut can_board = UNREACHED;
        for k in 1..=rides {
            can_board = can_board.min(ready[k - 1][c.from as usize]);
            if !on[k][c.trip] && can_board > c.dep {
                continue;
            }
            on[k][c.trip] = true;
            let to = c.to as usize;
            if c.arr >= alighted[k][to] {
                continue;
            }
            alighted[k][to] = c.arr;
            arrival[to] = arrival[to].min(c.arr);
            for r in ready.iter_mut().skip(k) {
                r[to] = r[to].min(c.arr + tt.min_change_s(to));
            }
            for &(u, w) in tt.footpaths(to) {
                let u = u as usize;
                arrival[u] = arrival[u].min(c.arr + w);
                for r in ready.iter_mut().skip(k) {
                    r[u] = r[u].min(c.arr + w);
                }
            }
        }
    }
    arrival
}

/// Compares the search with the oracle from each origin at each time; returns the number of
/// (origin, stop) pairs reached, all of which agree.
fn compare(net: &TransitNetwork, date: u32, origins: &[u32], times: &[i32], rides: usize) -> usize {
    let tt = Timetable::build(net, date, &TimetableParams::default()).unwrap();
    let conns = connections(net, date);
    let trips = conns.iter().map(|c| c.trip + 1).max().unwrap_or(0);
    let params = RaptorParams { max_rides: rides };
    let mut raptor = Raptor::new(&tt, &params);
    let mut got = Vec::new();
    let mut reached = 0;
    for &o in origins {
        for &t in times {
            raptor.reset();
            raptor.run(&[(o, t)], &mut got);
            let want = oracle(&tt, &conns, trips, &[(o, t)], rides);
            for s in 0..tt.stop_count() {
                assert_eq!(
                    got[s], want[s],
                    "from stop {} at {t} with {rides} rides, stop {}",
                    net.stops[o as usize].id, net.stops[s].id
                );
                if want[s] != UNREACHED && s != o as usize {
                    reached += 1;
                }
            }
        }
    }
    reached
}

#[test]
fn the_oracle_agrees_on_the_hand_made_feed() {
    let net = hand_feed();
    let origins: Vec<u32> = (0..net.stops.len() as u32).collect();
    let times = [
        0,
        hm(0, 10),
        hm(6, 14),
        hm(7, 59),
        hm(8, 0),
        hm(10, 1),
        hm(23, 45),
    ];
    let mut reached = 0;
    for date in [MONDAY, 20190514, 20190517, 20190518, 20190520] {
        for rides in 1..=4 {
            reached += compare(&net, date, &origins, &times, rides);
        }
    }
    assert!(reached > 200, "{reached}");
}

/// A later departure never arrives earlier; more rides never arrive later.
fn check_invariants(tt: &Timetable, origins: &[u32], times: &[i32]) {
    for &o in origins {
        let mut before: Option<Vec<i32>> = None;
        for &t in times {
            let runs: Vec<Vec<i32>> = [1, 2, 4, 8]
                .iter()
                .map(|&r| earliest_arrival(tt, &[(o, t)], &RaptorParams { max_rides: r }))
                .collect();
            for pair in runs.windows(2) {
                for (s, (more, fewer)) in pair[1].iter().zip(&pair[0]).enumerate() {
                    assert!(more <= fewer, "more rides arrive later at {s}");
                }
            }
            let now = runs.last().unwrap().clone();
            if let Some(prev) = &before {
                for (s, (later, earlier)) in now.iter().zip(prev).enumerate() {
                    assert!(later >= earlier, "a later departure arrives earlier at {s}");
                }
            }
            before = Some(now);
        }
    }
}

#[test]
fn invariants_hold_on_the_hand_made_feed() {
    let net = hand_feed();
    let tt = Timetable::build(&net, MONDAY, &TimetableParams::default()).unwrap();
    let origins: Vec<u32> = (0..net.stops.len() as u32).collect();
    let times: Vec<i32> = (0..48).map(|i| i * 30 * M).collect();
    check_invariants(&tt, &origins, &times);
}

fn porto_alegre() -> Option<TransitNetwork> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/cities/porto-alegre");
    let feeds = ["poa_eptc.zip", "poa_trensurb.zip"];
    if !feeds.iter().all(|f| dir.join(f).exists()) {
        eprintln!("skipped: {} is absent", dir.display());
        return None;
    }
    // One folder per call: the tests that load the feeds run in parallel in one process.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let data = std::env::temp_dir().join(format!("cityreach-raptor-{}-{call}", std::process::id()));
    std::fs::create_dir_all(data.join("gtfs")).unwrap();
    for f in feeds {
        std::fs::copy(dir.join(f), data.join("gtfs").join(f)).unwrap();
    }
    let net = cityreach::scenario::load_network(&DataSource::Folder(data.clone()));
    let _ = std::fs::remove_dir_all(&data);
    Some(net.expect("Porto Alegre feeds"))
}

#[test]
fn the_oracle_agrees_on_porto_alegre_on_monday_13_may_2019_at_14_00() {
    let Some(net) = porto_alegre() else { return };
    let tt = Timetable::build(&net, MONDAY, &TimetableParams::default()).unwrap();
    // Origins spread over both feeds' stops (ids sorted: EPTC first, TRENSURB last).
    let served: Vec<u32> = (0..tt.stop_count() as u32)
        .filter(|&s| !tt.patterns_at(s as usize).is_empty())
        .collect();
    let mut origins: Vec<u32> = served.iter().step_by(served.len() / 10).copied().collect();
    origins.extend(served.iter().rev().take(2));
    let reached = compare(&net, MONDAY, &origins, &[hm(14, 0)], 8);
    eprintln!(
        "{} origins, {reached} stop pairs reached and agreeing",
        origins.len()
    );
    assert!(reached >= 1000, "only {reached} stop pairs reached");
    let few = compare(&net, MONDAY, &origins[..4], &[hm(14, 0)], 2);
    eprintln!("two rides: {few} stop pairs reached and agreeing");
    assert!(few >= 300, "only {few} stop pairs reached in two rides");
    check_invariants(
        &tt,
        &origins[..3],
        &[hm(13, 50), hm(14, 0), hm(14, 7), hm(16, 30)],
    );
}

// ---------------------------------------------------------------------------------------------
// Departure windows.

/// Range-RAPTOR (labels reused from later minutes) gives what a fresh search gives each minute.
fn check_range_equals_fresh_searches(
    tt: &Timetable,
    access: &[(u32, i32)],
    depart: i32,
    minutes: u32,
    rides: usize,
) -> usize {
    let params = RaptorParams { max_rides: rides };
    let range = range_travel_times(tt, access, depart, minutes, &params);
    let mut reached = 0;
    for (m, row) in range.iter().enumerate() {
        let start = depart + 60 * m as i32;
        let at: Vec<(u32, i32)> = access.iter().map(|&(s, w)| (s, start + w)).collect();
        let fresh = earliest_arrival(tt, &at, &params);
        for (s, (&got, &arrival)) in row.iter().zip(&fresh).enumerate() {
            let want = if arrival == UNREACHED {
                UNREACHED
            } else {
                arrival - start
            };
            assert_eq!(got, want, "minute {m}, stop {s}");
            reached += usize::from(want != UNREACHED);
        }
    }
    reached
}

#[test]
fn a_window_reuses_labels_and_gives_exact_percentiles() {
    let net = hand_feed();
    let tt = Timetable::build(&net, MONDAY, &TimetableParams::default()).unwrap();
    let a = stop(&net, "A");
    let h = stop(&net, "H") as usize;
    let all: Vec<u32> = (0..net.stops.len() as u32).collect();
    for &o in &all {
        for depart in [hm(5, 50), hm(7, 30), hm(23, 30)] {
            for rides in [1, 3, 8] {
                check_range_equals_fresh_searches(&tt, &[(o, 0)], depart, 45, rides);
            }
        }
    }
    // Two access stops, one 5 minutes away.
    check_range_equals_fresh_searches(&tt, &[(a, 0), (stop(&net, "B"), 300)], hm(6, 0), 90, 8);

    // From A, one ride, departures 06:00 … 06:59: tf1 leaves 06:00, 06:15, 06:30, 06:45 and
    // takes 30 minutes. Minute m waits to the next departure: 30 min at m = 0, 15, 30, 45,
    // 31 … 44 min three times each, none after 06:45 (14 minutes). Sorted, the 30th of 60 is
    // 39 min; the 3rd is 30 min; the 57th is unreached.
    let q = WindowQuery {
        depart: hm(6, 0),
        minutes: 60,
        percentiles: vec![5, 50, 95],
        draws: 10,
        seed: 1,
    };
    let one = RaptorParams { max_rides: 1 };
    let p = TimetableParams::default();
    let w = window_travel_times(&net, &tt, &p, &[(a, 0)], &q, &one).unwrap();
    assert_eq!(
        w.samples, 600,
        "the feed has a frequency-based entry: 10 draws × 60 minutes"
    );
    assert_eq!(w.draws, 10);
    let [p5, p50, p95] = [0, 1, 2].map(|i| w.seconds[i][h]);
    assert_eq!((p5, p50, p95), (30 * M, 39 * M, UNREACHED));

    // Percentiles are ordered at every stop; a wider window never raises the shortest time.
    let q = WindowQuery {
        percentiles: vec![0, 5, 25, 50, 75, 95, 100],
        ..q
    };
    let mut shortest_before: Option<Vec<i32>> = None;
    for minutes in [1, 10, 30, 60, 120] {
        let w = window_travel_times(
            &net,
            &tt,
            &p,
            &[(a, 0)],
            &WindowQuery {
                minutes,
                ..q.clone()
            },
            &RaptorParams::default(),
        )
        .unwrap();
        for s in 0..tt.stop_count() {
            for pair in w.seconds.windows(2) {
                assert!(pair[0][s] <= pair[1][s], "percentiles out of order at {s}");
            }
        }
        if let Some(before) = &shortest_before {
            for (now, was) in w.seconds[0].iter().zip(before) {
                assert!(now <= was, "a wider window raised the shortest time");
            }
        }
        shortest_before = Some(w.seconds[0].clone());
    }
}

#[test]
fn frequency_based_service_is_drawn_reproducibly_from_a_fixed_seed() {
    let net = hand_feed();
    let (b, e) = (stop(&net, "B"), stop(&net, "E") as usize);
    let q = WindowQuery {
        depart: hm(10, 1),
        minutes: 1,
        percentiles: vec![0, 50, 100],
        draws: 40,
        seed: 42,
    };
    let one = RaptorParams { max_rides: 1 };
    let p = TimetableParams::default();
    let tt = Timetable::build(&net, MONDAY, &p).unwrap();
    let run = |q: &WindowQuery| window_travel_times(&net, &tt, &p, &[(b, 0)], q, &one).unwrap();
    let w = run(&q);
    assert_eq!(w, run(&q), "the same seed gives the same answer");
    // Each draw: tf0 leaves B at 10:00 + phase + k × 20 min before 11:00 and takes 20 minutes.
    let mut expected: Vec<i32> = (0..q.draws)
        .map(|d| {
            let phase = draw_phases(&net, q.seed, d)[&(0, 1)] as i32;
            assert!((0..1200).contains(&phase));
            let next = (0..3)
                .map(|k| hm(10, 0) + phase + k * 1200)
                .find(|&t| t >= hm(10, 1))
                .expect("a departure before 11:00");
            next + 20 * M - hm(10, 1)
        })
        .collect();
    expected.sort();
    assert!(expected[0] < expected[expected.len() - 1], "phases differ");
    assert_eq!(w.seconds[0][e], expected[0]);
    assert_eq!(w.seconds[1][e], expected[19]);
    assert_eq!(w.seconds[2][e], expected[39]);
    assert!(w.seconds[0][e] >= 20 * M && w.seconds[2][e] <= 40 * M);
    let other = run(&WindowQuery { seed: 43, ..q });
    assert_ne!(w.seconds, other.seconds, "another seed draws other phases");
}

#[test]
fn porto_alegre_windows_reuse_labels_exactly() {
    let Some(net) = porto_alegre() else { return };
    let tt = Timetable::build(&net, MONDAY, &TimetableParams::default()).unwrap();
    let served: Vec<u32> = (0..tt.stop_count() as u32)
        .filter(|&s| !tt.patterns_at(s as usize).is_empty())
        .collect();
    let mut reached = 0;
    for &o in served.iter().step_by(served.len() / 3) {
        let next = served[(o as usize + 1) % served.len()];
        reached += check_range_equals_fresh_searches(&tt, &[(o, 0), (next, 240)], hm(14, 0), 60, 8);
    }
    eprintln!("{reached} (minute, stop) travel times agree");
    assert!(reached > 10_000, "{reached}");
    assert!(!has_inexact_frequencies(&net), "both feeds are timetabled");
}

// ---------------------------------------------------------------------------------------------
// Journeys with clock times.

/// The ride on `leg`'s trip from `from` to `to`, leaving and arriving at these times.
fn ride(leg: &JourneyLeg, from: u32, to: u32, dep: i32, arr: i32) -> JourneyLeg {
    let JourneyLeg::Ride {
        trip,
        board_pos,
        alight_pos,
        ..
    } = *leg
    else {
        panic!("not a ride: {leg:?}");
    };
    JourneyLeg::Ride {
        trip,
        board_pos,
        alight_pos,
        from,
        to,
        depart_s: dep,
        arrive_s: arr,
    }
}

/// A journey is a chain of real legs: each ride leaves on its trip's timetable no earlier than
/// the traveller is ready (off the previous vehicle plus the stop's change time, or on foot),
/// each walk is a walking link, and the last leg arrives at the stop's earliest arrival.
fn check_journey(
    tt: &Timetable,
    access: &[(u32, i32)],
    stop: u32,
    arrival: i32,
    legs: &[JourneyLeg],
    rides: usize,
) {
    if legs.is_empty() {
        assert!(
            access.contains(&(stop, arrival)),
            "no legs, yet not an access stop"
        );
        return;
    }
    let mut ready: Option<(u32, i32)> = None;
    let mut count = 0;
    let mut end = None;
    for leg in legs {
        match *leg {
            JourneyLeg::Ride {
                trip,
                board_pos,
                alight_pos,
                from,
                to,
                depart_s,
                arrive_s,
            } => {
                count += 1;
                let (at, t) = ready.unwrap_or_else(|| {
                    *access
                        .iter()
                        .find(|a| a.0 == from)
                        .expect("first ride from an access stop")
                });
                assert_eq!(at, from, "a ride starts where the traveller is");
                assert!(t <= depart_s, "boarded before being ready");
                let p = (0..tt.pattern_count())
                    .find(|&p| tt.pattern_trips(p).contains(&trip))
                    .unwrap();
                let stops = tt.pattern_stops(p);
                let times = tt.trip_times(trip);
                let (i, j) = (board_pos as usize, alight_pos as usize);
                assert!(i < j && stops[i] == from && stops[j] == to);
                assert!(times[i][1] == depart_s && times[j][0] == arrive_s);
                ready = Some((to, arrive_s + tt.min_change_s(to as usize)));
                end = Some(arrive_s);
            }
            JourneyLeg::Walk {
                from,
                to,
                depart_s,
                arrive_s,
            } => {
                let w = tt
                    .footpaths(from as usize)
                    .iter()
                    .find(|f| f.0 == to)
                    .expect("a walking link")
                    .1;
                assert_eq!(arrive_s - depart_s, w);
                assert_eq!(end, Some(depart_s), "walks start off a vehicle");
                ready = Some((to, arrive_s));
                end = Some(arrive_s);
            }
        }
    }
    assert!(count <= rides);
    assert_eq!(end, Some(arrival), "journey to {stop}");
}

#[test]
fn journeys_show_each_ride_with_its_clock_times() {
    let net = hand_feed();
    let tt = Timetable::build(&net, MONDAY, &TimetableParams::default()).unwrap();
    let id = |s: &str| stop(&net, s);
    let params = RaptorParams::default();
    let mut raptor = Raptor::new(&tt, &params);
    let mut out = Vec::new();
    let access = [(id("A"), hm(8, 0))];
    raptor.run(&access, &mut out);
    let legs_to = |s: &str| raptor.journey(&access, id(s)).unwrap();
    // 08:00 board at A → 08:20 alight at C → 08:35 board at C → 08:50 alight at D.
    let d = legs_to("D");
    assert_eq!(d.len(), 2);
    assert_eq!(d[0], ride(&d[0], id("A"), id("C"), hm(8, 0), hm(8, 20)));
    assert_eq!(d[1], ride(&d[1], id("C"), id("D"), hm(8, 35), hm(8, 50)));
    // G: off at C at 08:20, then the 2-minute transfer.
    let g = legs_to("G");
    assert_eq!(
        g[1],
        JourneyLeg::Walk {
            from: id("C"),
            to: id("G"),
            depart_s: hm(8, 20),
            arrive_s: hm(8, 22)
        }
    );
    assert_eq!(legs_to("A"), []);
    for s in 0..tt.stop_count() as u32 {
        if out[s as usize] != UNREACHED {
            check_journey(
                &tt,
                &access,
                s,
                out[s as usize],
                &raptor.journey(&access, s).unwrap(),
                8,
            );
        }
    }
    // The night bus: 23:50 at E → 24:30 at F, then 71 s on foot to G.
    raptor.reset();
    let access = [(id("E"), hm(23, 40))];
    raptor.run(&access, &mut out);
    let g = raptor.journey(&access, id("G")).unwrap();
    assert_eq!(g.len(), 2);
    assert!(
        matches!(g[0], JourneyLeg::Ride { depart_s, arrive_s, .. } if depart_s == hm(23, 50) && arrive_s == hm(24, 30))
    );
    assert_eq!(
        g[1],
        JourneyLeg::Walk {
            from: id("F"),
            to: id("G"),
            depart_s: hm(24, 30),
            arrive_s: hm(24, 30) + 71
        }
    );
    assert_eq!(raptor.journey(&access, id("A")), None);
}

#[test]
fn porto_alegre_journeys_are_chains_of_real_legs() {
    let Some(net) = porto_alegre() else { return };
    let tt = Timetable::build(&net, MONDAY, &TimetableParams::default()).unwrap();
    let served: Vec<u32> = (0..tt.stop_count() as u32)
        .filter(|&s| !tt.patterns_at(s as usize).is_empty())
        .collect();
    let mut checked = 0;
    for rides in [2, 8] {
        let params = RaptorParams { max_rides: rides };
        let mut raptor = Raptor::new(&tt, &params);
        let mut out = Vec::new();
        for &o in served.iter().step_by(served.len() / 4) {
            raptor.reset();
            let access = [(o, hm(14, 0))];
            raptor.run(&access, &mut out);
            for s in 0..tt.stop_count() as u32 {
                if out[s as usize] != UNREACHED {
                    let legs = raptor
                        .journey(&access, s)
                        .expect("a journey to a reached stop");
                    check_journey(&tt, &access, s, out[s as usize], &legs, rides);
                    checked += 1;
                }
            }
        }
    }
    eprintln!("{checked} journeys checked");
    assert!(checked > 5000, "{checked}");
}

#[test]
fn the_oracle_agrees_on_zhengzhou_frequency_based_metro_and_draws_are_reproducible() {
    let net = cityreach::scenario::load_network(&DataSource::Embedded).unwrap();
    let date = 20260512;
    let tt = Timetable::build(&net, date, &TimetableParams::default()).unwrap();
    let served: Vec<u32> = (0..tt.stop_count() as u32)
        .filter(|&s| !tt.patterns_at(s as usize).is_empty())
        .collect();
    let origins: Vec<u32> = served.iter().step_by(served.len() / 8).copied().collect();
    // Phase 0: the oracle expands the same frequencies from their start times.
    let reached = compare(&net, date, &origins, &[hm(8, 0), hm(22, 50)], 8);
    assert!(reached > 1000, "{reached}");

    let q = WindowQuery {
        depart: hm(8, 0),
        minutes: 30,
        percentiles: vec![5, 50, 95],
        draws: 8,
        seed: 2026,
    };
    let p = TimetableParams::default();
    let access = [(origins[0], 0)];
    let w = window_travel_times(&net, &tt, &p, &access, &q, &RaptorParams::default()).unwrap();
    assert_eq!((w.draws, w.samples), (8, 240));
    assert_eq!(
        w,
        window_travel_times(&net, &tt, &p, &access, &q, &RaptorParams::default()).unwrap()
    );
    let mut spread = 0;
    for s in 0..tt.stop_count() {
        assert!(w.seconds[0][s] <= w.seconds[1][s] && w.seconds[1][s] <= w.seconds[2][s]);
        if w.seconds[2][s] != UNREACHED && w.seconds[2][s] > w.seconds[0][s] {
            spread += 1;
        }
    }
    assert!(
        spread > 10,
        "drawn phases give a spread of travel times ({spread} stops)"
    );
}

#[test]
fn compiled_days_are_shared_and_the_cache_keeps_the_last_few() {
    let net = cityreach::scenario::load_network(&DataSource::Embedded).unwrap();
    let cache = TimetableCache::default();
    let day = 20260512;
    let first = cache.day(&net, 0, day).unwrap();
    assert!(std::sync::Arc::ptr_eq(
        &first,
        &cache.day(&net, 0, day).unwrap()
    ));
    // Another scenario on the same day is a timetable of its own (plan-2025 adds lines).
    let plan = cache.day(&net, 1, day).unwrap();
    assert!(!std::sync::Arc::ptr_eq(&first, &plan));
    assert!(plan.pattern_count() > first.pattern_count());
    // What the cache hands out is the day's timetable: the same arrivals as a fresh compile.
    let fresh = Timetable::build(&net, day, &TimetableParams::default()).unwrap();
    let served = (0..fresh.stop_count() as u32)
        .find(|&s| !fresh.patterns_at(s as usize).is_empty())
        .unwrap();
    let access = [(served, hm(8, 0))];
    let params = RaptorParams::default();
    let arrivals = earliest_arrival(&first, &access, &params);
    assert!(arrivals.iter().filter(|&&t| t != UNREACHED).count() > 1);
    assert_eq!(arrivals, earliest_arrival(&fresh, &access, &params));
    // As many other days push it out; a day outside the calendar is an error, not cached.
    for d in 1..=TimetableCache::DAYS as u32 {
        cache.day(&net, 0, day + d).unwrap();
    }
    assert!(!std::sync::Arc::ptr_eq(
        &first,
        &cache.day(&net, 0, day).unwrap()
    ));
    assert!(matches!(
        cache.day(&net, 0, 20300101),
        Err(TimetableError::OutsideCalendar { .. })
    ));
}
