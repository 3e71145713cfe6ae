//! Every behaviour the W3C Trace Context test suite (`w3c/trace-context`, `test/test.py`, run
//! at `STRICT_LEVEL=2 SPEC_LEVEL=2` by `scripts/w3c.sh`) checks, as our own tests: one test per
//! suite test, named after it, written from the spec's rules. CI has no copy of the suite (no
//! registry ships it), so these pin what it checks.
//!
//! The suite sends a request with some headers to a test service and asks it to call back; it
//! then reads the `traceparent` and `tracestate` of the callbacks. Here the "service" is the
//! pattern `tests/bin/w3c_service.rs` follows: `Obs::from_headers`, then one child span per
//! outgoing call and `with_trace_headers` on it. Every case runs through both native header
//! readers (a pair slice and an `http::HeaderMap`) and both must agree.

use nno_obs::sink::NullSink;
use nno_obs::{Obs, Telemetry};

const TRACE: &str = "12345678901234567890123456789012";
const PARENT: &str = "1234567890123456";
const TP_01: &str = "00-12345678901234567890123456789012-1234567890123456-01";
const TP_00: &str = "00-12345678901234567890123456789012-1234567890123456-00";

/// An outgoing `traceparent`, read as the harness reads it (version `00`, exactly four fields).
#[derive(Debug)]
struct Traceparent {
    trace_id: String,
    parent_id: String,
    flags: u8,
}

/// What one callback carried.
#[derive(Debug)]
struct Callback {
    traceparent: Traceparent,
    /// The `tracestate` members in order; a repeated key keeps its first value, as the
    /// harness's reader does.
    tracestate: Vec<(String, String)>,
    tracestate_text: String,
}

impl Callback {
    fn state(&self, key: &str) -> Option<&str> {
        self.tracestate
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn telemetry() -> Telemetry {
    Telemetry::builder()
        .log_sink(NullSink)
        .all_datasets(NullSink)
        .build()
}

/// The service receives `headers` and calls back `count` times.
fn make_request(headers: &[(&str, &str)], count: usize) -> Vec<Callback> {
    let from_pairs = calls(&Obs::from_headers(telemetry(), "w3c", headers), count);
    let mut map = http::HeaderMap::new();
    for (name, value) in headers {
        map.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            http::HeaderValue::from_str(value).unwrap(),
        );
    }
    let from_map = calls(&Obs::from_headers(telemetry(), "w3c", &map), count);
    // Both readers see the same context (span ids aside, which are fresh per call).
    for (pairs, map) in from_pairs.iter().zip(&from_map) {
        let continued = pairs.traceparent.trace_id == TRACE || map.traceparent.trace_id == TRACE;
        if continued {
            assert_eq!(pairs.traceparent.trace_id, map.traceparent.trace_id);
        }
        assert_eq!(pairs.traceparent.flags, map.traceparent.flags);
        assert_eq!(pairs.tracestate_text, map.tracestate_text);
    }
    from_pairs
}

fn calls(obs: &Obs, count: usize) -> Vec<Callback> {
    (0..count)
        .map(|_| {
            let call = obs.child("POST callback");
            read_callback(&call.with_trace_headers(Vec::new()))
        })
        .collect()
}

fn single(headers: &[(&str, &str)]) -> Callback {
    make_request(headers, 1).remove(0)
}

/// Reads the callback's headers as the harness does: exactly one valid `traceparent`, every
/// `tracestate` member valid.
fn read_callback(headers: &[(String, String)]) -> Callback {
    let traceparents: Vec<&str> = headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("traceparent"))
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(traceparents.len(), 1, "one traceparent: {headers:?}");
    let fields: Vec<&str> = traceparents[0].split('-').collect();
    let lower_hex = |s: &str, len: usize| {
        s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    assert_eq!(fields.len(), 4, "{traceparents:?}");
    assert_eq!(fields[0], "00");
    assert!(lower_hex(fields[1], 32) && fields[1] != "0".repeat(32));
    assert!(lower_hex(fields[2], 16) && fields[2] != "0".repeat(16));
    assert!(lower_hex(fields[3], 2));
    let traceparent = Traceparent {
        trace_id: fields[1].to_owned(),
        parent_id: fields[2].to_owned(),
        flags: u8::from_str_radix(fields[3], 16).unwrap(),
    };

    let mut tracestate: Vec<(String, String)> = Vec::new();
    let mut texts = Vec::new();
    for (_, value) in headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("tracestate"))
    {
        texts.push(value.clone());
        for member in value.split(',').map(|m| m.trim_matches([' ', '\t'])) {
            if member.is_empty() {
                continue;
            }
            let (key, value) = member.split_once('=').expect("a member has '='");
            assert!(is_key(key), "a valid key: {key:?}");
            assert!(is_value(value), "a valid value: {value:?}");
            if !tracestate.iter().any(|(k, _)| k == key) {
                tracestate.push((key.to_owned(), value.to_owned()));
            }
        }
    }
    Callback {
        traceparent,
        tracestate,
        tracestate_text: texts.join(","),
    }
}

