//! Reading and writing headers: [`HeaderSource`] and [`HeaderSink`] for the header types of
//! `http` and, with the `worker` feature, workers-rs.

use super::{REQUEST_ID_HEADER, TRACEPARENT_HEADER, TRACESTATE_HEADER, TRACE_ID_HEADER};
use std::borrow::Cow;

/// Read access to request headers, by lowercase name.
///
/// A header may occur several times in a request. Readers of trace context must see that (two
/// `traceparent` headers make the context invalid; several `tracestate` headers make one list),
/// so [`header_bytes`](HeaderSource::header_bytes) returns the *combined* value, as RFC 9110
/// §5.3 defines it and as a Worker's `Headers.get` returns it: every value of the header, in
/// order, joined by `, `.
///
/// Implemented for `http::HeaderMap`, `http::Request<B>`, `http::Response<B>`, slices and arrays
/// of `(&str, &str)` pairs and, with the `worker` feature, `worker::Headers` and
/// `worker::Request`.
///
/// ```
/// use nno_obs::trace::HeaderSource;
///
/// let mut headers = http::HeaderMap::new();
/// headers.append("tracestate", "foo=1".parse().unwrap());
/// assert_eq!(headers.header_bytes("tracestate").as_deref(), Some(&b"foo=1"[..]));
/// headers.append("tracestate", "bar=2".parse().unwrap());
/// assert_eq!(headers.header_bytes("tracestate").as_deref(), Some(&b"foo=1, bar=2"[..]));
/// assert_eq!(headers.header_bytes("traceparent"), None);
/// ```
pub trait HeaderSource {
    /// The combined value of the header called `name` (lowercase), as raw bytes: its only value,
    /// or all its values joined by `, `; `None` when it is absent.
    fn header_bytes(&self, name: &str) -> Option<Cow<'_, [u8]>>;
}

/// Write access to outgoing headers.
///
/// Implemented for `http::HeaderMap`, `http::Request<B>`, `http::Response<B>`,
/// `Vec<(String, String)>` and, with the `worker` feature, `worker::Headers` and
/// `worker::Response`.
///
/// ```
/// use nno_obs::trace::HeaderSink;
///
/// let mut headers: Vec<(String, String)> = vec![("x-trace-id".into(), "old".into())];
/// headers.set_header("x-trace-id", "tr_abc123");
/// assert_eq!(headers, [("x-trace-id".to_owned(), "tr_abc123".to_owned())]);
/// ```
pub trait HeaderSink {
    /// Sets `name` to `value`, replacing any earlier value. Values given here are always valid
    /// header values (validated ids and trace context), so implementations may ignore a refusal.
    fn set_header(&mut self, name: &'static str, value: &str);
    /// Removes `name`.
    fn remove_header(&mut self, name: &'static str);
}

/// The combined value of `values`: borrowed when there is one (the common case costs no
/// allocation), joined by `, ` when there are several.
fn combined<'a>(mut values: impl Iterator<Item = &'a [u8]>) -> Option<Cow<'a, [u8]>> {
    let first = values.next()?;
    let Some(second) = values.next() else {
        return Some(Cow::Borrowed(first));
    };
    let mut joined = Vec::with_capacity(first.len() + 2 + second.len());
    joined.extend_from_slice(first);
    for value in std::iter::once(second).chain(values) {
        joined.extend_from_slice(b", ");
        joined.extend_from_slice(value);
    }
    Some(Cow::Owned(joined))
}

impl HeaderSource for http::HeaderMap {
    fn header_bytes(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        combined(self.get_all(name).iter().map(http::HeaderValue::as_bytes))
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
        combined(
            self.iter()
                .filter(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.as_bytes()),
        )
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
    const TRACESTATE: http::HeaderName = http::HeaderName::from_static(TRACESTATE_HEADER);
    match name {
        TRACE_ID_HEADER => TRACE_ID,
        REQUEST_ID_HEADER => REQUEST_ID,
        TRACEPARENT_HEADER => TRACEPARENT,
        TRACESTATE_HEADER => TRACESTATE,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_is_borrowed_several_are_joined_in_order() {
        let pairs = [("TraceState", "a=1"), ("x", "y"), ("tracestate", "b=2")];
        assert_eq!(
            pairs.header_bytes("tracestate").as_deref(),
            Some(&b"a=1, b=2"[..])
        );
        assert!(matches!(pairs.header_bytes("x"), Some(Cow::Borrowed(b"y"))));
        assert_eq!(pairs.header_bytes("absent"), None);

        let mut map = http::HeaderMap::new();
        map.append("traceparent", http::HeaderValue::from_static("one"));
        assert!(matches!(
            map.header_bytes("traceparent"),
            Some(Cow::Borrowed(b"one"))
        ));
        map.append("traceparent", http::HeaderValue::from_static("two"));
        map.append("traceparent", http::HeaderValue::from_static("three"));
        assert_eq!(
            map.header_bytes("traceparent").as_deref(),
            Some(&b"one, two, three"[..])
        );
    }

    #[test]
    fn tracestate_is_a_known_header_name() {
        let mut map = http::HeaderMap::new();
        map.set_header(TRACESTATE_HEADER, "a=1");
        assert_eq!(map["tracestate"], "a=1");
    }
}
