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
