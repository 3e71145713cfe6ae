//! Checks across the arguments and the function. Each problem is a `syn::Error` on the
//! offending token, saying how to fix it; all of them are collected.

use crate::ast::{Func, Param};
use crate::attr::{Args, FieldKey, Kind};
use crate::case::{camel_case, is_kebab_case, to_kebab_case};
use crate::ctxt::Errors;
use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, Ident, Path, ReturnType, Type};

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

/// Where the context comes from.
pub(crate) struct Context<'a> {
    pub(crate) param: &'a Param,
}

/// What `#[nno_instrument]` generates, once checked.
pub(crate) struct InstrumentPlan<'a> {
    pub(crate) krate: Path,
    pub(crate) operation: String,
    pub(crate) service: Option<String>,
    pub(crate) level: Ident,
    pub(crate) span: bool,
    pub(crate) lines: bool,
    pub(crate) fields: Vec<Field>,
    pub(crate) context: Option<Context<'a>>,
}

/// The routes a handler declares (the endpoint of its points is one of them, or
/// `METHOD (unmatched)`).
pub(crate) enum Routes {
    None,
    Fixed(String),
    Match(Vec<String>),
}

/// A route template: a path starting with `/`.
fn check_route(errors: &mut Errors, argument: &str, lit: &syn::LitStr) -> String {
    let value = lit.value();
    if !value.starts_with('/') {
        errors.error(
            lit.span(),
            format!("`{argument}` must be a path starting with `/`, e.g. `route = \"/api/data/:id\"`; found `{value}`"),
        );
    }
    value
}

/// The shape of a handler.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum HandlerShape {
    /// `fn(http::Request<B> [, obs])`.
    Native,
    /// `fn(worker::Request, RouteContext<D> [, obs])`.
    Router,
    /// `async fn(worker::Request, Env, Context [, obs])`.
    Fetch,
}

/// What `#[nno_handler]` generates, once checked.
pub(crate) struct HandlerPlan<'a> {
    pub(crate) krate: Path,
    pub(crate) service: String,
    /// `None`: an NNO core service (core-ops points); `Some`: a platform feature (perf points).
    pub(crate) feature: Option<String>,
    pub(crate) routes: Routes,
    pub(crate) platform: Option<Expr>,
    pub(crate) entity: Option<Expr>,
    pub(crate) shape: HandlerShape,
    /// The framework's parameters, in order (request first).
    pub(crate) inputs: Vec<&'a Param>,
    pub(crate) context: Option<&'a Param>,
}

fn krate(args: &Args, errors: &mut Errors) -> Path {
    match &args.krate {
        Some(lit) => match lit.parse::<Path>() {
            Ok(path) => path,
            Err(_) => {
                errors.error(
                    lit.span(),
                    format!(
                        "`crate` must be a path to nno-obs, e.g. `crate = \"::nno_obs\"`; `{}` is not a path",
                        lit.value()
                    ),
                );
                syn::parse_quote!(::nno_obs)
            }
        },
        None => syn::parse_quote!(::nno_obs),
    }
}

fn check_kebab(errors: &mut Errors, what: &str, lit: &syn::LitStr) -> String {
    let value = lit.value();
    if !is_kebab_case(&value) {
        let suggestion = to_kebab_case(&value);
        let hint = if is_kebab_case(&suggestion) {
            format!(": write `{what} = \"{suggestion}\"`")
        } else {
            String::from(", e.g. `provisioning` or `stack-registry`")
        };
        errors.error(
            lit.span(),
            format!("`{what}` must be lowercase kebab-case (a-z, 0-9, single dashes){hint}"),
        );
    }
    value
}

fn check_const(kind: Kind, func: &Func, errors: &mut Errors) {
    if let Some(constness) = &func.item.sig.constness {
        errors.error(
            constness.span,
            format!(
                "{} cannot be used on a `const fn`: writing log lines is not const; remove `const`",
                kind.attribute()
            ),
        );
    }
}

