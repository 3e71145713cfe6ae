//! All spans of a trace (seed §4.2, §8.4): the waterfall's data.

use super::jobs::job_columns;
use super::{blob, only, Builder, Question, Tabular};
use crate::error::QueryError;
use crate::literal::Literal;
use crate::plan::{Dir, Plan, RowCol, TextCol};
use crate::scope::{Dataset, OperatorScope, PlatformScope};
use crate::table::{Col, Table};
use crate::time_range::TimeRange;
use nno_obs_schema::spans;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

// The output columns of this module's plans, each named once (see `Col`).
const AT: Col<i64> = Col::new("at");
const DURATION_MS: Col<f64> = Col::new("duration_ms");
const OPERATION: Col<String> = Col::new("operation");
const OUTCOME: Col<String> = Col::new("outcome");
const PARENT_SPAN_ID: Col<String> = Col::new("parent_span_id");
const PLATFORM: Col<String> = Col::new("platform");
const SAMPLE_INTERVAL: Col<u64> = Col::new("sample_interval");
const SERVICE: Col<String> = Col::new("service");
const SPAN_ID: Col<String> = Col::new("span_id");

/// The spans of one trace from `nno-core-ops-spans`, found by the index (`index1 = trace id`,
/// what the span point indexes), within a range (Analytics Engine keeps 90 days).
///
/// Columns (seed §4.2): `blob1` trace, `blob2` span, `blob3` parent span (`""` for a root),
/// `blob4` service, `blob5` operation, `blob6` outcome, `blob7` platform; `double1` duration
/// ms, `double2` error flag. A span point is written when the span ends, so `timestamp` is its
/// end, cut to the second; a span's **start is estimated** as `timestamp × 1000 − duration`,
/// up to 999 ms early ([`Trace::with_starts`] puts better-known starts in its place). The SQL orders by `timestamp`, then span id (the stated tie-break within
/// a second); the answer is in **tree order**: each root, then its children depth-first, siblings
/// by estimated start then span id. A span whose parent is not in the trace is a root.
/// A platform admin's trace is restricted to spans of its platform (`blob7`).
///
/// ```
/// use nno_obs_query::{questions::TraceSpans, OperatorScope, TimeRange};
///
/// let range = TimeRange::new(0, 86_400).unwrap();
/// let q = TraceSpans::new(&nno_obs_access::testing::operator(), "tr_abc'123", range).unwrap();
/// assert!(q.sql().contains(r"AND index1 = 'tr_abc\'123'"));
/// assert!(TraceSpans::new(&nno_obs_access::testing::operator(), "tr\n", range).is_err());
/// ```
#[derive(Clone, Debug)]
pub struct TraceSpans {
    trace_id: Literal,
    platform: Option<Literal>,
    range: TimeRange,
}

/// One span of a [`Trace`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Span {
    /// The span id.
    pub span_id: String,
    /// The parent's id, `""` for a root.
    pub parent_span_id: String,
    /// The service.
    pub service: String,
    /// The operation.
    pub operation: String,
    /// `ok` or `error`.
    pub outcome: String,
    /// The platform, or `nno-internal`.
    pub platform: String,
    /// The end second (the point's timestamp).
    pub end_s: i64,
    /// The duration, ms.
    pub duration_ms: f64,
    /// Estimated start, ms since the epoch.
    pub start_ms: f64,
    /// Estimated start relative to the trace's earliest estimated start, ms.
    pub offset_ms: f64,
    /// Depth in the tree (0 for a root).
    pub depth: usize,
}

/// The answer of [`TraceSpans`]: spans in tree order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trace {
    /// The trace id.
    pub trace_id: String,
    /// The spans.
    pub spans: Vec<Span>,
}

impl TraceSpans {
    /// Any trace (operator).
    pub fn new(
        _scope: &OperatorScope,
        trace_id: &str,
        range: TimeRange,
    ) -> Result<Self, QueryError> {
        Ok(Self {
            trace_id: Literal::new(trace_id)?,
            platform: None,
            range,
        })
    }

    /// The spans of `scope`'s platform in a trace.
    pub fn for_platform(
        scope: &PlatformScope,
        trace_id: &str,
        range: TimeRange,
    ) -> Result<Self, QueryError> {
        Ok(Self {
            trace_id: Literal::new(trace_id)?,
            platform: Some(Literal::new(scope.platform().as_str())?),
            range,
        })
    }

    /// The rendered SQL (the one plan's).
    pub fn sql(&self) -> String {
        self.plan().sql()
    }

    fn plan(&self) -> Plan {
        let mut builder = Builder::rows(
            Dataset::Spans,
            self.range,
            vec![
                AT.is(RowCol::Timestamp),
                SPAN_ID.is(RowCol::Text(blob(spans::SPAN_ID))),
                PARENT_SPAN_ID.is(RowCol::Text(blob(spans::PARENT_SPAN_ID))),
                SERVICE.is(RowCol::Text(blob(spans::SERVICE))),
                OPERATION.is(RowCol::Text(blob(spans::OPERATION))),
                OUTCOME.is(RowCol::Text(blob(spans::OUTCOME))),
                PLATFORM.is(RowCol::Text(blob(spans::PLATFORM_ID))),
                DURATION_MS.is(RowCol::Double(spans::DURATION_MS)),
                SAMPLE_INTERVAL.is(RowCol::SampleInterval),
            ],
        )
        .filter(TextCol::Index1, self.trace_id.clone());
        if let Some(platform) = &self.platform {
            builder = builder.filter(blob(spans::PLATFORM_ID), platform.clone());
        }
        builder.order(AT, Dir::Asc).order(SPAN_ID, Dir::Asc).build()
    }
}

