//! The SQL API client against a local HTTP server on a real socket, which checks each request
//! as Cloudflare's SQL API documents it and answers in its JSON format (or its errors).

use nno_obs_cloudflare::{Error, NativeTransport, Secret};
use nno_obs_query::client::SqlApi;
use nno_obs_query::questions::{FeatureStats, RequestsPerHour};
use nno_obs_query::{PlatformScope, QueryError, Question, TimeRange};
use nno_obs_store::layout::PlatformId;
use nno_obs_testkit::{Answer, Receiver};
use std::time::Duration;

const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";
const TOKEN: &str = "cf-analytics-t0ken";

/// Serves `answers` in order (then 599 to anything unexpected) and hands out what it saw.
fn serve(answers: Vec<Answer>) -> (String, Receiver) {
    let receiver = Receiver::start(answers, Answer::text(599, "unexpected request"));
    (format!("{}/client/v4", receiver.url()), receiver)
}

fn api(base: &str) -> SqlApi<NativeTransport> {
    SqlApi::new(
        NativeTransport::new(base, Duration::from_millis(800)),
        ACCOUNT,
        Secret::new(TOKEN),
    )
    .unwrap()
}

fn scope() -> PlatformScope {
    nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap())
}

fn range() -> TimeRange {
    TimeRange::new(1_771_754_400, 1_771_761_600).unwrap()
}

#[test]
fn a_question_is_posted_as_sql_and_its_json_answer_typed() {
    // As ClickHouse's JSON format writes it: UInt64 quoted, Float64 as numbers.
    let body = r#"{"meta":[{"name":"feature","type":"String"},{"name":"requests","type":"UInt64"},{"name":"errors","type":"Float64"},{"name":"avg_ms","type":"Float64"},{"name":"p50_ms","type":"Float64"},{"name":"p95_ms","type":"Float64"},{"name":"p99_ms","type":"Float64"}],
      "data":[{"feature":"analytics","requests":"1200","errors":12,"avg_ms":48.5,"p50_ms":40,"p95_ms":120,"p99_ms":300},
              {"feature":"auth","requests":"60","errors":0,"avg_ms":20,"p50_ms":18,"p95_ms":30,"p99_ms":31}],
      "rows":2,"rows_before_limit_at_least":2}"#;
    let (base, seen) = serve(vec![Answer::json(200, body.to_owned())]);
    let question = FeatureStats::new(&scope(), range());
    let rows = pollster::block_on(question.ask(&api(&base))).unwrap();
    let seen = seen.recv();
    assert_eq!(seen.method, "POST");
    assert_eq!(
        seen.path,
        format!("/client/v4/accounts/{ACCOUNT}/analytics_engine/sql")
    );
    assert_eq!(
        seen.header("authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
    assert_eq!(seen.header("content-type"), Some("text/plain"));
    assert_eq!(
        seen.body,
        format!("{} FORMAT JSON", question.plans()[0].sql())
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].feature, "analytics");
    assert_eq!(rows[0].requests, 1200);
    assert_eq!(rows[0].error_rate, Some(0.01));
    assert_eq!(rows[0].req_per_min, 10.0);
    assert_eq!(rows[1].p99_ms, Some(31.0));
}

#[test]
fn datetime_buckets_come_back_as_text() {
    let body =
        r#"{"meta":[],"data":[{"hour":"2026-02-22 11:00:00","requests":"5","errors":1}],"rows":1}"#;
    let (base, _seen) = serve(vec![Answer::json(200, body.to_owned())]);
    let question = RequestsPerHour::new(&scope(), range());
    let hours = pollster::block_on(question.ask(&api(&base))).unwrap();
    assert_eq!(hours.len(), 2);
    assert_eq!((hours[0].requests, hours[1].requests), (0, 5));
    assert_eq!(hours[1].hour, 1_771_758_000);
}

#[test]
fn errors_are_typed_and_never_carry_the_token() {
    let auth = format!(
        r#"{{"success":false,"errors":[{{"code":10000,"message":"Authentication error for {TOKEN}"}}],"messages":[],"result":null}}"#
    );
    let (base, _seen) = serve(vec![
        Answer::json(403, auth),
        Answer::json(
            422,
            format!("Code: 46. Unknown function quantileWeighted (token {TOKEN})"),
        ),
        Answer::json(200, "<html>not json</html>".to_owned()),
        Answer::json(200, r#"{"meta":[],"rows":0}"#.to_owned()),
        Answer::Hang,
    ]);
    let api = api(&base);
    let run = |sql: &str| pollster::block_on(api.query(sql));
    let errors = [
        run("SELECT 1"),
        run("SELECT 2"),
        run("SELECT 3"),
        run("SELECT 4"),
        run("SELECT 5"),
    ];
    assert!(
        matches!(&errors[0], Err(Error::Api { status: 403, errors }) if errors[0].code == 10000),
        "{:?}",
        errors[0]
    );
    assert!(
        matches!(&errors[1], Err(Error::Http { status: 422, excerpt }) if excerpt.contains("quantileWeighted")),
        "{:?}",
        errors[1]
    );
    assert!(
        matches!(&errors[2], Err(Error::Decode { .. })),
        "{:?}",
        errors[2]
    );
    assert!(
        matches!(&errors[3], Err(Error::Decode { .. })),
        "{:?}",
        errors[3]
    );
    assert!(
        matches!(&errors[4], Err(Error::Transport { .. })),
        "{:?}",
        errors[4]
    );
    for error in &errors {
        let error = error.as_ref().unwrap_err();
        assert!(!error.to_string().contains(TOKEN), "{error}");
        assert!(!format!("{error:?}").contains(TOKEN), "{error:?}");
    }
}

#[test]
fn an_engine_error_is_a_query_error_without_the_token() {
    let (base, _seen) = serve(vec![Answer::json(500, format!("boom {TOKEN}"))]);
    let question = FeatureStats::new(&scope(), range());
    let error = pollster::block_on(question.ask(&api(&base))).unwrap_err();
    assert!(
        matches!(&error, QueryError::Engine { detail } if detail.contains("HTTP 500") && !detail.contains(TOKEN)),
        "{error:?}"
    );
}

#[test]
fn an_answer_without_the_plans_columns_is_a_shape_error() {
    let (base, _seen) = serve(vec![Answer::json(
        200,
        r#"{"meta":[],"data":[{"feature":"a"}],"rows":1}"#.to_owned(),
    )]);
    let question = FeatureStats::new(&scope(), range());
    let error = pollster::block_on(question.ask(&api(&base))).unwrap_err();
    assert!(matches!(error, QueryError::Shape { .. }), "{error:?}");
}
