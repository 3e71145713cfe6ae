//! The item the attribute is on: a function with a body, or an error at the item's own tokens.
//!
//! The error points at what the attribute was put on — its leading keyword and name, e.g.
//! `struct Step` or `fn step` — rather than at the attribute, which is not what is wrong.

use crate::args::Kind;
use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::{Item, ItemFn, TraitItemFn};

/// The function the attribute is on, or `None` after reporting what the item is instead.
pub(crate) fn function(cx: &Ctxt, kind: Kind, input: &TokenStream) -> Option<ItemFn> {
    let attribute = kind.attribute();
    let item = match syn::parse2::<Item>(input.clone()) {
        Ok(Item::Fn(item)) => return Some(item),
        Ok(item) => item,
        Err(error) => {
            // Not an item at all (the compiler passes attribute macros items only, so this is
            // not expected): say so where syn stopped.
            cx.error_at(
                error.span(),
                format!("{attribute} can only be used on a function with a body (a free function or a method)"),
            );
            return None;
        }
    };
    // A function without a body (a trait method's declaration) is no `Item::Fn`.
    if let Ok(declaration) = syn::parse2::<TraitItemFn>(input.clone()) {
        if declaration.default.is_none() {
            let sig = &declaration.sig;
            let (fn_token, ident) = (&sig.fn_token, &sig.ident);
            cx.error_spanned_by(
                quote!(#fn_token #ident),
                format!(
                    "{attribute} can only be used on a function with a body, and `fn {ident}` is a declaration without one: put {attribute} on `{ident}` in each impl, or give it a default body"
                ),
            );
            return None;
        }
    }
    let (tokens, what) = describe(&item);
    cx.error_spanned_by(
        tokens,
        format!(
            "{attribute} can only be used on a function with a body (a free function or a method), not on {what}"
        ),
    );
    None
}

/// The tokens that name `item` (its leading keyword and its name) and what it is, for the
/// error.
fn describe(item: &Item) -> (TokenStream, &'static str) {
    match item {
        Item::Struct(item) => (tokens(&item.struct_token, &item.ident), "a struct"),
        Item::Enum(item) => (tokens(&item.enum_token, &item.ident), "an enum"),
        Item::Union(item) => (tokens(&item.union_token, &item.ident), "a union"),
        Item::Trait(item) => (tokens(&item.trait_token, &item.ident), "a trait"),
        Item::TraitAlias(item) => (tokens(&item.trait_token, &item.ident), "a trait alias"),
        Item::Const(item) => (tokens(&item.const_token, &item.ident), "a const"),
        Item::Static(item) => (tokens(&item.static_token, &item.ident), "a static"),
        Item::Type(item) => (tokens(&item.type_token, &item.ident), "a type alias"),
        Item::Mod(item) => (tokens(&item.mod_token, &item.ident), "a module"),
        Item::Impl(item) => (
            tokens(&item.impl_token, &item.self_ty),
            "an impl block (put it on the methods)",
        ),
        Item::ExternCrate(item) => (tokens(&item.extern_token, &item.ident), "an extern crate"),
        Item::Use(item) => (item.use_token.to_token_stream(), "a use declaration"),
        Item::ForeignMod(item) => (item.abi.to_token_stream(), "an extern block"),
        Item::Macro(item) => (item.mac.path.to_token_stream(), "a macro"),
        // Items syn does not model: their first token.
        other => (
            other.to_token_stream().into_iter().take(1).collect(),
            "this item",
        ),
    }
}

fn tokens(keyword: &impl ToTokens, name: &impl ToTokens) -> TokenStream {
    quote!(#keyword #name)
}
