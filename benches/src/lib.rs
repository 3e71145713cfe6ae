//! Shared pieces of the benchmarks: in-memory sinks that serialize everything into a buffer,
//! and a way to run a future that never waits.

use nno_obs::sink::{LogLine, LogSink, PointSink};
use nno_obs::{DataPoint, LogLevel, Telemetry};
use std::future::Future;
use std::io;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

/// Lines and points, serialized into one reused in-memory buffer (cleared when it grows past
/// 1 MiB, so memory stays bounded over millions of iterations).
#[derive(Clone, Default)]
pub struct BufferSink {
    buffer: Arc<Mutex<Vec<u8>>>,
}

impl BufferSink {
    fn append(&self, write: impl FnOnce(&mut Vec<u8>)) {
        if let Ok(mut buffer) = self.buffer.lock() {
            if buffer.len() > 1 << 20 {
                buffer.clear();
            }
            write(&mut buffer);
        }
    }

    /// Bytes currently held (for sanity checks).
    pub fn len(&self) -> usize {
        self.buffer.lock().map(|b| b.len()).unwrap_or(0)
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl LogSink for BufferSink {
    fn write_line(&self, _level: LogLevel, line: LogLine<'_>) -> io::Result<()> {
        self.append(|buffer| buffer.extend_from_slice(line.as_bytes()));
        Ok(())
    }
}

impl PointSink for BufferSink {
    fn write_point(&self, _dataset: &str, _ts: u64, point: &DataPoint<'_>) -> io::Result<()> {
        self.append(|buffer| {
            point.write_json(buffer);
            buffer.push(b'\n');
        });
        Ok(())
    }
}

/// A telemetry writing lines and every dataset into one [`BufferSink`].
pub fn buffer_telemetry() -> (Telemetry, BufferSink) {
    let sink = BufferSink::default();
    let telemetry = Telemetry::builder()
        .log_sink(sink.clone())
        .all_datasets(sink.clone())
        .platform_id("k3m9p2xw7q")
        .entity_id("r8n4t6y1z5")
        .build();
    (telemetry, sink)
}

/// A writer for tracing-subscriber that appends to a shared buffer, like [`BufferSink`].
#[derive(Clone, Default)]
pub struct SharedBuffer(pub Arc<Mutex<Vec<u8>>>);

impl io::Write for SharedBuffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if let Ok(mut buffer) = self.0.lock() {
            if buffer.len() > 1 << 20 {
                buffer.clear();
            }
            buffer.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for SharedBuffer {
    type Writer = SharedBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Runs a future that completes without waiting (every benchmarked step does), with no
/// executor overhead: one poll with a no-op waker.
pub fn run_ready<F: Future>(future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}
