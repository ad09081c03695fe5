//! CQL2-text filters against every published collection, evaluated on every feature.
#![no_main]

use cityreach::server::cql2;
use cityreach::server::layers::Layers;
use cityreach::{City, DataSource};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn layers() -> &'static Layers {
    static L: OnceLock<Layers> = OnceLock::new();
    L.get_or_init(|| {
        let city = City::load(DataSource::Embedded).expect("embedded city");
        Layers::build(&city)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for layer in &layers().layers {
        if let Ok(expr) = cql2::parse(text, layer) {
            for f in &layer.features {
                let _ = expr.eval(&f.props);
            }
        }
    }
});
