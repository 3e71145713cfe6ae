//! Used by the code `#[nno_instrument]` and `#[nno_handler]` generate. Not public API: names
//! here may change in any release.
//!
//! Everything here does what a hand-written call of the public API would do, and no more:
//! field values are borrowed, never cloned; service names given to the macros are turned into
//! an `Arc<str>` once per call site, not once per call; the path and endpoint of a request are
//! kept on the stack unless they are unusually long. Nothing here panics or returns an error
//! the program would have to handle.

use crate::fields::{Field, FieldValue};
use crate::level::LogLevel;
use crate::logger::Logger;
use crate::obs::{ActiveSpan, Obs};
use crate::schema::SpanOutcome;
use crate::telemetry::Telemetry;
#[cfg(feature = "worker")]
use crate::trace::{HeaderSink, HeaderSource};
use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};

pub use crate::level::LogLevel as Level;

// ---------------------------------------------------------------------------------------------
// Fields

/// The value of one `fields(...)` entry. Spanned on the user's expression, so a value that
/// cannot be logged is reported there.
#[inline(always)]
pub fn field<T: Loggable>(value: &T) -> &dyn FieldValue {
    value
}

/// Implemented for every type a field may hold: every `serde::Serialize` type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be logged as a field value",
    label = "this field's value does not implement `serde::Serialize`",
    note = "log a `Serialize` value instead (a `String`, a number, `x.to_string()`, an id), or derive `Serialize`"
)]
pub trait Loggable: FieldValue {}

impl<T: FieldValue> Loggable for T {}

const EMPTY_FIELD: Field<'static> = Field {
    key: "",
    value: &(),
};

/// Calls `write` with `user` followed by `extra`, copied into a stack buffer (a `Vec` only for
/// more than 29 fields).
#[inline]
fn with_fields<R>(
    user: &[Field<'_>],
    extra: &[Field<'_>],
    write: impl FnOnce(&[Field<'_>]) -> R,
) -> R {
    const CAPACITY: usize = 32;
    let len = user.len() + extra.len();
    if len <= CAPACITY {
        let mut buffer = [EMPTY_FIELD; CAPACITY];
        buffer[..user.len()].copy_from_slice(user);
        buffer[user.len()..len].copy_from_slice(extra);
        write(&buffer[..len])
    } else {
        let mut all = Vec::with_capacity(len);
        all.extend_from_slice(user);
        all.extend_from_slice(extra);
        write(&all)
    }
}

/// Writes a `Display` value as a JSON string, without building a `String` first.
struct DisplayValue<'a, E: ?Sized>(&'a E);

impl<E: fmt::Display + ?Sized> serde::Serialize for DisplayValue<'_, E> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// Service names

/// A service name written in an attribute: made an `Arc<str>` once per call site.
pub struct ServiceName {
    text: &'static str,
    shared: OnceLock<Arc<str>>,
}

impl ServiceName {
    /// A name, checked to be kebab-case by the macro.
    pub const fn new(text: &'static str) -> Self {
        Self {
            text,
            shared: OnceLock::new(),
        }
    }

    /// The name.
    pub fn as_str(&self) -> &'static str {
        self.text
    }

    /// The name as an `Arc<str>` (a reference-count increment after the first call).
    pub fn shared(&self) -> Arc<str> {
        self.shared.get_or_init(|| Arc::from(self.text)).clone()
    }

    /// The name as `parent`'s service would hold it: `parent`'s own `Arc` when it is the same.
    fn shared_like(&self, parent: &Obs) -> Arc<str> {
        if *parent.service == *self.text {
            parent.service.clone()
        } else {
            self.shared()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Context parameters

/// A parameter that carries the observability context.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an nno-obs context",
    label = "the context parameter must be `Obs` or `&Obs`",
    note = "declare the context as `obs: &Obs` or `obs: Obs`, or name another parameter with `obs = name`"
)]
pub trait ContextParam {
    /// What the generated code keeps of the context while the body runs: the reference itself,
    /// or a clone of an owned `Obs` (two reference-count increments, no allocation).
    type Kept: std::borrow::Borrow<Obs>;
    /// What the body of a `span` step sees under the parameter's name: the child span's
    /// context, with the parameter's own type (`Obs` is a clone of the child, `&Obs` a
    /// reference to it).
    type Shadow<'s>;
    /// The context.
    fn context(&self) -> &Obs;
    /// See [`ContextParam::Kept`].
    fn keep(&self) -> Self::Kept;
    /// See [`ContextParam::Shadow`].
    fn shadow(child: &Obs) -> Self::Shadow<'_>;
}

impl ContextParam for Obs {
    type Kept = Obs;
    type Shadow<'s> = Obs;
    fn context(&self) -> &Obs {
        self
    }
    fn keep(&self) -> Obs {
        self.clone()
    }
    fn shadow(child: &Obs) -> Obs {
        child.clone()
    }
}

impl<'a> ContextParam for &'a Obs {
    type Kept = &'a Obs;
    type Shadow<'s> = &'s Obs;
    fn context(&self) -> &Obs {
        self
    }
    fn keep(&self) -> &'a Obs {
        self
    }
    fn shadow(child: &Obs) -> &Obs {
        child
    }
}

/// The context a parameter carries.
#[inline(always)]
pub fn context<P: ContextParam>(param: &P) -> &Obs {
    param.context()
}

/// What to keep of a context parameter while the body runs.
#[inline(always)]
pub fn keep<P: ContextParam>(param: &P) -> P::Kept {
    param.keep()
}

/// The kept context.
#[inline(always)]
pub fn kept<K: std::borrow::Borrow<Obs>>(kept: &K) -> &Obs {
    kept.borrow()
}

/// The child context, typed like `_param`.
#[inline(always)]
pub fn shadow<'s, P: ContextParam>(_param: &P, child: &'s Obs) -> P::Shadow<'s> {
    P::shadow(child)
}

