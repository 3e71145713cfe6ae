//! # nno-obs-query
//!
//! The metrics pillar's read side (DESIGN principle 8): every number the dashboards
//! of seed §3.3, §4.2, §5, §7 and §8 show is a typed [`Question`] with a typed answer. A
//! question lowers to [`Plan`]s; a plan renders as Analytics Engine SQL for the SQL API
//! ([`sql`], [`client`]) and evaluates locally over the local store ([`eval`], `local`), with
//! the same definitions, checked against ClickHouse running the rendered SQL
//! (`tests/clickhouse.rs`, on chdb).
//!
//! | module | what it owns |
//! |---|---|
//! | [`scope`] | who asks: [`PlatformScope`] (one validated platform) and [`OperatorScope`]; the datasets |
//! | [`literal`] | the only way a value reaches SQL: escaped, or rejected |
//! | [`time_range`] | `[from, until)` in whole seconds, buckets that divide a day |
//! | [`plan`] | the scan both engines execute, and its semantics (sampling, groups, ties) |
//! | [`sql`] | a plan as Analytics Engine SQL (names, sampling, functions — and why) |
//! | [`dialect`] | the spellings an engine accepts, and the fallbacks for each form |
//! | [`probe`] | one tiny query per form, to learn an account's dialect (`nno-obs cfae check`) |
//! | [`table`] | a plan's answer from any engine: columns and [`Value`]s |
//! | [`eval`] | a plan's semantics over rows, one row at a time, memory per group |
//! | `local` (feature `local`) | the local evaluator over the store's files |
//! | `memory` (feature `local`) | the same semantics over datasets read once and kept sorted in memory |
//! | [`questions`] | the typed questions and their answers |
//! | [`catalogue`] | the questions as data: a serde request → a typed question → a typed answer |
//! | [`client`] | the SQL API client, over `nno-obs-cloudflare`'s transports |

//!
//! Everything but `local` and the native transport builds for `wasm32-unknown-unknown`.
//!
//! ```
//! use nno_obs_query::{questions::FeatureStats, PlatformScope, Question, TimeRange};
//! use nno_obs_store::layout::PlatformId;
//!
//! let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
//! let until = 1_771_761_600;
//! let question = FeatureStats::new(&scope, TimeRange::ending(until, "24h").unwrap());
//! println!("{}", question.plans()[0].sql());
//! ```

#![warn(missing_docs)]

pub mod catalogue;
pub mod client;
pub mod dialect;
mod error;
pub mod eval;
pub mod literal;
#[cfg(all(feature = "local", not(target_arch = "wasm32")))]
pub mod local;
#[cfg(all(feature = "local", not(target_arch = "wasm32")))]
pub mod memory;
pub mod plan;
pub mod probe;
pub mod questions;
pub mod scope;
pub mod sql;
pub mod table;
pub mod time_range;

pub use error::QueryError;
pub use literal::Literal;
/// The datasets and their columns, shared with the write side.
pub use nno_obs_schema as schema;
pub use plan::Plan;
pub use questions::{Engine, Question, Tabular};
pub use scope::{Dataset, OperatorScope, PlatformScope};
pub use table::{Table, Value};
pub use time_range::{Bucket, TimeRange};
