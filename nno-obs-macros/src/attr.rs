//! Parsing the attribute's arguments, keeping the span of every token for the checks.
//!
//! Parsing goes on after a bad argument (an unknown name, a duplicate, a value of the wrong
//! kind) so that every mistake is reported at once; only broken syntax stops it.

use crate::ctxt::Errors;
use proc_macro2::{Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, LitBool, LitStr, Token};

/// Which macro.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Instrument,
    Handler,
}

impl Kind {
    pub(crate) fn attribute(self) -> &'static str {
        match self {
            Kind::Instrument => "#[nno_instrument]",
            Kind::Handler => "#[nno_handler]",
        }
    }

    fn valid_arguments(self) -> &'static [&'static str] {
        match self {
            Kind::Instrument => &[
                "service", "name", "span", "fields", "level", "lines", "obs", "crate",
            ],
            Kind::Handler => &[
                "service", "feature", "route", "routes", "platform", "entity", "crate",
            ],
        }
    }

    fn usage(self) -> &'static str {
        match self {
            Kind::Instrument => {
                "service = \"provisioning\", name = \"create-d1\", span, fields(job_id, count = items.len()), level = \"debug\", lines = false, obs = ctx, crate = \"path\""
            }
            Kind::Handler => {
                "service = \"analytics\", feature = \"analytics\", route = \"/api/data/:id\" or routes(\"/health\", \"/api/*rest\"), platform = expr, entity = expr, crate = \"path\""
            }
        }
    }
}

/// One `fields(...)` entry.
pub(crate) struct FieldArg {
    pub(crate) key: FieldKey,
    /// `None` for the shorthand `fields(job_id)`: the parameter of that name.
    pub(crate) value: Option<Expr>,
}

pub(crate) enum FieldKey {
    /// `job_id` or `job_id = expr`: written in camelCase.
    Ident(Ident),
    /// `"error.stack" = expr`: written as given.
    Lit(LitStr),
}

impl FieldKey {
    pub(crate) fn span(&self) -> Span {
        match self {
            FieldKey::Ident(ident) => ident.span(),
            FieldKey::Lit(lit) => lit.span(),
        }
    }
}

/// The parsed arguments; each keeps the token it came from.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) service: Option<LitStr>,
    pub(crate) name: Option<LitStr>,
    pub(crate) span: Option<Ident>,
    pub(crate) fields: Option<Vec<FieldArg>>,
    pub(crate) level: Option<LitStr>,
    pub(crate) lines: Option<LitBool>,
    pub(crate) obs: Option<Ident>,
    pub(crate) krate: Option<LitStr>,
    pub(crate) feature: Option<LitStr>,
    pub(crate) route: Option<LitStr>,
    pub(crate) routes: Option<(Ident, Vec<LitStr>)>,
    pub(crate) platform: Option<Expr>,
    pub(crate) entity: Option<Expr>,
}

/// Parses `tokens` (the attribute's arguments); every problem goes to `errors`.
pub(crate) fn parse(kind: Kind, tokens: TokenStream, errors: &mut Errors) -> Args {
    let mut args = Args::default();
    let parser = |input: ParseStream| parse_args(kind, input, &mut args, errors);
    if let Err(error) = parser.parse2(tokens) {
        errors.push(error);
    }
    args
}

