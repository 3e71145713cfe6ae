//! Golden tests: every wire format, byte for byte, against the seed.

use nno_obs::{
    fields, job, sink::MemorySink, Binding, CoreOpRecord, DataPoint, JobRef, LogLevel, Obs,
    OpOutcome, PerfRecord, SpanOutcome, SpanRecord, Telemetry,
};
use nno_obs_tests::{memory_telemetry, SEED_TIME_MS};
use serde::Serialize;

const TS: &str = "2026-02-22T10:34:00.123Z";

fn seed_obs(telemetry: Telemetry, service: &str) -> Obs {
    Obs::from_headers(
        telemetry,
        service.to_owned(),
        &[("x-trace-id", "tr_abc123"), ("x-request-id", "req-1")],
    )
}

fn point_json(point: &DataPoint<'_>) -> String {
    let mut json = Vec::new();
    point.write_json(&mut json);
    String::from_utf8(json).unwrap()
}

fn captured_json(memory: &MemorySink, dataset: &str) -> Vec<String> {
    memory
        .points_in(dataset)
        .iter()
        .map(|p| {
            let blobs: Vec<&str> = p.blobs.iter().map(String::as_str).collect();
            let mut point = DataPoint::new();
            for blob in &blobs {
                point.push_blob(blob);
            }
            for double in &p.doubles {
                point.push_double(*double);
            }
            if let Some(index) = &p.index {
                point.set_index(index);
            }
            point_json(&point)
        })
        .collect()
}

#[test]
fn log_line_with_trace_ids_and_fields() {
    let (telemetry, memory, _) = memory_telemetry(None);
    let obs = seed_obs(telemetry, "registry");
    obs.info(
        "resource created",
        fields! { resourceType: "platform", resourceId: "p-1", platformId: "k3m9p2xw7q" },
    );
    assert_eq!(
        memory.lines()[0].text,
        format!(
            concat!(
                r#"{{"timestamp":"{}","level":"info","service":"registry","traceId":"tr_abc123","#,
                r#""requestId":"req-1","message":"resource created","resourceType":"platform","#,
                r#""resourceId":"p-1","platformId":"k3m9p2xw7q"}}"#
            ),
            TS
        )
    );
}

#[test]
fn log_line_without_ids_omits_the_keys() {
    let (telemetry, memory, _) = memory_telemetry(None);
    telemetry.logger("registry").warn(
        "query timeout",
        fields! { query: "SELECT 1", durationMs: 612 },
    );
    assert_eq!(
        memory.lines()[0].text,
        format!(
            r#"{{"timestamp":"{TS}","level":"warn","service":"registry","message":"query timeout","query":"SELECT 1","durationMs":612}}"#
        )
    );
}

