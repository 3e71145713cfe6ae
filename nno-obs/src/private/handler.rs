//! Handlers: what `#[nno_handler]` runs around a request.
//!
//! Per request it writes, in this order:
//!
//! 1. `→ request` {method, path, then the known featureId, platformId, entityId} (seed §1.3,
//!    with §1.5's "Request handled" keys appended so log search can filter by feature);
//! 2. whatever the handler writes;
//! 3. for an `Err` (or a panic, natively), one `error` line `unhandled error` {featureId,
//!    error} (seed §1.5, "Unhandled error" / "Internal error");
//! 4. `← response` {method, path, status, duration, then featureId, platformId, entityId};
//! 5. the request's own span point (seed §4.2): the root of the request's span tree, operation
//!    the endpoint, outcome `error` for a 5xx or an `Err`;
//! 6. a platform feature's `{platformId}-perf` point, or a core service's `nno-core-ops` point
//!    (seed §3.2) — never both, so a core service never writes into a platform's dataset.

use super::fields::DisplayValue;
use super::*;
use crate::fields::Field;
use crate::obs::Obs;
use crate::schema::{OpOutcome, SpanOutcome};
use crate::telemetry::Telemetry;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// What one `#[nno_handler]` says, in a `static`.
pub struct HandlerSpec {
    service: ServiceName,
    feature: Option<&'static str>,
    routes: Option<Routes>,
}

impl HandlerSpec {
    /// The service; the feature, for a platform feature Worker (`None`: an NNO core service);
    /// the declared routes.
    pub const fn new(
        service: &'static str,
        feature: Option<&'static str>,
        routes: Option<Routes>,
    ) -> Self {
        Self {
            service: ServiceName::new(service),
            feature,
            routes,
        }
    }
}

/// What a handler returns: a response, or a `Result` of one (an `Err` counts as status 500,
/// is logged, and is returned unchanged).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a response type #[nno_handler] supports",
    label = "the handler must return a response",
    note = "native handlers return `http::Response<B>` or `Result<http::Response<B>, E>` with `E: Display`; workers-rs handlers return `worker::Result<worker::Response>`"
)]
pub trait HandlerOutput {
    /// The status written on the `← response` line and the points.
    fn nno_status(&self) -> u16;
    /// Sets `x-trace-id` and `x-request-id` on the response.
    fn nno_echo_ids(&mut self, obs: &Obs);
    /// The error a handler returned, written on the `unhandled error` line.
    fn nno_error(&self) -> Option<&dyn fmt::Display> {
        None
    }
}

impl<B> HandlerOutput for http::Response<B> {
    fn nno_status(&self) -> u16 {
        self.status().as_u16()
    }

    fn nno_echo_ids(&mut self, obs: &Obs) {
        obs.echo_ids(self.headers_mut());
    }
}

impl<T: HandlerOutput, E: fmt::Display> HandlerOutput for Result<T, E> {
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

    fn nno_error(&self) -> Option<&dyn fmt::Display> {
        match self {
            Ok(_) => None,
            Err(error) => Some(error),
        }
    }
}