/// The context parameter: the one named by `obs = …`, else the only one typed `Obs`/`&Obs`.
fn find_context<'a>(
    kind: Kind,
    args: &Args,
    func: &'a Func,
    errors: &mut Errors,
) -> Option<&'a Param> {
    if let Some(name) = &args.obs {
        return match func.param_named(name) {
            Some(param) if param.ident.as_ref() == Some(name) => Some(param),
            Some(param) => {
                errors.error(
                    param.span(),
                    "the context parameter must be a plain name (`obs: &Obs`), not a pattern",
                );
                None
            }
            None => {
                errors.error(
                    name.span(),
                    format!(
                        "`obs = {name}` names no parameter of `{}`; add `{name}: &Obs` or name the context parameter",
                        func.name()
                    ),
                );
                None
            }
        };
    }
    let mut found: Option<&Param> = None;
    for param in func.params.iter().filter(|param| param.is_obs_type) {
        match found {
            None => found = Some(param),
            Some(first) => {
                let hint = match kind {
                    Kind::Instrument => format!(
                        "keep one, or choose the parent with `obs = {}`",
                        name_of(first)
                    ),
                    Kind::Handler => String::from(
                        "keep one: the handler hands its context to a single `obs: Obs` parameter",
                    ),
                };
                errors.error(
                    param.ty.span(),
                    format!(
                        "two context parameters (`{}` and `{}`): {hint}",
                        name_of(first),
                        name_of(param)
                    ),
                );
            }
        }
    }
    if let Some(param) = found {
        if param.ident.is_none() && kind == Kind::Instrument {
            errors.error(
                param.span(),
                "the context parameter must be a plain name (`obs: &Obs`), not a pattern",
            );
            return None;
        }
    }
    found
}

fn name_of(param: &Param) -> String {
    match &param.ident {
        Some(ident) => ident.to_string(),
        None => quote::ToTokens::to_token_stream(&param.pat).to_string(),
    }
}

pub(crate) fn instrument<'a>(
    args: &Args,
    func: &'a Func,
    errors: &mut Errors,
) -> InstrumentPlan<'a> {
    let kind = Kind::Instrument;
    let krate = krate(args, errors);
    check_const(kind, func, errors);

    let service = args
        .service
        .as_ref()
        .map(|lit| check_kebab(errors, "service", lit));

    let operation = match &args.name {
        Some(lit) => {
            let value = lit.value();
            if value.trim().is_empty() {
                errors.error(
                    lit.span(),
                    "`name` must not be empty: `name = \"create-d1\"`",
                );
            }
            value
        }
        None => func.name().to_string().trim_start_matches("r#").to_owned(),
    };

    let level = match &args.level {
        Some(lit) => match lit.value().as_str() {
            "info" => Ident::new("Info", lit.span()),
            "warn" => Ident::new("Warn", lit.span()),
            "error" => Ident::new("Error", lit.span()),
            "debug" => Ident::new("Debug", lit.span()),
            other => {
                errors.error(
                    lit.span(),
                    format!(
                        "unknown level `{other}`: `level` must be one of \"info\", \"warn\", \"error\", \"debug\" (NNO has no `fatal`)"
                    ),
                );
                Ident::new("Info", lit.span())
            }
        },
        None => Ident::new("Info", Span::call_site()),
    };

    let context = find_context(kind, args, func, errors);
    if let (Some(span), None) = (&args.span, context) {
        if args.obs.is_none() {
            errors.error(
                span.span(),
                format!(
                    "`span` needs a context parameter to be the parent of the new span: add `obs: &Obs` to `{}` (or name one with `obs = …`)",
                    func.name()
                ),
            );
        }
    }
    let lines = args.lines.as_ref().is_none_or(|lit| lit.value);
    if let (Some(lit), None) = (&args.lines, &args.span) {
        if !lit.value {
            errors.error(
                lit.span(),
                "`lines = false` keeps only the span, so it needs `span`: write `span, lines = false`",
            );
        }
    }
    if context.is_none() && args.span.is_none() && args.service.is_none() && args.obs.is_none() {
        errors.error(
            Span::call_site(),
            format!(
                "#[nno_instrument] on `{}`, which has no context parameter, needs `service = \"…\"` to name the lines' service; or add `obs: &Obs` to carry the request's ids",
                func.name()
            ),
        );
    }

    let fields = check_fields(args, func, errors);

    InstrumentPlan {
        krate,
        operation,
        service,
        level,
        span: args.span.is_some(),
        lines,
        fields,
        context: context.map(|param| Context { param }),
    }
}

