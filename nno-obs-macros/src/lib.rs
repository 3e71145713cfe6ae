//! Attribute macros of `nno-obs`. Use them through the `nno-obs` crate, which re-exports them.