#[test]
fn every_level_is_written_with_its_name() {
    let (telemetry, memory, _) = memory_telemetry(None);
    let logger = telemetry.logger("iam");
    logger.info("m", &[]);
    logger.warn("m", &[]);
    logger.error("m", &[]);
    logger.debug("m", &[]);
    let lines = memory.lines();
    let levels: Vec<LogLevel> = lines.iter().map(|line| line.level).collect();
    assert_eq!(
        levels,
        [
            LogLevel::Info,
            LogLevel::Warn,
            LogLevel::Error,
            LogLevel::Debug
        ]
    );
    for (line, name) in lines.iter().zip(["info", "warn", "error", "debug"]) {
        assert_eq!(
            line.text,
            format!(r#"{{"timestamp":"{TS}","level":"{name}","service":"iam","message":"m"}}"#)
        );
    }
}

#[derive(Serialize)]
struct Actor {
    id: &'static str,
    roles: Vec<&'static str>,
}

#[test]
fn field_values_of_every_kind() {
    let (telemetry, memory, _) = memory_telemetry(None);
    let none: Option<u32> = None;
    let actor = Actor {
        id: "u-1",
        roles: vec!["admin"],
    };
    telemetry.logger("auth").info(
        "kinds",
        fields! {
            text: "t\"q\n",
            owned: String::from("s"),
            int: -42i64,
            unsigned: 18_446_744_073_709_551_615u64,
            float: 1.5,
            whole: 2.0,
            nan: f64::NAN,
            inf: f64::INFINITY,
            yes: true,
            none: none,
            some: Some(3),
            list: [1, 2],
            actor: actor,
        },
    );
    assert_eq!(
        memory.lines()[0].text,
        format!(
            concat!(
                r#"{{"timestamp":"{}","level":"info","service":"auth","message":"kinds","#,
                r#""text":"t\"q\n","owned":"s","int":-42,"unsigned":18446744073709551615,"#,
                r#""float":1.5,"whole":2,"nan":null,"inf":null,"yes":true,"none":null,"some":3,"#,
                r#""list":[1,2],"actor":{{"id":"u-1","roles":["admin"]}}}}"#
            ),
            TS
        )
    );
}

#[test]
fn extra_fields_never_overwrite_core_keys() {
    let (telemetry, memory, _) = memory_telemetry(None);
    let obs = seed_obs(telemetry.clone(), "registry");
    obs.info(
        "real",
        fields! {
            timestamp: "forged",
            level: "error",
            service: "evil",
            traceId: "forged",
            requestId: "forged",
            message: "forged",
            Level: "kept as is",
        },
    );
    assert_eq!(
        memory.lines()[0].text,
        format!(
            concat!(
                r#"{{"timestamp":"{}","level":"info","service":"registry","traceId":"tr_abc123","#,
                r#""requestId":"req-1","message":"real","data.timestamp":"forged","data.level":"error","#,
                r#""data.service":"evil","data.traceId":"forged","data.requestId":"forged","#,
                r#""data.message":"forged","Level":"kept as is"}}"#
            ),
            TS
        )
    );
    assert_eq!(telemetry.stats().renamed_fields, 6);
    // Without trace ids set, a `traceId` field still cannot pose as one.
    telemetry
        .logger("registry")
        .info("m", fields! { traceId: "forged" });
    let json = memory.lines()[1].json();
    assert!(json.get("traceId").is_none());
    assert_eq!(json["data.traceId"], "forged");
}

#[test]
fn an_unserializable_field_becomes_null_and_is_counted() {
    use std::collections::BTreeMap;
    let (telemetry, memory, _) = memory_telemetry(None);
    let bad: BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into_iter().collect();
    telemetry
        .logger("registry")
        .info("m", fields! { bad: bad, after: 1 });
    assert_eq!(
        memory.lines()[0].text,
        format!(
            r#"{{"timestamp":"{TS}","level":"info","service":"registry","message":"m","bad":null,"after":1}}"#
        )
    );
    assert_eq!(telemetry.stats().field_errors, 1);
}

#[test]
fn span_point_of_a_child_span() {
    let (telemetry, memory, clock) = memory_telemetry(Some("k3m9p2xw7q"));
    let obs = seed_obs(telemetry, "provisioning");
    let step = obs.child("create-d1").start_span();
    clock.advance(250);
    let span_id = step.obs().span_id().to_string();
    step.end(SpanOutcome::Error);
    let point = &memory.points_in("nno-core-ops-spans")[0];
    assert_eq!(
        point.blobs,
        [
            "tr_abc123",
            span_id.as_str(),
            &obs.span_id().to_string(),
            "provisioning",
            "create-d1",
            "error",
            "k3m9p2xw7q"
        ]
    );
    assert_eq!(point.doubles, [250.0, 1.0]);
    assert_eq!(point.index.as_deref(), Some("tr_abc123"));
    assert_eq!(point.timestamp_ms, SEED_TIME_MS + 250);
}

#[test]
fn span_point_wire_form() {
    let point = DataPoint::span(&SpanRecord {
        trace_id: "tr_abc123",
        span_id: "00f067aa0ba902b7",
        parent_span_id: Some("b7ad6b7169203331"),
        service: "provisioning",
        operation: "create-d1",
        start_ms: 1_000,
        end_ms: 1_045,
        outcome: SpanOutcome::Ok,
        platform_id: None,
        job: None,
    });
    assert_eq!(
        point_json(&point),
        concat!(
            r#"{"blobs":["tr_abc123","00f067aa0ba902b7","b7ad6b7169203331","provisioning","create-d1","ok","nno-internal"],"#,
            r#""doubles":[45,0],"indexes":["tr_abc123"]}"#
        )
    );
}

#[test]
fn job_span_point_wire_form_appends_job_id_and_operation() {
    let job = JobRef {
        job_id: "job-prov-0001",
        operation: "PROVISION_PLATFORM",
    };
    let point = DataPoint::span(&SpanRecord {
        trace_id: "tr_abc123",
        span_id: "00f067aa0ba902b7",
        parent_span_id: Some("b7ad6b7169203331"),
        service: "provisioning",
        operation: "run-job",
        start_ms: 1_000,
        end_ms: 661_000,
        outcome: SpanOutcome::Error,
        platform_id: Some("k3m9p2xw7q"),
        job: Some(job),
    });
    assert_eq!(
        point_json(&point),
        concat!(
            r#"{"blobs":["tr_abc123","00f067aa0ba902b7","b7ad6b7169203331","provisioning","run-job","error","k3m9p2xw7q","job-prov-0001","PROVISION_PLATFORM"],"#,
            r#""doubles":[660000,1],"indexes":["tr_abc123"]}"#
        )
    );
    // The positions readers use are the ones written.
    assert_eq!(point.blobs()[job::SPAN_JOB_ID_BLOB - 1], "job-prov-0001");
    assert_eq!(
        point.blobs()[job::SPAN_JOB_OPERATION_BLOB - 1],
        "PROVISION_PLATFORM"
    );
}

#[test]
fn job_core_ops_point_wire_form_appends_job_id() {
    let point = DataPoint::core_op(&CoreOpRecord {
        service: "provisioning",
        operation: "ACTIVATE_FEATURE",
        outcome: OpOutcome::Success,
        platform_id: Some("k3m9p2xw7q"),
        duration_ms: 42_000,
        job_id: Some("job-act-0007"),
    });
    assert_eq!(
        point_json(&point),
        r#"{"blobs":["provisioning","ACTIVATE_FEATURE","success","k3m9p2xw7q","job-act-0007"],"doubles":[1,42000,0],"indexes":["provisioning"]}"#
    );
    assert_eq!(point.blobs()[job::CORE_OP_JOB_ID_BLOB - 1], "job-act-0007");
}

#[test]
fn a_job_writes_started_then_its_span_and_core_ops_points() {
    let (telemetry, memory, clock) = memory_telemetry(None);
    let obs = seed_obs(telemetry, "provisioning").with_platform_id("k3m9p2xw7q");
    let job = obs
        .child("run-job")
        .start_job("job-prov-0001", "PROVISION_PLATFORM");
    let job_span = job.obs().span_id().to_string();
    clock.advance(1_500);
    job.end(SpanOutcome::Ok);
    let parent = obs.span_id().to_string();
    assert_eq!(
        captured_json(&memory, "nno-core-ops-spans"),
        [
            format!(
                r#"{{"blobs":["tr_abc123","{job_span}","{parent}","provisioning","run-job","started","k3m9p2xw7q","job-prov-0001","PROVISION_PLATFORM"],"doubles":[0,0],"indexes":["tr_abc123"]}}"#
            ),
            format!(
                r#"{{"blobs":["tr_abc123","{job_span}","{parent}","provisioning","run-job","ok","k3m9p2xw7q","job-prov-0001","PROVISION_PLATFORM"],"doubles":[1500,0],"indexes":["tr_abc123"]}}"#
            ),
        ]
    );
    assert_eq!(
        captured_json(&memory, "nno-core-ops"),
        [
            r#"{"blobs":["provisioning","PROVISION_PLATFORM","success","k3m9p2xw7q","job-prov-0001"],"doubles":[1,1500,0],"indexes":["provisioning"]}"#
        ]
    );
}

#[test]
fn perf_point_wire_form() {
    let record = PerfRecord {
        feature_id: "analytics",
        endpoint: "GET /api/data",
        status: 200,
        entity_id: "r8n4t6y1z5",
        duration_ms: 45,
    };
    assert_eq!(
        point_json(&DataPoint::perf(&record)),
        r#"{"blobs":["analytics","GET /api/data","200","r8n4t6y1z5"],"doubles":[1,45,0],"indexes":["analytics"]}"#
    );
    let failed = PerfRecord {
        status: 500,
        ..record
    };
    assert_eq!(DataPoint::perf(&failed).doubles(), [1.0, 45.0, 1.0]);
    let almost = PerfRecord {
        status: 499,
        ..record
    };
    assert_eq!(DataPoint::perf(&almost).doubles(), [1.0, 45.0, 0.0]);
}

#[test]
fn perf_point_through_obs_goes_to_the_platform_dataset() {
    let (telemetry, memory, _) = memory_telemetry(Some("k3m9p2xw7q"));
    let obs = seed_obs(telemetry, "analytics").with_entity_id("r8n4t6y1z5");
    assert!(obs.record_perf("analytics", "POST /api/data/export", 503, 12));
    assert_eq!(
        captured_json(&memory, "k3m9p2xw7q-perf"),
        [
            r#"{"blobs":["analytics","POST /api/data/export","503","r8n4t6y1z5"],"doubles":[1,12,1],"indexes":["analytics"]}"#
        ]
    );
}

#[test]
fn core_ops_point_wire_form() {
    for (outcome, text, flag) in [
        (OpOutcome::Success, "success", 0),
        (OpOutcome::Error, "error", 1),
        (OpOutcome::Timeout, "timeout", 1),
    ] {
        let point = DataPoint::core_op(&CoreOpRecord {
            service: "registry",
            operation: "GET /platforms",
            outcome,
            platform_id: None,
            duration_ms: 12,
            job_id: None,
        });
        assert_eq!(
            point_json(&point),
            format!(
                r#"{{"blobs":["registry","GET /platforms","{text}","nno-internal"],"doubles":[1,12,{flag}],"indexes":["registry"]}}"#
            )
        );
    }
}

#[test]
fn metric_point_keeps_the_callers_label_order() {
    // As the TypeScript writer's `Object.values(labels)`: the same call from either lands its
    // labels in the same blob positions.
    let labels = [("route", "/api/data"), ("method", "GET"), ("zone", "eu")];
    assert_eq!(
        point_json(&DataPoint::metric("gateway.request.count", 1.0, &labels)),
        r#"{"blobs":["gateway.request.count","/api/data","GET","eu"],"doubles":[1],"indexes":["gateway.request.count"]}"#
    );
}

#[test]
fn usage_point_wire_form() {
    let point = DataPoint::usage(&nno_obs::UsageRecord {
        feature_id: "analytics",
        entity_id: "r8n4t6y1z5",
        metric: nno_obs::UsageRecord::INVOCATIONS,
        units: 1.0,
    });
    assert_eq!(
        point_json(&point),
        r#"{"blobs":["analytics","r8n4t6y1z5","invocations"],"doubles":[1],"indexes":["analytics"]}"#
    );
}

#[test]
fn auth_event_point_wire_form() {
    use nno_obs::{AuthEvent, AuthEventRecord, AuthResult};
    let events = [
        (AuthEvent::Login, "login"),
        (AuthEvent::Logout, "logout"),
        (AuthEvent::SessionCreated, "session-created"),
        (AuthEvent::SessionInvalidated, "session-invalidated"),
        (AuthEvent::TwoFactor, "2fa"),
        (AuthEvent::PermissionDenied, "permission-denied"),
    ];
    for (event, text) in events {
        for (result, result_text, flag) in [
            (AuthResult::Success, "success", 0),
            (AuthResult::Failure, "failure", 1),
        ] {
            let point = DataPoint::auth_event(&AuthEventRecord {
                platform_id: "k3m9p2xw7q",
                event,
                method: "passkey",
                result,
                duration_ms: 31,
            });
            assert_eq!(
                point_json(&point),
                format!(
                    r#"{{"blobs":["k3m9p2xw7q","{text}","passkey","{result_text}"],"doubles":[1,31,{flag}],"indexes":["k3m9p2xw7q"]}}"#
                )
            );
        }
    }
}

#[test]
fn build_point_wire_form() {
    use nno_obs::{BuildOutcome, BuildRecord};
    for (outcome, text, flag) in [
        (BuildOutcome::Success, "success", 0),
        (BuildOutcome::Failure, "failure", 1),
        (BuildOutcome::Canceled, "canceled", 0),
    ] {
        let point = DataPoint::build(&BuildRecord {
            platform_id: "k3m9p2xw7q",
            build_id: "b-0a1b2c",
            outcome,
            trigger: "feature-activation",
            duration_ms: 93_000,
        });
        assert_eq!(
            point_json(&point),
            format!(
                r#"{{"blobs":["k3m9p2xw7q","b-0a1b2c","{text}","feature-activation"],"doubles":[1,93000,{flag}],"indexes":["k3m9p2xw7q"]}}"#
            )
        );
    }
}

#[test]
fn every_dataset_has_its_binding() {
    let names: Vec<_> = Binding::ALL
        .iter()
        .map(|binding| {
            (
                binding.binding_name(),
                binding.dataset_name(Some("k3m9p2xw7q")).into_owned(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("ANALYTICS", "nno-core-ops".to_owned()),
            ("SPANS", "nno-core-ops-spans".to_owned()),
            ("PERF", "k3m9p2xw7q-perf".to_owned()),
            ("USAGE", "k3m9p2xw7q-usage".to_owned()),
            ("AUTH_EVENTS", "nno-auth-events".to_owned()),
            ("BUILDS", "nno-builds".to_owned()),
            // Seed §1.4: `env?: { NNO_METRICS?: AnalyticsDataset }`.
            ("NNO_METRICS", "nno_metrics".to_owned()),
        ]
    );
    assert_eq!(Binding::Metrics.aliases(), ["METRICS"]);
}

#[test]
fn record_metric_with_a_binding_writes_the_point() {
    let (telemetry, memory, _) = memory_telemetry(None);
    let dataset = telemetry.dataset(Binding::Metrics).unwrap();
    nno_obs::record_metric(
        "provisioning.job.duration",
        1234.5,
        &[("operation", "PROVISION_PLATFORM")],
        Some(dataset),
    );
    assert_eq!(
        captured_json(&memory, "nno_metrics"),
        [
            r#"{"blobs":["provisioning.job.duration","PROVISION_PLATFORM"],"doubles":[1234.5],"indexes":["provisioning.job.duration"]}"#
        ]
    );
    assert!(memory.lines().is_empty());
}

#[test]
fn record_metric_without_a_binding_prints_the_development_line() {
    let memory = MemorySink::new();
    let telemetry = Telemetry::builder()
        .log_sink(memory.clone())
        .clock(nno_obs::clock::Clock::manual(SEED_TIME_MS))
        .build();
    let obs = Obs::detached(telemetry, "gateway");
    obs.record_metric(
        "gateway.request.count",
        1.0,
        &[("route", "/api/data"), ("method", "GET")],
    );
    let lines = memory.lines();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].level, LogLevel::Info);
    assert_eq!(
        lines[0].text,
        format!(
            r#"{{"metric":"gateway.request.count","value":1,"labels":{{"route":"/api/data","method":"GET"}},"timestamp":"{TS}"}}"#
        )
    );
    assert!(memory.points().is_empty());
}

#[test]
fn a_failing_dataset_never_fails_the_caller() {
    struct Broken;
    impl nno_obs::sink::PointSink for Broken {
        fn write_point(&self, _: &str, _: u64, _: &DataPoint<'_>) -> std::io::Result<()> {
            Err(std::io::Error::other("binding gone"))
        }
    }
    let dataset = nno_obs::Dataset::new("nno_metrics", Broken);
    nno_obs::record_metric("m", 1.0, &[], Some(&dataset));
    nno_obs::emit_span(
        &dataset,
        &SpanRecord {
            trace_id: "t",
            span_id: "s",
            parent_span_id: None,
            service: "x",
            operation: "y",
            start_ms: 0,
            end_ms: 0,
            outcome: SpanOutcome::Ok,
            platform_id: None,
            job: None,
        },
    );
    assert_eq!(dataset.stats().points_failed, 2);
    assert_eq!(dataset.stats().points_written, 0);
}

#[test]
fn outgoing_headers() {
    let (telemetry, _, _) = memory_telemetry(None);
    let uuid_trace = "4bf92f35-77b3-4da6-a3ce-929d0e0e4736";
    let obs = Obs::from_headers(
        telemetry.clone(),
        "gateway",
        &[("x-trace-id", uuid_trace), ("x-request-id", "req-1")],
    );
    let headers = obs.with_trace_headers(http::HeaderMap::new());
    assert_eq!(headers["x-trace-id"], uuid_trace);
    assert_eq!(headers["x-request-id"], "req-1");
    assert_eq!(
        headers["traceparent"],
        format!("00-4bf92f3577b34da6a3ce929d0e0e4736-{}-01", obs.span_id()).as_str()
    );

    // `tr_abc123` has no hex form: traceparent carries the W3C trace-id every NNO service
    // derives from it, and a forwarded stale one is replaced.
    let obs = seed_obs(telemetry, "gateway");
    let mut forwarded = http::HeaderMap::new();
    forwarded.insert(
        "traceparent",
        http::HeaderValue::from_static("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
    );
    let headers = obs.with_trace_headers(forwarded);
    assert_eq!(headers["x-trace-id"], "tr_abc123");
    let derived = String::from_utf8(nno_obs::trace::w3c_trace_id("tr_abc123").to_vec()).unwrap();
    assert_eq!(
        headers["traceparent"],
        format!("00-{derived}-{}-01", obs.span_id()).as_str()
    );
}

#[test]
fn a_call_between_two_services_chains_their_spans_whatever_the_trace_id() {
    for trace in ["tr_abc123", "4bf92f35-77b3-4da6-a3ce-929d0e0e4736"] {
        let (telemetry, _, _) = memory_telemetry(None);
        let gateway = Obs::from_headers(telemetry.clone(), "gateway", &[("x-trace-id", trace)]);
        let call = gateway.child("GET registry");
        let outgoing = call.with_trace_headers(http::HeaderMap::new());
        let registry = Obs::from_headers(telemetry, "registry", &outgoing);
        assert_eq!(registry.trace_id(), trace);
        assert_eq!(registry.parent_span_id(), Some(call.span_id()), "{trace}");
    }
    // A foreign caller's traceparent in another trace does not parent our span.
    let (telemetry, _, _) = memory_telemetry(None);
    let foreign = Obs::from_headers(
        telemetry,
        "registry",
        &[
            ("x-trace-id", "tr_abc123"),
            (
                "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ),
        ],
    );
    assert_eq!(foreign.parent_span_id(), None);
}

#[test]
fn an_incoming_traceparent_parents_the_root_span() {
    let (telemetry, _, _) = memory_telemetry(None);
    let obs = Obs::from_headers(
        telemetry,
        "gateway",
        &[(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )],
    );
    assert_eq!(obs.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(
        obs.parent_span_id().map(|id| id.to_string()).as_deref(),
        Some("00f067aa0ba902b7")
    );
}

#[test]
fn nested_children_chain_parent_ids_under_one_trace() {
    let (telemetry, memory, _) = memory_telemetry(None);
    let root = seed_obs(telemetry, "provisioning");
    let job = root.child("provision-platform").start_span();
    let step = job.obs().child("create-d1").start_span();
    let step_id = step.obs().span_id();
    step.end(SpanOutcome::Ok);
    let job_id = job.obs().span_id();
    job.end(SpanOutcome::Ok);
    let points = memory.points_in("nno-core-ops-spans");
    assert_eq!(points.len(), 2);
    assert_eq!(points[0].blobs[1], step_id.to_string());
    assert_eq!(points[0].blobs[2], job_id.to_string());
    assert_eq!(points[1].blobs[1], job_id.to_string());
    assert_eq!(points[1].blobs[2], root.span_id().to_string());
    assert!(points.iter().all(|p| p.blobs[0] == "tr_abc123"));
}

#[test]
fn a_dropped_span_is_emitted_as_an_error() {
    let (telemetry, memory, _) = memory_telemetry(None);
    let root = seed_obs(telemetry, "provisioning");
    drop(root.child("cancelled").start_span());
    assert_eq!(memory.points_in("nno-core-ops-spans")[0].blobs[5], "error");
}
