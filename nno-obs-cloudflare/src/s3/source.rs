//! [`S3Source`]: one bucket of R2's S3-compatible API (or any S3 server) as the log search's
//! [`ObjectSource`], over an [`HttpClient`].

use super::http::{HttpClient, HttpMethod, HttpRequest, HttpResponse};
use super::sigv4::{self, Credentials, SignedRequest, EMPTY_SHA256};
use super::xml;
use crate::api::{is_valid_account_id, Error};
use crate::r2::is_valid_bucket_name;
use nno_obs_logs::source::{
    check_key, cut, Level, ObjectMeta, ObjectSource, SourceError, SourceErrorKind, SourceFuture,
};
use std::fmt;

/// Keys per ListObjectsV2 page: S3's and R2's maximum (and default).
pub const LIST_PAGE: u32 = 1000;
/// R2's region in the S3 API (`us-east-1` and empty alias to it).
pub const R2_REGION: &str = "auto";
/// The signing service name of the S3 API.
const SERVICE: &str = "s3";

/// Where and as whom one bucket is reached.
///
/// ```
/// use nno_obs_cloudflare::s3::{Credentials, S3Config};
/// use nno_obs_cloudflare::Secret;
///
/// let credentials = Credentials::new("AKID", Secret::new("s3cr3t"));
/// let config = S3Config::r2("0123456789abcdef0123456789abcdef", "nno-logs-k3m9p2xw7q", credentials.clone()).unwrap();
/// assert_eq!(config.endpoint(), "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com");
/// let local = config.with_endpoint("http://127.0.0.1:5000").unwrap();
/// assert_eq!(local.endpoint(), "http://127.0.0.1:5000");
/// assert!(S3Config::r2("nope", "nno-logs-k3m9p2xw7q", credentials.clone()).is_err());
/// assert!(S3Config::r2("0123456789abcdef0123456789abcdef", "../x", credentials).is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct S3Config {
    endpoint: String,
    host: String,
    bucket: String,
    region: String,
    credentials: Credentials,
}

impl S3Config {
    /// Bucket `bucket` of account `account_id` (32 hex digits) at R2's endpoint
    /// `https://{account_id}.r2.cloudflarestorage.com`, region `auto`.
    pub fn r2(account_id: &str, bucket: &str, credentials: Credentials) -> Result<Self, Error> {
        if !is_valid_account_id(account_id) {
            return Err(invalid("the account id must be 32 lowercase hex digits"));
        }
        if !is_valid_bucket_name(bucket) {
            return Err(invalid("not a bucket name"));
        }
        Self {
            endpoint: String::new(),
            host: String::new(),
            bucket: bucket.to_owned(),
            region: R2_REGION.to_owned(),
            credentials,
        }
        .with_endpoint(&format!("https://{account_id}.r2.cloudflarestorage.com"))
    }

    /// The same bucket at another endpoint, `http(s)://host[:port]` with no path (a local S3
    /// server in tests).
    pub fn with_endpoint(mut self, endpoint: &str) -> Result<Self, Error> {
        let endpoint = endpoint.trim_end_matches('/');
        let host = endpoint
            .strip_prefix("https://")
            .or_else(|| endpoint.strip_prefix("http://"))
            .filter(|host| {
                !host.is_empty()
                    && host
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
            })
            .ok_or_else(|| invalid("the endpoint must be http(s)://host[:port]"))?;
        self.host = host.to_owned();
        self.endpoint = endpoint.to_owned();
        Ok(self)
    }

    /// The same bucket in another region (R2's is `auto`).
    pub fn with_region(mut self, region: &str) -> Self {
        self.region = region.to_owned();
        self
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }
}

impl fmt::Debug for S3Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .finish()
    }
}

fn invalid(detail: &str) -> Error {
    Error::InvalidArgument {
        detail: detail.to_owned(),
    }
}

/// A clock: ms since the epoch (the signature's `x-amz-date`).
pub type Clock = Box<dyn Fn() -> u64>;

