//! # nno-obs-sim
//!
//! A simulated NNO fleet — the gateway, registry, provisioning and CLI service, and per
//! platform an auth Worker and three feature Workers — run through the real instrumented code
//! (`#[nno_handler]`, `#[nno_instrument]`; no line or point is written outside the nno-obs
//! runtime) on a simulated clock, into the local store in the production shape (Workers Trace
//! Events records in Logpush's objects, `nno-logs-*/{DATE}/{start}_{end}_{random}.log.gz`,
//! Analytics Engine rows per dataset).
//!
//! | module | what it owns |
//! |---|---|
//! | [`fleet`] | platforms, their ids and Worker names (seed §2.4) |
//! | [`traffic`] | the daily shape and per-minute arrivals |
//! | [`incidents`] | the scheduled incidents the alert rules (seed §6.2) must fire on |
//! | [`workers`] | the instrumented Workers |
//! | [`driver`] | one invocation: fresh context, handler, one trace-event record |
//! | [`run`] | the whole run, platforms in parallel |
//! | [`rng`] | seeded random streams |
//!
//! ```
//! use nno_obs_sim::run::{schedule, SimConfig};
//!
//! let config = SimConfig { platforms: 3, hours: 2, seed: 7, until_ms: 1_771_756_440_000, threads: 1 };
//! let plan = schedule(&config);
//! assert_eq!(plan.platforms[0].id, "k3m9p2xw7q");
//! // Eight kinds of incident in a short run of a few platforms (two hung jobs among them);
//! // the usage one is a crossing per level (50, 75, 90 %, 100 %).
//! let usage = plan.incidents.iter().filter(|i| i.kind.name() == "usage threshold crossed").count();
//! assert_eq!((plan.incidents.len() - usage, usage), (8, 4));
//! ```

#![warn(missing_docs)]

pub mod driver;
pub mod fleet;
pub mod incidents;
pub mod rng;
pub mod run;
pub mod traffic;
pub mod workers;
