//! `nno-obs serve` answers the console's pages before the API: a page path gets HTML (the
//! sign-in page without a session, the stylesheet to anyone), an API path the API's JSON.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `GET path` over a fresh connection: (status line, head, body).
fn get(address: &str, path: &str) -> (String, String, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.lines().next().unwrap().to_owned();
    (status, head.to_lowercase(), body.to_owned())
}

#[test]
fn pages_go_to_the_console_and_the_rest_to_the_api() {
    let store = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_nno-obs"))
        .args(["serve", "--listen", "127.0.0.1:0", "--store"])
        .arg(store.path())
        .env_remove("OBSERVABILITY_JWT_SECRET")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    let mut first = String::new();
    let mut announced = BufReader::new(server.0.stdout.take().unwrap());
    announced.read_line(&mut first).unwrap();
    let address = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_owned();

    let (status, head, body) = get(&address, "/internal/observability");
    assert!(status.contains(" 401 "), "{status}");
    assert!(
        head.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(body.contains("<h1>Sign in</h1>"));

    let (status, head, _) = get(&address, nno_obs_console::STYLESHEET);
    assert!(status.contains(" 200 "), "{status}");
    assert!(head.contains("content-type: text/css"), "{head}");

    let (status, _, body) = get(&address, "/api/observability/health");
    assert!(status.contains(" 200 "), "{status}");
    assert!(body.contains(r#"{"ok":true}"#), "{body}");
}

#[test]
fn a_closed_output_does_not_stop_the_server() {
    let store = tempfile::tempdir().unwrap();
    // A free port, given explicitly: the server's announcement is not read at all.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_nno-obs"))
        .args(["serve", "--listen", &address, "--store"])
        .arg(store.path())
        .env_remove("OBSERVABILITY_JWT_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    // Whoever started it stops reading before it writes a word (`nno-obs serve | head -0`).
    drop(server.0.stdout.take());
    let started = std::time::Instant::now();
    let (status, _, body) = loop {
        match TcpStream::connect(&address) {
            Ok(_) => break get(&address, "/api/observability/health"),
            Err(_) if started.elapsed() < std::time::Duration::from_secs(30) => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(error) => panic!("the server never listened: {error}"),
        }
    };
    assert!(status.contains(" 200 "), "{status}");
    assert!(body.contains(r#"{"ok":true}"#), "{body}");
    // Still there for the next request, and it said why it printed nothing.
    let (status, _, _) = get(&address, "/api/observability/health");
    assert!(status.contains(" 200 "), "{status}");
    server.0.kill().unwrap();
    let mut stderr = String::new();
    server
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(
        stderr.contains("warning: cannot print where the API is"),
        "{stderr}"
    );
}
