//! Scenario and plan-target TOML; a parsed scenario is added to the Zhengzhou network.
#![no_main]

use cityreach::network::scenario::Scenario;
use cityreach::network::transit::TransitNetwork;
use cityreach::reach::targets::Target;
use cityreach::DataSource;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn network() -> &'static TransitNetwork {
    static N: OnceLock<TransitNetwork> = OnceLock::new();
    N.get_or_init(|| cityreach::scenario::load_network(&DataSource::Embedded).expect("embedded network"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(s) = Scenario::parse(text, "fuzz.toml") {
        let mut net = network().clone();
        let _ = cityreach::scenario::add_named(&mut net, s);
    }
    let _ = Target::parse_all(text, "fuzz.toml");
});
