//! `#[nno_instrument]`: the exact lines and span points it produces, on every function shape.

use nno_obs::clock::Clock;
use nno_obs::sink::MemorySink;
use nno_obs::{nno_instrument, Obs, SpanId};
use nno_obs_tests::memory_telemetry;
use std::fmt;

#[derive(Debug, PartialEq)]
struct StepError(&'static str);

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

const TS: &str = "2026-02-22T10:34:00.123Z";
const IDS: &str = r#""traceId":"tr_abc123","requestId":"req-1""#;

fn request() -> (Obs, MemorySink, Clock) {
    let (telemetry, memory, clock) = memory_telemetry(Some("k3m9p2xw7q"));
    let obs = Obs::from_headers(
        telemetry,
        "gateway",
        &[("x-trace-id", "tr_abc123"), ("x-request-id", "req-1")],
    );
    (obs, memory, clock)
}

fn texts(memory: &MemorySink) -> Vec<String> {
    memory.lines().into_iter().map(|line| line.text).collect()
}

fn line(level: &str, service: &str, message: &str, rest: &str) -> String {
    format!(
        r#"{{"timestamp":"{TS}","level":"{level}","service":"{service}",{IDS},"message":"{message}"{rest}}}"#
    )
}

/// A step in its own span; reports the span the body saw and advances the clock by 45 ms.
#[nno_instrument(service = "provisioning", name = "create-d1", span, fields(job_id, platform_id = pid))]
fn create_d1(
    obs: &Obs,
    clock: &Clock,
    job_id: &str,
    pid: String,
    fail: bool,
) -> Result<SpanId, StepError> {
    obs.info("creating database", &[]);
    clock.advance(45);
    if fail {
        return Err(StepError("D1 quota exceeded"));
    }
    Ok(obs.span_id())
}

#[test]
fn a_span_step_logs_started_and_completed_and_emits_its_span() {
    let (obs, memory, clock) = request();
    let seen = create_d1(&obs, &clock, "job-1", "k3m9p2xw7q".into(), false).unwrap();
    let fields = r#","jobId":"job-1","platformId":"k3m9p2xw7q","step":"create-d1""#;
    assert_eq!(
        texts(&memory),
        [
            line("info", "provisioning", "step started", fields),
            line("info", "provisioning", "creating database", ""),
            line(
                "info",
                "provisioning",
                "step completed",
                &format!("{fields},\"durationMs\":45")
            )
            .replace("10:34:00.123Z", "10:34:00.168Z"),
        ]
    );
    let spans = memory.points_in("nno-core-ops-spans");
    assert_eq!(spans.len(), 1);
    assert_eq!(
        spans[0].blobs,
        [
            "tr_abc123".to_owned(),
            seen.to_string(),
            obs.span_id().to_string(),
            "provisioning".into(),
            "create-d1".into(),
            "ok".into(),
            "k3m9p2xw7q".into(),
        ]
    );
    assert_eq!(spans[0].doubles, [45.0, 0.0]);
    assert_ne!(seen, obs.span_id(), "the body runs in a child span");
}

/// A job's own span: its id and operation come from the `jobId` and `operation` fields.
#[nno_instrument(
    service = "provisioning",
    name = "run-job",
    span,
    job,
    fields(job_id, operation)
)]
fn run_job(
    obs: &Obs,
    clock: &Clock,
    job_id: &str,
    operation: &str,
    fail: bool,
) -> Result<(), StepError> {
    let _ = obs;
    clock.advance(1_000);
    if fail {
        return Err(StepError("configure-dns: CF API returned 429"));
    }
    Ok(())
}

/// A job whose id is a number: written as its JSON text.
#[nno_instrument(
    name = "run-job",
    span,
    job,
    fields(job_id, operation = "ACTIVATE_FEATURE")
)]
fn numbered_job(obs: &Obs, job_id: u32) {
    let _ = (obs, job_id);
}

