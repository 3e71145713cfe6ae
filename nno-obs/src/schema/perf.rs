//! The `{platformId}-perf` point of seed §3.2: one request of a platform feature Worker.

use super::{error_flag, status_text};
use crate::datapoint::DataPoint;

/// One request handled by a platform feature Worker: a `{platformId}-perf` point (seed §3.2).
#[derive(Clone, Copy, Debug)]
pub struct PerfRecord<'a> {
    /// The feature, e.g. `analytics`.
    pub feature_id: &'a str,
    /// `METHOD route`, e.g. `GET /api/data`.
    pub endpoint: &'a str,
    /// The HTTP status.
    pub status: u16,
    /// The tenant.
    pub entity_id: &'a str,
    /// How long the request took.
    pub duration_ms: u64,
}

impl<'a> DataPoint<'a> {
    /// The `{platformId}-perf` point of seed §3.2: blobs `featureId, endpoint, status,
    /// entityId`; doubles `1, durationMs, status >= 500 ? 1 : 0`; index featureId.
    ///
    /// ```
    /// use nno_obs::{DataPoint, PerfRecord};
    ///
    /// let point = DataPoint::perf(&PerfRecord {
    ///     feature_id: "analytics",
    ///     endpoint: "POST /api/data/export",
    ///     status: 503,
    ///     entity_id: "r8n4t6y1z5",
    ///     duration_ms: 45,
    /// });
    /// assert_eq!(point.blobs(), ["analytics", "POST /api/data/export", "503", "r8n4t6y1z5"]);
    /// assert_eq!(point.doubles(), [1.0, 45.0, 1.0]);
    /// ```
    pub fn perf(record: &PerfRecord<'a>) -> Self {
        let mut point = DataPoint::new();
        point.push_blob(record.feature_id);
        point.push_blob(record.endpoint);
        point.push_blob(status_text(record.status));
        point.push_blob(record.entity_id);
        point.push_double(1.0);
        point.push_double(record.duration_ms as f64);
        point.push_double(error_flag(record.status >= 500));
        point.set_index(record.feature_id);
        point
    }
}
