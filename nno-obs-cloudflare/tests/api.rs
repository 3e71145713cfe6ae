//! The client against a local HTTP server on a real socket, which checks every request the
//! way Cloudflare's API documents it and answers with v4 envelopes.

use nno_obs_cloudflare::logpush::LogpushJob;
use nno_obs_cloudflare::r2::Lifecycle;
use nno_obs_cloudflare::{Client, Error, NativeTransport, R2Destination, Secret};
use nno_obs_testkit::{Answer, Received, Receiver};
use serde_json::Value;
use std::net::TcpListener;
use std::time::Duration;

const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";
const TOKEN: &str = "cf-token-s3cr3t";

/// Serves `answers` in order (then 599 to anything unexpected) and hands out what it saw.
fn serve(answers: Vec<Answer>) -> (String, Receiver) {
    let receiver = Receiver::start(answers, Answer::text(599, "unexpected request"));
    (format!("{}/client/v4", receiver.url()), receiver)
}

fn ok(result: &str) -> Answer {
    Answer::json(
        200,
        format!(r#"{{"success":true,"errors":[],"messages":[],"result":{result}}}"#),
    )
}

fn client(base: &str) -> Client<NativeTransport> {
    let transport = NativeTransport::new(base, Duration::from_millis(800));
    Client::new(transport, ACCOUNT, Secret::new(TOKEN)).unwrap()
}

fn platform_job() -> LogpushJob {
    let r2 = R2Destination::new(
        "nno-logs-k3m9p2xw7q",
        ACCOUNT,
        "AKID",
        Secret::new("r2-s3cr3t"),
    );
    LogpushJob::platform("k3m9p2xw7q", r2)
}

fn assert_authorized(seen: &Received) {
    assert_eq!(
        seen.header("authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
}

#[test]
fn create_list_update_delete_a_logpush_job() {
    let job_result =
        r#"{"id":42,"name":"nno-logs-k3m9p2xw7q","dataset":"workers_trace_events","enabled":true}"#;
    let (base, seen) = serve(vec![
        ok(job_result),
        ok(&format!("[{job_result}]")),
        ok(job_result),
        ok(r#"{}"#),
    ]);
    let client = client(&base);
    let created = pollster::block_on(client.create_logpush_job(&platform_job())).unwrap();
    assert_eq!(created.id, 42);

    let request = seen.recv();
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.path,
        format!("/client/v4/accounts/{ACCOUNT}/logpush/jobs")
    );
    assert_authorized(&request);
    assert_eq!(request.header("content-type"), Some("application/json"));
    let body = request.json();
    assert_eq!(body["dataset"], "workers_trace_events");
    assert_eq!(body["enabled"], true);
    // The filter is a JSON document in a string, with "operator" (not the seed's "op").
    let filter: Value = serde_json::from_str(body["filter"].as_str().unwrap()).unwrap();
    assert_eq!(
        filter,
        serde_json::json!({"where": {"and": [{"key": "ScriptName", "operator": "startsWith", "value": "k3m9p2xw7q-"}]}})
    );
    // The R2 secret goes to Cloudflare, and only there.
    assert_eq!(
        body["destination_conf"],
        format!("r2://nno-logs-k3m9p2xw7q/{{DATE}}?account-id={ACCOUNT}&access-key-id=AKID&secret-access-key=r2-s3cr3t")
    );
    assert_eq!(body["output_options"]["output_type"], "ndjson");
    assert!(body["output_options"]["field_names"]
        .as_array()
        .unwrap()
        .iter()
        .any(|field| field == "Logs"));
    assert!(body.get("logpull_options").is_none());

    let jobs = pollster::block_on(client.list_logpush_jobs()).unwrap();
    assert_eq!(jobs.len(), 1);
    let request = seen.recv();
    assert_eq!((request.method.as_str(), request.body.len()), ("GET", 0));
    assert_authorized(&request);

    pollster::block_on(client.update_logpush_job(42, &platform_job())).unwrap();
    let request = seen.recv();
    assert_eq!(request.method, "PUT");
    assert_eq!(
        request.path,
        format!("/client/v4/accounts/{ACCOUNT}/logpush/jobs/42")
    );
    assert_eq!(request.json()["dataset"], "workers_trace_events");

    pollster::block_on(client.delete_logpush_job(42)).unwrap();
    let request = seen.recv();
    assert_eq!(request.method, "DELETE");
    assert_eq!(
        request.path,
        format!("/client/v4/accounts/{ACCOUNT}/logpush/jobs/42")
    );
}

#[test]
fn create_a_bucket_and_put_its_lifecycle() {
    let (base, seen) = serve(vec![ok(r#"{"name":"nno-logs-k3m9p2xw7q"}"#), ok("null")]);
    let client = client(&base);
    pollster::block_on(client.create_bucket("nno-logs-k3m9p2xw7q")).unwrap();
    let request = seen.recv();
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.path,
        format!("/client/v4/accounts/{ACCOUNT}/r2/buckets")
    );
    assert_eq!(
        request.json(),
        serde_json::json!({"name": "nno-logs-k3m9p2xw7q"})
    );

    pollster::block_on(
        client.put_lifecycle("nno-logs-k3m9p2xw7q", &Lifecycle::delete_after_days(30)),
    )
    .unwrap();
    let request = seen.recv();
    assert_eq!(request.method, "PUT");
    assert_eq!(
        request.path,
        format!("/client/v4/accounts/{ACCOUNT}/r2/buckets/nno-logs-k3m9p2xw7q/lifecycle")
    );
    let rule = &request.json()["rules"][0];
    assert_eq!(
        rule["deleteObjectsTransition"]["condition"]["maxAge"],
        2_592_000
    );
    assert_eq!(rule["deleteObjectsTransition"]["condition"]["type"], "Age");
}

#[test]
fn a_cloudflare_error_is_typed_and_never_shows_the_token() {
    let denied = format!(
        r#"{{"success":false,"errors":[{{"code":10000,"message":"Authentication error for {TOKEN}"}}],"messages":[],"result":null}}"#
    );
    let (base, _seen) = serve(vec![Answer::json(403, denied)]);
    let error = pollster::block_on(client(&base).list_logpush_jobs()).unwrap_err();
    match &error {
        Error::Api { status, errors } => {
            assert_eq!(*status, 403);
            assert_eq!(errors[0].code, 10000);
        }
        other => panic!("{other:?}"),
    }
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains(TOKEN), "{text}");
    }
}

#[test]
fn a_page_without_an_envelope_is_an_http_error() {
    let (base, _seen) = serve(vec![Answer::json(502, "<html>Bad gateway</html>")]);
    let error = pollster::block_on(client(&base).list_logpush_jobs()).unwrap_err();
    assert_eq!(
        error,
        Error::Http {
            status: 502,
            excerpt: "<html>Bad gateway</html>".to_owned()
        }
    );
}

#[test]
fn a_silent_server_times_out_and_a_closed_port_is_a_transport_error() {
    let (base, _seen) = serve(vec![Answer::Hang]);
    let error = pollster::block_on(client(&base).list_logpush_jobs()).unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");

    // A port nobody listens on.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let error = pollster::block_on(client(&base).list_logpush_jobs()).unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(!error.to_string().contains(TOKEN));
}

#[test]
fn arguments_that_would_change_the_path_are_refused_before_sending() {
    let transport = NativeTransport::new("http://127.0.0.1:9", Duration::from_millis(100));
    assert!(matches!(
        Client::new(transport, "../../zones/x", Secret::new(TOKEN)),
        Err(Error::InvalidArgument { .. })
    ));
    // No server: an invalid bucket never reaches the transport.
    let client = client("http://127.0.0.1:9");
    for bucket in ["../other", "nno_logs", "NNO-LOGS", ""] {
        let error = pollster::block_on(client.create_bucket(bucket)).unwrap_err();
        assert!(
            matches!(error, Error::InvalidArgument { .. }),
            "{bucket}: {error:?}"
        );
    }
}
