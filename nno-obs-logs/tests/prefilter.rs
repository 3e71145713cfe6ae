//! The text prefilter (lines skipped unparsed when they cannot hold the text) never changes
//! what a search finds or what it reports: each case below, and a fuzz, compare the search
//! with the prefilter against the definition (every line parsed, every entry matched).

mod common;

use common::build::gzip;
use nno_obs_logs::entry::Entry;
use nno_obs_logs::prefilter::Prefilter;
use nno_obs_logs::reader::{read_entries, FileReport};
use nno_obs_logs::search::search_file;
use nno_obs_logs::{LogQuery, Matcher};
use proptest::prelude::*;

fn text_query(text: &str) -> LogQuery {
    LogQuery {
        text: Some(text.into()),
        ..Default::default()
    }
}

/// The definition: every line parsed, every entry matched.
fn reference(file: &[u8], query: &LogQuery) -> (Vec<Entry>, FileReport) {
    let matcher = Matcher::new(query);
    let mut found = Vec::new();
    let report = read_entries(file, |entry| {
        if matcher.matches(&entry) {
            found.push(entry);
        }
    });
    (found, report)
}

/// The search (with its prefilter), plain and gzipped; both must agree with the definition.
fn searched(file: &[u8], query: &LogQuery) -> (Vec<Entry>, FileReport) {
    let matcher = Matcher::new(query);
    let mut results = [file.to_vec(), gzip(file)].map(|bytes| {
        let found = search_file("f", &bytes[..], &matcher, None, usize::MAX - 1, false);
        let mut hits = found.hits.into_sorted();
        hits.sort_by_key(|hit| (hit.key.line, hit.key.entry));
        let entries: Vec<Entry> = hits.into_iter().map(|hit| hit.entry).collect();
        (entries, found.report)
    });
    let [plain, gzipped] = &mut results;
    assert_eq!(plain.0, gzipped.0);
    assert_eq!(plain.1, gzipped.1);
    results[0].clone()
}

/// Asserts that the search agrees with the definition on `file` for `text`, and returns how
/// many entries match.
fn agree(file: &[u8], text: &str) -> usize {
    let query = text_query(text);
    let (expected, expected_report) = reference(file, &query);
    let (found, report) = searched(file, &query);
    assert_eq!(
        found,
        expected,
        "text {text:?} on {}",
        String::from_utf8_lossy(file)
    );
    assert_eq!(report, expected_report, "text {text:?}");
    found.len()
}

fn skipped(line: &str, text: &str) -> bool {
    !Prefilter::new(&text_query(text)).may_match(line.as_bytes())
}

/// A record with one log whose `Message` is `message` (raw JSON).
fn record(message: &str) -> String {
    format!(
        r#"{{"ScriptName":"k3m9p2xw7q-auth-prod","Outcome":"ok","EventTimestampMs":1771756440000,"Event":{{"RayID":"8b2e","Request":{{"URL":"https://a.example/x","Method":"GET"}},"Response":{{"Status":200}}}},"Logs":[{{"Level":"log","Message":[{message}],"TimestampMs":1771756440001}}],"Exceptions":[]}}"#
    ) + "\n"
}

/// Our `LogEntry` line with `message` and one more member `field`, as `Message[0]`.
fn ours(message: &str, field: &str) -> String {
    let inner = serde_json::json!({"timestamp": "2026-02-22T10:34:00.123Z", "level": "warn",
        "service": "registry", "traceId": "t1", "message": message, "query": field})
    .to_string();
    serde_json::to_string(&inner).unwrap()
}

#[test]
fn a_plain_line_without_the_text_is_skipped_and_its_entries_counted() {
    let line = record(&ours("Request handled", "SELECT 1"));
    assert!(skipped(&line, "D1 query slow"));
    assert_eq!(agree(line.as_bytes(), "D1 query slow"), 0);
    let (_, report) = searched(line.as_bytes(), &text_query("D1 query slow"));
    assert_eq!((report.records, report.entries), (1, 1));
}

#[test]
fn a_case_folded_match_is_found() {
    let line = record(&ours("D1 query slow", "SELECT 1"));
    assert!(!skipped(&line, "d1 QUERY Slow"));
    assert_eq!(agree(line.as_bytes(), "d1 QUERY Slow"), 1);
}

