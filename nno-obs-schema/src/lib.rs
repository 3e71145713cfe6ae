//! The Analytics Engine datasets of NNO (seed §3.1) and the position of every column in them,
//! defined once: the write side's point builders (`nno-obs`) place each value at the position
//! named here, and the read side's questions (`nno-obs-query`) read the column named here. A
//! layout change is one edit in this crate, and both sides follow it.
//!
//! A column is a typed handle, [`Blob`] or [`Double`], not a number: a question cannot read a
//! double as a blob, and a position outside Analytics Engine's 20 columns cannot be spelled.
//!
//! | module | dataset | seed |
//! |---|---|---|
//! | [`core_ops`] | `nno-core-ops` | §3.2 |
//! | [`spans`] | `nno-core-ops-spans` | §4.2 |
//! | [`perf`] | `{platformId}-perf` | §3.2 |
//! | [`usage`] | `{platformId}-usage` | §3.1 |
//! | [`auth_events`] | `nno-auth-events` | §3.1 |
//! | [`builds`] | `nno-builds` | §3.1 |
//! | [`metrics`] | `nno_metrics` | §1.4 |
//!
//! ```
//! use nno_obs_schema::{spans, Blob};
//!
//! assert_eq!(spans::DATASET, "nno-core-ops-spans");
//! assert_eq!(spans::OPERATION.sql(), "blob5");
//! assert_eq!(spans::OPERATION.slot(), 4);
//! assert_eq!(spans::DURATION_MS.sql(), "double1");
//! ```
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// The most blobs (and the most doubles) a point may carry.
pub const MAX_COLUMNS: u8 = 20;

/// A `blobN` column (1-based, `1..=20`).
///
/// ```
/// use nno_obs_schema::Blob;
///
/// const B3: Blob = Blob::at(3);
/// assert_eq!(B3.position(), 3);
/// assert_eq!(B3.sql(), "blob3");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Blob(u8);

/// A `doubleN` column (1-based, `1..=20`).
///
/// ```
/// use nno_obs_schema::Double;
///
/// assert_eq!(Double::at(2).sql(), "double2");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Double(u8);

/// `blob1` … `blob20` and `double1` … `double20` as text, so a column renders without
/// allocating.
const BLOB_NAMES: [&str; MAX_COLUMNS as usize] = [
    "blob1", "blob2", "blob3", "blob4", "blob5", "blob6", "blob7", "blob8", "blob9", "blob10",
    "blob11", "blob12", "blob13", "blob14", "blob15", "blob16", "blob17", "blob18", "blob19",
    "blob20",
];
const DOUBLE_NAMES: [&str; MAX_COLUMNS as usize] = [
    "double1", "double2", "double3", "double4", "double5", "double6", "double7", "double8",
    "double9", "double10", "double11", "double12", "double13", "double14", "double15", "double16",
    "double17", "double18", "double19", "double20",
];

/// Checks a 1-based position at compile time when used in a `const`; the columns of this crate
/// are all `const`, so a bad position is a build error, never a runtime one.
const fn checked(position: u8) -> u8 {
    assert!(
        position >= 1 && position <= MAX_COLUMNS,
        "a column position is 1..=20"
    );
    position
}

impl Blob {
    /// `blob{position}`; `position` must be `1..=20` (checked at compile time in a `const`).
    ///
    /// # Panics
    ///
    /// Outside `1..=20` — a build error where it is evaluated in a `const`, as every column of
    /// this crate is; for a position known only at run time use [`Self::new`].
    pub const fn at(position: u8) -> Self {
        Self(checked(position))
    }

    /// The position `N` of `blobN`, 1-based, or `None` outside `1..=20`.
    ///
    /// ```
    /// assert_eq!(nno_obs_schema::Blob::new(21), None);
    /// ```
    pub const fn new(position: u8) -> Option<Self> {
        if position >= 1 && position <= MAX_COLUMNS {
            Some(Self(position))
        } else {
            None
        }
    }

    /// `N` of `blobN`.
    pub const fn position(self) -> u8 {
        self.0
    }

