//! The two macros on `proc_macro2` tokens: parse → validate → expand, or the fallback.
//! Kept apart from `lib.rs` so that the expansion tests can run them outside a compiler.

use crate::args::Kind;
use crate::ast::Func;
use crate::ctxt::Ctxt;
use crate::{attr, expand, fallback, item, valid};
use proc_macro2::TokenStream;

pub(crate) fn instrument(args: TokenStream, input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let args = attr::parse(&cx, Kind::Instrument, args);
    let Some(item) = item::function(&cx, Kind::Instrument, &input) else {
        return fallback::unchanged(input, compile_errors(cx.check()));
    };
    let func = Func::new(item);
    let plan = valid::instrument(&cx, &args, &func);
    match cx.check() {
        Ok(()) => expand::instrument(&plan, &func),
        Err(error) => fallback::instrument(&func, error.to_compile_error()),
    }
}

pub(crate) fn handler(args: TokenStream, input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let args = attr::parse(&cx, Kind::Handler, args);
    let Some(item) = item::function(&cx, Kind::Handler, &input) else {
        return fallback::unchanged(input, compile_errors(cx.check()));
    };
    let func = Func::new(item);
    let plan = valid::handler(&cx, &args, &func);
    match (cx.check(), plan) {
        (Ok(()), Some(plan)) => expand::handler(&plan, &func),
        // There is no plan only after an error was reported: `valid::handler` says why.
        (result, _) => fallback::handler(&func, compile_errors(result)),
    }
}

/// The errors collected, as `compile_error!` invocations.
fn compile_errors(result: syn::Result<()>) -> TokenStream {
    match result {
        Ok(()) => TokenStream::new(),
        Err(error) => error.to_compile_error(),
    }
}
