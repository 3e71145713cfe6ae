//! Local HTTP receivers on real sockets (loopback only): each records the requests it gets
//! and answers from a script.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// What the receiver does with one request.
#[derive(Clone, Debug)]
pub enum Answer {
    /// Answer this status and body.
    Status(u16, &'static str),
    /// Read the request and never answer (the client times out).
    Hang,
}

/// One received request.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A receiver: answers from `script` in order, then `then` forever.
pub struct Receiver {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<(VecDeque<Answer>, Answer)>>,
}

impl Receiver {
    pub fn start(script: Vec<Answer>, then: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new((VecDeque::from(script), then)));
        let (r, s) = (received.clone(), script.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (r, s) = (r.clone(), s.clone());
                thread::spawn(move || serve(stream, &r, &s));
            }
        });
        Self {
            url,
            received,
            script,
        }
    }

    /// Always answers `status`.
    pub fn always(status: u16, body: &'static str) -> Self {
        Self::start(Vec::new(), Answer::Status(status, body))
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// From now on, answer `answer`.
    pub fn answer(&self, answer: Answer) {
        let mut script = self.script.lock().unwrap();
        script.0.clear();
        script.1 = answer;
    }
}

/// A URL where nothing listens (a port bound, then released).
pub fn down_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

fn serve(
    stream: TcpStream,
    received: &Mutex<Vec<Received>>,
    script: &Mutex<(VecDeque<Answer>, Answer)>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("").to_owned();
    let mut headers = Vec::new();
    let mut length = 0;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 {
            return;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let (name, value) = (name.trim().to_owned(), value.trim().to_owned());
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse().unwrap_or(0);
            }
            headers.push((name, value));
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    received.lock().unwrap().push(Received {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let answer = {
        let mut script = script.lock().unwrap();
        script.0.pop_front().unwrap_or_else(|| script.1.clone())
    };
    let mut stream = stream;
    match answer {
        Answer::Status(status, body) => {
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        // Hold the connection open well past the client's timeout, then let it go.
        Answer::Hang => thread::sleep(Duration::from_secs(5)),
    }
}