    /// The 0-based slot in a point's blob array.
    pub const fn slot(self) -> usize {
        self.0 as usize - 1
    }

    /// The column's name in SQL, `blobN`.
    pub const fn sql(self) -> &'static str {
        BLOB_NAMES[self.slot()]
    }
}

impl Double {
    /// `double{position}`; `position` must be `1..=20` (checked at compile time in a `const`).
    ///
    /// # Panics
    ///
    /// Outside `1..=20` — a build error where it is evaluated in a `const`, as every column of
    /// this crate is; for a position known only at run time use [`Self::new`].
    pub const fn at(position: u8) -> Self {
        Self(checked(position))
    }

    /// The position `N` of `doubleN`, 1-based, or `None` outside `1..=20`.
    pub const fn new(position: u8) -> Option<Self> {
        if position >= 1 && position <= MAX_COLUMNS {
            Some(Self(position))
        } else {
            None
        }
    }

    /// `N` of `doubleN`.
    pub const fn position(self) -> u8 {
        self.0
    }

    /// The 0-based slot in a point's double array.
    pub const fn slot(self) -> usize {
        self.0 as usize - 1
    }

    /// The column's name in SQL, `doubleN`.
    pub const fn sql(self) -> &'static str {
        DOUBLE_NAMES[self.slot()]
    }
}

impl core::fmt::Display for Blob {
    /// The SQL name, `blobN`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.sql())
    }
}

impl core::fmt::Display for Double {
    /// The SQL name, `doubleN`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.sql())
    }
}

/// The platform id written when an operation belongs to no platform (seed §3.2).
pub const NNO_INTERNAL: &str = "nno-internal";

/// `nno-core-ops` (seed §3.2): one point per request a core service answers.
pub mod core_ops {
    use super::{Blob, Double};

    /// The dataset's name.
    pub const DATASET: &str = "nno-core-ops";
    /// The core service (`registry`, `provisioning`, …); also `index1`.
    pub const SERVICE: Blob = Blob::at(1);
    /// What was done (`METHOD route`, or a job step).
    pub const OPERATION: Blob = Blob::at(2);
    /// `success` or `failure`.
    pub const OUTCOME: Blob = Blob::at(3);
    /// The platform the operation was for, or [`NNO_INTERNAL`](super::NNO_INTERNAL).
    pub const PLATFORM_ID: Blob = Blob::at(4);
    /// How many blobs the layout writes (the seed's; a job's point appends one more).
    pub const BLOBS: usize = 4;
    /// The job extension of §3.2: a job's point appends its job id here.
    pub const JOB_ID: Blob = Blob::at(5);
    /// Always 1 (a count).
    pub const COUNT: Double = Double::at(1);
    /// The duration in ms.
    pub const DURATION_MS: Double = Double::at(2);
    /// 1 for a failure, else 0.
    pub const ERROR: Double = Double::at(3);
    /// How many doubles the layout writes.
    pub const DOUBLES: usize = 3;
}

/// `nno-core-ops-spans` (seed §4.2): one point per finished span.
pub mod spans {
    use super::{Blob, Double};

    /// The dataset's name.
    pub const DATASET: &str = "nno-core-ops-spans";
    /// The trace id; also `index1`.
    pub const TRACE_ID: Blob = Blob::at(1);
    /// The span's id.
    pub const SPAN_ID: Blob = Blob::at(2);
    /// The parent span's id, `""` for a root.
    pub const PARENT_SPAN_ID: Blob = Blob::at(3);
    /// The service that ran the span.
    pub const SERVICE: Blob = Blob::at(4);
    /// What the span did (`create-d1`, `GET /platforms`, …).
    pub const OPERATION: Blob = Blob::at(5);
    /// `ok` or `error`.
    pub const OUTCOME: Blob = Blob::at(6);
    /// The platform, or [`NNO_INTERNAL`](super::NNO_INTERNAL).
    pub const PLATFORM_ID: Blob = Blob::at(7);
    /// How many blobs the layout writes (the seed's; a job's own span appends two more).
    pub const BLOBS: usize = 7;
    /// The job extension of §4.2: a job's own span appends its job id here (other spans
    /// have no blob8, which reads `""`).
    pub const JOB_ID: Blob = Blob::at(8);
    /// The job extension of §4.2: the job's operation (`PROVISION_PLATFORM`, …).
    pub const JOB_OPERATION: Blob = Blob::at(9);
    /// The outcome of the span point a job writes when it starts (the job extension).
    pub const JOB_STARTED: &str = "started";
    /// The duration in ms.
    pub const DURATION_MS: Double = Double::at(1);
    /// 1 for an error, else 0.
    pub const ERROR: Double = Double::at(2);
    /// How many doubles the layout writes.
    pub const DOUBLES: usize = 2;
}

