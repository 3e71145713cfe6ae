//! Analytics Engine's limits, through the runtime: every case has a defined, counted outcome.
//!
//! The limits are Cloudflare's (seed §3, DESIGN.md principle 4), written here as literals and
//! never read from the crate's own constants: a wrong constant must fail these tests.

use nno_obs::{Binding, DataPoint, Obs};
use nno_obs_tests::memory_telemetry;

/// Blobs per data point.
const AE_BLOBS: usize = 20;
/// Doubles per data point.
const AE_DOUBLES: usize = 20;
/// Bytes of the one index.
const AE_INDEX_BYTES: usize = 96;
/// Bytes of all the blobs of one data point together (16 KB).
const AE_BLOB_BYTES: usize = 16_384;
/// `writeDataPoint` calls per invocation.
const AE_WRITES: usize = 250;

#[test]
fn the_251st_write_of_a_request_is_dropped_counted_and_warned_once() {
    let (telemetry, memory, _) = memory_telemetry(Some("k3m9p2xw7q"));
    let obs = Obs::from_headers(
        telemetry.clone(),
        "analytics",
        &[("x-trace-id", "tr_abc123")],
    );
    let child = obs.child("step");
    let limit = AE_WRITES;
    for n in 0..limit {
        // Children share their request's budget.
        let writer = if n % 2 == 0 { &obs } else { &child };
        assert!(
            writer.record_perf("analytics", "GET /api/data", 200, 1),
            "write {n}"
        );
    }
    for _ in 0..5 {
        assert!(!obs.record_perf("analytics", "GET /api/data", 200, 1));
        assert!(!child.write_point(Binding::Analytics, &DataPoint::new().blob("x")));
    }
    assert_eq!(memory.points().len(), limit);
    let stats = telemetry.stats();
    assert_eq!(stats.points_written, limit as u64);
    assert_eq!(stats.points_over_budget, 10);
    let warnings = memory.lines_with_message("data point budget exceeded");
    assert_eq!(warnings.len(), 1);
    let warning = warnings[0].json();
    assert_eq!(warning["level"], "warn");
    assert_eq!(warning["limit"], 250);
    assert_eq!(warning["dataset"], "k3m9p2xw7q-perf");
    assert_eq!(warning["traceId"], "tr_abc123");

    // Another request has its own budget.
    let next = Obs::detached(telemetry.clone(), "analytics");
    assert!(next.record_perf("analytics", "GET /api/data", 200, 1));
}

#[test]
fn truncated_points_are_written_and_counted() {
    let (telemetry, memory, _) = memory_telemetry(None);
    let obs = Obs::detached(telemetry.clone(), "analytics");
    let long_index = "i".repeat(AE_INDEX_BYTES + 10);
    let huge = "b".repeat(AE_BLOB_BYTES + 1);
    let mut point = DataPoint::new().index(&long_index).blob(&huge);
    for _ in 0..AE_BLOBS {
        point.push_blob("more");
    }
    for n in 0..25 {
        point.push_double(f64::from(n));
    }
    assert!(obs.write_point(Binding::Analytics, &point));
    let written = &memory.points_in("nno-core-ops")[0];
    assert_eq!(written.index.as_deref().map(str::len), Some(AE_INDEX_BYTES));
    assert_eq!(written.blobs.len(), AE_BLOBS);
    assert_eq!(written.blobs[0].len(), AE_BLOB_BYTES);
    assert!(written.blobs[1..].iter().all(String::is_empty));
    assert_eq!(
        written.blobs.iter().map(String::len).sum::<usize>(),
        AE_BLOB_BYTES
    );
    assert_eq!(written.doubles.len(), AE_DOUBLES);
    assert_eq!(written.truncation.dropped_blobs, 1);
    assert_eq!(written.truncation.dropped_doubles, 5);
    assert_eq!(written.truncation.cut_blobs, 20);
    assert!(written.truncation.cut_index);
    assert_eq!(telemetry.stats().points_truncated, 1);
}

#[test]
fn a_metric_with_too_many_labels_keeps_the_first_nineteen_in_order() {
    let keys: Vec<String> = (0..25).map(|n| format!("k{n:02}")).collect();
    let labels: Vec<(&str, &str)> = keys
        .iter()
        .rev()
        .map(|k| (k.as_str(), k.as_str()))
        .collect();
    let point = DataPoint::metric("m", 1.0, &labels);
    assert_eq!(point.blobs().len(), AE_BLOBS);
    // The first 19 labels given (k24 … k06), in the order given.
    let expected: Vec<&str> = std::iter::once("m")
        .chain(keys[6..].iter().rev().map(String::as_str))
        .collect();
    assert_eq!(point.blobs(), expected.as_slice());
    assert_eq!(point.truncation().dropped_blobs, 6);
}

#[test]
fn without_a_dataset_nothing_is_written_or_counted_against_the_budget() {
    let memory = nno_obs::sink::MemorySink::new();
    let telemetry = nno_obs::Telemetry::builder()
        .log_sink(memory.clone())
        .build();
    let obs = Obs::detached(telemetry.clone(), "analytics");
    for _ in 0..300 {
        assert!(!obs.record_perf("analytics", "GET /", 200, 1));
    }
    assert_eq!(telemetry.stats().points_over_budget, 0);
    assert!(memory.lines().is_empty());
}

#[test]
fn a_point_exactly_at_every_limit_is_written_untouched() {
    let (telemetry, memory, _) = memory_telemetry(None);
    let obs = Obs::detached(telemetry.clone(), "analytics");
    let index = "i".repeat(AE_INDEX_BYTES);
    // 20 blobs of 16 KB together: 19 of 819 bytes and one of the rest.
    let small = "s".repeat(AE_BLOB_BYTES / AE_BLOBS);
    let last = "l".repeat(AE_BLOB_BYTES - (AE_BLOBS - 1) * small.len());
    let mut point = DataPoint::new().index(&index);
    for _ in 0..AE_BLOBS - 1 {
        point.push_blob(&small);
    }
    point.push_blob(&last);
    for n in 0..AE_DOUBLES {
        point.push_double(n as f64);
    }
    assert!(obs.write_point(Binding::Analytics, &point));
    let written = &memory.points_in("nno-core-ops")[0];
    assert_eq!(written.index.as_deref(), Some(index.as_str()));
    assert_eq!(written.blobs.len(), AE_BLOBS);
    assert!(
        written.blobs[AE_BLOBS - 1] == last,
        "the last blob kept whole"
    );
    assert_eq!(
        written.blobs.iter().map(String::len).sum::<usize>(),
        AE_BLOB_BYTES
    );
    assert_eq!(written.doubles.len(), AE_DOUBLES);
    assert_eq!(telemetry.stats().points_truncated, 0);
}
