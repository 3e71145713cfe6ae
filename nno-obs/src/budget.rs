//! The data point budget of one Worker invocation.
//!
//! Analytics Engine accepts at most [`MAX_WRITES_PER_REQUEST`] `writeDataPoint` calls per
//! invocation, whichever binding they go to. One budget belongs to a request context and is
//! shared — not copied — by every clone, child span and re-scoped view of it
//! ([`Obs::with_platform_id`](crate::Obs::with_platform_id) included), so the count is the
//! invocation's, as Analytics Engine counts it.

use crate::datapoint::MAX_WRITES_PER_REQUEST;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// Points written so far by one invocation.
#[derive(Debug, Default)]
pub(crate) struct PointBudget {
    written: AtomicU32,
    warned: AtomicBool,
}

/// Whether a point may be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Within the budget.
    Admitted,
    /// Over it; `first` is true for the first point refused (the one to report).
    Refused { first: bool },
}

impl PointBudget {
    /// Counts one point against the budget.
    pub(crate) fn admit(&self) -> Admission {
        let earlier = self.written.fetch_add(1, Ordering::Relaxed);
        if earlier < MAX_WRITES_PER_REQUEST {
            return Admission::Admitted;
        }
        // Keep the counter from wrapping in a request that loops forever.
        self.written
            .store(MAX_WRITES_PER_REQUEST, Ordering::Relaxed);
        Admission::Refused {
            first: !self.warned.swap(true, Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_refuses_after_the_limit_and_reports_once() {
        let budget = PointBudget::default();
        for _ in 0..MAX_WRITES_PER_REQUEST {
            assert_eq!(budget.admit(), Admission::Admitted);
        }
        assert_eq!(budget.admit(), Admission::Refused { first: true });
        assert_eq!(budget.admit(), Admission::Refused { first: false });
    }
}