#[test]
fn a_match_only_in_a_field_value_is_found() {
    let line = record(&ours("Request handled", "SELECT * FROM events"));
    assert_eq!(agree(line.as_bytes(), "from EVENTS"), 1);
}

#[test]
fn a_text_behind_a_unicode_escape_is_found() {
    // `D` spelled `\u0044` in the record (level 1), and in our line inside it (level 2).
    let level_one = record(&ours("D1 query slow", "x")).replace("D1", "\\u00441");
    let level_two = record(&ours("D1 query slow", "x")).replace("D1", "\\\\u00441");
    for line in [&level_one, &level_two] {
        assert!(!line.contains("D1"));
        assert!(!skipped(line, "d1 query"));
        assert_eq!(agree(line.as_bytes(), "d1 query"), 1, "{line}");
    }
}

#[test]
fn a_kelvin_sign_or_dotted_capital_i_matches_ascii() {
    // U+212A lowercases to `k`, U+0130 to `i` + U+0307: neither is `k`/`i` in the raw bytes.
    let line = record(&ours("\u{212A}ilo \u{130}tem", "x"));
    assert!(!skipped(&line, "kilo"));
    assert_eq!(agree(line.as_bytes(), "kilo"), 1);
    assert_eq!(agree(line.as_bytes(), "i"), 1);
}

