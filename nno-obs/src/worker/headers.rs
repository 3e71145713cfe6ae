//! The header traits for workers-rs' `Headers`, `Request` and `Response`, so `init_trace`,
//! `Obs::from_headers` and `Obs::with_trace_headers` take them as they take `http` types.

use crate::trace::{HeaderSink, HeaderSource};
use std::borrow::Cow;

impl HeaderSource for ::worker::Headers {
    fn header_bytes(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        // The Fetch API's `Headers.get` already returns the combined value (`, `-joined).
        // A lookup that fails in JavaScript is treated as an absent header.
        self.get(name)
            .ok()
            .flatten()
            .map(|value| Cow::Owned(value.into_bytes()))
    }
}

impl HeaderSource for ::worker::Request {
    fn header_bytes(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        self.headers().header_bytes(name)
    }
}

impl HeaderSink for ::worker::Headers {
    fn set_header(&mut self, name: &'static str, value: &str) {
        // Immutable headers (a received Response's) refuse; telemetry must not fail the call.
        let _ = self.set(name, value);
    }

    fn remove_header(&mut self, name: &'static str) {
        let _ = self.delete(name);
    }
}

impl HeaderSink for ::worker::Response {
    fn set_header(&mut self, name: &'static str, value: &str) {
        self.headers_mut().set_header(name, value);
    }

    fn remove_header(&mut self, name: &'static str) {
        self.headers_mut().remove_header(name);
    }
}
