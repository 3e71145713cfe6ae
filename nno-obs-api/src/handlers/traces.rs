//! `/traces/{traceId}` (seed §4.3, §8.4): a trace's spans and log lines, whole.
//!
//! Seed §4.2's lookup has no time filter, and neither has this one: the spans are asked over
//! the whole retention (Analytics Engine's 90 days) and the logs without a time bound — the
//! trace-id index of each object (and Analytics Engine's `index1`) keeps that cheap. A range
//! would cut a trace whose root ended after it.

use super::ask;
use crate::backend::{Backend, LogSearch};
use crate::call_order::{order_within_milliseconds, Rank};
use crate::caller::{Caller, Target};
use crate::error::ApiError;
use crate::params::Params;
use crate::span_lines::SpanLines;
use crate::time::format_ms;
use crate::views::{LogEntryView, SpanView, TraceView};
use nno_obs_logs::LogQuery;
use nno_obs_query::questions::TraceSpans;
use nno_obs_query::TimeRange;
use nno_obs_store::layout::Bucket;
use std::collections::HashMap;

/// The most log lines a trace view carries.
pub const MAX_TRACE_LINES: usize = 1000;
/// How far back spans are looked for: Analytics Engine's retention (seed §9).
const RETENTION_S: i64 = 90 * 86_400;

/// Whether `id` can be a trace id: 1–128 characters of `[A-Za-z0-9._-]` (UUIDs, W3C hex ids,
/// the seed's `tr_abc123`). Nothing else reaches a query or a search.
///
/// ```
/// use nno_obs_api::handlers::traces::is_trace_id;
/// assert!(is_trace_id("4a71e540-1776-47d4-bce4-1ea5676bb531") && is_trace_id("tr_abc123"));
/// assert!(!is_trace_id("") && !is_trace_id("a b") && !is_trace_id("a/b") && !is_trace_id(&"a".repeat(129)));
/// ```
pub fn is_trace_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// `/traces/{traceId}?platformId`.
pub(super) async fn trace<B: Backend>(
    backend: &B,
    caller: &Caller,
    trace_id: &str,
    mut params: Params,
    now_ms: u64,
) -> Result<TraceView, ApiError> {
    let platform = params.platform_id()?;
    params.finish()?;
    let target = caller.target(platform.as_ref())?;
    trace_view(backend, &target, trace_id, now_ms).await
}

/// A trace's spans and log lines as `target` may see them, looked up over the whole retention
/// ending at `now_ms`: what `/traces/{traceId}` answers and `nno-obs trace` prints.
///
/// ```
/// use nno_obs_api::handlers::traces::trace_view;
/// use nno_obs_api::{local::LocalBackend, Target};
///
/// let store = tempfile::tempdir().unwrap();
/// let backend = LocalBackend::new(store.path());
/// let target = Target::Everything(nno_obs_access::testing::operator());
/// let unknown = pollster::block_on(trace_view(&backend, &target, "tr_abc123", 1_771_756_440_000));
/// assert_eq!(unknown.unwrap_err().status(), 404);
/// ```
pub async fn trace_view<B: Backend + ?Sized>(
    backend: &B,
    target: &Target,
    trace_id: &str,
    now_ms: u64,
) -> Result<TraceView, ApiError> {
    if !is_trace_id(trace_id) {
        return Err(ApiError::bad_param(
            "traceId",
            "expected 1 to 128 characters of [A-Za-z0-9._-]",
        ));
    }
    let now_s = (now_ms / 1000) as i64;
    // Until the next minute: a span written this second is in.
    let range = TimeRange::new((now_s - RETENTION_S).max(0), now_s + 60)
        .map_err(|_| ApiError::unavailable("the clock"))?;
    let question = match target {
        Target::Platform(scope) => TraceSpans::for_platform(scope, trace_id, range),
        Target::Everything(operator) => TraceSpans::new(operator, trace_id, range),
    }
    .map_err(|_| ApiError::bad_param("traceId", "not a trace id"))?;
    let trace = ask(&question, backend.engine(), "traceId").await?;
    let bucket = match target {
        Target::Platform(scope) => Some(Bucket::Platform(scope.platform().clone())),
        Target::Everything(_) => None,
    };
    let query = LogQuery {
        trace_id: Some(trace_id.to_owned()),
        ..LogQuery::default()
    };
    let found = backend
        .search_logs(LogSearch {
            bucket: bucket.as_ref(),
            query: &query,
            after: None,
            known: &[],
            limit: MAX_TRACE_LINES,
        })
        .await?;
    // The points' starts are estimates from end seconds; the lines' milliseconds place each
    // span where its own lines say it started (see `span_lines`), so the CLI's waterfall and
    // the console's agree and sub-second steps do not overlap.
    let lines = SpanLines::new(found.hits.iter().map(|hit| &hit.entry));
    let spans = trace.with_starts(|span| lines.times_of(span)).spans;
    // Lines of one millisecond from several Workers: callers' requests before their callees'
    // lines, responses after them (see `call_order`).
    let mut depth_of_service: HashMap<&str, u32> = HashMap::new();
    for span in &spans {
        let depth = u32::try_from(span.depth).unwrap_or(u32::MAX);
        depth_of_service
            .entry(span.service.as_str())
            .and_modify(|d| *d = (*d).min(depth))
            .or_insert(depth);
    }
    let mut hits = found.hits;
    order_within_milliseconds(
        &mut hits,
        |hit| hit.entry.time_ms,
        |hit| {
            let depth = hit
                .entry
                .service
                .as_deref()
                .and_then(|service| depth_of_service.get(service))
                .copied()
                .unwrap_or(0);
            Rank::of(&hit.entry.message, depth)
        },
    );
    if spans.is_empty() && hits.is_empty() {
        // The same answer for an unknown trace and one with no part in the admin's platform.
        return Err(ApiError::not_found("no such trace"));
    }
    Ok(TraceView {
        trace_id: trace_id.to_owned(),
        spans: spans
            .into_iter()
            .map(|span| SpanView {
                start: format_ms(span.start_ms.max(0.0) as u64),
                offset_ms: span.offset_ms,
                depth: span.depth,
                span_id: span.span_id,
                parent_span_id: span.parent_span_id,
                service: span.service,
                operation: span.operation,
                duration_ms: span.duration_ms,
                outcome: span.outcome,
                platform_id: span.platform,
            })
            .collect(),
        logs: hits
            .iter()
            .map(|hit| LogEntryView::new(&hit.entry, &hit.key.file))
            .collect(),
        complete: !found.more,
        problems: found.problems,
    })
}
