//! The API's answers, one serde type per route (`../shared/API.md`, "Routes"): what both hosts
//! send and the console reads. Field names are the contract's; times are RFC 3339 UTC with
//! milliseconds, durations `…Ms`, ratios fractions. Every view also derives `Deserialize`, so a
//! reader of the JSON (the console) gets the same types back; its words (a light's `health`,
//! an entry's `kind`, an objective's `status`) are owned strings for that reason.

use crate::time::format_ms;
use nno_obs_logs::entry::{Entry, EntryKind};
use nno_obs_logs::reader::FileReport;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// `/health`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HealthAnswer {
    /// Always true.
    pub ok: bool,
}

/// A Worker's light on the overview.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct WorkerLight {
    /// The Worker's script name. Null: the `{platformId}-perf` point (seed §3.2) does not
    /// carry it, so a light is per feature (see `docs/api.md`).
    pub script: Option<String>,
    /// Its feature (`auth` for the auth Worker).
    pub feature: String,
    /// `ok`, `degraded`, `failing` or `no_data`.
    pub health: String,
    /// Requests in the recent window.
    pub requests: u64,
    /// 5xx ÷ requests in the recent window (null without requests).
    #[serde(rename = "errorRate")]
    pub error_rate: Option<f64>,
}

/// Requests in one hour.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct HourRequests {
    /// The hour's start.
    pub hour: String,
    /// Requests.
    pub requests: u64,
}

/// One feature's hours.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FeatureHours {
    /// The feature.
    pub feature: String,
    /// Every hour of the range.
    pub hours: Vec<HourErrors>,
}

/// Requests and 5xx in one hour.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct HourErrors {
    /// The hour's start.
    pub hour: String,
    /// Requests.
    pub requests: u64,
    /// 5xx.
    pub errors: f64,
    /// Their ratio (null without requests).
    #[serde(rename = "errorRate")]
    pub error_rate: Option<f64>,
}

/// A Pages build.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BuildView {
    /// The Pages deployment id.
    pub build_id: String,
    /// `success`, `failure` or `canceled`.
    pub status: String,
    /// When it ended.
    pub finished_at: String,
    /// How long it ran.
    pub duration_ms: f64,
}

/// `/overview` (seed §7.1).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    /// One light per Worker seen in the range.
    pub workers: Vec<WorkerLight>,
    /// Every hour of the range.
    pub requests_per_hour: Vec<HourRequests>,
    /// Per feature, every hour of the range.
    pub error_rate_per_feature: Vec<FeatureHours>,
    /// The latest build in the range.
    pub latest_build: Option<BuildView>,
}

/// A feature's performance.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FeatureView {
    /// The feature.
    pub feature: String,
    /// Requests.
    pub requests: u64,
    /// Requests per minute over the range.
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
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
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
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
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

/// `/features` (seed §7.2).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Features {
    /// Per feature.
    pub features: Vec<FeatureView>,
    /// At most 10.
    pub slowest_endpoints: Vec<SlowEndpoint>,
    /// At most 10.
    pub erroring_endpoints: Vec<ErroringEndpoint>,
}

/// One log entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntryView {
    /// The entry's effective time (UTC), or null when its record gave none.
    pub timestamp: Option<String>,
    /// `debug`, `info`, `warn`, `error`.
    pub level: String,
    /// The message.
    pub message: String,
    /// The service.
    pub service: Option<String>,
    /// `traceId`: our line's; an exception's is its invocation's
    /// ([`Entry::effective_trace_id`]), the trace a `traceId` filter found it by.
    pub trace_id: Option<String>,
    /// `requestId`.
    pub request_id: Option<String>,
    /// The Worker's script (`ScriptName`).
    pub script: Option<String>,
    /// `line`, `text`, `exception` or `outcome`.
    pub kind: String,
    /// The whole LogEntry as written (members in their order), for `line`.
    pub entry: Option<Box<RawValue>>,
    /// The object it was read from.
    pub object: String,
}

impl LogEntryView {
    /// The view of `entry`, read from `object`.
    ///
    /// ```
    /// use nno_obs_api::views::LogEntryView;
    /// use nno_obs_logs::entry::entries_of_record;
    ///
    /// let record = serde_json::from_str(r#"{"ScriptName":"nno-registry-prod","Outcome":"ok",
    ///   "Logs":[{"Level":"log","Message":["{\"timestamp\":\"2026-02-22T10:34:00.123+01:00\",\"level\":\"warn\",\"service\":\"registry\",\"message\":\"slow\",\"z\":1,\"a\":2}"],"TimestampMs":1}]}"#).unwrap();
    /// let view = LogEntryView::new(&entries_of_record(&record)[0], "20260222/x.log.gz");
    /// let json = serde_json::to_string(&view).unwrap();
    /// assert!(json.contains(r#""timestamp":"2026-02-22T09:34:00.123Z""#)); // the effective UTC time
    /// assert!(json.contains(r#""message":"slow","z":1,"a":2}"#)); // the line's own order
    /// ```
    pub fn new(entry: &Entry, object: &str) -> Self {
        let raw = match entry.kind {
            EntryKind::Line => entry
                .line
                .as_deref()
                .and_then(|line| RawValue::from_string(line.trim().to_owned()).ok()),
            _ => None,
        };
        Self {
            timestamp: entry.time_ms.map(format_ms),
            level: entry.level.to_string(),
            message: entry.message.clone(),
            service: entry.service.clone(),
            trace_id: entry.effective_trace_id().map(str::to_owned),
            request_id: entry.request_id.clone(),
            script: entry.record.script.clone(),
            kind: kind_word(entry.kind).to_owned(),
            entry: raw,
            object: object.to_owned(),
        }
    }
}

