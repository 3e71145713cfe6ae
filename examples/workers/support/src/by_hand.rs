//! Request and step instrumentation written by hand with the nno-obs runtime API.
//!
//! This is what the attribute macros generate, spelled out so that the Workers can be built and
//! tested end to end before the macros land:
//!
//! | by hand (today) | with the macros |
//! |---|---|
//! | [`handle`]`(HANDLER, req, env, rest, body)` | `#[nno_handler(service = …, feature = …, route = …)]` on `body`, with an `obs: Obs` parameter |
//! | [`step`]`(obs, "name", fields!{…}, \|obs\| body)` | `#[nno_instrument(span, name = "name", fields(…))]` on the step function |
//!
//! Nothing here holds request state outside the explicit [`Obs`]: requests interleave in one
//! isolate at every `.await`.

use nno_obs::{fields, Field, Obs, SpanOutcome, Telemetry};
use std::fmt::Display;
use std::future::Future;
use worker::{Env, Request, Response, Result};

/// The arguments `#[nno_handler(...)]` takes.
#[derive(Clone, Copy, Debug)]
pub struct Handler {
    /// `service = "…"`: the `service` of every line.
    pub service: &'static str,
    /// `feature = "…"`: blob1 (and the index) of the perf point.
    pub feature: &'static str,
    /// `route = "…"`: the endpoint is `METHOD route`; `None` normalizes the path instead.
    pub route: Option<&'static str>,
}

/// Runs `body` as `#[nno_handler]` does (seed §1.3 `requestLogger` plus §3.2):
///
/// 1. trace ids from the request headers (`x-trace-id` / `x-request-id`, validated, else
///    UUIDs), telemetry from the Worker's bindings and `PLATFORM_ID` / `ENTITY_ID` vars;
/// 2. `→ request` {method, path};
/// 3. the body, handed the context;
/// 4. `← response` {method, path, status, duration}, an `Err` counting as 500;
/// 5. one `{platformId}-perf` point: featureId, `METHOD endpoint`, status, entityId;
///    1, duration, 5xx flag;
/// 6. both ids echoed on the response; an `Err` is returned unchanged.
///
/// `rest` is whatever else the framework passed (`RouteContext`, or `Env` and `Context`).
pub async fn handle<R, F, Fut>(
    handler: Handler,
    req: Request,
    env: &Env,
    rest: R,
    body: F,
) -> Result<Response>
where
    F: FnOnce(Request, R, Obs) -> Fut,
    Fut: Future<Output = Result<Response>>,
{
    let telemetry = Telemetry::from_env(env);
    let start_ms = telemetry.clock().now_ms();
    let obs = Obs::from_headers(telemetry, handler.service, &req);
    let method = req.method();
    let method: &str = method.as_ref();
    let path = req.path();
    obs.info("→ request", fields! { method, path });

    let result = body(req, rest, obs.clone()).await;

    let status = match &result {
        Ok(response) => response.status_code(),
        Err(_) => 500,
    };
    let duration = obs
        .telemetry()
        .clock()
        .now_ms()
        .saturating_sub(start_ms);
    obs.info(
        "← response",
        fields! { method, path, status, duration },
    );
    let endpoint = match handler.route {
        Some(route) => format!("{method} {route}"),
        None => format!("{method} {}", normalize_path(&path)),
    };
    obs.record_perf(handler.feature, &endpoint, status, duration);

    let mut response = result?;
    obs.echo_ids(&mut response);
    Ok(response)
}

/// Runs a step as `#[nno_instrument(span, name = …, fields(…))]` does: a child span of `obs`
/// named `name`, `step started`, then `step completed` {durationMs} or, at `error` level,
/// `step failed` {durationMs, error}, each line carrying `step` and `fields`; the seed §4.2 span
/// point when the body ends (outcome `error` for an `Err`). The body gets the child context.
pub async fn step<T, E, F, Fut>(
    obs: &Obs,
    name: &'static str,
    fields: &[Field<'_>],
    body: F,
) -> std::result::Result<T, E>
where
    E: Display,
    F: FnOnce(Obs) -> Fut,
    Fut: Future<Output = std::result::Result<T, E>>,
{
    let span = obs.child(name).start_span();
    // The line's fields: `step`, the named fields (borrowed, never copied), then the outcome.
    let mut line: Vec<Field<'_>> = Vec::with_capacity(fields.len() + 3);
    line.push(Field {
        key: "step",
        value: &name,
    });
    line.extend_from_slice(fields);
    span.obs().info("step started", &line);

    let result = body(span.obs().clone()).await;

    let duration_ms = span.elapsed_ms();
    line.push(Field {
        key: "durationMs",
        value: &duration_ms,
    });
    match &result {
        Ok(_) => {
            span.obs().info("step completed", &line);
            span.end(SpanOutcome::Ok);
        }
        Err(error) => {
            let error = error.to_string();
            line.push(Field {
                key: "error",
                value: &error,
            });
            span.obs().error("step failed", &line);
            span.end(SpanOutcome::Error);
        }
    }
    result
}

/// The path with id-like segments (all digits, UUIDs, long hex) replaced by `:id`, so that the
/// number of distinct perf endpoints stays bounded (what `#[nno_handler]` does without
/// `route`).
pub fn normalize_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if is_id_like(segment) {
            out.push_str(":id");
        } else {
            out.push_str(segment);
        }
    }
    out
}

fn is_id_like(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    if bytes.is_empty() {
        return false;
    }
    let all_digits = bytes.iter().all(u8::is_ascii_digit);
    let long_hex = bytes.len() >= 16 && bytes.iter().all(u8::is_ascii_hexdigit);
    let uuid = bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    all_digits || long_hex || uuid
}

#[cfg(test)]
mod tests {
    use super::normalize_path;

    #[test]
    fn id_like_segments_become_id() {
        assert_eq!(normalize_path("/api/report/42"), "/api/report/:id");
        assert_eq!(
            normalize_path("/api/report/4bf92f35-77b3-4da6-a3ce-929d0e0e4736/x"),
            "/api/report/:id/x"
        );
        assert_eq!(normalize_path("/api/report/00f067aa0ba902b7"), "/api/report/:id");
        assert_eq!(normalize_path("/api/data"), "/api/data");
        assert_eq!(normalize_path("/api/report/q3-2026"), "/api/report/q3-2026");
    }
}
