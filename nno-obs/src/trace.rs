//! Trace ids across services (seed §4.1): `x-trace-id` and `x-request-id`, validated, and W3C
//! `traceparent` for interoperability.
//!
//! # What is accepted
//!
//! An incoming id is used only if it is 1..=128 bytes of `[A-Za-z0-9_.:-]` (UUIDs, the seed's
//! `tr_abc123`, W3C hex ids all qualify). Anything else — CR/LF, quotes, spaces, an empty value,
//! 4 KB of padding — is replaced by a fresh UUID v4, and the replacement is reported (by
//! [`TraceIds::report_rejections`]) with the rejected value's length, never its content, so a
//! hostile header can neither inject a log line nor a response header.
//!
//! When `x-trace-id` is absent and a valid `traceparent` is present, its trace-id is used and
//! its parent-id becomes the parent of the request's root span.

use crate::ids::{new_uuid, SpanId};
use std::borrow::Cow;

/// The trace id header.
pub const TRACE_ID_HEADER: &str = "x-trace-id";
/// The request id header.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// The W3C trace context header.
pub const TRACEPARENT_HEADER: &str = "traceparent";
/// Longest accepted incoming id, in bytes.
pub const MAX_ID_BYTES: usize = 128;

/// Read access to request headers, by lowercase name.
///
/// Implemented for `http::HeaderMap`, `http::Request<B>`, `http::Response<B>`, slices and arrays
/// of `(&str, &str)` pairs and, with the `worker` feature, `worker::Headers` and
/// `worker::Request`.
pub trait HeaderSource {
    /// The value of the first header called `name` (lowercase), as raw bytes.
    fn header_bytes(&self, name: &str) -> Option<Cow<'_, [u8]>>;
}

/// Write access to outgoing headers.
///
/// Implemented for `http::HeaderMap`, `http::Request<B>`, `http::Response<B>`,
/// `Vec<(String, String)>` and, with the `worker` feature, `worker::Headers` and
/// `worker::Response`.
pub trait HeaderSink {
    /// Sets `name` to `value`, replacing any earlier value. Values given here are always valid
    /// header values (validated ids), so implementations may ignore a refusal.
    fn set_header(&mut self, name: &'static str, value: &str);
    /// Removes `name`.
    fn remove_header(&mut self, name: &'static str);
}

impl HeaderSource for http::HeaderMap {
    fn header_bytes(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        self.get(name).map(|value| Cow::Borrowed(value.as_bytes()))
    }
}

impl<B> HeaderSource for http::Request<B> {
    fn header_bytes(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        self.headers().header_bytes(name)
    }
}

impl<B> HeaderSource for http::Response<B> {
    fn header_bytes(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        self.headers().header_bytes(name)
    }
}

impl HeaderSource for [(&str, &str)] {
    fn header_bytes(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        self.iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| Cow::Borrowed(value.as_bytes()))
    }
}

impl<const N: usize> HeaderSource for [(&str, &str); N] {
    fn header_bytes(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        self.as_slice().header_bytes(name)
    }
}

/// The header names this crate writes, parsed once at compile time rather than on every call.
fn known_header_name(name: &'static str) -> http::HeaderName {
    const TRACE_ID: http::HeaderName = http::HeaderName::from_static(TRACE_ID_HEADER);
    const REQUEST_ID: http::HeaderName = http::HeaderName::from_static(REQUEST_ID_HEADER);
    const TRACEPARENT: http::HeaderName = http::HeaderName::from_static(TRACEPARENT_HEADER);
    match name {
        TRACE_ID_HEADER => TRACE_ID,
        REQUEST_ID_HEADER => REQUEST_ID,
        TRACEPARENT_HEADER => TRACEPARENT,
        other => http::HeaderName::from_static(other),
    }
}

impl HeaderSink for http::HeaderMap {
    fn set_header(&mut self, name: &'static str, value: &str) {
        if let Ok(value) = http::HeaderValue::from_str(value) {
            self.insert(known_header_name(name), value);
        }
    }

