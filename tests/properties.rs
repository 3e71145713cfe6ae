//! Property tests: whatever the message and fields, one call is exactly one valid JSON line
//! whose core keys are untouched.

use nno_obs::{Field, LogEntry, LogLevel, CORE_KEYS};
use proptest::prelude::*;
use serde_json::Value;

/// Strings biased towards what breaks line formats: line breaks, quotes, controls, the
/// separators U+2028/U+2029, and the core key names themselves.
fn nasty_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\n\\r\"\\\\\u{0}-\u{1f}\u{2028}\u{2029}a-z{}:,]{0,24}",
        prop::sample::select(CORE_KEYS.to_vec()).prop_map(str::to_owned),
    ]
}

#[derive(Debug, Clone)]
enum AnyValue {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Missing,
}

fn any_value() -> impl Strategy<Value = AnyValue> {
    prop_oneof![
        nasty_string().prop_map(AnyValue::Text),
        any::<i64>().prop_map(AnyValue::Int),
        any::<f64>().prop_map(AnyValue::Float),
        any::<bool>().prop_map(AnyValue::Bool),
        Just(AnyValue::Missing),
    ]
}

fn expected_json(value: &AnyValue) -> Value {
    match value {
        AnyValue::Text(text) => Value::from(text.as_str()),
        AnyValue::Int(n) => Value::from(*n),
        AnyValue::Float(x) if x.is_finite() => Value::from(*x),
        AnyValue::Float(_) | AnyValue::Missing => Value::Null,
        AnyValue::Bool(b) => Value::from(*b),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn one_call_is_one_valid_line(
        message in nasty_string(),
        service in nasty_string(),
        trace_id in proptest::option::of(nasty_string()),
        fields in proptest::collection::vec((nasty_string(), any_value()), 0..8),
        timestamp_ms in 0u64..4_102_444_800_000,
    ) {
        // Keep each value alive in a form `Field` can borrow.
        enum Held { Text(String), Int(i64), Float(f64), Bool(bool), Missing(Option<u8>) }
        let held: Vec<Held> = fields.iter().map(|(_, v)| match v {
            AnyValue::Text(t) => Held::Text(t.clone()),
            AnyValue::Int(n) => Held::Int(*n),
            AnyValue::Float(x) => Held::Float(*x),
            AnyValue::Bool(b) => Held::Bool(*b),
            AnyValue::Missing => Held::Missing(None),
        }).collect();
        let borrowed: Vec<Field<'_>> = fields.iter().zip(&held).map(|((key, _), value)| Field {
            key,
            value: match value {
                Held::Text(t) => t,
                Held::Int(n) => n,
                Held::Float(x) => x,
                Held::Bool(b) => b,
                Held::Missing(m) => m,
            },
        }).collect();
        let entry = LogEntry {
            timestamp_ms,
            level: LogLevel::Warn,
            service: &service,
            trace_id: trace_id.as_deref(),
            request_id: None,
            message: &message,
            fields: &borrowed,
        };
        let mut out = Vec::new();
        let report = entry.write_ndjson(&mut out);
        let text = String::from_utf8(out).expect("lines are UTF-8");

        // Exactly one line: a single trailing \n, and no other line terminator of any kind.
        prop_assert!(text.ends_with('\n'));
        let body = &text[..text.len() - 1];
        let breaks = ['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}'];
        prop_assert!(!body.contains(breaks), "a line break inside {:?}", body);

        // Valid JSON whose core keys are exactly what the logger set.
        let json: serde_json::Map<String, Value> = serde_json::from_str(body).expect("valid JSON");
        prop_assert_eq!(&json["level"], "warn");
        prop_assert_eq!(&json["service"], service.as_str());
        prop_assert_eq!(&json["message"], message.as_str());
        match &trace_id {
            Some(id) => prop_assert_eq!(&json["traceId"], id.as_str()),
            None => prop_assert!(!json.contains_key("traceId")),
        }
        prop_assert!(!json.contains_key("requestId"));
        let expected_ts = nno_obs::clock::Timestamp::from_unix_ms(timestamp_ms);
        prop_assert_eq!(&json["timestamp"], expected_ts.as_str());

        // Every field is there, under its key or renamed, with its value (last one wins for
        // a repeated key, as JSON parsers do).
        let mut renamed = 0;
        for (key, value) in &fields {
            let written = if CORE_KEYS.contains(&key.as_str()) {
                renamed += 1;
                format!("data.{key}")
            } else {
                key.clone()
            };
            prop_assert!(json.contains_key(&written));
            let last = fields.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v).unwrap();
            match last {
                // JavaScript writes 2.0 as `2`; compare numbers as numbers.
                AnyValue::Float(x) if x.is_finite() => {
                    prop_assert_eq!(json[&written].as_f64(), Some(*x));
                }
                _ => prop_assert_eq!(&json[&written], &expected_json(last)),
            }
            let _ = value;
        }
        prop_assert_eq!(report.renamed_fields, renamed);
        prop_assert_eq!(report.field_errors, 0);

        // Key order: the core keys come first, in the seed's order.
        let keys: Vec<&str> = body_keys(body);
        let core_present: Vec<&str> = CORE_KEYS
            .iter()
            .copied()
            .filter(|k| *k != "requestId" && (trace_id.is_some() || *k != "traceId"))
            .collect();
        prop_assert_eq!(&keys[..core_present.len()], &core_present[..]);
    }
}

/// The top-level keys of a JSON object, in written order.
fn body_keys(body: &str) -> Vec<&str> {
    // serde_json's Map loses order without `preserve_order`; walk the top level by hand with
    // serde_json's own tokenizer for strings.
    let mut keys = Vec::new();
    let bytes = body.as_bytes();
    let mut depth = 0usize;
    let mut at = 0;
    let mut expect_key = false;
    while at < bytes.len() {
        match bytes[at] {
            b'{' | b'[' => {
                depth += 1;
                expect_key = depth == 1 && bytes[at] == b'{';
                at += 1;
            }
            b'}' | b']' => {
                depth -= 1;
                at += 1;
            }
            b',' => {
                expect_key = depth == 1;
                at += 1;
            }
            b'"' => {
                let start = at;
                at += 1;
                while bytes[at] != b'"' {
                    at += if bytes[at] == b'\\' { 2 } else { 1 };
                }
                at += 1;
                if expect_key {
                    let key: &str = &body[start + 1..at - 1];
                    keys.push(key);
                    expect_key = false;
                }
            }
            _ => at += 1,
        }
    }
    keys
}
