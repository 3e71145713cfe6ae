//! The API's answers as the console reads them: the fields of `../shared/API.md` it shows,
//! deserialized from the JSON [`nno_obs_api::Api::handle`] wrote.
//!
//! These mirror `nno_obs_api::views` rather than derive `Deserialize` there: several views
//! hold `&'static str` words (a light's health, an entry's kind), which cannot be
//! deserialized, and the answers' field names are pinned by the API's golden tests, which a
//! rename here would fail against (every page test reads real answers).

use serde::Deserialize;
use serde_json::value::RawValue;

/// A Pages build.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Build {
    /// The deployment id.
    pub build_id: String,
    /// `success`, `failure`, `canceled`.
    pub status: String,
    /// When it ended.
    pub finished_at: String,
    /// How long it ran.
    pub duration_ms: f64,
}

/// `/fleet` (seed §8.1).
#[derive(Clone, Debug, Deserialize)]
pub struct Fleet {
    /// One row per platform.
    pub platforms: Vec<FleetRow>,
}

/// A platform of the fleet.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetRow {
    /// Its id.
    pub platform_id: String,
    /// Its name.
    pub name: String,
    /// Workers seen.
    pub workers: u64,
    /// Requests.
    pub requests: u64,
    /// 5xx.
    pub errors: f64,
    /// 5xx ÷ requests.
    pub error_rate: Option<f64>,
    /// The latest build.
    pub last_build: Option<Build>,
}

/// `/heatmap`.
#[derive(Clone, Debug, Deserialize)]
pub struct Heatmap {
    /// Every bucket's start.
    pub buckets: Vec<String>,
    /// Platform × bucket.
    pub cells: Vec<HeatmapCell>,
}

/// One heatmap cell.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeatmapCell {
    /// The platform.
    pub platform_id: String,
    /// The bucket's start.
    pub bucket: String,
    /// Requests.
    pub requests: u64,
    /// 5xx.
    pub errors: f64,
    /// 5xx ÷ requests.
    pub error_rate: Option<f64>,
}

/// `/overview` (seed §7.1).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    /// One light per Worker.
    pub workers: Vec<Light>,
    /// Every hour of the range.
    pub requests_per_hour: Vec<HourRequests>,
    /// Per feature, every hour.
    pub error_rate_per_feature: Vec<FeatureHours>,
    /// The latest build.
    pub latest_build: Option<Build>,
}

/// A Worker's light.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Light {
    /// The script, when known.
    pub script: Option<String>,
    /// Its feature.
    pub feature: String,
    /// `ok`, `degraded`, `failing`, `no_data`.
    pub health: String,
    /// Requests in the recent window.
    pub requests: u64,
    /// 5xx ÷ requests.
    pub error_rate: Option<f64>,
}

/// Requests in one hour.
#[derive(Clone, Debug, Deserialize)]
pub struct HourRequests {
    /// The hour's start.
    pub hour: String,
    /// Requests.
    pub requests: u64,
}

/// One feature's hours.
#[derive(Clone, Debug, Deserialize)]
pub struct FeatureHours {
    /// The feature.
    pub feature: String,
    /// Every hour.
    pub hours: Vec<HourErrors>,
}

/// Requests and 5xx in one hour.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HourErrors {
    /// The hour's start.
    pub hour: String,
    /// Requests.
    pub requests: u64,
    /// 5xx.
    pub errors: f64,
    /// Their ratio.
    pub error_rate: Option<f64>,
}

/// `/traces/{traceId}` (seed §8.4).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    /// The trace id.
    pub trace_id: String,
    /// Its spans, in start order.
    pub spans: Vec<Span>,
    /// Its lines, in time order.
    pub logs: Vec<LogEntry>,
    /// False when the trace has more lines than a view carries.
    pub complete: bool,
}

/// A span.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Span {
    /// Its id.
    pub span_id: String,
    /// Its service.
    pub service: String,
    /// Its operation.
    pub operation: String,
    /// When it started.
    pub start: String,
    /// How long it ran.
    pub duration_ms: f64,
    /// `ok` or `error`.
    pub outcome: String,
    /// The platform it ran for.
    pub platform_id: String,
    /// Its start after the trace's first, ms.
    pub offset_ms: f64,
    /// Its depth under its root.
    pub depth: usize,
}

/// A log entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// Its time, when its record gave one.
    pub timestamp: Option<String>,
    /// Its level.
    pub level: String,
    /// Its message.
    pub message: String,
    /// Its service.
    pub service: Option<String>,
    /// Its trace.
    pub trace_id: Option<String>,
    /// Its Worker.
    pub script: Option<String>,
    /// `line`, `text`, `exception`, `outcome`.
    pub kind: String,
    /// The LogEntry as written, for a `line`.
    pub entry: Option<Box<RawValue>>,
    /// The Logpush object it came from.
    pub object: String,
}

/// `/logs` (seed §7.3).
#[derive(Clone, Debug, Deserialize)]
pub struct LogPage {
    /// The entries.
    pub entries: Vec<LogEntry>,
    /// The next page's cursor.
    pub next: Option<String>,
    /// False when the host stopped at its limits.
    pub complete: bool,
    /// What was read.
    pub scanned: Scanned,
    /// Damaged objects.
    pub problems: Vec<Problem>,
}

