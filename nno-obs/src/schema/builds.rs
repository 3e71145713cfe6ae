//! The `nno-builds` point (seed §3.1): Cloudflare Pages builds of platform shells, written by
//! the NNO CLI service.

use super::error_flag;
use crate::datapoint::DataPoint;
use nno_obs_schema::builds;

/// How a build ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BuildOutcome {
    /// `"success"`.
    Success,
    /// `"failure"`: the build exited non-zero (seed §6.2, "CF Pages build failure").
    Failure,
    /// `"canceled"`.
    Canceled,
}

impl BuildOutcome {
    /// The wire text.
    pub const fn as_str(self) -> &'static str {
        match self {
            BuildOutcome::Success => "success",
            BuildOutcome::Failure => "failure",
            BuildOutcome::Canceled => "canceled",
        }
    }
}

/// One finished Pages build.
///
/// | column | value |
/// |---|---|
/// | blob1 | platformId |
/// | blob2 | buildId (the Pages deployment id) |
/// | blob3 | outcome: `success`, `failure`, `canceled` |
/// | blob4 | trigger, e.g. `feature-activation`, `manual` |
/// | double1 | 1 (build count) |
/// | double2 | duration in ms |
/// | double3 | failure flag (1 for `failure` only: a canceled build is not a failed one) |
/// | index1 | platformId |
#[derive(Clone, Copy, Debug)]
pub struct BuildRecord<'a> {
    /// The platform whose shell was built.
    pub platform_id: &'a str,
    /// The build.
    pub build_id: &'a str,
    /// How it ended.
    pub outcome: BuildOutcome,
    /// What started it.
    pub trigger: &'a str,
    /// How long it ran.
    pub duration_ms: u64,
}

impl<'a> DataPoint<'a> {
    /// The `nno-builds` point; see [`BuildRecord`] for the columns.
    ///
    /// ```
    /// use nno_obs::{BuildOutcome, BuildRecord, DataPoint};
    ///
    /// let point = DataPoint::build(&BuildRecord {
    ///     platform_id: "k3m9p2xw7q",
    ///     build_id: "b-0a1b2c",
    ///     outcome: BuildOutcome::Failure,
    ///     trigger: "feature-activation",
    ///     duration_ms: 93_000,
    /// });
    /// assert_eq!(point.blobs(), ["k3m9p2xw7q", "b-0a1b2c", "failure", "feature-activation"]);
    /// assert_eq!(point.doubles(), [1.0, 93000.0, 1.0]);
    /// assert_eq!(point.index_value(), Some("k3m9p2xw7q"));
    /// ```
    pub fn build(record: &BuildRecord<'a>) -> Self {
        let mut blobs = [""; builds::BLOBS];
        blobs[builds::PLATFORM_ID.slot()] = record.platform_id;
        blobs[builds::BUILD_ID.slot()] = record.build_id;
        blobs[builds::OUTCOME.slot()] = record.outcome.as_str();
        blobs[builds::TRIGGER.slot()] = record.trigger;
        let mut doubles = [0.0; builds::DOUBLES];
        doubles[builds::COUNT.slot()] = 1.0;
        doubles[builds::DURATION_MS.slot()] = record.duration_ms as f64;
        doubles[builds::ERROR.slot()] = error_flag(record.outcome == BuildOutcome::Failure);
        DataPoint::from_layout(blobs, doubles, record.platform_id)
    }
}
