//! The `nno-core-ops` point of seed §3.2: one operation of an NNO core service.

use super::{error_flag, NNO_INTERNAL};
use crate::datapoint::DataPoint;
use nno_obs_schema::core_ops;

/// How an NNO core operation ended (seed §3.2, `nno-core-ops` blob3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpOutcome {
    /// `"success"`.
    Success,
    /// `"error"`.
    Error,
    /// `"timeout"`.
    Timeout,
}

impl OpOutcome {
    /// The wire text.
    pub const fn as_str(self) -> &'static str {
        match self {
            OpOutcome::Success => "success",
            OpOutcome::Error => "error",
            OpOutcome::Timeout => "timeout",
        }
    }
}

/// One operation of an NNO core service: an `nno-core-ops` point (seed §3.2).
#[derive(Clone, Copy, Debug)]
pub struct CoreOpRecord<'a> {
    /// The service, e.g. `registry`.
    pub service: &'a str,
    /// The operation, e.g. `GET /platforms`.
    pub operation: &'a str,
    /// How it ended.
    pub outcome: OpOutcome,
    /// The platform it was for, or `None` (written as `nno-internal`).
    pub platform_id: Option<&'a str>,
    /// How long it took.
    pub duration_ms: u64,
    /// The job, when the operation is a job (then `operation` is the job's, e.g.
    /// `PROVISION_PLATFORM`): appended as blob5, see [`job`](crate::job).
    /// `None` writes the seed's four blobs.
    pub job_id: Option<&'a str>,
}

impl<'a> DataPoint<'a> {
    /// The `nno-core-ops` point of seed §3.2: blobs `service, operation, outcome, platformId
    /// or "nno-internal"`, then a job's id (see [`job`](crate::job)); doubles
    /// `1, durationMs, error flag`; index service. The error flag is 1 for `error` and
    /// `timeout`.
    ///
    /// ```
    /// use nno_obs::{CoreOpRecord, DataPoint, OpOutcome};
    ///
    /// let point = DataPoint::core_op(&CoreOpRecord {
    ///     service: "registry",
    ///     operation: "GET /platforms",
    ///     outcome: OpOutcome::Success,
    ///     platform_id: Some("k3m9p2xw7q"),
    ///     duration_ms: 12,
    ///     job_id: None,
    /// });
    /// assert_eq!(point.blobs(), ["registry", "GET /platforms", "success", "k3m9p2xw7q"]);
    /// assert_eq!(point.doubles(), [1.0, 12.0, 0.0]);
    /// assert_eq!(point.index_value(), Some("registry"));
    /// ```
    pub fn core_op(record: &CoreOpRecord<'a>) -> Self {
        let mut blobs = [""; core_ops::BLOBS];
        blobs[core_ops::SERVICE.slot()] = record.service;
        blobs[core_ops::OPERATION.slot()] = record.operation;
        blobs[core_ops::OUTCOME.slot()] = record.outcome.as_str();
        blobs[core_ops::PLATFORM_ID.slot()] = record.platform_id.unwrap_or(NNO_INTERNAL);
        let mut doubles = [0.0; core_ops::DOUBLES];
        doubles[core_ops::COUNT.slot()] = 1.0;
        doubles[core_ops::DURATION_MS.slot()] = record.duration_ms as f64;
        doubles[core_ops::ERROR.slot()] = error_flag(record.outcome != OpOutcome::Success);
        let mut point = DataPoint::from_layout(blobs, doubles, record.service);
        // The job extension appends right after the seed's blobs (checked below at compile
        // time), so a point without a job keeps the seed's bytes.
        const _: () = assert!(core_ops::JOB_ID.slot() == core_ops::BLOBS);
        if let Some(job_id) = record.job_id {
            point.push_blob(job_id);
        }
        point
    }
}
