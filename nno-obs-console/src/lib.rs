//! # nno-obs-console
//!
//! The seed's dashboards in a browser: the platform admin's (§7, under
//! `/platforms/{id}/observability`) and the operator's (§8, under `/internal/observability`),
//! rendered server-side from the read API's own answers (its typed views,
//! [`nno_obs_api::views`], read back from the JSON it wrote). [`Console::handle`] asks
//! [`Api::handle`] in-process with the page's caller credentials (the `/login` session cookie
//! or a bearer header), so every number on a page is the API's and every refusal is the
//! API's: an admin never sees what the API would not show it.
//!
//! Plain HTML forms and links, one embedded stylesheet, inline SVG charts; no script, no
//! external font or CDN. It builds for wasm32 (the `nno-logging` Worker serves the same
//! pages) and natively (`nno-obs serve`).
//!
//! | module | what it owns |
//! |---|---|
//! | [`routes`] | which path is which page |
//! | [`escape`] | HTML escaping and link encoding |
//! | [`layout`] | the page shell: header, role, nav, range picker; the error pages |
//! | [`chart`] | SVG bar and line charts with axes, UTC labels and tooltips |
//! | [`format`](mod@format) | numbers, ratios, times as pages show them |
//! | `pages` | one module per page |
//!
//! ```
//! use nno_obs_api::{Api, http::Request, jwt::JwtSecret, local::LocalBackend};
//! use nno_obs_console::Console;
//!
//! let store = tempfile::tempdir().unwrap();
//! let api = Api::new(LocalBackend::new(store.path()), JwtSecret::new(b"k".to_vec()).unwrap());
//! // Not a page: the host passes it on to the API.
//! let api_path = Request { method: "GET", path: "/api/observability/health", ..Request::default() };
//! assert!(pollster::block_on(Console::handle(&api, &api_path)).is_none());
//! // A page without a session: the sign-in page.
//! let fleet = Request { method: "GET", path: "/internal/observability", ..Request::default() };
//! let page = pollster::block_on(Console::handle(&api, &fleet)).unwrap();
//! assert_eq!(page.status, 401);
//! ```

#![warn(missing_docs)]

pub mod chart;
pub mod escape;
pub mod format;
pub mod layout;
mod pages;
pub mod routes;

use layout::{Nav, Section};
use nno_obs_api::http::{Request, Response};
use nno_obs_api::params::Params;
use nno_obs_api::{Api, ApiError, Backend, Caller};
use routes::Page;
use serde::de::DeserializeOwned;

/// The stylesheet's path (served by the console itself).
pub const STYLESHEET: &str = "/observability-console.css";
const CSS: &str = include_str!("console.css");

/// The console.
pub struct Console;

impl Console {
    /// The page for `request`, or `None` when its path is not the console's (the host then
    /// hands the request to the API).
    pub async fn handle<B: Backend>(api: &Api<B>, request: &Request<'_>) -> Option<Response> {
        let page = Page::of(request.path)?;
        if !matches!(request.method, "GET" | "HEAD") {
            let mut response =
                layout::refused_page(None, &Refusal::new(405, "pages are read with GET"));
            response.headers.push(("allow", "GET, HEAD".to_owned()));
            return Some(response);
        }
        if page == Page::Stylesheet {
            return Some(stylesheet());
        }
        let caller = match api.caller_of(request) {
            Ok(caller) => caller,
            Err(error) => return Some(layout::refused_page(None, &Refusal::from_error(&error))),
        };
        let context = match Context::new(api, request, caller) {
            Ok(context) => context,
            Err(refusal) => return Some(layout::refused_page(None, &refusal)),
        };
        let rendered = pages::render(&context, &page).await;
        Some(match rendered {
            Ok(rendered) => layout::page(&context.nav(rendered.section.clone()), &rendered),
            Err(refusal) => layout::refused_page(Some(&context.nav(Section::None)), &refusal),
        })
    }
}

impl Console {
    /// The answer of a host that serves the console beside the API: the page of `request`
    /// when its path is the console's, else the API's answer. `nno-obs serve` and the
    /// `nno-logging` Worker both route through this one decision.
    ///
    /// ```
    /// use nno_obs_api::{Api, http::Request, jwt::JwtSecret, local::LocalBackend};
    /// use nno_obs_console::Console;
    ///
    /// let store = tempfile::tempdir().unwrap();
    /// let api = Api::new(LocalBackend::new(store.path()), JwtSecret::new(b"k".to_vec()).unwrap());
    /// let health = Request { method: "GET", path: "/api/observability/health", ..Request::default() };
    /// assert_eq!(pollster::block_on(Console::serve(&api, &health)).body, br#"{"ok":true}"#);
    /// let css = Request { method: "GET", path: nno_obs_console::STYLESHEET, ..Request::default() };
    /// assert_eq!(pollster::block_on(Console::serve(&api, &css)).status, 200);
    /// ```
    pub async fn serve<B: Backend>(api: &Api<B>, request: &Request<'_>) -> Response {
        match Self::handle(api, request).await {
            Some(page) => page,
            None => api.handle(request).await,
        }
    }
}

