//! The one source of time.
//!
//! On `wasm32` `std::time::SystemTime::now()` panics, so time comes from JavaScript's
//! `Date.now()` there and from the system clock natively. A Worker's clock only advances across
//! I/O; durations measured here are therefore whole milliseconds, exactly as the seed's
//! `Date.now() - start`.
//!
//! Tests replace the system clock with a [`Clock::manual`] one so that golden lines and
//! durations are deterministic.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Milliseconds since the Unix epoch, read from the platform clock.
///
/// ```
/// let ms = nno_obs::clock::now_ms();
/// assert!(ms > 1_600_000_000_000);
/// ```
pub fn now_ms() -> u64 {
    platform_now_ms()
}

#[cfg(target_arch = "wasm32")]
fn platform_now_ms() -> u64 {
    let ms = js_sys::Date::now();
    if ms.is_finite() && ms > 0.0 {
        ms as u64
    } else {
        0
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn platform_now_ms() -> u64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(elapsed) => u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        // A clock set before 1970 is not worth a panic.
        Err(_) => 0,
    }
}

/// A clock: the platform clock, or a manual one for tests.
///
/// Cloning a manual clock shares its time, so a test can hold one clone and advance it while
/// the code under test reads the other.
///
/// ```
/// use nno_obs::clock::Clock;
///
/// let clock = Clock::manual(1_771_756_440_123);
/// let seen_by_code = clock.clone();
/// clock.advance(45);
/// assert_eq!(seen_by_code.now_ms(), 1_771_756_440_168);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Clock {
    manual: Option<Arc<AtomicU64>>,
}

impl Clock {
    /// The platform clock (`Date.now()` on wasm32, `SystemTime` natively).
    pub fn system() -> Self {
        Self { manual: None }
    }

    /// A clock that stands still at `start_ms` until it is set or advanced.
    pub fn manual(start_ms: u64) -> Self {
        Self {
            manual: Some(Arc::new(AtomicU64::new(start_ms))),
        }
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> u64 {
        match &self.manual {
            Some(ms) => ms.load(Ordering::Relaxed),
            None => now_ms(),
        }
    }

    /// Moves a manual clock forward; does nothing to the system clock.
    pub fn advance(&self, ms: u64) {
        if let Some(now) = &self.manual {
            now.fetch_add(ms, Ordering::Relaxed);
        }
    }

    /// Sets a manual clock; does nothing to the system clock.
    pub fn set(&self, ms: u64) {
        if let Some(now) = &self.manual {
            now.store(ms, Ordering::Relaxed);
        }
    }
}

/// A timestamp formatted exactly as JavaScript's `Date.prototype.toISOString()`:
/// `2026-02-22T10:34:00.123Z` (UTC, millisecond precision), on the stack.
///
/// ```
/// let ts = nno_obs::clock::Timestamp::from_unix_ms(1_771_756_440_123);
/// assert_eq!(ts.as_str(), "2026-02-22T10:34:00.123Z");
/// ```
#[derive(Clone, Copy)]
pub struct Timestamp {
    bytes: [u8; Self::MAX_LEN],
    len: u8,
}

impl Timestamp {
    // `+275760-09-13T00:00:00.000Z` is JavaScript's largest date: 27 bytes.
    const MAX_LEN: usize = 27;

    /// Formats milliseconds since the Unix epoch.
    ///
    /// Years past 9999 are written with a sign and six digits (`+010000-01-01T…`), as
    /// JavaScript does, so no input can produce a malformed line.
    pub fn from_unix_ms(ms: u64) -> Self {
        // Every divisor below is a constant, so no division instruction is emitted: this runs
        // once per log line.
        let digit = |value: u64| b'0' + (value % 10) as u8;
        let days = ms / 86_400_000;
        let ms_of_day = ms % 86_400_000;
        let (year, month, day) = civil_from_days(days);
        let mut bytes = [0u8; Self::MAX_LEN];
        let year_len = if year > 9999 {
            let year = year.min(999_999);
            bytes[0] = b'+';
            for (position, slot) in bytes[1..7].iter_mut().enumerate() {
                *slot = digit(year / [100_000, 10_000, 1000, 100, 10, 1][position]);
            }
            7
        } else {
            bytes[..4].copy_from_slice(&[
                digit(year / 1000),
                digit(year / 100),
                digit(year / 10),
                digit(year),
            ]);
            4
        };
        let (hour, minute) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60);
        let (second, millis) = (ms_of_day / 1000 % 60, ms_of_day % 1000);
        let rest = [
            b'-',
            digit(month / 10),
            digit(month),
            b'-',
            digit(day / 10),
            digit(day),
            b'T',
            digit(hour / 10),
            digit(hour),
            b':',
            digit(minute / 10),
            digit(minute),
            b':',
            digit(second / 10),
            digit(second),
            b'.',
            digit(millis / 100),
            digit(millis / 10),
            digit(millis),
            b'Z',
        ];
        bytes[year_len..year_len + rest.len()].copy_from_slice(&rest);
        Self {
            bytes,
            len: (year_len + rest.len()) as u8,
        }
    }

