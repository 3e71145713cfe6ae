//! Whether an entry matches a query: the Rust side of the one definition in [`LogQuery`]'s docs.

use crate::entry::Entry;
use crate::prefilter::has_char_folding_to_ascii;
use crate::query::LogQuery;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// A query prepared for matching (the text lowercased once).
#[derive(Clone, Debug)]
pub struct Matcher {
    query: LogQuery,
    needle: Option<String>,
}

impl Matcher {
    /// Prepares `query`.
    pub fn new(query: &LogQuery) -> Self {
        Self {
            query: query.clone(),
            needle: query.text.as_deref().map(str::to_lowercase),
        }
    }

    /// The query.
    pub fn query(&self) -> &LogQuery {
        &self.query
    }

    /// Whether `entry` matches.
    ///
    /// ```
    /// use nno_obs_logs::{entry::entries_of_record, LogQuery, Matcher};
    ///
    /// let record = serde_json::from_str(r#"{"ScriptName":"k3m9p2xw7q-auth-prod","Logs":[{"Level":"log","Message":[
    ///   "{\"timestamp\":\"2026-02-22T10:34:00.000Z\",\"level\":\"warn\",\"service\":\"auth\",\"message\":\"Permission denied\",\"permission\":\"Billing.Write\"}"]}]}"#).unwrap();
    /// let entry = &entries_of_record(&record)[0];
    /// let text = |t: &str| Matcher::new(&LogQuery { text: Some(t.into()), ..Default::default() });
    /// assert!(text("billing.write").matches(entry));
    /// assert!(text("PERMISSION").matches(entry));
    /// assert!(!text("2026").matches(entry)); // the timestamp is for the time filter
    /// ```
    pub fn matches(&self, entry: &Entry) -> bool {
        let q = &self.query;
        if q.has_time_bound() {
            let Some(time) = entry.time_ms else {
                return false;
            };
            if q.from_ms.is_some_and(|from| time < from) || q.to_ms.is_some_and(|to| time >= to) {
                return false;
            }
        }
        if q.min_level.is_some_and(|min| entry.level < min) {
            return false;
        }
        // An exception matches by its invocation's trace (see `Entry::effective_trace_id`).
        if q.trace_id
            .as_deref()
            .is_some_and(|wanted| entry.effective_trace_id() != Some(wanted))
            || !equals(&q.user_id, &entry.user_id)
            || !equals(&q.service, &entry.service)
            || !equals(&q.feature, &entry.feature)
        {
            return false;
        }
        if let Some(platform) = &q.platform {
            if entry.platform.as_deref() != Some(platform.as_str()) {
                return false;
            }
        }
        match &self.needle {
            Some(needle) => text_matches(entry, needle),
            None => true,
        }
    }
}

fn equals(wanted: &Option<String>, actual: &Option<String>) -> bool {
    match wanted {
        Some(wanted) => actual.as_deref() == Some(wanted.as_str()),
        None => true,
    }
}

fn contains_folded(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if needle.is_ascii() && !has_char_folding_to_ascii(haystack.as_bytes()) {
        // An ASCII needle can only match ASCII characters, and UTF-8 never puts ASCII bytes
        // inside a multi-byte character: a byte search is exact.
        return find_ascii_folded(haystack.as_bytes(), needle.as_bytes());
    }
    haystack.to_lowercase().contains(needle)
}

/// ASCII case-insensitive search for `needle` (already lowercase): memchr finds candidates by
/// the first byte in either case, then the rest is compared.
fn find_ascii_folded(haystack: &[u8], needle: &[u8]) -> bool {
    let Some(&first) = needle.first() else {
        return true;
    };
    let mut start = 0;
    while let Some(found) = haystack
        .get(start..)
        .and_then(|rest| memchr::memchr2(first, first.to_ascii_uppercase(), rest))
    {
        let at = start + found;
        match haystack.get(at..at + needle.len()) {
            Some(window) if window.eq_ignore_ascii_case(needle) => return true,
            Some(_) => start = at + 1,
            None => return false,
        }
    }
    false
}

/// Whether a needle occurrence in any decoded value of the JSON text `json` must also be a
/// literal (case-folded) occurrence in `json` itself: true when the needle has only characters
/// JSON never escapes (so the needle is ASCII) and `json` has no `\u` escape and no character
/// whose lowercase is ASCII (see [`contains_folded`]). Then a `json` without the
/// needle cannot match, and is not parsed (the same reasoning as [`crate::prefilter`]).
fn literal_search_decides(json: &str, needle: &str) -> bool {
    !has_char_folding_to_ascii(json.as_bytes())
        && !crate::prefilter::may_have_unicode_escape(json.as_bytes())
        && needle.bytes().all(crate::prefilter::is_literal_text)
}

