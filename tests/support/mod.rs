//! Shared by the integration tests that talk to the real binary over HTTP.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Every collection the service offers, in the order `/collections` lists them.
#[allow(dead_code)] // read by some of the test files that share this module
pub const COLLECTIONS: [&str; 11] = [
    "commercial",
    "cultural",
    "transport_hub",
    "free_trade_zone",
    "districts",
    "population",
    "national",
    "metro_stations",
    "rail_stations",
    "transit_lines",
    "planned_additions",
];

/// A running `cityreach serve` on an ephemeral loopback port, killed when dropped.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`, as the server printed it.
    pub addr: String,
    /// The start-up line the server printed on stdout.
    #[allow(dead_code)] // read by some of the test files that share this module
    pub line: String,
}

impl Server {
    pub fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cityreach"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env("RUST_LOG", "off")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start cityreach serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("start-up line");
        let addr = line
            .split("at http://")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        Server { child, addr, line }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
