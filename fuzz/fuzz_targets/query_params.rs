//! A query string through the service's parameter helpers and the reach parameter parsers.
#![no_main]

use cityreach::reach::{self, BandForm, Mode, Origin};
use cityreach::server::params::{self, Params};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let q = String::from_utf8_lossy(data);
    if let Ok(p) = Params::parse(Some(&q)) {
        let _ = p.limit(100, 10_000);
        let _ = p.offset();
        let _ = p.bbox();
        let _ = p.number("minutes");
        let _ = p.boolean("polygons");
        for v in p.all("from") {
            for part in v.split('|') {
                let _ = Origin::parse(part);
            }
        }
        if let Ok(Some(b)) = p.one("bands") {
            let _ = reach::parse_bands(b);
        }
        if let Ok(Some(m)) = p.one("mode") {
            let _ = m.parse::<Mode>();
        }
        if let Ok(Some(f)) = p.one("band_form") {
            let _ = f.parse::<BandForm>();
        }
    }
    let _ = params::parse_bbox(&q);
    let _ = Origin::parse(&q);
    let _ = reach::parse_bands(&q);
});