fn is_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    (1..=256).contains(&bytes.len())
        && matches!(bytes[0], b'a'..=b'z' | b'0'..=b'9')
        && bytes
            .iter()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'*' | b'/' | b'@'))
}

fn is_value(value: &str) -> bool {
    (1..=256).contains(&value.len())
        && !value.ends_with(' ')
        && value
            .bytes()
            .all(|b| (0x20..=0x7e).contains(&b) && b != b',' && b != b'=')
}

/// A trace the service started itself: neither the given id nor any part of it.
fn assert_new_trace(callback: &Callback, not: &str) {
    assert_ne!(callback.traceparent.trace_id, not);
    assert_ne!(callback.traceparent.trace_id, TRACE);
}

// ---- TraceContextTest -------------------------------------------------------------------

/// Suite: TraceContextTest.test_both_traceparent_and_tracestate_missing
#[test]
fn test_both_traceparent_and_tracestate_missing() {
    let callback = single(&[]);
    assert!(callback.tracestate.is_empty());
}

/// Suite: TraceContextTest.test_traceparent_included_tracestate_missing
#[test]
fn test_traceparent_included_tracestate_missing() {
    let callback = single(&[("traceparent", TP_01)]);
    assert_eq!(callback.traceparent.trace_id, TRACE);
    assert_ne!(callback.traceparent.parent_id, PARENT);
}

/// Suite: TraceContextTest.test_traceparent_duplicated
#[test]
fn test_traceparent_duplicated() {
    let callback = single(&[
        (
            "traceparent",
            "00-12345678901234567890123456789011-1234567890123456-01",
        ),
        ("traceparent", TP_01),
    ]);
    assert_new_trace(&callback, "12345678901234567890123456789011");
}

/// Suite: TraceContextTest.test_traceparent_header_name
#[test]
fn test_traceparent_header_name() {
    for name in ["trace-parent", "trace.parent"] {
        assert_new_trace(&single(&[(name, TP_01)]), TRACE);
    }
}

/// Suite: TraceContextTest.test_traceparent_header_name_valid_casing
#[test]
fn test_traceparent_header_name_valid_casing() {
    for name in ["TraceParent", "TrAcEpArEnT", "TRACEPARENT"] {
        assert_eq!(
            single(&[(name, TP_01)]).traceparent.trace_id,
            TRACE,
            "{name}"
        );
    }
}

/// Suite: TraceContextTest.test_traceparent_version_0x00
#[test]
fn test_traceparent_version_0x00() {
    for value in [
        "00-12345678901234567890123456789012-1234567890123456-01.",
        "00-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like",
    ] {
        assert_new_trace(&single(&[("traceparent", value)]), TRACE);
    }
}

/// Suite: TraceContextTest.test_traceparent_version_0xcc
#[test]
fn test_traceparent_version_0xcc() {
    for value in [
        "cc-12345678901234567890123456789012-1234567890123456-01",
        "cc-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like",
    ] {
        let callback = single(&[("traceparent", value)]);
        assert_eq!(callback.traceparent.trace_id, TRACE, "{value}");
    }
    let value =
        "cc-12345678901234567890123456789012-1234567890123456-01.what-the-future-will-be-like";
    assert_new_trace(&single(&[("traceparent", value)]), TRACE);
}

