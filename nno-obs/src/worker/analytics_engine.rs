//! The Analytics Engine binding of workers-rs: where points go in production.

use crate::sink::PointSink;
use crate::DataPoint;
use std::io;

/// Writes points to one Analytics Engine binding (`env.analytics_engine("SPANS")`), converting
/// the pure-Rust [`DataPoint`] to workers-rs' builder at the edge.
///
/// The `dataset` argument of [`PointSink::write_point`] is ignored: the binding decides the
/// dataset (in `wrangler.toml`).
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
}

impl PointSink for AnalyticsEngineSink {
    fn write_point(
        &self,
        _dataset: &str,
        _timestamp_ms: u64,
        point: &DataPoint<'_>,
    ) -> io::Result<()> {
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
