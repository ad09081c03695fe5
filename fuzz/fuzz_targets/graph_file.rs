//! Street graph files: arbitrary bytes (with the checksum made right half of the time, so the
//! fuzzer gets past it) are refused or give a graph that snaps and routes.
#![no_main]

use cityreach::network::streets::osm::{checksum, Graph, OsmStreets};
use cityreach::network::streets::{Seed, StreetModel};
use cityreach::raster::TimeGrid;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut bytes = data.to_vec();
    if bytes.len() >= 16 && bytes[bytes.len() - 1] & 1 == 1 {
        let n = bytes.len();
        let sum = checksum(&bytes[..n - 8]);
        bytes[n - 8..].copy_from_slice(&sum.to_le_bytes());
    }
    let Ok(g) = Graph::from_bytes(&bytes) else {
        return;
    };
    let mode = g.mode;
    let points: Vec<[f64; 2]> = (0..g.num_nodes().min(8) as u32)
        .map(|v| g.node_lonlat(v))
        .collect();
    let streets = OsmStreets::from_graphs(vec![g]);
    for p in &points {
        let _ = streets.snap(mode, *p);
        if let Ok(field) = streets.spread(
            mode,
            &[Seed {
                lonlat: *p,
                secs: 0.0,
            }],
            900.0,
        ) {
            let _ = field.time_at(*p);
            if let Some(e) = field.extent() {
                let mut grid = TimeGrid::covering(e, 200.0);
                field.fill_grid(&mut grid);
            }
        }
    }
});
