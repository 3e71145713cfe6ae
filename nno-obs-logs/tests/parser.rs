//! Every shape of input the world sends, each with its decided outcome (see `reader` and
//! `entry` module docs), and a fuzz of the parser.

mod common;

use common::build::gzip;
use nno_obs_logs::entry::{Entry, EntryKind};
use nno_obs_logs::reader::{read_entries, FileReport};
use nno_obs_logs::{Level, LocalSearch, LogQuery, Matcher};
use proptest::prelude::*;

const OURS: &str = r#"{\"timestamp\":\"2026-02-22T10:34:00.123Z\",\"level\":\"warn\",\"service\":\"auth\",\"traceId\":\"tr-1\",\"requestId\":\"rq-1\",\"message\":\"Permission denied\",\"userId\":\"u-1\",\"permission\":\"Billing.Write\"}"#;

fn read(bytes: &[u8]) -> (Vec<Entry>, FileReport) {
    let mut entries = Vec::new();
    let report = read_entries(bytes, |e| entries.push(e));
    (entries, report)
}

fn record(logs: &str) -> String {
    format!(
        r#"{{"ScriptName":"k3m9p2xw7q-auth-prod","Outcome":"ok","EventTimestampMs":1771756440000,"Logs":[{logs}],"Exceptions":[]}}"#
    )
}

#[test]
fn our_line_is_read_with_its_fields() {
    let (entries, report) = read(
        record(&format!(
            r#"{{"Level":"log","Message":["{OURS}"],"TimestampMs":1771756440999}}"#
        ))
        .as_bytes(),
    );
    assert!(!report.has_problems());
    let e = &entries[0];
    assert_eq!(e.kind, EntryKind::Line);
    assert_eq!(e.level, Level::Warn); // the line's level, not the console's "log"
    assert_eq!(e.time_ms, Some(1_771_756_440_123)); // the line's timestamp first
    assert_eq!(
        (e.trace_id.as_deref(), e.user_id.as_deref()),
        (Some("tr-1"), Some("u-1"))
    );
    assert_eq!(e.service.as_deref(), Some("auth"));
    assert_eq!(e.feature.as_deref(), Some("auth")); // from the script name
    assert_eq!(e.platform.as_deref(), Some("k3m9p2xw7q"));
    assert_eq!(e.message, "Permission denied");
}