impl Question for TraceSpans {
    type Answer = Trace;

    fn plans(&self) -> Vec<Plan> {
        vec![self.plan()]
    }

    fn answer(&self, tables: Vec<Table>) -> Result<Trace, QueryError> {
        let table = only(tables)?;
        // A job writes its span twice: `started`, then its end; once it ended, the start
        // point is not a span of its own (a job still running keeps it).
        let ended: HashSet<String> = table
            .views()
            .filter(|row| row.get(OUTCOME) != job_columns::STARTED)
            .map(|row| row.get(SPAN_ID))
            .collect();
        let spans = table
            .views()
            .filter(|row| {
                row.get(OUTCOME) != job_columns::STARTED || !ended.contains(&row.get(SPAN_ID))
            })
            .map(|row| {
                let end_s = row.get(AT);
                let duration_ms = row.get(DURATION_MS);
                Span {
                    span_id: row.get(SPAN_ID),
                    parent_span_id: row.get(PARENT_SPAN_ID),
                    service: row.get(SERVICE),
                    operation: row.get(OPERATION),
                    outcome: row.get(OUTCOME),
                    platform: row.get(PLATFORM),
                    end_s,
                    duration_ms,
                    start_ms: end_s as f64 * 1000.0 - duration_ms,
                    offset_ms: 0.0,
                    depth: 0,
                }
            })
            .collect();
        Ok(Trace {
            trace_id: self.trace_id.as_str().to_owned(),
            spans: tree_order(spans),
        })
    }
}

impl Trace {
    /// The trace with each span's start taken from `candidates` — times, ms since the epoch,
    /// when something of the span's own (its first log line) says it started — in place of the
    /// estimate `end second − duration`, which is up to 999 ms early and ties sibling steps
    /// that ended in the same second.
    ///
    /// A candidate is taken only when it agrees with the span point: start + duration falls
    /// in the point's end second (±1 ms for a duration rounded to the millisecond); the
    /// earliest such candidate wins. A span without one keeps its estimate, moved to within
    /// its parent's start and its earliest placed child's (a span neither starts before its
    /// parent nor after its children). The spans are then placed again in tree order, siblings
    /// by start, offsets from the new earliest start.
    ///
    /// ```
    /// use nno_obs_query::questions::{Span, Trace};
    ///
    /// let step = |id: &str, end_s: i64, duration_ms: f64| Span {
    ///     span_id: id.into(), parent_span_id: "".into(), service: "provisioning".into(),
    ///     operation: id.into(), outcome: "ok".into(), platform: "nno-internal".into(),
    ///     end_s, duration_ms, start_ms: end_s as f64 * 1000.0 - duration_ms,
    ///     offset_ms: 0.0, depth: 0,
    /// };
    /// // Two 300 ms steps ending in the same second: their estimates tie.
    /// let trace = Trace { trace_id: "t".into(), spans: vec![step("b", 10, 300.0), step("a", 10, 300.0)] };
    /// // Their own lines: "b" started at 10.100 s, "a" at 10.400 s … and 9.000 s, too early to fit.
    /// let placed = trace.with_starts(|span| match span.span_id.as_str() {
    ///     "b" => vec![10_100.0],
    ///     _ => vec![9_000.0, 10_400.0],
    /// });
    /// let order: Vec<(&str, f64)> = placed.spans.iter().map(|s| (s.span_id.as_str(), s.offset_ms)).collect();
    /// assert_eq!(order, [("b", 0.0), ("a", 300.0)]);
    /// ```
    pub fn with_starts(self, candidates: impl Fn(&Span) -> Vec<f64>) -> Trace {
        let mut spans = self.spans;
        let known: Vec<Option<f64>> = spans
            .iter()
            .map(|span| {
                candidates(span)
                    .into_iter()
                    .filter(|&start| fits(span, start))
                    .min_by(f64::total_cmp)
            })
            .collect();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, span) in spans.iter().enumerate() {
            index.entry(span.span_id.as_str()).or_insert(i);
        }
        let parents: Vec<Option<usize>> = spans
            .iter()
            .enumerate()
            .map(|(i, span)| {
                index
                    .get(span.parent_span_id.as_str())
                    .copied()
                    .filter(|&p| p != i && !span.parent_span_id.is_empty())
            })
            .collect();
        let mut earliest_child: Vec<Option<f64>> = vec![None; spans.len()];
        for (i, parent) in parents.iter().enumerate() {
            if let (Some(p), Some(start)) = (*parent, known[i]) {
                earliest_child[p] = Some(earliest_child[p].map_or(start, |c| c.min(start)));
            }
        }
        // In tree order a parent comes before its children, so its start is final when a
        // child without a known start is bounded by it.
        for i in 0..spans.len() {
            let start = match known[i] {
                Some(start) => start,
                None => {
                    let mut start = spans[i].start_ms;
                    if let Some(child) = earliest_child[i] {
                        start = start.min(child);
                    }
                    if let Some(p) = parents[i].filter(|&p| p < i) {
                        start = start.max(spans[p].start_ms);
                    }
                    start
                }
            };
            spans[i].start_ms = start;
        }
        Trace {
            trace_id: self.trace_id,
            spans: tree_order(spans),
        }
    }
}

