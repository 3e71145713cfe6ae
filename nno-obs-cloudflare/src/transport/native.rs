//! Blocking HTTPS with ureq (rustls), for native programs.

use crate::api::{ApiRequest, ApiResponse, Method};
use crate::client::Transport;
use crate::secret::Secret;
use std::time::Duration;

/// Sends requests with ureq, blocking the calling thread, with one timeout for the whole call.
///
/// ```
/// use nno_obs_cloudflare::NativeTransport;
/// use std::time::Duration;
///
/// let transport = NativeTransport::new("http://127.0.0.1:9", Duration::from_secs(5));
/// assert_eq!(transport.base_url(), "http://127.0.0.1:9");
/// ```
pub struct NativeTransport {
    base_url: String,
    agent: ureq::Agent,
}

impl NativeTransport {
    /// Cloudflare's API, with a 30 s timeout.
    pub fn cloudflare() -> Self {
        Self::new(super::CLOUDFLARE_API, Duration::from_secs(30))
    }

    /// Another base URL (a test server) and timeout.
    pub fn new(base_url: &str, timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            // Error statuses are answers to parse (their envelope names the error), not
            // transport failures.
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            agent,
        }
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn send_blocking(
        &self,
        request: ApiRequest,
        token: &Secret,
    ) -> Result<ApiResponse, ureq::Error> {
        let url = format!("{}{}", self.base_url, request.path);
        // An empty token sends no `Authorization` header: webhooks (Slack, PagerDuty's Events
        // API) carry their credential in the URL or the body, not in a bearer token.
        let authorization =
            (!token.expose().is_empty()).then(|| format!("Bearer {}", token.expose()));
        let content_type = request.content_type.unwrap_or("application/json");
        let response = match (request.method, request.body) {
            (Method::Get, _) => {
                let mut builder = self.agent.get(&url);
                if let Some(value) = &authorization {
                    builder = builder.header("Authorization", value);
                }
                builder.call()
            }
            (Method::Delete, _) => {
                let mut builder = self.agent.delete(&url);
                if let Some(value) = &authorization {
                    builder = builder.header("Authorization", value);
                }
                builder.call()
            }
            (method, body) => {
                let mut builder = match method {
                    Method::Put => self.agent.put(&url),
                    _ => self.agent.post(&url),
                };
                if let Some(value) = &authorization {
                    builder = builder.header("Authorization", value);
                }
                builder
                    .header("Content-Type", content_type)
                    .send(body.unwrap_or_default())
            }
        };
        let mut response = response?;
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_vec()?;
        Ok(ApiResponse { status, body })
    }
}

impl Transport for NativeTransport {
    async fn send(&self, request: ApiRequest, token: &Secret) -> Result<ApiResponse, String> {
        self.send_blocking(request, token)
            .map_err(|error| error.to_string())
    }
}