/// One request going through a handler. Dropped while unwinding from a panic (natively), it
/// still writes the error line, `← response` with status 500 and the points.
pub struct Handler {
    spec: &'static HandlerSpec,
    obs: Obs,
    method: Cow<'static, str>,
    path: Text<128>,
    start_ms: u64,
    ended: bool,
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
        let path = request.nno_path();
        if let Some(route) = spec.routes.and_then(|routes| routes.matched(path.as_str())) {
            obs.set_route(route);
        }
        Self {
            spec,
            obs,
            method: request.nno_method(),
            path,
            start_ms,
            ended: false,
        }
    }

    /// The `platform = …` argument.
    pub fn platform_id(mut self, platform_id: impl Into<Arc<str>>) -> Self {
        self.obs.set_platform_id(platform_id.into());
        self
    }

    /// The `entity = …` argument.
    pub fn entity_id(mut self, entity_id: impl Into<Arc<str>>) -> Self {
        self.obs.set_entity_id(entity_id.into());
        self
    }

    /// Writes `→ request` {method, path, featureId, platformId, entityId}.
    pub fn request_line(self) -> Self {
        let method: &str = &self.method;
        let base = crate::fields! { method: method, path: self.path.as_str() };
        self.with_context_fields(base, |fields| self.obs.info("→ request", fields));
        self
    }

    /// The request's context.
    pub fn obs(&self) -> &Obs {
        &self.obs
    }

    /// Ends the request: echoes the ids on the response, writes the error line of an `Err`,
    /// `← response`, the request's span point and its perf or core-ops point, and returns
    /// `output` unchanged otherwise.
    pub fn end<O: HandlerOutput>(mut self, mut output: O) -> O {
        let status = output.nno_status();
        output.nno_echo_ids(&self.obs);
        self.finish(status, output.nno_error());
        output
    }

    fn finish(&mut self, status: u16, error: Option<&dyn fmt::Display>) {
        self.ended = true;
        let telemetry = self.obs.telemetry();
        let end_ms = telemetry.clock().now_ms();
        let duration = end_ms.saturating_sub(self.start_ms);
        let feature = self.spec.feature;
        if let Some(error) = error {
            let error = DisplayValue(error);
            match feature {
                Some(feature) => self.obs.error(
                    "unhandled error",
                    crate::fields! { featureId: feature, error: error },
                ),
                None => self
                    .obs
                    .error("unhandled error", crate::fields! { error: error }),
            }
        }
        let method: &str = &self.method;
        let base = crate::fields! {
            method: method,
            path: self.path.as_str(),
            status: status,
            duration: duration,
        };
        self.with_context_fields(base, |fields| self.obs.info("← response", fields));

        let endpoint = endpoint(method, self.obs.route());
        let failed = status >= 500 || error.is_some();
        let outcome = if failed {
            SpanOutcome::Error
        } else {
            SpanOutcome::Ok
        };
        self.obs
            .emit_span_as(endpoint.as_str(), self.start_ms, end_ms, outcome, None);
        match feature {
            Some(feature) => {
                self.obs
                    .record_perf(feature, endpoint.as_str(), status, duration);
            }
            None => {
                let outcome = if failed {
                    OpOutcome::Error
                } else {
                    OpOutcome::Success
                };
                self.obs
                    .record_core_op(endpoint.as_str(), outcome, duration);
            }
        }
    }

    /// Calls `write` with `base` followed by the known featureId, platformId and entityId.
    fn with_context_fields<R>(
        &self,
        base: &[Field<'_>],
        write: impl FnOnce(&[Field<'_>]) -> R,
    ) -> R {
        let feature = self.spec.feature;
        let platform = self.obs.platform_id();
        let entity = self.obs.entity_id();
        // Room for the seed's four keys and the three context keys; `try_push` keeps a
        // longer `base` from ever panicking.
        let mut all = arrayvec::ArrayVec::<Field<'_>, 7>::new();
        for field in base.iter().take(4) {
            let _ = all.try_push(*field);
        }
        let extra: [(&str, Option<&&str>); 3] = [
            ("featureId", feature.as_ref()),
            ("platformId", platform.as_ref()),
            ("entityId", entity.as_ref()),
        ];
        for (key, value) in extra {
            if let Some(value) = value {
                let _ = all.try_push(Field { key, value });
            }
        }
        write(&all)
    }
}

impl Drop for Handler {
    fn drop(&mut self) {
        // A panic in the handler's body (native builds unwind; a Worker's wasm traps and
        // workerd logs the exception itself). A future dropped before it finished (a client
        // that went away) writes nothing: there is no response to describe.
        if !self.ended && std::thread::panicking() {
            self.finish(500, Some(&"panicked"));
        }
    }
}
