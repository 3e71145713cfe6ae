//! How much traffic a platform gets, minute by minute: a daily shape (quiet at night, a peak
//! in the afternoon, UTC), each platform's own weight, Poisson arrivals.

use crate::rng::SimRng;

/// Mean requests per second of an average platform over a day (auth and features together).
pub const MEAN_RATE: f64 = 1.5;

/// The relative rate at `unix_ms` (mean 1 over a day): 0.3 at 03:00 UTC, 1.7 at 15:00 UTC.
pub fn daily_shape(unix_ms: u64) -> f64 {
    let hour = (unix_ms % 86_400_000) as f64 / 3_600_000.0;
    1.0 + 0.7 * (std::f64::consts::TAU * (hour - 9.0) / 24.0).sin()
}

/// Requests a platform of `weight` receives in each minute from `from_ms`, for `minutes`.
pub fn minute_counts(rng: &mut SimRng, from_ms: u64, minutes: u64, weight: f64) -> Vec<u64> {
    (0..minutes)
        .map(|minute| {
            let at = from_ms + minute * 60_000;
            rng.poisson(MEAN_RATE * 60.0 * weight * daily_shape(at))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shape_averages_one_and_peaks_in_the_afternoon() {
        let day: Vec<f64> = (0..1440).map(|m| daily_shape(m * 60_000)).collect();
        let mean = day.iter().sum::<f64>() / day.len() as f64;
        assert!((mean - 1.0).abs() < 1e-9, "{mean}");
        assert!(daily_shape(15 * 3_600_000) > 1.6);
        assert!(daily_shape(3 * 3_600_000) < 0.4);
    }
}
