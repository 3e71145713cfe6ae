//! Helpers shared by the integration tests.

use nno_obs::clock::Clock;
use nno_obs::sink::MemorySink;
use nno_obs::Telemetry;

/// 2026-02-22T10:34:00.123Z, the seed's example time.
pub const SEED_TIME_MS: u64 = 1_771_756_440_123;

/// A telemetry capturing everything in memory, with a manual clock at [`SEED_TIME_MS`].
pub fn memory_telemetry(platform_id: Option<&str>) -> (Telemetry, MemorySink, Clock) {
    let memory = MemorySink::new();
    let clock = Clock::manual(SEED_TIME_MS);
    let mut builder = Telemetry::builder()
        .log_sink(memory.clone())
        .all_datasets(memory.clone())
        .clock(clock.clone());
    if let Some(platform_id) = platform_id {
        builder = builder.platform_id(platform_id);
    }
    (builder.build(), memory, clock)
}

/// The lines of `text` that are log lines (JSON objects).
pub fn json_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|line| line.starts_with('{')).collect()
}