fn parse_args(
    kind: Kind,
    input: ParseStream,
    args: &mut Args,
    errors: &mut Errors,
) -> syn::Result<()> {
    while !input.is_empty() {
        let key = input.call(Ident::parse_any)?;
        let name = key.to_string();
        if kind == Kind::Instrument && (name == "skip" || name == "skip_all") {
            errors.error(
                key.span(),
                format!(
                    "`{name}` is not needed: #[nno_instrument] records no parameter unless `fields(...)` names it; remove `{name}`"
                ),
            );
            skip_value(input)?;
        } else if !kind.valid_arguments().contains(&name.as_str()) {
            errors.error(
                key.span(),
                format!(
                    "unknown argument `{name}` of {}; valid arguments: {}\n  usage: {}({})]",
                    kind.attribute(),
                    kind.valid_arguments()
                        .iter()
                        .map(|arg| format!("`{arg}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    kind.attribute().trim_end_matches(']'),
                    kind.usage(),
                ),
            );
            skip_value(input)?;
        } else {
            parse_known(&key, &name, input, args, errors)?;
        }
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(())
}

/// Skips the rest of an argument, up to the next top-level comma.
fn skip_value(input: ParseStream) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<TokenTree>()?;
    }
    Ok(())
}

fn duplicate(errors: &mut Errors, key: &Ident, name: &str) {
    errors.error(
        key.span(),
        format!("duplicate argument `{name}`: give it once"),
    );
}

/// Stores `value` in `slot`, or reports a duplicate.
fn store<T>(slot: &mut Option<T>, value: T, key: &Ident, name: &str, errors: &mut Errors) {
    if slot.is_some() {
        duplicate(errors, key, name);
    } else {
        *slot = Some(value);
    }
}

fn parse_known(
    key: &Ident,
    name: &str,
    input: ParseStream,
    args: &mut Args,
    errors: &mut Errors,
) -> syn::Result<()> {
    match name {
        "span" => {
            if !input.is_empty() && !input.peek(Token![,]) {
                errors.error(key.span(), "`span` takes no value: write `span` alone");
                skip_value(input)?;
            }
            store(&mut args.span, key.clone(), key, name, errors);
        }
        "routes" => {
            if !input.peek(syn::token::Paren) {
                errors.error(
                    key.span(),
                    "expected a list of route templates: `routes(\"/health\", \"/api/report/:id\", \"/api/*rest\")`",
                );
                return skip_value(input);
            }
            let content;
            syn::parenthesized!(content in input);
            let list = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
            store(
                &mut args.routes,
                (key.clone(), list.into_iter().collect()),
                key,
                name,
                errors,
            );
        }
        "fields" => {
            if !input.peek(syn::token::Paren) {
                errors.error(
                    key.span(),
                    "expected a list: `fields(job_id, platform_id = pid, count = items.len())`",
                );
                return skip_value(input);
            }
            let content;
            syn::parenthesized!(content in input);
            let list =
                Punctuated::<FieldArg, Token![,]>::parse_terminated_with(&content, parse_field)?;
            store(
                &mut args.fields,
                list.into_iter().collect(),
                key,
                name,
                errors,
            );
        }
        _ => {
            if !input.peek(Token![=]) {
                errors.error(
                    key.span(),
                    format!("expected `{name} = …`: {}", example(name)),
                );
                return skip_value(input);
            }
            input.parse::<Token![=]>()?;
            match name {
                "platform" | "entity" => {
                    let expr: Expr = input.parse()?;
                    let slot = if name == "platform" {
                        &mut args.platform
                    } else {
                        &mut args.entity
                    };
                    store(slot, expr, key, name, errors);
                }
                "obs" => {
                    if input.peek(Ident) {
                        let ident: Ident = input.parse()?;
                        store(&mut args.obs, ident, key, name, errors);
                    } else {
                        errors.error(
                            input.span(),
                            "expected the name of a parameter: `obs = ctx`",
                        );
                        skip_value(input)?;
                    }
                }
                "lines" => {
                    if input.peek(LitBool) {
                        let lit: LitBool = input.parse()?;
                        store(&mut args.lines, lit, key, name, errors);
                    } else {
                        errors.error(input.span(), "expected `lines = false` or `lines = true`");
                        skip_value(input)?;
                    }
                }
                _ => {
                    if input.peek(LitStr) {
                        let lit: LitStr = input.parse()?;
                        let slot = match name {
                            "service" => &mut args.service,
                            "name" => &mut args.name,
                            "level" => &mut args.level,
                            "crate" => &mut args.krate,
                            "feature" => &mut args.feature,
                            _ => &mut args.route,
                        };
                        store(slot, lit, key, name, errors);
                    } else {
                        errors.error(
                            input.span(),
                            format!("expected a string literal: {}", example(name)),
                        );
                        skip_value(input)?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn example(name: &str) -> &'static str {
    match name {
        "service" => "`service = \"provisioning\"`",
        "name" => "`name = \"create-d1\"`",
        "level" => "`level = \"debug\"`",
        "crate" => "`crate = \"::nno_obs\"`",
        "feature" => "`feature = \"analytics\"`",
        "route" => "`route = \"/api/data/:id\"`",
        "routes" => "`routes(\"/health\", \"/api/*rest\")`",
        "platform" => "`platform = expr`",
        "entity" => "`entity = expr`",
        "obs" => "`obs = ctx`",
        "lines" => "`lines = false`",
        _ => "",
    }
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
