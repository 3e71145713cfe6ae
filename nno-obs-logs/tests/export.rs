//! `logs export` writes each entry as a one-entry record; reading that record gives back the
//! same entry — time, level, ids, service, feature, platform, record facts — for every kind.

use nno_obs_logs::entry::{entries_of_record, EntryKind};
use nno_obs_logs::export::record_of;
use nno_obs_logs::search::search_file;
use nno_obs_logs::{LogQuery, Matcher};
use nno_obs_store::record::TraceEventRecord;

fn record(json: &str) -> TraceEventRecord {
    serde_json::from_str(json).unwrap()
}

/// Records with every kind of entry: our lines (one with extra arguments), console text,
/// an exception, a silent invocation that did not end ok.
fn records() -> Vec<TraceEventRecord> {
    let line = |at: &str, level: &str, message: &str| {
        serde_json::json!({
            "timestamp": at, "level": level, "service": "analytics", "traceId": "tr-1",
            "requestId": "rq-1", "userId": "u-1", "featureId": "analytics", "message": message,
        })
        .to_string()
    };
    vec![
        record(
            &serde_json::json!({
                "ScriptName": "k3m9p2xw7q-r8n4t6y1z5-analytics-prod", "Outcome": "ok",
                "EventTimestampMs": 1_771_756_440_000u64, "EventType": "fetch",
                "Event": {"RayID": "ray1", "Request": {"URL": "https://x/a", "Method": "GET"},
                          "Response": {"Status": 500}},
                "Logs": [
                    {"Level": "log", "Message": [line("2026-02-22T10:34:00.123Z", "error", "boom")],
                     "TimestampMs": 1_771_756_440_124u64},
                    {"Level": "log", "Message": [line("2026-02-22T10:34:00.200Z", "info", "with args"), {"a": 1}, 2],
                     "TimestampMs": 1_771_756_440_200u64},
                    {"Level": "warn", "Message": ["plain", "text", 3], "TimestampMs": 1_771_756_440_300u64},
                    {"Level": "debug", "Message": [], "TimestampMs": 1_771_756_440_301u64},
                ],
            })
            .to_string(),
        ),
        record(
            r#"{"ScriptName":"nno-registry-prod","Outcome":"exception","EventTimestampMs":1771756441000,
               "Exceptions":[{"Name":"TypeError","Message":"x is undefined","TimestampMs":1771756441002},
                             {"Message":"no name"}]}"#,
        ),
        record(r#"{"ScriptName":"nno-registry-prod","Outcome":"exceededCpu","EventTimestampMs":1771756442000,"Ray":"r2"}"#),
    ]
}

#[test]
fn every_kind_of_entry_reads_back_as_itself() {
    let mut kinds = Vec::new();
    for original in records() {
        for entry in entries_of_record(&original) {
            kinds.push(entry.kind);
            assert_eq!(entries_of_record(&record_of(&entry)), [entry]);
        }
    }
    for kind in [
        EntryKind::Line,
        EntryKind::Text,
        EntryKind::Exception,
        EntryKind::Outcome,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} not covered");
    }
}

#[test]
fn a_search_over_the_written_records_finds_the_entries_by_trace_and_time() {
    let entries: Vec<_> = records().iter().flat_map(entries_of_record).collect();
    let file: String = entries
        .iter()
        .map(|e| serde_json::to_string(&record_of(e)).unwrap() + "\n")
        .collect();
    let query = LogQuery {
        trace_id: Some("tr-1".into()),
        from_ms: Some(1_771_756_440_000),
        to_ms: Some(1_771_756_441_000),
        ..LogQuery::default()
    };
    let found = search_file(
        "export.json",
        file.as_bytes(),
        &Matcher::new(&query),
        None,
        100,
        false,
    );
    let messages: Vec<String> = found
        .hits
        .into_sorted()
        .into_iter()
        .map(|hit| hit.entry.message)
        .collect();
    assert_eq!(messages, ["boom", "with args"]);
}
