//! The test service the W3C Trace Context suite (`w3c/trace-context`, `test/test.py`) drives:
//! `nno-obs-w3c-service [ADDRESS]` (default `127.0.0.1:0`) prints
//! `listening on http://ADDRESS/test` and serves until killed. `scripts/w3c.sh` runs it.
//!
//! For each POST it reads the trace context with `Obs::from_headers`, and for each
//! `{"url", "arguments"}` of the JSON array in the body POSTs `arguments` to `url` with exactly
//! the headers `Obs::with_trace_headers` writes, from one child span per call (the pattern
//! documented on `Obs::with_trace_headers`), then answers `200 {}`. The harness may call back
//! into the service while it waits for a callback, so each connection gets its own thread.
//!
//! HTTP/1.1 over std's `TcpListener`, just enough of it for the harness (requests with a
//! `Content-Length`, `Connection: close`); loopback addresses only, both ways.

use nno_obs::sink::NullSink;
use nno_obs::{Obs, SpanOutcome, Telemetry};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Bigger bodies are refused: the suite's are a few hundred bytes.
const MAX_BODY_BYTES: usize = 1 << 20;
const IO_TIMEOUT: Duration = Duration::from_secs(10);

type Failure = Box<dyn std::error::Error>;

fn main() {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned());
    if let Err(error) = serve(&address) {
        eprintln!("w3c service: {error}");
        std::process::exit(1);
    }
}

fn serve(address: &str) -> Result<(), Failure> {
    let listener = TcpListener::bind(address)?;
    let local = listener.local_addr()?;
    if !local.ip().is_loopback() {
        return Err(format!("{local} is not a loopback address").into());
    }
    println!("listening on http://{local}/test");
    std::io::stdout().flush()?;
    // Spans and lines are not what the suite checks; they go nowhere.
    let telemetry = Telemetry::builder()
        .log_sink(NullSink)
        .all_datasets(NullSink)
        .build();
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let telemetry = telemetry.clone();
        std::thread::spawn(move || {
            if let Err(error) = handle(stream, telemetry) {
                eprintln!("w3c service: {error}");
            }
        });
    }
    Ok(())
}

/// One incoming request: its context, its callbacks, then `200 {}`.
fn handle(stream: TcpStream, telemetry: Telemetry) -> Result<(), Failure> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    let mut reader = BufReader::new(stream);
    let (headers, body) = read_request(&mut reader)?;
    let obs = Obs::from_headers(telemetry, "w3c-service", &headers);
    let actions: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    for action in actions.as_array().into_iter().flatten() {
        let Some(url) = action.get("url").and_then(|url| url.as_str()) else {
            continue;
        };
        let arguments = action
            .get("arguments")
            .cloned()
            .unwrap_or(serde_json::Value::Array(Vec::new()));
        // One child span per outgoing call, so each call carries its own parent-id.
        let call = obs.child("POST callback").start_span();
        let trace_headers = call
            .obs()
            .with_trace_headers(Vec::<(String, String)>::new());
        match post(url, &trace_headers, &serde_json::to_vec(&arguments)?) {
            Ok(()) => call.end(SpanOutcome::Ok),
            Err(error) => {
                eprintln!("w3c service: callback to {url}: {error}");
                call.end(SpanOutcome::Error);
            }
        }
    }
    let mut stream = reader.into_inner();
    stream.write_all(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
    )?;
    stream.flush()?;
    Ok(())
}

/// The header fields (every line kept, duplicates appended in order) and the body.
fn read_request(reader: &mut impl BufRead) -> Result<(http::HeaderMap, Vec<u8>), Failure> {
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line)?; // The request line; the method and path do not matter.
    let mut headers = http::HeaderMap::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Err("connection closed in the header".into());
        }
        let field = trim_ows(line.strip_suffix(b"\n").unwrap_or(&line));
        let field = field.strip_suffix(b"\r").unwrap_or(field);
        if field.is_empty() {
            break;
        }
        let Some(colon) = field.iter().position(|&b| b == b':') else {
            return Err("a header line without a colon".into());
        };
        // RFC 9110 §5.5: leading and trailing whitespace is not part of a field value.
        let name = http::HeaderName::from_bytes(&field[..colon])?;
        let value = http::HeaderValue::from_bytes(trim_ows(&field[colon + 1..]))?;
        headers.append(name, value);
    }
    let length = match headers.get(http::header::CONTENT_LENGTH) {
        Some(value) => value.to_str()?.trim().parse::<usize>()?,
        None => 0,
    };
    if length > MAX_BODY_BYTES {
        return Err(format!("a body of {length} bytes").into());
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok((headers, body))
}

fn trim_ows(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// POSTs `body` to `url` (`http://host:port/path`, loopback only) with `headers`, and reads
/// the whole answer.
fn post(url: &str, headers: &[(String, String)], body: &[u8]) -> Result<(), Failure> {
    let rest = url.strip_prefix("http://").ok_or("not an http:// URL")?;
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, "/"),
    };
    let address: SocketAddr = authority
        .to_socket_addrs()?
        .find(|address| address.ip().is_loopback())
        .ok_or("the callback is not on a loopback address")?;
    let mut stream = TcpStream::connect_timeout(&address, IO_TIMEOUT)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nhost: {authority}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    if !answer.starts_with(b"HTTP/1.1 200") {
        return Err("the harness did not answer 200".into());
    }
    Ok(())
}