/// The word of an entry kind.
pub fn kind_word(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Line => "line",
        EntryKind::Text => "text",
        EntryKind::Exception => "exception",
        EntryKind::Outcome => "outcome",
    }
}

/// What was read.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Scanned {
    /// Objects read.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
}

/// A damaged object.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Problem {
    /// Its key.
    pub key: String,
    /// What was wrong, and what was skipped.
    pub message: String,
}

impl Problem {
    /// A search page's problems as the API shows them: each damaged object's reports, then
    /// each object that could not be read at all (the same words from every backend).
    ///
    /// ```
    /// use nno_obs_api::views::Problem;
    ///
    /// let unreadable = vec![("a.log.gz".to_owned(), "permission denied".to_owned())];
    /// let all = Problem::all(&[], &unreadable);
    /// assert_eq!((all[0].key.as_str(), all[0].message.as_str()), ("a.log.gz", "could not be read"));
    /// ```
    pub fn all(damaged: &[(String, FileReport)], unreadable: &[(String, String)]) -> Vec<Problem> {
        let mut problems: Vec<Problem> = damaged
            .iter()
            .flat_map(|(key, report)| Problem::of(key, report))
            .collect();
        problems.extend(unreadable.iter().map(|(key, _)| Problem {
            key: key.clone(),
            message: "could not be read".to_owned(),
        }));
        problems
    }

    /// The problems of one object's read report (none when it read cleanly).
    ///
    /// ```
    /// use nno_obs_api::views::Problem;
    /// use nno_obs_logs::reader::FileReport;
    ///
    /// let report = FileReport { bad_lines: 2, first_bad_line_offset: Some(10), ..FileReport::default() };
    /// assert_eq!(Problem::of("a.log.gz", &report)[0].message, "2 lines that are not records skipped (first at byte 10)");
    /// ```
    pub fn of(key: &str, report: &FileReport) -> Vec<Problem> {
        let mut messages = Vec::new();
        if let Some(damage) = &report.corrupt {
            messages.push(format!(
                "damaged at byte {}: {} ({} records read before it)",
                damage.offset, damage.message, report.records
            ));
        }
        if report.truncated_tail {
            messages.push("last record cut short, skipped".to_owned());
        }
        if report.bad_lines > 0 {
            messages.push(format!(
                "{} lines that are not records skipped (first at byte {})",
                report.bad_lines,
                report.first_bad_line_offset.unwrap_or(0)
            ));
        }
        if report.repaired_lines > 0 {
            messages.push(format!(
                "{} lines with invalid UTF-8 repaired (U+FFFD)",
                report.repaired_lines
            ));
        }
        if report.oversized_lines > 0 {
            messages.push(format!(
                "{} lines over {} bytes skipped",
                report.oversized_lines,
                nno_obs_logs::reader::MAX_LINE_BYTES
            ));
        }
        messages
            .into_iter()
            .map(|message| Problem {
                key: key.to_owned(),
                message,
            })
            .collect()
    }
}

/// `/logs` (seed §7.3).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LogPage {
    /// The entries, ordered by time.
    pub entries: Vec<LogEntryView>,
    /// The next page's cursor.
    pub next: Option<String>,
    /// False when the host stopped at its limits before the page was full.
    pub complete: bool,
    /// What was read.
    pub scanned: Scanned,
    /// Damaged objects.
    pub problems: Vec<Problem>,
}

/// One downloadable object.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DownloadFile {
    /// Its key in its bucket.
    pub key: String,
    /// Its size.
    pub bytes: u64,
    /// A signed link on this host.
    pub url: String,
}

/// `/logs/download`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Download {
    /// The objects.
    pub files: Vec<DownloadFile>,
    /// When the links stop working.
    pub expires_at: String,
}

/// A span of a trace.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SpanView {
    /// Its id.
    pub span_id: String,
    /// Its parent's, `""` for a root.
    pub parent_span_id: String,
    /// The service.
    pub service: String,
    /// The operation.
    pub operation: String,
    /// When it started: its first own log line's time where one fits, else the estimate from
    /// its end second (see [`crate::span_lines`]).
    pub start: String,
    /// How long it ran.
    pub duration_ms: f64,
    /// `ok` or `error`.
    pub outcome: String,
    /// The platform it ran for (`nno-internal` for NNO's own).
    pub platform_id: String,
    /// Its start after the trace's first start, ms (the waterfall's offset).
    pub offset_ms: f64,
    /// Its depth under its root (0 for a root).
    pub depth: usize,
}

