//! Logpush jobs (seed §2.2, §2.3): the body `POST /accounts/{account_id}/logpush/jobs` takes.
//!
//! # Where the seed's job is wrong against Cloudflare's API
//!
//! | seed | here | why |
//! |---|---|---|
//! | `"op": "eq"` in the filter | `"operator": "eq"` | filters are `{"key", "operator", "value"}` (Logpush filter reference) |
//! | `r2://{bucket}/{DATE}/{HOUR}/{filename}` | `r2://{bucket}/{DATE}?account-id=…&access-key-id=…&secret-access-key=…` | an R2 destination authenticates with the account id and an R2 access key pair in the URI; `{DATE}` (`YYYYMMDD`) is the path variable Logpush fills in, and it names the files itself (`{start}_{end}_{random}.log.gz`) — `{HOUR}` and `{filename}` are not variables |
//! | `logpull_options: "fields=…,Ray"` | `output_options: {field_names, output_type, timestamp_format}` | `output_options` replaces the deprecated `logpull_options`; `workers_trace_events` has no `Ray` field (the ray id is `Event.RayID`) |
//! | one job per platform filtered `ScriptName eq workerName` | `ScriptName startsWith "{platformId}-"` | a platform's Workers are named `{platformId}-{entityId}-{feature}-{env}` (§2.4), so one prefix filter covers every Worker the platform has now and later |

use crate::r2::R2Destination;
use serde::Serialize;

/// The Logpush dataset of Workers' invocations, console output included.
pub const WORKERS_TRACE_EVENTS: &str = "workers_trace_events";

/// The `workers_trace_events` fields NNO's log tooling reads (the seed's list, without the
/// `Ray` field the dataset does not have, plus what search and retention need).
pub const TRACE_EVENT_FIELDS: [&str; 8] = [
    "Event",
    "EventTimestampMs",
    "EventType",
    "Exceptions",
    "Logs",
    "Outcome",
    "ScriptName",
    "ScriptTags",
];

/// A comparison of one field, as Logpush filters write it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Operator {
    /// `eq`.
    #[serde(rename = "eq")]
    Eq,
    /// `startsWith`.
    #[serde(rename = "startsWith")]
    StartsWith,
}

/// One condition: `{"key":…,"operator":…,"value":…}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// The field, e.g. `ScriptName`.
    pub key: String,
    /// The comparison.
    pub operator: Operator,
    /// The value compared with.
    pub value: String,
}

/// A job's filter: the conditions, all of which must hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    conditions: Vec<Condition>,
}

impl Filter {
    /// Records whose `ScriptName` is `script`.
    pub fn script_name_is(script: &str) -> Self {
        Self::one("ScriptName", Operator::Eq, script)
    }

    /// Records whose `ScriptName` starts with `prefix`.
    pub fn script_name_starts_with(prefix: &str) -> Self {
        Self::one("ScriptName", Operator::StartsWith, prefix)
    }

    fn one(key: &str, operator: Operator, value: &str) -> Self {
        Self {
            conditions: vec![Condition {
                key: key.to_owned(),
                operator,
                value: value.to_owned(),
            }],
        }
    }

    /// The filter as the API takes it: a JSON document in a string,
    /// `{"where":{"and":[…]}}`.
    ///
    /// ```
    /// use nno_obs_cloudflare::logpush::Filter;
    ///
    /// assert_eq!(
    ///     Filter::script_name_starts_with("k3m9p2xw7q-").to_json(),
    ///     r#"{"where":{"and":[{"key":"ScriptName","operator":"startsWith","value":"k3m9p2xw7q-"}]}}"#
    /// );
    /// ```
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Where<'a> {
            and: &'a [Condition],
        }
        #[derive(Serialize)]
        struct Document<'a> {
            #[serde(rename = "where")]
            where_: Where<'a>,
        }
        let document = Document {
            where_: Where {
                and: &self.conditions,
            },
        };
        // Serializing plain strings and enums cannot fail.
        serde_json::to_string(&document).unwrap_or_default()
    }
}

/// `output_options` of a job.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutputOptions {
    /// The fields of each record.
    pub field_names: Vec<String>,
    /// `ndjson`: one record per line, as the log tooling reads it.
    pub output_type: &'static str,
    /// `unixnano` is Logpush's default; trace events carry their own `*TimestampMs` fields.
    pub timestamp_format: &'static str,
}

impl Default for OutputOptions {
    fn default() -> Self {
        Self {
            field_names: TRACE_EVENT_FIELDS.iter().map(|f| (*f).to_owned()).collect(),
            output_type: "ndjson",
            timestamp_format: "unixnano",
        }
    }
}

/// A Logpush job of `workers_trace_events` into R2.
///
/// ```
/// use nno_obs_cloudflare::{logpush::LogpushJob, R2Destination, Secret};
///
/// let r2 = R2Destination::new("nno-logs-k3m9p2xw7q", "0123abcd", "AKID", Secret::new("s3cr3t"));
/// let job = LogpushJob::platform("k3m9p2xw7q", r2);
/// assert_eq!(job.name, "nno-logs-k3m9p2xw7q");
/// assert!(job.filter.contains(r#""operator":"startsWith","value":"k3m9p2xw7q-""#));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogpushJob {
    /// The job's name (letters, digits, `-`, `.`; at most 512).
    pub name: String,
    /// Always [`WORKERS_TRACE_EVENTS`].
    pub dataset: &'static str,
    /// Where records go.
    #[serde(serialize_with = "crate::r2::serialize_destination")]
    pub destination_conf: R2Destination,
    /// Which records (see [`Filter::to_json`]).
    pub filter: String,
    /// The record format.
    pub output_options: OutputOptions,
    /// Whether the job runs.
    pub enabled: bool,
}

impl LogpushJob {
    /// Seed §2.2: one job per NNO core service, `ScriptName` equal to the Worker's name, into
    /// `nno-logs-internal`.
    pub fn core_service(worker_name: &str, destination: R2Destination) -> Self {
        Self::new(
            format!("logpush-{worker_name}"),
            Filter::script_name_is(worker_name),
            destination,
        )
    }

    /// Seed §2.3: one job per platform, every Worker whose `ScriptName` starts with
    /// `{platformId}-`, into `nno-logs-{platformId}`.
    pub fn platform(platform_id: &str, destination: R2Destination) -> Self {
        Self::new(
            format!("nno-logs-{platform_id}"),
            Filter::script_name_starts_with(&format!("{platform_id}-")),
            destination,
        )
    }

    fn new(name: String, filter: Filter, destination: R2Destination) -> Self {
        Self {
            name,
            dataset: WORKERS_TRACE_EVENTS,
            destination_conf: destination,
            filter: filter.to_json(),
            output_options: OutputOptions::default(),
            enabled: true,
        }
    }

    /// The request body. `reveal_secrets = false` writes the R2 secret as `<redacted>` (for
    /// `nno-obs logpush plan`); only the client sends it in clear.
    pub fn to_json(&self, reveal_secrets: bool) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(conf) = value.get_mut("destination_conf") {
            *conf = serde_json::Value::String(self.destination_conf.to_conf(reveal_secrets));
        }
        value
    }
}

/// A job as the API returns it (`result` of create, get and list).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct JobInfo {
    /// The job id.
    pub id: u64,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its dataset.
    #[serde(default)]
    pub dataset: Option<String>,
    /// Whether it runs.
    #[serde(default)]
    pub enabled: bool,
}
