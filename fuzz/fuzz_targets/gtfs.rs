//! GTFS feeds from bytes: the input is split into the feed's files at NUL bytes, written to a
//! temporary folder and loaded; a network that loads is searched from every stop.
#![no_main]

use cityreach::network::transit::TransitNetwork;
use cityreach::reach::search::{TransitGraph, TransitParams};
use cityreach::DataSource;
use libfuzzer_sys::fuzz_target;

const FILES: [&str; 8] = [
    "agency.txt",
    "stops.txt",
    "routes.txt",
    "trips.txt",
    "stop_times.txt",
    "calendar.txt",
    "frequencies.txt",
    "transfers.txt",
];

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("cityreach-fuzz-gtfs-{}", std::process::id()));
    let gtfs = dir.join("gtfs");
    let _ = std::fs::remove_dir_all(&dir);
    if std::fs::create_dir_all(&gtfs).is_err() {
        return;
    }
    for (name, part) in FILES.iter().zip(data.split(|&b| b == 0)) {
        if std::fs::write(gtfs.join(name), part).is_err() {
            return;
        }
    }
    if let Ok(net) = TransitNetwork::load(&DataSource::Folder(dir.clone())) {
        let params = TransitParams::default();
        let tg = TransitGraph::build(&net, 0, &params);
        for s in 0..tg.stop_count().min(20) as u32 {
            let labels = tg.search(&[(s, 0.0)], 3600.0, &params);
            let _ = labels.itinerary(&tg, 0);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
});
