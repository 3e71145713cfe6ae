//! A failing request's uncaught exception has no trace id of its own (Workers Trace Events
//! `Exceptions[]`), but it belongs to the invocation whose lines carry the trace: `/logs?traceId`
//! and `/traces/{traceId}` list it, with that trace id, after the request's lines (seed §4.3,
//! §7.3, §8.4).

use nno_obs_api::http::Request;
use nno_obs_api::jwt::{mint, Claims, JwtSecret};
use nno_obs_api::local::LocalBackend;
use nno_obs_api::Api;
use nno_obs_store::fs::LocalStore;
use nno_obs_store::layout::ScriptName;
use nno_obs_store::record::TraceEventRecord;
use std::path::Path;

/// 2026-02-22T10:34:00Z.
const T: u64 = 1_771_756_440_000;
const TRACE: &str = "4a71e540-1776-47d4-bce4-1ea5676bb531";

fn line(message: &str, trace: &str, at: u64) -> serde_json::Value {
    let line = serde_json::json!({
        "timestamp": nno_obs_api::time::format_ms(at), "level": "info", "service": "registry",
        "traceId": trace, "message": message,
    });
    serde_json::json!({"Level": "log", "Message": [line.to_string()], "TimestampMs": at})
}

/// The failing request of [`TRACE`] (two lines, then a `TypeError`), and another trace's
/// request that failed the same way.
fn store(root: &Path) {
    let store = LocalStore::open(root).unwrap();
    let script = ScriptName::parse("nno-registry-prod").unwrap();
    for (trace, at) in [(TRACE, T), ("tr-other", T + 5_000)] {
        let record = serde_json::json!({
            "ScriptName": "nno-registry-prod",
            "Outcome": "exception",
            "EventTimestampMs": at,
            "EventType": "fetch",
            "Logs": [line("→ request", trace, at + 1), line("lookup", trace, at + 2)],
            "Exceptions": [{"Name": "TypeError", "Message": format!("{trace} broke"), "TimestampMs": at + 3}],
        });
        let record: TraceEventRecord = serde_json::from_value(record).unwrap();
        store.append_record(&script, &record).unwrap();
    }
    store.close().unwrap();
}

fn get(api: &Api<LocalBackend>, target: &str) -> serde_json::Value {
    let secret = JwtSecret::new(b"test secret".to_vec()).unwrap();
    let token = mint(
        &Claims {
            sub: "test".into(),
            role: "operator".into(),
            platform_id: None,
            exp: (T / 1000) as i64 + 7200,
            nbf: None,
        },
        &secret,
    );
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let response = pollster::block_on(api.handle(&Request {
        method: "GET",
        path,
        query,
        authorization: Some(&format!("Bearer {token}")),
        ..Request::default()
    }));
    assert_eq!(response.status, 200, "{target}");
    serde_json::from_slice(&response.body).unwrap()
}

/// `(kind, message, traceId)` of each entry.
fn entries(list: &serde_json::Value) -> Vec<(String, String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
                e["traceId"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[test]
fn logs_and_trace_views_list_the_exception_of_the_trace() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path());
    let api = Api::new(
        LocalBackend::new(dir.path()).with_clock(Box::new(|| T + 600_000)),
        JwtSecret::new(b"test secret".to_vec()).unwrap(),
    );
    let expected = [
        ("line", "→ request"),
        ("line", "lookup"),
        (
            "exception",
            "TypeError: 4a71e540-1776-47d4-bce4-1ea5676bb531 broke",
        ),
    ]
    .map(|(kind, message)| (kind.to_owned(), message.to_owned(), TRACE.to_owned()));
    let logs = get(
        &api,
        &format!("/api/observability/logs?since=1h&traceId={TRACE}"),
    );
    assert_eq!(entries(&logs["entries"]), expected);
    let trace = get(&api, &format!("/api/observability/traces/{TRACE}"));
    assert_eq!(entries(&trace["logs"]), expected);
}
