//! Glue shared by the example Workers (gateway and analytics).
//!
//! Two parts, each with a clear end of life:
//!
//! * [`headers`]: `worker::Headers` adapters for nno-obs' [`HeaderSource`] / [`HeaderSink`]
//!   traits. nno-obs documents these impls for `worker::Headers` / `worker::Request` behind its
//!   `worker` feature but does not provide them yet; once it does, this module goes.
//! * [`by_hand`]: the request and step instrumentation written with the runtime API, exactly what
//!   `#[nno_handler]` and `#[nno_instrument(span)]` generate (seed §1.3, §3.2, §4.2; issue 3).
//!   Once the macros are re-exported by `nno_obs`, every caller switches to the attribute and
//!   this module goes.
//!
//! [`HeaderSource`]: nno_obs::trace::HeaderSource
//! [`HeaderSink`]: nno_obs::trace::HeaderSink

pub mod by_hand;
pub mod headers;
