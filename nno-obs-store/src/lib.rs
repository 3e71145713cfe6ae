//! # nno-obs-store
//!
//! The one place for the read side's shared formats, and the local store that writes them.
//!
//! | module | what |
//! |---|---|
//! | [`record`] | the Workers Trace Events record (serde types) |
//! | [`entry`] | what an entry of a record is; its time, trace id, user id |
//! | [`layout`] | buckets, platform ids, script names, dataset folders, points object keys |
//! | [`batch`] | log objects as Logpush names them (`{DATE}/{start}_{end}_{random}.log.gz`) and what a name guarantees |
//! | [`index`] | the per-file index sidecar |
//! | [`points`] | the stored Analytics Engine row |
//! | [`registry`] | the platforms' names and usage limits, as the NNO Registry gives them |
//! | [`line`](mod@line) | a stored points line parsed in place (every reader's fast path) |
//! | [`columns`] | the columnar sidecar of a closed points file |
//! | [`retention`] | how long each part is kept (seed §9) |
//! | `fs` (feature `fs`, native) | the local store writer: per-invocation capture, rotation, prune |
//!
//! Everything but `fs` builds for `wasm32-unknown-unknown`.

#![warn(missing_docs)]

pub mod batch;
pub mod columns;
pub mod entry;
pub mod index;
pub mod layout;
pub mod lenient;
pub mod line;
pub mod points;
pub mod record;
pub mod registry;
pub mod retention;
pub mod sql_literal;
pub mod time;

#[cfg(all(feature = "fs", not(target_arch = "wasm32")))]
pub mod fs;
