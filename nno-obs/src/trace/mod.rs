//! Trace ids across services (seed §4.1): `x-trace-id` and `x-request-id`, validated, and the
//! W3C Trace Context (`traceparent`, `tracestate`) for interoperability.
//!
//! # What is accepted
//!
//! An incoming id is used only if it is 1..=128 bytes of `[A-Za-z0-9_.:-]` (UUIDs, the seed's
//! `tr_abc123`, W3C hex ids all qualify). Anything else — CR/LF, quotes, spaces, an empty value,
//! 4 KB of padding, a header sent twice (its values arrive joined by `, `) — is replaced by a
//! fresh UUID v4, and the replacement is reported (by [`TraceIds::report_rejections`]) with the
//! rejected value's length, never its content, so a hostile header can neither inject a log
//! line nor a response header.
//!
//! # W3C Trace Context
//!
//! A request's W3C context ([`W3cContext`]) is read from exactly one valid `traceparent` (the
//! spec's rules, [`traceparent`]) and its `tracestate` ([`Tracestate`]), and kept beside the NNO
//! trace id:
//!
//! - without `x-trace-id`, the `traceparent` trace-id is the NNO trace id too, and its
//!   parent-id becomes the parent of the request's root span;
//! - with an `x-trace-id` of another trace, the NNO id wins for our lines and span points,
//!   while outgoing calls continue the W3C trace (see
//!   [`Obs::with_trace_headers`](crate::Obs::with_trace_headers)).

mod context;
mod headers;
mod traceparent;
mod tracestate;

pub(crate) use context::write_headers as write_w3c_headers;
pub use context::W3cContext;
pub use headers::{HeaderSink, HeaderSource};
pub use traceparent::{
    trace_id_hex, traceparent, w3c_trace_id, Traceparent, FLAG_RANDOM, FLAG_SAMPLED,
};
pub use tracestate::{Tracestate, MAX_TRACESTATE_BYTES, MAX_TRACESTATE_MEMBERS};

use crate::ids::{new_uuid, SpanId};

/// The trace id header.
pub const TRACE_ID_HEADER: &str = "x-trace-id";
/// The request id header.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// The W3C trace context header.
pub const TRACEPARENT_HEADER: &str = "traceparent";
/// The W3C trace context's vendor state header.
pub const TRACESTATE_HEADER: &str = "tracestate";
/// Longest accepted incoming id, in bytes.
pub const MAX_ID_BYTES: usize = 128;

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
    /// The W3C trace context received (a valid `traceparent`, its `tracestate`), whatever
    /// trace `trace_id` names; `None` without one.
    pub w3c: Option<W3cContext>,
    /// Whether `trace_id` was generated here (a fresh UUID v4, whose right-most 7 bytes are
    /// random): the trace starts here. Without a received W3C context, outgoing `traceparent`
    /// headers then carry W3C Trace Context Level 2's random flag ([`FLAG_RANDOM`]); an
    /// incoming id (`x-trace-id`, `traceparent`) is never said to be random.
    pub random_trace_id: bool,
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
            w3c: None,
            random_trace_id: true,
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
    let w3c = W3cContext::from_headers(headers);
    let mut trace_id = None;
    let mut remote_parent = None;
    let mut rejected_trace_id_len = None;
    match headers.header_bytes(TRACE_ID_HEADER) {
        Some(incoming) => match accepted_id(&incoming) {
            Some(valid) => {
                // A traceparent in this trace's W3C trace-id (its hex form, or the one derived
                // from it by every NNO service) tells us the caller's span.
                remote_parent = w3c
                    .as_ref()
                    .filter(|w3c| *w3c.trace_id_hex() == w3c_trace_id(&valid))
                    .map(W3cContext::parent_id);
                trace_id = Some(valid);
            }
            // The W3C context stays: a bad NNO header does not break the caller's W3C trace.
            None => rejected_trace_id_len = Some(incoming.len()),
        },
        None => {
            if let Some(w3c) = &w3c {
                trace_id = Some(w3c.trace_id().to_owned());
                remote_parent = Some(w3c.parent_id());
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
        random_trace_id: trace_id.is_none(),
        trace_id: trace_id.unwrap_or_else(new_uuid),
        request_id: request_id.unwrap_or_else(new_uuid),
        remote_parent,
        w3c,
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

#[cfg(test)]
mod tests {
    use super::*;

    const TP: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

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
    fn x_trace_id_and_a_w3c_context_of_another_trace_live_side_by_side() {
        let ids = init_trace(&[
            ("x-trace-id", "tr_abc123"),
            ("traceparent", TP),
            ("tracestate", "rojo=1"),
        ]);
        let w3c = ids.w3c.unwrap();
        assert_eq!(w3c.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(w3c.tracestate().map(Tracestate::as_str), Some("rojo=1"));
    }

    #[test]
    fn a_rejected_x_trace_id_keeps_the_w3c_context() {
        let ids = init_trace(&[("x-trace-id", "bad id"), ("traceparent", TP)]);
        assert_eq!(ids.remote_parent, None);
        assert!(ids.w3c.is_some());
    }

    #[test]
    fn a_header_sent_twice_is_rejected() {
        let ids = init_trace(&[("x-trace-id", "tr_1"), ("x-trace-id", "tr_2")]);
        assert_eq!(ids.rejected_trace_id_len, Some("tr_1, tr_2".len()));
        let ids = init_trace(&[("traceparent", TP), ("traceparent", TP)]);
        assert_eq!(ids.w3c, None);
        assert_eq!(ids.trace_id.len(), 36);
    }
}
