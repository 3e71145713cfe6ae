//! The Cloudflare v4 API without I/O: requests as values, and the `{success, errors,
//! messages, result}` envelope of every answer parsed into a result or a typed error.

use crate::secret::Secret;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::fmt;

/// An HTTP method the client uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// The method's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// A request to the API, relative to its base URL (`https://api.cloudflare.com/client/v4`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiRequest {
    /// The method.
    pub method: Method,
    /// The path after the base URL, e.g. `/accounts/{id}/logpush/jobs`.
    pub path: String,
    /// A JSON body.
    pub body: Option<Vec<u8>>,
    /// The body's `Content-Type` when it is not JSON (the Analytics Engine SQL API takes the
    /// SQL as `text/plain`); `None` is `application/json`.
    pub content_type: Option<&'static str>,
}

/// What the server answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

/// One entry of an envelope's `errors` or `messages`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ApiMessage {
    /// Cloudflare's code, e.g. `10000` (authentication error).
    #[serde(default)]
    pub code: i64,
    /// The text.
    #[serde(default)]
    pub message: String,
}

/// Why a call failed. No variant ever holds the API token: texts from the server are passed
/// through [`Secret::redact`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Cloudflare answered `success: false` (or an error status with an envelope).
    Api {
        /// The HTTP status.
        status: u16,
        /// The envelope's `errors`.
        errors: Vec<ApiMessage>,
    },
    /// An error status without a v4 envelope (a proxy's page, an outage).
    Http {
        /// The HTTP status.
        status: u16,
        /// The first 200 bytes of the body, lossily decoded.
        excerpt: String,
    },
    /// A success status whose body is not the expected envelope.
    Decode {
        /// What did not parse.
        detail: String,
    },
    /// The request never got an answer (connection refused, DNS, TLS, timeout).
    Transport {
        /// What happened.
        detail: String,
    },
    /// An argument that cannot be sent (an account id or bucket name of the wrong form).
    InvalidArgument {
        /// Which and why.
        detail: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api { status, errors } => {
                write!(f, "Cloudflare API error (HTTP {status})")?;
                for (at, error) in errors.iter().enumerate() {
                    let sep = if at == 0 { ": " } else { "; " };
                    write!(f, "{sep}{} {}", error.code, error.message)?;
                }
                Ok(())
            }
            Error::Http { status, excerpt } => {
                write!(f, "HTTP {status} from the Cloudflare API: {excerpt}")
            }
            Error::Decode { detail } => {
                write!(f, "unexpected answer from the Cloudflare API: {detail}")
            }
            Error::Transport { detail } => write!(f, "cannot reach the Cloudflare API: {detail}"),
            Error::InvalidArgument { detail } => write!(f, "invalid argument: {detail}"),
        }
    }
}

impl std::error::Error for Error {}

#[derive(Deserialize)]
struct Envelope<T> {
    #[serde(default)]
    success: bool,
    #[serde(default)]
    errors: Vec<ApiMessage>,
    result: Option<T>,
}

/// Parses an answer: the envelope's `result` when `success` is true and the status is 2xx,
/// else the matching [`Error`], every server text redacted of `token`.
///
/// ```
/// use nno_obs_cloudflare::api::{parse, ApiResponse, Error};
/// use nno_obs_cloudflare::Secret;
///
/// let token = Secret::new("t0k3n");
/// let denied = ApiResponse {
///     status: 403,
///     body: br#"{"success":false,"errors":[{"code":10000,"message":"Authentication error"}],"messages":[],"result":null}"#.to_vec(),
/// };
/// let error = parse::<serde_json::Value>(&denied, &token).unwrap_err();
/// assert_eq!(error.to_string(), "Cloudflare API error (HTTP 403): 10000 Authentication error");
/// ```
pub fn parse<T: DeserializeOwned>(
    response: &ApiResponse,
    token: &Secret,
) -> Result<Option<T>, Error> {
    let ok_status = (200..300).contains(&response.status);
    match serde_json::from_slice::<Envelope<T>>(&response.body) {
        Ok(envelope) if envelope.success && ok_status => Ok(envelope.result),
        Ok(envelope) => Err(Error::Api {
            status: response.status,
            errors: envelope
                .errors
                .into_iter()
                .map(|error| ApiMessage {
                    code: error.code,
                    message: token.redact(&error.message),
                })
                .collect(),
        }),
        Err(error) if ok_status => Err(Error::Decode {
            detail: token.redact(&error.to_string()),
        }),
        Err(_) => Err(Error::Http {
            status: response.status,
            excerpt: token.redact(&excerpt(&response.body)),
        }),
    }
}

