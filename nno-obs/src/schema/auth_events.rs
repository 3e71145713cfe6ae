//! The `nno-auth-events` point (seed §3.1): login events, sessions and 2FA usage of every
//! platform's auth Worker, **anonymised**.
//!
//! Anonymised by construction: an [`AuthEventRecord`] has no field for a user id, an email, a
//! session id or an IP address, so none can reach the dataset shared by all platforms. Who did
//! what stays in the platform's own log lines and its auth D1 audit tables (seed §1.5).

use super::error_flag;
use crate::datapoint::DataPoint;
use nno_obs_schema::auth_events;

/// What happened (seed §1.5, "Platform Auth Workers").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthEvent {
    /// `"login"`.
    Login,
    /// `"logout"`.
    Logout,
    /// `"session-created"`.
    SessionCreated,
    /// `"session-invalidated"`.
    SessionInvalidated,
    /// `"2fa"`: a second factor was asked for.
    TwoFactor,
    /// `"permission-denied"`.
    PermissionDenied,
}

impl AuthEvent {
    /// The wire text.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthEvent::Login => "login",
            AuthEvent::Logout => "logout",
            AuthEvent::SessionCreated => "session-created",
            AuthEvent::SessionInvalidated => "session-invalidated",
            AuthEvent::TwoFactor => "2fa",
            AuthEvent::PermissionDenied => "permission-denied",
        }
    }
}

/// How it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthResult {
    /// `"success"`.
    Success,
    /// `"failure"`.
    Failure,
}

impl AuthResult {
    /// The wire text.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthResult::Success => "success",
            AuthResult::Failure => "failure",
        }
    }
}

/// One authentication event.
///
/// | column | value |
/// |---|---|
/// | blob1 | platformId |
/// | blob2 | event: `login`, `logout`, `session-created`, `session-invalidated`, `2fa`, `permission-denied` |
/// | blob3 | method, e.g. `password`, `oauth-github`, `passkey`, `totp` |
/// | blob4 | result: `success` or `failure` |
/// | double1 | 1 (event count) |
/// | double2 | duration in ms |
/// | double3 | failure flag (1 for `failure`) |
/// | index1 | platformId |
#[derive(Clone, Copy, Debug)]
pub struct AuthEventRecord<'a> {
    /// The platform whose auth Worker saw the event.
    pub platform_id: &'a str,
    /// What happened.
    pub event: AuthEvent,
    /// How the user authenticated (a fixed vocabulary of the auth Worker, never user input).
    pub method: &'a str,
    /// How it ended.
    pub result: AuthResult,
    /// How long it took.
    pub duration_ms: u64,
}

impl<'a> DataPoint<'a> {
    /// The `nno-auth-events` point; see [`AuthEventRecord`] for the columns.
    ///
    /// ```
    /// use nno_obs::{AuthEvent, AuthEventRecord, AuthResult, DataPoint};
    ///
    /// let point = DataPoint::auth_event(&AuthEventRecord {
    ///     platform_id: "k3m9p2xw7q",
    ///     event: AuthEvent::Login,
    ///     method: "password",
    ///     result: AuthResult::Failure,
    ///     duration_ms: 85,
    /// });
    /// assert_eq!(point.blobs(), ["k3m9p2xw7q", "login", "password", "failure"]);
    /// assert_eq!(point.doubles(), [1.0, 85.0, 1.0]);
    /// assert_eq!(point.index_value(), Some("k3m9p2xw7q"));
    /// ```
    pub fn auth_event(record: &AuthEventRecord<'a>) -> Self {
        let mut blobs = [""; auth_events::BLOBS];
        blobs[auth_events::PLATFORM_ID.slot()] = record.platform_id;
        blobs[auth_events::EVENT.slot()] = record.event.as_str();
        blobs[auth_events::METHOD.slot()] = record.method;
        blobs[auth_events::RESULT.slot()] = record.result.as_str();
        let mut doubles = [0.0; auth_events::DOUBLES];
        doubles[auth_events::COUNT.slot()] = 1.0;
        doubles[auth_events::DURATION_MS.slot()] = record.duration_ms as f64;
        doubles[auth_events::ERROR.slot()] = error_flag(record.result == AuthResult::Failure);
        DataPoint::from_layout(blobs, doubles, record.platform_id)
    }
}