fn stylesheet() -> Response {
    Response {
        status: 200,
        headers: vec![
            ("content-type", "text/css; charset=utf-8".to_owned()),
            ("cache-control", "public, max-age=300".to_owned()),
        ],
        body: CSS.as_bytes().to_vec(),
    }
}

/// The time range every page shows (the seed's 1 h / 24 h / 7 d).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Range {
    /// The last hour.
    Hour,
    /// The last day (the default, as the seed's charts).
    Day,
    /// The last week.
    Week,
}

impl Range {
    /// Every range, in the picker's order.
    pub const ALL: [Range; 3] = [Range::Hour, Range::Day, Range::Week];

    /// The range of a `range` parameter (absent: 24 h).
    ///
    /// ```
    /// use nno_obs_console::Range;
    /// assert_eq!(Range::of(None), Some(Range::Day));
    /// assert_eq!(Range::of(Some("7d")), Some(Range::Week));
    /// assert_eq!(Range::of(Some("5m")), None);
    /// ```
    pub fn of(text: Option<&str>) -> Option<Range> {
        match text {
            None | Some("") | Some("24h") => Some(Range::Day),
            Some("1h") => Some(Range::Hour),
            Some("7d") => Some(Range::Week),
            Some(_) => None,
        }
    }

    /// Its parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            Range::Hour => "1h",
            Range::Day => "24h",
            Range::Week => "7d",
        }
    }

    /// How a page names it.
    pub fn label(self) -> &'static str {
        match self {
            Range::Hour => "1 h",
            Range::Day => "24 h",
            Range::Week => "7 d",
        }
    }
}

/// Why a page is not shown: the API's status and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The status the page is sent with.
    pub status: u16,
    /// The API's message (shown escaped; the API's messages never echo a token or secret).
    pub message: String,
}

impl Refusal {
    /// A refusal.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    fn from_error(error: &ApiError) -> Self {
        Self::new(error.status(), error.message())
    }

    /// The refusal of an API error answer (`{"error":{"code","message"}}`).
    fn of_answer(status: u16, body: &[u8]) -> Self {
        let message = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
            .unwrap_or_default();
        Self::new(status, message)
    }
}

/// What a page is rendered for: the caller, the range, the request's credentials.
pub(crate) struct Context<'a, B> {
    api: &'a Api<B>,
    request: &'a Request<'a>,
    pub caller: Caller,
    pub range: Range,
    /// The range's end, when the page was asked for another time than now.
    pub until: Option<String>,
    /// The query's other values, decoded.
    pub params: std::cell::RefCell<Params>,
}

impl<'a, B: Backend> Context<'a, B> {
    fn new(api: &'a Api<B>, request: &'a Request<'a>, caller: Caller) -> Result<Self, Refusal> {
        let mut params = Params::parse(request.query).map_err(|e| Refusal::from_error(&e))?;
        let range_text = params.take("range");
        let range = Range::of(range_text.as_deref())
            .ok_or_else(|| Refusal::new(400, "range: expected 1h, 24h or 7d"))?;
        let until = params.take("until").filter(|u| !u.is_empty());
        Ok(Self {
            api,
            request,
            caller,
            range,
            until,
            params: std::cell::RefCell::new(params),
        })
    }

    /// A query parameter of the page (empty when absent).
    pub fn param(&self, name: &str) -> String {
        self.params.borrow_mut().take(name).unwrap_or_default()
    }

    /// The range's parameters for an API metrics route.
    pub fn range_query(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("range", self.range.as_str().to_owned())];
        if let Some(until) = &self.until {
            pairs.push(("until", until.clone()));
        }
        pairs
    }

    /// The API's answer to `GET path?query`, asked with this page's credentials.
    pub async fn ask<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, Refusal> {
        let pairs: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let query = escape::query(&pairs);
        let answer = self
            .api
            .handle(&Request {
                method: "GET",
                path,
                query: query.strip_prefix('?').unwrap_or(""),
                authorization: self.request.authorization,
                cookie: self.request.cookie,
                secure: self.request.secure,
            })
            .await;
        if answer.status != 200 {
            return Err(Refusal::of_answer(answer.status, &answer.body));
        }
        serde_json::from_slice(&answer.body)
            .map_err(|_| Refusal::new(503, "the API's answer could not be read"))
    }

    fn nav(&self, section: Section) -> Nav {
        Nav {
            caller: self.caller.clone(),
            section,
            range: self.range,
            until: self.until.clone(),
            path: self.request.path.to_owned(),
        }
    }
}

/// A rendered page's parts.
pub(crate) struct Rendered {
    pub title: String,
    pub section: Section,
    pub main: String,
    /// The page's own query parameters the range picker's links carry (the logs page's
    /// filters), so that changing the range keeps what the page is filtered by.
    pub keep: Vec<(&'static str, String)>,
}
