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
//! The pieces: [`LogEntry`] lines written by a [`Logger`] or an [`Obs`]; trace ids from
//! [`init_trace`] and to [`with_trace_headers`]; [`DataPoint`]s with the seed's layouts
//! ([`DataPoint::span`], [`DataPoint::perf`], [`DataPoint::core_op`], [`DataPoint::metric`]);
//! [`record_metric`] and [`emit_span`]; sinks in [`sink`], configured by a [`Telemetry`].

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
    AuthEvent, AuthEventRecord, AuthResult, BuildOutcome, BuildRecord, CoreOpRecord, OpOutcome,
    PerfRecord, SpanOutcome, SpanRecord, UsageRecord, NNO_INTERNAL,
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
