//! # nno-obs-api
//!
//! NNO Observability's read API (`../shared/API.md`): one library that answers every route —
//! callers and tokens, parameters, access, the typed answers — over a host's [`Backend`].
//! `nno-obs serve` serves it over the local store ([`local::LocalBackend`]); the `nno-logging`
//! Worker serves it over R2, the SQL API and KV. A host only turns its HTTP request into a
//! [`http::Request`] and the [`http::Response`] back (DESIGN principle 13).
//!
//! | module | what it owns |
//! |---|---|
//! | [`handlers`] | [`Api`], the routes, the order of checks (405, 404, 401, 400, 403, 503) |
//! | [`jwt`] | HS256 bearer tokens: verification, minting ([`nno_obs_access::token`]) |
//! | [`caller`] | who asks, and the scopes they may read ([`nno_obs_access`]), as answers |
//! | [`params`] | the query string, strictly decoded; ranges, limits |
//! | [`signed`] | log cursors and download links, signed and bound |
//! | [`views`] | the answers' JSON types |
//! | [`backend`] | what a host provides |
//! | [`source`] | the backend over object sources (R2 in the Worker), bounded per request |
//! | [`time`] | RFC 3339 in and out, durations |
//! | [`span_lines`] | where a span's own log lines say it started (the waterfall's starts) |
//! | `local` (feature `local`) | the backend over a local store |
//!
//! ```
//! use nno_obs_api::{Api, jwt::{mint, Claims, JwtSecret}, http::Request, local::LocalBackend};
//!
//! let store = tempfile::tempdir().unwrap();
//! let secret = JwtSecret::new(b"s3cret".to_vec()).unwrap();
//! let api = Api::new(LocalBackend::new(store.path()).with_clock(Box::new(|| 1_771_756_440_000)), secret.clone());
//! let operator = mint(&Claims { sub: "ops".into(), role: "operator".into(), platform_id: None,
//!                               exp: 1_771_760_000, nbf: None }, &secret);
//! let header = format!("Bearer {operator}");
//! let fleet = pollster::block_on(api.handle(&Request {
//!     method: "GET", path: "/api/observability/fleet", query: "range=1h",
//!     authorization: Some(&header), ..Request::default()
//! }));
//! assert_eq!(fleet.status, 200);
//! assert_eq!(fleet.body, br#"{"platforms":[]}"#);
//! ```

#![warn(missing_docs)]

pub mod backend;
pub mod call_order;
pub mod caller;
mod error;
pub mod handlers;
pub mod http;
pub use nno_obs_access::token as jwt;
#[cfg(all(feature = "local", not(target_arch = "wasm32")))]
pub mod local;
pub mod params;
pub mod signed;
pub mod source;
pub mod span_lines;
pub mod time;
pub mod views;

pub use backend::Backend;
pub use caller::{Caller, Target};
pub use error::{ApiError, ErrorKind};
pub use handlers::Api;
