//! Generated Logpush files for the benchmarks: a fleet of platforms over simulated hours,
//! written as Trace Events records by the local store (gzip on rotation, index sidecars).

use nno_obs::{fields, LogEntry, LogLevel};
use nno_obs_store::fs::LocalStore;
use nno_obs_store::layout::ScriptName;
use nno_obs_store::record::{
    Event, EventRequest, EventResponse, Outcome, TraceEventRecord, TraceLog,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// 2026-02-22T00:00:00Z.
pub const START_MS: u64 = 1_771_718_400_000;

/// The trace id of invocation `n` (what the lookup benchmark looks for).
pub fn trace_id(n: u64) -> String {
    format!("{:032x}", n.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// A store of `platforms` platforms × `seconds` simulated seconds at one request per second
/// per platform (plus the core services they call), under `target/nno-obs-bench/`; generated
/// once and reused. Returns its root and its uncompressed size in bytes.
pub fn fleet(platforms: u64, seconds: u64) -> (PathBuf, u64) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/nno-obs-bench")
        .join(format!("fleet-{platforms}p-{seconds}s"));
    let done = root.join("GENERATED");
    if let Ok(size) = std::fs::read_to_string(&done) {
        if let Ok(size) = size.trim().parse() {
            return (root, size);
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    let store = Arc::new(LocalStore::open(&root).expect("bench store"));
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let total: u64 = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|worker| {
                let store = store.clone();
                scope.spawn(move || write_part(&store, platforms, seconds, worker, threads))
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).sum()
    });
    store.close().expect("rotate");
    std::fs::write(&done, total.to_string()).expect("marker");
    (root, total)
}

fn platform_id(p: u64) -> String {
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..10)
        .map(|i| alphabet[((p * 7 + i * 13 + p / 36) % 36) as usize] as char)
        .collect()
}

fn write_part(store: &LocalStore, platforms: u64, seconds: u64, worker: u64, workers: u64) -> u64 {
    let mut written = 0;
    let scripts: Vec<Vec<ScriptName>> = (0..platforms)
        .map(|p| {
            let id = platform_id(p);
            [
                "auth-prod".to_owned(),
                "r8n4t6y1z5-analytics-prod".to_owned(),
                "r8n4t6y1z5-billing-export-prod".to_owned(),
            ]
            .iter()
            .map(|tail| ScriptName::parse(&format!("{id}-{tail}")).expect("script"))
            .collect()
        })
        .collect();
    let gateway = ScriptName::parse("nno-gateway-prod").expect("script");
    let mut line = Vec::with_capacity(1024);
    for second in (worker..seconds).step_by(workers as usize) {
        for p in 0..platforms {
            let n = second * platforms + p;
            let at = START_MS + second * 1000 + (n * 37) % 1000;
            let trace = trace_id(n);
            let platform = platform_id(p);
            let script = &scripts[p as usize][(n % 3) as usize];
            let user = format!("user-{}", n % 5000);
            let mut logs = Vec::with_capacity(3);
            let mut push =
                |offset: u64, level: LogLevel, message: &str, fields: &[nno_obs::Field<'_>]| {
                    line.clear();
                    LogEntry {
                        timestamp_ms: at + offset,
                        level,
                        service: script.feature().unwrap_or("x"),
                        trace_id: Some(&trace),
                        request_id: Some("9f1c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b"),
                        message,
                        fields,
                    }
                    .write_ndjson(&mut line);
                    logs.push(TraceLog {
                        level: Some(
                            if level == LogLevel::Error {
                                "error"
                            } else {
                                "log"
                            }
                            .to_owned(),
                        ),
                        message: vec![serde_json::Value::String(
                            String::from_utf8_lossy(&line[..line.len() - 1]).into_owned(),
                        )],
                        timestamp_ms: Some(at + offset),
                    });
                };
            push(
                0,
                LogLevel::Info,
                "→ request",
                fields! { method: "GET", path: "/api/data" },
            );
            if n.is_multiple_of(50) {
                push(
                    20,
                    LogLevel::Warn,
                    "D1 query slow",
                    fields! { featureId: "analytics", query: "SELECT * FROM events WHERE day = ?", durationMs: 240 + n % 300 },
                );
            } else {
                push(
                    20,
                    LogLevel::Info,
                    "Request handled",
                    fields! { platformId: platform.as_str(), entityId: "r8n4t6y1z5", userId: user.as_str(), status: 200, durationMs: 12 + n % 80 },
                );
            }
            push(
                45,
                LogLevel::Info,
                "← response",
                fields! { method: "GET", path: "/api/data", status: 200, duration: 45 },
            );
            let record = TraceEventRecord {
                script_name: Some(script.as_str().to_owned()),
                outcome: Outcome::Ok,
                event_timestamp_ms: Some(at),
                event_type: Some("fetch".into()),
                event: Some(Event {
                    ray_id: Some(format!("{:016x}", n.wrapping_mul(0x2545_F491_4F6C_DD1D))),
                    request: Some(EventRequest {
                        url: Some(format!("https://{platform}.nno.app/api/data")),
                        method: Some("GET".into()),
                    }),
                    response: Some(EventResponse { status: Some(200) }),
                }),
                ray: None,
                logs,
                exceptions: Vec::new(),
            };
            written += serde_json::to_vec(&record).map_or(0, |v| v.len() as u64 + 1);
            store.append_record(script, &record).expect("append");
            if p == 0 {
                // The gateway in front of the platforms, in the internal bucket.
                let mut gateway_record = record.clone();
                gateway_record.script_name = Some(gateway.as_str().to_owned());
                written += serde_json::to_vec(&gateway_record).map_or(0, |v| v.len() as u64 + 1);
                store
                    .append_record(&gateway, &gateway_record)
                    .expect("append");
            }
        }
    }
    written
}