/// `/traces/{traceId}` (seed §8.4).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TraceView {
    /// The trace id.
    #[serde(rename = "traceId")]
    pub trace_id: String,
    /// Its spans, in start order.
    pub spans: Vec<SpanView>,
    /// Its log lines, in time order.
    pub logs: Vec<LogEntryView>,
    /// False when the trace has more lines than a view carries (1000).
    pub complete: bool,
    /// Damaged objects met on the way.
    pub problems: Vec<Problem>,
}

/// A platform of the fleet.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FleetPlatform {
    /// Its id.
    pub platform_id: String,
    /// Its name (the Registry's), or its id when unknown.
    pub name: String,
    /// Workers seen.
    pub workers: u64,
    /// Requests.
    pub requests: u64,
    /// 5xx.
    pub errors: f64,
    /// 5xx ÷ requests.
    pub error_rate: Option<f64>,
    /// The latest build in the range.
    pub last_build: Option<BuildView>,
}

/// `/fleet` (seed §8.1).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Fleet {
    /// One row per platform.
    pub platforms: Vec<FleetPlatform>,
}

/// One heatmap cell.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
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

/// `/heatmap` (seed §8.1).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Heatmap {
    /// Every bucket's start.
    pub buckets: Vec<String>,
    /// Platform × bucket.
    pub cells: Vec<HeatmapCell>,
}

/// A running job.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RunningJobView {
    /// The job id (when the job's points carry it).
    pub job_id: Option<String>,
    /// The operation.
    pub operation: Option<String>,
    /// The platform.
    pub platform_id: String,
    /// Its trace.
    pub trace_id: String,
    /// When it started.
    pub started_at: String,
    /// The last step seen.
    pub current_step: Option<String>,
}

/// A failed job.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FailedJobView {
    /// The job id (when the job's points carry it).
    pub job_id: Option<String>,
    /// The operation.
    pub operation: Option<String>,
    /// The platform.
    pub platform_id: String,
    /// Its trace.
    pub trace_id: String,
    /// When it failed.
    pub failed_at: String,
    /// The step that failed.
    pub failed_step: Option<String>,
    /// The error, when its points carry it.
    pub error: Option<String>,
    /// Whether a rollback step ran.
    pub rolled_back: bool,
}

/// Completion times per operation.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CompletionView {
    /// The operation.
    pub operation: String,
    /// Jobs.
    pub jobs: u64,
    /// Median duration.
    pub p50_ms: Option<f64>,
    /// p95.
    pub p95_ms: Option<f64>,
}

/// `/provisioning` (seed §8.2).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Provisioning {
    /// Jobs running.
    pub running: Vec<RunningJobView>,
    /// Jobs failed in the range.
    pub failed: Vec<FailedJobView>,
    /// Per operation.
    pub completion: Vec<CompletionView>,
}

/// One objective.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ObjectiveView {
    /// The objective's id.
    pub objective: String,
    /// What was measured.
    pub subject: String,
    /// The platform, for a platform objective.
    pub platform_id: Option<String>,
    /// The target as the seed writes it.
    pub target: String,
    /// The value (ms or a fraction).
    pub value: Option<f64>,
    /// Events in the window.
    pub events: u64,
    /// Share of the period's budget left.
    pub budget_left: Option<f64>,
    /// `fast`, `slow` or `none`.
    pub burn_rate: Option<String>,
    /// `ok`, `missed`, `breach`, `no_data`, `no_data_source`.
    pub status: String,
}

/// `/slo` (seed §5).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Slo {
    /// The objectives.
    pub objectives: Vec<ObjectiveView>,
    /// What the usage alerts (§6.2, % of tier limit) compare with: `source` is `null` when
    /// the host has no tier-limit source (no usage alert can fire), `withoutLimit` the
    /// platforms in view with no metered limit.
    pub usage_limits: nno_obs_alerts::limits::UsageLimits,
}

/// An alert.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AlertView {
    /// Its id.
    pub id: String,
    /// Its category.
    pub category: String,
    /// Its severity.
    pub severity: String,
    /// What it is about.
    pub subject: String,
    /// The platform.
    pub platform_id: Option<String>,
    /// When it fired.
    pub fired_at: String,
    /// When it resolved (null while firing).
    pub resolved_at: Option<String>,
    /// The message as sent (seed §6.3).
    pub message: String,
    /// A firing alert held back by a silence: the silence's id (beyond the seed, see
    /// docs/alerts.md "Silences"); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub silenced_by: Option<String>,
    /// … and when that silence ends (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub silenced_until: Option<String>,
    /// A firing alert held back because another firing alert explains it: that alert's id
    /// (docs/alerts.md "Inhibition"); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inhibited_by: Option<String>,
}

/// `/alerts` (seed §6).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Alerts {
    /// Firing now.
    pub firing: Vec<AlertView>,
    /// Resolved in the last 24 hours.
    pub resolved: Vec<AlertView>,
}
