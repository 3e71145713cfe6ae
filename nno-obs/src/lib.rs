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

pub mod clock;
pub mod datapoint;
mod entry;
mod fields;
mod ids;
mod json;
mod level;
mod logger;
mod metrics;
mod obs;
mod schema;
pub mod sink;
mod stats;
mod telemetry;
pub mod trace;

pub use datapoint::{DataPoint, Truncation};
pub use entry::{LogEntry, WriteReport, CORE_KEYS, RENAMED_KEY_PREFIX};
pub use fields::{Field, FieldValue};
pub use ids::{new_uuid, SpanId, SpanIdHex};
pub use level::{LogLevel, UnknownLevel};
pub use logger::{create_logger, Logger};
pub use metrics::{emit_span, record_metric};
/// The attribute macros: `#[nno_instrument]` for steps and functions, `#[nno_handler]` for HTTP handlers.
pub use nno_obs_macros::{nno_handler, nno_instrument};
pub use obs::{ActiveSpan, Obs};
pub use schema::{CoreOpRecord, OpOutcome, PerfRecord, SpanOutcome, SpanRecord, NNO_INTERNAL};
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
