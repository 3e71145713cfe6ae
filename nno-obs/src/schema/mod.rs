//! The data point layouts: one module per Analytics Engine dataset of seed §3.1, each
//! documented column by column and pinned by golden tests (`tests/golden.rs`).
//!
//! | dataset | layout | written by |
//! |---|---|---|
//! | `nno-core-ops` | [`CoreOpRecord`] (§3.2) | `#[nno_handler]` of a core service, one per request |
//! | `nno-core-ops-spans` | [`SpanRecord`] (§4.2) | every span, the request's own included |
//! | `{platformId}-perf` | [`PerfRecord`] (§3.2) | `#[nno_handler]` of a platform feature, one per request |
//! | `{platformId}-usage` | [`UsageRecord`] (§3.1) | platform Workers, per metered unit |
//! | `nno-auth-events` | [`AuthEventRecord`] (§3.1, anonymised) | auth Workers |
//! | `nno-builds` | [`BuildRecord`] (§3.1) | the CLI service, per Pages build |
//! | job extension | [`job`]: a job's id and operation appended to its span and core-ops points | `#[nno_instrument(job)]` |
//! | `nno_metrics` | [`DataPoint::metric`] (§1.4) | `record_metric` |

mod auth_events;
mod builds;
mod core_ops;
pub mod job;
mod metric;
mod perf;
mod span;
mod usage;

pub use auth_events::{AuthEvent, AuthEventRecord, AuthResult};
pub use builds::{BuildOutcome, BuildRecord};
pub use core_ops::{CoreOpRecord, OpOutcome};
pub use job::JobRef;
pub use perf::PerfRecord;
pub use span::{SpanOutcome, SpanRecord};
pub use usage::UsageRecord;

/// The platform id written when an operation belongs to no platform.
pub use nno_obs_schema::NNO_INTERNAL;

pub(crate) fn error_flag(is_error: bool) -> f64 {
    if is_error {
        1.0
    } else {
        0.0
    }
}

/// The three digits of every status code, so a status becomes a `&'static str` blob.
static STATUS_DIGITS: [[u8; 3]; 1000] = status_digits();

const fn status_digits() -> [[u8; 3]; 1000] {
    let mut table = [[0u8; 3]; 1000];
    let mut code = 0;
    while code < 1000 {
        table[code] = [
            b'0' + (code / 100) as u8,
            b'0' + (code / 10 % 10) as u8,
            b'0' + (code % 10) as u8,
        ];
        code += 1;
    }
    table
}

/// `String(status)` without allocating; values outside 100..=999 (not HTTP statuses) are
/// written as `"000"`.
pub(crate) fn status_text(status: u16) -> &'static str {
    let digits = match STATUS_DIGITS.get(usize::from(status)) {
        Some(digits) if status >= 100 => digits,
        _ => &STATUS_DIGITS[0],
    };
    std::str::from_utf8(digits).unwrap_or("000")
}

#[cfg(test)]
mod tests {
    use super::status_text;

    #[test]
    fn statuses_are_three_digits() {
        assert_eq!(status_text(200), "200");
        assert_eq!(status_text(503), "503");
        assert_eq!(status_text(999), "999");
        assert_eq!(status_text(99), "000");
        assert_eq!(status_text(1000), "000");
    }
}
