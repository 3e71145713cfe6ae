//! Counters of what telemetry dropped, renamed or truncated instead of failing.
//!
//! Telemetry never breaks the program it observes, so every failure is swallowed; these
//! counters make the swallowing visible.

use std::sync::atomic::{AtomicU64, Ordering};

/// Live counters, shared by a [`Telemetry`](crate::Telemetry) and everything built from it.
#[derive(Debug, Default)]
pub struct Stats {
    lines_written: AtomicU64,
    lines_failed: AtomicU64,
    renamed_fields: AtomicU64,
    field_errors: AtomicU64,
    points_written: AtomicU64,
    points_failed: AtomicU64,
    points_truncated: AtomicU64,
    points_over_budget: AtomicU64,
}

/// A copy of the counters at one moment.
///
/// ```
/// use nno_obs::{fields, Telemetry};
///
/// let (telemetry, _memory) = Telemetry::in_memory();
/// telemetry.logger("registry").info("created", fields! { level: "forged" });
/// let stats = telemetry.stats();
/// assert_eq!(stats.lines_written, 1);
/// assert_eq!(stats.renamed_fields, 1);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// Log lines handed to the log sink successfully.
    pub lines_written: u64,
    /// Log lines the sink failed to write (dropped).
    pub lines_failed: u64,
    /// Extra fields whose key was a core key and was written as `data.<key>`.
    pub renamed_fields: u64,
    /// Field values that could not be serialized and were written as `null`.
    pub field_errors: u64,
    /// Data points written successfully.
    pub points_written: u64,
    /// Data points the sink failed to write (dropped).
    pub points_failed: u64,
    /// Data points written with something cut to fit Analytics Engine's limits.
    pub points_truncated: u64,
    /// Data points dropped because their request context had already written 250.
    pub points_over_budget: u64,
}

macro_rules! counters {
    ($($name:ident => $add:ident),* $(,)?) => {
        impl Stats {
            $(
                pub(crate) fn $add(&self, n: u64) {
                    self.$name.fetch_add(n, Ordering::Relaxed);
                }
            )*

            /// Reads every counter.
            pub fn snapshot(&self) -> StatsSnapshot {
                StatsSnapshot { $($name: self.$name.load(Ordering::Relaxed)),* }
            }
        }
    };
}

counters! {
    lines_written => add_lines_written,
    lines_failed => add_lines_failed,
    renamed_fields => add_renamed_fields,
    field_errors => add_field_errors,
    points_written => add_points_written,
    points_failed => add_points_failed,
    points_truncated => add_points_truncated,
    points_over_budget => add_points_over_budget,
}