/// `{platformId}-perf` (seed §3.2): one point per request a platform feature answers.
pub mod perf {
    use super::{Blob, Double};

    /// What follows the platform id in the dataset's name.
    pub const SUFFIX: &str = "-perf";
    /// The feature (`auth` for the auth Worker); also `index1`.
    pub const FEATURE_ID: Blob = Blob::at(1);
    /// `METHOD route`.
    pub const ENDPOINT: Blob = Blob::at(2);
    /// The status code, three digits.
    pub const STATUS: Blob = Blob::at(3);
    /// The entity (tenant of the platform) the request was for.
    pub const ENTITY_ID: Blob = Blob::at(4);
    /// How many blobs the layout writes.
    pub const BLOBS: usize = 4;
    /// Always 1 (a count).
    pub const COUNT: Double = Double::at(1);
    /// The duration in ms.
    pub const DURATION_MS: Double = Double::at(2);
    /// 1 for a 5xx, else 0.
    pub const SERVER_ERROR: Double = Double::at(3);
    /// How many doubles the layout writes.
    pub const DOUBLES: usize = 3;
}

/// `{platformId}-usage` (seed §3.1): metered units.
pub mod usage {
    use super::{Blob, Double};

    /// What follows the platform id in the dataset's name.
    pub const SUFFIX: &str = "-usage";
    /// The feature; also `index1`.
    pub const FEATURE_ID: Blob = Blob::at(1);
    /// The entity the units were for.
    pub const ENTITY_ID: Blob = Blob::at(2);
    /// What was metered (`invocations`, …).
    pub const METRIC: Blob = Blob::at(3);
    /// How many blobs the layout writes.
    pub const BLOBS: usize = 3;
    /// The units.
    pub const UNITS: Double = Double::at(1);
    /// How many doubles the layout writes.
    pub const DOUBLES: usize = 1;
}

/// `nno-auth-events` (seed §3.1, anonymised): one point per authentication event.
pub mod auth_events {
    use super::{Blob, Double};

    /// The dataset's name.
    pub const DATASET: &str = "nno-auth-events";
    /// The platform; also `index1`.
    pub const PLATFORM_ID: Blob = Blob::at(1);
    /// `login`, `logout`, …
    pub const EVENT: Blob = Blob::at(2);
    /// `password`, `oauth`, …
    pub const METHOD: Blob = Blob::at(3);
    /// `success` or `failure`.
    pub const RESULT: Blob = Blob::at(4);
    /// How many blobs the layout writes.
    pub const BLOBS: usize = 4;
    /// Always 1 (a count).
    pub const COUNT: Double = Double::at(1);
    /// The duration in ms.
    pub const DURATION_MS: Double = Double::at(2);
    /// 1 for a failure, else 0.
    pub const ERROR: Double = Double::at(3);
    /// How many doubles the layout writes.
    pub const DOUBLES: usize = 3;
}

/// `nno-builds` (seed §3.1): one point per Pages build.
pub mod builds {
    use super::{Blob, Double};

