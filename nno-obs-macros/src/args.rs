//! The arguments of each macro, declared once.
//!
//! One table per macro says, for every argument, its keyword, the kind of its value (and the
//! field of [`Args`] it is stored in) and the example shown in errors. The parser (`attr.rs`),
//! the unknown-argument error, its usage line and every "expected …" message read this table,
//! so adding an argument is one row here plus its field in [`Args`] (and its keyword in `kw`,
//! which the row's `arg!` names: forgetting it does not compile).

use syn::parse::ParseStream;
use syn::{Expr, Ident, LitBool, LitStr, Token};

/// The keywords, as tracing-attributes declares them. `crate` is a Rust keyword and cannot be
/// a custom one: its row peeks `Token![crate]`.
mod kw {
    syn::custom_keyword!(service);
    syn::custom_keyword!(name);
    syn::custom_keyword!(span);
    syn::custom_keyword!(job);
    syn::custom_keyword!(fields);
    syn::custom_keyword!(level);
    syn::custom_keyword!(lines);
    syn::custom_keyword!(obs);
    syn::custom_keyword!(feature);
    syn::custom_keyword!(route);
    syn::custom_keyword!(routes);
    syn::custom_keyword!(platform);
    syn::custom_keyword!(entity);
}

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

    /// The macro's table.
    pub(crate) fn arguments(self) -> &'static [Arg] {
        match self {
            Kind::Instrument => INSTRUMENT,
            Kind::Handler => HANDLER,
        }
    }

    /// Why an argument borrowed from another crate's macro is not needed here, if it is one.
    pub(crate) fn not_needed(self, name: &str) -> Option<String> {
        match (self, name) {
            // tracing's `#[instrument]` records every parameter unless skipped; this one records
            // none unless named, so there is nothing to skip.
            (Kind::Instrument, "skip" | "skip_all") => Some(format!(
                "`{name}` is not needed: #[nno_instrument] records no parameter unless `fields(...)` names it; remove `{name}`"
            )),
            _ => None,
        }
    }

    /// `#[nno_instrument(service = "provisioning", …)]`: every argument's example, in order.
    pub(crate) fn usage(self) -> String {
        let examples: Vec<&str> = self.arguments().iter().map(|arg| arg.example).collect();
        format!(
            "{}({})]",
            self.attribute().trim_end_matches(']'),
            examples.join(", ")
        )
    }
}

/// One argument of a macro.
pub(crate) struct Arg {
    pub(crate) name: &'static str,
    /// Whether the next token is this argument's keyword.
    pub(crate) peek: fn(ParseStream) -> bool,
    /// The kind of its value, and where it is stored.
    pub(crate) value: Value,
    /// How it is written: shown in errors and in the usage line.
    pub(crate) example: &'static str,
}

/// The kind of an argument's value, with the field of [`Args`] it goes to.
pub(crate) enum Value {
    /// `span`: the keyword alone.
    Flag(fn(&mut Args) -> &mut Option<Ident>),
    /// `service = "provisioning"`.
    Str(fn(&mut Args) -> &mut Option<LitStr>),
    /// `lines = false`.
    Bool(fn(&mut Args) -> &mut Option<LitBool>),
    /// `platform = cfg.platform_id.clone()`: any expression.
    Expr(fn(&mut Args) -> &mut Option<Expr>),
    /// `obs = ctx`: the name of one of the function's parameters.
    Ident(fn(&mut Args) -> &mut Option<Ident>),
    /// `fields(job_id, count = items.len())`.
    List(fn(&mut Args) -> &mut Option<Vec<FieldArg>>),
    /// `routes("/health", "/api/*rest")`: string literals, kept with the keyword's token.
    StrList(fn(&mut Args) -> &mut Option<StrList>),
}

/// A row whose keyword is a custom keyword of the same name.
macro_rules! arg {
    ($keyword:ident, $value:ident($field:ident), $example:expr) => {
        Arg {
            name: stringify!($keyword),
            peek: |input| input.peek(kw::$keyword),
            value: Value::$value(|args| &mut args.$field),
            example: $example,
        }
    };
}

/// `crate = "…"`, common to both macros.
const CRATE: Arg = Arg {
    name: "crate",
    peek: |input| input.peek(Token![crate]),
    value: Value::Str(|args| &mut args.krate),
    example: r#"crate = "::nno_obs""#,
};

/// The arguments of `#[nno_instrument]`, in the order the usage line shows them.
const INSTRUMENT: &[Arg] = &[
    arg!(service, Str(service), r#"service = "provisioning""#),
    arg!(name, Str(name), r#"name = "create-d1""#),
    arg!(span, Flag(span), "span"),
    arg!(job, Flag(job), "job"),
    arg!(fields, List(fields), "fields(job_id, count = items.len())"),
    arg!(level, Str(level), r#"level = "debug""#),
    arg!(lines, Bool(lines), "lines = false"),
    arg!(obs, Ident(obs), "obs = ctx"),
    CRATE,
];

/// The arguments of `#[nno_handler]`, in the order the usage line shows them.
const HANDLER: &[Arg] = &[
    arg!(service, Str(service), r#"service = "analytics""#),
    arg!(feature, Str(feature), r#"feature = "analytics""#),
    arg!(route, Str(route), r#"route = "/api/data/:id""#),
    arg!(
        routes,
        StrList(routes),
        r#"routes("/health", "/api/*rest")"#
    ),
    arg!(platform, Expr(platform), "platform = expr"),
    arg!(entity, Expr(entity), "entity = expr"),
    CRATE,
];

/// A list of string literals and the keyword it was given with (for errors about the list).
pub(crate) type StrList = (Ident, Vec<LitStr>);

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
    pub(crate) fn span(&self) -> proc_macro2::Span {
        match self {
            FieldKey::Ident(ident) => ident.span(),
            FieldKey::Lit(lit) => lit.span(),
        }
    }
}

/// The parsed arguments of either macro; each keeps the token it came from. A field is `None`
/// when its argument was not given (or not valid for the macro: the parser never fills it).
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) service: Option<LitStr>,
    pub(crate) name: Option<LitStr>,
    pub(crate) span: Option<Ident>,
    /// `job`: the span is a job's own span (its `jobId` and `operation` fields name the job).
    pub(crate) job: Option<Ident>,
    pub(crate) fields: Option<Vec<FieldArg>>,
    pub(crate) level: Option<LitStr>,
    pub(crate) lines: Option<LitBool>,
    pub(crate) obs: Option<Ident>,
    pub(crate) krate: Option<LitStr>,
    pub(crate) feature: Option<LitStr>,
    pub(crate) route: Option<LitStr>,
    pub(crate) routes: Option<StrList>,
    pub(crate) platform: Option<Expr>,
    pub(crate) entity: Option<Expr>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse::Parser;

    /// Each row's keyword is the name the messages show, and no other row claims it.
    #[test]
    fn every_row_peeks_its_own_name() {
        for kind in [Kind::Instrument, Kind::Handler] {
            for arg in kind.arguments() {
                let claimed: Vec<&str> = kind
                    .arguments()
                    .iter()
                    .filter(|other| {
                        let peek = |input: ParseStream| {
                            let claims = (other.peek)(input);
                            input.parse::<proc_macro2::TokenStream>()?;
                            Ok(claims)
                        };
                        peek.parse_str(arg.name).unwrap()
                    })
                    .map(|other| other.name)
                    .collect();
                assert_eq!(claimed, [arg.name], "{}", kind.attribute());
                assert!(arg.example.starts_with(arg.name), "{}", arg.example);
            }
        }
    }
}