    /// Like [`Timestamp::from_unix_ms`], reusing the date and time formatted for the previous
    /// call on this thread when it falls in the same second: a log line then only writes its
    /// three millisecond digits.
    pub(crate) fn from_unix_ms_cached(ms: u64) -> Self {
        thread_local! {
            static LAST: std::cell::Cell<Option<(u64, Timestamp)>> = const { std::cell::Cell::new(None) };
        }
        let second = ms / 1000;
        let cached = LAST.try_with(std::cell::Cell::get).ok().flatten();
        if let Some((last_second, mut stamp)) = cached {
            if last_second == second {
                let millis = ms % 1000;
                let end = usize::from(stamp.len) - 1;
                // `….mmmZ`: the three digits before the final `Z`.
                stamp.bytes[end - 3] = b'0' + (millis / 100) as u8;
                stamp.bytes[end - 2] = b'0' + (millis / 10 % 10) as u8;
                stamp.bytes[end - 1] = b'0' + (millis % 10) as u8;
                return stamp;
            }
        }
        let stamp = Self::from_unix_ms(ms);
        let _ = LAST.try_with(|last| last.set(Some((second, stamp))));
        stamp
    }

    /// The formatted bytes (ASCII).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The formatted text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and separators are ever pushed.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
///
/// Howard Hinnant's `civil_from_days`, restricted to non-negative day counts.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_like_to_iso_string() {
        assert_eq!(
            Timestamp::from_unix_ms(0).as_str(),
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(
            Timestamp::from_unix_ms(1_771_756_440_123).as_str(),
            "2026-02-22T10:34:00.123Z"
        );
        // A leap day and the last millisecond of a leap year.
        assert_eq!(
            Timestamp::from_unix_ms(951_782_400_000).as_str(),
            "2000-02-29T00:00:00.000Z"
        );
        assert_eq!(
            Timestamp::from_unix_ms(978_307_199_999).as_str(),
            "2000-12-31T23:59:59.999Z"
        );
        // new Date(253402300800000).toISOString() === "+010000-01-01T00:00:00.000Z"
        assert_eq!(
            Timestamp::from_unix_ms(253_402_300_800_000).as_str(),
            "+010000-01-01T00:00:00.000Z"
        );
    }

    #[test]
    fn the_cached_form_is_the_same_text() {
        for ms in [
            1_771_756_440_123,
            1_771_756_440_999,
            1_771_756_441_000,
            1_771_756_441_007,
            1_771_756_440_500,
            253_402_300_800_042,
            253_402_300_800_043,
            0,
        ] {
            assert_eq!(
                Timestamp::from_unix_ms_cached(ms).as_str(),
                Timestamp::from_unix_ms(ms).as_str()
            );
        }
    }

    #[test]
    fn huge_inputs_never_panic() {
        assert!(!Timestamp::from_unix_ms(u64::MAX).as_str().is_empty());
    }

    #[test]
    fn manual_clock_is_shared_by_clones() {
        let clock = Clock::manual(10);
        let other = clock.clone();
        clock.advance(5);
        assert_eq!(other.now_ms(), 15);
        other.set(3);
        assert_eq!(clock.now_ms(), 3);
    }

    proptest! {
        #[test]
        fn agrees_with_the_time_crate(ms in 0u64..253_402_300_800_000) {
            let expected = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
                .unwrap()
                .format(time::macros::format_description!(
                    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
                ))
                .unwrap();
            let ours = Timestamp::from_unix_ms(ms);
            prop_assert_eq!(ours.as_str(), expected);
        }
    }
}
