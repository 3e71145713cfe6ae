//! Retention over the object seam: removes a log bucket's folders past retention (seed §9)
//! through [`ObjectSource`], so the same code prunes a local bucket folder
//! ([`crate::LocalFolder`]) and a bucket reached over R2's S3 API or a binding (no threads, no
//! filesystem: builds for wasm32).
//!
//! It decides by folder names only, as the rule in [`nno_obs_store::retention`] says, never by
//! the records' own times (a late record sits in a later folder and stays as long as it):
//!
//! - a Logpush `{DATE}/` folder (`YYYYMMDD`) is past retention by
//!   [`RetentionClass::is_day_expired`];
//! - a `{DATE}/{HOUR}/` folder (`YYYY-MM-DD/HH`, the seed's layout) by
//!   [`RetentionClass::is_expired`];
//! - anything else — objects at the top of the bucket, folders of other names, objects directly
//!   in a `YYYY-MM-DD/` folder — is left alone.
//!
//! Every object under a folder past retention goes (its sidecars with it). A folder is counted
//! once all its objects are gone; on a local folder the now-empty directories go too
//! ([`ObjectSource::delete`]).

use crate::source::{ObjectMeta, ObjectSource, SourceError};
use nno_obs_store::batch::LogpushDate;
use nno_obs_store::layout::DateHour;
pub use nno_obs_store::retention::{PruneMode, PruneReport, RetentionClass};
use std::collections::BTreeMap;
use std::fmt;

/// A prune that stopped at a failed listing or delete: the failure, and what was removed
/// before it (those objects are gone; a second run removes the rest).
///
/// ```
/// use nno_obs_logs::retention::{PruneError, PruneReport};
/// use nno_obs_logs::source::{SourceError, SourceErrorKind};
///
/// let error = PruneError {
///     error: SourceError::new(SourceErrorKind::Denied, "DELETE: status 403"),
///     removed: PruneReport { files_removed: 2, bytes_removed: 9, ..PruneReport::default() },
/// };
/// assert_eq!(error.to_string(), "denied: DELETE: status 403 (after removing 2 files, 9 bytes)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PruneError {
    /// What failed.
    pub error: SourceError,
    /// What was removed before it (in [`PruneMode::Count`], always nothing).
    pub removed: PruneReport,
}

impl fmt::Display for PruneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (after removing {} files, {} bytes)",
            self.error, self.removed.files_removed, self.removed.bytes_removed
        )
    }
}

impl std::error::Error for PruneError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// Which kind of dated folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dated {
    /// A Logpush `{DATE}/` folder.
    Day,
    /// A `{DATE}/{HOUR}/` folder.
    Hour,
}

/// Removes (or, in [`PruneMode::Count`], counts) the objects of `source`, a bucket of
/// retention `class`, in the folders past retention at `now_ms` (see the module's rule).
///
/// Lists one level at a time when the source can ([`ObjectSource::list_level`]: the top level,
/// then each `YYYY-MM-DD/` folder, then each folder past retention), so finding the folders
/// never lists the whole bucket; otherwise lists it once. Stops at the first failure, returning
/// it with what was removed so far ([`PruneError`]).
///
/// ```
/// use nno_obs_logs::retention::{prune_bucket, PruneMode};
/// use nno_obs_logs::source::{now_or_never, MemorySource};
/// use nno_obs_store::retention::RetentionClass;
///
/// let bucket = MemorySource::new();
/// bucket.insert("20200101/20200101T000000Z_20200101T000500Z_0f8fad5b.log.gz", b"abc".to_vec());
/// bucket.insert("20260222/20260222T000000Z_20260222T000500Z_0f8fad5b.log.gz", b"abc".to_vec());
/// let now = 1_771_756_440_000; // 2026-02-22
/// let class = RetentionClass::PlatformLogs;
/// let plan = now_or_never(prune_bucket(&bucket, class, now, PruneMode::Count)).unwrap().unwrap();
/// assert_eq!((plan.files_removed, plan.bytes_removed, plan.days_removed), (1, 3, 1));
/// let done = now_or_never(prune_bucket(&bucket, class, now, PruneMode::Remove)).unwrap().unwrap();
/// assert_eq!(done, plan);
/// assert_eq!(bucket.object("20200101/20200101T000000Z_20200101T000500Z_0f8fad5b.log.gz"), None);
/// assert!(bucket.object("20260222/20260222T000000Z_20260222T000500Z_0f8fad5b.log.gz").is_some());
/// ```
pub async fn prune_bucket(
    source: &dyn ObjectSource,
    class: RetentionClass,
    now_ms: u64,
    mode: PruneMode,
) -> Result<PruneReport, PruneError> {
    let mut report = PruneReport::default();
    let failed = |error: SourceError, report: &PruneReport| PruneError {
        error,
        removed: report.clone(),
    };
    match expired_by_level(source, class, now_ms).await {
        Err(error) => return Err(failed(error, &report)),
        Ok(Some(folders)) => {
            for (dated, prefix) in folders {
                let objects = source
                    .list(&prefix)
                    .await
                    .map_err(|error| failed(error, &report))?;
                remove(source, dated, &objects, mode, &mut report).await?;
            }
        }
        Ok(None) => {
            let listing = source
                .list("")
                .await
                .map_err(|error| failed(error, &report))?;
            for (dated, objects) in expired_in_listing(listing, class, now_ms).into_values() {
                remove(source, dated, &objects, mode, &mut report).await?;
            }
        }
    }
    Ok(report)
}

