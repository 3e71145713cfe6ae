//! The API's errors: a status, a stable code and a message (`../shared/API.md`, "Errors").
//!
//! Every error is `{"error": {"code": "...", "message": "..."}}`. Messages name the parameter
//! at fault and never echo a token, a secret, a signature or an engine's own text (an engine
//! failure is logged by the host, answered as a plain 503).

use serde::Serialize;
use std::fmt;

/// The kinds of error, each with its status and code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400 `bad_request`: a parameter is missing, unknown, repeated or invalid.
    BadRequest,
    /// 400 `bad_cursor`: a cursor that is not this host's, or not for this query and caller.
    BadCursor,
    /// 401 `unauthenticated`.
    Unauthenticated,
    /// 403 `forbidden`.
    Forbidden,
    /// 403 `expired`: a signed download link past its time.
    Expired,
    /// 404 `not_found`.
    NotFound,
    /// 405 `method_not_allowed`.
    MethodNotAllowed,
    /// 503 `unavailable`: an engine or store failed.
    Unavailable,
}

impl ErrorKind {
    /// The HTTP status.
    pub const fn status(self) -> u16 {
        match self {
            ErrorKind::BadRequest | ErrorKind::BadCursor => 400,
            ErrorKind::Unauthenticated => 401,
            ErrorKind::Forbidden | ErrorKind::Expired => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::MethodNotAllowed => 405,
            ErrorKind::Unavailable => 503,
        }
    }

    /// The `code` of the JSON body.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::BadCursor => "bad_cursor",
            ErrorKind::Unauthenticated => "unauthenticated",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Expired => "expired",
            ErrorKind::NotFound => "not_found",
            ErrorKind::MethodNotAllowed => "method_not_allowed",
            ErrorKind::Unavailable => "unavailable",
        }
    }
}

/// An error answer.
///
/// ```
/// use nno_obs_api::ApiError;
///
/// let error = ApiError::bad_param("range", "expected a duration such as 1h or 7d");
/// assert_eq!(error.status(), 400);
/// assert_eq!(
///     String::from_utf8(error.body()).unwrap(),
///     r#"{"error":{"code":"bad_request","message":"range: expected a duration such as 1h or 7d"}}"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    kind: ErrorKind,
    message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
}

impl ApiError {
    /// An error of `kind` saying `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// 400 naming `param`.
    pub fn bad_param(param: &str, why: impl fmt::Display) -> Self {
        Self::new(ErrorKind::BadRequest, format!("{param}: {why}"))
    }

    /// 400 `bad_cursor`.
    pub fn bad_cursor(why: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadCursor, why)
    }

    /// 401.
    pub fn unauthenticated(why: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthenticated, why)
    }

    /// 403 `forbidden`.
    pub fn forbidden() -> Self {
        Self::new(
            ErrorKind::Forbidden,
            "this caller may not see what it asked for",
        )
    }

    /// 404.
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, what)
    }

    /// 503. The detail stays with the host's log; the caller learns only what failed.
    pub fn unavailable(what: &str) -> Self {
        Self::new(ErrorKind::Unavailable, format!("{what} is unavailable"))
    }

    /// The kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.kind.status()
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The JSON body.
    pub fn body(&self) -> Vec<u8> {
        let body = Body {
            error: Inner {
                code: self.kind.code(),
                message: &self.message,
            },
        };
        // A struct of two strings always serialises.
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status(),
            self.kind.code(),
            self.message
        )
    }
}

impl std::error::Error for ApiError {}
