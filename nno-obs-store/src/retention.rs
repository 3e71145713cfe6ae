//! How long each part of the store is kept (seed §9): one table, used by the local prune and,
//! later, by the R2 lifecycle rules.

use crate::layout::{Bucket, DateHour, DATASETS_FOLDER};

/// A part of the store with its own retention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RetentionClass {
    /// `nno-logs-internal`: NNO debugging and audit.
    InternalLogs,
    /// `nno-logs-{platformId}`: platform admin access.
    PlatformLogs,
    /// Analytics Engine datasets: Analytics Engine's own limit.
    AnalyticsEngine,
}

/// Days kept, per class (seed §9).
///
/// ```
/// use nno_obs_store::retention::{RetentionClass, RETENTION_DAYS};
///
/// assert_eq!(RETENTION_DAYS, [
///     (RetentionClass::InternalLogs, 90),
///     (RetentionClass::PlatformLogs, 30),
///     (RetentionClass::AnalyticsEngine, 90),
/// ]);
/// ```
pub const RETENTION_DAYS: [(RetentionClass, u32); 3] = [
    (RetentionClass::InternalLogs, 90),
    (RetentionClass::PlatformLogs, 30),
    (RetentionClass::AnalyticsEngine, 90),
];

const MS_PER_DAY: u64 = 86_400_000;

impl RetentionClass {
    /// Days kept.
    pub fn days(self) -> u32 {
        RETENTION_DAYS
            .iter()
            .find(|(class, _)| *class == self)
            .map_or(90, |(_, days)| *days)
    }

    /// The class of a bucket.
    pub fn of_bucket(bucket: &Bucket) -> Self {
        match bucket {
            Bucket::Internal => RetentionClass::InternalLogs,
            Bucket::Platform(_) => RetentionClass::PlatformLogs,
        }
    }

    /// The class of a top-level folder of a local store (`nno-logs-…` or `analytics-engine`);
    /// `None` for anything else, which a prune leaves alone.
    pub fn of_top_folder(name: &str) -> Option<Self> {
        if name == DATASETS_FOLDER {
            return Some(RetentionClass::AnalyticsEngine);
        }
        Bucket::parse(name)
            .ok()
            .map(|bucket| Self::of_bucket(&bucket))
    }

    /// Whether every object in `hour`'s folder is past retention at `now_ms`.
    ///
    /// An object is uploaded during its folder's hour, so the folder expires `days` after the
    /// hour *ends*: nothing is deleted before its time (R2's lifecycle rule counts from upload).
    ///
    /// ```
    /// use nno_obs_store::layout::DateHour;
    /// use nno_obs_store::retention::RetentionClass;
    ///
    /// let hour = DateHour::of_unix_ms(0);
    /// let thirty_days = 30 * 86_400_000;
    /// assert!(!RetentionClass::PlatformLogs.is_expired(hour, thirty_days + 3_599_999));
    /// assert!(RetentionClass::PlatformLogs.is_expired(hour, thirty_days + 3_600_000));
    /// assert!(!RetentionClass::InternalLogs.is_expired(hour, thirty_days + 3_600_000));
    /// ```
    pub fn is_expired(self, hour: DateHour, now_ms: u64) -> bool {
        let kept_until = hour
            .end_ms()
            .saturating_add(u64::from(self.days()) * MS_PER_DAY);
        now_ms >= kept_until
    }
}