/// The handler's context, typed as the user's `obs` parameter.
#[inline(always)]
pub fn shadow_as<P: ContextParam>(context: &Obs) -> P::Shadow<'_> {
    P::shadow(context)
}

// ---------------------------------------------------------------------------------------------
// Steps (#[nno_instrument])

/// What one `#[nno_instrument]` call site says, in a `static`.
pub struct StepSpec {
    operation: &'static str,
    service: Option<ServiceName>,
    level: LogLevel,
    lines: bool,
    detached: OnceLock<Logger>,
}

impl StepSpec {
    /// A call site: the operation, the service override, the level of `step started` and
    /// `step completed`, whether lines are written.
    pub const fn new(
        operation: &'static str,
        service: Option<&'static str>,
        level: LogLevel,
        lines: bool,
    ) -> Self {
        Self {
            operation,
            service: match service {
                Some(name) => Some(ServiceName::new(name)),
                None => None,
            },
            level,
            lines,
            detached: OnceLock::new(),
        }
    }

    /// Where lines go for a step without a context: the process default telemetry, the
    /// attribute's service, no ids (the seed's `createLogger(service)`).
    fn detached_logger(&'static self) -> &'static Logger {
        self.detached.get_or_init(|| {
            let service = match &self.service {
                Some(service) => service.shared(),
                // The macro requires `service` for a step without a context.
                None => Arc::from(""),
            };
            Logger::with_telemetry(Telemetry::process_default().clone(), service, None, None)
        })
    }
}

/// The error of a step's `Result`, written as the `error` key.
#[diagnostic::on_unimplemented(
    message = "the error type `{Self}` of an instrumented function must implement `Display`",
    label = "`step failed` writes the error's `Display` as its `error` key",
    note = "implement `std::fmt::Display` for the error type (thiserror's `#[derive(Error)]` does)"
)]
pub trait StepError {
    /// Writes the error.
    fn display(&self) -> &dyn fmt::Display;
}

impl<E: fmt::Display> StepError for E {
    fn display(&self) -> &dyn fmt::Display {
        self
    }
}

/// `Err` of a `Result`-returning step: picked by method resolution before [`NotAResult`].
pub trait StepResult {
    /// The error type.
    type Error: ?Sized;
    /// The error, if the step failed.
    fn nno_error(&self) -> Option<&Self::Error>;
}

impl<T, E> StepResult for Result<T, E> {
    type Error = E;
    #[inline(always)]
    fn nno_error(&self) -> Option<&E> {
        self.as_ref().err()
    }
}

/// Any other return value: the step never fails.
pub trait NotAResult {
    /// Always `None`.
    #[inline(always)]
    fn nno_error(&self) -> Option<&NeverFails> {
        None
    }
}

impl<T: ?Sized> NotAResult for &T {}

/// The error of a step that cannot fail.
#[derive(Debug)]
pub enum NeverFails {}

impl fmt::Display for NeverFails {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {}
    }
}

/// One call of an instrumented function.
pub struct Step {
    spec: &'static StepSpec,
    timing: Timing,
}

enum Timing {
    Span(ActiveSpan),
    Lines { start_ms: u64 },
}

