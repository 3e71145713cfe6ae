//! Checks across the arguments and the function, and the plan each macro expands once they
//! pass. Each problem is a `syn::Error` on the offending token, saying how to fix it; all of
//! them are collected. The `fields(...)` entries are checked in `fields`, a handler's
//! parameters in `shape`.

use crate::args::{Args, Kind};
use crate::ast::{Func, Param};
use crate::case::{is_kebab_case, to_kebab_case};
use crate::ctxt::Ctxt;
use crate::fields::{self, Field};
use crate::shape::{self, Signature};
use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, Ident, Path, ReturnType, Type};

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
    /// `job`: the span is a job's own span (checked: `span` and the fields `jobId`, `operation`).
    pub(crate) job: bool,
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
fn check_route(cx: &Ctxt, argument: &str, lit: &syn::LitStr) -> String {
    let value = lit.value();
    if !value.starts_with('/') {
        cx.error_at(
            lit.span(),
            format!("`{argument}` must be a path starting with `/`, e.g. `route = \"/api/data/:id\"`; found `{value}`"),
        );
    }
    value
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
    /// The framework's parameters, by the handler's shape.
    pub(crate) signature: Signature<'a>,
    /// The `obs: Obs` parameter, supplied by the macro.
    pub(crate) context: Option<&'a Param>,
}

