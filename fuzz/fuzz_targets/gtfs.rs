//! GTFS feeds from bytes: the input is split into the feed's files at NUL bytes and loaded in
//! memory; a feed that loads is compiled into a network and searched from every stop.
#![no_main]

use cityreach::network::gtfs;
use cityreach::network::transit::TransitNetwork;
use cityreach::reach::search::{TransitGraph, TransitParams};
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

const FILES: [&str; 9] = [
    "agency.txt",
    "stops.txt",
    "routes.txt",
    "trips.txt",
    "stop_times.txt",
    "calendar.txt",
    "frequencies.txt",
    "transfers.txt",
    "calendar_dates.txt",
];

fuzz_target!(|data: &[u8]| {
    let files: HashMap<String, Vec<u8>> = FILES
        .iter()
        .zip(data.split(|&b| b == 0))
        .map(|(name, part)| (name.to_string(), part.to_vec()))
        .collect();
    if let Ok(feed) = gtfs::load_memory("fuzz", "fuzz", files, None) {
        // Every stop time the loader accepts is timed and runs forward.
        for t in &feed.trips {
            for w in t.stop_times.windows(2) {
                assert!(w[0].departure_s <= w[1].arrival_s);
            }
        }
        let net = TransitNetwork::from_feeds(vec![feed]);
        let params = TransitParams::default();
        let tg = TransitGraph::build(&net, 0, &params);
        for s in 0..tg.stop_count().min(20) as u32 {
            let labels = tg.search(&[(s, 0.0)], 3600.0, &params);
            let _ = labels.itinerary(&tg, 0);
        }
    }
});