#[test]
fn a_job_step_writes_started_and_its_span_and_core_ops_points_with_the_job() {
    let (obs, memory, clock) = request();
    run_job(&obs, &clock, "job-prov-0001", "PROVISION_PLATFORM", true).unwrap_err();
    let spans = memory.points_in("nno-core-ops-spans");
    assert_eq!(spans.len(), 2, "started, then ended");
    let tail = |at: usize| spans[at].blobs[3..].to_vec();
    assert_eq!(
        tail(0),
        [
            "provisioning",
            "run-job",
            "started",
            "k3m9p2xw7q",
            "job-prov-0001",
            "PROVISION_PLATFORM"
        ]
    );
    assert_eq!(
        tail(1),
        [
            "provisioning",
            "run-job",
            "error",
            "k3m9p2xw7q",
            "job-prov-0001",
            "PROVISION_PLATFORM"
        ]
    );
    assert_eq!(spans[0].doubles, [0.0, 0.0]);
    assert_eq!(spans[1].doubles, [1000.0, 1.0]);
    assert_eq!(spans[0].blobs[1], spans[1].blobs[1], "one span, two points");
    let ops = memory.points_in("nno-core-ops");
    assert_eq!(ops.len(), 1);
    assert_eq!(
        ops[0].blobs,
        [
            "provisioning",
            "PROVISION_PLATFORM",
            "error",
            "k3m9p2xw7q",
            "job-prov-0001"
        ]
    );
    assert_eq!(ops[0].doubles, [1.0, 1000.0, 1.0]);
}

#[test]
fn a_job_id_that_is_not_a_string_is_written_as_its_json() {
    let (obs, memory, _clock) = request();
    numbered_job(&obs, 42);
    let spans = memory.points_in("nno-core-ops-spans");
    assert_eq!(spans[1].blobs[7..], ["42", "ACTIVATE_FEATURE"]);
    assert_eq!(memory.points_in("nno-core-ops")[0].blobs[2], "success");
}

#[test]
fn an_err_is_step_failed_at_error_level_and_an_error_span() {
    let (obs, memory, clock) = request();
    let result = create_d1(&obs, &clock, "job-1", "k3m9p2xw7q".into(), true);
    assert_eq!(result, Err(StepError("D1 quota exceeded")));
    let lines = memory.lines();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2].level, nno_obs::LogLevel::Error);
    assert_eq!(
        lines[2].text,
        line(
            "error",
            "provisioning",
            "step failed",
            r#","jobId":"job-1","platformId":"k3m9p2xw7q","step":"create-d1","durationMs":45,"error":"D1 quota exceeded""#
        )
        .replace("10:34:00.123Z", "10:34:00.168Z")
    );
    let spans = memory.points_in("nno-core-ops-spans");
    assert_eq!(spans[0].blobs[5], "error");
    assert_eq!(spans[0].doubles, [45.0, 1.0]);
}

fn parse_count(text: &str) -> Result<u32, std::num::ParseIntError> {
    text.parse()
}

#[derive(Debug)]
struct BadInput(String);

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad input: {}", self.0)
    }
}

impl From<std::num::ParseIntError> for BadInput {
    fn from(error: std::num::ParseIntError) -> Self {
        BadInput(error.to_string())
    }
}

/// `?` converts the error (through `From`) and returns early: still `step failed`.
#[nno_instrument(fields(text))]
fn count_rows(obs: &Obs, text: &str) -> Result<u32, BadInput> {
    let count = parse_count(text)?;
    obs.info("parsed", &[]);
    Ok(count * 2)
}

#[test]
fn an_early_return_through_question_mark_is_a_failed_step() {
    let (obs, memory, _clock) = request();
    assert_eq!(count_rows(&obs, "21").unwrap(), 42);
    assert!(count_rows(&obs, "x").is_err());
    assert_eq!(
        texts(&memory),
        [
            line(
                "info",
                "gateway",
                "step started",
                r#","text":"21","step":"count_rows""#
            ),
            line("info", "gateway", "parsed", ""),
            line(
                "info",
                "gateway",
                "step completed",
                r#","text":"21","step":"count_rows","durationMs":0"#
            ),
            line(
                "info",
                "gateway",
                "step started",
                r#","text":"x","step":"count_rows""#
            ),
            line(
                "error",
                "gateway",
                "step failed",
                r#","text":"x","step":"count_rows","durationMs":0,"error":"bad input: invalid digit found in string""#
            ),
        ]
    );
    // No `span`: no point.
    assert!(memory.points_in("nno-core-ops-spans").is_empty());
}

