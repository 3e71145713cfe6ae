//! The job extension of the §3.2 and §4.2 layouts: where a job's id and operation go.
//!
//! Seed §6.2 alerts on provisioning jobs ("Job reaches FAILED state", "Job running > 10 min")
//! and §8.2 lists them, but neither point layout names the job. A job's points carry it in
//! blobs appended after the seed's, so every seed query still reads the same columns:
//!
//! | point | seed blobs | appended |
//! |---|---|---|
//! | the job's own span (`nno-core-ops-spans`, §4.2) | 1–7 | blob8 job id, blob9 job operation (`PROVISION_PLATFORM`) |
//! | the job's `nno-core-ops` point (§3.2) | 1–4 (blob2 the job operation, blob4 its platform) | blob5 job id |
//!
//! Spans of other work keep the seed's seven blobs (blob8 reads `""`), so a job span is one
//! whose blob8 is not empty. A job also writes its span point once when it **starts**, with
//! outcome [`JOB_STARTED`] and duration 0: a job stuck in its first step has written nothing
//! else, and "running > 10 min" (§6.2) must still see it. Points written before this
//! extension (a job span named `run-job`, no blob8) stay readable: readers fall back to them.
//!
//! The positions are those of `nno-obs-schema` (1-based, as the SQL's `blobN`), named here
//! for the write side.

use nno_obs_schema::{core_ops, spans};

/// blob8 of a job's span point: the job id.
pub const SPAN_JOB_ID_BLOB: usize = spans::JOB_ID.position() as usize;
/// blob9 of a job's span point: the job's operation (`PROVISION_PLATFORM`).
pub const SPAN_JOB_OPERATION_BLOB: usize = spans::JOB_OPERATION.position() as usize;
/// blob5 of a job's `nno-core-ops` point: the job id.
pub const CORE_OP_JOB_ID_BLOB: usize = core_ops::JOB_ID.position() as usize;
/// The outcome (blob6) of the span point a job writes when it starts.
pub const JOB_STARTED: &str = spans::JOB_STARTED;

/// Which job a point belongs to.
///
/// ```
/// use nno_obs::JobRef;
///
/// let job = JobRef { job_id: "job-prov-0001", operation: "PROVISION_PLATFORM" };
/// assert_eq!(job.job_id, "job-prov-0001");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobRef<'a> {
    /// The job's id, e.g. `job-prov-0001`.
    pub job_id: &'a str,
    /// What the job does, e.g. `PROVISION_PLATFORM` (the `nno-core-ops` operation of seed
    /// §3.3's job success rate).
    pub operation: &'a str,
}
