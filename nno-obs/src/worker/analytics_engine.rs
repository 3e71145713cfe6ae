//! The Analytics Engine binding of workers-rs: where points go in production.

use crate::sink::PointSink;
use crate::DataPoint;
use std::io;
use worker::wasm_bindgen::{JsCast, JsValue};

/// Writes points to one Analytics Engine binding (`env.analytics_engine("SPANS")`).
///
/// The `dataset` argument of [`PointSink::write_point`] is ignored: the binding decides the
/// dataset (in `wrangler.toml`).
///
/// A point crosses into JavaScript as one JSON text that `JSON.parse` turns into the object
/// `writeDataPoint` takes: two calls across the wasm boundary (`JSON.parse` of the text,
/// `writeDataPoint`) instead of the ~45 of workers-rs' `AnalyticsEngineDataPointBuilder` (an
/// array, a string and a `push` per blob, double and index, a copy of each array, an object
/// and three `Reflect.set`s). The object is the same: `JSON.parse` reads the escaped strings
/// back exactly, and the doubles are written only when they are integers JSON carries exactly
/// (every double of the request, span, perf and core-ops points is). A point with any other
/// double — a fraction, NaN, an infinity, -0, beyond 2^53 — goes through the builder, so no
/// float formatting (ryu, ~12 KB of gzipped wasm) is linked for the common case.
///
/// ```no_run
/// # fn demo(env: &worker::Env) -> worker::Result<()> {
/// use nno_obs::worker::AnalyticsEngineSink;
///
/// let spans = AnalyticsEngineSink::new(env.analytics_engine("SPANS")?);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct AnalyticsEngineSink {
    binding: ::worker::AnalyticsEngineDataset,
}

impl AnalyticsEngineSink {
    /// Wraps a binding.
    pub fn new(binding: ::worker::AnalyticsEngineDataset) -> Self {
        Self { binding }
    }

    /// The binding as the JavaScript object whose `writeDataPoint` takes any `JsValue`.
    fn raw(&self) -> &::worker::worker_sys::AnalyticsEngineDataset {
        let value: &JsValue = self.binding.as_ref();
        value.unchecked_ref()
    }

    /// `writeDataPoint(JSON.parse(json))`.
    fn write_json(&self, json: &[u8]) -> io::Result<()> {
        // Built from `&str` pieces and ASCII syntax, so this never fails.
        let text =
            std::str::from_utf8(json).map_err(|_| io::Error::from(io::ErrorKind::InvalidData))?;
        let object = ::worker::js_sys::JSON::parse(text).map_err(js_error)?;
        self.raw().write_data_point(object).map_err(js_error)
    }

    /// workers-rs' builder: one JS call per value, any double.
    fn write_with_builder(&self, point: &DataPoint<'_>) -> io::Result<()> {
        let single;
        let index: &[&str] = match point.index_value() {
            Some(index) => {
                single = [index];
                &single
            }
            None => &[],
        };
        ::worker::AnalyticsEngineDataPointBuilder::new()
            .indexes(index)
            .doubles(point.doubles().iter().copied())
            .blobs(point.blobs().iter().copied())
            .write_to(&self.binding)
            .map_err(|error| io::Error::other(error.to_string()))
    }
}

impl PointSink for AnalyticsEngineSink {
    fn write_point(
        &self,
        _dataset: &str,
        _timestamp_ms: u64,
        point: &DataPoint<'_>,
    ) -> io::Result<()> {
        // The log lines' reused buffer: no allocation per point in steady state.
        let json = crate::entry::with_line_buffer(|json| {
            write_point_json(json, point).then(|| self.write_json(json))
        });
        match json {
            Some(written) => written,
            None => self.write_with_builder(point),
        }
    }
}

/// Appends `{"blobs":[…],"doubles":[…],"indexes":[…]}` (as [`DataPoint::write_json`]) when
/// every double is an integer JSON carries exactly; `false` (and a partial buffer) otherwise.
fn write_point_json(out: &mut Vec<u8>, point: &DataPoint<'_>) -> bool {
    out.extend_from_slice(b"{\"blobs\":[");
    for (position, blob) in point.blobs().iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        crate::json::write_str(out, blob);
    }
    out.extend_from_slice(b"],\"doubles\":[");
    for (position, double) in point.doubles().iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        if !write_exact_integer(out, *double) {
            return false;
        }
    }
    out.extend_from_slice(b"],\"indexes\":[");
    if let Some(index) = point.index_value() {
        crate::json::write_str(out, index);
    }
    out.extend_from_slice(b"]}");
    true
}

/// Appends `value` as JavaScript writes it when it is an integer of at most 2^53 − 1 in
/// magnitude, other than -0 (plain digits: that is what `Number.prototype.toString` gives below
/// 1e21, and what `JSON.parse` reads back as the same double); else appends nothing and
/// returns `false`.
fn write_exact_integer(out: &mut Vec<u8>, value: f64) -> bool {
    const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;
    let exact = value.is_finite()
        && value.abs() <= MAX_SAFE_INTEGER
        && value.fract() == 0.0
        && !(value == 0.0 && value.is_sign_negative());
    if !exact {
        return false;
    }
    if value < 0.0 {
        out.push(b'-');
    }
    // Exact: an integer of at most 2^53 − 1 in magnitude.
    let mut rest = value.abs() as u64;
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
    true
}

/// A JavaScript exception (a malformed point refused by the binding) as an `io::Error`; the
/// caller only counts it as a failed write, so it carries no text (formatting the `JsValue`
/// would link wasm-bindgen's debug printer, and a message an allocation, for nothing).
fn js_error(_error: JsValue) -> io::Error {
    io::Error::from(io::ErrorKind::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(point: &DataPoint<'_>) -> Option<String> {
        let mut out = Vec::new();
        write_point_json(&mut out, point).then(|| String::from_utf8(out).unwrap_or_default())
    }

    #[test]
    fn integer_points_are_the_json_write_data_point_receives() {
        let point = DataPoint::new()
            .blob("analytics")
            .blob("GET \"/api\"\u{2028}")
            .double(1.0)
            .double(45.0)
            .double(0.0)
            .double(-3.0)
            .double(9_007_199_254_740_991.0)
            .index("analytics");
        let mut expected = Vec::new();
        point.write_json(&mut expected);
        assert_eq!(json(&point), String::from_utf8(expected).ok());
    }

    #[test]
    fn other_doubles_go_through_the_builder() {
        for double in [0.5, f64::NAN, f64::INFINITY, -0.0, 9_007_199_254_740_992.0] {
            assert_eq!(json(&DataPoint::new().double(double)), None, "{double}");
        }
    }
}
