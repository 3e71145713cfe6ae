//! The console: what Workers Logs and Logpush collect.

use super::{LogLine, LogSink};
use crate::LogLevel;
use std::io;

/// Writes each line to stdout, or to stderr for `error` lines: `console.log` and
/// `console.error` on wasm32, exactly as the seed's `Logger`.
///
/// ```
/// use nno_obs::sink::{ConsoleSink, LogLine, LogSink};
/// use nno_obs::LogLevel;
///
/// ConsoleSink.write_line(LogLevel::Info, LogLine::new("{\"message\":\"hi\"}\n")).unwrap();
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct ConsoleSink;

impl LogSink for ConsoleSink {
    #[cfg(not(target_arch = "wasm32"))]
    fn write_line(&self, level: LogLevel, line: LogLine<'_>) -> io::Result<()> {
        use std::io::Write;
        // One `write_all` of the whole line under the stream's lock: lines from concurrent
        // threads never interleave.
        if level.is_stderr() {
            io::stderr().lock().write_all(line.as_bytes())
        } else {
            io::stdout().lock().write_all(line.as_bytes())
        }
    }

    #[cfg(target_arch = "wasm32")]
    fn write_line(&self, level: LogLevel, line: LogLine<'_>) -> io::Result<()> {
        // console.* adds its own line break.
        let text = wasm_bindgen::JsValue::from_str(line.without_newline());
        if level.is_stderr() {
            web_sys::console::error_1(&text);
        } else {
            web_sys::console::log_1(&text);
        }
        Ok(())
    }
}
