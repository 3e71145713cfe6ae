//! Run by the integration tests as a child process: `nno-obs-emit <scenario> [dir]`.
//!
//! - `console`: one line of each level through the console sink;
//! - `metric-fallback`: `record_metric` without a binding;
//! - `store-crash <dir>`: writes lines and points to an NDJSON store, then aborts while two
//!   threads are still writing, without running any destructor.

use nno_obs::sink::NdjsonStore;
use nno_obs::{fields, record_metric, DataPoint, Logger, Obs, Telemetry};
use std::sync::Arc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("console") => {
            let logger = Logger::new("registry", Some("tr_abc123"), Some("req-1"));
            logger.info("to stdout", fields! { n: 1 });
            logger.warn("to stdout", fields! { n: 2 });
            logger.debug("to stdout", fields! { n: 3 });
            logger.error("to stderr", fields! { n: 4 });
        }
        Some("metric-fallback") => {
            record_metric(
                "gateway.request.count",
                1.0,
                &[("route", "/api/data"), ("method", "GET")],
                None,
            );
        }
        Some("store-crash") => {
            let Some(dir) = args.get(2) else {
                std::process::exit(2);
            };
            let store = match NdjsonStore::open(dir) {
                Ok(store) => Arc::new(store),
                Err(_) => std::process::exit(3),
            };
            let telemetry = Telemetry::local_store(store.clone()).build();
            let obs = Obs::detached(telemetry, "provisioning");
            let padding = "x".repeat(3000);
            for n in 0..500u32 {
                obs.info("step completed", fields! { n: n, padding: padding });
                obs.record_core_op("create-d1", nno_obs::OpOutcome::Success, u64::from(n));
                let point = DataPoint::new().blob(&padding).double(f64::from(n));
                obs.telemetry()
                    .dataset(nno_obs::Binding::Metrics)
                    .map(|d| d.write(&point));
            }
            // Then crash while two threads are in the middle of writing: no destructor, no
            // flush, no exit handlers.
            for writer in 0..2u32 {
                let obs = obs.child("busy");
                let padding = padding.clone();
                std::thread::spawn(move || loop {
                    obs.warn("busy", fields! { writer: writer, padding: padding });
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(30));
            std::process::abort();
        }
        _ => std::process::exit(2),
    }
}
