//! Scenario 4: the console sink's throughput, in lines per second.
//!
//! Run with stdout sent to /dev/null; the result is printed on stderr:
//!
//! ```text
//! cargo bench -p nno-obs-benches --bench console > /dev/null
//! ```

use nno_obs::{fields, Obs, Telemetry};
use std::time::Instant;

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run briefly then.
    let lines: u32 = if std::env::args().any(|a| a == "--bench") {
        1_000_000
    } else {
        1_000
    };
    let obs = Obs::from_headers(
        Telemetry::console(),
        "provisioning",
        &[("x-trace-id", "tr_abc123")],
    );
    let mut best = f64::MAX;
    for _round in 0..5 {
        let start = Instant::now();
        for n in 0..lines {
            obs.info(
                "step completed",
                fields! { jobId: "job-1", step: "create-d1", n: n },
            );
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    eprintln!(
        "console sink: {lines} lines in {:.3} s (best of 5) = {:.0} lines/s",
        best,
        f64::from(lines) / best
    );
}
