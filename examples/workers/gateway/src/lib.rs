//! The NNO gateway Worker: answers `/health` itself and forwards `/api/*` to the analytics
//! feature Worker through the `ANALYTICS_FEATURE` service binding, carrying the trace
//! (`x-trace-id`, `x-request-id`, `traceparent`) with `Obs::with_trace_headers`.
//!
//! Instrumented by `#[nno_handler(service = "gateway", feature = "gateway")]` on its
//! `#[event(fetch)]` handler: without `route`, the perf endpoint is the path with id-like
//! segments replaced by `:id`.

use nno_obs::{fields, nno_handler, Obs};
use worker::{
    event, js_sys, Context, Env, Headers, Method, Request, RequestInit, Response, Result,
};

/// The service binding to the analytics feature Worker (see wrangler.toml).
const FEATURE_BINDING: &str = "ANALYTICS_FEATURE";

/// Incoming headers that are never forwarded as they came: the trace headers are rewritten by
/// `with_trace_headers`, and a body's length is recomputed from the bytes forwarded.
const NOT_FORWARDED: [&str; 4] = [
    "x-trace-id",
    "x-request-id",
    "traceparent",
    "content-length",
];

#[nno_handler(service = "gateway", feature = "gateway")]
#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context, obs: Obs) -> Result<Response> {
    let path = req.path();
    if path == "/health" {
        let mut response = Response::ok(r#"{"status":"ok","service":"gateway"}"#)?;
        response
            .headers_mut()
            .set("content-type", "application/json")?;
        return Ok(response);
    }
    if path.starts_with("/api/") {
        return forward(req, &env, &obs).await;
    }
    Response::error("Not Found", 404)
}

/// Forwards `req` to the feature Worker with the trace headers of `obs`, and returns its
/// response with mutable headers (so the handler can echo the ids on it).
async fn forward(mut req: Request, env: &Env, obs: &Obs) -> Result<Response> {
    let feature = env.service(FEATURE_BINDING)?;

    let headers = Headers::new();
    for (name, value) in req.headers().entries() {
        if !NOT_FORWARDED.contains(&name.as_str()) {
            headers.append(&name, &value)?;
        }
    }
    let headers = obs.with_trace_headers(headers);

    let method = req.method();
    let mut init = RequestInit::new();
    init.with_method(method.clone()).with_headers(headers);
    if !matches!(method, Method::Get | Method::Head) {
        let body = req.bytes().await?;
        init.with_body(Some(js_sys::Uint8Array::from(body.as_slice()).into()));
    }
    // The URL as JS has it (parsing it with the `url` crate would add ~100 KB of wasm).
    let upstream = Request::new_with_init(&req.inner().url(), &init)?;

    let response = feature.fetch_request(upstream).await?;
    let status = response.status_code();
    if status >= 500 {
        obs.warn(
            "feature worker failed",
            fields! { binding: FEATURE_BINDING, status },
        );
    }
    // A fetched response's headers are immutable in JS: copy them so ids can be echoed.
    let headers = Headers::new();
    for (name, value) in response.headers().entries() {
        headers.append(&name, &value)?;
    }
    Ok(response.with_headers(headers))
}
