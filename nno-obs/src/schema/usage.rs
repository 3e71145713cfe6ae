//! The `{platformId}-usage` point (seed §3.1): per-feature metered usage of a platform's
//! Workers, the data billing reuses.

use crate::datapoint::DataPoint;
use nno_obs_schema::usage;

/// Units of one usage metric consumed by one request or job of a platform Worker.
///
/// | column | value |
/// |---|---|
/// | blob1 | featureId, e.g. `analytics` |
/// | blob2 | entityId (tenant) |
/// | blob3 | metric, e.g. `invocations`, `rows-exported` |
/// | double1 | units consumed (1 per invocation) |
/// | index1 | featureId |
///
/// A tier limit is compared with `SUM(double1 * _sample_interval)` per metric over the
/// billing period.
#[derive(Clone, Copy, Debug)]
pub struct UsageRecord<'a> {
    /// The feature, e.g. `analytics`.
    pub feature_id: &'a str,
    /// The tenant.
    pub entity_id: &'a str,
    /// What is metered, e.g. `invocations`.
    pub metric: &'a str,
    /// How many units.
    pub units: f64,
}

impl<'a> UsageRecord<'a> {
    /// The metric of one invocation.
    pub const INVOCATIONS: &'static str = "invocations";
}

impl<'a> DataPoint<'a> {
    /// The `{platformId}-usage` point; see [`UsageRecord`] for the columns.
    ///
    /// ```
    /// use nno_obs::{DataPoint, UsageRecord};
    ///
    /// let point = DataPoint::usage(&UsageRecord {
    ///     feature_id: "analytics",
    ///     entity_id: "r8n4t6y1z5",
    ///     metric: UsageRecord::INVOCATIONS,
    ///     units: 1.0,
    /// });
    /// assert_eq!(point.blobs(), ["analytics", "r8n4t6y1z5", "invocations"]);
    /// assert_eq!(point.doubles(), [1.0]);
    /// assert_eq!(point.index_value(), Some("analytics"));
    /// ```
    pub fn usage(record: &UsageRecord<'a>) -> Self {
        let mut blobs = [""; usage::BLOBS];
        blobs[usage::FEATURE_ID.slot()] = record.feature_id;
        blobs[usage::ENTITY_ID.slot()] = record.entity_id;
        blobs[usage::METRIC.slot()] = record.metric;
        let mut doubles = [0.0; usage::DOUBLES];
        doubles[usage::UNITS.slot()] = record.units;
        DataPoint::from_layout(blobs, doubles, record.feature_id)
    }
}
