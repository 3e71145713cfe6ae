//! Run by the integration tests as a child process: `nno-obs-emit <scenario>`.
//!
//! - `console`: one line of each level through the console sink;
//! - `metric-fallback`: `record_metric` without a binding;

use nno_obs::{fields, record_metric, Logger};

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
        _ => std::process::exit(2),
    }
}