    /// The dataset's name.
    pub const DATASET: &str = "nno-builds";
    /// The platform; also `index1`.
    pub const PLATFORM_ID: Blob = Blob::at(1);
    /// The build's id.
    pub const BUILD_ID: Blob = Blob::at(2);
    /// `success` or `failure`.
    pub const OUTCOME: Blob = Blob::at(3);
    /// What started the build (`feature-activation`, …).
    pub const TRIGGER: Blob = Blob::at(4);
    /// How many blobs the layout writes.
    pub const BLOBS: usize = 4;
    /// Always 1 (a count).
    pub const COUNT: Double = Double::at(1);
    /// The duration in ms.
    pub const DURATION_MS: Double = Double::at(2);
    /// 1 for a failure, else 0.
    pub const ERROR: Double = Double::at(3);
    /// How many doubles the layout writes.
    pub const DOUBLES: usize = 3;
}

/// `nno_metrics` (seed §1.4): `record_metric`'s points.
pub mod metrics {
    use super::{Blob, Double};

    /// The dataset's name.
    pub const DATASET: &str = "nno_metrics";
    /// The metric's name; also `index1`.
    pub const NAME: Blob = Blob::at(1);
    /// The first label's value; the others follow in order.
    pub const FIRST_LABEL: Blob = Blob::at(2);
    /// The value.
    pub const VALUE: Double = Double::at(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_positions() {
        for n in 1..=MAX_COLUMNS {
            let blob = Blob::new(n).unwrap();
            let double = Double::new(n).unwrap();
            assert_eq!(blob.sql().strip_prefix("blob").unwrap(), n.to_string());
            assert_eq!(double.sql().strip_prefix("double").unwrap(), n.to_string());
            assert_eq!(blob.slot(), usize::from(n) - 1);
        }
        assert_eq!(Blob::new(0), None);
        assert_eq!(Double::new(21), None);
    }

    /// Each layout's columns are 1..=BLOBS and 1..=DOUBLES with no gap and no repeat, so a
    /// writer that fills every named slot writes a whole, dense point.
    #[test]
    fn layouts_are_dense() {
        fn dense(positions: &mut [u8], count: usize) {
            positions.sort_unstable();
            let expected: Vec<u8> = (1..=count as u8).collect();
            assert_eq!(positions, expected.as_slice());
        }
        use core_ops as c;
        dense(
            &mut [c::SERVICE, c::OPERATION, c::OUTCOME, c::PLATFORM_ID].map(Blob::position),
            c::BLOBS,
        );
        dense(
            &mut [c::COUNT, c::DURATION_MS, c::ERROR].map(Double::position),
            c::DOUBLES,
        );
        use spans as s;
        dense(
            &mut [
                s::TRACE_ID,
                s::SPAN_ID,
                s::PARENT_SPAN_ID,
                s::SERVICE,
                s::OPERATION,
                s::OUTCOME,
                s::PLATFORM_ID,
            ]
            .map(Blob::position),
            s::BLOBS,
        );
        dense(
            &mut [s::DURATION_MS, s::ERROR].map(Double::position),
            s::DOUBLES,
        );
        use perf as p;
        dense(
            &mut [p::FEATURE_ID, p::ENDPOINT, p::STATUS, p::ENTITY_ID].map(Blob::position),
            p::BLOBS,
        );
        dense(
            &mut [p::COUNT, p::DURATION_MS, p::SERVER_ERROR].map(Double::position),
            p::DOUBLES,
        );
        use usage as u;
        dense(
            &mut [u::FEATURE_ID, u::ENTITY_ID, u::METRIC].map(Blob::position),
            u::BLOBS,
        );
        dense(&mut [u::UNITS].map(Double::position), u::DOUBLES);
        use auth_events as a;
        dense(
            &mut [a::PLATFORM_ID, a::EVENT, a::METHOD, a::RESULT].map(Blob::position),
            a::BLOBS,
        );
        dense(
            &mut [a::COUNT, a::DURATION_MS, a::ERROR].map(Double::position),
            a::DOUBLES,
        );
        use builds as b;
        dense(
            &mut [b::PLATFORM_ID, b::BUILD_ID, b::OUTCOME, b::TRIGGER].map(Blob::position),
            b::BLOBS,
        );
        dense(
            &mut [b::COUNT, b::DURATION_MS, b::ERROR].map(Double::position),
            b::DOUBLES,
        );
    }
}
