//! `Obs`: the explicit, per-request observability context (DESIGN.md principle 1).

use crate::fields::Field;
use crate::ids::SpanId;
use crate::level::LogLevel;
use crate::logger::Logger;
use crate::schema::{CoreOpRecord, PerfRecord, SpanOutcome, SpanRecord};
use crate::telemetry::{Binding, Telemetry};
use crate::trace::{self, HeaderSink, HeaderSource, TraceIds, W3cContext};
use crate::DataPoint;
use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

/// What one request (or job) shares among all its spans.
pub(crate) struct RequestScope {
    pub(crate) telemetry: Telemetry,
    // Plain boxes: the scope itself is shared, so the ids need no reference count of their own
    // (and taking the `String`s of `TraceIds` costs no allocation).
    pub(crate) trace_id: Box<str>,
    pub(crate) request_id: Box<str>,
    pub(crate) platform_id: Option<Arc<str>>,
    pub(crate) entity_id: Option<Arc<str>>,
    /// The W3C trace context received, kept beside `trace_id` for outgoing calls: it may name
    /// another trace (see `trace::W3cContext`). `None` costs nothing.
    pub(crate) w3c: Option<W3cContext>,
    /// `,"traceId":…,"requestId":…`, escaped once for every line of the request.
    ids_json: Box<[u8]>,
    points_written: AtomicU32,
    budget_warned: AtomicBool,
}

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
pub struct Obs {
    pub(crate) scope: Arc<RequestScope>,
    pub(crate) service: Arc<str>,
    pub(crate) operation: Cow<'static, str>,
    pub(crate) span_id: SpanId,
    pub(crate) parent_span_id: Option<SpanId>,
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
                ids_json,
                points_written: AtomicU32::new(0),
                budget_warned: AtomicBool::new(false),
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
    pub fn with_platform_id(self, platform_id: impl Into<Arc<str>>) -> Self {
        let platform_id = Some(platform_id.into());
        self.with_scope(|scope| scope.platform_id = platform_id)
    }

    /// The same context for tenant `entity_id` (the default is the telemetry's).
    pub fn with_entity_id(self, entity_id: impl Into<Arc<str>>) -> Self {
        let entity_id = Some(entity_id.into());
        self.with_scope(|scope| scope.entity_id = entity_id)
    }

