//! The HTTP seam under the S3 source: one request out, its answer back. Natively
//! [`crate::NativeHttp`] (ureq, feature `native`), in a Worker `WorkerHttp` (its `fetch`,
//! feature `worker`); tests script answers with a closure.

use std::future::Future;
use std::pin::Pin;

/// An HTTP method the S3 source uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    /// `GET`.
    Get,
    /// `HEAD`.
    Head,
    /// `PUT`.
    Put,
    /// `DELETE`.
    Delete,
}

impl HttpMethod {
    /// The method's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Head => "HEAD",
            HttpMethod::Put => "PUT",
            HttpMethod::Delete => "DELETE",
        }
    }
}

/// A request: an absolute URL, its headers (the transport adds `Host` from the URL and
/// `Content-Length` from the body, never others), a body for `PUT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: HttpMethod,
    /// The absolute URL, already encoded.
    pub url: String,
    /// Headers, `(name, value)`.
    pub headers: Vec<(String, String)>,
    /// The body (`PUT`).
    pub body: Vec<u8>,
}

/// An answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status.
    pub status: u16,
    /// The body (empty for `HEAD`).
    pub body: Vec<u8>,
}

/// A boxed future of an answer (not `Send`: a Worker's fetch is not).
pub type HttpFuture<'a> = Pin<Box<dyn Future<Output = Result<HttpResponse, String>> + 'a>>;

/// Sends one request. `Err` only when no answer came (the text says why, and never holds a
/// header's value); an error status is an answer.
///
/// ```
/// use nno_obs_cloudflare::s3::http::{HttpClient, HttpFuture, HttpRequest, HttpResponse};
///
/// struct Teapot;
/// impl HttpClient for Teapot {
///     fn send(&self, _request: HttpRequest) -> HttpFuture<'_> {
///         Box::pin(async { Ok(HttpResponse { status: 418, body: Vec::new() }) })
///     }
/// }
/// ```
pub trait HttpClient {
    /// Sends `request`.
    fn send(&self, request: HttpRequest) -> HttpFuture<'_>;
}
