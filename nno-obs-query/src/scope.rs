//! Who asks, by type (DESIGN principle 10), with the scopes of [`nno_obs_access`], minted only by its checks.
//!
//! A [`PlatformScope`] holds one validated [`PlatformId`]; the questions a platform admin can
//! ask take one and can only name that platform's datasets (`{platformId}-perf`, …) or filter
//! a shared dataset on that id. An [`OperatorScope`] is another type, taken by the fleet-wide
//! questions. A [`crate::Plan`] cannot be built outside this crate, so no caller can aim a
//! platform question at another platform's data.

use nno_obs_schema as schema;
use nno_obs_store::layout::{DatasetName, PlatformId};

pub use nno_obs_access::{OperatorScope, PlatformScope};

/// The Analytics Engine datasets of seed §3.1 the questions read.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Dataset {
    /// `nno-core-ops`.
    CoreOps,
    /// `nno-core-ops-spans`.
    Spans,
    /// `nno-auth-events`.
    AuthEvents,
    /// `nno-builds`.
    Builds,
    /// `{platformId}-perf`.
    Perf(PlatformId),
    /// `{platformId}-usage`.
    Usage(PlatformId),
}

impl Dataset {
    /// The dataset's name as written by the Workers (and as the local store's folder).
    ///
    /// ```
    /// use nno_obs_query::Dataset;
    /// use nno_obs_store::layout::PlatformId;
    ///
    /// let perf = Dataset::Perf(PlatformId::parse("k3m9p2xw7q").unwrap());
    /// assert_eq!(perf.name(), "k3m9p2xw7q-perf");
    /// assert_eq!(Dataset::Spans.name(), "nno-core-ops-spans");
    /// ```
    pub fn name(&self) -> String {
        match self {
            Dataset::CoreOps => schema::core_ops::DATASET.to_owned(),
            Dataset::Spans => schema::spans::DATASET.to_owned(),
            Dataset::AuthEvents => schema::auth_events::DATASET.to_owned(),
            Dataset::Builds => schema::builds::DATASET.to_owned(),
            Dataset::Perf(platform) => format!("{platform}{}", schema::perf::SUFFIX),
            Dataset::Usage(platform) => format!("{platform}{}", schema::usage::SUFFIX),
        }
    }

    /// The validated folder name. Every name above is in the dataset grammar (a platform id
    /// is `[a-z0-9]{10}`), so this cannot fail; a failure would be a bug, reported as such.
    pub fn dataset_name(&self) -> Option<DatasetName> {
        DatasetName::parse(&self.name()).ok()
    }
}

/// A platform question cannot be asked with the operator's scope, nor an operator's question
/// with a platform's: the constructors take the scope type.
///
/// ```compile_fail
/// use nno_obs_query::{questions::FeatureStats, OperatorScope, TimeRange};
/// let _ = FeatureStats::new(&nno_obs_access::testing::operator(), TimeRange::new(0, 60).unwrap());
/// ```
///
/// ```compile_fail
/// use nno_obs_query::{questions::JobStats, PlatformScope, TimeRange};
/// use nno_obs_store::layout::PlatformId;
/// let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
/// let _ = JobStats::new(&scope, TimeRange::new(0, 60).unwrap());
/// ```
///
/// Nor can a plan be built or re-aimed outside the crate (its fields are private):
///
/// ```compile_fail
/// use nno_obs_query::{questions::FeatureStats, Dataset, PlatformScope, Question, TimeRange};
/// use nno_obs_store::layout::PlatformId;
/// let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
/// let mut plan = FeatureStats::new(&scope, TimeRange::new(0, 60).unwrap()).plans().remove(0);
/// plan.dataset = Dataset::Perf(PlatformId::parse("aaaaaaaaaa").unwrap());
/// ```
pub struct ScopedByType;
