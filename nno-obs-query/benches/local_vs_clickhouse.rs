//! The local evaluation of the §7.2 questions over a simulated store (see BENCHMARKS.md §5;
//! `scripts/bench_query.sh` makes the store and times chdb on the same SQL and files).
//!
//! `NNO_BENCH_STORE` is the store; `NNO_BENCH_PLATFORM` the platform asked about;
//! `NNO_BENCH_UNTIL` the end of the range (Unix seconds); the range is the 24 h before it.

use nno_obs_query::local::LocalEngine;
use nno_obs_query::questions::{FeatureStats, MostErroringEndpoints, SlowestEndpoints};
use nno_obs_query::{PlatformScope, Question, TimeRange};
use nno_obs_store::layout::PlatformId;
use std::path::PathBuf;

fn main() {
    divan::main();
}

fn setup() -> (LocalEngine, PlatformScope, TimeRange) {
    let store = PathBuf::from(
        std::env::var("NNO_BENCH_STORE").unwrap_or_else(|_| "target/bench-store".into()),
    );
    let platform = std::env::var("NNO_BENCH_PLATFORM").unwrap_or_else(|_| "k3m9p2xw7q".into());
    let until: i64 = std::env::var("NNO_BENCH_UNTIL")
        .ok()
        .and_then(|u| u.parse().ok())
        .unwrap_or(1_795_856_400);
    (
        LocalEngine::new(&store),
        PlatformScope::new(PlatformId::parse(&platform).expect("NNO_BENCH_PLATFORM")),
        TimeRange::ending(until, "24h").expect("range"),
    )
}

#[divan::bench]
fn feature_stats(bencher: divan::Bencher) {
    let (engine, scope, range) = setup();
    let question = FeatureStats::new(&scope, range);
    bencher.bench_local(|| question.ask(&engine).expect("local"));
}

#[divan::bench]
fn slowest_endpoints(bencher: divan::Bencher) {
    let (engine, scope, range) = setup();
    let question = SlowestEndpoints::new(&scope, range);
    bencher.bench_local(|| question.ask(&engine).expect("local"));
}

#[divan::bench]
fn most_erroring_endpoints(bencher: divan::Bencher) {
    let (engine, scope, range) = setup();
    let question = MostErroringEndpoints::new(&scope, range);
    bencher.bench_local(|| question.ask(&engine).expect("local"));
}
