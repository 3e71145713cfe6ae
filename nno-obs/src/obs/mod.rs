//! `Obs`: the explicit, per-request observability context (DESIGN.md principle 1): ids,
//! service, current span, and its log lines. Spans live in `span`, data points in `points`,
//! the point budget in `budget`.

mod scope;

use crate::budget::PointBudget;
use crate::fields::Field;
use crate::ids::SpanId;
use crate::level::LogLevel;
use crate::telemetry::Telemetry;
use crate::trace::{self, HeaderSink, HeaderSource, TraceIds};
use scope::RequestScope;
use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// The observability context of one request: service, trace and request ids, the current span,
/// platform and entity when known, and where telemetry goes.
///
/// There is no global or thread-local "current trace": a Worker isolate interleaves requests at
/// every `.await`, so the context travels explicitly, as a parameter. Cloning costs two
/// reference-count increments; [`Obs::child`] costs the same plus a span id.
///
/// ```
/// use nno_obs::{fields, Obs, Telemetry};
///
/// let (telemetry, memory) = Telemetry::in_memory();
/// let obs = Obs::from_headers(telemetry, "registry", &[("x-trace-id", "tr_abc123")]);
/// obs.info("resource created", fields! { resourceType: "platform" });
///
/// let step = obs.child("create-d1");
/// assert_eq!(step.trace_id(), "tr_abc123");
/// assert_eq!(step.parent_span_id(), Some(obs.span_id()));
/// assert_eq!(memory.lines_with_trace("tr_abc123").len(), 1);
/// ```
#[derive(Clone)]
#[must_use = "an `Obs` does nothing until lines, spans or points are written through it"]
pub struct Obs {
    scope: Arc<RequestScope>,
    service: Arc<str>,
    operation: Cow<'static, str>,
    span_id: SpanId,
    parent_span_id: Option<SpanId>,
}

impl fmt::Debug for Obs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Obs")
            .field("service", &self.service)
            .field("trace_id", &self.scope.trace_id)
            .field("request_id", &self.scope.request_id)
            .field("span_id", &self.span_id)
            .field("parent_span_id", &self.parent_span_id)
            .field("operation", &self.operation)
            .finish_non_exhaustive()
    }
}

impl Obs {
    /// The context of a request whose ids are `ids`; reports replaced incoming ids with a
    /// `warn` line (see [`TraceIds::report_rejections`]).
    pub fn new(telemetry: Telemetry, service: impl Into<Arc<str>>, ids: TraceIds) -> Self {
        let TraceIds {
            trace_id,
            request_id,
            remote_parent,
            w3c,
            random_trace_id,
            rejected_trace_id_len,
            rejected_request_id_len,
        } = ids;
        let ids_json = crate::entry::ids_json(&trace_id, &request_id);
        let obs = Self {
            scope: Arc::new(RequestScope {
                platform_id: telemetry.platform_id_shared(),
                entity_id: telemetry.entity_id_shared(),
                telemetry,
                trace_id: trace_id.into_boxed_str(),
                request_id: request_id.into_boxed_str(),
                w3c,
                random_trace_id,
                ids_json,
                route: OnceLock::new(),
                budget: Arc::new(PointBudget::default()),
            }),
            service: service.into(),
            operation: Cow::Borrowed(""),
            span_id: SpanId::generate(),
            parent_span_id: remote_parent,
        };
        trace::report_rejections(
            rejected_trace_id_len,
            rejected_request_id_len,
            |message, fields| obs.warn(message, fields),
        );
        obs
    }

    /// The context of an incoming request: ids from its headers (seed §4.1's `initTrace`).
    pub fn from_headers<H: HeaderSource + ?Sized>(
        telemetry: Telemetry,
        service: impl Into<Arc<str>>,
        headers: &H,
    ) -> Self {
        Self::new(telemetry, service, trace::init_trace(headers))
    }

    /// The context of work no request started (a scheduled job, a native run): fresh ids.
    pub fn detached(telemetry: Telemetry, service: impl Into<Arc<str>>) -> Self {
        Self::new(telemetry, service, TraceIds::generate())
    }

    /// The same context for platform `platform_id` (the default is the telemetry's).
    pub fn with_platform_id(mut self, platform_id: impl Into<Arc<str>>) -> Self {
        self.set_platform_id(platform_id.into());
        self
    }

