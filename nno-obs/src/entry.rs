//! The `LogEntry` line: the seed's §1.1 format, written straight into a byte buffer.

use crate::clock::Timestamp;
use crate::fields::Field;
use crate::json;
use crate::level::LogLevel;
use std::cell::RefCell;

/// The keys of every line, in order. An extra field never overwrites one of them.
pub const CORE_KEYS: [&str; 6] = [
    "timestamp",
    "level",
    "service",
    "traceId",
    "requestId",
    "message",
];

/// The prefix an extra field's key gets when it equals a core key: a field `level` is written
/// as `data.level`, so it can neither forge nor hide the real `level`, and its value is kept.
pub const RENAMED_KEY_PREFIX: &str = "data.";

/// One log line, as the seed's `LogEntry`: `timestamp`, `level`, `service`, `traceId` (only
/// when set), `requestId` (only when set), `message`, then the extra fields flat at top level in
/// the order given.
///
/// ```
/// use nno_obs::{fields, LogEntry, LogLevel};
///
/// let entry = LogEntry {
///     timestamp_ms: 1_771_756_440_123,
///     level: LogLevel::Info,
///     service: "registry",
///     trace_id: Some("tr_abc123"),
///     request_id: None,
///     message: "resource created",
///     fields: fields! { resourceType: "platform", level: "forged" },
/// };
/// let mut line = Vec::new();
/// entry.write_ndjson(&mut line);
/// assert_eq!(
///     String::from_utf8(line).unwrap(),
///     concat!(
///         r#"{"timestamp":"2026-02-22T10:34:00.123Z","level":"info","service":"registry","#,
///         r#""traceId":"tr_abc123","message":"resource created","resourceType":"platform","#,
///         r#""data.level":"forged"}"#,
///         "\n",
///     ),
/// );
/// ```
#[derive(Clone, Copy, Debug)]
pub struct LogEntry<'a> {
    /// Milliseconds since the Unix epoch; written as `toISOString()` does.
    pub timestamp_ms: u64,
    /// The level.
    pub level: LogLevel,
    /// The emitting service, e.g. `registry`.
    pub service: &'a str,
    /// The `x-trace-id` of the request, when known.
    pub trace_id: Option<&'a str>,
    /// The `x-request-id` of the request, when known.
    pub request_id: Option<&'a str>,
    /// The message.
    pub message: &'a str,
    /// Extra fields, spread at top level.
    pub fields: &'a [Field<'a>],
}

/// What writing a line had to change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Extra fields renamed to `data.<key>` because their key was a core key.
    pub renamed_fields: u32,
    /// Extra field values that failed to serialize and were written as `null`.
    pub field_errors: u32,
}

