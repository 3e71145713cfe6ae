//! The local store writer (native only): Trace Events records and data points on disk, in the
//! production layout of [`crate::layout`] and [`crate::batch`].
//!
//! - [`LocalStore`] owns the files: one open batch per log bucket
//!   (`{DATE}/{start}_open_{random}.json`), closed to Logpush's
//!   `{DATE}/{start}_{end}_{random}.log.gz` + index sidecar as Logpush closes a batch, and one
//!   open `.json` per dataset and hour for points, rotated to `.json.gz` when the hour changes;
//!   everything closes on [`LocalStore::close`] and on drop. It is a
//!   [`PointSink`](nno_obs::sink::PointSink).
//! - [`Invocation`] is the local stand-in for Cloudflare's runtime: a
//!   [`LogSink`](nno_obs::sink::LogSink) that captures one invocation's console output and
//!   [`finish`](Invocation::finish)es it as one Trace Events record.
//! - [`prune_datasets`] applies [`crate::retention`] to the store's Analytics Engine datasets, by
//!   what each folder's name guarantees (the log buckets are pruned over the object seam).
//! - [`read_points`] reads a dataset's rows back.
//! - [`write_registry`] / [`read_registry`]: the Registry's platform records.
//! - [`summary`]: what a store holds and which hours its points cover, from folder names.
//! - [`with_columns`] reads a closed points file's columnar sidecar ([`crate::columns`]),
//!   rebuilding it from the `.json.gz` when it is missing, stale or damaged (and keeping it in
//!   memory when it cannot be stored).

mod columns_file;
mod invocation;
mod open_file;
mod prune;
mod read_points;
mod registry;
mod store;
mod summary;

pub use columns_file::{columns_path, with_columns, ColumnsOrigin, MAX_KEPT_BYTES};
pub use invocation::{EventMeta, Invocation};
pub use prune::prune_datasets;
pub use read_points::read_points;
pub use registry::{read_registry, write_registry};
pub use store::LocalStore;
pub use summary::{summary, StoreSummary};
