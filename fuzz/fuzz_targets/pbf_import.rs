//! OSM PBF bytes through the importer (written to a temporary file, as the importer reads a
//! path); graphs it builds must survive their own file format.
#![no_main]

use cityreach::network::streets::osm::{build_graphs, Graph};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("cityreach-fuzz-{}.osm.pbf", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    if let Ok((graphs, _)) = build_graphs(&path, &indicatif::ProgressBar::hidden()) {
        for g in graphs {
            assert_eq!(Graph::from_bytes(&g.to_bytes()).as_ref(), Ok(&g));
        }
    }
    let _ = std::fs::remove_file(&path);
});
