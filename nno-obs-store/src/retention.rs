//! How long each part of the store is kept (seed §9): one table, used by the prune of a log
//! bucket over the object seam (`nno_obs_logs::retention`), the prune of the local Analytics
//! Engine datasets ([`crate::fs::prune_datasets`]), and the R2 lifecycle rules.

use crate::batch::{LogpushDate, KEY_TIME_SLACK_MS};
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

    /// Whether every object in `hour`'s folder (`{DATE}/{HOUR}`: points, and logs in the seed's
    /// layout) is past retention at `now_ms`.
    ///
    /// The writer puts a row or record in the folder of an hour no earlier than its own time,
    /// so the folder expires `days` after the hour *ends*: nothing is deleted before its time
    /// (R2's lifecycle rule counts from upload).
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

    /// Whether every object in a Logpush `{DATE}` folder is past retention at `now_ms`.
    ///
    /// What the folder guarantees (see [`crate::batch`]): its objects were uploaded, and their
    /// records happened, no later than the day's end plus [`KEY_TIME_SLACK_MS`] (a batch that
    /// began before midnight and closed after it). A late record sits in the folder of the day it
    /// was *delivered*, later than its own, so it is kept at least `days` after its own time —
    /// never deleted early. The folder expires `days` after that bound.
    ///
    /// ```
    /// use nno_obs_store::batch::{LogpushDate, KEY_TIME_SLACK_MS};
    /// use nno_obs_store::retention::RetentionClass;
    ///
    /// let day = LogpushDate::of_unix_ms(0);
    /// let kept_until = 86_400_000 + KEY_TIME_SLACK_MS + 30 * 86_400_000;
    /// assert!(!RetentionClass::PlatformLogs.is_day_expired(day, kept_until - 1));
    /// assert!(RetentionClass::PlatformLogs.is_day_expired(day, kept_until));
    /// assert!(!RetentionClass::InternalLogs.is_day_expired(day, kept_until));
    /// ```
    pub fn is_day_expired(self, day: LogpushDate, now_ms: u64) -> bool {
        let kept_until = day
            .end_ms()
            .saturating_add(KEY_TIME_SLACK_MS)
            .saturating_add(u64::from(self.days()) * MS_PER_DAY);
        now_ms >= kept_until
    }
}

/// Whether a prune removes what is past retention or only counts it (a dry run).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PruneMode {
    /// Remove, and report what was removed.
    Remove,
    /// Remove nothing; report what [`PruneMode::Remove`] would remove.
    Count,
}

/// What a prune removed (or, in [`PruneMode::Count`], would remove).
///
/// ```
/// use nno_obs_store::retention::PruneReport;
///
/// let mut total = PruneReport { files_removed: 2, bytes_removed: 10, hours_removed: 0, days_removed: 1 };
/// total.add(&PruneReport { files_removed: 1, bytes_removed: 5, hours_removed: 1, days_removed: 0 });
/// assert_eq!(total, PruneReport { files_removed: 3, bytes_removed: 15, hours_removed: 1, days_removed: 1 });
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PruneReport {
    /// Files (objects) removed.
    pub files_removed: u64,
    /// Bytes freed.
    pub bytes_removed: u64,
    /// `{DATE}/{HOUR}` folders removed.
    pub hours_removed: u64,
    /// Logpush `{DATE}` (`YYYYMMDD`) folders removed.
    pub days_removed: u64,
}

impl PruneReport {
    /// Adds `other`'s counts (one bucket's, one dataset's) to these.
    pub fn add(&mut self, other: &PruneReport) {
        self.files_removed += other.files_removed;
        self.bytes_removed += other.bytes_removed;
        self.hours_removed += other.hours_removed;
        self.days_removed += other.days_removed;
    }
}
