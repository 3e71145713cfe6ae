//! The small builders several test files need: gzip bytes, a one-line record, the files of a
//! tree, and the queries every search over the fleet ([`super::write_fleet`]) is checked with.

use super::{PLATFORMS, T0};
use flate2::{write::GzEncoder, Compression};
use nno_obs_logs::{Level, LogQuery};
use nno_obs_store::layout::PlatformId;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `bytes` as one gzip member.
pub fn gzip(bytes: impl AsRef<[u8]>) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes.as_ref()).unwrap();
    encoder.finish().unwrap()
}

/// Writes `lines` (one NDJSON line each) gzipped to `path`, creating its folders.
pub fn gzip_file(path: &Path, lines: &[String]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let text: String = lines.iter().map(|line| format!("{line}\n")).collect();
    std::fs::write(path, gzip(text)).unwrap();
}

/// A record (no `\n`) of one `info` line of ours, `text` in trace `trace`, at `ms` (the
/// record's event time and its log's), or with no time at all.
pub fn one_line_record(ms: Option<u64>, text: &str, trace: &str) -> String {
    let message = format!(
        r#"{{\"level\":\"info\",\"service\":\"s\",\"traceId\":\"{trace}\",\"message\":\"{text}\"}}"#
    );
    match ms {
        Some(ms) => format!(
            r#"{{"Outcome":"ok","EventTimestampMs":{ms},"Logs":[{{"Level":"log","Message":["{message}"],"TimestampMs":{ms}}}]}}"#
        ),
        None => format!(r#"{{"Outcome":"ok","Logs":[{{"Level":"log","Message":["{message}"]}}]}}"#),
    }
}

/// Every file under `root` (its path), sorted.
pub fn paths_under(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Every file under `root`, relative to it, sorted.
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    paths_under(root)
        .into_iter()
        .map(|path| path.strip_prefix(root).unwrap().to_path_buf())
        .collect()
}

/// The queries every bucket of the fleet answers with some entries: no filter, a range, a
/// level, a trace, a user, an exception's text.
pub fn every_bucket_queries() -> Vec<LogQuery> {
    vec![
        LogQuery::default(),
        LogQuery {
            from_ms: Some(T0 + 3_600_000),
            to_ms: Some(T0 + 5_400_000),
            ..Default::default()
        },
        LogQuery {
            min_level: Some(Level::Warn),
            ..Default::default()
        },
        LogQuery {
            trace_id: Some("tr-7-42".into()),
            ..Default::default()
        },
        LogQuery {
            user_id: Some("user-3".into()),
            ..Default::default()
        },
        text("typeerror"),
    ]
}

/// Every filter once over the whole fleet, each matching some of its entries:
/// [`every_bucket_queries`], and the first platform, a feature, a service, a field value, a
/// number with a level.
pub fn fleet_queries() -> Vec<LogQuery> {
    let mut queries = every_bucket_queries();
    queries.extend([
        LogQuery {
            platform: Some(PlatformId::parse(PLATFORMS[0]).unwrap()),
            ..Default::default()
        },
        LogQuery {
            feature: Some("analytics".into()),
            ..Default::default()
        },
        LogQuery {
            service: Some("registry".into()),
            ..Default::default()
        },
        text("billing.WRITE"),
        LogQuery {
            min_level: Some(Level::Error),
            ..text("812")
        },
    ]);
    queries
}

/// A query for `text`.
pub fn text(text: &str) -> LogQuery {
    LogQuery {
        text: Some(text.into()),
        ..Default::default()
    }
}

/// A query for trace `id`.
pub fn trace(id: &str) -> LogQuery {
    LogQuery {
        trace_id: Some(id.into()),
        ..Default::default()
    }
}
