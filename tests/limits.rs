//! Analytics Engine's limits, through the runtime: every case has a defined, counted outcome.

use nno_obs::datapoint::{MAX_BLOBS, MAX_BLOB_BYTES, MAX_INDEX_BYTES, MAX_WRITES_PER_REQUEST};
use nno_obs::{Binding, DataPoint, Obs};
use nno_obs_tests::memory_telemetry;

#[test]
fn the_251st_write_of_a_request_is_dropped_counted_and_warned_once() {
    let (telemetry, memory, _) = memory_telemetry(Some("k3m9p2xw7q"));
    let obs = Obs::from_headers(
        telemetry.clone(),
        "analytics",
        &[("x-trace-id", "tr_abc123")],
    );
    let child = obs.child("step");
    let limit = MAX_WRITES_PER_REQUEST as usize;
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
    let long_index = "i".repeat(MAX_INDEX_BYTES + 10);
    let huge = "b".repeat(MAX_BLOB_BYTES + 1);
    let mut point = DataPoint::new().index(&long_index).blob(&huge);
    for _ in 0..MAX_BLOBS {
        point.push_blob("more");
    }
    for n in 0..25 {
        point.push_double(f64::from(n));
    }
    assert!(obs.write_point(Binding::Analytics, &point));
    let written = &memory.points_in("nno-core-ops")[0];
    assert_eq!(
        written.index.as_deref().map(str::len),
        Some(MAX_INDEX_BYTES)
    );
    assert_eq!(written.blobs.len(), MAX_BLOBS);
    assert_eq!(written.blobs[0].len(), MAX_BLOB_BYTES);
    assert!(written.blobs[1..].iter().all(String::is_empty));
    assert_eq!(written.doubles.len(), 20);
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
    assert_eq!(point.blobs().len(), MAX_BLOBS);
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
