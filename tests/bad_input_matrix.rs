//! Hostile and malformed requests over raw TCP against the real binary: huge and non-finite
//! numbers, wrong types, Unicode oddities, very long strings, deep JSON, invalid UTF-8, path
//! traversal, oversize bodies, wrong content types, broken HTTP and slow clients. Each gets the
//! documented 4xx (JSON whenever the answer has a body), never a 5xx, and the service is still
//! healthy afterwards.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

mod support;
use support::Server;

#[derive(Debug)]
struct Resp {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

/// Writes raw bytes, reads until the server closes; `None` if it closed without a status line.
fn raw(addr: &str, bytes: &[u8]) -> Option<Resp> {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).ok();
    // The server may answer (and close) before reading everything; that is fine.
    let _ = s.write_all(bytes);
    let _ = s.flush();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    parse(&out)
}

fn parse(out: &[u8]) -> Option<Resp> {
    let split = out.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&out[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut content_type = String::new();
    let mut chunked = false;
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            if k.eq_ignore_ascii_case("content-type") {
                content_type = v.trim().to_string();
            }
            if k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked") {
                chunked = true;
            }
        }
    }
    let mut body = out[split + 4..].to_vec();
    if chunked {
        let mut plain = Vec::new();
        let mut rest = &body[..];
        while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..eol]).trim(), 16)
                .unwrap_or(0);
            if size == 0 || rest.len() < eol + 2 + size {
                break;
            }
            plain.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
            rest = &rest[(eol + 4 + size).min(rest.len())..];
        }
        body = plain;
    }
    Some(Resp {
        status,
        content_type,
        body,
    })
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").into_bytes()
}

