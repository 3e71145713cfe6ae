//! # nno-obs
//!
//! Observability for NNO: the seed's NDJSON log lines, `x-trace-id` / `x-request-id`
//! propagation, span events and Analytics Engine data points, for Cloudflare Workers written
//! with workers-rs and for native Rust alike.
//!
//! ```
//! use nno_obs::{fields, Obs, Telemetry};
//!
//! // Where telemetry goes: here, memory; in a Worker, `Telemetry::from_env(&env)`.
//! let (telemetry, memory) = Telemetry::in_memory();
//!
//! // One context per request, built from its headers.
//! let obs = Obs::from_headers(telemetry, "registry", &[("x-trace-id", "tr_abc123")]);
//! obs.info("resource created", fields! { resourceType: "platform", resourceId: "p-1" });
//!
//! // A child span around a step, with its Analytics Engine span point.
//! let step = obs.child("create-d1").start_span();
//! step.end(nno_obs::SpanOutcome::Ok);
//!
//! let line = &memory.lines()[0];
//! assert!(line.text.contains(r#""traceId":"tr_abc123","#));
//! assert_eq!(memory.points_in("nno-core-ops-spans").len(), 1);
//! ```
//!
//! # Where each behaviour lives
//!
//! | module | what it owns |
//! |---|---|
//! | `obs` | [`Obs`], the per-request context: ids, service, current span, platform and entity, its log lines, outgoing trace headers |
//! | `span` | [`ActiveSpan`]: timing a span and emitting its point (seed §4.2) |
//! | `points` | writing data points from a context ([`Obs::write_point`], `record_perf`, `record_core_op`, `record_metric`) |
//! | `budget` | the 250-point budget of one invocation, shared by every clone and child of its context |
//! | `schema` | the data point layouts, one module per dataset of seed §3.1 ([`SpanRecord`], [`PerfRecord`], [`CoreOpRecord`], [`UsageRecord`], [`AuthEventRecord`], [`BuildRecord`], [`DataPoint::metric`]) |
//! | [`datapoint`] | [`DataPoint`] and Analytics Engine's limits |
//! | `entry`, `json`, `fields`, `level` | the exact NDJSON line ([`LogEntry`]), JSON writing as JavaScript does, [`Field`]s, [`LogLevel`] |
//! | [`trace`] | `x-trace-id` / `x-request-id` validation, W3C `traceparent` / `tracestate`, the header traits |
//! | `ids` | UUIDs and [`SpanId`]s |
//! | [`clock`] | time: `Date.now()` on wasm, the system clock natively, a manual clock for tests and simulations |
//! | `telemetry` | [`Telemetry`]: where lines and points go, [`Binding`]s and [`Dataset`]s |
//! | [`sink`] | console, memory and tee sinks; the traits a sink implements |
//! | `stats` | counters of what was written, dropped, renamed or truncated |
//! | [`seed`] | the seed's TypeScript-shaped API ([`Logger`], [`create_logger`], [`init_trace`], [`with_trace_headers`], [`record_metric`], [`emit_span`]), through the configured telemetry |
//! | `worker` (feature `worker`) | everything Workers-specific: `Env` → [`Telemetry`] once per isolate, the Analytics Engine sink, workers-rs requests and responses for `#[nno_handler]` |
//! | `__private` | what the macros' generated code calls (not public API): handler and step runtimes, declared routes and endpoints |
//!
//! The macros, [`nno_instrument`] and [`nno_handler`], are re-exported from `nno-obs-macros`.

#![warn(missing_docs)]

mod budget;
pub mod clock;
pub mod datapoint;
mod entry;
mod fields;
mod ids;
mod json;
mod level;
mod obs;
mod points;
mod schema;
pub mod seed;
pub mod sink;
mod span;
mod stats;
mod telemetry;
pub mod trace;
#[cfg(feature = "worker")]
pub mod worker;

pub use datapoint::{DataPoint, Truncation};
pub use entry::{LogEntry, WriteReport, CORE_KEYS, RENAMED_KEY_PREFIX};
pub use fields::{Field, FieldValue};
pub use ids::{new_uuid, SpanId, SpanIdHex};
pub use level::{LogLevel, UnknownLevel};
/// The attribute macros: `#[nno_instrument]` for steps and functions, `#[nno_handler]` for HTTP handlers.
pub use nno_obs_macros::{nno_handler, nno_instrument};
pub use obs::Obs;
pub use schema::{
    job, AuthEvent, AuthEventRecord, AuthResult, BuildOutcome, BuildRecord, CoreOpRecord, JobRef,
    OpOutcome, PerfRecord, SpanOutcome, SpanRecord, UsageRecord, NNO_INTERNAL,
};
pub use seed::{create_logger, emit_span, record_metric, Logger};
pub use span::ActiveSpan;
pub use stats::{Stats, StatsSnapshot};
pub use telemetry::{Binding, Dataset, Telemetry, TelemetryBuilder};
pub use trace::{init_trace, with_trace_headers, TraceIds};

#[doc(hidden)]
#[path = "private/mod.rs"]
pub mod __private;

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
