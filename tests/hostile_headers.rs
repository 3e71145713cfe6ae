//! Hostile incoming ids: replaced, reported by length, never echoed or logged.

use nno_obs::{init_trace, Obs};
use nno_obs_tests::memory_telemetry;

fn is_uuid_v4(id: &str) -> bool {
    id.len() == 36
        && id.as_bytes()[14] == b'4'
        && id.bytes().enumerate().all(|(i, b)| {
            matches!(i, 8 | 13 | 18 | 23) == (b == b'-') && (b == b'-' || b.is_ascii_hexdigit())
        })
}

/// The rejected cases: (name, value).
fn hostile_values() -> Vec<(&'static str, String)> {
    vec![
        ("crlf", "abc\r\nx-admin: true".to_owned()),
        ("lf only", "abc\ninjected".to_owned()),
        ("quotes", "\"},{\"level\":\"error".to_owned()),
        ("space", "tr abc".to_owned()),
        ("empty", String::new()),
        ("overlong 129", "a".repeat(129)),
        ("4 KB", "A".repeat(4096)),
        ("slash", "tr/abc".to_owned()),
        ("non-ascii", "tr_é".to_owned()),
        ("nul", "tr\0abc".to_owned()),
    ]
}

#[test]
fn hostile_trace_ids_are_replaced_and_reported_by_length() {
    for (case, value) in hostile_values() {
        let (telemetry, memory, _) = memory_telemetry(None);
        let obs = Obs::from_headers(
            telemetry.clone(),
            "gateway",
            &[("x-trace-id", value.as_str())],
        );
        assert!(is_uuid_v4(obs.trace_id()), "{case}: {}", obs.trace_id());

        let warnings = memory.lines_with_message("invalid incoming id replaced");
        assert_eq!(warnings.len(), 1, "{case}");
        let warning = warnings[0].json();
        assert_eq!(warning["level"], "warn", "{case}");
        assert_eq!(warning["header"], "x-trace-id", "{case}");
        assert_eq!(warning["length"], value.len(), "{case}");
        assert_eq!(warning["traceId"], obs.trace_id(), "{case}");

        // Nothing of the value reaches any line or the outgoing headers.
        obs.info("after", &[]);
        let headers = obs.with_trace_headers(http::HeaderMap::new());
        assert_eq!(headers["x-trace-id"], obs.trace_id(), "{case}");
        if value.len() >= 3 {
            for line in memory.lines() {
                assert!(!line.text.contains(value.as_str()), "{case}: {}", line.text);
            }
        }
    }
}

#[test]
fn hostile_request_ids_are_replaced_too() {
    for (case, value) in hostile_values() {
        let ids = init_trace(&[
            ("x-trace-id", "tr_abc123"),
            ("x-request-id", value.as_str()),
        ]);
        assert_eq!(ids.trace_id, "tr_abc123", "{case}");
        assert!(is_uuid_v4(&ids.request_id), "{case}");
        assert_eq!(ids.rejected_request_id_len, Some(value.len()), "{case}");
        assert_eq!(ids.rejected_trace_id_len, None, "{case}");
    }
}

#[test]
fn the_edges_of_the_accepted_set() {
    let longest = "a".repeat(128);
    for value in [
        "a",
        "tr_abc123",
        "A-Z.a:z_0-9",
        longest.as_str(),
        "4bf92f35-77b3-4da6-a3ce-929d0e0e4736",
    ] {
        let ids = init_trace(&[("x-trace-id", value)]);
        assert_eq!(ids.trace_id, value);
        assert_eq!(ids.rejected_trace_id_len, None);
    }
}

#[test]
fn invalid_utf8_header_bytes_are_rejected() {
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "x-trace-id",
        http::HeaderValue::from_bytes(b"tr_\xff\xfe").unwrap(),
    );
    let ids = init_trace(&headers);
    assert!(is_uuid_v4(&ids.trace_id));
    assert_eq!(ids.rejected_trace_id_len, Some(5));
}

#[test]
fn absent_headers_generate_distinct_uuids_without_warnings() {
    let (telemetry, memory, _) = memory_telemetry(None);
    let obs = Obs::from_headers(telemetry, "gateway", &http::HeaderMap::new());
    assert!(is_uuid_v4(obs.trace_id()));
    assert!(is_uuid_v4(obs.request_id()));
    assert_ne!(obs.trace_id(), obs.request_id());
    assert!(memory.lines().is_empty());
}

#[test]
fn a_hostile_traceparent_is_ignored() {
    for value in [
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\nx: y",
        "00-\"},{-00f067aa0ba902b7-01",
        "garbage",
    ] {
        let ids = init_trace(&[("traceparent", value)]);
        assert!(is_uuid_v4(&ids.trace_id), "{value}");
        assert_eq!(ids.remote_parent, None);
    }
}

// ---- Hostile W3C trace context: the traceparent is continued, the tracestate has a defined
// ---- outcome (dropped whole, or cut by whole members), and nothing hostile goes out.