/// One bucket over the S3 API, path-style (`{endpoint}/{bucket}/{key}`), every request signed
/// with SigV4.
///
/// Bodyless requests sign the SHA-256 of the empty payload and a `PUT` the SHA-256 of its body
/// (never `UNSIGNED-PAYLOAD`): a sidecar is small, its hash costs nothing, and the signature
/// then covers the bytes written.
///
/// Answers map to [`SourceErrorKind`]: 404 is `Ok(None)` for a read, `Ok` for a delete (the
/// object is not there either way; `NotFound` for a listing),
/// 403 `Denied`, 5xx, 429 and no answer `Unavailable`; an error carries the status and S3's
/// error code, never the secret or the server's message.
///
/// ```
/// use nno_obs_cloudflare::s3::http::{HttpClient, HttpFuture, HttpRequest, HttpResponse};
/// use nno_obs_cloudflare::s3::{Credentials, S3Config, S3Source};
/// use nno_obs_cloudflare::Secret;
/// use nno_obs_logs::source::{now_or_never, ObjectSource, SourceErrorKind};
///
/// struct Forbidden;
/// impl HttpClient for Forbidden {
///     fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
///         assert!(request.headers.iter().any(|(name, value)| name == "authorization" && value.starts_with("AWS4-HMAC-SHA256 ")));
///         Box::pin(async { Ok(HttpResponse { status: 403, body: b"<Error><Code>AccessDenied</Code></Error>".to_vec() }) })
///     }
/// }
/// let config = S3Config::r2("0123456789abcdef0123456789abcdef", "nno-logs-k3m9p2xw7q",
///     Credentials::new("AKID", Secret::new("s3cr3t"))).unwrap();
/// let source = S3Source::new(Forbidden, config, Box::new(|| 1_771_756_440_000));
/// let error = now_or_never(source.get("20260222/a.log.gz")).unwrap().unwrap_err();
/// assert_eq!(error.kind(), SourceErrorKind::Denied);
/// assert_eq!(error.to_string(), "denied: GET: status 403 (AccessDenied)");
/// ```
pub struct S3Source<H> {
    http: H,
    config: S3Config,
    clock: Clock,
}

impl<H> fmt::Debug for S3Source<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Source")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<H> S3Source<H> {
    /// The bucket of `config`, reached over `http`, signing with the time of `clock`.
    pub fn new(http: H, config: S3Config, clock: Clock) -> Self {
        Self {
            http,
            config,
            clock,
        }
    }

    /// Its configuration.
    pub fn config(&self) -> &S3Config {
        &self.config
    }

    /// A signed `GET` or `HEAD` of object `key`, for a host that sends it itself (the Worker
    /// streams a download's body through instead of reading it here).
    ///
    /// ```
    /// use nno_obs_cloudflare::s3::http::HttpMethod;
    /// use nno_obs_cloudflare::s3::{Credentials, S3Config, S3Source};
    /// use nno_obs_cloudflare::Secret;
    ///
    /// let config = S3Config::r2("0123456789abcdef0123456789abcdef", "nno-logs-k3m9p2xw7q",
    ///     Credentials::new("AKID", Secret::new("s3cr3t"))).unwrap();
    /// let source = S3Source::new((), config, Box::new(|| 1_771_756_440_000));
    /// let request = source.signed_object_request(HttpMethod::Get, "20260222/a.log.gz").unwrap();
    /// assert!(request.url.ends_with("/nno-logs-k3m9p2xw7q/20260222/a.log.gz"));
    /// assert!(source.signed_object_request(HttpMethod::Get, "../x").is_err());
    /// ```
    pub fn signed_object_request(
        &self,
        method: HttpMethod,
        key: &str,
    ) -> Result<HttpRequest, SourceError> {
        check_key(key)?;
        self.sign(method, Some(key), "", None, Vec::new())
    }

    /// One request, signed. `key` is `None` for the bucket itself.
    fn sign(
        &self,
        method: HttpMethod,
        key: Option<&str>,
        query: &str,
        range: Option<String>,
        body: Vec<u8>,
    ) -> Result<HttpRequest, SourceError> {
        let mut path = format!("/{}", sigv4::uri_encode(&self.config.bucket, false));
        if let Some(key) = key {
            path.push('/');
            path.push_str(&sigv4::uri_encode(key, true));
        }
        let amz_date = sigv4::amz_date((self.clock)()).ok_or_else(|| {
            SourceError::new(SourceErrorKind::Unavailable, "the clock is out of range")
        })?;
        let payload_hash = if body.is_empty() {
            EMPTY_SHA256.to_owned()
        } else {
            sigv4::payload_hash(&body)
        };
        let mut headers: Vec<(String, String)> = vec![
            ("x-amz-content-sha256".to_owned(), payload_hash.clone()),
            ("x-amz-date".to_owned(), amz_date.clone()),
        ];
        if let Some(range) = range {
            headers.push(("range".to_owned(), range));
        }
        let mut signed: Vec<(&str, &str)> = vec![("host", self.config.host.as_str())];
        signed.extend(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let authorization = sigv4::authorization(
            &self.config.credentials,
            &self.config.region,
            SERVICE,
            &amz_date,
            &SignedRequest {
                method: method.as_str(),
                path: &path,
                query,
                headers: &signed,
                payload_hash: &payload_hash,
            },
        );
        headers.push(("authorization".to_owned(), authorization));
        let mut url = format!("{}{path}", self.config.endpoint);
        if !query.is_empty() {
            url.push('?');
            url.push_str(query);
        }
        Ok(HttpRequest {
            method,
            url,
            headers,
            body,
        })
    }
}

