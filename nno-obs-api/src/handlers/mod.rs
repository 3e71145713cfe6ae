//! The API: [`Api::handle`] takes a [`Request`] and gives its [`Response`] — method, route,
//! caller, parameters, access, then the route's library calls. Every host serves exactly this.
//!
//! Order of checks, so that a refusal says nothing it should not: method (405), route (404),
//! caller (401), parameters (400), access (403); an engine failure is 503 with no detail.

pub mod alerts;
pub mod logs;
mod metrics;
mod operator;
mod slo;
pub mod traces;

use crate::backend::Backend;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorKind};
use crate::http::{Request, Response};
use crate::jwt::{verify, JwtSecret};
use crate::params::Params;
use crate::views::HealthAnswer;
use serde::Serialize;

/// The API's path prefix.
pub const PREFIX: &str = "/api/observability";
/// The session cookie set by `/login`.
pub const COOKIE: &str = "nno_obs_session";

/// The routes (`../shared/API.md`, "Routes").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/health`.
    Health,
    /// `/overview`.
    Overview,
    /// `/features`.
    Features,
    /// `/logs`.
    Logs,
    /// `/logs/download`.
    Download,
    /// `/logs/object`: what a signed download link opens.
    Object,
    /// `/traces/{traceId}`.
    Trace(String),
    /// `/fleet`.
    Fleet,
    /// `/heatmap`.
    Heatmap,
    /// `/provisioning`.
    Provisioning,
    /// `/slo`.
    Slo,
    /// `/alerts`.
    Alerts,
    /// `/login?token=` (outside the prefix).
    Login,
}

impl Route {
    /// The route of `path`, if any.
    ///
    /// ```
    /// use nno_obs_api::handlers::Route;
    /// assert_eq!(Route::of("/api/observability/traces/abc"), Some(Route::Trace("abc".into())));
    /// assert_eq!(Route::of("/api/observability/traces/a%2Fb"), None); // a trace id is one segment
    /// assert_eq!(Route::of("/api/observability/nothing"), None);
    /// ```
    pub fn of(path: &str) -> Option<Route> {
        if path == "/login" {
            return Some(Route::Login);
        }
        let rest = path.strip_prefix(PREFIX)?;
        Some(match rest {
            "/health" => Route::Health,
            "/overview" => Route::Overview,
            "/features" => Route::Features,
            "/logs" => Route::Logs,
            "/logs/download" => Route::Download,
            "/logs/object" => Route::Object,
            "/fleet" => Route::Fleet,
            "/heatmap" => Route::Heatmap,
            "/provisioning" => Route::Provisioning,
            "/slo" => Route::Slo,
            "/alerts" => Route::Alerts,
            other => {
                let id = other.strip_prefix("/traces/")?;
                // Anything encoded or slashed is not a trace id (and never reaches a query).
                if !traces::is_trace_id(id) {
                    return None;
                }
                Route::Trace(id.to_owned())
            }
        })
    }
}

/// The API over a host's [`Backend`].
///
/// ```
/// use nno_obs_api::{handlers::Api, http::Request, jwt::JwtSecret};
/// # use nno_obs_api::local::LocalBackend;
/// let store = tempfile::tempdir().unwrap();
/// let api = Api::new(LocalBackend::new(store.path()), JwtSecret::new(b"k".to_vec()).unwrap());
/// let health = pollster::block_on(api.handle(&Request { method: "GET", path: "/api/observability/health", ..Request::default() }));
/// assert_eq!((health.status, health.body.as_slice()), (200, &br#"{"ok":true}"#[..]));
/// let anonymous = pollster::block_on(api.handle(&Request { method: "GET", path: "/api/observability/fleet", ..Request::default() }));
/// assert_eq!(anonymous.status, 401);
/// ```
pub struct Api<B> {
    backend: B,
    secret: JwtSecret,
}

impl<B: Backend> Api<B> {
    /// The API over `backend`, verifying tokens and signing cursors and links with `secret`.
    pub fn new(backend: B, secret: JwtSecret) -> Self {
        Self { backend, secret }
    }

    /// The backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// Answers one request.
    pub async fn handle(&self, request: &Request<'_>) -> Response {
        match self.answer(request).await {
            Ok(response) => response,
            Err(error) => Response::json(error.status(), error.body()),
        }
    }

    async fn answer(&self, request: &Request<'_>) -> Result<Response, ApiError> {
        let is_api = request.path.starts_with("/api/") || request.path == "/login";
        if is_api && !matches!(request.method, "GET" | "HEAD") {
            let mut response = error(ApiError::new(
                ErrorKind::MethodNotAllowed,
                format!(
                    "{} is not allowed: this API is read-only (GET)",
                    shown_method(request.method)
                ),
            ));
            response.headers.push(("allow", "GET, HEAD".to_owned()));
            return Ok(response);
        }
        let route = Route::of(request.path).ok_or_else(|| ApiError::not_found("no such route"))?;
        let params = Params::parse(request.query)?;
        let now_ms = self.backend.now_ms();
        match route {
            Route::Health => {
                params.finish()?;
                ok(&HealthAnswer { ok: true })
            }
            Route::Login => self.login(params, request.secure),
            // A signed link carries its own authority: no token.
            Route::Object => logs::object(&self.backend, &self.secret, params, now_ms).await,
            route => {
                let caller = self.caller(request, now_ms)?;
                self.route(route, &caller, params, now_ms).await
            }
        }
    }

