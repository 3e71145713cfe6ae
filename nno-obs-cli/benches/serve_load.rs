//! `nno-obs serve` under load: 64 concurrent clients on loopback mixing every route of the read
//! API for a bounded time and number of requests, against a simulated store (24 h × 20
//! platforms by `scripts/bench_api.sh`). Prints requests/s and latency per route, errors, and
//! the server's resident memory over the run.
//!
//! It is a benchmark (run by `scripts/bench_api.sh`, figures in BENCHMARKS.md), not a timed
//! test: it fails only when an answer is not 200 or the store is missing or empty.
//!
//! ```sh
//! NNO_BENCH_STORE=target/bench-store-api cargo bench -p nno-obs-cli --bench serve_load
//! ```

use nno_obs_api::jwt::{mint, Claims, JwtSecret};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLIENTS: usize = 64;
const MAX_SECONDS: u64 = 30;
const MAX_REQUESTS: u64 = 200_000;
const SECRET: &str = "bench secret of the read API";
/// The simulated store's end: `scripts/bench_api.sh` simulates the day before.
const AT: &str = "2026-11-28T00:00:00Z";

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let store =
        std::env::var("NNO_BENCH_STORE").unwrap_or_else(|_| "target/bench-store-api".into());
    let store = std::path::absolute(&store).expect("store path");
    assert!(
        store.join("registry").is_dir() || store.join("analytics-engine").is_dir(),
        "no simulated store at {} — run scripts/bench_api.sh",
        store.display()
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_nno-obs"))
        .args(["serve", "--listen", "127.0.0.1:0", "--at", AT, "--store"])
        .arg(&store)
        .env("OBSERVABILITY_JWT_SECRET", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("nno-obs serve starts");
    let pid = child.id();
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("the server prints its address");
    let _server = Server(child);
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("an address")
        .trim_end_matches("/api/observability/")
        .to_owned();

    let secret = JwtSecret::new(SECRET.as_bytes().to_vec()).expect("secret");
    let exp = 4_000_000_000;
    let operator = mint(
        &Claims {
            sub: "bench".into(),
            role: "operator".into(),
            platform_id: None,
            exp,
            nbf: None,
        },
        &secret,
    );
    let agent = ureq::Agent::new_with_defaults();
    let get = |path: &str, token: &str| -> (u16, String) {
        match agent
            .get(&format!("{base}{path}"))
            .header("Authorization", &format!("Bearer {token}"))
            .call()
        {
            Ok(mut r) => (
                r.status().as_u16(),
                r.body_mut().read_to_string().unwrap_or_default(),
            ),
            Err(ureq::Error::StatusCode(code)) => (code, String::new()),
            Err(e) => panic!("{path}: {e}"),
        }
    };
    // The platforms and a trace to look up, from the API itself.
    let (status, fleet) = get("/api/observability/fleet", &operator);
    assert_eq!(status, 200);
    let fleet: serde_json::Value = serde_json::from_str(&fleet).expect("fleet JSON");
    let platforms: Vec<String> = fleet["platforms"]
        .as_array()
        .expect("platforms")
        .iter()
        .map(|p| p["platformId"].as_str().expect("id").to_owned())
        .collect();
    assert!(
        platforms.len() >= 20,
        "a 20-platform store: {}",
        platforms.len()
    );
    let a = platforms[0].clone();
    let admin = mint(
        &Claims {
            sub: "bench".into(),
            role: "platform-admin".into(),
            platform_id: Some(a.clone()),
            exp,
            nbf: None,
        },
        &secret,
    );
    let (_, logs) = get(
        &format!("/api/observability/logs?platformId={a}&level=error&since=24h&limit=1"),
        &admin,
    );
    let logs: serde_json::Value = serde_json::from_str(&logs).expect("logs JSON");
    let trace = logs["entries"][0]["traceId"]
        .as_str()
        .expect("an error line with a trace")
        .to_owned();

    let routes: Vec<(&str, String, String)> = vec![
        ("health", "/api/observability/health".into(), admin.clone()),
        (
            "overview 24h",
            format!("/api/observability/overview?platformId={a}"),
            admin.clone(),
        ),
        (
            "features 24h",
            format!("/api/observability/features?platformId={a}"),
            admin.clone(),
        ),
        (
            "logs: level+text 1h",
            format!("/api/observability/logs?platformId={a}&since=1h&level=warn&text=timeout"),
            admin.clone(),
        ),
        (
            "logs: trace id",
            format!("/api/observability/logs?platformId={a}&since=24h&traceId={trace}"),
            admin.clone(),
        ),
        (
            "logs: internal 15m",
            "/api/observability/logs?since=15m&limit=50".into(),
            operator.clone(),
        ),
        (
            "download 1h",
            format!("/api/observability/logs/download?platformId={a}&since=1h"),
            admin.clone(),
        ),
        (
            "trace",
            format!("/api/observability/traces/{trace}?platformId={a}"),
            admin.clone(),
        ),
        (
            "fleet 24h",
            "/api/observability/fleet".into(),
            operator.clone(),
        ),
        (
            "heatmap 24h",
            "/api/observability/heatmap".into(),
            operator.clone(),
        ),
        (
            "provisioning 7d",
            "/api/observability/provisioning".into(),
            operator.clone(),
        ),
        (
            "slo (platform)",
            format!("/api/observability/slo?platformId={a}"),
            admin.clone(),
        ),
        (
            "alerts",
            "/api/observability/alerts".into(),
            operator.clone(),
        ),
    ];
    let latencies: Vec<Mutex<Vec<u32>>> = routes.iter().map(|_| Mutex::new(Vec::new())).collect();
    let errors = AtomicU64::new(0);
    let sent = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let rss = Arc::new(Mutex::new(vec![rss_kib(pid)]));
    let started = Instant::now();
    std::thread::scope(|s| {
        let rss_sampler = rss.clone();
        let stop_ref = &stop;
        s.spawn(move || {
            while !stop_ref.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_secs(1));
                rss_sampler.lock().expect("rss").push(rss_kib(pid));
            }
        });
        for client in 0..CLIENTS {
            let (routes, latencies, errors, sent, stop, get) =
                (&routes, &latencies, &errors, &sent, &stop, &get);
            s.spawn(move || {
                let mut at = client;
                while !stop.load(Ordering::Relaxed) {
                    let n = sent.fetch_add(1, Ordering::Relaxed);
                    if n >= MAX_REQUESTS || started.elapsed() > Duration::from_secs(MAX_SECONDS) {
                        stop.store(true, Ordering::Relaxed);
                        break;
                    }
                    let route = at % routes.len();
                    let (name, path, token) = &routes[route];
                    at += 1;
                    let t = Instant::now();
                    let (status, _) = get(path, token);
                    let micros = t.elapsed().as_micros().min(u32::MAX as u128) as u32;
                    if status != 200 {
                        errors.fetch_add(1, Ordering::Relaxed);
                        eprintln!("{name}: {status}");
                    }
                    latencies[route].lock().expect("latencies").push(micros);
                }
            });
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let rss = rss.lock().expect("rss").clone();
    println!(
        "{CLIENTS} clients, {elapsed:.1} s, store {}",
        store.display()
    );
    println!(
        "{:<22} {:>8} {:>8} {:>9} {:>9}",
        "route", "requests", "req/s", "p50 ms", "p99 ms"
    );
    let mut total = 0;
    for ((name, _, _), lat) in routes.iter().zip(&latencies) {
        let mut lat = lat.lock().expect("latencies").clone();
        lat.sort_unstable();
        let q = |p: f64| {
            lat.get(((lat.len() as f64 - 1.0) * p).round() as usize)
                .map_or(0.0, |&v| v as f64 / 1000.0)
        };
        total += lat.len();
        println!(
            "{name:<22} {:>8} {:>8.1} {:>9.1} {:>9.1}",
            lat.len(),
            lat.len() as f64 / elapsed,
            q(0.5),
            q(0.99)
        );
    }
    println!("{:<22} {total:>8} {:>8.1}", "all", total as f64 / elapsed);
    // One sample a second: every fifth, to see whether it levels off or keeps growing.
    let timeline: Vec<String> = rss
        .iter()
        .step_by(5)
        .map(|kib| format!("{}", kib / 1024))
        .collect();
    println!(
        "server RSS, MiB every 5 s: {} (max {})",
        timeline.join(" "),
        rss.iter().max().copied().unwrap_or(0) / 1024
    );
    let errors = errors.load(Ordering::Relaxed);
    println!("errors: {errors}");
    assert_eq!(errors, 0, "every answer must be 200");
}
