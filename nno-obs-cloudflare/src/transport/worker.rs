//! workers-rs' `Fetch`, for provisioning running in a Worker.

use crate::api::{ApiRequest, ApiResponse, Method};
use crate::client::Transport;
use crate::secret::Secret;

/// Sends requests with the Worker's `fetch`. Workers bound every subrequest's time themselves.
pub struct WorkerTransport {
    base_url: String,
}

impl WorkerTransport {
    /// Cloudflare's API.
    pub fn cloudflare() -> Self {
        Self::new(super::CLOUDFLARE_API)
    }

    /// Another base URL.
    pub fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }

    async fn fetch(&self, request: ApiRequest, token: &Secret) -> worker::Result<ApiResponse> {
        let headers = worker::Headers::new();
        // An empty token sends no `Authorization` header (webhooks carry their credential in
        // the URL or the body).
        if !token.expose().is_empty() {
            headers.set("Authorization", &format!("Bearer {}", token.expose()))?;
        }
        let mut init = worker::RequestInit::new();
        init.with_method(match request.method {
            Method::Get => worker::Method::Get,
            Method::Post => worker::Method::Post,
            Method::Put => worker::Method::Put,
            Method::Delete => worker::Method::Delete,
        });
        if let Some(body) = request.body {
            headers.set(
                "Content-Type",
                request.content_type.unwrap_or("application/json"),
            )?;
            init.with_body(Some(
                worker::js_sys::Uint8Array::from(body.as_slice()).into(),
            ));
        }
        init.with_headers(headers);
        let url = format!("{}{}", self.base_url, request.path);
        let outgoing = worker::Request::new_with_init(&url, &init)?;
        let mut response = worker::Fetch::Request(outgoing).send().await?;
        Ok(ApiResponse {
            status: response.status_code(),
            body: response.bytes().await?,
        })
    }
}

impl Transport for WorkerTransport {
    async fn send(&self, request: ApiRequest, token: &Secret) -> Result<ApiResponse, String> {
        self.fetch(request, token)
            .await
            .map_err(|error| error.to_string())
    }
}
