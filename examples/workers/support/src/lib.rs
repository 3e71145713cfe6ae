//! Glue shared by the example Workers (gateway and analytics): the request and step
//! instrumentation written with the runtime API, exactly what `#[nno_handler]` and
//! `#[nno_instrument(span)]` generate (seed §1.3, §3.2, §4.2; issue 3).
//!
//! Once every caller has switched to the attributes (re-exported by `nno_obs`), this crate goes.

pub mod by_hand;
