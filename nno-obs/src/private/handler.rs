//! Handlers: what `#[nno_handler]` runs around a request, and the perf point's endpoint.

use super::*;
use crate::obs::Obs;
use crate::telemetry::Telemetry;
use std::borrow::Cow;
use std::sync::Arc;

/// What one `#[nno_handler]` says, in a `static`.
pub struct HandlerSpec {
    service: ServiceName,
    feature: &'static str,
    route: Option<&'static str>,
}

impl HandlerSpec {
    /// The service, the feature (the macro defaults it to the service) and the route, if given.
    pub const fn new(
        service: &'static str,
        feature: &'static str,
        route: Option<&'static str>,
    ) -> Self {
        Self {
            service: ServiceName::new(service),
            feature,
            route,
        }
    }
}

/// What a handler returns: a response, or a `Result` of one (an `Err` counts as status 500
/// and is returned unchanged).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a response type #[nno_handler] supports",
    label = "the handler must return a response",
    note = "native handlers return `http::Response<B>` or `Result<http::Response<B>, E>`; workers-rs handlers return `worker::Result<worker::Response>`"
)]
pub trait HandlerOutput {
    /// The status written on the `← response` line and the perf point.
    fn nno_status(&self) -> u16;
    /// Sets `x-trace-id` and `x-request-id` on the response.
    fn nno_echo_ids(&mut self, obs: &Obs);
}

impl<B> HandlerOutput for http::Response<B> {
    fn nno_status(&self) -> u16 {
        self.status().as_u16()
    }

    fn nno_echo_ids(&mut self, obs: &Obs) {
        obs.echo_ids(self.headers_mut());
    }
}

#[cfg(feature = "worker")]
impl HandlerOutput for worker::Response {
    fn nno_status(&self) -> u16 {
        self.status_code()
    }

    fn nno_echo_ids(&mut self, obs: &Obs) {
        obs.echo_ids(self.headers_mut());
    }
}

impl<T: HandlerOutput, E> HandlerOutput for Result<T, E> {
    fn nno_status(&self) -> u16 {
        match self {
            Ok(response) => response.nno_status(),
            Err(_) => 500,
        }
    }

    fn nno_echo_ids(&mut self, obs: &Obs) {
        if let Ok(response) = self {
            response.nno_echo_ids(obs);
        }
    }
}

/// One request going through a handler.
pub struct Handler {
    spec: &'static HandlerSpec,
    obs: Obs,
    method: Cow<'static, str>,
    path: Text<128>,
    start_ms: u64,
}

impl Handler {
    /// Starts timing `request` and makes its context (ids from its headers, or fresh ones).
    pub fn begin<R: IncomingRequest + ?Sized>(
        spec: &'static HandlerSpec,
        telemetry: Telemetry,
        request: &R,
    ) -> Self {
        let start_ms = telemetry.clock().now_ms();
        let obs = Obs::new(telemetry, spec.service.shared(), request.nno_trace_ids());
        Self {
            spec,
            obs,
            method: request.nno_method(),
            path: request.nno_path(),
            start_ms,
        }
    }

    /// The `platform = …` argument.
    pub fn platform_id(mut self, platform_id: impl Into<Arc<str>>) -> Self {
        self.obs = self.obs.with_platform_id(platform_id);
        self
    }

    /// The `entity = …` argument.
    pub fn entity_id(mut self, entity_id: impl Into<Arc<str>>) -> Self {
        self.obs = self.obs.with_entity_id(entity_id);
        self
    }

    /// Writes `→ request` {method, path}.
    pub fn request_line(self) -> Self {
        let method: &str = &self.method;
        self.obs.info(
            "→ request",
            crate::fields! { method: method, path: self.path.as_str() },
        );
        self
    }

    /// The request's context.
    pub fn obs(&self) -> &Obs {
        &self.obs
    }

    /// Ends the request: echoes the ids on the response, writes `← response` {method, path,
    /// status, duration} and the `{platformId}-perf` point, and returns `output` unchanged
    /// otherwise.
    pub fn end<O: HandlerOutput>(self, mut output: O) -> O {
        let status = output.nno_status();
        output.nno_echo_ids(&self.obs);
        let duration = self
            .obs
            .telemetry()
            .clock()
            .now_ms()
            .saturating_sub(self.start_ms);
        let method: &str = &self.method;
        self.obs.info(
            "← response",
            crate::fields! {
                method: method,
                path: self.path.as_str(),
                status: status,
                duration: duration,
            },
        );
        let endpoint = endpoint(method, self.spec.route, self.path.as_str());
        self.obs
            .record_perf(self.spec.feature, endpoint.as_str(), status, duration);
        output
    }
}

/// The perf point's endpoint: `METHOD route`, or `METHOD path` with id-like segments replaced
/// by `:id` so the number of distinct endpoints stays bounded.
///
/// ```
/// # use nno_obs::__private::endpoint;
/// assert_eq!(endpoint("GET", Some("/api/data/:id"), "/api/data/42").as_str(), "GET /api/data/:id");
/// assert_eq!(endpoint("GET", None, "/api/data/42/rows").as_str(), "GET /api/data/:id/rows");
/// ```
pub fn endpoint(method: &str, route: Option<&str>, path: &str) -> Text<160> {
    let mut out = Text::from(method);
    out.push(" ");
    match route {
        Some(route) => out.push(route),
        None => {
            for (at, segment) in path.split('/').enumerate() {
                if at > 0 {
                    out.push("/");
                }
                out.push(if is_id_like(segment) { ":id" } else { segment });
            }
        }
    }
    out
}

/// All digits, a UUID, or 16 or more hex digits.
pub fn is_id_like(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    if bytes.is_empty() {
        return false;
    }
    if bytes.iter().all(u8::is_ascii_digit) {
        return true;
    }
    let is_uuid = bytes.len() == 36
        && bytes.iter().enumerate().all(|(at, byte)| match at {
            8 | 13 | 18 | 23 => *byte == b'-',
            _ => byte.is_ascii_hexdigit(),
        });
    is_uuid || (bytes.len() >= 16 && bytes.iter().all(u8::is_ascii_hexdigit))
}
