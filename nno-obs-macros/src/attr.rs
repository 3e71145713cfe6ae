//! Parsing the attribute's arguments by the macro's table (`args.rs`), keeping the span of
//! every token for the checks.
//!
//! Parsing goes on after a bad argument (an unknown name, a duplicate, a value of the wrong
//! kind) so that every mistake is reported at once; only broken syntax stops it.

use crate::args::{Arg, Args, FieldArg, FieldKey, Kind, Value};
use crate::ctxt::Ctxt;
use proc_macro2::{TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, LitBool, LitStr, Token};

/// Parses `tokens` (the attribute's arguments); every problem goes to `cx`.
pub(crate) fn parse(cx: &Ctxt, kind: Kind, tokens: TokenStream) -> Args {
    let mut args = Args::default();
    let parser = |input: ParseStream| parse_args(cx, kind, input, &mut args);
    if let Err(error) = parser.parse2(tokens) {
        cx.syn_error(error);
    }
    args
}

fn parse_args(cx: &Ctxt, kind: Kind, input: ParseStream, args: &mut Args) -> syn::Result<()> {
    while !input.is_empty() {
        let arg = kind.arguments().iter().find(|arg| (arg.peek)(input));
        // `parse_any`: `crate` is a keyword, and an unknown name may be one too.
        let key = input.call(Ident::parse_any)?;
        match arg {
            Some(arg) => parse_value(cx, arg, &key, input, args)?,
            None => {
                unknown(cx, kind, &key);
                skip_value(input)?;
            }
        }
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(())
}

fn unknown(cx: &Ctxt, kind: Kind, key: &Ident) {
    let name = key.to_string();
    if let Some(why) = kind.not_needed(&name) {
        cx.error_at(key.span(), why);
        return;
    }
    let valid: Vec<String> = kind
        .arguments()
        .iter()
        .map(|arg| format!("`{}`", arg.name))
        .collect();
    cx.error_at(
        key.span(),
        format!(
            "unknown argument `{name}` of {}; valid arguments: {}\n  usage: {}",
            kind.attribute(),
            valid.join(", "),
            kind.usage(),
        ),
    );
}

/// Skips the rest of an argument, up to the next top-level comma.
fn skip_value(input: ParseStream) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<TokenTree>()?;
    }
    Ok(())
}

/// Stores `value` in `slot`, or reports a duplicate at its second keyword.
fn store<T>(cx: &Ctxt, slot: &mut Option<T>, value: T, key: &Ident) {
    if slot.is_some() {
        cx.error_at(
            key.span(),
            format!("duplicate argument `{key}`: give it once"),
        );
    } else {
        *slot = Some(value);
    }
}

/// The value after the keyword `key`, as the row `arg` says.
fn parse_value(
    cx: &Ctxt,
    arg: &Arg,
    key: &Ident,
    input: ParseStream,
    args: &mut Args,
) -> syn::Result<()> {
    let example = arg.example;
    match arg.value {
        Value::Flag(slot) => {
            if !input.is_empty() && !input.peek(Token![,]) {
                cx.error_at(
                    key.span(),
                    format!("`{key}` takes no value: write `{key}` alone"),
                );
                skip_value(input)?;
            }
            store(cx, slot(args), key.clone(), key);
        }
        Value::List(slot) => {
            if !input.peek(syn::token::Paren) {
                cx.error_at(key.span(), format!("expected a list: `{example}`"));
                return skip_value(input);
            }
            let content;
            syn::parenthesized!(content in input);
            let list =
                Punctuated::<FieldArg, Token![,]>::parse_terminated_with(&content, parse_field)?;
            store(cx, slot(args), list.into_iter().collect(), key);
        }
        Value::StrList(slot) => {
            if !input.peek(syn::token::Paren) {
                cx.error_at(key.span(), format!("expected a list: `{example}`"));
                return skip_value(input);
            }
            let content;
            syn::parenthesized!(content in input);
            let list = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
            store(
                cx,
                slot(args),
                (key.clone(), list.into_iter().collect()),
                key,
            );
        }
        Value::Str(_) | Value::Bool(_) | Value::Expr(_) | Value::Ident(_) => {
            if !input.peek(Token![=]) {
                cx.error_at(key.span(), format!("expected `{key} = …`: `{example}`"));
                return skip_value(input);
            }
            input.parse::<Token![=]>()?;
            parse_assigned(cx, arg, key, input, args)?;
        }
    }
    Ok(())
}

/// The value after `key =`. A value of the wrong kind is reported and skipped.
fn parse_assigned(
    cx: &Ctxt,
    arg: &Arg,
    key: &Ident,
    input: ParseStream,
    args: &mut Args,
) -> syn::Result<()> {
    let example = arg.example;
    let expected = match arg.value {
        Value::Str(slot) if input.peek(LitStr) => return store_parsed(cx, slot(args), input, key),
        Value::Bool(slot) if input.peek(LitBool) => {
            return store_parsed(cx, slot(args), input, key);
        }
        Value::Ident(slot) if input.peek(Ident) => return store_parsed(cx, slot(args), input, key),
        Value::Expr(slot) => return store_parsed(cx, slot(args), input, key),
        Value::Str(_) => format!("expected a string literal: `{example}`"),
        Value::Bool(_) => format!("expected `{key} = false` or `{key} = true`"),
        Value::Ident(_) => format!("expected the name of a parameter: `{example}`"),
        // Not written `key = value`: `parse_value` handles them.
        Value::Flag(_) | Value::List(_) | Value::StrList(_) => return Ok(()),
    };
    cx.error_at(input.span(), expected);
    skip_value(input)
}

fn store_parsed<T: syn::parse::Parse>(
    cx: &Ctxt,
    slot: &mut Option<T>,
    input: ParseStream,
    key: &Ident,
) -> syn::Result<()> {
    let value = input.parse()?;
    store(cx, slot, value, key);
    Ok(())
}

fn parse_field(input: ParseStream) -> syn::Result<FieldArg> {
    if input.peek(LitStr) {
        let key: LitStr = input.parse()?;
        input.parse::<Token![=]>().map_err(|_| {
            syn::Error::new(
                key.span(),
                "a string key needs a value: `\"error.stack\" = expr`",
            )
        })?;
        let value: Expr = input.parse()?;
        return Ok(FieldArg {
            key: FieldKey::Lit(key),
            value: Some(value),
        });
    }
    let key: Ident = input.call(Ident::parse_any).map_err(|error| {
        syn::Error::new(
            error.span(),
            "expected a parameter name or `key = expr`, e.g. `fields(job_id, count = items.len())`",
        )
    })?;
    let value = if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        Some(input.parse::<Expr>()?)
    } else {
        None
    };
    Ok(FieldArg {
        key: FieldKey::Ident(key),
        value,
    })
}