    fn remove_header(&mut self, name: &'static str) {
        self.remove(name);
    }
}

impl<B> HeaderSink for http::Request<B> {
    fn set_header(&mut self, name: &'static str, value: &str) {
        self.headers_mut().set_header(name, value);
    }

    fn remove_header(&mut self, name: &'static str) {
        self.headers_mut().remove_header(name);
    }
}

impl<B> HeaderSink for http::Response<B> {
    fn set_header(&mut self, name: &'static str, value: &str) {
        self.headers_mut().set_header(name, value);
    }

    fn remove_header(&mut self, name: &'static str) {
        self.headers_mut().remove_header(name);
    }
}

impl HeaderSink for Vec<(String, String)> {
    fn set_header(&mut self, name: &'static str, value: &str) {
        self.remove_header(name);
        self.push((name.to_owned(), value.to_owned()));
    }

    fn remove_header(&mut self, name: &'static str) {
        self.retain(|(key, _)| !key.eq_ignore_ascii_case(name));
    }
}

#[cfg(feature = "worker")]
impl HeaderSource for worker::Headers {
    fn header_bytes(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        // A lookup that fails in JavaScript is treated as an absent header.
        self.get(name)
            .ok()
            .flatten()
            .map(|value| Cow::Owned(value.into_bytes()))
    }
}

#[cfg(feature = "worker")]
impl HeaderSource for worker::Request {
    fn header_bytes(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        self.headers().header_bytes(name)
    }
}

#[cfg(feature = "worker")]
impl HeaderSink for worker::Headers {
    fn set_header(&mut self, name: &'static str, value: &str) {
        // Immutable headers (a received Response's) refuse; telemetry must not fail the call.
        let _ = self.set(name, value);
    }

    fn remove_header(&mut self, name: &'static str) {
        let _ = self.delete(name);
    }
}

#[cfg(feature = "worker")]
impl HeaderSink for worker::Response {
    fn set_header(&mut self, name: &'static str, value: &str) {
        self.headers_mut().set_header(name, value);
    }

    fn remove_header(&mut self, name: &'static str) {
        self.headers_mut().remove_header(name);
    }
}

/// Whether `id` may be used as an incoming trace or request id: 1..=128 bytes of
/// `[A-Za-z0-9_.:-]`.
///
/// ```
/// use nno_obs::trace::is_valid_id;
///
/// assert!(is_valid_id(b"tr_abc123"));
/// assert!(is_valid_id(b"4bf92f35-77b3-4da6-a3ce-929d0e0e4736"));
/// assert!(!is_valid_id(b""));
/// assert!(!is_valid_id(b"abc\r\nx-admin: 1"));
/// assert!(!is_valid_id(&[b'a'; 129]));
/// ```
pub fn is_valid_id(id: &[u8]) -> bool {
    (1..=MAX_ID_BYTES).contains(&id.len())
        && id
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
}

/// The ids of one request, as the seed's `initTrace` returns them, plus what had to be
/// replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceIds {
    /// `x-trace-id` (or the `traceparent` trace-id), else a fresh UUID v4.
    pub trace_id: String,
    /// `x-request-id`, else a fresh UUID v4.
    pub request_id: String,
    /// The caller's span, from a valid `traceparent` that carried this trace id.
    pub remote_parent: Option<SpanId>,
    /// The byte length of a rejected `x-trace-id`, if one was replaced.
    pub rejected_trace_id_len: Option<usize>,
    /// The byte length of a rejected `x-request-id`, if one was replaced.
    pub rejected_request_id_len: Option<usize>,
}

impl TraceIds {
    /// Fresh ids, for work that no request started (a queue consumer, a native job).
    pub fn generate() -> Self {
        Self {
            trace_id: new_uuid(),
            request_id: new_uuid(),
            remote_parent: None,
            rejected_trace_id_len: None,
            rejected_request_id_len: None,
        }
    }

