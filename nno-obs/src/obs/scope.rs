//! What one request (or job) shares among all its spans.

use crate::budget::PointBudget;
use crate::telemetry::Telemetry;
use crate::trace::W3cContext;
use std::sync::{Arc, OnceLock};

/// The request-wide part of an [`Obs`](crate::Obs), behind one `Arc`.
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
    /// Whether `trace_id` was generated here (see `TraceIds::random_trace_id`).
    pub(crate) random_trace_id: bool,
    /// `,"traceId":…,"requestId":…`, escaped once for every line of the request.
    pub(crate) ids_json: Box<[u8]>,
    /// The declared route the request matched (see `Obs::set_route`).
    pub(crate) route: OnceLock<&'static str>,
    /// Shared with every re-scoped copy: one invocation, one budget.
    pub(crate) budget: Arc<PointBudget>,
}

impl RequestScope {
    /// A copy of `self` (for a re-scoped view), sharing its budget and route.
    pub(crate) fn copy(&self) -> Self {
        let route = OnceLock::new();
        if let Some(matched) = self.route.get() {
            let _ = route.set(*matched);
        }
        Self {
            telemetry: self.telemetry.clone(),
            trace_id: self.trace_id.clone(),
            request_id: self.request_id.clone(),
            platform_id: self.platform_id.clone(),
            entity_id: self.entity_id.clone(),
            w3c: self.w3c.clone(),
            random_trace_id: self.random_trace_id,
            ids_json: self.ids_json.clone(),
            route,
            budget: self.budget.clone(),
        }
    }
}
