//! The requests a handler receives (native `http::Request`, `worker::Request`) and their
//! telemetry.

use super::*;
use crate::telemetry::Telemetry;
use std::borrow::Cow;

/// A request a handler receives: `http::Request<B>` natively, `worker::Request` in a Worker.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a request type #[nno_handler] supports",
    label = "the handler's first parameter must be the request",
    note = "native handlers take `http::Request<B>`; workers-rs handlers take `worker::Request` (feature `worker`)"
)]
pub trait IncomingRequest {
    /// The method, e.g. `GET`.
    fn nno_method(&self) -> Cow<'static, str>;
    /// The path, without the query.
    fn nno_path(&self) -> Text<128>;
    /// The trace ids of the request (seed §4.1's `initTrace`).
    fn nno_trace_ids(&self) -> crate::TraceIds;
    /// A `Telemetry` the request carries (natively: in its extensions).
    fn nno_telemetry(&self) -> Option<&Telemetry> {
        None
    }
}

impl<B> IncomingRequest for http::Request<B> {
    fn nno_method(&self) -> Cow<'static, str> {
        method_name(self.method())
    }

    fn nno_path(&self) -> Text<128> {
        Text::from(self.uri().path())
    }

    fn nno_trace_ids(&self) -> crate::TraceIds {
        crate::init_trace(self.headers())
    }

    fn nno_telemetry(&self) -> Option<&Telemetry> {
        self.extensions().get::<Telemetry>()
    }
}

fn method_name(method: &http::Method) -> Cow<'static, str> {
    const KNOWN: [(http::Method, &str); 9] = [
        (http::Method::GET, "GET"),
        (http::Method::POST, "POST"),
        (http::Method::PUT, "PUT"),
        (http::Method::DELETE, "DELETE"),
        (http::Method::PATCH, "PATCH"),
        (http::Method::HEAD, "HEAD"),
        (http::Method::OPTIONS, "OPTIONS"),
        (http::Method::CONNECT, "CONNECT"),
        (http::Method::TRACE, "TRACE"),
    ];
    KNOWN
        .iter()
        .find(|(known, _)| known == method)
        .map(|(_, name)| Cow::Borrowed(*name))
        .unwrap_or_else(|| Cow::Owned(method.as_str().to_owned()))
}

/// The telemetry of a native request: a `Telemetry` in its extensions, else the process
/// default.
pub fn native_telemetry<R: IncomingRequest + ?Sized>(request: &R) -> Telemetry {
    match request.nno_telemetry() {
        Some(telemetry) => telemetry.clone(),
        None => Telemetry::process_default().clone(),
    }
}

/// The telemetry of a workers-rs `fetch` handler: the bindings and vars of its `Env`.
#[cfg(feature = "worker")]
pub fn env_telemetry(env: &worker::Env) -> Telemetry {
    crate::worker::isolate_telemetry(env)
}

/// The telemetry of a workers-rs router handler: the bindings and vars of its `Env`.
#[cfg(feature = "worker")]
pub fn route_telemetry<D>(context: &worker::RouteContext<D>) -> Telemetry {
    crate::worker::isolate_telemetry(&context.env)
}

/// Only implemented with the `worker` feature.
#[cfg(not(feature = "worker"))]
#[diagnostic::on_unimplemented(
    message = "workers-rs handlers need the `worker` feature of nno-obs",
    label = "a handler with this parameter is a workers-rs handler",
    note = "depend on `nno-obs = {{ version = \"0.1\", features = [\"worker\"] }}`, or write a native handler `fn(http::Request<B> [, obs: Obs])`"
)]
pub trait WorkerFeature {}

/// Without the `worker` feature a Worker handler does not compile; see [`WorkerFeature`].
#[cfg(not(feature = "worker"))]
pub fn env_telemetry<E: WorkerFeature>(_env: &E) -> Telemetry {
    Telemetry::process_default().clone()
}

/// Without the `worker` feature a Worker handler does not compile; see [`WorkerFeature`].
#[cfg(not(feature = "worker"))]
pub fn route_telemetry<C: WorkerFeature>(_context: &C) -> Telemetry {
    Telemetry::process_default().clone()
}
