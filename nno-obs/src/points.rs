//! Writing data points from a request context, within the invocation's budget.

use crate::budget::Admission;
use crate::level::LogLevel;
use crate::obs::Obs;
use crate::schema::{CoreOpRecord, OpOutcome, PerfRecord};
use crate::telemetry::Binding;
use crate::DataPoint;

impl Obs {
    /// Writes `point` to `binding`'s dataset, within the invocation's budget of
    /// [`MAX_WRITES_PER_REQUEST`](crate::datapoint::MAX_WRITES_PER_REQUEST) points (shared by
    /// every clone and child of this context): beyond it the point is dropped and counted, and
    /// the first drop is reported by one `warn` line. Returns whether the point was written.
    /// Without a dataset for `binding` nothing is written and nothing is counted.
    ///
    /// ```
    /// use nno_obs::{Binding, DataPoint, Obs, Telemetry, UsageRecord};
    ///
    /// let (telemetry, memory) = Telemetry::in_memory();
    /// let obs = Obs::detached(telemetry, "analytics");
    /// let usage = UsageRecord { feature_id: "analytics", entity_id: "r8n4t6y1z5", metric: "rows-exported", units: 120.0 };
    /// assert!(obs.write_point(Binding::Usage, &DataPoint::usage(&usage)));
    /// assert_eq!(memory.points_in("nno-internal-usage").len(), 1);
    /// ```
    pub fn write_point(&self, binding: Binding, point: &DataPoint<'_>) -> bool {
        let telemetry = self.telemetry();
        let Some(dataset) = telemetry.dataset(binding) else {
            return false;
        };
        match self.budget().admit() {
            Admission::Admitted => dataset.write(point),
            Admission::Refused { first } => {
                telemetry.raw_stats().add_points_over_budget(1);
                if first {
                    self.warn(
                        "data point budget exceeded",
                        crate::fields! {
                            limit: crate::datapoint::MAX_WRITES_PER_REQUEST,
                            dataset: dataset.name(),
                        },
                    );
                }
                false
            }
        }
    }

    /// Records a metric (seed §1.4) to the `NNO_METRICS` dataset, or prints the development
    /// line through this context's log sink when there is none.
    pub fn record_metric(&self, name: &str, value: f64, labels: &[(&str, &str)]) {
        let telemetry = self.telemetry();
        if telemetry.dataset(Binding::Metrics).is_some() {
            self.write_point(Binding::Metrics, &DataPoint::metric(name, value, labels));
        } else {
            crate::entry::with_line_buffer(|line| {
                crate::seed::write_metric_fallback(
                    line,
                    name,
                    value,
                    labels,
                    telemetry.clock().now_ms(),
                );
                telemetry.write_raw_line(LogLevel::Info, line);
            });
        }
    }

    /// Writes one request's `{platformId}-perf` point (seed §3.2); the entity defaults to this
    /// context's (or `""` when unknown).
    pub fn record_perf(
        &self,
        feature_id: &str,
        endpoint: &str,
        status: u16,
        duration_ms: u64,
    ) -> bool {
        let record = PerfRecord {
            feature_id,
            endpoint,
            status,
            entity_id: self.entity_id().unwrap_or(""),
            duration_ms,
        };
        self.write_point(Binding::Perf, &DataPoint::perf(&record))
    }

    /// Writes an `nno-core-ops` point (seed §3.2) for an operation of this context's service.
    pub fn record_core_op(&self, operation: &str, outcome: OpOutcome, duration_ms: u64) -> bool {
        let record = CoreOpRecord {
            service: self.service(),
            operation,
            outcome,
            platform_id: self.platform_id(),
            duration_ms,
            job_id: None,
        };
        self.write_point(Binding::Analytics, &DataPoint::core_op(&record))
    }
}