    /// Logs one `warn` line per replaced header, giving its name and the rejected value's
    /// length — never the value.
    pub fn report_rejections(&self, logger: &crate::Logger) {
        report_rejections(
            self.rejected_trace_id_len,
            self.rejected_request_id_len,
            |message, fields| logger.warn(message, fields),
        );
    }
}

/// Calls `warn` with the message and fields of the `warn` line of each rejected header, given
/// the rejected values' lengths.
pub(crate) fn report_rejections(
    trace_id_len: Option<usize>,
    request_id_len: Option<usize>,
    mut warn: impl FnMut(&str, &[crate::Field<'_>]),
) {
    let rejected = [
        (TRACE_ID_HEADER, trace_id_len),
        (REQUEST_ID_HEADER, request_id_len),
    ];
    for (header, length) in rejected {
        if let Some(length) = length {
            warn(
                "invalid incoming id replaced",
                crate::fields! { header: header, length: length },
            );
        }
    }
}

/// Reads `x-trace-id` and `x-request-id` from `headers`, else generates a UUID v4 for each
/// (seed §4.1); invalid incoming ids are replaced (see the module docs).
///
/// ```
/// use nno_obs::init_trace;
///
/// let ids = init_trace(&[("x-trace-id", "tr_abc123")]);
/// assert_eq!(ids.trace_id, "tr_abc123");
/// assert_eq!(ids.request_id.len(), 36);
///
/// let hostile = init_trace(&[("x-trace-id", "a\"b\r\nc")]);
/// assert_ne!(hostile.trace_id, "a\"b\r\nc");
/// assert_eq!(hostile.rejected_trace_id_len, Some(6));
/// ```
pub fn init_trace<H: HeaderSource + ?Sized>(headers: &H) -> TraceIds {
    // Fresh UUIDs are made only for what the headers do not supply: a request that carries
    // its ids costs no random numbers and no throwaway strings.
    let mut trace_id = None;
    let mut remote_parent = None;
    let mut rejected_trace_id_len = None;
    match headers.header_bytes(TRACE_ID_HEADER) {
        Some(incoming) => match accepted_id(&incoming) {
            Some(valid) => {
                // A traceparent that names the same trace still tells us the caller's span.
                remote_parent = headers
                    .header_bytes(TRACEPARENT_HEADER)
                    .and_then(|value| parse_traceparent(&value))
                    .filter(|(trace, _)| Some(*trace) == trace_id_hex(&valid))
                    .map(|(_, parent)| parent);
                trace_id = Some(valid);
            }
            None => rejected_trace_id_len = Some(incoming.len()),
        },
        None => {
            if let Some((trace, parent)) = headers
                .header_bytes(TRACEPARENT_HEADER)
                .and_then(|value| parse_traceparent(&value))
            {
                trace_id = Some(String::from_utf8_lossy(&trace).into_owned());
                remote_parent = Some(parent);
            }
        }
    }
    let mut request_id = None;
    let mut rejected_request_id_len = None;
    if let Some(incoming) = headers.header_bytes(REQUEST_ID_HEADER) {
        match accepted_id(&incoming) {
            Some(valid) => request_id = Some(valid),
            None => rejected_request_id_len = Some(incoming.len()),
        }
    }
    TraceIds {
        trace_id: trace_id.unwrap_or_else(new_uuid),
        request_id: request_id.unwrap_or_else(new_uuid),
        remote_parent,
        rejected_trace_id_len,
        rejected_request_id_len,
    }
}

fn accepted_id(bytes: &[u8]) -> Option<String> {
    if is_valid_id(bytes) {
        // Valid ids are ASCII, so they are always UTF-8.
        std::str::from_utf8(bytes).ok().map(str::to_owned)
    } else {
        None
    }
}

/// Sets `x-trace-id` and `x-request-id` on outgoing headers (seed §4.1's `withTraceHeaders`).
///
/// This form knows no span, so it writes no `traceparent`;
/// [`Obs::with_trace_headers`](crate::Obs::with_trace_headers) also writes one for the current span.
///
/// ```
/// use nno_obs::with_trace_headers;
///
/// let headers = with_trace_headers(http::HeaderMap::new(), "tr_abc123", "req-1");
/// assert_eq!(headers["x-trace-id"], "tr_abc123");
/// assert_eq!(headers["x-request-id"], "req-1");
/// ```
pub fn with_trace_headers<H: HeaderSink>(mut headers: H, trace_id: &str, request_id: &str) -> H {
    headers.set_header(TRACE_ID_HEADER, trace_id);
    headers.set_header(REQUEST_ID_HEADER, request_id);
    headers
}

/// The trace id as 32 lowercase hex digits, when it can be written so: a UUID (hyphens
/// dropped) or 32 hex digits, not all zero. `tr_abc123` cannot.
///
/// ```
/// use nno_obs::trace::trace_id_hex;
///
/// let hex = trace_id_hex("4BF92F35-77B3-4DA6-A3CE-929D0E0E4736").unwrap();
/// assert_eq!(&hex, b"4bf92f3577b34da6a3ce929d0e0e4736");
/// assert_eq!(trace_id_hex("tr_abc123"), None);
/// ```
pub fn trace_id_hex(trace_id: &str) -> Option<[u8; 32]> {
    let bytes = trace_id.as_bytes();
    let mut hex = [0u8; 32];
    let digits: &mut dyn Iterator<Item = &u8> = match bytes.len() {
        32 => &mut bytes.iter(),
        36 if [8, 13, 18, 23].iter().all(|&at| bytes[at] == b'-') => {
            &mut bytes.iter().filter(|&&b| b != b'-')
        }
        _ => return None,
    };
    let mut count = 0;
    for (slot, &digit) in hex.iter_mut().zip(digits) {
        if !digit.is_ascii_hexdigit() {
            return None;
        }
        *slot = digit.to_ascii_lowercase();
        count += 1;
    }
    if count != 32 || hex.iter().all(|&b| b == b'0') {
        return None;
    }
    Some(hex)
}

/// A `traceparent` value for `span` in `trace_id`: `00-{trace}-{span}-01`, when the trace id can
/// be written as 32 hex digits.
///
/// ```
/// use nno_obs::{trace::traceparent, SpanId};
///
/// let span = SpanId::from_u64(0x00f0_67aa_0ba9_02b7).unwrap();
/// let value = traceparent("4bf92f35-77b3-4da6-a3ce-929d0e0e4736", span).unwrap();
/// assert_eq!(value.as_str(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
/// assert!(traceparent("tr_abc123", span).is_none());
/// ```
pub fn traceparent(trace_id: &str, span: SpanId) -> Option<Traceparent> {
    let trace = trace_id_hex(trace_id)?;
    let mut text = [0u8; 55];
    text[..3].copy_from_slice(b"00-");
    text[3..35].copy_from_slice(&trace);
    text[35] = b'-';
    text[36..52].copy_from_slice(span.to_hex().as_str().as_bytes());
    // Flags: sampled. Every span is recorded.
    text[52..].copy_from_slice(b"-01");
    Some(Traceparent(text))
}

/// A `traceparent` header value, on the stack.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Traceparent([u8; 55]);

impl Traceparent {
    /// The header value.
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits and dashes are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl std::fmt::Debug for Traceparent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// Parses a W3C `traceparent`: the trace-id (32 lowercase hex) and parent-id.
///
/// Follows the spec's rules: version `ff` is invalid; version `00` is exactly 55 bytes; later
/// versions may carry more after a `-`; all-zero trace or parent ids are invalid.
pub(crate) fn parse_traceparent(value: &[u8]) -> Option<([u8; 32], SpanId)> {
    let lower_hex = |bytes: &[u8]| bytes.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if value.len() < 55 {
        return None;
    }
    let (version, trace, parent, flags) =
        (&value[..2], &value[3..35], &value[36..52], &value[53..55]);
    let dashes = value[2] == b'-' && value[35] == b'-' && value[52] == b'-';
    let tail_ok = match version {
        b"00" => value.len() == 55,
        _ => value.len() == 55 || value[55] == b'-',
    };
    if !dashes
        || !tail_ok
        || version == b"ff"
        || !lower_hex(version)
        || !lower_hex(trace)
        || !lower_hex(parent)
        || !lower_hex(flags)
        || trace.iter().all(|&b| b == b'0')
    {
        return None;
    }
    let parent = SpanId::parse_hex(std::str::from_utf8(parent).ok()?)?;
    let mut trace_hex = [0u8; 32];
    trace_hex.copy_from_slice(trace);
    Some((trace_hex, parent))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TP: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn traceparent_parsing_follows_the_spec() {
        let (trace, parent) = parse_traceparent(TP.as_bytes()).unwrap();
        assert_eq!(&trace, b"4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(parent.as_u64(), 0x00f0_67aa_0ba9_02b7);
        let bad = [
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473",
            "",
        ];
        for value in bad {
            assert_eq!(parse_traceparent(value.as_bytes()), None, "{value}");
        }
        // A future version may append fields after a dash.
        let future = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what";
        assert!(parse_traceparent(future.as_bytes()).is_some());
    }

    #[test]
    fn traceparent_is_used_when_x_trace_id_is_absent() {
        let ids = init_trace(&[("traceparent", TP), ("x-request-id", "req-7")]);
        assert_eq!(ids.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(ids.request_id, "req-7");
        assert_eq!(
            ids.remote_parent.map(SpanId::as_u64),
            Some(0x00f0_67aa_0ba9_02b7)
        );
    }

    #[test]
    fn x_trace_id_wins_over_traceparent() {
        let ids = init_trace(&[("x-trace-id", "tr_abc123"), ("traceparent", TP)]);
        assert_eq!(ids.trace_id, "tr_abc123");
        // The traceparent names another trace, so its parent is not ours.
        assert_eq!(ids.remote_parent, None);
    }

    #[test]
    fn a_matching_traceparent_supplies_the_parent_span() {
        let ids = init_trace(&[
            ("x-trace-id", "4bf92f35-77b3-4da6-a3ce-929d0e0e4736"),
            ("traceparent", TP),
        ]);
        assert_eq!(
            ids.remote_parent.map(SpanId::as_u64),
            Some(0x00f0_67aa_0ba9_02b7)
        );
    }

    #[test]
    fn an_invalid_trace_id_is_not_rescued_by_traceparent() {
        let ids = init_trace(&[("x-trace-id", "bad id"), ("traceparent", TP)]);
        assert_eq!(ids.trace_id.len(), 36);
        assert_eq!(ids.rejected_trace_id_len, Some(6));
    }

    #[test]
    fn header_names_are_case_insensitive_for_pairs() {
        let ids = init_trace(&[("X-Trace-Id", "tr_1")]);
        assert_eq!(ids.trace_id, "tr_1");
    }

    #[test]
    fn trace_id_hex_rejects_malformed_uuids() {
        assert_eq!(trace_id_hex("4bf92f35-77b3-4da6-a3ce-929d0e0e473g"), None);
        assert_eq!(trace_id_hex("4bf92f35x77b3-4da6-a3ce-929d0e0e4736"), None);
        assert_eq!(trace_id_hex("00000000-0000-0000-0000-000000000000"), None);
        assert_eq!(trace_id_hex("4bf92f35-77b3-4da6-a3ce-929d0e0e473"), None);
        // Hyphens in other places are not a UUID.
        assert_eq!(trace_id_hex("4bf92f3577b3-4da6-a3ce-929d0e0e4-736"), None);
    }
}