/// Whether a span that started at `start_ms` ends in its point's second: the point is written
/// at the end, its timestamp cut to the second; 1 ms either side for a rounded duration.
fn fits(span: &Span, start_ms: f64) -> bool {
    let end_ms = start_ms + span.duration_ms;
    let second_ms = span.end_s as f64 * 1000.0;
    end_ms >= second_ms - 1.0 && end_ms < second_ms + 1001.0
}

/// Roots, then children depth-first; siblings by start, then span id. Each span is
/// placed once even if ids repeat or parents form a cycle.
fn tree_order(spans: Vec<Span>) -> Vec<Span> {
    let ids: HashMap<&str, usize> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| (s.span_id.as_str(), i))
        .collect();
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (i, span) in spans.iter().enumerate() {
        match ids.get(span.parent_span_id.as_str()) {
            Some(&parent) if parent != i && !span.parent_span_id.is_empty() => {
                children.entry(parent).or_default().push(i)
            }
            _ => roots.push(i),
        }
    }
    let by_start = |list: &mut Vec<usize>| {
        list.sort_by(|&a, &b| {
            spans[a]
                .start_ms
                .total_cmp(&spans[b].start_ms)
                .then_with(|| spans[a].span_id.cmp(&spans[b].span_id))
        })
    };
    by_start(&mut roots);
    for list in children.values_mut() {
        by_start(list);
    }
    let earliest = spans
        .iter()
        .map(|s| s.start_ms)
        .fold(f64::INFINITY, f64::min);
    let mut placed = vec![false; spans.len()];
    let mut order = Vec::with_capacity(spans.len());
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&r| (r, 0)).collect();
    // Spans on a parent cycle have no root: they are started from afterwards.
    let mut rest: Vec<usize> = (0..spans.len()).rev().collect();
    let mut next = |stack: &mut Vec<(usize, usize)>, placed: &[bool]| {
        stack.pop().or_else(|| {
            while let Some(i) = rest.pop() {
                if !placed[i] {
                    return Some((i, 0));
                }
            }
            None
        })
    };
    while let Some((i, depth)) = next(&mut stack, &placed) {
        if placed[i] {
            continue;
        }
        placed[i] = true;
        order.push((i, depth));
        if let Some(kids) = children.get(&i) {
            for &kid in kids.iter().rev() {
                stack.push((kid, depth + 1));
            }
        }
    }
    let mut slots: Vec<Option<Span>> = spans.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|(i, depth)| {
            let mut span = slots.get_mut(i)?.take()?;
            span.depth = depth;
            span.offset_ms = span.start_ms - earliest;
            Some(span)
        })
        .collect()
}

impl Tabular for Span {
    fn header() -> Vec<&'static str> {
        vec![
            "span",
            "parent",
            "service",
            "operation",
            "outcome",
            "offset ms",
            "duration ms",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            format!("{}{}", "  ".repeat(self.depth), self.span_id),
            self.parent_span_id.clone(),
            self.service.clone(),
            self.operation.clone(),
            self.outcome.clone(),
            format!("{:.0}", self.offset_ms),
            format!("{}", self.duration_ms),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(id: &str, parent: &str, end_s: i64, duration_ms: f64) -> Span {
        Span {
            span_id: id.into(),
            parent_span_id: parent.into(),
            service: "s".into(),
            operation: "o".into(),
            outcome: "ok".into(),
            platform: "p".into(),
            end_s,
            duration_ms,
            start_ms: end_s as f64 * 1000.0 - duration_ms,
            offset_ms: 0.0,
            depth: 0,
        }
    }

    #[test]
    fn tree_order_places_children_under_parents_and_survives_cycles() {
        let spans = vec![
            span("c2", "root", 10, 100.0),
            span("root", "", 11, 2000.0),
            span("c1", "root", 10, 500.0),
            span("g", "c1", 10, 50.0),
            span("x", "y", 5, 1.0),
            span("y", "x", 5, 1.0),
        ];
        let order = tree_order(spans);
        let ids: Vec<(&str, usize)> = order
            .iter()
            .map(|s| (s.span_id.as_str(), s.depth))
            .collect();
        assert_eq!(
            ids,
            [
                ("root", 0),
                ("c1", 1),
                ("g", 2),
                ("c2", 1),
                ("x", 0),
                ("y", 1)
            ]
        );
        assert_eq!(order[0].offset_ms, 4001.0); // x and y start earliest (4 999 ms)
        assert_eq!(order[4].offset_ms, 0.0);
    }
}
