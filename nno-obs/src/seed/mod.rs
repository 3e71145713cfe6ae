//! The seed's TypeScript-shaped API, for code ported from `packages/logger`: `Logger`,
//! `createLogger`, `initTrace`, `withTraceHeaders`, `recordMetric`, `emitSpan`.
//!
//! Each delegates to the real implementation and writes through a configured [`Telemetry`](crate::Telemetry)
//! (the [process default](crate::Telemetry::process_default) where the seed's function takes none),
//! never around it. New code uses [`Obs`](crate::Obs) and the macros instead: they carry the
//! span, the platform and the point budget that these functions cannot.
//!
//! | seed (TypeScript) | here |
//! |---|---|
//! | `new Logger(service, traceId?, requestId?)` | [`Logger::new`] |
//! | `createLogger(service)` | [`create_logger`] |
//! | `initTrace(request)` | [`init_trace`] |
//! | `withTraceHeaders(headers, traceId, requestId)` | [`with_trace_headers`] |
//! | `recordMetric(name, value, labels, env?)` | [`record_metric`] |
//! | `emitSpan(analytics, span)` | [`emit_span`] |
//!
//! ```
//! use nno_obs::seed::{create_logger, init_trace, with_trace_headers};
//!
//! let ids = init_trace(&[("x-trace-id", "tr_abc123")]);
//! create_logger("registry").info("manifest fetched", nno_obs::fields! { featureCount: 3 });
//! let outgoing = with_trace_headers(http::HeaderMap::new(), &ids.trace_id, &ids.request_id);
//! assert_eq!(outgoing["x-trace-id"], "tr_abc123");
//! ```
mod logger;
mod metrics;

pub use crate::trace::{init_trace, with_trace_headers};
pub use logger::{create_logger, Logger};
pub(crate) use metrics::write_metric_fallback;
pub use metrics::{emit_span, record_metric};
