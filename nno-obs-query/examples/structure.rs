//! Prints the ClickHouse structure of an Analytics Engine row (for scripts/bench_query.sh).

fn main() {
    println!("{}", nno_obs_store::points::CLICKHOUSE_STRUCTURE);
}
