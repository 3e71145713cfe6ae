//! The `nno-logging` Worker (seed §10; `nno-logging-prod`, a core service): NNO
//! Observability's read API (`../shared/API.md`) over R2 (the Logpush buckets), the Analytics
//! Engine SQL API and KV — every route answered by `nno_obs_api::Api::handle`, the same library
//! `nno-obs serve` serves over the local store — and the console's pages
//! (`nno_obs_console::Console::serve`, the same routing as `nno-obs serve`).
//!
//! | module | what |
//! |---|---|
//! | [`r2`] | an R2 binding as the log search's object source |
//! | [`buckets`] | each log bucket through its binding, or R2's S3 API when it has none |
//! | [`engine`] | the SQL API engine from `CF_ACCOUNT_ID` and `CF_ANALYTICS_READ_TOKEN` |
//! | [`records`] | the Registry copy, alert state and platform list from KV |
//! | [`notifications`] | the queue consumer: a new object's index sidecar, from R2's event notification |
//! | [`cron`] | the alerting cron (seed §6): measure, evaluate, deliver once, state in KV |
//!
//! Bindings: `INTERNAL_LOGS` (R2, `nno-logs-internal`); for each platform id listed in the
//! var `LOG_PLATFORMS` (comma-separated), the R2 binding `LOGS_{platformId}` of
//! `nno-logs-{platformId}`; every other platform of the Registry copy through R2's S3 API
//! with the secrets `R2_ACCESS_KEY_ID` and `R2_SECRET_ACCESS_KEY` ([`buckets`]); the KV
//! namespace `OBSERVABILITY_STATE`; the secret `OBSERVABILITY_JWT_SECRET` that signs and
//! verifies tokens, cursors and links. A signed download link (`/logs/object`) streams the
//! object as stored (from R2 or through the S3 API), never held whole.

pub mod buckets;
pub mod cron;
pub mod engine;
pub mod notifications;
pub mod r2;
pub mod records;

use buckets::LogBucket;
use nno_obs::{fields, nno_handler, Obs, Telemetry};
use nno_obs_api::handlers::logs::{object_headers, open_link};
use nno_obs_api::handlers::PREFIX;
use nno_obs_api::jwt::JwtSecret;
use nno_obs_api::source::{SourceBackend, SourceLimits};
use nno_obs_api::{http, Api, ApiError};
use nno_obs_console::Console;
use nno_obs_logs::source::check_key;
use nno_obs_store::layout::{Bucket, PlatformId};
use r2::R2Source;
use worker::{
    event, Context, Env, Headers, MessageBatch, MessageExt, Method, Request, Response,
    ResponseBuilder, Result, ScheduleContext, ScheduledEvent,
};

/// The internal log bucket's binding (seed §10).
pub const INTERNAL_LOGS: &str = "INTERNAL_LOGS";
/// The var listing the platforms whose log buckets are bound (`LOGS_{platformId}` each).
pub const LOG_PLATFORMS: &str = "LOG_PLATFORMS";
/// The secret of the API's tokens, cursors and download links.
pub const JWT_SECRET: &str = "OBSERVABILITY_JWT_SECRET";

// The API's routes, then the console's pages (`nno_obs_console::routes`), most specific first:
// each request's endpoint (perf point, span) is the first route its path matches.
#[nno_handler(
    service = "logging",
    routes(
        "/api/observability/*rest",
        "/login",
        "/observability-console.css",
        "/internal/observability/traces/:traceId",
        "/internal/observability/*page",
        "/platforms/:platformId/observability/traces/:traceId",
        "/platforms/:platformId/observability/*page",
        "/platforms/:platformId/logs",
        "/platforms/*rest"
    )
)]
#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context, obs: Obs) -> Result<Response> {
    let Some(secret) = env
        .secret(JWT_SECRET)
        .ok()
        .and_then(|s| JwtSecret::new(s.to_string().into_bytes()))
    else {
        obs.error("OBSERVABILITY_JWT_SECRET is not set", fields! {});
        return answer(&req.method(), unavailable("the API's secret"));
    };
    let url = req.url()?;
    let method = req.method();
    let path = url.path();
    let query = url.query().unwrap_or("");
    let backend = backend(&env).await;
    if path == format!("{PREFIX}/logs/object") && matches!(method, Method::Get | Method::Head) {
        return download(&backend, &secret, query, &method).await;
    }
    let authorization = req.headers().get("authorization")?;
    let cookie = req.headers().get("cookie")?;
    let api = Api::new(backend, secret);
    // A console page when the path is one (the same decision as `nno-obs serve`), else the API.
    let response = Console::serve(
        &api,
        &http::Request {
            method: method.as_ref(),
            path,
            query,
            authorization: authorization.as_deref(),
            cookie: cookie.as_deref(),
            secure: url.scheme() == "https",
        },
    )
    .await;
    if response.status >= 500 {
        obs.warn(
            "read API unavailable",
            fields! { status: response.status, path: path },
        );
    }
    answer(&method, response)
}

