//! The local evaluation of the §7.2 questions over a simulated store (see BENCHMARKS.md §5;
//! `scripts/bench_query.sh` makes the store and times chdb on the same SQL and files).
//!
//! `NNO_BENCH_STORE` is the store (default `target/bench-store-20-24`, what
//! `scripts/bench_query.sh` makes with its defaults); `NNO_BENCH_PLATFORM` the platform asked about;
//! `NNO_BENCH_UNTIL` the end of the range (Unix seconds); `NNO_BENCH_RANGE` its length
//! (default `24h`).
//!
//! Each question twice: `…` reads closed files from their columnar sidecars (the default
//! engine; the sidecars must exist already — `bench_query.sh` times their building
//! separately, cold), `…_json` reads every file as JSON (`LocalEngine::json_only`, the
//! evaluator before the sidecars). Every iteration reads and aggregates every file again:
//! nothing is cached between iterations but the operating system's page cache (as for chdb).
//!
//! A missing store would be read as an empty one, and the bench would time nothing: the store
//! must exist, and every answer must have rows.

use nno_obs_query::local::LocalEngine;
use nno_obs_query::questions::{FeatureStats, MostErroringEndpoints, SlowestEndpoints};
use nno_obs_query::{PlatformScope, Question, TimeRange};
use nno_obs_store::layout::PlatformId;
use std::path::{Path, PathBuf};

fn main() {
    divan::main();
}

fn setup(json: bool) -> (LocalEngine, PlatformScope, TimeRange) {
    let store = std::env::var("NNO_BENCH_STORE").map_or_else(
        |_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-store-20-24"),
        PathBuf::from,
    );
    assert!(
        store.join("analytics-engine").is_dir(),
        "no store at {} (scripts/bench_query.sh makes it)",
        store.display()
    );
    let platform = std::env::var("NNO_BENCH_PLATFORM").unwrap_or_else(|_| "k3m9p2xw7q".into());
    let until: i64 = std::env::var("NNO_BENCH_UNTIL")
        .ok()
        .and_then(|u| u.parse().ok())
        .unwrap_or(1_795_856_400);
    let length = std::env::var("NNO_BENCH_RANGE").unwrap_or_else(|_| "24h".into());
    let engine = if json {
        LocalEngine::json_only(&store)
    } else {
        LocalEngine::new(&store)
    };
    (
        engine,
        nno_obs_access::testing::platform(
            PlatformId::parse(&platform).expect("NNO_BENCH_PLATFORM"),
        ),
        TimeRange::ending(until, &length).expect("range"),
    )
}

/// An answer with rows: an empty one means the range or the platform has no points.
fn non_empty<T>(answer: Vec<T>) -> Vec<T> {
    assert!(
        !answer.is_empty(),
        "an empty answer: no points in the range"
    );
    answer
}

fn feature_stats(bencher: divan::Bencher, json: bool) {
    let (engine, scope, range) = setup(json);
    let question = FeatureStats::new(&scope, range);
    bencher.bench_local(|| non_empty(pollster::block_on(question.ask(&engine)).expect("local")));
}

fn slowest_endpoints(bencher: divan::Bencher, json: bool) {
    let (engine, scope, range) = setup(json);
    let question = SlowestEndpoints::new(&scope, range);
    bencher.bench_local(|| non_empty(pollster::block_on(question.ask(&engine)).expect("local")));
}

fn most_erroring_endpoints(bencher: divan::Bencher, json: bool) {
    let (engine, scope, range) = setup(json);
    let question = MostErroringEndpoints::new(&scope, range);
    bencher.bench_local(|| non_empty(pollster::block_on(question.ask(&engine)).expect("local")));
}

#[divan::bench]
fn features(bencher: divan::Bencher) {
    feature_stats(bencher, false);
}

#[divan::bench]
fn features_json(bencher: divan::Bencher) {
    feature_stats(bencher, true);
}

#[divan::bench]
fn slowest(bencher: divan::Bencher) {
    slowest_endpoints(bencher, false);
}

#[divan::bench]
fn slowest_json(bencher: divan::Bencher) {
    slowest_endpoints(bencher, true);
}

#[divan::bench]
fn erroring(bencher: divan::Bencher) {
    most_erroring_endpoints(bencher, false);
}

#[divan::bench]
fn erroring_json(bencher: divan::Bencher) {
    most_erroring_endpoints(bencher, true);
}
