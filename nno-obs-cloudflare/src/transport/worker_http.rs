//! Plain HTTP(S) requests with the Worker's `fetch`, for the S3 source in a Worker.

use crate::s3::http::{HttpClient, HttpFuture, HttpMethod, HttpRequest, HttpResponse};

/// Sends the S3 source's requests with workers-rs' `Fetch` (each one a subrequest). Workers
/// bound every subrequest's time themselves.
#[derive(Clone, Copy, Debug, Default)]
pub struct WorkerHttp;

impl WorkerHttp {
    async fn fetch(&self, request: HttpRequest) -> worker::Result<HttpResponse> {
        let headers = worker::Headers::new();
        for (name, value) in &request.headers {
            headers.set(name, value)?;
        }
        let mut init = worker::RequestInit::new();
        init.with_method(match request.method {
            HttpMethod::Get => worker::Method::Get,
            HttpMethod::Head => worker::Method::Head,
            HttpMethod::Put => worker::Method::Put,
            HttpMethod::Delete => worker::Method::Delete,
        });
        if request.method == HttpMethod::Put {
            init.with_body(Some(
                worker::js_sys::Uint8Array::from(request.body.as_slice()).into(),
            ));
        }
        init.with_headers(headers);
        let outgoing = worker::Request::new_with_init(&request.url, &init)?;
        let mut response = worker::Fetch::Request(outgoing).send().await?;
        let status = response.status_code();
        let body = match request.method {
            HttpMethod::Head => Vec::new(),
            _ => response.bytes().await?,
        };
        Ok(HttpResponse { status, body })
    }
}

impl HttpClient for WorkerHttp {
    fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
        Box::pin(async move { self.fetch(request).await.map_err(|error| error.to_string()) })
    }
}