fn check_fields(args: &Args, func: &Func, errors: &mut Errors) -> Vec<Field> {
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
                    errors.error(
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
            errors.error(span, "a field key must not be empty");
        } else if CORE_KEYS.contains(&key.as_str()) {
            errors.error(
                span,
                format!(
                    "field `{written}` would be written as `{key}`, a key every log line already has ({}); rename it, e.g. `{written}_value = {}`",
                    CORE_KEYS.join(", "),
                    quote::ToTokens::to_token_stream(&value)
                ),
            );
        } else if MACRO_KEYS.contains(&key.as_str()) {
            errors.error(
                span,
                format!(
                    "field `{written}` would be written as `{key}`, a key `#[nno_instrument]` writes itself ({}); rename it, e.g. `{written}_value = {}`",
                    MACRO_KEYS.join(", "),
                    quote::ToTokens::to_token_stream(&value)
                ),
            );
        } else if fields.iter().any(|field| field.key == key) {
            errors.error(
                span,
                format!("two fields have the key `{key}`: each key may appear once on a line; rename one"),
            );
        }
        fields.push(Field { key, value });
    }
    fields
}

pub(crate) fn handler<'a>(args: &Args, func: &'a Func, errors: &mut Errors) -> HandlerPlan<'a> {
    let kind = Kind::Handler;
    let krate = krate(args, errors);
    check_const(kind, func, errors);

    let service = match &args.service {
        Some(lit) => check_kebab(errors, "service", lit),
        None => {
            errors.error(
                Span::call_site(),
                "#[nno_handler] needs `service = \"…\"`: the service every line of the request is written in, e.g. #[nno_handler(service = \"analytics\")]",
            );
            String::new()
        }
    };
    let feature = args
        .feature
        .as_ref()
        .map(|lit| check_kebab(errors, "feature", lit));
    let routes = match (&args.route, &args.routes) {
        (Some(route), Some((key, _))) => {
            errors.error(
                key.span(),
                format!(
                    "give either `route = \"{}\"` (a router handler's one route) or `routes(...)` (the routes a handler matches itself), not both",
                    route.value()
                ),
            );
            Routes::None
        }
        (Some(route), None) => Routes::Fixed(check_route(errors, "route", route)),
        (None, Some((key, list))) => {
            if list.is_empty() {
                errors.error(
                    key.span(),
                    "`routes(...)` needs at least one route template, e.g. `routes(\"/health\", \"/api/*rest\")`",
                );
            }
            Routes::Match(
                list.iter()
                    .map(|lit| check_route(errors, "routes", lit))
                    .collect(),
            )
        }
        (None, None) => Routes::None,
    };

    if func.has_receiver {
        errors.error(
            func.item.sig.inputs.span(),
            "#[nno_handler] works on free functions, not methods: the framework calls the handler with the request",
        );
    }

    let context = find_context(kind, args, func, errors);
    let inputs: Vec<&Param> = func
        .params
        .iter()
        .filter(|param| context.is_none_or(|context| context.index != param.index))
        .collect();
    let shape = match inputs.len() {
        1 => HandlerShape::Native,
        2 => HandlerShape::Router,
        3 => HandlerShape::Fetch,
        0 => {
            errors.error(
                func.item.sig.paren_token.span.join(),
                format!(
                    "`{}` has no request parameter: a handler takes the request first, e.g. `fn {}(req: http::Request<String>) -> http::Response<String>` or, in a Worker, `async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response>`",
                    func.name(),
                    func.name()
                ),
            );
            HandlerShape::Native
        }
        _ => {
            errors.error(
                inputs[3].ty.span(),
                "unsupported handler signature: #[nno_handler] takes `(http::Request<B>)`, `(Request, RouteContext<D>)` or `(Request, Env, Context)`, plus an optional `obs: Obs`",
            );
            HandlerShape::Native
        }
    };

    match &func.item.sig.output {
        ReturnType::Default => errors.error(
            func.item.sig.paren_token.span.close(),
            format!(
                "`{}` returns nothing: a handler returns `http::Response<B>`, `Result<http::Response<B>, E>` or, in a Worker, `Result<Response>`",
                func.name()
            ),
        ),
        ReturnType::Type(_, ty) => {
            if !matches!(**ty, Type::Path(_)) {
                errors.error(
                    ty.span(),
                    "unsupported return type: a handler returns `http::Response<B>`, `Result<http::Response<B>, E>` or, in a Worker, `Result<Response>`",
                );
            }
        }
    }

    HandlerPlan {
        krate,
        service,
        feature,
        routes,
        platform: args.platform.clone(),
        entity: args.entity.clone(),
        shape,
        inputs,
        context,
    }
}
