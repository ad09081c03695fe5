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
#[allow(dead_code)] // used by some of the test files that share this module
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`, as the server printed it.
    pub addr: String,
    /// The start-up line the server printed on stdout.
    #[allow(dead_code)] // read by some of the test files that share this module
    pub line: String,
}

#[allow(dead_code)] // used by some of the test files that share this module
impl Server {
    pub fn start() -> Server {
        Server::start_with(&[])
    }

    /// `serve` with further arguments (`--data DIR`, `--streets DIR`).
    pub fn start_with(extra: &[&std::ffi::OsStr]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cityreach"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
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

/// `GET path` on a fresh connection; the body parsed as JSON (the service sends a length, not
/// chunks, for the small answers the tests ask this way).
#[allow(dead_code)] // used by some of the test files that share this module
pub fn get_json(addr: &str, path: &str) -> serde_json::Value {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("HTTP head");
    assert!(head.starts_with("HTTP/1.1 200"), "{path}: {head}");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {body}"))
}

/// Collection id → `numberMatched` of its items, for every collection `/collections` lists.
#[allow(dead_code)] // used by some of the test files that share this module
pub fn number_matched(addr: &str) -> std::collections::BTreeMap<String, u64> {
    let cols = get_json(addr, "/collections");
    cols["collections"]
        .as_array()
        .expect("collections")
        .iter()
        .map(|c| {
            let id = c["id"].as_str().expect("id").to_string();
            let page = get_json(addr, &format!("/collections/{id}/items?limit=1"));
            let n = page["numberMatched"].as_u64().expect("numberMatched");
            (id, n)
        })
        .collect()
}

/// Runs the `cityreach` binary: exit code, stdout, stderr.
#[allow(dead_code)] // used by some of the test files that share this module
pub fn cityreach(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cityreach"))
        .args(args)
        .output()
        .expect("run cityreach");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The embedded city's router in this process, with a runtime to drive it: for tests that send
/// many requests without starting the binary.
#[allow(dead_code)] // read by some of the test files that share this module
pub fn in_process() -> &'static (tokio::runtime::Runtime, axum::Router) {
    static APP: std::sync::OnceLock<(tokio::runtime::Runtime, axum::Router)> =
        std::sync::OnceLock::new();
    APP.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let city = cityreach::City::load(cityreach::DataSource::Embedded).expect("embedded city");
        (rt, cityreach::server::router(std::sync::Arc::new(city)))
    })
}
