//! The `{platformId}-perf` point of seed §3.2: one request of a platform feature Worker.

use super::{error_flag, status_text};
use crate::datapoint::DataPoint;
use nno_obs_schema::perf;

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
        let mut blobs = [""; perf::BLOBS];
        blobs[perf::FEATURE_ID.slot()] = record.feature_id;
        blobs[perf::ENDPOINT.slot()] = record.endpoint;
        blobs[perf::STATUS.slot()] = status_text(record.status);
        blobs[perf::ENTITY_ID.slot()] = record.entity_id;
        let mut doubles = [0.0; perf::DOUBLES];
        doubles[perf::COUNT.slot()] = 1.0;
        doubles[perf::DURATION_MS.slot()] = record.duration_ms as f64;
        doubles[perf::SERVER_ERROR.slot()] = error_flag(record.status >= 500);
        DataPoint::from_layout(blobs, doubles, record.feature_id)
    }
}
