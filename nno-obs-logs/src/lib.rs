//! # nno-obs-logs
//!
//! Reading and searching Workers Trace Events files (seed §2.4, §7.3).
//!
//! | module | what | wasm32 |
//! |---|---|---|
//! | [`reader`] | gzip/plain NDJSON of records, every kind of damage reported | yes |
//! | [`entry`] | the searchable entries of a record | yes |
//! | [`export`] | an entry written back as a record that reads back as it (`logs export`) | yes |
//! | [`query`] | the typed [`LogQuery`]; [`PlatformScope`] and [`OperatorScope`] | yes |
//! | [`matcher`] | whether an entry matches | yes |
//! | [`prefilter`] | skipping, unparsed, lines that cannot hold a wanted trace id, user id or text | yes |
//! | [`search`] | one file's matches, the bounded merge, index pruning | yes |
//! | [`prune`] | which objects a search reads: data names, the rotated open batch, what a key, `{DATE}` folder or sidecar rules out | yes |
//! | [`listing`] | which keys a search lists: only the `{DATE}` folders a range can touch | yes |
//! | [`objects`] | the search over an object source, bounded per call, with its continuation | yes |
//! | [`decode`] | a batch of fetched objects searched: in parallel natively (rayon), one by one in wasm32 | yes |
//! | [`sidecars`] | one object's index sidecar built on arrival (at-least-once safe) | yes |
//! | [`source`] | [`source::ObjectSource`]: a bucket's objects by key; [`source::MemorySource`] | yes |
//! | [`retention`] | a bucket's folders past retention removed over the object source (seed §9) | yes |
//! | [`cursor`] | the order of results and the next page's cursor | yes |
//! | [`sql`] | the same query as ClickHouse SQL (`file()` / `s3()`) | yes |
//! | `LocalFolder` (feature `native`) | a store's bucket folder (or any folder) as an object source | no |
//! | `GivenFiles` (feature `native`) | files named on the command line as an object source | no |
//! | `LocalSearch` (feature `native`) | the object search over a scope's bucket folders or given paths, sources in parallel, pages merged | no |
//! | `follow` (feature `native`) | following a search as the store grows: woken by filesystem notifications, a slow recheck as fallback | no |
//!
//! ```
//! use nno_obs_logs::{reader::read_entries, Level};
//!
//! let line = br#"{"ScriptName":"nno-registry-prod","Outcome":"ok","Logs":[{"Level":"log","Message":["{\"timestamp\":\"2026-02-22T10:34:00.123Z\",\"level\":\"warn\",\"service\":\"registry\",\"traceId\":\"t1\",\"message\":\"slow query\"}"],"TimestampMs":1}]}"#;
//! let mut entries = Vec::new();
//! read_entries(&line[..], |entry| entries.push(entry));
//! assert_eq!(entries[0].level, Level::Warn);
//! assert_eq!(entries[0].trace_id.as_deref(), Some("t1"));
//! assert_eq!(entries[0].time_ms, Some(1_771_756_440_123));
//! ```

#![warn(missing_docs)]

pub mod cursor;
pub mod decode;
pub mod entry;
pub mod export;
mod level;
pub mod listing;
pub mod matcher;
pub mod objects;
pub mod prefilter;
pub mod prune;
pub mod query;
pub mod reader;
pub mod retention;
pub mod search;
pub mod sidecars;
pub mod source;
pub mod sql;

#[cfg(feature = "native")]
pub mod follow;
#[cfg(feature = "native")]
mod given_files;
#[cfg(feature = "native")]
mod index_cache;
#[cfg(feature = "native")]
mod local;
#[cfg(feature = "native")]
mod local_folder;

pub use cursor::{Cursor, CursorError};
#[cfg(feature = "native")]
pub use given_files::GivenFiles;
pub use level::{Level, UnknownLevel};
#[cfg(feature = "native")]
pub use local::{LocalSearch, Page};
#[cfg(feature = "native")]
pub use local_folder::LocalFolder;
pub use matcher::Matcher;
pub use query::{LogQuery, OperatorBucket, OperatorScope, PlatformScope, Scope};