#[test]
fn texts_built_from_several_parts_are_found() {
    // Arguments joined by a space; a number re-rendered as compact JSON.
    let joined = record(r#""disk","full""#);
    assert_eq!(agree(joined.as_bytes(), "disk full"), 1);
    let number = record(r#""took",1.50"#);
    assert_eq!(agree(number.as_bytes(), "took 1.5"), 1);
    // An exception is `Name: Message`.
    let exception = r#"{"Outcome":"exception","Logs":[],"Exceptions":[{"Name":"TypeError","Message":"x is undefined"}]}"#;
    assert_eq!(agree(exception.as_bytes(), "typeerror: x"), 1);
    // A silent failure is `invocation ended: {Outcome}`.
    let silent = "{\"Outcome\":\"exceededCpu\",\"Logs\":[],\"Exceptions\":[]}\n";
    assert!(!skipped(silent, "ended: exceeded"));
    assert_eq!(agree(silent.as_bytes(), "ended: exceeded"), 1);
    // Our line's non-string member, by its raw JSON.
    let inner = r#"{"timestamp":"2026-02-22T10:34:00.123Z","level":"info","service":"s","message":"m","durationMs":240}"#;
    let line = record(&serde_json::to_string(inner).unwrap());
    assert_eq!(agree(line.as_bytes(), "240"), 1);
}

#[test]
fn damaged_lines_are_reported_as_without_the_prefilter() {
    let good = record(&ours("Request handled", "x"));
    let mut bad_utf8 = record(&ours("caf__ au lait D1 query slow", "x")).into_bytes();
    let at = bad_utf8.windows(2).position(|w| w == b"__").unwrap();
    bad_utf8[at] = 0xC3;
    bad_utf8[at + 1] = 0xFF;
    let mut bad_utf8_no_match = record(&ours("caf__ au lait", "x")).into_bytes();
    bad_utf8_no_match[at] = 0xC3;
    bad_utf8_no_match[at + 1] = 0xFF;
    let not_json = b"{\"Logs\":[{\"Message\":[\"x\"]}],\"Outcome\":tru}\n".to_vec();
    let duplicate =
        b"{\"Logs\":[{\"Message\":[\"x\"]}],\"Outcome\":\"ok\",\"Outcome\":\"ok\"}\n".to_vec();
    let exponent = b"{\"Logs\":[{\"Message\":[\"x\"]}],\"EventTimestampMs\":1e999}\n".to_vec();
    let cut = good.as_bytes()[..good.len() / 2].to_vec();
    let mut file = Vec::new();
    for part in [
        good.as_bytes(),
        &bad_utf8,
        &bad_utf8_no_match,
        b"\n",
        &not_json,
        &duplicate,
        &exponent,
        good.as_bytes(),
        &cut,
    ] {
        file.extend_from_slice(part);
    }
    assert_eq!(agree(&file, "D1 query slow"), 1);
    let (_, report) = searched(&file, &text_query("D1 query slow"));
    assert_eq!(report.repaired_lines, 2);
    assert_eq!(report.bad_lines, 3);
    assert_eq!(report.blank_lines, 1);
    assert!(report.truncated_tail);
}

#[test]
fn texts_json_may_escape_are_not_prefiltered() {
    // `/` may be written `\/`; a quote or backslash is always escaped.
    let line = record(&ours("a/b", "x")).replace("a/b", "a\\\\\\/b");
    assert!(!skipped(&line, "q/b"));
    assert_eq!(agree(line.as_bytes(), "a/b"), 1);
    assert!(!skipped(&record("\"x\""), "\"y"));
}

/// A string of a small alphabet, so that needles often meet it, with the characters that JSON
/// escapes and that case folding treats specially.
fn arb_text() -> impl Strategy<Value = String> {
    "[abdAB1 :,./\"\\\\\u{212A}\u{130}\té\n]{0,10}"
}

/// A Message array: our line, plain text, several arguments, a number, nothing, not a list.
fn arb_message() -> impl Strategy<Value = String> {
    let ours = (arb_text(), arb_text(), any::<u8>()).prop_map(|(message, field, n)| {
        let inner = serde_json::json!({"timestamp": "2026-02-22T10:34:00.123Z", "level": "info",
            "service": "s", "message": message, "field": field, "n": n})
        .to_string();
        format!("[{}]", serde_json::to_string(&inner).unwrap())
    });
    let text = arb_text().prop_map(|t| format!("[{}]", serde_json::to_string(&t).unwrap()));
    let two = (arb_text(), arb_text()).prop_map(|(a, b)| {
        format!(
            "[{},{}]",
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        )
    });
    prop_oneof![
        4 => ours,
        2 => text,
        1 => two,
        1 => Just(r#"["b",1.50]"#.to_owned()),
        1 => Just(r#"[{"b": 1, "a": [1, 2]}]"#.to_owned()),
        1 => Just("[]".to_owned()),
        1 => Just(r#""a b""#.to_owned()),
    ]
}

fn arb_line() -> impl Strategy<Value = Vec<u8>> {
    let log = (arb_message(), prop_oneof![Just("log"), Just("error")])
        .prop_map(|(message, level)| format!(r#"{{"Level":"{level}","Message":{message}}}"#));
    let exceptions = prop_oneof![
        3 => Just("[]".to_owned()),
        1 => (arb_text(), arb_text()).prop_map(|(name, message)| format!(
            r#"[{{"Name":{},"Message":{}}}]"#,
            serde_json::to_string(&name).unwrap(),
            serde_json::to_string(&message).unwrap()
        )),
    ];
    (
        proptest::collection::vec(log, 0..3),
        exceptions,
        prop_oneof![Just("ok"), Just("exceededCpu")],
        0..8u8,
    )
        .prop_map(|(logs, exceptions, outcome, damage)| {
            let line = format!(
                r#"{{"ScriptName":"k3m9p2xw7q-auth-prod","Outcome":"{outcome}","EventTimestampMs":1771756440000,"Logs":[{}],"Exceptions":{exceptions}}}"#,
                logs.join(",")
            );
            let mut line = match damage {
                // Letters spelled as \u escapes, in the record or in our line inside it.
                1 => line.replace('a', "\\u0061").into_bytes(),
                2 => line.replace('b', "\\\\u0062").into_bytes(),
                // Cut short, or not UTF-8.
                3 => line.as_bytes()[..line.len() / 2].to_vec(),
                4 => line.replacen('b', "\u{FFFD}", 1).replace('\u{FFFD}', "\u{1}").into_bytes(),
                5 => {
                    let mut bytes = line.into_bytes();
                    if let Some(at) = bytes.iter().position(|b| *b == b'b') {
                        bytes[at] = 0xFF;
                    }
                    bytes
                }
                _ => line.into_bytes(),
            };
            line.push(b'\n');
            line
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// Whatever the records hold (escapes at either level, exceptions, joined arguments,
    /// damage) and whatever the text, the search finds and reports exactly what the
    /// definition does.
    #[test]
    fn the_text_prefilter_never_changes_a_search(
        lines in proptest::collection::vec(arb_line(), 1..4),
        text in "[abdAB1 :,./\"\\\\kKi\u{212A}é]{1,3}",
    ) {
        let file = lines.concat();
        let query = text_query(&text);
        let (expected, expected_report) = reference(&file, &query);
        let (found, report) = searched(&file, &query);
        prop_assert_eq!(found, expected);
        prop_assert_eq!(report, expected_report);
    }
}
