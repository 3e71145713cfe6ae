//! The store a command reads: that it exists, that it holds data, and whether the window a
//! command evaluates has any — so that "no data" is never printed as "healthy" (exit status
//! [`crate::NO_DATA`]), and every answer can say where it looked.

use crate::Failure;
use nno_obs_access::OperatorScope;
use nno_obs_logs::retention::{prune_bucket, PruneMode, PruneReport};
use nno_obs_logs::source::now_or_never;
use nno_obs_store::fs::{summary, StoreSummary};
use nno_obs_store::retention::RetentionClass;
use nno_obs_store::time::format_rfc3339_ms;
use std::path::Path;

/// The store at `root`, checked: a missing store is an error naming it; an empty one is "no
/// data".
pub fn open(root: &Path) -> Result<StoreSummary, Failure> {
    let found = summary(root).map_err(|e| missing(root, &e))?;
    if found.is_empty() {
        return Err(Failure::no_data(format!(
            "the store at {} holds no logs and no data points",
            root.display()
        )));
    }
    Ok(found)
}

/// Who reads the store at `root` from this terminal: the operator, when this process can read
/// the folder (`nno_obs_access::local`); a platform is the operator's scope narrowed.
pub fn operator(root: &Path) -> Result<OperatorScope, Failure> {
    nno_obs_access::local::operator(root).map_err(|e| missing(root, &e))
}

/// A store that cannot be read, named, with how to get one.
fn missing(root: &Path, error: &dyn std::fmt::Display) -> Failure {
    Failure(format!(
        "no store at {} ({error}): set NNO_OBS_STORE or --store, or write one with `nno-obs simulate`",
        root.display()
    ))
}

/// `data points 2026-11-27T00:00:00.000Z → 2026-11-28T00:00:00.000Z`, by whole hours.
pub fn points_range(found: &StoreSummary) -> String {
    match (found.points_from_ms, found.points_until_ms) {
        (Some(from), Some(until)) => format!(
            "data points {} → {}",
            format_rfc3339_ms(from),
            format_rfc3339_ms(until)
        ),
        _ => "no data points".to_owned(),
    }
}

/// "No data" unless the store has data points in `[from_ms, until_ms)` (by whole hours).
pub fn require_points(
    root: &Path,
    found: &StoreSummary,
    from_ms: u64,
    until_ms: u64,
) -> Result<(), Failure> {
    let overlaps = match (found.points_from_ms, found.points_until_ms) {
        (Some(first), Some(last)) => first < until_ms && from_ms < last,
        _ => false,
    };
    if overlaps {
        return Ok(());
    }
    Err(Failure::no_data(format!(
        "no data points in {} → {} in the store at {} ({}); give --at/--until inside it",
        format_rfc3339_ms(from_ms),
        format_rfc3339_ms(until_ms),
        root.display(),
        points_range(found)
    )))
}

/// Removes (or, in [`PruneMode::Count`], counts) what is past retention at `now_ms` in the store
/// at `root`: each log bucket folder over the object seam (`nno_obs_logs::retention`, the rule
/// R2's buckets are pruned by), then the Analytics Engine datasets on the filesystem (their
/// points never live in a bucket).
///
/// A failure mid-way stops the prune; its message says what was removed before it.
pub fn prune(root: &Path, now_ms: u64, mode: PruneMode) -> Result<PruneReport, Failure> {
    let mut report = PruneReport::default();
    for (bucket, folder) in nno_obs_api::local::bucket_folders(root) {
        let class = RetentionClass::of_bucket(&bucket);
        // A folder's futures never wait: they do their I/O when first polled.
        let Some(pruned) = now_or_never(prune_bucket(&folder, class, now_ms, mode)) else {
            return Err(Failure(format!(
                "{}: the bucket folder did not answer at once",
                bucket.name()
            )));
        };
        match pruned {
            Ok(one) => report.add(&one),
            Err(failed) => {
                report.add(&failed.removed);
                return Err(Failure(format!(
                    "{}: {} (removed {} files, {} bytes before it)",
                    bucket.name(),
                    failed.error,
                    report.files_removed,
                    report.bytes_removed
                )));
            }
        }
    }
    let datasets = nno_obs_store::fs::prune_datasets(root, now_ms, mode).map_err(|e| {
        Failure(format!(
            "{}: {e} (removed {} files, {} bytes before it)",
            root.display(),
            report.files_removed,
            report.bytes_removed
        ))
    })?;
    report.add(&datasets);
    Ok(report)
}
