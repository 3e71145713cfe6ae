//! The platform latency alert (the `latencyP99ThresholdMs` extension of §6.2) measured from
//! stored `{platformId}-perf` points: the feature's p99 over the last 5 minutes.

use nno_obs_alerts::observe::{measure, NoJobLogs, Windows};
use nno_obs_alerts::rules::{evaluate, Configs};
use nno_obs_alerts::{AlertConfig, Category};
use nno_obs_query::memory::MemoryEngine;
use nno_obs_query::time_range::format_datetime;
use nno_obs_store::layout::DateHour;
use nno_obs_store::registry::{RegistryFile, RegistryPlatform};
use std::path::Path;

/// 2026-02-22 10:00:00 UTC.
const T0: i64 = 1_771_754_400;
const PLATFORM: &str = "k3m9p2xw7q";

/// `count` analytics requests in the minute before `T0 + 10 min`, each taking `ms`.
fn write_requests(root: &Path, count: usize, ms: f64) {
    let at = T0 + 9 * 60;
    let line = serde_json::json!({
        "timestamp": format_datetime(at), "index1": "analytics",
        "blob1": "analytics", "blob2": "GET /api/data", "blob3": "200", "blob4": "",
        "double1": 1, "double2": ms, "double3": 0, "_sample_interval": 1,
    })
    .to_string();
    let dir = root
        .join("analytics-engine")
        .join(format!("{PLATFORM}-perf"))
        .join(DateHour::of_unix_ms(at as u64 * 1000).folder());
    std::fs::create_dir_all(&dir).unwrap();
    let text: String = (0..count).map(|_| line.clone() + "\n").collect();
    std::fs::write(
        dir.join("points-33333333-3333-4333-8333-333333333333.json"),
        text,
    )
    .unwrap();
}

fn latency_alerts(count: usize, ms: f64) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    write_requests(dir.path(), count, ms);
    let registry = RegistryFile {
        platforms: vec![RegistryPlatform {
            platform_id: PLATFORM.into(),
            name: "AcmeCorp".into(),
            daily_invocation_limit: None,
        }],
    };
    let mut configs = Configs::new();
    configs.insert(PLATFORM.into(), AlertConfig::example()); // threshold 1000 ms
    let engine = MemoryEngine::new(dir.path());
    let at_ms = (T0 + 10 * 60) as u64 * 1000;
    let m = pollster::block_on(measure(
        &engine,
        &nno_obs_access::testing::operator(),
        &registry,
        &configs,
        &NoJobLogs,
        None,
        at_ms,
        &Windows::default(),
    ))
    .unwrap();
    evaluate(&m, &configs)
        .into_iter()
        .filter(|a| a.category == Category::WorkerLatency)
        .map(|a| a.id)
        .collect()
}

#[test]
fn a_slow_feature_worker_pages_its_admin() {
    assert_eq!(
        latency_alerts(30, 1_500.0),
        ["worker-latency/k3m9p2xw7q/analytics"]
    );
}

#[test]
fn a_fast_or_quiet_feature_worker_does_not() {
    assert!(latency_alerts(30, 900.0).is_empty());
    // 19 slow requests: under the volume floor.
    assert!(latency_alerts(19, 1_500.0).is_empty());
}
