//! Feature GeoJSON text through the catalog loader; what loads is searched and indexed.
#![no_main]

use cityreach::Catalog;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(c) = Catalog::from_geojson_str(text, "fuzz.geojson") {
        for f in c.features() {
            let _ = c.search(&f.name_en, 5);
            let _ = c.resolve(&f.id);
            let _ = c.nearest(f.anchor, 3);
            let _ = f.to_geojson_value();
        }
    }
    let _ = cityreach::catalog::districts::districts_from_geojson_str(
        text,
        "fuzz.geojson",
        &cityreach::catalog::CityBounds::default(),
    );
});