/// Suite: TraceContextTest.test_traceparent_version_0xff
#[test]
fn test_traceparent_version_0xff() {
    let value = "ff-12345678901234567890123456789012-1234567890123456-01";
    assert_new_trace(&single(&[("traceparent", value)]), TRACE);
}

/// Suite: TraceContextTest.test_traceparent_version_illegal_characters
#[test]
fn test_traceparent_version_illegal_characters() {
    for value in [
        ".0-12345678901234567890123456789012-1234567890123456-01",
        "0.-12345678901234567890123456789012-1234567890123456-01",
    ] {
        assert_new_trace(&single(&[("traceparent", value)]), TRACE);
    }
}

/// Suite: TraceContextTest.test_traceparent_version_too_long
#[test]
fn test_traceparent_version_too_long() {
    for value in [
        "000-12345678901234567890123456789012-1234567890123456-01",
        "0000-12345678901234567890123456789012-1234567890123456-01",
    ] {
        assert_new_trace(&single(&[("traceparent", value)]), TRACE);
    }
}

/// Suite: TraceContextTest.test_traceparent_version_too_short
#[test]
fn test_traceparent_version_too_short() {
    let value = "0-12345678901234567890123456789012-1234567890123456-01";
    assert_new_trace(&single(&[("traceparent", value)]), TRACE);
}

/// Suite: TraceContextTest.test_traceparent_trace_id_all_zero
#[test]
fn test_traceparent_trace_id_all_zero() {
    let value = "00-00000000000000000000000000000000-1234567890123456-01";
    assert_new_trace(
        &single(&[("traceparent", value)]),
        "00000000000000000000000000000000",
    );
}

/// Suite: TraceContextTest.test_traceparent_trace_id_illegal_characters
#[test]
fn test_traceparent_trace_id_illegal_characters() {
    for trace in [
        ".2345678901234567890123456789012",
        "1234567890123456789012345678901.",
    ] {
        let value = format!("00-{trace}-1234567890123456-01");
        assert_new_trace(&single(&[("traceparent", &value)]), trace);
    }
}

/// Suite: TraceContextTest.test_traceparent_trace_id_too_long
#[test]
fn test_traceparent_trace_id_too_long() {
    let value = "00-123456789012345678901234567890123-1234567890123456-01";
    let callback = single(&[("traceparent", value)]);
    assert_new_trace(&callback, "123456789012345678901234567890123");
    assert_ne!(
        callback.traceparent.trace_id,
        "23456789012345678901234567890123"
    );
}

/// Suite: TraceContextTest.test_traceparent_trace_id_too_short
#[test]
fn test_traceparent_trace_id_too_short() {
    let value = "00-1234567890123456789012345678901-1234567890123456-01";
    assert_new_trace(
        &single(&[("traceparent", value)]),
        "1234567890123456789012345678901",
    );
}

/// Suite: TraceContextTest.test_traceparent_parent_id_all_zero
#[test]
fn test_traceparent_parent_id_all_zero() {
    let value = "00-12345678901234567890123456789012-0000000000000000-01";
    assert_new_trace(&single(&[("traceparent", value)]), TRACE);
}

/// Suite: TraceContextTest.test_traceparent_parent_id_illegal_characters
#[test]
fn test_traceparent_parent_id_illegal_characters() {
    for value in [
        "00-12345678901234567890123456789012-.234567890123456-01",
        "00-12345678901234567890123456789012-123456789012345.-01",
    ] {
        assert_new_trace(&single(&[("traceparent", value)]), TRACE);
    }
}

/// Suite: TraceContextTest.test_traceparent_parent_id_too_long
#[test]
fn test_traceparent_parent_id_too_long() {
    let value = "00-12345678901234567890123456789012-12345678901234567-01";
    assert_new_trace(&single(&[("traceparent", value)]), TRACE);
}

