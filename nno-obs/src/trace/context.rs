//! The W3C trace context of a request (`traceparent` and `tracestate`), read from its headers
//! and continued on the headers of its outgoing calls.
//!
//! It is kept beside the NNO trace id rather than merged into it: when `x-trace-id` names
//! another trace than `traceparent`, our lines and span points keep the NNO id (seed §4.1)
//! while outgoing calls continue the caller's W3C trace, so neither chain breaks.

use super::traceparent::{self, trace_id_hex, Traceparent, FLAG_RANDOM, FLAG_SAMPLED};
use super::tracestate::Tracestate;
use super::{HeaderSink, HeaderSource, TRACEPARENT_HEADER, TRACESTATE_HEADER};
use crate::ids::SpanId;

/// The W3C trace context a request received: a valid `traceparent` and, with it, its
/// `tracestate` if that was valid too.
///
/// ```
/// use nno_obs::init_trace;
///
/// let ids = init_trace(&[
///     ("x-trace-id", "tr_abc123"),
///     ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03"),
///     ("tracestate", "rojo=00f067aa0ba902b7"),
/// ]);
/// assert_eq!(ids.trace_id, "tr_abc123"); // our lines and points keep the NNO id
/// let w3c = ids.w3c.unwrap();
/// assert_eq!(w3c.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// assert_eq!(w3c.parent_id().to_string(), "00f067aa0ba902b7");
/// assert_eq!(w3c.flags(), 0x03);
/// assert_eq!(w3c.tracestate().map(|s| s.as_str()), Some("rojo=00f067aa0ba902b7"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct W3cContext {
    trace_id: [u8; 32],
    parent_id: SpanId,
    flags: u8,
    tracestate: Option<Tracestate>,
}

impl W3cContext {
    /// The context in `headers`: `None` unless there is exactly one valid `traceparent`. The
    /// `tracestate` is read only then (the spec: a `tracestate` without a valid `traceparent`
    /// is discarded), so a request without trace context pays no second lookup.
    ///
    /// ```
    /// use nno_obs::trace::W3cContext;
    ///
    /// let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    /// assert!(W3cContext::from_headers(&[("traceparent", tp)]).is_some());
    /// // Two traceparent headers: invalid.
    /// assert!(W3cContext::from_headers(&[("traceparent", tp), ("traceparent", tp)]).is_none());
    /// // A tracestate alone is discarded.
    /// assert!(W3cContext::from_headers(&[("tracestate", "rojo=1")]).is_none());
    /// ```
    pub fn from_headers<H: HeaderSource + ?Sized>(headers: &H) -> Option<Self> {
        let parsed = traceparent::parse(&headers.header_bytes(TRACEPARENT_HEADER)?)?;
        let tracestate = headers
            .header_bytes(TRACESTATE_HEADER)
            .and_then(|combined| Tracestate::parse(&combined));
        Some(Self {
            trace_id: parsed.trace_id,
            parent_id: parsed.parent_id,
            flags: parsed.flags,
            tracestate,
        })
    }

    /// The W3C trace-id: 32 lowercase hex digits.
    pub fn trace_id(&self) -> &str {
        // Only lowercase hex digits are ever stored.
        std::str::from_utf8(&self.trace_id).unwrap_or("")
    }

    /// The trace-id as [`trace_id_hex`](super::trace_id_hex) writes an NNO trace id.
    pub(crate) fn trace_id_hex(&self) -> &[u8; 32] {
        &self.trace_id
    }

    /// The caller's span: the incoming parent-id.
    pub fn parent_id(&self) -> SpanId {
        self.parent_id
    }

    /// The incoming trace-flags, as received. What is sent keeps the bits the spec defines
    /// (sampled, random) and always sets sampled.
    pub fn flags(&self) -> u8 {
        self.flags
    }

    /// The incoming `tracestate`, validated; `None` when none came or it was invalid.
    pub fn tracestate(&self) -> Option<&Tracestate> {
        self.tracestate.as_ref()
    }
}

/// Writes the W3C headers of an outgoing call made from `span`.
///
/// With a received context: `traceparent` continues its trace and flags with parent-id
/// `span`, and its `tracestate` is sent on (or any earlier one removed). Without: a
/// `traceparent` for `span` in the NNO trace's W3C trace-id ([`w3c_trace_id`]: its own hex
/// digits, or ones derived from it), so the callee learns its caller's span; its flags are
/// `sampled`, plus Level 2's `random-trace-id` when `random_trace_id` (the trace was started
/// here with a UUID v4, whose hex form is the W3C trace-id). An earlier `traceparent` or
/// `tracestate` on `headers` never survives, so a forwarded one cannot go stale.
pub(crate) fn write_headers<H: HeaderSink>(
    headers: &mut H,
    received: Option<&W3cContext>,
    trace_id: &str,
    random_trace_id: bool,
    span: SpanId,
) {
    let value = match received {
        Some(context) => Some(Traceparent::new(&context.trace_id, span, context.flags)),
        None => {
            // Only an id generated here is random; one derived from `tr_abc123` is not.
            let random = if random_trace_id && trace_id_hex(trace_id).is_some() {
                FLAG_RANDOM
            } else {
                0
            };
            Some(Traceparent::new(
                &traceparent::w3c_trace_id(trace_id),
                span,
                FLAG_SAMPLED | random,
            ))
        }
    };
    match value {
        Some(value) => headers.set_header(TRACEPARENT_HEADER, value.as_str()),
        None => headers.remove_header(TRACEPARENT_HEADER),
    }
    match received.and_then(W3cContext::tracestate) {
        Some(state) => headers.set_header(TRACESTATE_HEADER, state.as_str()),
        None => headers.remove_header(TRACESTATE_HEADER),
    }
}