fn get_bytes(path: &[u8]) -> Vec<u8> {
    let mut v = b"GET ".to_vec();
    v.extend_from_slice(path);
    v.extend_from_slice(b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    v
}

fn post(path: &str, content_type: Option<&str>, body: &[u8]) -> Vec<u8> {
    let mut head = format!("POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    if let Some(ct) = content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut v = head.into_bytes();
    v.extend_from_slice(body);
    v
}

fn post_json(body: &str) -> Vec<u8> {
    post("/reach", Some("application/json"), body.as_bytes())
}

/// What a case must be answered with.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// Exactly these statuses, from the router: a JSON body in the OGC exception shape.
    Json(&'static [u16]),
    /// A 4xx from the HTTP layer (malformed HTTP): a body, if any, is JSON.
    Http(&'static [u16]),
    /// Allowed to succeed (2xx/3xx) or be refused with a JSON 4xx; never a 5xx.
    NoFault,
}

const BAD: &[u16] = &[400];
const NOT_FOUND: &[u16] = &[404];
const NOT_FOUND_OR_BAD: &[u16] = &[400, 404];
const METHOD: &[u16] = &[405];
const MEDIA: &[u16] = &[415];
const TOO_LARGE: &[u16] = &[413];

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn cases() -> Vec<(String, Vec<u8>, Want)> {
    let mut v: Vec<(String, Vec<u8>, Want)> = Vec::new();
    let mut add = |name: &str, bytes: Vec<u8>, want: Want| v.push((name.to_string(), bytes, want));
    let items = "/collections/commercial/items";
    let reach = "/reach?from=hub-zhengzhou-east&polygons=false";

    // Huge, non-finite, negative and zero numbers.
    for m in [
        "1e308",
        "1e309",
        "-1e309",
        "NaN",
        "nan",
        "inf",
        "Infinity",
        "-Infinity",
        "0",
        "-0",
        "-1",
        "180.0000001",
        "99999999999999999999999",
        "0x10",
        "1e-400",
        "%2B%2B1",
        "1%2C5",
    ] {
        add(
            &format!("minutes={m}"),
            get(&format!("{reach}&minutes={m}")),
            Want::Json(BAD),
        );
    }
    for c in ["0", "-1", "NaN", "inf", "1e-300"] {
        add(
            &format!("cell={c}"),
            get(&format!("{reach}&cell={c}")),
            Want::Json(BAD),
        );
    }
    for (p, v) in [
        ("generalize", "-1"),
        ("generalize", "NaN"),
        ("generalize", "1e9"),
        ("denoise", "-0.5"),
        ("denoise", "inf"),
        ("denoise", "abc"),
    ] {
        add(
            &format!("{p}={v}"),
            get(&format!("{reach}&{p}={v}")),
            Want::Json(BAD),
        );
    }
    for b in [
        "0,10", "10,10", "10,NaN", "inf", "-5,5", ",", "10,,20", "1e309",
    ] {
        add(
            &format!("bands={b}"),
            get(&format!("{reach}&bands={b}")),
            Want::Json(BAD),
        );
    }
    for f in [
        "1e308,1e308",
        "NaN,NaN",
        "inf,34.7",
        "113.7,-inf",
        "-0,-0",
        "181,34",
        "113.7,90.0001",
        "113.7,34.7,0",
        "113.7%2C",
        "%2C34.7",
    ] {
        add(
            &format!("from={f}"),
            get(&format!("/reach?from={f}&polygons=false")),
            Want::Json(BAD),
        );
    }
    for l in [
        "-0",
        "99999999999999999999999",
        "1e3",
        "0x10",
        "5.0",
        "%E2%80%8B5",
    ] {
        add(
            &format!("limit={l}"),
            get(&format!("{items}?limit={}", l.replace(' ', "%20"))),
            Want::Json(BAD),
        );
    }
    for o in ["18446744073709551616", "-0.0", "1e2"] {
        add(
            &format!("offset={o}"),
            get(&format!("{items}?offset={o}")),
            Want::Json(BAD),
        );
    }
    // Offsets that fit but lie far beyond the last feature are an empty page, not an overflow.
    add(
        "offset=usize::MAX",
        get(&format!("{items}?offset=18446744073709551615&limit=10000")),
        Want::NoFault,
    );
    add(
        "offset=i64::MAX",
        get(&format!("{items}?offset=9223372036854775807")),
        Want::NoFault,
    );
    for b in [
        "1e308,1e308,1e308,1e308",
        "-Infinity,-90,Infinity,90",
        "NaN,NaN,NaN,NaN",
        "-181,-90,180,90",
        "0,0,0",
        "0,0,0,0,0,0",
        ",,,",
        "1e-400,0,0,0%2C",
    ] {
        add(
            &format!("bbox={b}"),
            get(&format!("{items}?bbox={b}")),
            Want::Json(BAD),
        );
    }
    add(
        "bbox=world",
        get(&format!("{items}?bbox=-180,-90,180,90")),
        Want::NoFault,
    );
    add(
        "search limit huge",
        get("/search?q=zheng&limit=99999999999999999999"),
        Want::Json(BAD),
    );
    add(
        "search limit NaN",
        get("/search?q=zheng&limit=NaN"),
        Want::Json(BAD),
    );

    // Wrong JSON types in POST /reach.
    for body in [
        r#"{"from":5}"#,
        r#"{"from":null}"#,
        r#"{"from":{"a":1}}"#,
        r#"{"from":true}"#,
        r#"{"from":[113.7,"34.7"]}"#,
        r#"{"from":[[113.7,34.7,5]]}"#,
        r#"{"from":[]}"#,
        r#"{"from":"hub-zhengzhou-east","minutes":[20]}"#,
        r#"{"from":"hub-zhengzhou-east","minutes":{"x":1}}"#,
        r#"{"from":"hub-zhengzhou-east","minutes":null}"#,
        r#"{"from":"hub-zhengzhou-east","minutes":1e400}"#,
        r#"{"from":"hub-zhengzhou-east","bands":"a,b"}"#,
        r#"{"from":"hub-zhengzhou-east","bands":[[10]]}"#,
        r#"{"from":"hub-zhengzhou-east","bands":[null]}"#,
        r#"{"from":"hub-zhengzhou-east","bands":[]}"#,
        r#"{"from":"hub-zhengzhou-east","polygons":1}"#,
        r#"{"from":"hub-zhengzhou-east","mode":5}"#,
        r#"{"from":"hub-zhengzhou-east","scenario":[]}"#,
        r#"{"from":"hub-zhengzhou-east","cell":"100"}"#,
        r#"{"from":"hub-zhengzhou-east","band_form":null}"#,
        "null",
        "true",
        "\"hub-zhengzhou-east\"",
        "123",
        "[]",
        "",
        "{\"from\":\"hub-zhengzhou-east\"}{}",
        "{\"from\":\"hub-zhengzhou-east\",}",
        "{'from':'hub-zhengzhou-east'}",
    ] {
        add(&format!("POST {body}"), post_json(body), Want::Json(BAD));
    }
    let many: Vec<String> = (0..60)
        .map(|_| "\"hub-zhengzhou-east\"".to_string())
        .collect();
    add(
        "POST 60 origins",
        post_json(&format!("{{\"from\":[{}]}}", many.join(","))),
        Want::Json(BAD),
    );

    // Unicode oddities: direction marks, zero-width, combining marks, emoji, surrogates.
    for s in [
        "\u{200f}",
        "\u{200b}",
        "\u{202e}hub-zhengzhou-east",
        "hub\u{200d}-zhengzhou-east",
        "e\u{301}\u{301}\u{301}",
        "\u{1F687}\u{1F687}",
        "\u{feff}",
        "\u{0}",
        "Z\u{0336}h",
    ] {
        add(
            &format!("from={s:?}"),
            get(&format!("/reach?from={}&polygons=false", enc(s))),
            Want::Json(BAD),
        );
    }
    for q in ["%ED%A0%80", "%ED%BF%BF", "%C0%AF", "%FF%FE", "%F4%90%80%80"] {
        add(
            &format!("from={q}"),
            get(&format!("/reach?from={q}&polygons=false")),
            Want::Json(BAD),
        );
        add(
            &format!("search q={q}"),
            get(&format!("/search?q={q}")),
            Want::NoFault,
        );
    }
    add(
        "filter emoji",
        get(&format!("{items}?filter={}", enc("name_zh = '\u{1F687}'"))),
        Want::NoFault,
    );
    add(
        "filter RTL",
        get(&format!(
            "{items}?filter={}",
            enc("\u{200f}status = 'planned'")
        )),
        Want::Json(BAD),
    );
    add(
        "filter lone surrogate",
        get(&format!("{items}?filter=name_zh%20%3D%20%27%ED%A0%80%27")),
        Want::NoFault,
    );
    add(
        "feature id emoji",
        get(&format!("{items}/{}", enc("\u{1F687}"))),
        Want::Json(NOT_FOUND),
    );
    add(
        "collection id RTL",
        get(&format!("/collections/{}/items", enc("\u{200f}commercial"))),
        Want::Json(NOT_FOUND),
    );
    add(
        "bad escape %zz",
        get("/reach?from=%zz&polygons=false"),
        Want::Json(BAD),
    );
    add("bad escape trailing %", get("/search?q=%"), Want::NoFault);

    // Very long strings: a URI over 64 KB is refused by the HTTP layer (414); below that the
    // parameters reach the handlers, and long bodies always do.
    let long = "a".repeat(100 * 1024);
    for (name, path) in [
        ("100 KB from", format!("/reach?from={long}&polygons=false")),
        ("100 KB search", format!("/search?q={long}")),
        ("100 KB filter", format!("{items}?filter={long}")),
        ("100 KB collection", format!("/collections/{long}")),
        (
            "100 KB bands",
            format!("{reach}&bands={}", "1,".repeat(50 * 1024)),
        ),
    ] {
        add(name, get(&path), Want::Http(&[414]));
    }
    let long60 = "a".repeat(60 * 1024);
    add(
        "60 KB from",
        get(&format!("/reach?from={long60}&polygons=false")),
        Want::Json(BAD),
    );
    add(
        "60 KB search",
        get(&format!("/search?q={long60}")),
        Want::NoFault,
    );
    add(
        "60 KB Chinese search",
        get(&format!("/search?q={}", enc(&"郑".repeat(6 * 1024)))),
        Want::NoFault,
    );
    add(
        "60 KB filter",
        get(&format!("{items}?filter={long60}")),
        Want::Json(BAD),
    );
    add(
        "60 KB unknown key",
        get(&format!("{items}?{long60}=1")),
        Want::Json(BAD),
    );
    add(
        "60 KB collection",
        get(&format!("/collections/{long60}")),
        Want::Json(NOT_FOUND),
    );
    add(
        "60 KB bands",
        get(&format!("{reach}&bands={}", "1,".repeat(30 * 1024))),
        Want::Json(BAD),
    );
    add(
        "100 KB from in a body",
        post_json(&format!("{{\"from\":\"{long}\"}}")),
        Want::Json(BAD),
    );
    add(
        "100 KB pipe-separated origins",
        post_json(&format!("{{\"from\":\"{}\"}}", "x|".repeat(50 * 1024))),
        Want::Json(BAD),
    );
    add(
        "100 KB header",
        format!("GET /conformance HTTP/1.1\r\nHost: localhost\r\nX-Long: {long}\r\nConnection: close\r\n\r\n").into_bytes(),
        Want::NoFault,
    );
    add(
        "1 MB header",
        format!("GET /conformance HTTP/1.1\r\nHost: localhost\r\nX-Long: {}\r\nConnection: close\r\n\r\n", "b".repeat(1 << 20)).into_bytes(),
        Want::Http(&[431]),
    );
    add(
        "1 MB URI",
        get(&format!("/search?q={}", "c".repeat(1 << 20))),
        Want::Http(&[414, 431]),
    );
    let mut many_headers = String::from("GET /conformance HTTP/1.1\r\nHost: localhost\r\n");
    for i in 0..500 {
        many_headers.push_str(&format!("X-H{i}: {i}\r\n"));
    }
    many_headers.push_str("Connection: close\r\n\r\n");
    add("500 headers", many_headers.into_bytes(), Want::Http(&[431]));

    // Deep JSON and deep filters.
    add(
        "10k nested arrays",
        post_json(&format!("{}{}", "[".repeat(10_000), "]".repeat(10_000))),
        Want::Json(BAD),
    );
    add(
        "10k nested objects",
        post_json(&format!(
            "{}1{}",
            "{\"a\":".repeat(10_000),
            "}".repeat(10_000)
        )),
        Want::Json(BAD),
    );
    add(
        "10k nested in from",
        post_json(&format!(
            "{{\"from\":{}\"x\"{}}}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        )),
        Want::Json(BAD),
    );
    add(
        "4k nested parentheses",
        get(&format!(
            "{items}?filter={}year=2020{}",
            "(".repeat(4000),
            ")".repeat(4000)
        )),
        Want::Json(BAD),
    );
    add(
        "200 nested NOT",
        get(&format!(
            "{items}?filter={}",
            enc(&format!("{}year = 2020", "NOT ".repeat(200)))
        )),
        Want::Json(BAD),
    );

    // Invalid UTF-8 in query, path and body.
    add(
        "raw 0xFF in query",
        get_bytes(b"/reach?from=\xff\xfe&polygons=false"),
        Want::Http(&[400]),
    );
    add(
        "raw 0xC0 in path",
        get_bytes(b"/collections/\xc0\xaf"),
        Want::Http(&[400, 404]),
    );
    add(
        "invalid UTF-8 body",
        post(
            "/reach",
            Some("application/json"),
            b"{\"from\":\"\xff\xfe\"}",
        ),
        Want::Json(BAD),
    );
    add(
        "latin-1 body",
        post(
            "/reach",
            Some("application/json; charset=latin1"),
            b"{\"from\":\"Zh\xe8ngzh\xf6u\"}",
        ),
        Want::Json(BAD),
    );
    add(
        "UTF-16 body",
        post("/reach", Some("application/json"), b"\xff\xfe{\x00}\x00"),
        Want::Json(BAD),
    );
    add(
        "NUL in body",
        post_json("{\"from\":\"hub-zhengzhou-east\u{0}\"}"),
        Want::Json(BAD),
    );

    // Path traversal in the static routes.
    for p in [
        "/map/../Cargo.toml",
        "/map/%2e%2e/Cargo.toml",
        "/map/%2e%2e%2fCargo.toml",
        "/map/..%2f..%2fetc%2fpasswd",
        "/map/%252e%252e/Cargo.toml",
        "/map/....//....//Cargo.toml",
        "/map/..%5cCargo.toml",
        "/map//etc/passwd",
        "/map/%00",
        "/map/index.html%00.js",
        "//etc/passwd",
        "/../../etc/passwd",
        "/map/../../../../etc/passwd",
        "/map/%c0%ae%c0%ae/Cargo.toml",
        "/map/src/lib.rs",
        "/map/.git/config",
    ] {
        add(
            &format!("traversal {p}"),
            get(p),
            Want::Json(NOT_FOUND_OR_BAD),
        );
    }

    // Oversize bodies.
    let big = vec![b' '; (1 << 20) + 1];
    add(
        "1 MiB + 1 body",
        post("/reach", Some("application/json"), &big),
        Want::Json(TOO_LARGE),
    );
    add(
        "Content-Length 1e12, no body",
        b"POST /reach HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\nConnection: close\r\n\r\n{}".to_vec(),
        Want::Json(TOO_LARGE),
    );
    let mut chunked = b"POST /reach HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for _ in 0..20 {
        chunked.extend_from_slice(format!("{:x}\r\n", 100_000).as_bytes());
        chunked.extend_from_slice(&vec![b' '; 100_000]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    add("2 MB chunked body", chunked, Want::Json(TOO_LARGE));

    // Wrong content types.
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/jsonx"),
        Some("application/json, text/plain"),
        Some("json"),
        Some(""),
        Some("application/\u{1F687}"),
        None,
    ] {
        add(
            &format!("content type {ct:?}"),
            post("/reach", ct, br#"{"from":"hub-zhengzhou-east"}"#),
            Want::Json(MEDIA),
        );
    }

    // Wrong methods.
    for (m, p) in [
        ("DELETE", "/collections/commercial/items"),
        ("PUT", "/reach"),
        ("PATCH", "/search"),
        ("TRACE", "/"),
        ("POST", "/conformance"),
        ("POST", "/map/index.html"),
        ("DELETE", "/map/../Cargo.toml"),
        ("FOO", "/reach"),
    ] {
        add(
            &format!("{m} {p}"),
            format!("{m} {p} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").into_bytes(),
            Want::Json(METHOD),
        );
    }

    // Broken HTTP.
    for (name, bytes) in [
        ("garbage", b"GARBAGE\r\n\r\n".to_vec()),
        ("HTTP/9.9", b"GET /conformance HTTP/9.9\r\nHost: x\r\n\r\n".to_vec()),
        ("header without colon", b"GET / HTTP/1.1\r\nHost localhost\r\n\r\n".to_vec()),
        ("negative length", b"POST /reach HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n".to_vec()),
        ("two lengths", b"POST /reach HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}".to_vec()),
        ("length overflow", b"POST /reach HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n".to_vec()),
        ("bad chunk size", b"POST /reach HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n".to_vec()),
        ("NUL in header", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n".to_vec()),
        ("space in path", b"GET /collections /items HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        ("bare LF in header", b"GET / HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n".to_vec()),
        ("no path", b"GET HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        ("absolute URI to elsewhere", b"GET http://example.org/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec()),
    ] {
        add(name, bytes, Want::Http(&[400, 404, 405, 413, 414, 431, 505]));
    }
    add(
        "CL and TE together",
        b"POST /reach HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n".to_vec(),
        Want::Json(BAD),
    );
    add(
        "unicode Host header",
        "GET /collections HTTP/1.1\r\nHost: \u{1F687}.example\r\nConnection: close\r\n\r\n"
            .as_bytes()
            .to_vec(),
        Want::NoFault,
    );
    add(
        "Host with injection",
        b"GET /collections HTTP/1.1\r\nHost: evil.example/\"><script>\r\nConnection: close\r\n\r\n"
            .to_vec(),
        Want::NoFault,
    );
    v
}

fn check(name: &str, r: &Option<Resp>, want: Want) {
    let r = r
        .as_ref()
        .unwrap_or_else(|| panic!("{name}: the connection closed without an answer"));
    assert!(
        r.status < 500,
        "{name}: {} {}",
        r.status,
        String::from_utf8_lossy(&r.body)
    );
    let json_ok = || {
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_else(|e| {
            panic!(
                "{name}: {} body not JSON ({e}): {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            )
        });
        assert!(
            v["code"].is_string() && v["description"].is_string(),
            "{name}: {v}"
        );
        assert!(
            r.content_type.starts_with("application/json"),
            "{name}: {}",
            r.content_type
        );
    };
    match want {
        Want::Json(codes) => {
            assert!(
                codes.contains(&r.status),
                "{name}: {} not in {codes:?}: {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            );
            json_ok();
        }
        Want::Http(codes) => {
            assert!(
                codes.contains(&r.status),
                "{name}: {} not in {codes:?}",
                r.status
            );
            if !r.body.is_empty() {
                json_ok();
            }
        }
        Want::NoFault => {
            if r.status >= 400 {
                json_ok();
            }
        }
    }
    // Nothing outside the embedded web files is ever served.
    let text = String::from_utf8_lossy(&r.body);
    assert!(
        !text.contains("[package]") && !text.contains("root:x:0"),
        "{name} leaked a file"
    );
}

fn healthy(addr: &str) {
    let r = raw(addr, &get("/conformance")).expect("conformance answers");
    assert_eq!(r.status, 200);
    let r = raw(addr, &get("/reach?from=hub-zhengzhou-east&minutes=15")).expect("reach answers");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let v: serde_json::Value = serde_json::from_slice(&r.body).expect("reach GeoJSON");
    assert_eq!(v["type"], "FeatureCollection");
    assert!(!v["features"].as_array().expect("features").is_empty());
}

#[test]
fn every_hostile_request_is_refused_cleanly() {
    let srv = Server::start();
    let cases = cases();
    assert!(cases.len() >= 100, "{} cases", cases.len());
    let mut failures = Vec::new();
    for (name, bytes, want) in &cases {
        let r = raw(&srv.addr, bytes);
        if let Err(e) = std::panic::catch_unwind(|| check(name, &r, *want)) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(msg.chars().take(300).collect::<String>());
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    healthy(&srv.addr);
}

#[test]
fn slow_clients_do_not_block_others() {
    let srv = Server::start();
    // Fifty connections that send half a request head and stall.
    let stalled: Vec<TcpStream> = (0..50)
        .map(|_| {
            let mut s = TcpStream::connect(&srv.addr).expect("connect");
            s.write_all(b"GET /conformance HTTP/1.1\r\nHost: localh")
                .expect("write");
            s
        })
        .collect();
    // One that declares a body and sends a tenth of it.
    let mut slow_body = TcpStream::connect(&srv.addr).expect("connect");
    slow_body
        .write_all(b"POST /reach HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"from\":")
        .expect("write");
    slow_body
        .set_read_timeout(Some(Duration::from_secs(20)))
        .ok();
    let t = Instant::now();
    for _ in 0..20 {
        let s = Instant::now();
        let r = raw(&srv.addr, &get("/conformance")).expect("answer");
        assert_eq!(r.status, 200);
        assert!(
            s.elapsed() < Duration::from_secs(2),
            "a request waited {:?}",
            s.elapsed()
        );
    }
    healthy(&srv.addr);
    // The stalled body is given up on after the request time limit, with a JSON answer.
    let mut out = Vec::new();
    let _ = slow_body.read_to_end(&mut out);
    let waited = t.elapsed();
    let r = parse(&out).expect("the stalled body gets an answer");
    assert!(
        [408, 503].contains(&r.status),
        "stalled body: {} {}",
        r.status,
        String::from_utf8_lossy(&r.body)
    );
    assert!(r.content_type.starts_with("application/json"));
    assert!(
        waited < Duration::from_secs(15),
        "answered after {waited:?}"
    );
    // Half-sent request heads are closed by the server once the header-read timeout passes,
    // so stalled connections cannot pile up.
    for mut s in stalled {
        s.set_read_timeout(Some(Duration::from_secs(20))).ok();
        let mut buf = Vec::new();
        let closed = s.read_to_end(&mut buf).is_ok();
        assert!(
            closed,
            "a half-sent request head was still open after {:?}",
            t.elapsed()
        );
    }
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "closed after {:?}",
        t.elapsed()
    );
    healthy(&srv.addr);
}
