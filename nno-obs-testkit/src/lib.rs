//! # nno-obs-testkit
//!
//! Test support for the read-side crates (a dev-dependency only, never linked into a program):
//! [`Receiver`], a loopback HTTP server on a real socket that records every request and answers
//! each from a script — the Cloudflare API, the Analytics Engine SQL API, Slack, PagerDuty and
//! the NNO email Worker as the tests stand them in; [`sql_api::stand_in`], the Analytics Engine
//! SQL API's stand-in (chdb) behind one.
//!
//! ```
//! use nno_obs_testkit::{Answer, Receiver};
//! use std::io::{Read, Write};
//!
//! let receiver = Receiver::start(vec![Answer::json(201, "{}")], Answer::text(500, "down"));
//! let mut stream = std::net::TcpStream::connect(receiver.addr()).unwrap();
//! stream.write_all(b"POST /v1/send HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}").unwrap();
//! let mut reply = String::new();
//! stream.read_to_string(&mut reply).unwrap();
//! assert!(reply.starts_with("HTTP/1.1 201 "));
//! assert_eq!(receiver.received()[0].path, "/v1/send");
//! ```

pub mod sql_api;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// What the receiver does with one request.
#[derive(Clone, Debug)]
pub enum Answer {
    /// Answer this status, content type and body.
    Reply {
        /// The status code.
        status: u16,
        /// `Content-Type`, if any.
        content_type: Option<&'static str>,
        /// The body.
        body: String,
    },
    /// Read the request and never answer (the client times out); the connection is held
    /// for five seconds.
    Hang,
}

impl Answer {
    /// `status` with a JSON body.
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Answer::Reply {
            status,
            content_type: Some("application/json"),
            body: body.into(),
        }
    }

    /// `status` with a body and no content type.
    pub fn text(status: u16, body: impl Into<String>) -> Self {
        Answer::Reply {
            status,
            content_type: None,
            body: body.into(),
        }
    }
}

/// One received request.
#[derive(Clone, Debug)]
pub struct Received {
    /// `POST`.
    pub method: String,
    /// The request target, query included.
    pub path: String,
    /// Headers in the order received.
    pub headers: Vec<(String, String)>,
    /// The body (invalid UTF-8 repaired).
    pub body: String,
}

impl Received {
    /// The body as JSON (panics if it is not: a test's assertion).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// A header's value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Computes the answer to a request (a stand-in whose answer depends on what is asked).
type Handler = Arc<dyn Fn(&Received) -> Answer + Send + Sync>;

/// The scripted answers, the answer after them, and a handler that replaces that answer.
type Script = (VecDeque<Answer>, Answer, Option<Handler>);

/// A receiver: answers from its script in order, then one answer forever; each connection
/// is served on its own thread, so a hanging answer does not hold the next request.
pub struct Receiver {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<Script>>,
    /// How many requests [`Receiver::recv`] has handed out.
    taken: Mutex<usize>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A test thread that panicked while holding it left whole values behind.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Receiver {
    /// Starts a receiver on a free loopback port.
    pub fn start(script: Vec<Answer>, then: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let addr = listener.local_addr().expect("its address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new((VecDeque::from(script), then, None)));
        let (r, s) = (received.clone(), script.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (r, s) = (r.clone(), s.clone());
                thread::spawn(move || serve(stream, &r, &s));
            }
        });
        Self {
            addr,
            received,
            script,
            taken: Mutex::new(0),
        }
    }

    /// Always answers `answer`.
    pub fn always(answer: Answer) -> Self {
        Self::start(Vec::new(), answer)
    }

    /// Answers every request with `handler`'s answer to it (a stand-in that computes its
    /// answers, e.g. an SQL engine). The handler runs on the connection's thread.
    ///
    /// ```
    /// use nno_obs_testkit::{Answer, Receiver};
    /// use std::io::{Read, Write};
    ///
    /// let echo = Receiver::handle(|request| Answer::text(200, request.body.to_uppercase()));
    /// let mut stream = std::net::TcpStream::connect(echo.addr()).unwrap();
    /// stream.write_all(b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi").unwrap();
    /// let mut reply = String::new();
    /// stream.read_to_string(&mut reply).unwrap();
    /// assert!(reply.ends_with("\r\n\r\nHI"));
    /// ```
    pub fn handle(handler: impl Fn(&Received) -> Answer + Send + Sync + 'static) -> Self {
        let receiver = Self::always(Answer::text(500, "no handler"));
        lock(&receiver.script).2 = Some(Arc::new(handler));
        receiver
    }

    /// `http://127.0.0.1:{port}`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.received).clone()
    }

    /// Waits up to `timeout` for `count` requests, then returns what came.
    pub fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let received = self.received();
            if received.len() >= count || Instant::now() >= deadline {
                return received;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// The next request not yet handed out, in arrival order; waits up to ten seconds for it
    /// and panics without one (a test's assertion that the request was made).
    pub fn recv(&self) -> Received {
        let mut taken = lock(&self.taken);
        let received = self.wait_for(*taken + 1, Duration::from_secs(10));
        let request = received
            .get(*taken)
            .cloned()
            .unwrap_or_else(|| panic!("no request #{} arrived", *taken + 1));
        *taken += 1;
        request
    }

    /// From now on, answer `answer`.
    pub fn answer(&self, answer: Answer) {
        let mut script = lock(&self.script);
        script.0.clear();
        script.1 = answer;
        script.2 = None;
    }
}

/// A URL where nothing listens (a port bound, then released).
pub fn down_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("its address"));
    drop(listener);
    url
}

fn serve(stream: TcpStream, received: &Mutex<Vec<Received>>, script: &Mutex<Script>) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
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
    let request = Received {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    lock(received).push(request.clone());
    // A handler answers everything; else the script, then its last answer. The handler
    // runs outside the lock: it may take long.
    let next = {
        let mut script = lock(script);
        match script.2.clone() {
            Some(handler) => Err(handler),
            None => Ok(script.0.pop_front().unwrap_or_else(|| script.1.clone())),
        }
    };
    let answer = next.unwrap_or_else(|handler| handler(&request));
    let mut stream = stream;
    match answer {
        Answer::Reply {
            status,
            content_type,
            body,
        } => {
            let content_type = content_type
                .map(|t| format!("Content-Type: {t}\r\n"))
                .unwrap_or_default();
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\n{content_type}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        // Hold the connection open well past a client's timeout, then let it go.
        Answer::Hang => thread::sleep(Duration::from_secs(5)),
    }
}
