//! Where lines and points go: a small trait pair and its implementations.
//!
//! | sink | log lines | data points |
//! |---|---|---|
//! | [`ConsoleSink`] | stdout, `error` to stderr (`console.log` / `console.error` on wasm) | — |
//! | [`MemorySink`] | captured, for tests | captured, for tests |
//! | `worker::AnalyticsEngineSink` (feature `worker`) | — | `writeDataPoint` on a binding |
//!
//! The local store of native runs — Workers Trace Events records and Analytics Engine rows in
//! the production layout — is `nno_obs_store::fs::LocalStore` (its `Invocation` is the log
//! sink of one invocation; the store itself is a point sink).
//!
//! A sink reports failure with an `io::Error`; the caller swallows and counts it, because
//! telemetry never breaks the program it observes.

mod console;
mod memory;

pub use console::ConsoleSink;
pub use memory::{CapturedLine, CapturedPoint, MemorySink};

use crate::{DataPoint, LogLevel};
use std::io;

/// One finished log line: a complete JSON object followed by exactly one `\n`.
///
/// Lines are UTF-8 by construction; [`LogLine::as_bytes`] hands them on without re-checking,
/// which is what byte sinks (console, files) want on the hot path.
///
/// ```
/// use nno_obs::sink::LogLine;
///
/// let line = LogLine::new("{\"message\":\"hi\"}\n");
/// assert_eq!(line.as_bytes(), b"{\"message\":\"hi\"}\n");
/// assert_eq!(line.without_newline(), "{\"message\":\"hi\"}");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogLine<'a> {
    bytes: &'a [u8],
}

impl<'a> LogLine<'a> {
    /// A line from text (which should be one JSON object and a `\n`).
    pub fn new(text: &'a str) -> Self {
        Self {
            bytes: text.as_bytes(),
        }
    }

    /// A line the crate built from `&str` pieces and ASCII JSON syntax.
    pub(crate) fn built(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    /// The bytes, newline included.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The text, newline included. Lines are always UTF-8; should that ever fail, the result
    /// is empty rather than a panic.
    pub fn as_str(&self) -> &'a str {
        std::str::from_utf8(self.bytes).unwrap_or("")
    }

    /// The text without its trailing `\n` (what `console.log` takes).
    pub fn without_newline(&self) -> &'a str {
        let text = self.as_str();
        text.strip_suffix('\n').unwrap_or(text)
    }
}

/// Receives finished log lines.
pub trait LogSink: Send + Sync {
    /// Writes one line.
    fn write_line(&self, level: LogLevel, line: LogLine<'_>) -> io::Result<()>;
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
    fn write_line(&self, level: LogLevel, line: LogLine<'_>) -> io::Result<()> {
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
    fn write_line(&self, _level: LogLevel, _line: LogLine<'_>) -> io::Result<()> {
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
    fn write_line(&self, level: LogLevel, line: LogLine<'_>) -> io::Result<()> {
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
