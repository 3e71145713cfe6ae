//! Used by the code `#[nno_instrument]` and `#[nno_handler]` generate. Not public API: names
//! here may change in any release.