/// The folders past retention, found one level at a time, in key order; `None` when the
/// source cannot list one level.
async fn expired_by_level(
    source: &dyn ObjectSource,
    class: RetentionClass,
    now_ms: u64,
) -> Result<Option<Vec<(Dated, String)>>, SourceError> {
    let Some(top) = source.list_level("").await? else {
        return Ok(None);
    };
    let mut expired = Vec::new();
    for folder in top.folders {
        let name = folder.trim_end_matches('/');
        if let Some(day) = LogpushDate::parse(name) {
            if class.is_day_expired(day, now_ms) {
                expired.push((Dated::Day, folder));
            }
            continue;
        }
        // Only a `YYYY-MM-DD` folder can hold hour folders: no other folder is listed.
        if DateHour::parse_folder(name, "00").is_none() {
            continue;
        }
        let Some(date) = source.list_level(&folder).await? else {
            return Ok(None);
        };
        for hour_folder in date.folders {
            let hour = hour_folder
                .strip_prefix(folder.as_str())
                .unwrap_or_default()
                .trim_end_matches('/');
            if DateHour::parse_folder(name, hour).is_some_and(|h| class.is_expired(h, now_ms)) {
                expired.push((Dated::Hour, hour_folder));
            }
        }
    }
    Ok(Some(expired))
}

/// The objects of a whole-bucket listing that are in folders past retention, by folder.
fn expired_in_listing(
    listing: Vec<ObjectMeta>,
    class: RetentionClass,
    now_ms: u64,
) -> BTreeMap<String, (Dated, Vec<ObjectMeta>)> {
    let mut folders: BTreeMap<String, (Dated, Vec<ObjectMeta>)> = BTreeMap::new();
    for object in listing {
        let mut segments = object.key.split('/');
        let (Some(first), Some(second)) = (segments.next(), segments.next()) else {
            continue; // an object at the top
        };
        let third = segments.next();
        let folder = if LogpushDate::parse(first).is_some_and(|d| class.is_day_expired(d, now_ms)) {
            Some((Dated::Day, format!("{first}/")))
        } else if third.is_some()
            && DateHour::parse_folder(first, second).is_some_and(|h| class.is_expired(h, now_ms))
        {
            Some((Dated::Hour, format!("{first}/{second}/")))
        } else {
            None
        };
        if let Some((dated, prefix)) = folder {
            folders
                .entry(prefix)
                .or_insert_with(|| (dated, Vec::new()))
                .1
                .push(object);
        }
    }
    folders
}

/// Removes (or counts) one folder's `objects`; counts the folder once all are gone.
async fn remove(
    source: &dyn ObjectSource,
    dated: Dated,
    objects: &[ObjectMeta],
    mode: PruneMode,
    report: &mut PruneReport,
) -> Result<(), PruneError> {
    for object in objects {
        if mode == PruneMode::Remove {
            if let Err(error) = source.delete(&object.key).await {
                return Err(PruneError {
                    error,
                    removed: report.clone(),
                });
            }
        }
        report.files_removed += 1;
        report.bytes_removed += object.size;
    }
    // A folder exists only while it holds objects (R2 has no empty folders).
    if !objects.is_empty() {
        match dated {
            Dated::Day => report.days_removed += 1,
            Dated::Hour => report.hours_removed += 1,
        }
    }
    Ok(())
}
