//! # nno-obs-alerts
//!
//! NNO's objectives and alerts (seed §5, §6): the alert configuration, the eight categories (and a latency extension),
//! the SLO table with multi-window burn rates, the exact alert message, and — natively —
//! delivery to email, Slack and PagerDuty, exactly once, across restarts and failing
//! receivers.
//!
//! | module | what it owns |
//! |---|---|
//! | [`config`] | [`AlertConfig`] (seed §6.1) and its validation |
//! | [`category`] | the eight categories of §6.2 (and the platform latency extension) as data, [`Severity`], recipients, default thresholds |
//! | [`slo`] | every objective of §5.1–§5.3, its data source or "no data source" |
//! | [`burn`] | multi-window, multi-burn-rate arithmetic (SRE workbook) |
//! | [`status`] | one objective's status: value, target met, alert crossed, budget left, burn |
//! | [`objectives`] | every objective measured through the query layer, per subject |
//! | [`limits`] | each platform's tier limits from their source (Registry/Billing; a file locally) |
//! | [`measure`] | [`Measurements`]: what the evaluator measured |
//! | [`observe`] | measuring: [`Measurements`] from the query layer's typed questions |
//! | [`rules`] | measurements + configs → the [`Alert`]s that hold now |
//! | [`alert`] | [`Alert`] and its stable id (the PagerDuty `dedup_key`) |
//! | [`message`] | the §6.3 text, exactly, and its resolved form |
//! | [`text`] | one-line sanitising, percentages and times as the seed writes them |
//! | [`channel`] | email (the NNO email Worker's contract), Slack, PagerDuty: requests and verdicts, no I/O |
//! | [`route`] | destinations (a platform's config, ops' secrets of §10) and who gets what; a platform's switches narrow only its own admins |
//! | [`silence`] | silences: an alert id or prefix, until when, why, who — stored with the state |
//! | [`inhibit`] | which firing alert keeps which others from paging |
//! | [`group`] | one message for the alerts of one category and platform |
//! | [`notify`] | from the book's transitions to what is sent: held back, paged later, grouped |
//! | [`state`] | pending → firing → clearing → resolved, with hold-down |
//! | [`outbox`] | the persisted [`outbox::State`]: book + notifications not yet delivered |
//! | [`deliver`] | bounded retries with backoff, in rounds; failures as nno-obs lines |
//! | [`persist`] | the seam of the state's store ([`persist::StateStore`]) and of the run's [`persist::Lease`] |
//! | [`run`] | one run on any host: lease, load, measure and evaluate once a minute, save before sending, deliver |
//! | [`records`] | the run's input records (alert configurations, tier limits, the Registry copy) from KV or files, with a defined outcome for every bad one |
//! | [`kv`] | the state and the lease over a key-value store without compare-and-swap (Workers KV) |
//! | `store` (native) | the state file, replaced atomically |
//! | `native` (native) | `NativeTransport` delivery, a thread sleeper, `run` (file → receivers, over [`run`]) |
//! | [`replay`] | a period replayed minute by minute: the timeline of what fired and resolved |
//! | `job_logs` (native) | job ids and operations from the log search, by trace id (jobs written before the job extension) |
//!
//! ```
//! use nno_obs_alerts::rules::{evaluate, seed_example};
//!
//! let (measurements, configs) = seed_example();
//! let alerts = evaluate(&measurements, &configs);
//! assert_eq!(alerts[0].message.subject(), "[NNO ALERT] Platform k3m9p2xw7q — analytics Worker error rate critical");
//! ```

#![warn(missing_docs)]

pub mod alert;
pub mod burn;
pub mod category;
pub mod channel;
pub mod config;
pub mod deliver;
pub mod group;
pub mod inhibit;
#[cfg(feature = "native")]
pub mod job_logs;
pub mod kv;
pub mod limits;
pub mod measure;
pub mod message;
#[cfg(feature = "native")]
pub mod native;
pub mod notify;
pub mod objectives;
pub mod observe;
pub mod outbox;
pub mod persist;
pub mod records;
pub mod replay;
pub mod route;
pub mod rules;
pub mod run;
mod secret;
pub mod silence;
pub mod slo;
pub mod state;
pub mod status;
#[cfg(feature = "native")]
pub mod store;
pub mod text;

pub use alert::Alert;
pub use category::{Category, Recipient, Severity};
pub use config::{AlertConfig, AlertSwitches, ConfigError};
pub use measure::Measurements;
pub use message::Message;
pub use secret::Secret;
