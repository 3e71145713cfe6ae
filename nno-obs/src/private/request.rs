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
    isolate_telemetry(env)
}

/// The telemetry of a workers-rs router handler: the bindings and vars of its `Env`.
#[cfg(feature = "worker")]
pub fn route_telemetry<D>(context: &worker::RouteContext<D>) -> Telemetry {
    isolate_telemetry(&context.env)
}

/// `Telemetry::from_env`, read once per isolate: a Worker's bindings and vars do not change
/// while its isolate lives, and looking up seven of them on every request cost about 20 µs per
/// request in workerd (`scripts/e2e.sh --bench`, hello-obs against hello). This is sink
/// configuration only; no request state is kept.
#[cfg(feature = "worker")]
fn isolate_telemetry(env: &worker::Env) -> Telemetry {
    thread_local! {
        static TELEMETRY: std::cell::RefCell<Option<Telemetry>> =
            const { std::cell::RefCell::new(None) };
    }
    let cached = TELEMETRY.try_with(|slot| {
        let mut slot = slot.try_borrow_mut().ok()?;
        Some(slot.get_or_insert_with(|| Telemetry::from_env(env)).clone())
    });
    match cached {
        Ok(Some(telemetry)) => telemetry,
        // Never expected (no re-entrant call, no thread teardown), but never a panic either.
        _ => Telemetry::from_env(env),
    }
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

#[cfg(feature = "worker")]
impl IncomingRequest for worker::Request {
    fn nno_method(&self) -> Cow<'static, str> {
        use worker::Method;
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