/// Suite: TraceContextTest.test_traceparent_parent_id_too_short
#[test]
fn test_traceparent_parent_id_too_short() {
    let value = "00-12345678901234567890123456789012-123456789012345-01";
    assert_new_trace(&single(&[("traceparent", value)]), TRACE);
}

/// Suite: TraceContextTest.test_traceparent_trace_flags_illegal_characters
#[test]
fn test_traceparent_trace_flags_illegal_characters() {
    for value in [
        "00-12345678901234567890123456789012-1234567890123456-.0",
        "00-12345678901234567890123456789012-1234567890123456-0.",
    ] {
        assert_new_trace(&single(&[("traceparent", value)]), TRACE);
    }
}

/// Suite: TraceContextTest.test_traceparent_trace_flags_too_long
#[test]
fn test_traceparent_trace_flags_too_long() {
    let value = "00-12345678901234567890123456789012-1234567890123456-001";
    assert_new_trace(&single(&[("traceparent", value)]), TRACE);
}

/// Suite: TraceContextTest.test_traceparent_trace_flags_too_short
#[test]
fn test_traceparent_trace_flags_too_short() {
    let value = "00-12345678901234567890123456789012-1234567890123456-1";
    assert_new_trace(&single(&[("traceparent", value)]), TRACE);
}

/// Suite: TraceContextTest.test_traceparent_ows_handling
#[test]
fn test_traceparent_ows_handling() {
    for value in [
        format!(" {TP_01}"),
        format!("\t{TP_01}"),
        format!("{TP_01} "),
        format!("{TP_01}\t"),
        format!("\t {TP_01} \t"),
    ] {
        let callback = single(&[("traceparent", &value)]);
        assert_eq!(callback.traceparent.trace_id, TRACE, "{value:?}");
    }
}

/// Suite: TraceContextTest.test_tracestate_included_traceparent_missing
#[test]
fn test_tracestate_included_traceparent_missing() {
    let one = single(&[("tracestate", "foo=1")]);
    let two = single(&[("tracestate", "foo=1,bar=2")]);
    assert_eq!(one.tracestate.len(), two.tracestate.len());
    // Without a traceparent the tracestate is discarded.
    assert!(one.tracestate.is_empty() && two.tracestate.is_empty());
}

/// Suite: TraceContextTest.test_tracestate_included_traceparent_included
#[test]
fn test_tracestate_included_traceparent_included() {
    let callback = single(&[("traceparent", TP_00), ("tracestate", "foo=1,bar=2")]);
    assert_eq!(callback.traceparent.trace_id, TRACE);
    assert_eq!(callback.state("foo"), Some("1"));
    assert_eq!(callback.state("bar"), Some("2"));
}

/// Suite: TraceContextTest.test_tracestate_header_name
#[test]
fn test_tracestate_header_name() {
    for name in ["trace-state", "trace.state"] {
        let callback = single(&[("traceparent", TP_00), (name, "foo=1")]);
        assert_eq!(callback.state("foo"), None, "{name}");
    }
}

/// Suite: TraceContextTest.test_tracestate_header_name_valid_casing
#[test]
fn test_tracestate_header_name_valid_casing() {
    for name in ["TraceState", "TrAcEsTaTe", "TRACESTATE"] {
        let callback = single(&[("traceparent", TP_00), (name, "foo=1")]);
        assert_eq!(callback.state("foo"), Some("1"), "{name}");
    }
}

/// Suite: TraceContextTest.test_tracestate_empty_header
#[test]
fn test_tracestate_empty_header() {
    let callback = single(&[("traceparent", TP_00), ("tracestate", "")]);
    assert_eq!(callback.traceparent.trace_id, TRACE);
    // An empty tracestate is not sent on.
    assert_eq!(callback.tracestate_text, "");

    for headers in [
        [
            ("traceparent", TP_00),
            ("tracestate", "foo=1"),
            ("tracestate", ""),
        ],
        [
            ("traceparent", TP_00),
            ("tracestate", ""),
            ("tracestate", "foo=1"),
        ],
    ] {
        let callback = single(&headers);
        assert_eq!(callback.traceparent.trace_id, TRACE);
        assert_eq!(callback.state("foo"), Some("1"));
    }
}