    /// The same context for tenant `entity_id` (the default is the telemetry's).
    pub fn with_entity_id(mut self, entity_id: impl Into<Arc<str>>) -> Self {
        self.set_entity_id(entity_id.into());
        self
    }

    pub(crate) fn set_platform_id(&mut self, platform_id: Arc<str>) {
        self.change_scope(|scope| scope.platform_id = Some(platform_id));
    }

    pub(crate) fn set_entity_id(&mut self, entity_id: Arc<str>) {
        self.change_scope(|scope| scope.entity_id = Some(entity_id));
    }

    /// Changes the scope in place when this context holds the only reference (the usual case:
    /// right after it was made), else on a copy that keeps sharing the invocation's budget.
    fn change_scope(&mut self, change: impl FnOnce(&mut RequestScope)) {
        match Arc::get_mut(&mut self.scope) {
            Some(scope) => change(scope),
            None => {
                let mut scope = self.scope.copy();
                change(&mut scope);
                self.scope = Arc::new(scope);
            }
        }
    }

    /// Names the declared route this request matched, e.g. `"/api/report/:id"`: the endpoint
    /// of its span and perf or core-ops point becomes `METHOD route`. Only `&'static str`
    /// routes are accepted, so the endpoints a Worker can write are the ones its code
    /// declares; the first route set wins. `#[nno_handler(route = …)]` and
    /// `#[nno_handler(routes(…))]` call this for you.
    ///
    /// ```
    /// use nno_obs::{Obs, Telemetry};
    ///
    /// let obs = Obs::detached(Telemetry::in_memory().0, "gateway");
    /// assert_eq!(obs.route(), None);
    /// obs.set_route("/api/*rest");
    /// assert_eq!(obs.route(), Some("/api/*rest"));
    /// ```
    pub fn set_route(&self, route: &'static str) {
        let _ = self.scope.route.set(route);
    }