impl LogEntry<'_> {
    /// Appends the line, with its trailing `\n`, to `out`.
    ///
    /// The result is always exactly one line of valid JSON: every string is escaped, including
    /// U+2028 and U+2029.
    pub fn write_ndjson(&self, out: &mut Vec<u8>) -> WriteReport {
        self.write_ndjson_then(out, &[])
    }

    /// Like [`LogEntry::write_ndjson`], with `extra` fields after the entry's own: the fields
    /// a generated step adds to the user's, written without first copying both lists into one.
    pub(crate) fn write_ndjson_then(&self, out: &mut Vec<u8>, extra: &[Field<'_>]) -> WriteReport {
        self.write_head(out);
        write_ids(out, self.trace_id, self.request_id);
        self.write_tail(out, extra)
    }

    /// Like [`LogEntry::write_ndjson`], with the `traceId`/`requestId` members already written
    /// by [`ids_json`] (a request context does it once, not once per line); the entry's own
    /// `trace_id` and `request_id` are ignored.
    pub(crate) fn write_ndjson_with_ids(
        &self,
        out: &mut Vec<u8>,
        ids_json: &[u8],
        extra: &[Field<'_>],
    ) -> WriteReport {
        self.write_head(out);
        out.extend_from_slice(ids_json);
        self.write_tail(out, extra)
    }

    fn write_head(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"timestamp\":\"");
        out.extend_from_slice(Timestamp::from_unix_ms_cached(self.timestamp_ms).as_bytes());
        out.extend_from_slice(b"\",\"level\":\"");
        out.extend_from_slice(self.level.as_str().as_bytes());
        out.extend_from_slice(b"\",\"service\":");
        json::write_str(out, self.service);
    }

    fn write_tail(&self, out: &mut Vec<u8>, extra: &[Field<'_>]) -> WriteReport {
        let mut report = WriteReport::default();
        out.extend_from_slice(b",\"message\":");
        json::write_str(out, self.message);
        for field in self.fields.iter().chain(extra) {
            out.push(b',');
            if is_core_key(field.key) {
                report.renamed_fields += 1;
                let mut renamed = [0u8; 16];
                let prefixed = prefixed_key(&mut renamed, field.key);
                json::write_str(out, prefixed);
            } else {
                json::write_str(out, field.key);
            }
            out.push(b':');
            if !field.value.write_json(out) {
                report.field_errors += 1;
                out.extend_from_slice(b"null");
            }
        }
        out.extend_from_slice(b"}\n");
        report
    }
}

/// Appends the `,"traceId":…,"requestId":…` members of a line (each only when set).
fn write_ids(out: &mut Vec<u8>, trace_id: Option<&str>, request_id: Option<&str>) {
    if let Some(trace_id) = trace_id {
        out.extend_from_slice(b",\"traceId\":");
        json::write_str(out, trace_id);
    }
    if let Some(request_id) = request_id {
        out.extend_from_slice(b",\"requestId\":");
        json::write_str(out, request_id);
    }
}

/// The `,"traceId":…,"requestId":…` members, written once for a request context.
pub(crate) fn ids_json(trace_id: &str, request_id: &str) -> Box<[u8]> {
    let mut out = Vec::with_capacity(trace_id.len() + request_id.len() + 30);
    write_ids(&mut out, Some(trace_id), Some(request_id));
    out.into_boxed_slice()
}

/// Whether `key` is one of [`CORE_KEYS`] (a `match` compiles to a length switch, cheaper than
/// six string comparisons per field).
fn is_core_key(key: &str) -> bool {
    matches!(
        key,
        "timestamp" | "level" | "service" | "traceId" | "requestId" | "message"
    )
}

/// `data.` + a core key, on the stack (the longest core key is 9 bytes).
fn prefixed_key<'b>(buffer: &'b mut [u8; 16], key: &str) -> &'b str {
    let prefix = RENAMED_KEY_PREFIX.as_bytes();
    let total = prefix.len() + key.len();
    if total > buffer.len() {
        return RENAMED_KEY_PREFIX;
    }
    buffer[..prefix.len()].copy_from_slice(prefix);
    buffer[prefix.len()..total].copy_from_slice(key.as_bytes());
    std::str::from_utf8(&buffer[..total]).unwrap_or(RENAMED_KEY_PREFIX)
}

thread_local! {
    static LINE_BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `write` with a cleared, reused line buffer, so steady-state logging does not allocate.
///
/// The buffer is moved out of its thread-local slot for the call, so a re-entrant call (a
/// `Serialize` impl that itself logs) simply finds the slot empty and uses a new buffer.
pub(crate) fn with_line_buffer<R>(write: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    // Buffers grown beyond this by one huge line are not kept, so memory is not pinned.
    const KEEP_CAPACITY: usize = 64 * 1024;
    let mut buffer = LINE_BUFFER
        .try_with(|slot| {
            slot.try_borrow_mut()
                .map(|mut b| std::mem::take(&mut *b))
                .ok()
        })
        .ok()
        .flatten()
        .unwrap_or_default();
    buffer.clear();
    let result = write(&mut buffer);
    if buffer.capacity() <= KEEP_CAPACITY {
        let _ = LINE_BUFFER.try_with(|slot| {
            if let Ok(mut kept) = slot.try_borrow_mut() {
                *kept = buffer;
            }
        });
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_core_key_match_agrees_with_the_list() {
        for key in CORE_KEYS {
            assert!(is_core_key(key));
        }
        for key in ["Level", "trace_id", "messages", "", "data.level"] {
            assert!(!is_core_key(key));
        }
    }
}