    async fn route(
        &self,
        route: Route,
        caller: &Caller,
        params: Params,
        now_ms: u64,
    ) -> Result<Response, ApiError> {
        let b = &self.backend;
        match route {
            Route::Overview => ok(&metrics::overview(b, caller, params, now_ms).await?),
            Route::Features => ok(&metrics::features(b, caller, params, now_ms).await?),
            Route::Logs => ok(&logs::search(b, &self.secret, caller, params, now_ms).await?),
            Route::Download => ok(&logs::download(b, &self.secret, caller, params, now_ms).await?),
            Route::Trace(id) => ok(&traces::trace(b, caller, &id, params, now_ms).await?),
            Route::Fleet => ok(&operator::fleet(b, caller, params, now_ms).await?),
            Route::Heatmap => ok(&operator::heatmap(b, caller, params, now_ms).await?),
            Route::Provisioning => ok(&operator::provisioning(b, caller, params, now_ms).await?),
            Route::Slo => ok(&slo::slo(b, caller, params, now_ms).await?),
            Route::Alerts => ok(&alerts::alerts(b, caller, params, now_ms).await?),
            Route::Health | Route::Login | Route::Object => {
                Err(ApiError::not_found("no such route"))
            }
        }
    }

    /// Who sends `request` (the bearer token, else the session cookie), as every route sees
    /// them: for a host that renders pages over the API, such as the console's header.
    ///
    /// ```
    /// use nno_obs_api::{handlers::Api, http::Request, jwt::JwtSecret};
    /// # use nno_obs_api::local::LocalBackend;
    /// let store = tempfile::tempdir().unwrap();
    /// let api = Api::new(LocalBackend::new(store.path()), JwtSecret::new(b"k".to_vec()).unwrap());
    /// assert_eq!(api.caller_of(&Request::default()).unwrap_err().status(), 401);
    /// ```
    pub fn caller_of(&self, request: &Request<'_>) -> Result<Caller, ApiError> {
        self.caller(request, self.backend.now_ms())
    }

    /// The caller of a request: the bearer token, else the session cookie.
    fn caller(&self, request: &Request<'_>, now_ms: u64) -> Result<Caller, ApiError> {
        let token = match request.authorization {
            Some(header) => bearer(header)?,
            None => request
                .cookie
                .and_then(session_cookie)
                .ok_or_else(|| ApiError::unauthenticated("a bearer token is required"))?,
        };
        verify(token, &self.secret, (now_ms / 1000) as i64)
            .map_err(|e| ApiError::unauthenticated(e.to_string()))
    }

    /// `/login?token=`: verifies the token, sets it as the session cookie and sends the caller
    /// home.
    fn login(&self, mut params: Params, secure: bool) -> Result<Response, ApiError> {
        let token = params
            .take_nonempty("token")?
            .ok_or_else(|| ApiError::bad_param("token", "required"))?;
        params.finish()?;
        let now_ms = self.backend.now_ms();
        let caller = verify(&token, &self.secret, (now_ms / 1000) as i64)
            .map_err(|e| ApiError::unauthenticated(e.to_string()))?;
        let home = match caller.platform() {
            None => "/internal/observability".to_owned(),
            Some(platform) => format!("/platforms/{platform}/observability"),
        };
        let secure = if secure { "; Secure" } else { "" };
        Ok(Response {
            status: 303,
            headers: vec![
                ("location", home),
                (
                    "set-cookie",
                    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}"),
                ),
                ("content-type", "text/plain; charset=utf-8".to_owned()),
                ("cache-control", "no-store".to_owned()),
            ],
            body: Vec::new(),
        })
    }
}

/// `Bearer <token>` (scheme case-insensitive, RFC 7235).
fn bearer(header: &str) -> Result<&str, ApiError> {
    let (scheme, token) = header.trim().split_once(' ').ok_or_else(|| {
        ApiError::unauthenticated("the Authorization header must be Bearer <token>")
    })?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::unauthenticated(
            "the Authorization header must be Bearer <token>",
        ));
    }
    Ok(token.trim())
}

/// The session cookie's value in a `Cookie` header.
fn session_cookie(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
}

fn shown_method(method: &str) -> String {
    method
        .chars()
        .take(16)
        .flat_map(char::escape_default)
        .collect()
}

fn ok<T: Serialize>(answer: &T) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(answer).map_err(|_| ApiError::unavailable("the answer"))?;
    Ok(Response::json(200, body))
}

fn error(error: ApiError) -> Response {
    Response::json(error.status(), error.body())
}

/// Asks `question` of `engine`, its errors answered as [`engine_error`] says (a refused value
/// is the caller's 400 naming `param`).
pub(crate) async fn ask<Q: nno_obs_query::Question>(
    question: &Q,
    engine: &dyn nno_obs_query::Engine,
    param: &str,
) -> Result<Q::Answer, ApiError> {
    question
        .ask(engine)
        .await
        .map_err(|e| engine_error(param, e))
}

/// A query error as the API answers it: a value the query refused is the caller's 400, the
/// rest is the engine's 503 (its detail stays out of the answer).
pub(crate) fn engine_error(param: &str, error: nno_obs_query::QueryError) -> ApiError {
    match error {
        nno_obs_query::QueryError::InvalidValue { .. } => {
            ApiError::bad_param(param, "not a value the query can take")
        }
        _ => ApiError::unavailable("the metrics engine"),
    }
}