    /// The route set by [`Obs::set_route`], if any.
    pub fn route(&self) -> Option<&'static str> {
        self.scope.route.get().copied()
    }

    pub(crate) fn budget(&self) -> &PointBudget {
        &self.scope.budget
    }

    /// The context of a child span doing `operation`: a new span id whose parent is this one,
    /// same trace, request and service.
    ///
    /// Make one per outgoing call, and write that call's headers from it: the call's
    /// `traceparent` then names its own span, as W3C Trace Context expects (see
    /// [`Obs::with_trace_headers`]).
    ///
    /// ```
    /// use nno_obs::{Obs, Telemetry};
    ///
    /// let obs = Obs::detached(Telemetry::in_memory().0, "gateway");
    /// let call = obs.child("GET registry");
    /// assert_ne!(call.span_id(), obs.span_id());
    /// assert_eq!(call.parent_span_id(), Some(obs.span_id()));
    /// ```
    pub fn child(&self, operation: impl Into<Cow<'static, str>>) -> Self {
        Self {
            scope: self.scope.clone(),
            service: self.service.clone(),
            operation: operation.into(),
            span_id: SpanId::generate(),
            parent_span_id: Some(self.span_id),
        }
    }

    /// The same span of the same request, attributed to another service: lines written
    /// through it carry `service` (a provisioning step logged from the gateway's request, say).
    /// No new span: `obs.child(operation).with_service(service)` makes one.
    ///
    /// ```
    /// use nno_obs::{Obs, Telemetry};
    ///
    /// let gateway = Obs::detached(Telemetry::in_memory().0, "gateway");
    /// let view = gateway.with_service("provisioning");
    /// assert_eq!(view.service(), "provisioning");
    /// assert_eq!((view.trace_id(), view.span_id()), (gateway.trace_id(), gateway.span_id()));
    /// ```
    pub fn with_service(&self, service: impl Into<Arc<str>>) -> Self {
        Self {
            service: service.into(),
            ..self.clone()
        }
    }

    /// The service as shared text (generated steps reuse it instead of allocating).
    pub(crate) fn service_shared(&self) -> &Arc<str> {
        &self.service
    }

    pub(crate) fn set_service(&mut self, service: Arc<str>) {
        self.service = service;
    }

    /// The service lines and spans are attributed to.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The trace id.
    pub fn trace_id(&self) -> &str {
        &self.scope.trace_id
    }

    /// The request id.
    pub fn request_id(&self) -> &str {
        &self.scope.request_id
    }

    /// The current span.
    pub fn span_id(&self) -> SpanId {
        self.span_id
    }

    /// The parent of the current span (`None` for a root span with no remote caller).
    pub fn parent_span_id(&self) -> Option<SpanId> {
        self.parent_span_id
    }

    /// The operation given to [`Obs::child`] (empty for a root context).
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// The platform, if known.
    pub fn platform_id(&self) -> Option<&str> {
        self.scope.platform_id.as_deref()
    }

    /// The tenant, if known.
    pub fn entity_id(&self) -> Option<&str> {
        self.scope.entity_id.as_deref()
    }

    /// Where telemetry goes.
    pub fn telemetry(&self) -> &Telemetry {
        &self.scope.telemetry
    }

    /// Writes a line at `level` with this context's service, trace id and request id.
    pub fn log(&self, level: LogLevel, message: &str, fields: &[Field<'_>]) {
        self.log_then(level, message, fields, &[]);
    }

    /// [`Obs::log`] with `extra` fields after `fields` (a generated step's own keys after the
    /// user's), without copying both lists into one.
    pub(crate) fn log_then(
        &self,
        level: LogLevel,
        message: &str,
        fields: &[Field<'_>],
        extra: &[Field<'_>],
    ) {
        self.scope.telemetry.emit(
            level,
            &self.service,
            crate::telemetry::LineIds::Prewritten(&self.scope.ids_json),
            message,
            fields,
            extra,
        );
    }

    crate::level::level_methods!();

    /// Sets the trace headers of an outgoing call made from this span: `x-trace-id`,
    /// `x-request-id` and the W3C `traceparent` (parent-id: this span) and `tracestate`.
    ///
    /// - With a W3C context received (a valid `traceparent`), the call continues it: same W3C
    ///   trace-id, the received trace-flags' defined bits (sampled, random; sampled always
    ///   set: every span is recorded), the received `tracestate` — even when `x-trace-id`
    ///   names another trace, which `x-trace-id` carries on.
    /// - Otherwise `traceparent` is written when the NNO trace id can be written as 32 hex
    ///   digits (a UUID can; `tr_abc123` cannot), and no `tracestate`.
    ///
    /// Any earlier `traceparent` or `tracestate` is replaced or removed, so a forwarded one
    /// never goes stale.
    ///
    /// The parent-id is *this* span, so two calls written from the same `Obs` carry the same
    /// one. W3C Trace Context expects a span per outgoing call: write each call's headers from
    /// its own [`Obs::child`] (and time it with [`Obs::start_span`] to record its span point).
    ///
    /// ```
    /// use nno_obs::{Obs, SpanOutcome, Telemetry};
    ///
    /// let obs = Obs::from_headers(
    ///     Telemetry::in_memory().0,
    ///     "gateway",
    ///     &[
    ///         ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
    ///         ("tracestate", "rojo=00f067aa0ba902b7"),
    ///     ],
    /// );
    /// // One child span per outgoing call.
    /// let call = obs.child("GET registry").start_span();
    /// let headers = call.obs().with_trace_headers(http::HeaderMap::new());
    /// let span = call.obs().span_id();
    /// // … send the request with `headers` …
    /// call.end(SpanOutcome::Ok);
    ///
    /// assert_eq!(headers["x-trace-id"], "4bf92f3577b34da6a3ce929d0e0e4736");
    /// let expected = format!("00-4bf92f3577b34da6a3ce929d0e0e4736-{span}-01");
    /// assert_eq!(headers["traceparent"], expected.as_str());
    /// assert_eq!(headers["tracestate"], "rojo=00f067aa0ba902b7");
    /// ```
    pub fn with_trace_headers<H: HeaderSink>(&self, headers: H) -> H {
        let mut headers = trace::with_trace_headers(headers, self.trace_id(), self.request_id());
        trace::write_w3c_headers(
            &mut headers,
            self.scope.w3c.as_ref(),
            self.trace_id(),
            self.scope.random_trace_id,
            self.span_id,
        );
        headers
    }

    /// Echoes `x-trace-id` and `x-request-id` on a response.
    pub fn echo_ids<H: HeaderSink>(&self, headers: &mut H) {
        headers.set_header(trace::TRACE_ID_HEADER, self.trace_id());
        headers.set_header(trace::REQUEST_ID_HEADER, self.request_id());
    }
}