/// Who writes a step's lines.
#[derive(Clone, Copy)]
enum Writer<'a> {
    Obs(&'a Obs),
    Detached(&'static Logger),
}

impl Writer<'_> {
    fn log(self, level: LogLevel, message: &str, fields: &[Field<'_>]) {
        match self {
            Writer::Obs(obs) => obs.log(level, message, fields),
            Writer::Detached(logger) => logger.log(level, message, fields),
        }
    }
}

impl Step {
    /// A step in a child span of `parent` (`span`): the child's context writes the lines.
    pub fn begin_span(spec: &'static StepSpec, parent: &Obs, fields: &[Field<'_>]) -> Self {
        let mut child = parent.child(spec.operation);
        if let Some(service) = &spec.service {
            child.service = service.shared_like(parent);
        }
        let span = child.start_span();
        if spec.lines {
            write_started(spec, Writer::Obs(span.obs()), fields);
        }
        Self {
            spec,
            timing: Timing::Span(span),
        }
    }

    /// A step without a span: lines written in `context`'s name (with the attribute's service,
    /// if it gives one) or, without a context, in the attribute's service through the process
    /// default telemetry, without ids.
    pub fn begin(spec: &'static StepSpec, context: Option<&Obs>, fields: &[Field<'_>]) -> Self {
        with_writer(spec, context, |writer| write_started(spec, writer, fields));
        Self {
            spec,
            timing: Timing::Lines {
                start_ms: now_ms(context),
            },
        }
    }

    /// The child span's context (a `span` step always has one; `fallback` is never used).
    pub fn obs<'a>(&'a self, fallback: &'a Obs) -> &'a Obs {
        match &self.timing {
            Timing::Span(span) => span.obs(),
            Timing::Lines { .. } => fallback,
        }
    }

    /// Ends the step: `step completed`, or `step failed` when `error` is `Some`, and the span
    /// point of a `span` step. `context` is the caller's context for a step without a span.
    pub fn end<E: StepError + ?Sized>(
        self,
        context: Option<&Obs>,
        error: Option<&E>,
        fields: &[Field<'_>],
    ) {
        let spec = self.spec;
        match self.timing {
            Timing::Span(span) => {
                if spec.lines {
                    let duration_ms = span.elapsed_ms();
                    write_ended(spec, Writer::Obs(span.obs()), duration_ms, error, fields);
                }
                span.end(if error.is_some() {
                    SpanOutcome::Error
                } else {
                    SpanOutcome::Ok
                });
            }
            Timing::Lines { start_ms } => {
                let duration_ms = now_ms(context).saturating_sub(start_ms);
                with_writer(spec, context, |writer| {
                    write_ended(spec, writer, duration_ms, error, fields)
                });
            }
        }
    }
}

fn now_ms(context: Option<&Obs>) -> u64 {
    match context {
        Some(obs) => obs.telemetry().clock().now_ms(),
        None => Telemetry::process_default().clock().now_ms(),
    }
}

/// Runs `write` with the writer of a step without a span.
fn with_writer<R>(
    spec: &'static StepSpec,
    context: Option<&Obs>,
    write: impl FnOnce(Writer<'_>) -> R,
) -> R {
    match (context, &spec.service) {
        (None, _) => write(Writer::Detached(spec.detached_logger())),
        (Some(obs), Some(service)) if *obs.service != *service.as_str() => {
            // The caller's ids, the attribute's service: a view, not a new span.
            let view = obs.with_service(service.shared());
            write(Writer::Obs(&view))
        }
        (Some(obs), _) => write(Writer::Obs(obs)),
    }
}

fn write_started(spec: &StepSpec, writer: Writer<'_>, fields: &[Field<'_>]) {
    if !spec.lines {
        return;
    }
    let step = [Field {
        key: "step",
        value: &spec.operation,
    }];
    with_fields(fields, &step, |all| {
        writer.log(spec.level, "step started", all)
    });
}

