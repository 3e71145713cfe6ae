//! The two macros on `proc_macro2` tokens: parse → validate → expand, or the fallback.
//! Kept apart from `lib.rs` so that the expansion tests can run them outside a compiler.

use crate::{ast, attr, ctxt, expand, fallback, valid};

fn parse_fn(
    kind: attr::Kind,
    input: &proc_macro2::TokenStream,
    errors: &mut ctxt::Errors,
) -> Option<ast::Func> {
    match syn::parse2::<syn::ItemFn>(input.clone()) {
        Ok(item) => Some(ast::Func::new(item)),
        Err(_) => {
            errors.error(
                proc_macro2::Span::call_site(),
                format!(
                    "{} can only be used on a function with a body (a free function or a method)",
                    kind.attribute()
                ),
            );
            None
        }
    }
}

pub(crate) fn instrument(
    args: proc_macro2::TokenStream,
    input: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let kind = attr::Kind::Instrument;
    let mut errors = ctxt::Errors::default();
    let args = attr::parse(kind, args, &mut errors);
    let Some(func) = parse_fn(kind, &input, &mut errors) else {
        return fallback::unchanged(input, errors.into_compile_errors());
    };
    let plan = valid::instrument(&args, &func, &mut errors);
    if errors.is_empty() {
        expand::instrument(&plan, &func)
    } else {
        fallback::instrument(&func, errors.into_compile_errors())
    }
}

pub(crate) fn handler(
    args: proc_macro2::TokenStream,
    input: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let kind = attr::Kind::Handler;
    let mut errors = ctxt::Errors::default();
    let args = attr::parse(kind, args, &mut errors);
    let Some(func) = parse_fn(kind, &input, &mut errors) else {
        return fallback::unchanged(input, errors.into_compile_errors());
    };
    let plan = valid::handler(&args, &func, &mut errors);
    if errors.is_empty() {
        expand::handler(&plan, &func)
    } else {
        fallback::handler(&func, errors.into_compile_errors())
    }
}