fn text_matches(entry: &Entry, needle: &str) -> bool {
    if contains_folded(&entry.message, needle) {
        return true;
    }
    let Some(line) = &entry.line else {
        return false;
    };
    // The members as written: a string by its text, anything else by its raw JSON.
    let members_match = (!literal_search_decides(line, needle) || contains_folded(line, needle))
        && serde_json::from_str::<BTreeMap<String, &RawValue>>(line)
            .map(|members| {
                members.iter().any(|(key, value)| {
                    key != "timestamp" && key != "level" && value_matches(value, needle)
                })
            })
            .unwrap_or(false);
    // Arguments after our line: each one as a value.
    let args_match = entry.extra_args.as_deref().is_some_and(|args| {
        serde_json::from_str::<Vec<&RawValue>>(args)
            .map(|args| args.iter().any(|arg| value_matches(arg, needle)))
            .unwrap_or(false)
    });
    members_match || args_match
}

fn value_matches(value: &RawValue, needle: &str) -> bool {
    let raw = value.get();
    if raw.starts_with('"') {
        match serde_json::from_str::<String>(raw) {
            Ok(text) => contains_folded(&text, needle),
            Err(_) => false,
        }
    } else {
        contains_folded(raw, needle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::entries_of_record;
    use proptest::prelude::*;

    /// The definition, without shortcuts: every member parsed, every value compared.
    fn reference(entry: &Entry, needle: &str) -> bool {
        let fold = |s: &str| s.to_lowercase().contains(needle);
        let members = entry.line.as_deref().is_some_and(|line| {
            serde_json::from_str::<BTreeMap<String, serde_json::Value>>(line).is_ok_and(|m| {
                m.iter().any(|(k, v)| {
                    k != "timestamp"
                        && k != "level"
                        && match v {
                            serde_json::Value::String(s) => fold(s),
                            _ => false,
                        }
                })
            })
        });
        fold(&entry.message) || members
    }

    fn trace(id: &str) -> Matcher {
        Matcher::new(&LogQuery {
            trace_id: Some(id.into()),
            ..Default::default()
        })
    }

    fn entries(record: &str) -> Vec<Entry> {
        entries_of_record(&serde_json::from_str(record).unwrap())
    }

    #[test]
    fn a_trace_search_finds_the_exception_of_its_invocation() {
        // The failing request: console text, two lines of trace tr-1 (the first without a
        // trace id), then the uncaught exception, which has no trace id of its own.
        let failing = entries(
            r#"{"ScriptName":"nno-registry-prod","Outcome":"exception","Logs":[
              {"Level":"log","Message":["plain text"]},
              {"Level":"log","Message":["{\"level\":\"info\",\"service\":\"registry\",\"message\":\"no trace\"}"]},
              {"Level":"log","Message":["{\"level\":\"info\",\"service\":\"registry\",\"traceId\":\"tr-1\",\"message\":\"start\"}"]},
              {"Level":"log","Message":["{\"level\":\"info\",\"service\":\"registry\",\"traceId\":\"tr-2\",\"message\":\"other\"}"]}],
              "Exceptions":[{"Name":"TypeError","Message":"x is undefined"}]}"#,
        );
        let found = |m: &Matcher| -> Vec<&str> {
            failing
                .iter()
                .filter(|e| m.matches(e))
                .map(|e| e.message.as_str())
                .collect()
        };
        assert_eq!(
            found(&trace("tr-1")),
            ["start", "TypeError: x is undefined"]
        );
        // The record's trace is its first line's: a later line's trace has only that line.
        assert_eq!(found(&trace("tr-2")), ["other"]);
        // An exception whose record has no line of ours belongs to no trace.
        let silent = entries(
            r#"{"Outcome":"exception","Logs":[{"Level":"log","Message":["{\"traceId\":\"tr-1\"}"]}],
              "Exceptions":[{"Name":"Error","Message":"boom"}]}"#,
        );
        assert!(silent.iter().all(|e| !trace("tr-1").matches(e)));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// The shortcut (no parse when the line lacks the needle literally) agrees with the
        /// definition on lines with escapes, non-ASCII text and ASCII case differences.
        #[test]
        fn the_literal_shortcut_never_hides_a_match(
            value in "[a-cA-C \"\\\\/é\u{212A}\u{130}ik\n]{0,12}",
            needle in "[a-cA-C \"\\\\/ékiI]{1,3}",
            escape in any::<bool>(),
        ) {
            let mut inner = serde_json::json!({"timestamp": "t", "level": "info", "service": "s",
                "message": "m", "field": value}).to_string();
            if escape {
                inner = inner.replace('a', "\\u0061");
            }
            let record = serde_json::json!({"Logs": [{"Level": "log", "Message": [inner]}]});
            let record = serde_json::from_value(record).unwrap();
            let entry = &entries_of_record(&record)[0];
            let needle = needle.to_lowercase();
            // String members are the only values here, so the reference is complete.
            prop_assert_eq!(text_matches(entry, &needle), reference(entry, &needle));
        }
    }
}
