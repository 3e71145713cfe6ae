//! Attribute macros of `nno-obs`. Use them through the `nno-obs` crate, which re-exports them.
//!
//! DOCS-PLACEHOLDER

mod ast;
mod attr;
mod case;
mod ctxt;
mod expand;
mod fallback;
mod imp;
mod valid;

use proc_macro::TokenStream;

/// INSTRUMENT-DOCS
#[proc_macro_attribute]
pub fn nno_instrument(args: TokenStream, input: TokenStream) -> TokenStream {
    imp::instrument(args.into(), input.into()).into()
}

/// HANDLER-DOCS
#[proc_macro_attribute]
pub fn nno_handler(args: TokenStream, input: TokenStream) -> TokenStream {
    imp::handler(args.into(), input.into()).into()
}