#[test]
fn plain_text_is_an_entry_with_the_consoles_level() {
    let (entries, _) = read(
        record(r#"{"Level":"error","Message":["something broke"],"TimestampMs":1771756440500}"#)
            .as_bytes(),
    );
    let e = &entries[0];
    assert_eq!(
        (e.kind, e.level, e.message.as_str()),
        (EntryKind::Text, Level::Error, "something broke")
    );
    assert_eq!(e.time_ms, Some(1_771_756_440_500));
    assert_eq!(e.trace_id, None);
    for (console, level) in [
        ("log", Level::Info),
        ("info", Level::Info),
        ("debug", Level::Debug),
        ("warn", Level::Warn),
        ("trace", Level::Info),
    ] {
        let (entries, _) =
            read(record(&format!(r#"{{"Level":"{console}","Message":["x"]}}"#)).as_bytes());
        assert_eq!(entries[0].level, level, "{console}");
    }
}

#[test]
fn several_arguments_are_joined_as_the_console_prints_them() {
    let (entries, _) =
        read(record(r#"{"Level":"log","Message":["user",42,{"a":[1,2]},null,true]}"#).as_bytes());
    assert_eq!(entries[0].message, r#"user 42 {"a":[1,2]} null true"#);
    // Our line with extra arguments stays ours; the extra ones are searchable.
    let (entries, _) = read(
        record(&format!(
            r#"{{"Level":"log","Message":["{OURS}","extra-arg"]}}"#
        ))
        .as_bytes(),
    );
    assert_eq!(entries[0].kind, EntryKind::Line);
    let text = Matcher::new(&LogQuery {
        text: Some("EXTRA-arg".into()),
        ..Default::default()
    });
    assert!(text.matches(&entries[0]));
}

#[test]
fn json_that_is_not_ours_is_text_without_a_trace() {
    let foreign = r#"{\"traceId\":\"tr-1\",\"msg\":\"pino-style\",\"level\":30}"#;
    let (entries, _) = read(
        record(&format!(
            r#"{{"Level":"log","Message":["{foreign}"],"TimestampMs":7}}"#
        ))
        .as_bytes(),
    );
    let e = &entries[0];
    assert_eq!(e.kind, EntryKind::Text);
    assert_eq!(e.trace_id, None);
    assert!(e.message.contains("pino-style"));
    let by_trace = Matcher::new(&LogQuery {
        trace_id: Some("tr-1".into()),
        ..Default::default()
    });
    assert!(
        !by_trace.matches(e),
        "a trace search does not return foreign lines"
    );
    // Our keys with a level that is not one of ours: not ours either.
    let (entries, _) = read(record(r#"{"Level":"log","Message":["{\"timestamp\":\"x\",\"level\":\"fatal\",\"service\":\"s\",\"message\":\"m\"}"]}"#).as_bytes());
    assert_eq!(entries[0].kind, EntryKind::Text);
}

#[test]
fn exceptions_without_a_log_line_are_error_entries() {
    let line = r#"{"ScriptName":"nno-registry-prod","Outcome":"exception","EventTimestampMs":1000,"Logs":[],
        "Exceptions":[{"Name":"TypeError","Message":"x is undefined","TimestampMs":1005},{"Message":"no name"}]}"#;
    let (entries, _) = read(line.replace('\n', " ").as_bytes());
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (entries[0].kind, entries[0].level),
        (EntryKind::Exception, Level::Error)
    );
    assert_eq!(entries[0].message, "TypeError: x is undefined");
    assert_eq!(entries[0].time_ms, Some(1005));
    assert_eq!(entries[1].message, "no name");
    assert_eq!(entries[1].time_ms, Some(1000)); // falls back to EventTimestampMs
    assert_eq!(entries[0].service.as_deref(), Some("registry"));
    assert_eq!(entries[0].record.outcome, "exception");
}

#[test]
fn outcomes_other_than_ok() {
    // Silent death: one entry so it can be found.
    let (entries, _) = read(br#"{"ScriptName":"nno-registry-prod","Outcome":"exceededCpu","EventTimestampMs":9,"Logs":[],"Exceptions":[]}"#);
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0].kind, entries[0].level),
        (EntryKind::Outcome, Level::Error)
    );
    assert_eq!(entries[0].message, "invocation ended: exceededCpu");
    // With logs: the logs are the entries; the outcome rides along.
    let (entries, _) =
        read(br#"{"Outcome":"canceled","Logs":[{"Level":"log","Message":["started"]}]}"#);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].record.outcome, "canceled");
    // Ok and nothing: no entry.
    let (entries, report) = read(br#"{"Outcome":"ok","Logs":[],"Exceptions":[]}"#);
    assert!(entries.is_empty());
    assert_eq!(report.records, 1);
}

#[test]
fn a_truncated_last_record_is_dropped_and_reported() {
    let good = record(r#"{"Level":"log","Message":["first"]}"#);
    let cut = &record(r#"{"Level":"log","Message":["second"]}"#)[..40];
    let (entries, report) = read(format!("{good}\n{cut}").as_bytes());
    assert_eq!(entries.len(), 1);
    assert!(report.truncated_tail);
    assert_eq!(report.bad_lines, 0);
    // A whole last record without its newline is kept.
    let (entries, report) = read(good.as_bytes());
    assert_eq!(entries.len(), 1);
    assert!(!report.truncated_tail);
    // A bad line in the middle is counted, with its offset, and the rest read.
    let (entries, report) = read(format!("{good}\nnot json\n{good}\n").as_bytes());
    assert_eq!(entries.len(), 2);
    assert_eq!(report.bad_lines, 1);
    assert_eq!(report.first_bad_line_offset, Some(good.len() as u64 + 1));
}

#[test]
fn invalid_utf8_is_repaired_and_counted() {
    let mut bytes = record(r#"{"Level":"log","Message":["caf__ au lait"]}"#).into_bytes();
    let at = bytes.windows(2).position(|w| w == b"__").unwrap();
    bytes[at] = 0xC3; // a lone lead byte
    bytes[at + 1] = 0xFF; // never valid
    let (entries, report) = read(&bytes);
    assert_eq!(report.repaired_lines, 1);
    assert_eq!(entries[0].message, "caf\u{FFFD}\u{FFFD} au lait");
}

#[test]
fn a_one_megabyte_line_is_read() {
    let big = "x".repeat(1 << 20);
    let (entries, report) =
        read(record(&format!(r#"{{"Level":"log","Message":["{big}"]}}"#)).as_bytes());
    assert!(!report.has_problems());
    assert_eq!(entries[0].message.len(), 1 << 20);
}

#[test]
fn blank_lines_are_skipped() {
    let good = record(r#"{"Level":"log","Message":["a"]}"#);
    let (entries, report) = read(format!("\n\n{good}\n   \r\n\t\n{good}\n\n").as_bytes());
    assert_eq!(entries.len(), 2);
    assert_eq!(report.blank_lines, 5);
    assert!(!report.has_problems());
}

#[test]
fn concatenated_gzip_members_are_one_stream() {
    let a = record(r#"{"Level":"log","Message":["from member one"]}"#) + "\n";
    let b = record(r#"{"Level":"log","Message":["from member two"]}"#) + "\n";
    let mut both = gzip(a.as_bytes());
    both.extend(gzip(b.as_bytes()));
    let (entries, report) = read(&both);
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].message, "from member two");
    assert!(!report.has_problems());
}

#[test]
fn a_corrupt_gzip_keeps_what_came_before_and_says_where() {
    let mut lines = String::new();
    for n in 0..2000 {
        lines.push_str(&record(&format!(
            r#"{{"Level":"log","Message":["line {n} {}"]}}"#,
            n * 7919 % 1000
        )));
        lines.push('\n');
    }
    let mut bytes = gzip(lines.as_bytes());
    let middle = bytes.len() / 2;
    for byte in &mut bytes[middle..middle + 64] {
        *byte ^= 0x5A;
    }
    let (entries, report) = read(&bytes);
    let damage = report.corrupt.clone().expect("reported");
    assert!(
        damage.offset > 0 && damage.offset <= bytes.len() as u64,
        "{damage:?}"
    );
    assert!(
        !entries.is_empty() && entries.len() < 2000,
        "{}",
        entries.len()
    );
    // In a search, the damaged file is reported with its path and the others still searched.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("damaged.json.gz"), &bytes).unwrap();
    std::fs::write(dir.path().join("good.json.gz"), gzip(lines.as_bytes())).unwrap();
    let page = LocalSearch::paths(&[dir.path().to_path_buf()])
        .unwrap()
        .run(
            &LogQuery {
                text: Some("line 1999 ".into()),
                ..Default::default()
            },
            None,
            10,
        );
    assert_eq!(page.hits.len(), 1);
    // Shown by the path given and the file's name in it.
    let shown = |name: &str| format!("{}/{name}", dir.path().display());
    assert_eq!(page.hits[0].key.file, shown("good.json.gz"));
    assert_eq!(page.problems.len(), 1);
    assert_eq!(page.problems[0].0, shown("damaged.json.gz"));
    assert!(page.problems[0].1.corrupt.is_some());
}

#[test]
fn entry_time_falls_back_line_then_log_then_event() {
    let with = |logs: &str, event: &str| {
        let line = format!(r#"{{"Outcome":"ok"{event},"Logs":[{logs}]}}"#);
        read(line.as_bytes()).0[0].time_ms
    };
    assert_eq!(
        with(
            &format!(r#"{{"Message":["{OURS}"],"TimestampMs":5}}"#),
            r#","EventTimestampMs":9"#
        ),
        Some(1_771_756_440_123)
    );
    let bad_ts = OURS.replace("2026-02-22T10:34:00.123Z", "yesterday");
    assert_eq!(
        with(
            &format!(r#"{{"Message":["{bad_ts}"],"TimestampMs":5}}"#),
            r#","EventTimestampMs":9"#
        ),
        Some(5)
    );
    assert_eq!(
        with(r#"{"Message":["x"]}"#, r#","EventTimestampMs":9"#),
        Some(9)
    );
    assert_eq!(with(r#"{"Message":["x"]}"#, ""), None);
}

/// A Trace Events record built from arbitrary pieces, some well-formed and some not.
fn arb_record() -> impl Strategy<Value = String> {
    let text = prop_oneof![
        any::<String>(),
        Just(OURS.replace("\\\"", "\"")),
        Just("{\"level\":\"info\"".to_owned()),
        "[a-z{}\\[\\]\":,0-9 ]{0,40}",
    ];
    let value = prop_oneof![
        text.clone().prop_map(serde_json::Value::String),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        Just(serde_json::Value::Null),
        Just(serde_json::json!({"a": [1, {"b": null}]})),
    ];
    let log = (proptest::option::of("[a-z]{0,6}"), proptest::collection::vec(value.clone(), 0..4), proptest::option::of(value.clone()))
        .prop_map(|(level, message, ts)| serde_json::json!({"Level": level, "Message": message, "TimestampMs": ts}));
    (
        proptest::option::of(text.clone()),
        proptest::option::of(value.clone()),
        proptest::collection::vec(prop_oneof![log, value.clone()], 0..4),
        proptest::collection::vec(value, 0..3),
    )
        .prop_map(|(script, ts, logs, exceptions)| {
            serde_json::json!({"ScriptName": script, "Outcome": "exceededCpu", "EventTimestampMs": ts,
                "Logs": logs, "Exceptions": exceptions, "Event": {"RayID": 1, "Request": []}})
            .to_string()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// The trace/user prefilter never skips a line that has a matching entry, whatever the
    /// ids look like and however the JSON spells them (escapes included).
    #[test]
    fn the_prefilter_never_skips_a_match(
        trace in "[a-z0-9\\-\"/é\u{1}]{1,6}",
        wanted in "[a-z0-9\\-\"/é\u{1}]{1,6}",
        escape_all in any::<bool>(),
        same in any::<bool>(),
    ) {
        let wanted = if same { trace.clone() } else { wanted };
        let inner = serde_json::json!({"timestamp": "2026-02-22T10:34:00.000Z", "level": "info",
            "service": "s", "traceId": trace, "message": "m", "userId": trace}).to_string();
        // Optionally spell every character of the line as a \u escape (legal JSON).
        let message = if escape_all {
            let escaped: String = inner.encode_utf16().map(|unit| format!("\\u{unit:04x}")).collect();
            format!("\"{escaped}\"")
        } else {
            serde_json::to_string(&inner).unwrap()
        };
        let line = format!(r#"{{"Outcome":"ok","Logs":[{{"Level":"log","Message":[{message}]}}]}}"#);
        for query in [
            LogQuery { trace_id: Some(wanted.clone()), ..Default::default() },
            LogQuery { user_id: Some(wanted.clone()), ..Default::default() },
        ] {
            let (entries, _) = read(line.as_bytes());
            let matches = entries.iter().any(|e| Matcher::new(&query).matches(e));
            prop_assert!(!same || matches, "the line parses and its own id matches");
            if matches {
                prop_assert!(nno_obs_logs::prefilter::Prefilter::new(&query).may_match(line.as_bytes()));
            }
        }
    }

    /// Arbitrary bytes, plain and gzipped: no panic, and the counts add up.
    #[test]
    fn any_bytes_are_read_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let (entries, report) = read(&bytes);
        prop_assert_eq!(entries.len() as u64, report.entries);
        let (_, report) = read(&gzip(&bytes));
        prop_assert!(report.corrupt.is_none());
        let mut cut = gzip(&bytes);
        cut.truncate(cut.len() / 2);
        let _ = read(&cut);
    }

    /// Arbitrary records (wrong types everywhere): each line is one record, entries are as the
    /// shared definition says, and every query can be evaluated on them.
    #[test]
    fn any_record_shape_is_read(lines in proptest::collection::vec(arb_record(), 1..5)) {
        let file = lines.join("\n");
        let (entries, report) = read(file.as_bytes());
        prop_assert_eq!(report.records, lines.len() as u64);
        prop_assert_eq!(report.bad_lines, 0);
        let expected: usize = lines.iter().map(|l| {
            let record = serde_json::from_str(l).unwrap();
            nno_obs_store::entry::record_entry_keys(&record).len()
        }).sum();
        prop_assert_eq!(entries.len(), expected);
        let matcher = Matcher::new(&LogQuery { text: Some("a".into()), from_ms: Some(0), min_level: Some(Level::Warn), ..Default::default() });
        for entry in &entries {
            let _ = matcher.matches(entry);
        }
    }
}

/// Seed §2.4's own Logpush record, byte for byte: its `LogEntry` has no `timestamp`. It is
/// still our line (level, service, trace id from the line), timed by its log's `TimestampMs`,
/// and found by a trace search and by the index.
#[test]
fn the_seeds_logpush_record_is_our_line_timed_by_its_log() {
    let seed = r#"{
  "ScriptName": "k3m9p2xw7q-r8n4t6y1z5-analytics-prod",
  "Ray": "8b2e4f1a2b3c4d5e",
  "Outcome": "ok",
  "EventTimestampMs": 1740220440123,
  "Logs": [
    {
      "Level": "log",
      "Message": [
        "{\"traceId\":\"abc\",\"service\":\"analytics\",\"level\":\"info\",\"message\":\"GET /api/data 200\",\"http\":{\"durationMs\":45}}"
      ],
      "TimestampMs": 1740220440100
    }
  ]
}"#;
    // Logpush writes one record a line.
    let compact =
        serde_json::to_string(&serde_json::from_str::<serde_json::Value>(seed).unwrap()).unwrap();
    let (entries, report) = read(compact.as_bytes());
    assert!(!report.has_problems());
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(e.kind, EntryKind::Line);
    assert_eq!(e.time_ms, Some(1_740_220_440_100)); // the log's TimestampMs
    assert_eq!(e.level, Level::Info);
    assert_eq!(e.service.as_deref(), Some("analytics"));
    assert_eq!(e.feature.as_deref(), Some("analytics"));
    assert_eq!(e.platform.as_deref(), Some("k3m9p2xw7q"));
    assert_eq!(e.trace_id.as_deref(), Some("abc"));
    assert_eq!(e.message, "GET /api/data 200");
    assert_eq!(e.record.ray.as_deref(), Some("8b2e4f1a2b3c4d5e"));
    let by_trace = Matcher::new(&LogQuery {
        trace_id: Some("abc".into()),
        from_ms: Some(1_740_220_440_100),
        to_ms: Some(1_740_220_440_101),
        ..Default::default()
    });
    assert!(by_trace.matches(e));
    // The index agrees: the trace id is indexed and the entry is timed.
    let parsed: nno_obs_store::record::TraceEventRecord = serde_json::from_str(seed).unwrap();
    let keys = nno_obs_store::entry::record_entry_keys(&parsed);
    assert_eq!(keys[0].time_ms, Some(1_740_220_440_100));
    assert_eq!(keys[0].trace_id.as_deref(), Some("abc"));
    // A `timestamp` that is there but not a string still makes the line not ours.
    let (entries, _) = read(record(r#"{"Level":"log","Message":["{\"timestamp\":5,\"level\":\"info\",\"service\":\"s\",\"message\":\"m\"}"],"TimestampMs":7}"#).as_bytes());
    assert_eq!(entries[0].kind, EntryKind::Text);
}
