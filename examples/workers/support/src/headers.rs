//! `worker::Headers` as a source and a sink of trace headers.

use nno_obs::trace::{HeaderSink, HeaderSource};
use std::borrow::Cow;
use worker::Headers;

/// Reads trace headers from a request's `worker::Headers`.
///
/// ```ignore
/// let obs = Obs::from_headers(telemetry, "gateway", &ReadHeaders(req.headers()));
/// ```
pub struct ReadHeaders<'a>(pub &'a Headers);

impl HeaderSource for ReadHeaders<'_> {
    fn header_bytes(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        // `Headers.get` fails only for a name that is not a valid header name; ours are
        // constants. A failure reads as "absent", so a fresh id is generated.
        match self.0.get(name) {
            Ok(Some(value)) => Some(Cow::Owned(value.into_bytes())),
            _ => None,
        }
    }
}

/// Writes trace headers into a (mutable) `worker::Headers`: outgoing request headers, or the
/// headers of a response the Worker built itself.
///
/// `Headers` is a handle on a JS object, so setting through a shared reference changes it.
/// Setting on an immutable JS `Headers` (a response straight from `fetch`) fails; the failure
/// is ignored as the trait allows, so copy such headers into [`Headers::new`] first.
pub struct WriteHeaders<'a>(pub &'a Headers);

impl HeaderSink for WriteHeaders<'_> {
    fn set_header(&mut self, name: &'static str, value: &str) {
        let _ = self.0.set(name, value);
    }

    fn remove_header(&mut self, name: &'static str) {
        let _ = self.0.delete(name);
    }
}

/// A mutable copy of `headers` (those of a fetched response are immutable in JS).
pub fn mutable_copy(headers: &Headers) -> Headers {
    let copy = Headers::new();
    for (name, value) in headers.entries() {
        let _ = copy.append(&name, &value);
    }
    copy
}
