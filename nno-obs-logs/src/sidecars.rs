//! Building one object's index sidecar (`{key}.idx`) when it arrives: what the `nno-logging`
//! Worker's queue consumer does for each R2 event notification of a new Logpush object, so the
//! first search of it already skips what it cannot hold.
//!
//! At-least-once safe: a notification delivered twice (or two consumers at once) finds the
//! sidecar valid for the object's size and writes nothing, or writes the same bytes again (a
//! sidecar is a function of its object); a sidecar is only ever written whole
//! ([`ObjectSource::put`]), and never for a damaged object (the search then reads it whole and
//! reports the damage, as without notifications).
//!
//! ```
//! use nno_obs_logs::sidecars::{index_object, Indexed};
//! use nno_obs_logs::source::{now_or_never, MemorySource};
//!
//! let bucket = MemorySource::new();
//! let record = br#"{"Outcome":"ok","EventTimestampMs":7,"Logs":[{"Level":"log","Message":["hi"],"TimestampMs":7}]}"#;
//! let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
//! std::io::Write::write_all(&mut gz, record).unwrap();
//! bucket.insert("20260222/a.log.gz", gz.finish().unwrap());
//! let first = now_or_never(index_object(&bucket, "20260222/a.log.gz")).unwrap();
//! assert_eq!(first, Ok(Indexed::Written));
//! assert!(bucket.object("20260222/a.log.gz.idx").is_some());
//! let again = now_or_never(index_object(&bucket, "20260222/a.log.gz")).unwrap();
//! assert_eq!(again, Ok(Indexed::AlreadyIndexed));
//! ```

use crate::matcher::Matcher;
use crate::prune::{is_data_file, rotated, sidecar_admits};
use crate::query::LogQuery;
use crate::search::search_file;
use crate::source::{check_key, ObjectSource, SourceError};
use nno_obs_store::layout::INDEX_SUFFIX;
use std::collections::HashSet;

/// What [`index_object`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Indexed {
    /// The sidecar was built and written.
    Written,
    /// A sidecar valid for the object as it is now was there already (a redelivery).
    AlreadyIndexed,
    /// Not a gzip data object (a sidecar, a temporary or foreign file): nothing to index.
    NotData,
    /// No such object (deleted, pruned by retention since the notification).
    Gone,
    /// The object is damaged: no sidecar, so searches read it and report the damage.
    Damaged,
}

/// Builds and writes the sidecar of the object at `key` in `source`, unless a valid one is
/// there. Fails only when the source fails (then the notification should be retried).
pub async fn index_object(source: &dyn ObjectSource, key: &str) -> Result<Indexed, SourceError> {
    check_key(key)?;
    let name = key.rsplit('/').next().unwrap_or(key);
    if !is_data_file(name) || !key.ends_with(".gz") {
        return Ok(Indexed::NotData);
    }
    let Some(size) = source
        .list(key)
        .await?
        .into_iter()
        .find(|object| object.key == key)
        .map(|object| object.size)
    else {
        return Ok(Indexed::Gone);
    };
    index_listed(source, key, size, true).await
}

/// [`index_object`] for an object already listed with `size`; its sidecar is read only when
/// `may_have_sidecar`.
async fn index_listed(
    source: &dyn ObjectSource,
    key: &str,
    size: u64,
    may_have_sidecar: bool,
) -> Result<Indexed, SourceError> {
    let sidecar = format!("{key}{INDEX_SUFFIX}");
    let any = Matcher::new(&LogQuery::default());
    if may_have_sidecar {
        if let Some(bytes) = source.get(&sidecar).await? {
            // A sidecar of another size (a replaced object) or unreadable is rebuilt.
            if sidecar_admits(&bytes, size, &any).is_some() {
                return Ok(Indexed::AlreadyIndexed);
            }
        }
    }
    let Some(bytes) = source.get(key).await? else {
        return Ok(Indexed::Gone);
    };
    let found = search_file(key, &bytes[..], &any, None, 0, true);
    let Some(mut index) = found.index.filter(|_| !found.report.has_problems()) else {
        return Ok(Indexed::Damaged);
    };
    index.data_bytes = bytes.len() as u64;
    source.put(&sidecar, index.to_json()).await?;
    Ok(Indexed::Written)
}

/// What [`index_bucket`] found and did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BucketIndexed {
    /// Data objects a search considers (the rotated open batch left out).
    pub objects: usize,
    /// `.gz` objects whose sidecar was valid already.
    pub already: usize,
    /// Sidecars written.
    pub written: usize,
    /// Damaged objects (no sidecar: a search reads and reports them).
    pub damaged: usize,
    /// Objects the source failed on (left without a sidecar; the next search reads them).
    pub failed: usize,
}

