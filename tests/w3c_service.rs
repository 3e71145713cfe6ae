//! The W3C Trace Context suite's test service (`tests/bin/w3c_service.rs`, what
//! `scripts/w3c.sh` drives) run for real on loopback, against a few requests written here:
//! the suite itself is not in CI (no registry ships it), so without this test the service
//! would never run there.
//!
//! The test plays the harness: it POSTs a request with trace headers and a JSON list of
//! callbacks to the service, and reads the headers of the callbacks the service makes to a
//! listener of its own.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

const TRACE: &str = "12345678901234567890123456789012";
const PARENT: &str = "1234567890123456";
const TP: &str = "00-12345678901234567890123456789012-1234567890123456-01";
const TIMEOUT: Duration = Duration::from_secs(20);

/// The running service, killed when dropped.
struct Service {
    child: Child,
    endpoint: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_service() -> Service {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nno-obs-w3c-service"))
        .arg("127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the service starts");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("its stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("it prints its address");
    let endpoint = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("a `listening on` line, not {line:?}"))
        .to_owned();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    Service { child, endpoint }
}

/// One request as a server reads it: header fields (names lowercased) and body.
struct Request {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

fn read_request(stream: &mut impl BufRead) -> Request {
    let mut line = String::new();
    stream.read_line(&mut line).expect("a request line");
    let mut headers = Vec::new();
    loop {
        line.clear();
        stream.read_line(&mut line).expect("a header line");
        let field = line.trim_end_matches(['\r', '\n']);
        if field.is_empty() {
            break;
        }
        let (name, value) = field.split_once(':').expect("name: value");
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse::<usize>().expect("a length"))
        .unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).expect("the body");
    Request { headers, body }
}

/// The harness's callback listener: every request it gets is answered `200` and sent on.
fn callback_listener() -> (String, Receiver<Request>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!(
        "http://{}/callback",
        listener.local_addr().expect("address")
    );
    let (send, receive) = channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(TIMEOUT));
            let request = read_request(&mut BufReader::new(&mut stream));
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            if send.send(request).is_err() {
                break;
            }
        }
    });
    (url, receive)
}

/// POSTs to the service with `headers` and asks for `count` callbacks to `callback`; returns
/// the callbacks' requests.
fn make_request(
    service: &Service,
    headers: &[(&str, &str)],
    callback: &(String, Receiver<Request>),
    count: usize,
) -> Vec<Request> {
    let (url, callbacks) = callback;
    let actions: Vec<serde_json::Value> = (0..count)
        .map(|n| serde_json::json!({ "url": url, "arguments": [n] }))
        .collect();
    let body = serde_json::to_vec(&actions).expect("json");
    let address = service
        .endpoint
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
        .expect("host:port");
    let mut stream = TcpStream::connect(address).expect("connect to the service");
    stream.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let mut request = format!(
        "POST /test HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    stream.write_all(&body).expect("send the body");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("the answer");
    assert!(
        answer.starts_with(b"HTTP/1.1 200 ") && answer.ends_with(b"{}"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    // The service answers after its callbacks: they are all here.
    let received: Vec<Request> = (0..count)
        .map(|_| callbacks.recv_timeout(TIMEOUT).expect("a callback"))
        .collect();
    assert!(
        callbacks.try_recv().is_err(),
        "no more than {count} callbacks"
    );
    received
}

/// `(trace-id, parent-id, flags)` of the one `traceparent` a callback carries.
fn traceparent(callback: &Request) -> (String, String, String) {
    let values = callback.all("traceparent");
    assert_eq!(values.len(), 1, "{values:?}");
    let fields: Vec<&str> = values[0].split('-').collect();
    assert_eq!(fields.len(), 4, "{values:?}");
    assert_eq!(fields[0], "00");
    let hex = |s: &str, n: usize| {
        s.len() == n && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    assert!(
        hex(fields[1], 32) && hex(fields[2], 16) && hex(fields[3], 2),
        "{values:?}"
    );
    (
        fields[1].to_owned(),
        fields[2].to_owned(),
        fields[3].to_owned(),
    )
}

#[test]
fn the_service_continues_restarts_and_forwards_trace_context_over_loopback() {
    let service = start_service();
    let callback = callback_listener();

    // A valid traceparent and tracestate: the trace continues under a new parent, and the
    // tracestate goes on as sent (its optional whitespace dropped).
    let calls = make_request(
        &service,
        &[("traceparent", TP), ("tracestate", "foo=1 , bar=2")],
        &callback,
        1,
    );
    let (trace, parent, flags) = traceparent(&calls[0]);
    assert_eq!(trace, TRACE);
    assert_ne!(parent, PARENT);
    assert_eq!(flags, "01");
    assert_eq!(calls[0].all("tracestate"), ["foo=1,bar=2"]);
    // The callback's body is the action's arguments.
    assert_eq!(calls[0].body, b"[0]");

    // Header names are case-insensitive.
    let calls = make_request(&service, &[("TraceParent", TP)], &callback, 1);
    assert_eq!(traceparent(&calls[0]).0, TRACE);

    // An invalid traceparent (version ff) or two of them: a new trace, no tracestate.
    for headers in [
        vec![(
            "traceparent",
            "ff-12345678901234567890123456789012-1234567890123456-01",
        )],
        vec![
            (
                "traceparent",
                "00-12345678901234567890123456789011-1234567890123456-01",
            ),
            ("traceparent", TP),
            ("tracestate", "foo=1"),
        ],
    ] {
        let calls = make_request(&service, &headers, &callback, 1);
        let (trace, _, _) = traceparent(&calls[0]);
        assert_ne!(trace, TRACE, "{headers:?}");
        assert_ne!(trace, "12345678901234567890123456789011", "{headers:?}");
        assert!(calls[0].all("tracestate").is_empty(), "{headers:?}");
    }

    // No context at all: a new trace; three callbacks share it, each with its own parent.
    let calls = make_request(&service, &[], &callback, 3);
    let parents: Vec<_> = calls.iter().map(traceparent).collect();
    assert!(parents.iter().all(|(trace, _, _)| *trace == parents[0].0));
    let mut ids: Vec<&str> = parents.iter().map(|(_, id, _)| id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3, "{parents:?}");
    let bodies: Vec<&[u8]> = calls.iter().map(|c| c.body.as_slice()).collect();
    assert_eq!(bodies, [&b"[0]"[..], b"[1]", b"[2]"]);
}
