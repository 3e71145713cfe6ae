//! Used by the code `#[nno_instrument]` and `#[nno_handler]` generate. Not public API: names
//! here may change in any release.
//!
//! Everything here does what a hand-written call of the public API would do, and no more:
//! field values are borrowed, never cloned; service names given to the macros are turned into
//! an `Arc<str>` once per call site, not once per call; the path and endpoint of a request are
//! kept on the stack unless they are unusually long. Nothing here panics or returns an error
//! the program would have to handle.

mod context;
mod endpoint;
mod fields;
mod handler;
mod request;
mod service;
mod step;
mod text;

pub use crate::level::LogLevel as Level;
pub use context::*;
pub use endpoint::*;
pub use fields::*;
pub use handler::*;
pub use request::*;
pub use service::*;
pub use step::*;
pub use text::*;
