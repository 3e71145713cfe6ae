//! Attribute macros of `nno-obs`. Use them through the `nno-obs` crate, which re-exports them.
//!
//! DOCS-PLACEHOLDER

mod ast;
mod attr;
mod case;
mod ctxt;
mod expand;
mod fallback;
mod valid;

use proc_macro::TokenStream;

/// INSTRUMENT-DOCS
#[proc_macro_attribute]
pub fn nno_instrument(args: TokenStream, input: TokenStream) -> TokenStream {
    instrument(args.into(), input.into()).into()
}

/// HANDLER-DOCS
#[proc_macro_attribute]
pub fn nno_handler(args: TokenStream, input: TokenStream) -> TokenStream {
    handler(args.into(), input.into()).into()
}

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

fn instrument(
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

fn handler(
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
