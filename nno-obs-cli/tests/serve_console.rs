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
    // Kept open: the server writes more lines, and a closed pipe would stop it.
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
