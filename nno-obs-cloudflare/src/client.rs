//! The calls provisioning makes: Logpush jobs (create, list, update, delete), an R2 bucket,
//! its lifecycle rules. Generic over the [`Transport`] that carries them (natively
//! [`crate::NativeTransport`], in a Worker `WorkerTransport`).

use crate::api::{self, ApiRequest, ApiResponse, Error, Method};
use crate::logpush::{JobInfo, LogpushJob};
use crate::r2::{is_valid_bucket_name, Lifecycle};
use crate::secret::Secret;
use serde::de::DeserializeOwned;
use std::future::Future;

/// Carries one request to the API and brings back the answer. Implementations add the
/// `Authorization: Bearer` header from `token` (none for an empty token: webhooks carry their
/// credential in the URL or the body) and the request's `Content-Type` (JSON unless it says
/// otherwise) for a body, and never log or return the token.
pub trait Transport {
    /// Sends `request`; `Err` only when no answer came (the text says why).
    fn send(
        &self,
        request: ApiRequest,
        token: &Secret,
    ) -> impl Future<Output = Result<ApiResponse, String>>;
}

/// A client for one account.
///
/// ```no_run
/// # async fn demo() -> Result<(), nno_obs_cloudflare::Error> {
/// use nno_obs_cloudflare::{Client, NativeTransport, Secret};
///
/// let client = Client::new(
///     NativeTransport::cloudflare(),
///     "0123456789abcdef0123456789abcdef",
///     Secret::new(std::env::var("CF_API_TOKEN").unwrap_or_default()),
/// )?;
/// for job in client.list_logpush_jobs().await? {
///     println!("{} {:?}", job.id, job.name);
/// }
/// # Ok(()) }
/// ```
pub struct Client<T> {
    transport: T,
    account_id: String,
    token: Secret,
}

impl<T: Transport> Client<T> {
    /// A client for account `account_id` (32 hex digits) with API token `token`.
    pub fn new(transport: T, account_id: &str, token: Secret) -> Result<Self, Error> {
        if !api::is_valid_account_id(account_id) {
            return Err(Error::InvalidArgument {
                detail: "the account id must be 32 lowercase hex digits".to_owned(),
            });
        }
        Ok(Self {
            transport,
            account_id: account_id.to_owned(),
            token,
        })
    }

    /// `POST /accounts/{id}/logpush/jobs`.
    pub async fn create_logpush_job(&self, job: &LogpushJob) -> Result<JobInfo, Error> {
        let path = format!("/accounts/{}/logpush/jobs", self.account_id);
        self.call_for(Method::Post, path, Some(job.to_json(true)))
            .await
    }

    /// `GET /accounts/{id}/logpush/jobs`.
    pub async fn list_logpush_jobs(&self) -> Result<Vec<JobInfo>, Error> {
        let path = format!("/accounts/{}/logpush/jobs", self.account_id);
        self.call_for(Method::Get, path, None).await
    }

    /// `PUT /accounts/{id}/logpush/jobs/{job_id}` (fields not given are reset by the API, so
    /// the whole job is sent).
    pub async fn update_logpush_job(
        &self,
        job_id: u64,
        job: &LogpushJob,
    ) -> Result<JobInfo, Error> {
        let path = format!("/accounts/{}/logpush/jobs/{job_id}", self.account_id);
        self.call_for(Method::Put, path, Some(job.to_json(true)))
            .await
    }

    /// `DELETE /accounts/{id}/logpush/jobs/{job_id}`.
    pub async fn delete_logpush_job(&self, job_id: u64) -> Result<(), Error> {
        let path = format!("/accounts/{}/logpush/jobs/{job_id}", self.account_id);
        self.call::<serde_json::Value>(Method::Delete, path, None)
            .await
            .map(drop)
    }

    /// `POST /accounts/{id}/r2/buckets` `{"name": bucket}`.
    pub async fn create_bucket(&self, bucket: &str) -> Result<(), Error> {
        check_bucket(bucket)?;
        let path = format!("/accounts/{}/r2/buckets", self.account_id);
        let body = serde_json::json!({ "name": bucket });
        self.call::<serde_json::Value>(Method::Post, path, Some(body))
            .await
            .map(drop)
    }

    /// `PUT /accounts/{id}/r2/buckets/{bucket}/lifecycle` (replaces the bucket's rules).
    pub async fn put_lifecycle(&self, bucket: &str, lifecycle: &Lifecycle) -> Result<(), Error> {
        check_bucket(bucket)?;
        let path = format!(
            "/accounts/{}/r2/buckets/{bucket}/lifecycle",
            self.account_id
        );
        let body = serde_json::to_value(lifecycle).unwrap_or_default();
        self.call::<serde_json::Value>(Method::Put, path, Some(body))
            .await
            .map(drop)
    }

    async fn call_for<R: DeserializeOwned>(
        &self,
        method: Method,
        path: String,
        body: Option<serde_json::Value>,
    ) -> Result<R, Error> {
        self.call(method, path, body)
            .await?
            .ok_or_else(|| Error::Decode {
                detail: "the envelope has no result".to_owned(),
            })
    }

    async fn call<R: DeserializeOwned>(
        &self,
        method: Method,
        path: String,
        body: Option<serde_json::Value>,
    ) -> Result<Option<R>, Error> {
        let request = ApiRequest {
            method,
            path,
            body: body.map(|body| body.to_string().into_bytes()),
            content_type: None,
        };
        let response = self
            .transport
            .send(request, &self.token)
            .await
            .map_err(|detail| Error::Transport {
                detail: self.token.redact(&detail),
            })?;
        api::parse(&response, &self.token)
    }
}

fn check_bucket(bucket: &str) -> Result<(), Error> {
    if is_valid_bucket_name(bucket) {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            detail: format!("`{bucket}` is not a valid R2 bucket name"),
        })
    }
}
