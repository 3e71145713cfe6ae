//! The trace view places spans by their real start: steps that ran one after another within
//! one second are drawn one after another, in that order, from their own lines' milliseconds —
//! not overlapping at starts estimated from end seconds (seed §4.2 points are cut to the
//! second). The CLI's waterfall prints this view.

use nno_obs_api::handlers::traces::trace_view;
use nno_obs_api::local::LocalBackend;
use nno_obs_api::Target;
use nno_obs_store::fs::LocalStore;
use nno_obs_store::layout::ScriptName;
use nno_obs_store::record::TraceEventRecord;
use std::path::Path;

/// 2026-02-22T10:34:00Z.
const T: u64 = 1_771_756_440_000;
const TRACE: &str = "4a71e540-1776-47d4-bce4-1ea5676bb531";

/// A span point: `(span, parent, operation, end second as "10:34:SS", duration ms)`.
fn span_row(span: &str, parent: &str, operation: &str, end: &str, duration_ms: u32) -> String {
    format!(
        r#"{{"timestamp":"2026-02-22 {end}","index1":"{TRACE}","blob1":"{TRACE}","blob2":"{span}","blob3":"{parent}","blob4":"provisioning","blob5":"{operation}","blob6":"ok","blob7":"nno-internal","double1":{duration_ms},"double2":0,"_sample_interval":1}}"#
    )
}

/// A provisioning line `step started` of `step` at `T + at_ms`.
fn step_line(step: &str, at_ms: i64) -> serde_json::Value {
    let at = T.checked_add_signed(at_ms).unwrap();
    let time = nno_obs_api::time::format_ms(at);
    let line = serde_json::json!({
        "timestamp": time, "level": "info", "service": "provisioning", "traceId": TRACE,
        "message": "step started", "step": step,
    });
    serde_json::json!({"Level": "log", "Message": [line.to_string()], "TimestampMs": at})
}

/// A job (run-job, 10:34:00.100–01.000) of three steps that ran one after another inside the
/// second 10:34:00 — create-d1 300 ms, deploy-worker 300 ms (with a 50 ms CF API call of no
/// line of its own), configure-dns 250 ms — and an earlier configure-dns line that cannot be
/// this span's start (it would end before 10:34:00).
fn store(root: &Path) {
    let hour = root.join("analytics-engine/nno-core-ops-spans/2026-02-22/10");
    std::fs::create_dir_all(&hour).unwrap();
    let rows = [
        span_row("a0", "", "run-job", "10:34:01", 900),
        span_row("f1", "a0", "create-d1", "10:34:00", 300),
        span_row("b2", "a0", "deploy-worker", "10:34:00", 300),
        span_row("c4", "b2", "cf-api", "10:34:00", 50),
        span_row("a3", "a0", "configure-dns", "10:34:00", 250),
    ];
    std::fs::write(hour.join("points-a.json"), rows.join("\n")).unwrap();
    let record = serde_json::json!({
        "ScriptName": "nno-provisioning-prod",
        "Outcome": "ok",
        "EventTimestampMs": T - 2000,
        "EventType": "fetch",
        "Logs": [
            // Too early to be the start of a 250 ms span that ended in 10:34:00.
            step_line("configure-dns", -2000),
            step_line("run-job", 100),
            step_line("create-d1", 100),
            step_line("deploy-worker", 400),
            step_line("configure-dns", 700),
        ],
    });
    let record: TraceEventRecord = serde_json::from_value(record).unwrap();
    let store = LocalStore::open(root).unwrap();
    store
        .append_record(
            &ScriptName::parse("nno-provisioning-prod").unwrap(),
            &record,
        )
        .unwrap();
    store.close().unwrap();
}

#[test]
fn sub_second_steps_are_placed_one_after_another_by_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path());
    let backend = LocalBackend::new(dir.path());
    let target = Target::Everything(nno_obs_access::testing::operator());
    let view = pollster::block_on(trace_view(&backend, &target, TRACE, T + 3_600_000)).unwrap();
    let placed: Vec<(&str, f64, usize)> = view
        .spans
        .iter()
        .map(|s| (s.operation.as_str(), s.offset_ms, s.depth))
        .collect();
    assert_eq!(
        placed,
        [
            ("run-job", 0.0, 0),
            ("create-d1", 0.0, 1),
            ("deploy-worker", 300.0, 1),
            // No line of its own: its estimate (10:33:59.950) kept within its parent's start.
            ("cf-api", 300.0, 2),
            ("configure-dns", 600.0, 1),
        ]
    );
    let start = |operation: &str| {
        view.spans
            .iter()
            .find(|s| s.operation == operation)
            .map(|s| s.start.clone())
            .unwrap()
    };
    assert_eq!(start("deploy-worker"), "2026-02-22T10:34:00.400Z");
    assert_eq!(start("configure-dns"), "2026-02-22T10:34:00.700Z");
}
