//! The NNO gateway Worker, a core service: answers `/health` itself and forwards `/api/*` to the
//! analytics feature Worker through the `ANALYTICS_FEATURE` service binding, carrying the trace
//! (`x-trace-id`, `x-request-id`, `traceparent`) with `Obs::with_trace_headers`.
//!
//! Instrumented by `#[nno_handler(service = "gateway", routes(…))]` on its `#[event(fetch)]`
//! handler. Without `feature` it is a core service: its requests are counted in `nno-core-ops`
//! (never in a platform's `-perf` dataset), under the endpoint `METHOD route` of the declared
//! route they matched, or `METHOD (unmatched)` for any other path. Each forward runs in its own
//! child span (`forward`), which the feature Worker's request span names as its parent.

use nno_obs::{fields, nno_handler, nno_instrument, Obs};
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

// The routes are declared once, here: they name the endpoint of every request and, through
// `obs.route()`, decide the dispatch below, so the two cannot disagree.
#[nno_handler(service = "gateway", routes("/health", "/api/*rest"))]
#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context, obs: Obs) -> Result<Response> {
    match obs.route() {
        Some("/health") => {
            let mut response = Response::ok(r#"{"status":"ok","service":"gateway"}"#)?;
            response
                .headers_mut()
                .set("content-type", "application/json")?;
            Ok(response)
        }
        Some("/api/*rest") => forward(&obs, req, &env).await,
        // Unknown paths: observed as `GET (unmatched)` (or the request's method).
        _ => Response::error("Not Found", 404),
    }
}

/// Forwards `req` to the feature Worker in a child span of its own (`forward`, one per
/// outgoing call): inside, `obs` is that span's context, so the `traceparent` sent names it and
/// the feature Worker's request span hangs under it. The fetched response is returned as it
/// is: `#[nno_handler]` echoes the ids on it (copying its immutable headers).
///
/// `lines = false`: the request's own lines already describe the call, and an `Err` is logged
/// by the handler (`unhandled error`); the span alone times the hop.
#[nno_instrument(span, name = "forward", lines = false)]
async fn forward(obs: &Obs, mut req: Request, env: &Env) -> Result<Response> {
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
    Ok(response)
}