/// What a search read.
#[derive(Clone, Debug, Deserialize)]
pub struct Scanned {
    /// Objects.
    pub files: u64,
    /// Bytes.
    pub bytes: u64,
}

/// A damaged object.
#[derive(Clone, Debug, Deserialize)]
pub struct Problem {
    /// Its key.
    pub key: String,
    /// What was wrong.
    pub message: String,
}

/// `/logs/download`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Download {
    /// The objects.
    pub files: Vec<DownloadFile>,
    /// When the links stop working.
    pub expires_at: String,
}

/// One object to download.
#[derive(Clone, Debug, Deserialize)]
pub struct DownloadFile {
    /// Its key.
    pub key: String,
    /// Its size.
    pub bytes: u64,
    /// The signed link.
    pub url: String,
}

/// `/features` (seed §7.2).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Features {
    /// Per feature.
    pub features: Vec<FeatureRow>,
    /// At most 10.
    pub slowest_endpoints: Vec<SlowEndpoint>,
    /// At most 10.
    pub erroring_endpoints: Vec<ErroringEndpoint>,
}

/// A feature's performance.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeatureRow {
    /// The feature.
    pub feature: String,
    /// Requests.
    pub requests: u64,
    /// Requests per minute.
    pub requests_per_minute: f64,
    /// 5xx.
    pub errors: f64,
    /// 5xx ÷ requests.
    pub error_rate: Option<f64>,
    /// Median latency.
    pub p50_ms: Option<f64>,
    /// p95.
    pub p95_ms: Option<f64>,
    /// p99.
    pub p99_ms: Option<f64>,
}

/// A slow endpoint.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlowEndpoint {
    /// Its feature.
    pub feature: String,
    /// `GET /api/data`.
    pub endpoint: String,
    /// Requests.
    pub requests: u64,
    /// p95.
    pub p95_ms: Option<f64>,
}

/// An erroring endpoint.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErroringEndpoint {
    /// Its feature.
    pub feature: String,
    /// `GET /api/data`.
    pub endpoint: String,
    /// Requests.
    pub requests: u64,
    /// 5xx.
    pub errors: f64,
    /// 5xx ÷ requests.
    pub error_rate: Option<f64>,
}

/// `/provisioning` (seed §8.2).
#[derive(Clone, Debug, Deserialize)]
pub struct Provisioning {
    /// Jobs running.
    pub running: Vec<RunningJob>,
    /// Jobs failed in the range.
    pub failed: Vec<FailedJob>,
    /// Per operation.
    pub completion: Vec<Completion>,
}

/// A running job.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunningJob {
    /// Its id.
    pub job_id: Option<String>,
    /// Its operation.
    pub operation: Option<String>,
    /// Its platform.
    pub platform_id: String,
    /// Its trace.
    pub trace_id: String,
    /// When it started.
    pub started_at: String,
    /// The last step seen.
    pub current_step: Option<String>,
}

/// A failed job.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailedJob {
    /// Its id.
    pub job_id: Option<String>,
    /// Its operation.
    pub operation: Option<String>,
    /// Its platform.
    pub platform_id: String,
    /// Its trace.
    pub trace_id: String,
    /// When it failed.
    pub failed_at: String,
    /// The step that failed.
    pub failed_step: Option<String>,
    /// The error.
    pub error: Option<String>,
    /// Whether a rollback ran.
    pub rolled_back: bool,
}

/// Completion times of an operation.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Completion {
    /// The operation.
    pub operation: String,
    /// Jobs.
    pub jobs: u64,
    /// Median.
    pub p50_ms: Option<f64>,
    /// p95.
    pub p95_ms: Option<f64>,
}

/// `/slo` (seed §5).
#[derive(Clone, Debug, Deserialize)]
pub struct Slo {
    /// The objectives.
    pub objectives: Vec<Objective>,
}

/// One objective.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Objective {
    /// Its id.
    pub objective: String,
    /// What was measured.
    pub subject: String,
    /// The target as the seed writes it.
    pub target: String,
    /// The value (ms or a fraction).
    pub value: Option<f64>,
    /// Events in the window.
    pub events: u64,
    /// Share of the budget left.
    pub budget_left: Option<f64>,
    /// `fast`, `slow`, `none`.
    pub burn_rate: Option<String>,
    /// `ok`, `missed`, `breach`, `no_data`, `no_data_source`.
    pub status: String,
}

/// `/alerts` (seed §6).
#[derive(Clone, Debug, Deserialize)]
pub struct Alerts {
    /// Firing now.
    pub firing: Vec<Alert>,
    /// Resolved in the last 24 hours.
    pub resolved: Vec<Alert>,
}

/// An alert.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    /// Its category.
    pub category: String,
    /// Its severity.
    pub severity: String,
    /// What it is about.
    pub subject: String,
    /// When it fired.
    pub fired_at: String,
    /// When it resolved.
    pub resolved_at: Option<String>,
    /// The message as sent.
    pub message: String,
}