/// Suite: TraceContextTest.test_tracestate_multiple_headers_different_keys
#[test]
fn test_tracestate_multiple_headers_different_keys() {
    let callback = single(&[
        ("traceparent", TP_00),
        ("tracestate", "foo=1,bar=2"),
        ("tracestate", "rojo=1,congo=2"),
        ("tracestate", "baz=3"),
    ]);
    assert_eq!(callback.traceparent.trace_id, TRACE);
    let text = &callback.tracestate_text;
    let at = |member: &str| {
        text.find(member)
            .unwrap_or_else(|| panic!("{member} in {text}"))
    };
    assert!(at("foo=1") < at("bar=2"));
    assert!(at("bar=2") < at("rojo=1"));
    assert!(at("rojo=1") < at("congo=2"));
    assert!(at("congo=2") < at("baz=3"));
}

/// Suite: TraceContextTest.test_tracestate_duplicated_keys
#[test]
fn test_tracestate_duplicated_keys() {
    let cases: [&[(&str, &str)]; 4] = [
        &[("traceparent", TP_00), ("tracestate", "foo=1,foo=1")],
        &[("traceparent", TP_00), ("tracestate", "foo=1,foo=2")],
        &[
            ("traceparent", TP_00),
            ("tracestate", "foo=1"),
            ("tracestate", "foo=1"),
        ],
        &[
            ("traceparent", TP_00),
            ("tracestate", "foo=1"),
            ("tracestate", "foo=2"),
        ],
    ];
    for headers in cases {
        let callback = single(headers);
        assert_eq!(callback.traceparent.trace_id, TRACE);
        // The suite accepts either value; we keep the first and send the key once.
        assert_eq!(callback.tracestate_text, "foo=1", "{headers:?}");
    }
}

/// Suite: TraceContextTest.test_tracestate_all_allowed_characters
#[test]
fn test_tracestate_all_allowed_characters() {
    let key_without_vendor: String = ('a'..='z').chain('0'..='9').chain("_-*/".chars()).collect();
    let key_with_vendor = format!("{key_without_vendor}@a-z0-9_-*/");
    let value: String = (0x20u8..=0x2b)
        .chain(0x2d..=0x3c)
        .chain(0x3e..=0x7e)
        .map(char::from)
        .collect();
    for key in [key_without_vendor, key_with_vendor] {
        let member = format!("{key}={value}");
        let callback = single(&[("traceparent", TP_00), ("tracestate", &member)]);
        assert_eq!(callback.state(&key), Some(value.as_str()), "{key}");
    }
}

/// Suite: TraceContextTest.test_tracestate_ows_handling
#[test]
fn test_tracestate_ows_handling() {
    for value in [
        "foo=1 \t , \t bar=2, \t baz=3",
        "foo=1\t \t,\t \tbar=2,\t \tbaz=3",
    ] {
        let callback = single(&[("traceparent", TP_00), ("tracestate", value)]);
        assert_eq!(callback.state("foo"), Some("1"), "{value:?}");
        assert_eq!(callback.state("bar"), Some("2"), "{value:?}");
        assert_eq!(callback.state("baz"), Some("3"), "{value:?}");
    }
    for value in [" foo=1", "\tfoo=1", "foo=1 ", "foo=1\t", "\t foo=1 \t"] {
        let callback = single(&[("traceparent", TP_00), ("tracestate", value)]);
        assert_eq!(callback.traceparent.trace_id, TRACE);
        assert_eq!(callback.state("foo"), Some("1"), "{value:?}");
    }
}

/// Suite: TraceContextTest.test_tracestate_key_illegal_characters
#[test]
fn test_tracestate_key_illegal_characters() {
    for (value, key) in [
        ("foo =1", "foo "),
        ("FOO=1", "FOO"),
        ("foo.bar=1", "foo.bar"),
    ] {
        let callback = single(&[("traceparent", TP_00), ("tracestate", value)]);
        assert_eq!(callback.state(key), None, "{value:?}");
        assert!(callback.tracestate.is_empty(), "{value:?}");
    }
}

