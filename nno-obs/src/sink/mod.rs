//! Where lines and points go: a small trait pair and its implementations.
//!
//! | sink | log lines | data points |
//! |---|---|---|
//! | [`ConsoleSink`] | stdout, `error` to stderr (`console.log` / `console.error` on wasm) | — |
//! | [`MemorySink`] | captured, for tests | captured, for tests |
//! | [`NdjsonStore`] | `logs.ndjson` in a directory | `<dataset>.ndjson` per dataset |
//! | `AnalyticsEngineSink` (feature `worker`) | — | `writeDataPoint` on a binding |
//!
//! A sink reports failure with an `io::Error`; the caller swallows and counts it, because
//! telemetry never breaks the program it observes.

#[cfg(feature = "worker")]
mod analytics_engine;
mod console;
mod memory;
#[cfg(not(target_arch = "wasm32"))]
mod ndjson;

#[cfg(feature = "worker")]
pub use analytics_engine::AnalyticsEngineSink;
pub use console::ConsoleSink;
pub use memory::{CapturedLine, CapturedPoint, MemorySink};
#[cfg(not(target_arch = "wasm32"))]
pub use ndjson::NdjsonStore;

use crate::{DataPoint, LogLevel};
use std::io;

/// Receives finished log lines.
pub trait LogSink: Send + Sync {
    /// Writes one line. `line` is a complete JSON object followed by exactly one `\n`.
    fn write_line(&self, level: LogLevel, line: &str) -> io::Result<()>;
}

/// Receives data points.
pub trait PointSink: Send + Sync {
    /// Writes one point to `dataset`, observed at `timestamp_ms`.
    fn write_point(
        &self,
        dataset: &str,
        timestamp_ms: u64,
        point: &DataPoint<'_>,
    ) -> io::Result<()>;
}

impl<T: LogSink + ?Sized> LogSink for std::sync::Arc<T> {
    fn write_line(&self, level: LogLevel, line: &str) -> io::Result<()> {
        (**self).write_line(level, line)
    }
}

impl<T: PointSink + ?Sized> PointSink for std::sync::Arc<T> {
    fn write_point(
        &self,
        dataset: &str,
        timestamp_ms: u64,
        point: &DataPoint<'_>,
    ) -> io::Result<()> {
        (**self).write_point(dataset, timestamp_ms, point)
    }
}

/// Discards everything: the sink of a telemetry with nowhere to write.
#[derive(Clone, Copy, Debug, Default)]
pub struct NullSink;

impl LogSink for NullSink {
    fn write_line(&self, _level: LogLevel, _line: &str) -> io::Result<()> {
        Ok(())
    }
}

impl PointSink for NullSink {
    fn write_point(
        &self,
        _dataset: &str,
        _timestamp_ms: u64,
        _point: &DataPoint<'_>,
    ) -> io::Result<()> {
        Ok(())
    }
}

/// Sends every line (or point) to two sinks, e.g. the console and a local store.
///
/// Both are always tried; the first error is returned.
///
/// ```
/// use nno_obs::sink::{ConsoleSink, MemorySink, Tee};
///
/// let memory = MemorySink::new();
/// let _both = Tee(ConsoleSink, memory.clone());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Tee<A, B>(pub A, pub B);

impl<A: LogSink, B: LogSink> LogSink for Tee<A, B> {
    fn write_line(&self, level: LogLevel, line: &str) -> io::Result<()> {
        let first = self.0.write_line(level, line);
        let second = self.1.write_line(level, line);
        first.and(second)
    }
}

impl<A: PointSink, B: PointSink> PointSink for Tee<A, B> {
    fn write_point(
        &self,
        dataset: &str,
        timestamp_ms: u64,
        point: &DataPoint<'_>,
    ) -> io::Result<()> {
        let first = self.0.write_point(dataset, timestamp_ms, point);
        let second = self.1.write_point(dataset, timestamp_ms, point);
        first.and(second)
    }
}
