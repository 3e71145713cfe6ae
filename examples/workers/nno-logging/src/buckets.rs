//! Which source reads each log bucket: its R2 binding when the Worker has one (`INTERNAL_LOGS`,
//! `LOGS_{platformId}`), otherwise R2's S3-compatible API (`nno_obs_cloudflare::s3`) for every
//! platform of the Registry copy — a platform provisioned after this Worker was deployed is
//! readable at once, with no binding and no redeploy (docs/nno-logging.md, "Reaching
//! per-platform buckets").
//!
//! The S3 API needs the secrets [`ACCESS_KEY_ID`] and [`SECRET_ACCESS_KEY`] (an R2 API token
//! with Object Read & Write on the log buckets: write for the index sidecars) and the account
//! (`CF_ACCOUNT_ID`); without them only bound buckets are read. The var [`S3_ENDPOINT`]
//! replaces `https://{account}.r2.cloudflarestorage.com` (a local S3 server in tests).

use crate::engine::ACCOUNT_ID;
use crate::r2::R2Source;
use crate::records::{KvRecords, KV_BINDING};
use nno_obs_api::source::{HostRecords, SourceBackend};
use nno_obs_cloudflare::s3::http::HttpMethod;
use nno_obs_cloudflare::s3::{Credentials, S3Config, S3Source};
use nno_obs_cloudflare::{Secret, WorkerHttp};
use nno_obs_logs::source::{Level, ObjectMeta, ObjectSource, SourceFuture};
use nno_obs_store::layout::{Bucket, PlatformId};
use worker::{Env, ResponseBody};

/// The secret holding the R2 API token's access key id.
pub const ACCESS_KEY_ID: &str = "R2_ACCESS_KEY_ID";
/// The secret holding the R2 API token's secret access key.
pub const SECRET_ACCESS_KEY: &str = "R2_SECRET_ACCESS_KEY";
/// The var replacing R2's S3 endpoint (tests only).
pub const S3_ENDPOINT: &str = "R2_S3_ENDPOINT";

/// One log bucket, through its binding or the S3 API.
pub enum LogBucket {
    /// An R2 binding.
    Binding(R2Source),
    /// R2's S3 API.
    S3(S3Source<WorkerHttp>),
}

impl ObjectSource for LogBucket {
    fn list<'a>(&'a self, prefix: &'a str) -> SourceFuture<'a, Vec<ObjectMeta>> {
        match self {
            LogBucket::Binding(source) => source.list(prefix),
            LogBucket::S3(source) => source.list(prefix),
        }
    }

    /// Dispatched like the rest: without it the trait's default (`None`) made every ranged
    /// search list a whole bucket, though both sources list one level.
    fn list_level<'a>(&'a self, prefix: &'a str) -> SourceFuture<'a, Option<Level>> {
        match self {
            LogBucket::Binding(source) => source.list_level(prefix),
            LogBucket::S3(source) => source.list_level(prefix),
        }
    }

    fn get<'a>(&'a self, key: &'a str) -> SourceFuture<'a, Option<Vec<u8>>> {
        match self {
            LogBucket::Binding(source) => source.get(key),
            LogBucket::S3(source) => source.get(key),
        }
    }

    fn get_range<'a>(
        &'a self,
        key: &'a str,
        offset: u64,
        len: u64,
    ) -> SourceFuture<'a, Option<Vec<u8>>> {
        match self {
            LogBucket::Binding(source) => source.get_range(key, offset, len),
            LogBucket::S3(source) => source.get_range(key, offset, len),
        }
    }

    fn put<'a>(&'a self, key: &'a str, bytes: Vec<u8>) -> SourceFuture<'a, ()> {
        match self {
            LogBucket::Binding(source) => source.put(key, bytes),
            LogBucket::S3(source) => source.put(key, bytes),
        }
    }

    fn delete<'a>(&'a self, key: &'a str) -> SourceFuture<'a, ()> {
        match self {
            LogBucket::Binding(source) => source.delete(key),
            LogBucket::S3(source) => source.delete(key),
        }
    }
}

/// An object opened for a download: its size and, for a `GET`, its body as a stream (never
/// read whole here).
pub struct Opened {
    /// Its size in bytes.
    pub size: u64,
    /// Its body (`None` for a `HEAD`).
    pub body: Option<ResponseBody>,
}