fn krate(cx: &Ctxt, args: &Args) -> Path {
    match &args.krate {
        Some(lit) => match lit.parse::<Path>() {
            Ok(path) => path,
            Err(_) => {
                cx.error_at(
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

fn check_kebab(cx: &Ctxt, what: &str, lit: &syn::LitStr) -> String {
    let value = lit.value();
    if !is_kebab_case(&value) {
        let suggestion = to_kebab_case(&value);
        let hint = if is_kebab_case(&suggestion) {
            format!(": write `{what} = \"{suggestion}\"`")
        } else {
            String::from(", e.g. `provisioning` or `stack-registry`")
        };
        cx.error_at(
            lit.span(),
            format!("`{what}` must be lowercase kebab-case (a-z, 0-9, single dashes){hint}"),
        );
    }
    value
}

fn check_const(cx: &Ctxt, kind: Kind, func: &Func) {
    if let Some(constness) = &func.item.sig.constness {
        cx.error_at(
            constness.span,
            format!(
                "{} cannot be used on a `const fn`: writing log lines is not const; remove `const`",
                kind.attribute()
            ),
        );
    }
}

/// The context parameter: the one named by `obs = …`, else the only one typed `Obs`/`&Obs`.
fn find_context<'a>(cx: &Ctxt, kind: Kind, args: &Args, func: &'a Func) -> Option<&'a Param> {
    if let Some(name) = &args.obs {
        return match func.param_named(name) {
            Some(param) if param.ident.as_ref() == Some(name) => Some(param),
            Some(param) => {
                cx.error_at(
                    param.span(),
                    "the context parameter must be a plain name (`obs: &Obs`), not a pattern",
                );
                None
            }
            None => {
                cx.error_at(
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
                        first.name()
                    ),
                    Kind::Handler => String::from(
                        "keep one: the handler hands its context to a single `obs: Obs` parameter",
                    ),
                };
                cx.error_at(
                    param.ty.span(),
                    format!(
                        "two context parameters (`{}` and `{}`): {hint}",
                        first.name(),
                        param.name()
                    ),
                );
            }
        }
    }
    if let Some(param) = found {
        if param.ident.is_none() && kind == Kind::Instrument {
            cx.error_at(
                param.span(),
                "the context parameter must be a plain name (`obs: &Obs`), not a pattern",
            );
            return None;
        }
    }
    found
}

pub(crate) fn instrument<'a>(cx: &Ctxt, args: &Args, func: &'a Func) -> InstrumentPlan<'a> {
    let kind = Kind::Instrument;
    let krate = krate(cx, args);
    check_const(cx, kind, func);

    let service = args
        .service
        .as_ref()
        .map(|lit| check_kebab(cx, "service", lit));

    let operation = match &args.name {
        Some(lit) => {
            let value = lit.value();
            if value.trim().is_empty() {
                cx.error_at(
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
                cx.error_at(
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

    let context = find_context(cx, kind, args, func);
    if let (Some(span), None) = (&args.span, context) {
        if args.obs.is_none() {
            cx.error_at(
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
            cx.error_at(
                lit.span(),
                "`lines = false` keeps only the span, so it needs `span`: write `span, lines = false`",
            );
        }
    }
    if context.is_none() && args.span.is_none() && args.service.is_none() && args.obs.is_none() {
        cx.error_at(
            Span::call_site(),
            format!(
                "#[nno_instrument] on `{}`, which has no context parameter, needs `service = \"…\"` to name the lines' service; or add `obs: &Obs` to carry the request's ids",
                func.name()
            ),
        );
    }

    let fields = fields::check(cx, args, func);
    if let Some(job) = &args.job {
        check_job(cx, job, args.span.is_some(), &fields);
    }

    InstrumentPlan {
        krate,
        operation,
        service,
        level,
        span: args.span.is_some(),
        job: args.job.is_some(),
        lines,
        fields,
        context: context.map(|param| Context { param }),
    }
}

/// `job` marks the span as a job's own: its points carry the job's id and operation, taken
/// from the fields `jobId` and `operation`, so both must be logged and there must be a span.
fn check_job(cx: &Ctxt, job: &Ident, span: bool, fields: &[Field]) {
    if !span {
        cx.error_at(
            job.span(),
            "`job` makes the step's span the job's own span, so it needs `span`: write `span, job`",
        );
    }
    for key in ["jobId", "operation"] {
        if !fields.iter().any(|field| field.key == key) {
            cx.error_at(
                job.span(),
                format!(
                    "`job` takes the job's id and operation from the fields `jobId` and `operation`: add them, e.g. `fields(job_id, operation)`; `{key}` is missing"
                ),
            );
        }
    }
}

/// The handler's plan; `None` when its signature has no shape (the reason is reported).
pub(crate) fn handler<'a>(cx: &Ctxt, args: &Args, func: &'a Func) -> Option<HandlerPlan<'a>> {
    let kind = Kind::Handler;
    let krate = krate(cx, args);
    check_const(cx, kind, func);

    let service = match &args.service {
        Some(lit) => check_kebab(cx, "service", lit),
        None => {
            cx.error_at(
                Span::call_site(),
                "#[nno_handler] needs `service = \"…\"`: the service every line of the request is written in, e.g. #[nno_handler(service = \"analytics\")]",
            );
            String::new()
        }
    };
    let feature = args
        .feature
        .as_ref()
        .map(|lit| check_kebab(cx, "feature", lit));
    let routes = match (&args.route, &args.routes) {
        (Some(route), Some((key, _))) => {
            cx.error_at(
                key.span(),
                format!(
                    "give either `route = \"{}\"` (a router handler's one route) or `routes(...)` (the routes a handler matches itself), not both",
                    route.value()
                ),
            );
            Routes::None
        }
        (Some(route), None) => Routes::Fixed(check_route(cx, "route", route)),
        (None, Some((key, list))) => {
            if list.is_empty() {
                cx.error_at(
                    key.span(),
                    "`routes(...)` needs at least one route template, e.g. `routes(\"/health\", \"/api/*rest\")`",
                );
            }
            Routes::Match(
                list.iter()
                    .map(|lit| check_route(cx, "routes", lit))
                    .collect(),
            )
        }
        (None, None) => Routes::None,
    };

    if let Some(receiver) = func.item.sig.receiver() {
        cx.error_spanned_by(
            receiver,
            "#[nno_handler] works on free functions, not methods: the framework calls the handler with the request; remove the receiver",
        );
    }

    let context = find_context(cx, kind, args, func);
    // Every context parameter is set aside, not only the one kept: a second one is already
    // reported, and is no part of the framework's signature either.
    let inputs: Vec<&Param> = func
        .params
        .iter()
        .filter(|param| !param.is_obs_type)
        .collect();
    let signature = shape::recognise(cx, func, &inputs);

    match &func.item.sig.output {
        ReturnType::Default => cx.error_at(
            func.item.sig.paren_token.span.close(),
            format!(
                "`{}` returns nothing: a handler returns `http::Response<B>`, `Result<http::Response<B>, E>` or, in a Worker, `Result<Response>`",
                func.name()
            ),
        ),
        ReturnType::Type(_, ty) => {
            if !matches!(**ty, Type::Path(_)) {
                cx.error_at(
                    ty.span(),
                    "unsupported return type: a handler returns `http::Response<B>`, `Result<http::Response<B>, E>` or, in a Worker, `Result<Response>`",
                );
            }
        }
    }

    Some(HandlerPlan {
        krate,
        service,
        feature,
        routes,
        platform: args.platform.clone(),
        entity: args.entity.clone(),
        signature: signature?,
        context,
    })
}
