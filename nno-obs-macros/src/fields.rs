//! The `fields(...)` of `#[nno_instrument]`: each entry's key as written on the line and the
//! expression of its value, refusing keys a line already has.

use crate::args::{Args, FieldKey};
use crate::ast::Func;
use crate::case::camel_case;
use crate::ctxt::Ctxt;
use syn::Expr;

/// Keys every line has: `nno_obs::CORE_KEYS`, restated because a proc-macro crate cannot
/// depend on the runtime it serves. The runtime renames such fields anyway (`data.<key>`); here
/// they are refused at compile time.
const CORE_KEYS: [&str; 6] = [
    "timestamp",
    "level",
    "service",
    "traceId",
    "requestId",
    "message",
];
/// Keys `#[nno_instrument]` writes itself on its step lines. The handler's own keys (`method`,
/// `path`, `status`, `duration`) are not reserved here: a step never writes them, and the seed's
/// "CF API call" row (`method`, `endpoint`, `status`) is a step's fields.
const MACRO_KEYS: [&str; 3] = ["step", "durationMs", "error"];

/// A field to log: its key as written on the line and the expression of its value.
pub(crate) struct Field {
    pub(crate) key: String,
    pub(crate) value: Expr,
}

/// The fields to log, in the order given; every problem goes to `cx`.
pub(crate) fn check(cx: &Ctxt, args: &Args, func: &Func) -> Vec<Field> {
    let mut fields: Vec<Field> = Vec::new();
    for arg in args.fields.iter().flatten() {
        let (key, written) = match &arg.key {
            FieldKey::Ident(ident) => {
                let name = ident.to_string();
                (camel_case(&name), name)
            }
            FieldKey::Lit(lit) => (lit.value(), format!("\"{}\"", lit.value())),
        };
        let span = arg.key.span();
        let value = match (&arg.value, &arg.key) {
            (Some(value), _) => value.clone(),
            (None, FieldKey::Ident(ident)) => {
                if func.param_named(ident).is_none() {
                    let params: Vec<String> = func
                        .params
                        .iter()
                        .flat_map(|param| param.bindings.iter().map(ToString::to_string))
                        .collect();
                    let list = if params.is_empty() {
                        String::from("it has none")
                    } else {
                        format!(
                            "its parameters are {}",
                            params
                                .iter()
                                .map(|p| format!("`{p}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    cx.error_at(
                        ident.span(),
                        format!(
                            "`{ident}` is not a parameter of `{}` ({list}); name a parameter, or give the value: `{ident} = expr`",
                            func.name()
                        ),
                    );
                }
                syn::parse_quote_spanned!(ident.span()=> #ident)
            }
            (None, FieldKey::Lit(_)) => continue,
        };
        if key.is_empty() {
            cx.error_at(span, "a field key must not be empty");
        } else if CORE_KEYS.contains(&key.as_str()) {
            cx.error_at(
                span,
                format!(
                    "field `{written}` would be written as `{key}`, a key every log line already has ({}); rename it, e.g. `{written}_value = {}`",
                    CORE_KEYS.join(", "),
                    quote::ToTokens::to_token_stream(&value)
                ),
            );
        } else if MACRO_KEYS.contains(&key.as_str()) {
            cx.error_at(
                span,
                format!(
                    "field `{written}` would be written as `{key}`, a key `#[nno_instrument]` writes itself ({}); rename it, e.g. `{written}_value = {}`",
                    MACRO_KEYS.join(", "),
                    quote::ToTokens::to_token_stream(&value)
                ),
            );
        } else if fields.iter().any(|field| field.key == key) {
            cx.error_at(
                span,
                format!("two fields have the key `{key}`: each key may appear once on a line; rename one"),
            );
        }
        fields.push(Field { key, value });
    }
    fields
}