impl<H: HttpClient> S3Source<H> {
    /// Signs and sends one request. `key` is `None` for the bucket itself.
    async fn call(
        &self,
        method: HttpMethod,
        key: Option<&str>,
        query: &str,
        range: Option<String>,
        body: Vec<u8>,
    ) -> Result<HttpResponse, SourceError> {
        let request = self.sign(method, key, query, range, body)?;
        self.http.send(request).await.map_err(|why| {
            SourceError::new(
                SourceErrorKind::Unavailable,
                format!(
                    "{}: no answer: {}",
                    method.as_str(),
                    self.config.credentials.secret().redact(&why)
                ),
            )
        })
    }

    /// One listing page from `token`; with `one_level`, S3's `delimiter=/`.
    async fn list_page(
        &self,
        prefix: &str,
        one_level: bool,
        token: Option<&str>,
    ) -> Result<xml::ListPage, SourceError> {
        let max_keys = LIST_PAGE.to_string();
        let mut params = vec![("list-type", "2"), ("max-keys", max_keys.as_str())];
        if one_level {
            params.push(("delimiter", "/"));
        }
        if !prefix.is_empty() {
            params.push(("prefix", prefix));
        }
        if let Some(token) = token {
            params.push(("continuation-token", token));
        }
        let query = sigv4::canonical_query(&params);
        let response = self
            .call(HttpMethod::Get, None, &query, None, Vec::new())
            .await?;
        if response.status != 200 {
            return Err(status_error("list", &response));
        }
        xml::parse_list(&response.body).map_err(|why| {
            SourceError::new(
                SourceErrorKind::Unavailable,
                format!("list: an unreadable answer: {why}"),
            )
        })
    }
}

/// The error of an unexpected answer to `operation`.
fn status_error(operation: &str, response: &HttpResponse) -> SourceError {
    let kind = match response.status {
        403 => SourceErrorKind::Denied,
        404 => SourceErrorKind::NotFound,
        _ => SourceErrorKind::Unavailable,
    };
    let code = xml::error_code(&response.body)
        .map(|code| format!(" ({code})"))
        .unwrap_or_default();
    SourceError::new(
        kind,
        format!("{operation}: status {}{code}", response.status),
    )
}

/// The `Range` header of `len > 0` bytes from `offset` (the last byte is inclusive).
fn range_header(offset: u64, len: u64) -> String {
    let last = offset.saturating_add(len - 1);
    format!("bytes={offset}-{last}")
}