/// R2 event notifications of new Logpush objects (queue `nno-logs-objects`): each object's
/// sidecar is built; a message is retried only when R2 failed.
#[event(queue)]
async fn queue(batch: MessageBatch<serde_json::Value>, env: Env, _ctx: Context) -> Result<()> {
    let backend = backend(&env).await;
    for message in batch.messages()? {
        match notifications::handle(&backend, message.body().clone()).await {
            notifications::Disposition::Ack => message.ack(),
            notifications::Disposition::Retry => message.retry(),
        }
    }
    Ok(())
}

/// The alerting cron (`* * * * *`, seed §6): one alert run at the event's scheduled time, so
/// a delayed or retried invocation evaluates the minute it was meant for.
#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let obs = Obs::detached(Telemetry::from_env(&env), "logging");
    // A time before 1970 (never sent by the runtime) reads as 0, not a panic.
    let at_ms = event.schedule().max(0.0) as u64;
    // The runtime's scheduled event is the cron's check: the operator's scope is its due.
    let operator = nno_obs_access::scheduled::operator(&event);
    cron::alerts(&env, at_ms, &operator, &obs).await;
}

/// The API over this Worker's bindings, and the S3 API for platforms without one.
async fn backend(env: &Env) -> SourceBackend<LogBucket> {
    let records = records::KvRecords::new(env.kv(records::KV_BINDING).ok());
    let clock = Box::new(|| worker::Date::now().as_millis());
    let mut backend = SourceBackend::new(engine::from_env(env), Box::new(records), clock)
        .with_limits(SourceLimits::WORKER);
    if let Ok(bucket) = env.bucket(INTERNAL_LOGS) {
        backend = backend.with_bucket(Bucket::Internal, LogBucket::Binding(R2Source::new(bucket)));
    }
    let platforms = env
        .var(LOG_PLATFORMS)
        .map(|v| v.to_string())
        .unwrap_or_default();
    for id in platforms
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
    {
        // Only a valid platform id names a binding (and a bucket).
        let Ok(platform) = PlatformId::parse(id) else {
            continue;
        };
        if let Ok(bucket) = env.bucket(&format!("LOGS_{id}")) {
            backend = backend.with_bucket(
                Bucket::Platform(platform),
                LogBucket::Binding(R2Source::new(bucket)),
            );
        }
    }
    buckets::with_s3_buckets(backend, env).await
}

/// `/logs/object`: checks the signed link as the API does, then streams the object from R2.
async fn download(
    backend: &SourceBackend<LogBucket>,
    secret: &JwtSecret,
    query: &str,
    method: &Method,
) -> Result<Response> {
    let now_ms = worker::Date::now().as_millis();
    let object = match open_link(query, secret, now_ms) {
        Ok(object) => object,
        Err(error) => return answer(method, error_response(&error)),
    };
    let gone = || error_response(&ApiError::not_found("the object is gone (past retention?)"));
    let Some(source) = backend
        .source(&object.bucket)
        .filter(|_| check_key(&object.key).is_ok())
    else {
        return answer(method, gone());
    };
    let Some(found) = source.open(&object.key, *method == Method::Get).await? else {
        return answer(method, gone());
    };
    let headers = Headers::new();
    for (name, value) in object_headers(&object.key) {
        headers.set(name, &value)?;
    }
    headers.set("content-length", &found.size.to_string())?;
    let builder = ResponseBuilder::new()
        .with_status(200)
        .with_headers(headers);
    match found.body {
        Some(body) => Ok(builder.body(body)),
        None => Ok(builder.empty()),
    }
}

fn error_response(error: &ApiError) -> http::Response {
    http::Response::json(error.status(), error.body())
}

fn unavailable(what: &str) -> http::Response {
    error_response(&ApiError::unavailable(what))
}

/// The API's answer as a Worker response (no body for `HEAD`).
fn answer(method: &Method, response: http::Response) -> Result<Response> {
    let headers = Headers::new();
    for (name, value) in &response.headers {
        headers.append(name, value)?;
    }
    let builder = ResponseBuilder::new()
        .with_status(response.status)
        .with_headers(headers);
    Ok(match method {
        Method::Head => builder.empty(),
        _ => builder.fixed(response.body),
    })
}
