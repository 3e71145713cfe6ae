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
        // console.* adds its own line break. The line goes as `&str`: one call across the
        // wasm boundary, in which JS decodes it straight from wasm memory into the string
        // console.log receives (no JsValue is made, kept in the heap table and dropped).
        if level.is_stderr() {
            js::console_error(line.without_newline());
        } else {
            js::console_log(line.without_newline());
        }
        Ok(())
    }
}

#[cfg(target_arch = "wasm32")]
mod js {
    use wasm_bindgen::prelude::wasm_bindgen;

    #[wasm_bindgen]
    extern "C" {
        /// `console.log(line)`.
        #[wasm_bindgen(js_namespace = console, js_name = log)]
        pub fn console_log(line: &str);
        /// `console.error(line)`.
        #[wasm_bindgen(js_namespace = console, js_name = error)]
        pub fn console_error(line: &str);
    }
}