    fn with_scope(mut self, change: impl FnOnce(&mut RequestScope)) -> Self {
        match Arc::get_mut(&mut self.scope) {
            Some(scope) => change(scope),
            None => {
                let old = &self.scope;
                let mut scope = RequestScope {
                    telemetry: old.telemetry.clone(),
                    trace_id: old.trace_id.clone(),
                    request_id: old.request_id.clone(),
                    platform_id: old.platform_id.clone(),
                    entity_id: old.entity_id.clone(),
                    w3c: old.w3c.clone(),
                    ids_json: old.ids_json.clone(),
                    points_written: AtomicU32::new(old.points_written.load(Ordering::Relaxed)),
                    budget_warned: AtomicBool::new(old.budget_warned.load(Ordering::Relaxed)),
                };
                change(&mut scope);
                self.scope = Arc::new(scope);
            }
        }
        self
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

    /// Like [`Obs::child`], for a span that runs in another service's name (a provisioning
    /// step called from the gateway's request, say).
    pub fn child_in_service(
        &self,
        service: impl Into<Arc<str>>,
        operation: impl Into<Cow<'static, str>>,
    ) -> Self {
        let mut child = self.child(operation);
        child.service = service.into();
        child
    }

    /// The same span of the same request, attributed to another service: lines written
    /// through it carry `service` (a provisioning step logged from the gateway's request, say).
    /// No new span: use [`Obs::child_in_service`] for that.
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

    /// A [`Logger`] with this context's service and ids (the seed's `c.get("logger")`).
    pub fn logger(&self) -> Logger {
        Logger::with_telemetry(
            self.scope.telemetry.clone(),
            self.service.clone(),
            Some(Arc::from(&*self.scope.trace_id)),
            Some(Arc::from(&*self.scope.request_id)),
        )
    }

    /// Writes a line at `level` with this context's service, trace id and request id.
    pub fn log(&self, level: LogLevel, message: &str, fields: &[Field<'_>]) {
        self.scope.telemetry.emit(
            level,
            &self.service,
            crate::telemetry::LineIds::Prewritten(&self.scope.ids_json),
            message,
            fields,
        );
    }

    crate::level::level_methods!();

    /// Writes `point` to `binding`'s dataset, within the request's budget of
    /// [`MAX_WRITES_PER_REQUEST`](crate::datapoint::MAX_WRITES_PER_REQUEST) points: beyond it
    /// the point is dropped and counted, and the first drop is reported by one `warn` line.
    /// Returns whether the point was written. Without a dataset for `binding` nothing is
    /// written and nothing is counted against the budget.
    pub fn write_point(&self, binding: Binding, point: &DataPoint<'_>) -> bool {
        let Some(dataset) = self.scope.telemetry.dataset(binding) else {
            return false;
        };
        let earlier = self.scope.points_written.fetch_add(1, Ordering::Relaxed);
        if earlier >= crate::datapoint::MAX_WRITES_PER_REQUEST {
            // Keep the counter from wrapping in a request that loops forever.
            self.scope
                .points_written
                .store(crate::datapoint::MAX_WRITES_PER_REQUEST, Ordering::Relaxed);
            self.scope.telemetry.raw_stats().add_points_over_budget(1);
            if !self.scope.budget_warned.swap(true, Ordering::Relaxed) {
                self.warn(
                    "data point budget exceeded",
                    crate::fields! {
                        limit: crate::datapoint::MAX_WRITES_PER_REQUEST,
                        dataset: dataset.name(),
                    },
                );
            }
            return false;
        }
        dataset.write(point)
    }

    /// Emits the span point (seed §4.2) of the current span, which ran from `start_ms` to now.
    pub fn emit_span(&self, start_ms: u64, outcome: SpanOutcome) -> bool {
        let end_ms = self.scope.telemetry.clock().now_ms();
        let span_id = self.span_id.to_hex();
        let parent = self.parent_span_id.map(SpanId::to_hex);
        let record = SpanRecord {
            trace_id: &self.scope.trace_id,
            span_id: span_id.as_str(),
            parent_span_id: parent.as_ref().map(|hex| hex.as_str()),
            service: &self.service,
            operation: &self.operation,
            start_ms,
            end_ms,
            outcome,
            platform_id: self.platform_id(),
        };
        self.write_point(Binding::Spans, &DataPoint::span(&record))
    }

    /// Starts timing the current span; [`ActiveSpan::end`] emits its point.
    ///
    /// ```
    /// use nno_obs::{Obs, SpanOutcome, Telemetry};
    ///
    /// let (telemetry, memory) = Telemetry::in_memory();
    /// let obs = Obs::detached(telemetry, "provisioning");
    /// let step = obs.child("create-d1").start_span();
    /// step.obs().info("creating", &[]);
    /// step.end(SpanOutcome::Ok);
    /// assert_eq!(memory.points_in("nno-core-ops-spans")[0].blobs[4], "create-d1");
    /// ```
    pub fn start_span(self) -> ActiveSpan {
        let start_ms = self.scope.telemetry.clock().now_ms();
        ActiveSpan {
            obs: self,
            start_ms,
            ended: false,
        }
    }

    /// Records a metric (seed §1.4) to the `METRICS` dataset, or prints the development line
    /// through this context's log sink when there is none.
    pub fn record_metric(&self, name: &str, value: f64, labels: &[(&str, &str)]) {
        if self.scope.telemetry.dataset(Binding::Metrics).is_some() {
            self.write_point(Binding::Metrics, &DataPoint::metric(name, value, labels));
        } else {
            let telemetry = &self.scope.telemetry;
            crate::entry::with_line_buffer(|line| {
                crate::metrics::write_metric_fallback(
                    line,
                    name,
                    value,
                    labels,
                    telemetry.clock().now_ms(),
                );
                telemetry.write_raw_line(LogLevel::Info, line);
            });
        }
    }

    /// Writes one request's `{platformId}-perf` point (seed §3.2); the entity defaults to this
    /// context's (or `""` when unknown).
    pub fn record_perf(
        &self,
        feature_id: &str,
        endpoint: &str,
        status: u16,
        duration_ms: u64,
    ) -> bool {
        let record = PerfRecord {
            feature_id,
            endpoint,
            status,
            entity_id: self.entity_id().unwrap_or(""),
            duration_ms,
        };
        self.write_point(Binding::Perf, &DataPoint::perf(&record))
    }

    /// Writes an `nno-core-ops` point (seed §3.2) for an operation of this context's service.
    pub fn record_core_op(
        &self,
        operation: &str,
        outcome: crate::OpOutcome,
        duration_ms: u64,
    ) -> bool {
        let record = CoreOpRecord {
            service: &self.service,
            operation,
            outcome,
            platform_id: self.platform_id(),
            duration_ms,
        };
        self.write_point(Binding::Analytics, &DataPoint::core_op(&record))
    }

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

/// A span being timed; [`ActiveSpan::end`] emits its point.
///
/// Dropped without `end` (a cancelled future, a panic unwinding), it emits the point with
/// outcome `error`, so the trace tree never has a hole where work started.
#[derive(Debug)]
pub struct ActiveSpan {
    obs: Obs,
    start_ms: u64,
    ended: bool,
}

impl ActiveSpan {
    /// The span's context, to pass to the work it times.
    pub fn obs(&self) -> &Obs {
        &self.obs
    }

    /// When the span started.
    pub fn start_ms(&self) -> u64 {
        self.start_ms
    }

    /// Milliseconds since the span started.
    pub fn elapsed_ms(&self) -> u64 {
        self.obs
            .telemetry()
            .clock()
            .now_ms()
            .saturating_sub(self.start_ms)
    }

    /// Ends the span and emits its point.
    pub fn end(mut self, outcome: SpanOutcome) {
        self.ended = true;
        self.obs.emit_span(self.start_ms, outcome);
    }
}

impl Drop for ActiveSpan {
    fn drop(&mut self) {
        if !self.ended {
            self.obs.emit_span(self.start_ms, SpanOutcome::Error);
        }
    }
}