#[nno_instrument(span, name = "outer")]
fn outer(obs: &Obs) -> Result<(SpanId, SpanId), StepError> {
    let inner_span = inner(obs)?;
    Ok((obs.span_id(), inner_span))
}

#[nno_instrument(span, name = "inner", lines = false)]
fn inner(obs: &Obs) -> Result<SpanId, StepError> {
    Ok(obs.span_id())
}

#[test]
fn nested_steps_chain_span_ids_under_one_trace() {
    let (obs, memory, _clock) = request();
    let (outer_span, inner_span) = outer(&obs).unwrap();
    let spans = memory.points_in("nno-core-ops-spans");
    // The inner span ends first.
    assert_eq!(spans.len(), 2);
    let (inner_point, outer_point) = (&spans[0], &spans[1]);
    assert_eq!(inner_point.blobs[4], "inner");
    assert_eq!(outer_point.blobs[4], "outer");
    assert_eq!(inner_point.blobs[1], inner_span.to_string());
    assert_eq!(inner_point.blobs[2], outer_span.to_string());
    assert_eq!(outer_point.blobs[1], outer_span.to_string());
    assert_eq!(outer_point.blobs[2], obs.span_id().to_string());
    assert!(spans.iter().all(|point| point.blobs[0] == "tr_abc123"));
    // `lines = false` on the inner step: only the outer step's lines.
    let steps: Vec<_> = memory
        .lines()
        .iter()
        .map(|line| line.json()["step"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(steps, ["outer", "outer"]);
}

#[nno_instrument(level = "debug", name = "manifest-fetch", service = "registry")]
fn fetch_manifest(obs: Obs) -> usize {
    // By value: the body owns its context.
    drop(obs);
    3
}

#[test]
fn level_service_and_a_non_result_return() {
    let (obs, memory, _clock) = request();
    assert_eq!(fetch_manifest(obs.clone()), 3);
    assert_eq!(
        texts(&memory),
        [
            line(
                "debug",
                "registry",
                "step started",
                r#","step":"manifest-fetch""#
            ),
            line(
                "debug",
                "registry",
                "step completed",
                r#","step":"manifest-fetch","durationMs":0"#
            ),
        ]
    );
}

struct Job {
    id: String,
    steps: Vec<&'static str>,
}

impl Job {
    #[nno_instrument(span, fields(job_id = self.id, count = self.steps.len()))]
    fn plan(&self, obs: &Obs) -> Result<usize, StepError> {
        obs.info("planning", &[]);
        Ok(self.steps.len())
    }

    #[nno_instrument(fields(added = step))]
    fn push(&mut self, obs: &Obs, step: &'static str) {
        self.steps.push(step);
    }

    #[nno_instrument(span, name = "finish")]
    async fn finish<T>(self, obs: Obs, extra: T, label: impl AsRef<str>) -> String
    where
        T: fmt::Debug + Send + Sync,
    {
        futures::future::ready(()).await;
        format!(
            "{} {:?} {} {}",
            self.id,
            extra,
            label.as_ref(),
            obs.operation()
        )
    }
}

#[test]
fn methods_generics_and_impl_trait_arguments() {
    let (obs, memory, _clock) = request();
    let mut job = Job {
        id: "job-7".into(),
        steps: vec!["create-d1"],
    };
    job.push(&obs, "create-r2");
    assert_eq!(job.plan(&obs).unwrap(), 2);
    let done = futures::executor::block_on(job.finish(obs.clone(), 1u8, "x"));
    assert_eq!(done, "job-7 1 x finish");
    let plan = &memory.lines_with_message("step started")[1];
    assert_eq!(plan.json()["jobId"], "job-7");
    assert_eq!(plan.json()["count"], 2);
    assert_eq!(plan.json()["step"], "plan");
    let push = &memory.lines_with_message("step started")[0];
    assert_eq!(push.json()["step"], "push");
    assert_eq!(push.json()["step"], "push");
    assert_eq!(memory.points_in("nno-core-ops-spans").len(), 2);
}

#[async_trait::async_trait]
trait Provisioner {
    async fn provision(&self, obs: &Obs, job_id: &str) -> Result<u32, StepError>;
}

struct CloudflareApi;

#[async_trait::async_trait]
impl Provisioner for CloudflareApi {
    #[nno_instrument(service = "provisioning", span, fields(job_id))]
    async fn provision(&self, obs: &Obs, job_id: &str) -> Result<u32, StepError> {
        tokio::task::yield_now().await;
        obs.info("calling the API", &[]);
        Err(StepError("rate limited"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_trait_methods_and_send_futures_on_tokio() {
    let (obs, memory, _clock) = request();
    let api: std::sync::Arc<dyn Provisioner + Send + Sync> = std::sync::Arc::new(CloudflareApi);
    let task = {
        let obs = obs.clone();
        tokio::spawn(async move { api.provision(&obs, "job-9").await })
    };
    assert_eq!(task.await.unwrap(), Err(StepError("rate limited")));
    let messages: Vec<_> = memory
        .lines()
        .iter()
        .map(|line| line.message().unwrap_or_default())
        .collect();
    assert_eq!(messages, ["step started", "calling the API", "step failed"]);
    let failed = &memory.lines_with_message("step failed")[0];
    assert_eq!(failed.json()["error"], "rate limited");
    assert_eq!(failed.json()["jobId"], "job-9");
    let spans = memory.points_in("nno-core-ops-spans");
    assert_eq!(spans[0].blobs[4], "provision");
    assert_eq!(spans[0].blobs[5], "error");
    assert_eq!(spans[0].blobs[2], obs.span_id().to_string());
}

/// A step without a span keeps the caller's ids and writes in the attribute's service.
#[nno_instrument(service = "billing", fields(amount))]
async fn charge(obs: &Obs, amount: u64) -> Result<(), StepError> {
    tokio::task::yield_now().await;
    obs.info("charging", &[]);
    Ok(())
}

#[tokio::test]
async fn a_step_without_span_writes_in_its_service_with_the_callers_ids() {
    let (obs, memory, _clock) = request();
    charge(&obs, 1200).await.unwrap();
    assert_eq!(
        texts(&memory),
        [
            line(
                "info",
                "billing",
                "step started",
                r#","amount":1200,"step":"charge""#
            ),
            line("info", "gateway", "charging", ""),
            line(
                "info",
                "billing",
                "step completed",
                r#","amount":1200,"step":"charge","durationMs":0"#
            ),
        ]
    );
}

/// No context parameter: the process default telemetry, the attribute's service, no ids (the
/// seed's `createLogger(service)`). The only test of this binary that uses the process default.
#[nno_instrument(service = "billing", name = "invoice-run", fields(count))]
fn invoice_run(count: u32) -> Result<u32, StepError> {
    if count == 0 {
        return Err(StepError("nothing to invoice"));
    }
    Ok(count)
}

#[test]
fn a_step_without_context_writes_through_the_process_default() {
    let (telemetry, memory, _clock) = memory_telemetry(None);
    telemetry
        .install_default()
        .expect("no other test of this binary installs or uses the process default");
    invoice_run(3).unwrap();
    invoice_run(0).unwrap_err();
    let head = format!(r#"{{"timestamp":"{TS}","#);
    assert_eq!(
        texts(&memory),
        [
            format!(
                r#"{head}"level":"info","service":"billing","message":"step started","count":3,"step":"invoice-run"}}"#
            ),
            format!(
                r#"{head}"level":"info","service":"billing","message":"step completed","count":3,"step":"invoice-run","durationMs":0}}"#
            ),
            format!(
                r#"{head}"level":"info","service":"billing","message":"step started","count":0,"step":"invoice-run"}}"#
            ),
            format!(
                r#"{head}"level":"error","service":"billing","message":"step failed","count":0,"step":"invoice-run","durationMs":0,"error":"nothing to invoice"}}"#
            ),
        ]
    );
}
