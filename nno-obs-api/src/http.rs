//! The host-neutral request and response: what a host hands the API and sends back. A host
//! maps its HTTP stack's types to these and back, and does nothing else with a request.

/// What the API reads of an HTTP request.
#[derive(Clone, Debug, Default)]
pub struct Request<'a> {
    /// `GET`, `HEAD`, …
    pub method: &'a str,
    /// The path as received (percent-encoded), e.g. `/api/observability/logs`.
    pub path: &'a str,
    /// The query string without `?` (empty when none).
    pub query: &'a str,
    /// The `Authorization` header.
    pub authorization: Option<&'a str>,
    /// The `Cookie` header.
    pub cookie: Option<&'a str>,
    /// Whether the host is reached off loopback (the session cookie is then `Secure`).
    pub secure: bool,
}

/// An answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The status.
    pub status: u16,
    /// Headers (`content-type` always among them).
    pub headers: Vec<(&'static str, String)>,
    /// The body (a host drops it for `HEAD`).
    pub body: Vec<u8>,
}

/// `application/json; charset=utf-8`.
pub const JSON: &str = "application/json; charset=utf-8";

impl Response {
    /// A JSON answer.
    pub fn json(status: u16, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: vec![
                ("content-type", JSON.to_owned()),
                ("cache-control", "no-store".to_owned()),
            ],
            body,
        }
    }

    /// The value of header `name` (lowercase), if set.
    ///
    /// ```
    /// let response = nno_obs_api::http::Response::json(200, b"{}".to_vec());
    /// assert_eq!(response.header("content-type"), Some("application/json; charset=utf-8"));
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }
}
