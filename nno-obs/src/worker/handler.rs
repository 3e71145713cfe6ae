//! What `#[nno_handler]` needs of workers-rs' request and response types.

use crate::__private::{HandlerOutput, IncomingRequest, Text};
use crate::obs::Obs;
use std::borrow::Cow;

impl IncomingRequest for ::worker::Request {
    fn nno_method(&self) -> Cow<'static, str> {
        use ::worker::Method;
        Cow::Borrowed(match self.method() {
            Method::Head => "HEAD",
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Connect => "CONNECT",
            Method::Trace => "TRACE",
            Method::Report => "REPORT",
        })
    }

    fn nno_path(&self) -> Text<128> {
        // workers-rs hands out an owned copy; keep it rather than copy it again.
        Text::from(self.path())
    }

    fn nno_trace_ids(&self) -> crate::TraceIds {
        crate::init_trace(self.headers())
    }
}

impl HandlerOutput for ::worker::Response {
    fn nno_status(&self) -> u16 {
        self.status_code()
    }

    fn nno_echo_ids(&mut self, obs: &Obs) {
        echo_ids_on_response(self, obs);
    }
}

/// Sets `x-trace-id` and `x-request-id` on `response`. A response returned by `fetch` has
/// immutable headers in JavaScript: there the headers are copied into a new, mutable set (the
/// body is not touched), so a handler can return a fetched response as it is.
pub(crate) fn echo_ids_on_response(response: &mut ::worker::Response, obs: &Obs) {
    let headers = response.headers();
    let trace_set = headers
        .set(crate::trace::TRACE_ID_HEADER, obs.trace_id())
        .is_ok();
    if trace_set {
        // Mutable headers: the request id goes in the same way.
        let _ = headers.set(crate::trace::REQUEST_ID_HEADER, obs.request_id());
        return;
    }
    let copy = ::worker::Headers::new();
    for (name, value) in headers.entries() {
        let _ = copy.append(&name, &value);
    }
    let _ = copy.set(crate::trace::TRACE_ID_HEADER, obs.trace_id());
    let _ = copy.set(crate::trace::REQUEST_ID_HEADER, obs.request_id());
    // `with_headers` takes the response by value; swap a placeholder in for the moment.
    if let Ok(placeholder) = ::worker::Response::empty() {
        let fetched = std::mem::replace(response, placeholder);
        *response = fetched.with_headers(copy);
    }
}
