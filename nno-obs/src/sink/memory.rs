//! In-memory capture, for tests.

use super::{LogLine, LogSink, PointSink};
use crate::datapoint::Truncation;
use crate::{DataPoint, LogLevel};
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};

/// Keeps every line and point in memory. Clones share the same capture.
///
/// ```
/// use nno_obs::{fields, Telemetry};
///
/// let (telemetry, memory) = Telemetry::in_memory();
/// telemetry.logger("registry").info("manifest fetched", fields! { featureCount: 3 });
/// let line = &memory.lines_with_message("manifest fetched")[0];
/// assert_eq!(line.json()["featureCount"], 3);
/// ```
#[derive(Clone, Debug, Default)]
pub struct MemorySink {
    captured: Arc<Mutex<Captured>>,
}

#[derive(Debug, Default)]
struct Captured {
    lines: Vec<CapturedLine>,
    points: Vec<CapturedPoint>,
}

/// A captured log line.
#[derive(Clone, Debug, PartialEq)]
pub struct CapturedLine {
    /// Its level.
    pub level: LogLevel,
    /// The line without its trailing `\n`.
    pub text: String,
}

impl CapturedLine {
    /// The line parsed as JSON (`Value::Null` if it is not JSON, which would be a bug).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text).unwrap_or(serde_json::Value::Null)
    }

    /// The `message` key.
    pub fn message(&self) -> Option<String> {
        self.json()["message"].as_str().map(str::to_owned)
    }
}

/// A captured data point, with owned copies of its strings.
#[derive(Clone, Debug, PartialEq)]
pub struct CapturedPoint {
    /// The dataset it was written to.
    pub dataset: String,
    /// When it was written.
    pub timestamp_ms: u64,
    /// Its blobs.
    pub blobs: Vec<String>,
    /// Its doubles.
    pub doubles: Vec<f64>,
    /// Its index.
    pub index: Option<String>,
    /// What was cut to fit the limits.
    pub truncation: Truncation,
}

impl MemorySink {
    /// An empty capture.
    pub fn new() -> Self {
        Self::default()
    }

    fn captured(&self) -> MutexGuard<'_, Captured> {
        // A test that panicked while holding the lock must not hide what was captured.
        self.captured
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Every line, in order.
    pub fn lines(&self) -> Vec<CapturedLine> {
        self.captured().lines.clone()
    }

    /// The lines whose `message` is `message`.
    pub fn lines_with_message(&self, message: &str) -> Vec<CapturedLine> {
        self.lines_where(|json| json["message"] == message)
    }

    /// The lines whose `traceId` is `trace_id`.
    pub fn lines_with_trace(&self, trace_id: &str) -> Vec<CapturedLine> {
        self.lines_where(|json| json["traceId"] == trace_id)
    }

    fn lines_where(&self, keep: impl Fn(&serde_json::Value) -> bool) -> Vec<CapturedLine> {
        self.captured()
            .lines
            .iter()
            .filter(|line| keep(&line.json()))
            .cloned()
            .collect()
    }

    /// Every point, in order.
    pub fn points(&self) -> Vec<CapturedPoint> {
        self.captured().points.clone()
    }

    /// The points written to `dataset`.
    pub fn points_in(&self, dataset: &str) -> Vec<CapturedPoint> {
        self.captured()
            .points
            .iter()
            .filter(|point| point.dataset == dataset)
            .cloned()
            .collect()
    }

    /// Forgets everything captured so far.
    pub fn clear(&self) {
        let mut captured = self.captured();
        captured.lines.clear();
        captured.points.clear();
    }
}

impl LogSink for MemorySink {
    fn write_line(&self, level: LogLevel, line: LogLine<'_>) -> io::Result<()> {
        let text = line.without_newline().to_owned();
        self.captured().lines.push(CapturedLine { level, text });
        Ok(())
    }
}

impl PointSink for MemorySink {
    fn write_point(
        &self,
        dataset: &str,
        timestamp_ms: u64,
        point: &DataPoint<'_>,
    ) -> io::Result<()> {
        let captured = CapturedPoint {
            dataset: dataset.to_owned(),
            timestamp_ms,
            blobs: point
                .blobs()
                .iter()
                .map(|blob| (*blob).to_owned())
                .collect(),
            doubles: point.doubles().to_vec(),
            index: point.index_value().map(str::to_owned),
            truncation: point.truncation(),
        };
        self.captured().points.push(captured);
        Ok(())
    }
}