/// Writes the sidecar of every gzip data object of `source` that has no valid one: what
/// `nno-obs logs index` does over a store's bucket folders, and the same code over R2. Objects
/// are listed once; each is then [`index_object`]'s work. Fails only when the bucket cannot be
/// listed; an object the source fails on is counted and the rest are indexed.
///
/// ```
/// use nno_obs_logs::sidecars::index_bucket;
/// use nno_obs_logs::source::{now_or_never, MemorySource};
///
/// let bucket = MemorySource::new();
/// let record = br#"{"Outcome":"ok","EventTimestampMs":7,"Logs":[{"Level":"log","Message":["hi"],"TimestampMs":7}]}"#;
/// let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
/// std::io::Write::write_all(&mut gz, record).unwrap();
/// bucket.insert("20260222/a.log.gz", gz.finish().unwrap());
/// bucket.insert("20260222/b_open.json", record.to_vec());
/// let first = now_or_never(index_bucket(&bucket)).unwrap().unwrap();
/// assert_eq!((first.objects, first.already, first.written), (2, 0, 1));
/// let again = now_or_never(index_bucket(&bucket)).unwrap().unwrap();
/// assert_eq!((again.objects, again.already, again.written), (2, 1, 0));
/// ```
pub async fn index_bucket(source: &dyn ObjectSource) -> Result<BucketIndexed, SourceError> {
    let listing = source.list("").await?;
    let sidecars: HashSet<&str> = listing
        .iter()
        .filter_map(|object| object.key.strip_suffix(INDEX_SUFFIX))
        .collect();
    let data: Vec<_> = listing
        .iter()
        .filter(|object| is_data_file(object.key.rsplit('/').next().unwrap_or(&object.key)))
        .collect();
    let named: Vec<(&str, &str)> = data
        .iter()
        .map(|object| object.key.rsplit_once('/').unwrap_or(("", &object.key)))
        .collect();
    let rotated = rotated(&named);
    let mut report = BucketIndexed::default();
    for (object, _) in data.iter().zip(&rotated).filter(|(_, rotated)| !**rotated) {
        report.objects += 1;
        if !object.key.ends_with(".gz") {
            continue;
        }
        let has_sidecar = sidecars.contains(object.key.as_str());
        match index_listed(source, &object.key, object.size, has_sidecar).await {
            Ok(Indexed::Written) => report.written += 1,
            Ok(Indexed::AlreadyIndexed) => report.already += 1,
            Ok(Indexed::Damaged) => report.damaged += 1,
            Ok(Indexed::NotData | Indexed::Gone) => {}
            Err(_) => report.failed += 1,
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{now_or_never, MemorySource};
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    }

    fn record(ms: u64, trace: &str) -> String {
        format!(
            r#"{{"Outcome":"ok","EventTimestampMs":{ms},"Logs":[{{"Level":"log","Message":["{{\"timestamp\":\"2026-02-22T10:00:00.000Z\",\"level\":\"info\",\"service\":\"s\",\"traceId\":\"{trace}\",\"message\":\"m\"}}"],"TimestampMs":{ms}}}]}}"#
        ) + "\n"
    }

    fn run(source: &MemorySource, key: &str) -> Result<Indexed, SourceError> {
        now_or_never(index_object(source, key)).unwrap()
    }

    const KEY: &str = "20260222/20260222T100000Z_20260222T100500Z_0f8fad5b.log.gz";

    #[test]
    fn the_sidecar_written_prunes_as_a_search_built_one_does() {
        let bucket = MemorySource::new();
        let data = gzip((record(1, "t1") + &record(2, "t2")).as_bytes());
        bucket.insert(KEY, data.clone());
        assert_eq!(run(&bucket, KEY), Ok(Indexed::Written));
        let sidecar = bucket.object(&format!("{KEY}.idx")).unwrap();
        let trace = |id: &str| {
            Matcher::new(&LogQuery {
                trace_id: Some(id.into()),
                ..LogQuery::default()
            })
        };
        let admits =
            |id: &str| sidecar_admits(&sidecar, data.len() as u64, &trace(id)).map(|a| a.0);
        assert_eq!(admits("t1"), Some(true));
        assert_eq!(admits("t3"), Some(false));
    }

    #[test]
    fn a_redelivery_writes_nothing_and_a_replaced_object_is_reindexed() {
        let bucket = MemorySource::new();
        bucket.insert(KEY, gzip(record(1, "t1").as_bytes()));
        assert_eq!(run(&bucket, KEY), Ok(Indexed::Written));
        let first = bucket.object(&format!("{KEY}.idx"));
        assert_eq!(run(&bucket, KEY), Ok(Indexed::AlreadyIndexed));
        assert_eq!(bucket.object(&format!("{KEY}.idx")), first);
        bucket.insert(KEY, gzip((record(1, "t1") + &record(3, "t9")).as_bytes()));
        assert_eq!(run(&bucket, KEY), Ok(Indexed::Written));
        assert_ne!(bucket.object(&format!("{KEY}.idx")), first);
    }

    #[test]
    fn damaged_missing_and_non_data_objects_get_no_sidecar() {
        let bucket = MemorySource::new();
        let whole = gzip(record(1, "t1").repeat(20).as_bytes());
        bucket.insert(KEY, whole[..whole.len() / 2].to_vec());
        assert_eq!(run(&bucket, KEY), Ok(Indexed::Damaged));
        assert_eq!(run(&bucket, "20260222/gone.log.gz"), Ok(Indexed::Gone));
        bucket.insert(&format!("{KEY}.idx"), b"{}".to_vec());
        assert_eq!(run(&bucket, &format!("{KEY}.idx")), Ok(Indexed::NotData));
        assert_eq!(run(&bucket, "20260222/open.json"), Ok(Indexed::NotData));
        assert!(run(&bucket, "../x.log.gz").is_err());
        assert!(bucket.object(&format!("{KEY}.idx.idx")).is_none());
    }

    #[test]
    fn a_read_only_bucket_is_a_failure_to_retry() {
        let bucket = MemorySource::new().read_only();
        bucket.insert(KEY, gzip(record(1, "t1").as_bytes()));
        assert!(run(&bucket, KEY).is_err());
    }
}