fn excerpt(body: &[u8]) -> String {
    let cut = &body[..body.len().min(200)];
    String::from_utf8_lossy(cut).into_owned()
}

/// Whether `id` looks like a Cloudflare account id (32 lowercase hex digits): it becomes part
/// of every path, so nothing else may.
pub fn is_valid_account_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> ApiResponse {
        ApiResponse {
            status,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_success_envelope_gives_its_result() {
        let ok = response(
            200,
            r#"{"success":true,"errors":[],"messages":[],"result":{"id":7}}"#,
        );
        let result: Option<serde_json::Value> = parse(&ok, &Secret::new("x")).unwrap();
        assert_eq!(result.unwrap()["id"], 7);
    }

    #[test]
    fn success_false_is_an_api_error_even_with_200() {
        let body = r#"{"success":false,"errors":[{"code":1004,"message":"DNS Validation Error"}],"messages":[],"result":null}"#;
        let error =
            parse::<serde_json::Value>(&response(200, body), &Secret::new("x")).unwrap_err();
        assert!(matches!(error, Error::Api { status: 200, ref errors } if errors[0].code == 1004));
    }

    #[test]
    fn a_proxy_page_is_an_http_error_with_an_excerpt() {
        let page = format!("<html>{}</html>", "x".repeat(500));
        let error =
            parse::<serde_json::Value>(&response(502, &page), &Secret::new("tok")).unwrap_err();
        match error {
            Error::Http { status, excerpt } => {
                assert_eq!(status, 502);
                assert_eq!(excerpt.len(), 200);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_echoed_token_is_redacted_everywhere() {
        let token = Secret::new("t0k3n-abc");
        let body =
            r#"{"success":false,"errors":[{"code":6003,"message":"Invalid token t0k3n-abc"}]}"#;
        let error = parse::<serde_json::Value>(&response(400, body), &token).unwrap_err();
        assert!(!error.to_string().contains("t0k3n-abc"), "{error}");
        assert!(!format!("{error:?}").contains("t0k3n-abc"));
        // Positive control: the rest of the server's message is there, the token replaced.
        assert!(
            format!("{error:?}").contains("Invalid token <redacted>"),
            "{error:?}"
        );
        let page = "bad token t0k3n-abc";
        let error = parse::<serde_json::Value>(&response(500, page), &token).unwrap_err();
        assert!(!error.to_string().contains("t0k3n-abc"), "{error}");
        assert!(
            matches!(&error, Error::Http { excerpt, .. } if excerpt == "bad token <redacted>"),
            "{error:?}"
        );
        // And another token is not what gets redacted: the text is carried as it is.
        let error =
            parse::<serde_json::Value>(&response(500, page), &Secret::new("other")).unwrap_err();
        assert!(
            matches!(&error, Error::Http { excerpt, .. } if excerpt == page),
            "{error:?}"
        );
    }

    #[test]
    fn account_ids_are_32_hex_digits() {
        assert!(is_valid_account_id("0123456789abcdef0123456789abcdef"));
        assert!(!is_valid_account_id("../../zones"));
        assert!(!is_valid_account_id("0123456789ABCDEF0123456789ABCDEF"));
    }
}
