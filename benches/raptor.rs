//! Timetable search on Porto Alegre's two real feeds (EPTC buses and TRENSURB rail, 4,010
//! stops), Monday 2019-05-13: one departure at 14:00, and a 60-minute window from 14:00 with
//! the 5th, 50th and 95th percentiles, from 50 stops spread over both feeds. In process, from a
//! stop (no street access, no polygons). Prints p50 / p99 over every origin × repetitions.
//! Needs `../shared/cities/porto-alegre/`; says so and stops when it is absent.

use cityreach::dataset::DataSource;
use cityreach::network::timetable::{Timetable, TimetableParams};
use cityreach::reach::raptor::{earliest_arrival, window_travel_times, RaptorParams, WindowQuery};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn p50_p99(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.5).as_secs_f64() * 1e3, at(0.99).as_secs_f64() * 1e3)
}

fn main() {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/cities/porto-alegre");
    let feeds = ["poa_eptc.zip", "poa_trensurb.zip"];
    if !feeds.iter().all(|f| shared.join(f).exists()) {
        println!("skipped: {} is absent", shared.display());
        return;
    }
    let data = std::env::temp_dir().join(format!("cityreach-bench-raptor-{}", std::process::id()));
    std::fs::create_dir_all(data.join("gtfs")).unwrap();
    for f in feeds {
        std::fs::copy(shared.join(f), data.join("gtfs").join(f)).unwrap();
    }
    let net = cityreach::scenario::load_network(&DataSource::Folder(data.clone())).unwrap();
    let _ = std::fs::remove_dir_all(&data);

    let tt_params = TimetableParams::default();
    let t = Instant::now();
    let tt = Timetable::build(&net, 20190513, &tt_params).unwrap();
    println!(
        "timetable of 2019-05-13: {} stops, {} patterns, {} trips, built in {:.1} ms",
        tt.stop_count(),
        tt.pattern_count(),
        tt.trip_count(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let served: Vec<u32> = (0..tt.stop_count() as u32)
        .filter(|&s| !tt.patterns_at(s as usize).is_empty())
        .collect();
    let origins: Vec<u32> = served
        .iter()
        .step_by(served.len() / 50)
        .take(50)
        .copied()
        .collect();
    let params = RaptorParams::default();
    let depart = 14 * 3600;

    let mut one = Vec::new();
    for _ in 0..20 {
        for &o in &origins {
            let t = Instant::now();
            black_box(earliest_arrival(&tt, &[(o, depart)], &params));
            one.push(t.elapsed());
        }
    }
    let n = one.len();
    let (p50, p99) = p50_p99(one);
    println!("one departure 14:00, 8 rides: p50 {p50:.3} ms, p99 {p99:.3} ms ({n} searches)");

    let query = WindowQuery {
        depart,
        minutes: 60,
        percentiles: vec![5, 50, 95],
        draws: 1,
        seed: 1,
    };
    let mut window = Vec::new();
    for _ in 0..3 {
        for &o in &origins {
            let t = Instant::now();
            black_box(
                window_travel_times(&net, &tt, &tt_params, &[(o, 0)], &query, &params).unwrap(),
            );
            window.push(t.elapsed());
        }
    }
    let n = window.len();
    let (p50, p99) = p50_p99(window);
    println!(
        "60-minute window from 14:00, percentiles 5/50/95: p50 {p50:.3} ms, p99 {p99:.3} ms ({n} searches)"
    );
}