impl LogBucket {
    /// Opens object `key` (a checked key); `None` when there is no such object.
    pub async fn open(&self, key: &str, with_body: bool) -> worker::Result<Option<Opened>> {
        match self {
            LogBucket::Binding(source) => {
                let Some(found) = source.bucket().get(key).execute().await? else {
                    return Ok(None);
                };
                let body = match (with_body, found.body()) {
                    (true, Some(body)) => Some(body.response_body()?),
                    _ => None,
                };
                Ok(Some(Opened {
                    size: found.size(),
                    body,
                }))
            }
            LogBucket::S3(source) => open_over_s3(source, key, with_body).await,
        }
    }
}

/// A signed `GET` (or `HEAD`) sent with the Worker's fetch, its body passed on as a stream.
async fn open_over_s3(
    source: &S3Source<WorkerHttp>,
    key: &str,
    with_body: bool,
) -> worker::Result<Option<Opened>> {
    let method = if with_body {
        HttpMethod::Get
    } else {
        HttpMethod::Head
    };
    let signed = source
        .signed_object_request(method, key)
        .map_err(|error| worker::Error::RustError(error.to_string()))?;
    let headers = worker::Headers::new();
    for (name, value) in &signed.headers {
        headers.set(name, value)?;
    }
    let mut init = worker::RequestInit::new();
    init.with_method(if with_body {
        worker::Method::Get
    } else {
        worker::Method::Head
    })
    .with_headers(headers);
    let request = worker::Request::new_with_init(&signed.url, &init)?;
    let response = worker::Fetch::Request(request).send().await?;
    match response.status_code() {
        200 => {}
        404 => return Ok(None),
        status => {
            return Err(worker::Error::RustError(format!(
                "S3 answered {status} to a download"
            )))
        }
    }
    let size = response
        .headers()
        .get("content-length")?
        .and_then(|length| length.parse().ok())
        .unwrap_or(0);
    let body = match (with_body, response.body()) {
        (true, ResponseBody::Stream(stream)) => Some(ResponseBody::Stream(stream.clone())),
        (true, ResponseBody::Body(bytes)) => Some(ResponseBody::Body(bytes.clone())),
        _ => None,
    };
    Ok(Some(Opened { size, body }))
}

/// What the S3 API needs, from the Worker's secrets and vars.
struct S3Access {
    account: String,
    credentials: Credentials,
    endpoint: Option<String>,
}

impl S3Access {
    /// `None` when a secret is missing: the Worker then reads its bound buckets only.
    fn from_env(env: &Env) -> Option<Self> {
        let account = env
            .secret(ACCOUNT_ID)
            .map(|s| s.to_string())
            .or_else(|_| env.var(ACCOUNT_ID).map(|v| v.to_string()))
            .ok()?;
        let id = env.secret(ACCESS_KEY_ID).ok()?.to_string();
        let secret = env.secret(SECRET_ACCESS_KEY).ok()?.to_string();
        let endpoint = env.var(S3_ENDPOINT).ok().map(|v| v.to_string());
        Some(Self {
            account,
            credentials: Credentials::new(id, Secret::new(secret)),
            endpoint,
        })
    }

    /// The source of `platform`'s bucket; `None` if the account or endpoint is malformed.
    fn source(&self, platform: &PlatformId) -> Option<S3Source<WorkerHttp>> {
        let mut config = S3Config::r2(
            &self.account,
            &platform.bucket_name(),
            self.credentials.clone(),
        )
        .ok()?;
        if let Some(endpoint) = &self.endpoint {
            config = config.with_endpoint(endpoint).ok()?;
        }
        let clock = Box::new(|| worker::Date::now().as_millis());
        Some(S3Source::new(WorkerHttp, config, clock))
    }
}

/// `backend` with, for each platform of the Registry copy whose bucket it has no binding for,
/// that bucket over the S3 API (when the S3 secrets are set; the Registry copy is one KV read).
pub async fn with_s3_buckets(
    mut backend: SourceBackend<LogBucket>,
    env: &Env,
) -> SourceBackend<LogBucket> {
    let Some(access) = S3Access::from_env(env) else {
        return backend;
    };
    let records = KvRecords::new(env.kv(KV_BINDING).ok());
    let Ok(registry) = records.registry().await else {
        return backend;
    };
    // Only a valid platform id names a bucket.
    for (platform, _) in registry.valid_platforms() {
        let Some(source) = access.source(&platform) else {
            continue;
        };
        let bucket = Bucket::Platform(platform);
        if backend.source(&bucket).is_none() {
            backend = backend.with_bucket(bucket, LogBucket::S3(source));
        }
    }
    backend
}
