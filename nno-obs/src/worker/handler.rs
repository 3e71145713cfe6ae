//! What `#[nno_handler]` needs of workers-rs' request and response types.

use crate::__private::{HandlerOutput, IncomingRequest, Text};
use crate::obs::Obs;
use crate::trace::{
    HeaderSource, REQUEST_ID_HEADER, TRACEPARENT_HEADER, TRACESTATE_HEADER, TRACE_ID_HEADER,
};
use std::borrow::Cow;
use worker::js_sys::JsString;
use worker::wasm_bindgen::JsValue;

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
        crate::init_trace(&NamedHeaders(self.headers()))
    }
}

/// A request's headers, read with the header names as JS strings made once per isolate.
struct NamedHeaders<'a>(&'a ::worker::Headers);

impl HeaderSource for NamedHeaders<'_> {
    fn header_bytes(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        let value = with_js_name(name, |js_name| js::get(&self.0 .0, js_name))
            .unwrap_or_else(|| self.0.get(name).map_err(|_| JsValue::NULL));
        // A lookup that fails in JavaScript is an absent header, as for `worker::Headers`.
        value
            .ok()
            .flatten()
            .map(|value| Cow::Owned(value.into_bytes()))
    }
}

/// Sets header `name` to `value`; `Err` when JavaScript refuses (the immutable headers of a
/// fetched response).
fn set_header(headers: &::worker::Headers, name: &'static str, value: &str) -> Result<(), JsValue> {
    with_js_name(name, |js_name| js::set(&headers.0, js_name, value))
        .unwrap_or_else(|| headers.set(name, value).map_err(|_| JsValue::NULL))
}

/// Runs `f` with `name` as a JS string made once per isolate, when it is one of the header
/// names nno-obs reads and writes on every request; `None` for any other name.
///
/// A `&str` name is decoded from wasm memory into a new JS string on every call
/// (`TextDecoder.decode`, a call into workerd); a JS string is passed as it is.
fn with_js_name<R>(name: &str, f: impl FnOnce(&JsString) -> R) -> Option<R> {
    struct Names {
        trace_id: JsString,
        request_id: JsString,
        traceparent: JsString,
        tracestate: JsString,
    }
    thread_local! {
        static NAMES: Names = Names {
            trace_id: JsString::from(TRACE_ID_HEADER),
            request_id: JsString::from(REQUEST_ID_HEADER),
            traceparent: JsString::from(TRACEPARENT_HEADER),
            tracestate: JsString::from(TRACESTATE_HEADER),
        };
    }
    NAMES
        .try_with(|names| {
            let js_name = match name {
                TRACE_ID_HEADER => &names.trace_id,
                REQUEST_ID_HEADER => &names.request_id,
                TRACEPARENT_HEADER => &names.traceparent,
                TRACESTATE_HEADER => &names.tracestate,
                _ => return None,
            };
            Some(f(js_name))
        })
        .ok()
        .flatten()
}

/// `Headers.get` and `Headers.set` with the name as a JS string.
mod js {
    use worker::js_sys::JsString;
    use worker::wasm_bindgen::prelude::wasm_bindgen;
    use worker::wasm_bindgen::{JsCast, JsValue};

    #[wasm_bindgen(wasm_bindgen = ::worker::wasm_bindgen, js_sys = ::worker::js_sys)]
    extern "C" {
        /// A `Headers` object, seen through the two methods below.
        type JsHeaders;
        #[wasm_bindgen(method, catch, js_name = get)]
        fn get_named(this: &JsHeaders, name: &JsString) -> Result<Option<String>, JsValue>;
        #[wasm_bindgen(method, catch, js_name = set)]
        fn set_named(this: &JsHeaders, name: &JsString, value: &str) -> Result<(), JsValue>;
    }

    /// `headers.get(name)`.
    pub(super) fn get(
        headers: &::worker::web_sys::Headers,
        name: &JsString,
    ) -> Result<Option<String>, JsValue> {
        headers.unchecked_ref::<JsHeaders>().get_named(name)
    }

    /// `headers.set(name, value)`.
    pub(super) fn set(
        headers: &::worker::web_sys::Headers,
        name: &JsString,
        value: &str,
    ) -> Result<(), JsValue> {
        headers.unchecked_ref::<JsHeaders>().set_named(name, value)
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
    if set_header(headers, TRACE_ID_HEADER, obs.trace_id()).is_ok() {
        // Mutable headers: the request id goes in the same way.
        let _ = set_header(headers, REQUEST_ID_HEADER, obs.request_id());
        return;
    }
    let copy = ::worker::Headers::new();
    for (name, value) in headers.entries() {
        let _ = copy.append(&name, &value);
    }
    let _ = set_header(&copy, TRACE_ID_HEADER, obs.trace_id());
    let _ = set_header(&copy, REQUEST_ID_HEADER, obs.request_id());
    // `with_headers` takes the response by value; swap a placeholder in for the moment.
    if let Ok(placeholder) = ::worker::Response::empty() {
        let fetched = std::mem::replace(response, placeholder);
        *response = fetched.with_headers(copy);
    }
}