const TP: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/// The `tracestate` an outgoing call carries after a request with `tracestate` values
/// `states` (and a valid `traceparent`); checks the W3C trace is continued either way.
fn forwarded_tracestate(states: &[&str]) -> Option<String> {
    let mut headers = vec![("traceparent", TP)];
    headers.extend(states.iter().map(|state| ("tracestate", *state)));
    let (telemetry, _, _) = memory_telemetry(None);
    let obs = Obs::from_headers(telemetry, "gateway", headers.as_slice());
    let sent = obs.child("call").with_trace_headers(http::HeaderMap::new());
    assert!(sent["traceparent"]
        .to_str()
        .unwrap()
        .starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
    sent.get("tracestate")
        .map(|value| value.to_str().unwrap().to_owned())
}

#[test]
fn an_oversized_tracestate_is_cut_by_whole_members_to_512_bytes() {
    // 32 members of 100 bytes: 3,231 bytes in, the first 5 (504 bytes) out.
    let members: Vec<String> = (0..32)
        .map(|i| format!("k{i:02}={}", "v".repeat(96)))
        .collect();
    let sent = forwarded_tracestate(&[&members.join(",")]).unwrap();
    assert_eq!(sent, members[..5].join(","));
    assert!(sent.len() <= nno_obs::trace::MAX_TRACESTATE_BYTES);
}

#[test]
fn a_huge_tracestate_of_junk_is_dropped() {
    let junk = "x".repeat(64 * 1024);
    assert_eq!(forwarded_tracestate(&[&junk]), None);
    // Only separators: nothing to send.
    let commas = ",".repeat(64 * 1024);
    assert_eq!(forwarded_tracestate(&[&commas]), None);
}

#[test]
fn thirty_three_tracestate_members_drop_the_header() {
    let members: Vec<String> = (1..=33).map(|i| format!("k{i}=v")).collect();
    assert_eq!(forwarded_tracestate(&[&members.join(",")]), None);
    // Spread over several headers, too.
    let (first, rest) = members.split_at(16);
    assert_eq!(
        forwarded_tracestate(&[&first.join(","), &rest.join(",")]),
        None
    );
    assert_eq!(
        forwarded_tracestate(&[&members[..32].join(",")]).map(|s| s.split(',').count()),
        Some(32)
    );
}

#[test]
fn bad_tracestate_keys_drop_the_header() {
    let long_key = format!("{}=1", "k".repeat(257));
    for state in [
        "FOO=1",
        "foo =1",
        "@foo=1",
        "_foo=1",
        "foo.bar=1",
        "=1",
        "fóo=1",
        "foo",
        long_key.as_str(),
    ] {
        let with_good = format!("good=1,{state}");
        assert_eq!(forwarded_tracestate(&[&with_good]), None, "{state:?}");
    }
}

#[test]
fn bad_tracestate_values_drop_the_header() {
    let long_value = format!("foo={}", "v".repeat(257));
    for state in [
        "foo=",
        "foo=bar=baz",
        "foo=a\tb",
        // A JSON injection attempt: its second member has no `=`.
        "foo=\"},{\"level\":\"error\"",
        "foo=é",
        "foo=\u{7f}",
        long_value.as_str(),
    ] {
        let with_good = format!("good=1,{state}");
        assert_eq!(forwarded_tracestate(&[&with_good]), None, "{state:?}");
    }
    // Quotes and braces alone are printable ASCII: an opaque value, sent as it came.
    assert_eq!(
        forwarded_tracestate(&["q=\"{x}\""]).as_deref(),
        Some("q=\"{x}\"")
    );
}

#[test]
fn duplicate_tracestate_keys_keep_the_first_value() {
    assert_eq!(
        forwarded_tracestate(&["a=1,b=2,a=3", "b=4"]).as_deref(),
        Some("a=1,b=2")
    );
}

#[test]
fn cr_lf_in_tracestate_drops_it_and_never_reaches_a_header_or_a_line() {
    for state in [
        "foo=1\r\nx-admin: true",
        "foo=1\nbar=2",
        "foo=1\r",
        "foo=1\0",
    ] {
        let (telemetry, memory, _) = memory_telemetry(None);
        let headers = [("traceparent", TP), ("tracestate", state)];
        let obs = Obs::from_headers(telemetry, "gateway", &headers);
        obs.info("after", &[]);
        let sent = obs.with_trace_headers(Vec::<(String, String)>::new());
        assert!(
            sent.iter().all(|(name, _)| name != "tracestate"),
            "{state:?}"
        );
        for (_, value) in &sent {
            assert!(!value.contains(['\r', '\n', '\0']), "{state:?}");
        }
        for line in memory.lines() {
            assert!(!line.text.contains("x-admin"), "{state:?}");
        }
    }
}

#[test]
fn a_traceparent_sent_twice_starts_a_new_trace() {
    let ids = init_trace(&[("traceparent", TP), ("traceparent", TP)]);
    assert!(is_uuid_v4(&ids.trace_id));
    assert_eq!(ids.w3c, None);
    // As a Worker sees it: one value, joined.
    let joined = format!("{TP}, {TP}");
    let ids = init_trace(&[("traceparent", joined.as_str())]);
    assert_eq!(ids.w3c, None);
}

#[test]
fn an_x_trace_id_sent_twice_is_replaced_and_reported() {
    let (telemetry, memory, _) = memory_telemetry(None);
    let obs = Obs::from_headers(
        telemetry,
        "gateway",
        &[("x-trace-id", "tr_a"), ("x-trace-id", "tr_b")],
    );
    assert!(is_uuid_v4(obs.trace_id()));
    let warning = memory.lines_with_message("invalid incoming id replaced")[0].json();
    assert_eq!(warning["length"], "tr_a, tr_b".len());
}
