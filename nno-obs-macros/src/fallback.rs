//! What is emitted when a check failed: the errors, and the function as close to the user's
//! as possible, so that one mistake does not cascade into errors about the function itself
//! (as thiserror's `fallback.rs`).

use crate::ast::Func;
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::FnArg;

/// The errors and the tokens the attribute was on, unchanged (not a function).
pub(crate) fn unchanged(input: TokenStream, errors: TokenStream) -> TokenStream {
    quote!(#errors #input)
}

/// The errors and the function unchanged: an instrumented function keeps its signature.
pub(crate) fn instrument(func: &Func, errors: TokenStream) -> TokenStream {
    let item = func.item.to_token_stream();
    quote!(#errors #item)
}

/// The errors and the function with its context parameter made a local, so that the
/// framework's own attribute (`#[event(fetch)]`) still sees its own signature and the body
/// still type-checks against `obs`.
pub(crate) fn handler(func: &Func, errors: TokenStream) -> TokenStream {
    let mut item = func.item.clone();
    let context: Vec<_> = func
        .params
        .iter()
        .filter(|param| param.is_obs_type)
        .collect();
    if let [context] = context.as_slice() {
        item.sig.inputs = item
            .sig
            .inputs
            .iter()
            .enumerate()
            .filter(|(index, _)| *index != context.index)
            .map(|(_, input)| input.clone())
            .collect::<syn::punctuated::Punctuated<FnArg, syn::Token![,]>>();
        let pat = &context.pat;
        let ty = &context.ty;
        let stmt: syn::Stmt = syn::parse_quote! {
            let #pat: #ty = ::core::unreachable!();
        };
        item.block.stmts.insert(0, stmt);
        item.attrs
            .push(syn::parse_quote!(#[allow(unreachable_code, unused_variables)]));
    }
    quote!(#errors #item)
}