/// Suite: TraceContextTest.test_tracestate_key_illegal_vendor_format
#[test]
fn test_tracestate_key_illegal_vendor_format() {
    for key in ["foo@", "foo@@bar", "foo@bar@baz"] {
        let value = format!("{key}=1,bar=2");
        let callback = single(&[("traceparent", TP_00), ("tracestate", &value)]);
        assert_eq!(callback.state(key), Some("1"), "{value}");
        assert_eq!(callback.state("bar"), Some("2"), "{value}");
    }
    let callback = single(&[("traceparent", TP_00), ("tracestate", "@foo=1,bar=2")]);
    assert_eq!(callback.state("bar"), None);
}

/// Suite: TraceContextTest.test_tracestate_member_count_limit
#[test]
fn test_tracestate_member_count_limit() {
    let members = |range: std::ops::RangeInclusive<u32>| {
        range
            .map(|i| format!("bar{i:02}={i:02}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let (a, b, c) = (members(1..=10), members(11..=20), members(21..=30));
    let thirty_two = members(31..=32);
    let callback = single(&[
        ("traceparent", TP_00),
        ("tracestate", &a),
        ("tracestate", &b),
        ("tracestate", &c),
        ("tracestate", &thirty_two),
    ]);
    assert_eq!(callback.state("bar01"), Some("01"));
    assert_eq!(callback.tracestate.len(), 32);

    let thirty_three = members(31..=33);
    let callback = single(&[
        ("traceparent", TP_00),
        ("tracestate", &a),
        ("tracestate", &b),
        ("tracestate", &c),
        ("tracestate", &thirty_three),
    ]);
    assert_eq!(callback.state("bar01"), None);
}

/// Suite: TraceContextTest.test_tracestate_key_length_limit
#[test]
fn test_tracestate_key_length_limit() {
    let kept = [
        "z".repeat(256),
        format!("{}@{}", "t".repeat(241), "v".repeat(14)),
        format!("{}@v", "t".repeat(242)),
        format!("t@{}", "v".repeat(15)),
    ];
    for key in kept {
        let member = format!("{key}=1");
        let callback = single(&[
            ("traceparent", TP_00),
            ("tracestate", "foo=1"),
            ("tracestate", &member),
        ]);
        assert_eq!(callback.state("foo"), Some("1"), "{key}");
        assert_eq!(callback.state(&key), Some("1"), "{key}");
    }
    let too_long = format!("{}=1", "z".repeat(257));
    let callback = single(&[
        ("traceparent", TP_00),
        ("tracestate", "foo=1"),
        ("tracestate", &too_long),
    ]);
    assert_eq!(callback.state("foo"), None);
}

/// Suite: TraceContextTest.test_tracestate_value_illegal_characters
#[test]
fn test_tracestate_value_illegal_characters() {
    let callback = single(&[("traceparent", TP_00), ("tracestate", "foo=bar=baz")]);
    assert_eq!(callback.state("foo"), None);
    let callback = single(&[("traceparent", TP_00), ("tracestate", "foo=,bar=3")]);
    assert_eq!(callback.state("foo"), None);
    assert_eq!(callback.state("bar"), None);
}

// ---- AdvancedTest -----------------------------------------------------------------------

fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> usize {
    values.collect::<std::collections::HashSet<_>>().len()
}

/// Suite: AdvancedTest.test_multiple_requests_with_valid_traceparent
#[test]
fn test_multiple_requests_with_valid_traceparent() {
    let callbacks = make_request(&[("traceparent", TP_01)], 3);
    let traces = callbacks.iter().map(|c| c.traceparent.trace_id.as_str());
    assert_eq!(traces.collect::<Vec<_>>(), [TRACE; 3]);
    assert_eq!(
        distinct(callbacks.iter().map(|c| c.traceparent.parent_id.as_str())),
        3
    );
}

/// Suite: AdvancedTest.test_multiple_requests_without_traceparent
#[test]
fn test_multiple_requests_without_traceparent() {
    let callbacks = make_request(&[], 3);
    assert_eq!(
        distinct(callbacks.iter().map(|c| c.traceparent.parent_id.as_str())),
        3
    );
    // One request, one trace.
    assert_eq!(
        distinct(callbacks.iter().map(|c| c.traceparent.trace_id.as_str())),
        1
    );
}

/// Suite: AdvancedTest.test_multiple_requests_with_illegal_traceparent
#[test]
fn test_multiple_requests_with_illegal_traceparent() {
    let value = "00-00000000000000000000000000000000-1234567890123456-01";
    let callbacks = make_request(&[("traceparent", value)], 3);
    for callback in &callbacks {
        assert_ne!(
            callback.traceparent.trace_id,
            "00000000000000000000000000000000"
        );
    }
    assert_eq!(
        distinct(callbacks.iter().map(|c| c.traceparent.parent_id.as_str())),
        3
    );
}

// ---- TraceContext2Test ------------------------------------------------------------------

/// Suite: TraceContext2Test.test_propagates_random_flag
#[test]
fn test_propagates_random_flag() {
    let value = "00-12345678901234567890123456789012-1234567890123456-02";
    let callback = single(&[("traceparent", value)]);
    assert_eq!(callback.traceparent.trace_id, TRACE);
    assert_ne!(callback.traceparent.parent_id, PARENT);
    assert_eq!(callback.traceparent.flags & 0x02, 0x02, "random flag kept");
}

// ---- Beyond the suite: the NNO trace id beside the W3C context ----------------------------

const W3C_TP: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const W3C_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

#[test]
fn an_x_trace_id_of_another_trace_keeps_our_lines_and_continues_the_w3c_trace() {
    for nno_id in ["tr_abc123", "0af76519-16cd-43dd-8448-eb211c80319c"] {
        let (telemetry, memory, _) = nno_obs_tests::memory_telemetry(None);
        let obs = Obs::from_headers(
            telemetry,
            "gateway",
            &[
                ("x-trace-id", nno_id),
                ("traceparent", W3C_TP),
                ("tracestate", "rojo=00f067aa0ba902b7"),
            ],
        );
        // Our lines and span points keep the NNO id; the caller's span is not in our trace.
        assert_eq!(obs.trace_id(), nno_id);
        assert_eq!(obs.parent_span_id(), None);
        obs.info("hello", &[]);
        assert_eq!(memory.lines_with_trace(nno_id).len(), 1);

        let call = obs.child("GET registry").start_span();
        let headers = call.obs().with_trace_headers(Vec::new());
        let span = call.obs().span_id();
        call.end(nno_obs::SpanOutcome::Ok);
        assert_eq!(memory.points_in("nno-core-ops-spans")[0].blobs[0], nno_id);

        // The call carries the NNO id on x-trace-id and continues the W3C trace.
        assert_eq!(header(&headers, "x-trace-id"), Some(nno_id));
        let expected = format!("00-{W3C_TRACE}-{span}-01");
        assert_eq!(header(&headers, "traceparent"), Some(expected.as_str()));
        assert_eq!(
            header(&headers, "tracestate"),
            Some("rojo=00f067aa0ba902b7")
        );
    }
}

#[test]
fn a_matching_x_trace_id_is_one_trace_with_the_caller_as_parent() {
    let obs = Obs::from_headers(
        telemetry(),
        "gateway",
        &[
            ("x-trace-id", "4bf92f35-77b3-4da6-a3ce-929d0e0e4736"),
            ("traceparent", W3C_TP),
        ],
    );
    assert_eq!(
        obs.parent_span_id().map(|s| s.to_string()).as_deref(),
        Some("00f067aa0ba902b7")
    );
    let headers = obs.with_trace_headers(Vec::new());
    let expected = format!("00-{W3C_TRACE}-{}-01", obs.span_id());
    assert_eq!(header(&headers, "traceparent"), Some(expected.as_str()));
}

#[test]
fn a_rejected_x_trace_id_does_not_break_the_w3c_chain() {
    let obs = Obs::from_headers(
        telemetry(),
        "gateway",
        &[("x-trace-id", "bad id\r\n"), ("traceparent", W3C_TP)],
    );
    assert_ne!(obs.trace_id(), W3C_TRACE);
    let headers = obs.with_trace_headers(Vec::new());
    assert!(header(&headers, "traceparent").is_some_and(|tp| tp.contains(W3C_TRACE)));
}

#[test]
fn flags_keep_the_defined_bits_clear_the_reserved_ones_and_always_say_sampled() {
    for (incoming, sent) in [
        ("00", "01"),
        ("01", "01"),
        ("02", "03"),
        ("03", "03"),
        ("ff", "03"),
        ("fc", "01"),
    ] {
        let value = format!("00-{W3C_TRACE}-00f067aa0ba902b7-{incoming}");
        let obs = Obs::from_headers(telemetry(), "gateway", &[("traceparent", value.as_str())]);
        let headers = obs.with_trace_headers(Vec::new());
        let traceparent = header(&headers, "traceparent").unwrap();
        assert_eq!(&traceparent[53..], sent, "{incoming}");
    }
}

#[test]
fn a_worker_style_joined_traceparent_is_two_values_and_invalid() {
    // A Worker's Headers.get joins repeated headers with ", ".
    let joined = format!("{W3C_TP}, {W3C_TP}");
    let callback = single(&[("traceparent", &joined)]);
    assert_ne!(callback.traceparent.trace_id, W3C_TRACE);
}

#[test]
fn a_stale_tracestate_on_the_outgoing_headers_is_removed() {
    let obs = Obs::from_headers(telemetry(), "gateway", &[("x-trace-id", "tr_abc123")]);
    let stale = vec![
        ("tracestate".to_owned(), "old=1".to_owned()),
        ("traceparent".to_owned(), W3C_TP.to_owned()),
    ];
    let headers = obs.with_trace_headers(stale);
    assert_eq!(header(&headers, "tracestate"), None);
    // tr_abc123 has no hex form and nothing was received: the stale traceparent is replaced by
    // one in the W3C trace-id derived from tr_abc123.
    let derived = String::from_utf8(nno_obs::trace::w3c_trace_id("tr_abc123").to_vec()).unwrap();
    assert_eq!(
        header(&headers, "traceparent").map(|tp| tp[3..35].to_owned()),
        Some(derived)
    );
}

/// W3C Trace Context Level 2: a trace nno-obs starts (a fresh UUID v4 trace id) is sent with
/// the random flag (0x02) beside sampled; an id it received is sent without it, and received
/// flags are kept as they came (see the test above).
#[test]
fn a_trace_started_here_carries_the_random_flag_a_received_one_does_not() {
    let flags = |obs: &Obs| {
        let headers = obs.with_trace_headers(Vec::new());
        header(&headers, "traceparent").unwrap()[53..].to_owned()
    };
    // Started here: no incoming ids, a job with no request, a rejected x-trace-id.
    let fresh = Obs::from_headers(telemetry(), "gateway", &[] as &[(&str, &str)]);
    assert_eq!(flags(&fresh), "03");
    let call = fresh.child("GET registry").start_span();
    assert_eq!(flags(call.obs()), "03");
    call.end(nno_obs::SpanOutcome::Ok);
    assert_eq!(flags(&Obs::detached(telemetry(), "provisioning")), "03");
    let replaced = Obs::from_headers(telemetry(), "gateway", &[("x-trace-id", "bad id\r\n")]);
    assert_eq!(flags(&replaced), "03");
    // Received: an x-trace-id (random-looking or not) was not generated here.
    for incoming in ["4bf92f35-77b3-4da6-a3ce-929d0e0e4736", "tr_abc123"] {
        let obs = Obs::from_headers(telemetry(), "gateway", &[("x-trace-id", incoming)]);
        assert_eq!(flags(&obs), "01", "{incoming}");
    }
    // A callee of a trace started here keeps the caller's flags, random included.
    let outgoing = fresh.with_trace_headers(Vec::new());
    let pairs: Vec<(&str, &str)> = outgoing
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let callee = Obs::from_headers(telemetry(), "registry", pairs.as_slice());
    assert_eq!(callee.trace_id(), fresh.trace_id());
    assert_eq!(flags(&callee), "03");
}