impl<H: HttpClient> S3Source<H> {
    /// Everything under `prefix` (or, with `one_level`, its level: objects directly under it
    /// and the folders below), page after page.
    async fn list_pages(&self, prefix: &str, one_level: bool) -> Result<Level, SourceError> {
        let mut level = Level::default();
        let mut token: Option<String> = None;
        loop {
            let page = self.list_page(prefix, one_level, token.as_deref()).await?;
            level.objects.extend(
                page.objects
                    .into_iter()
                    .filter(|object| object.key.starts_with(prefix)),
            );
            level.folders.extend(
                page.folders
                    .into_iter()
                    .filter(|folder| folder.starts_with(prefix) && folder.len() > prefix.len()),
            );
            if !page.truncated {
                break;
            }
            match page.next {
                // A token that does not move would list the same page forever.
                Some(next) if token.as_deref() != Some(next.as_str()) => token = Some(next),
                _ => {
                    return Err(SourceError::new(
                        SourceErrorKind::Unavailable,
                        "list: a truncated page without a new continuation token",
                    ))
                }
            }
        }
        // S3 lists in UTF-8 byte order already; sorted again so the order is the trait's
        // promise, not an assumption about the server.
        level.objects.sort_by(|a, b| a.key.cmp(&b.key));
        level.folders.sort();
        level.folders.dedup();
        Ok(level)
    }
}

impl<H: HttpClient> ObjectSource for S3Source<H> {
    fn list<'a>(&'a self, prefix: &'a str) -> SourceFuture<'a, Vec<ObjectMeta>> {
        Box::pin(async move { Ok(self.list_pages(prefix, false).await?.objects) })
    }

    /// One level with S3's `delimiter=/`: a ranged search lists the top level (the
    /// `{YYYYMMDD}/` folders) and then only the days its range can touch.
    fn list_level<'a>(&'a self, prefix: &'a str) -> SourceFuture<'a, Option<Level>> {
        Box::pin(async move { Ok(Some(self.list_pages(prefix, true).await?)) })
    }

    fn get<'a>(&'a self, key: &'a str) -> SourceFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            check_key(key)?;
            let response = self
                .call(HttpMethod::Get, Some(key), "", None, Vec::new())
                .await?;
            match response.status {
                200 => Ok(Some(response.body)),
                404 => Ok(None),
                _ => Err(status_error("GET", &response)),
            }
        })
    }

    fn get_range<'a>(
        &'a self,
        key: &'a str,
        offset: u64,
        len: u64,
    ) -> SourceFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            check_key(key)?;
            if len == 0 {
                // A range cannot be empty: an empty read of an object that exists is empty.
                let response = self
                    .call(HttpMethod::Head, Some(key), "", None, Vec::new())
                    .await?;
                return match response.status {
                    200 => Ok(Some(Vec::new())),
                    404 => Ok(None),
                    _ => Err(status_error("HEAD", &response)),
                };
            }
            let response = self
                .call(
                    HttpMethod::Get,
                    Some(key),
                    "",
                    Some(range_header(offset, len)),
                    Vec::new(),
                )
                .await?;
            match response.status {
                206 => Ok(Some(cut(response.body, 0, len))),
                200 => Ok(Some(cut(response.body, offset, len))),
                // The range starts at or past the object's end: nothing there.
                416 => Ok(Some(Vec::new())),
                404 => Ok(None),
                _ => Err(status_error("GET", &response)),
            }
        })
    }

    fn put<'a>(&'a self, key: &'a str, bytes: Vec<u8>) -> SourceFuture<'a, ()> {
        Box::pin(async move {
            check_key(key)?;
            // A PUT replaces the object whole: readers see the old bytes or the new.
            let response = self
                .call(HttpMethod::Put, Some(key), "", None, bytes)
                .await?;
            match response.status {
                200 => Ok(()),
                _ => Err(status_error("PUT", &response)),
            }
        })
    }

    /// DeleteObject. S3 answers 204 (R2 204 or 200) whether or not the object was there; a 404
    /// (some servers, or a bucket gone) is as good: the object is not there.
    fn delete<'a>(&'a self, key: &'a str) -> SourceFuture<'a, ()> {
        Box::pin(async move {
            check_key(key)?;
            let response = self
                .call(HttpMethod::Delete, Some(key), "", None, Vec::new())
                .await?;
            match response.status {
                200 | 204 | 404 => Ok(()),
                _ => Err(status_error("DELETE", &response)),
            }
        })
    }
}
