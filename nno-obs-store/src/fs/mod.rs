//! The local store writer (native only): Trace Events records and data points on disk, in the
//! production layout of [`crate::layout`].
//!
//! - [`LocalStore`] owns the files: one open `.json` file per (bucket, script) and per dataset
//!   for the current hour, rotated to `.json.gz` + index sidecar when the hour changes, on
//!   [`LocalStore::close`] and on drop. It is a [`PointSink`](nno_obs::sink::PointSink).
//! - [`Invocation`] is the local stand-in for Cloudflare's runtime: a
//!   [`LogSink`](nno_obs::sink::LogSink) that captures one invocation's console output and
//!   [`finish`](Invocation::finish)es it as one Trace Events record.
//! - [`prune`] applies [`crate::retention`] to a store directory.
//! - [`read_points`] reads a dataset's rows back.
//! - [`write_registry`] / [`read_registry`]: the Registry's platform records.
//! - [`with_columns`] reads a closed points file's columnar sidecar ([`crate::columns`]),
//!   rebuilding it from the `.json.gz` when it is missing, stale or damaged.

mod columns_file;
mod invocation;
mod open_file;
mod prune;
mod read_points;
mod registry;
mod store;

pub use columns_file::{columns_path, with_columns, ColumnsOrigin};
pub use invocation::{EventMeta, Invocation};
pub use prune::{prune, PruneReport};
pub use read_points::read_points;
pub use registry::{read_registry, write_registry};
pub use store::LocalStore;
