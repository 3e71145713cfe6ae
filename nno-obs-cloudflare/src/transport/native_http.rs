//! Plain HTTP(S) requests with ureq (rustls), blocking, for the S3 source natively.

use crate::s3::http::{HttpClient, HttpFuture, HttpMethod, HttpRequest, HttpResponse};
use std::time::Duration;

/// Sends the S3 source's requests with ureq, blocking the calling thread, one timeout per call.
///
/// ```
/// use nno_obs_cloudflare::NativeHttp;
/// use std::time::Duration;
///
/// let http = NativeHttp::new(Duration::from_secs(30));
/// # let _ = http;
/// ```
pub struct NativeHttp {
    agent: ureq::Agent,
}

impl NativeHttp {
    /// A client whose calls time out after `timeout`.
    pub fn new(timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            // Error statuses are answers (404 is a missing object), not transport failures.
            .http_status_as_error(false)
            .build()
            .into();
        Self { agent }
    }

    fn send_blocking(&self, request: HttpRequest) -> Result<HttpResponse, ureq::Error> {
        let response = match request.method {
            HttpMethod::Get | HttpMethod::Head | HttpMethod::Delete => {
                let mut builder = match request.method {
                    HttpMethod::Head => self.agent.head(&request.url),
                    HttpMethod::Delete => self.agent.delete(&request.url),
                    _ => self.agent.get(&request.url),
                };
                for (name, value) in &request.headers {
                    builder = builder.header(name, value);
                }
                builder.call()
            }
            HttpMethod::Put => {
                let mut builder = self.agent.put(&request.url);
                for (name, value) in &request.headers {
                    builder = builder.header(name, value);
                }
                builder.send(&request.body[..])
            }
        };
        let mut response = response?;
        let status = response.status().as_u16();
        // Objects are read whole by `get`: no cap below the object's own size (ureq's default
        // caps a body at 10 MB).
        let body = match request.method {
            HttpMethod::Head => Vec::new(),
            _ => response
                .body_mut()
                .with_config()
                .limit(u64::MAX)
                .read_to_vec()?,
        };
        Ok(HttpResponse { status, body })
    }
}

impl HttpClient for NativeHttp {
    fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
        Box::pin(async move {
            // ureq's errors name the URL and the failure, never a header's value.
            self.send_blocking(request)
                .map_err(|error| error.to_string())
        })
    }
}