fn write_ended<E: StepError + ?Sized>(
    spec: &StepSpec,
    writer: Writer<'_>,
    duration_ms: u64,
    error: Option<&E>,
    fields: &[Field<'_>],
) {
    if !spec.lines {
        return;
    }
    match error {
        Some(error) => {
            let extra = [
                Field {
                    key: "step",
                    value: &spec.operation,
                },
                Field {
                    key: "durationMs",
                    value: &duration_ms,
                },
                Field {
                    key: "error",
                    value: &DisplayValue(error.display()),
                },
            ];
            with_fields(fields, &extra, |all| {
                writer.log(LogLevel::Error, "step failed", all)
            });
        }
        None => {
            let extra = [
                Field {
                    key: "step",
                    value: &spec.operation,
                },
                Field {
                    key: "durationMs",
                    value: &duration_ms,
                },
            ];
            with_fields(fields, &extra, |all| {
                writer.log(spec.level, "step completed", all)
            });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Handlers (#[nno_handler])

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

/// Text kept on the stack up to `N` bytes, on the heap beyond (or when it already is a
/// `String`).
pub enum Text<const N: usize> {
    /// Short text.
    Inline {
        /// The bytes; only `..len` are used, and they are UTF-8.
        bytes: [u8; N],
        /// How many are used.
        len: usize,
    },
    /// Long text.
    Heap(String),
}

impl<const N: usize> Text<N> {
    fn new() -> Self {
        Text::Inline {
            bytes: [0; N],
            len: 0,
        }
    }

    fn push(&mut self, text: &str) {
        match self {
            Text::Inline { bytes, len } => {
                let end = *len + text.len();
                if end <= N {
                    bytes[*len..end].copy_from_slice(text.as_bytes());
                    *len = end;
                } else {
                    let mut heap = String::with_capacity(end.max(2 * N));
                    heap.push_str(std::str::from_utf8(&bytes[..*len]).unwrap_or(""));
                    heap.push_str(text);
                    *self = Text::Heap(heap);
                }
            }
            Text::Heap(heap) => heap.push_str(text),
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match self {
            // Only whole `&str`s are ever pushed, so this is always UTF-8.
            Text::Inline { bytes, len } => std::str::from_utf8(&bytes[..*len]).unwrap_or(""),
            Text::Heap(heap) => heap,
        }
    }
}

impl<const N: usize> From<&str> for Text<N> {
    fn from(text: &str) -> Self {
        let mut out = Self::new();
        out.push(text);
        out
    }
}

impl<const N: usize> From<String> for Text<N> {
    fn from(text: String) -> Self {
        Text::Heap(text)
    }
}

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
    Telemetry::from_env(env)
}

/// The telemetry of a workers-rs router handler: the bindings and vars of its `Env`.
#[cfg(feature = "worker")]
pub fn route_telemetry<D>(context: &worker::RouteContext<D>) -> Telemetry {
    Telemetry::from_env(&context.env)
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
        crate::init_trace(&WorkerHeaders(self.headers()))
    }
}

/// `worker::Headers` seen through the runtime's header traits.
#[cfg(feature = "worker")]
struct WorkerHeaders<'a>(&'a worker::Headers);

#[cfg(feature = "worker")]
impl HeaderSource for WorkerHeaders<'_> {
    fn header_bytes(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        // A lookup that fails in JavaScript is an absent header.
        self.0
            .get(name)
            .ok()
            .flatten()
            .map(|value| Cow::Owned(value.into_bytes()))
    }
}

#[cfg(feature = "worker")]
impl HeaderSink for WorkerHeaders<'_> {
    fn set_header(&mut self, name: &'static str, value: &str) {
        // Immutable headers refuse; telemetry never fails the response.
        let _ = self.0.set(name, value);
    }

    fn remove_header(&mut self, name: &'static str) {
        let _ = self.0.delete(name);
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
        obs.echo_ids(&mut WorkerHeaders(self.headers_mut()));
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

/// The workers-rs handler shapes, compiled with every `--features worker` build so that the
/// Worker glue above cannot silently stop matching what `#[nno_handler]` generates. (The
/// behaviour is tested natively; `#[event(fetch)]` itself is exercised by the Workers in
/// `examples/workers`.)
#[cfg(feature = "worker")]
#[allow(dead_code)]
mod worker_shapes {
    use crate::{nno_handler, nno_instrument, Obs};
    use worker::{Context, Env, Request, Response, Result, RouteContext};

    #[nno_handler(crate = "crate", service = "analytics", feature = "analytics")]
    async fn fetch(req: Request, env: Env, _ctx: Context, obs: Obs) -> Result<Response> {
        step(&obs, "job-1").await?;
        let _ = (req, env);
        Response::ok("done")
    }

    #[nno_handler(crate = "crate", service = "analytics", route = "/api/data/:id")]
    async fn fetch_without_context(req: Request, env: Env, ctx: Context) -> Result<Response> {
        let _ = (req, env, ctx);
        Response::ok("done")
    }

    #[nno_handler(crate = "crate", service = "analytics", route = "/api/data/:id")]
    fn route(req: Request, ctx: RouteContext<()>, obs: &Obs) -> Result<Response> {
        obs.info("route", &[]);
        let _ = (req, ctx.param("id"));
        Response::ok("done")
    }

    #[nno_handler(crate = "crate", service = "analytics", entity = "r8n4t6y1z5")]
    async fn route_async(req: Request, ctx: RouteContext<u8>) -> Result<Response> {
        let _ = (req, ctx.data);
        Response::error("nope", 404)
    }

    #[nno_instrument(crate = "crate", service = "provisioning", span, fields(job_id))]
    async fn step(obs: &Obs, job_id: &str) -> Result<()> {
        obs.info("working", &[]);
        Ok(())
    }
}
