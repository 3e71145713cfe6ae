//! The shape of a handler, recognised from its parameters' types, not from how many there are:
//!
//! - a parameter typed `Env` makes a workers-rs fetch handler (`#[event(fetch)]`), which the
//!   framework calls with exactly `(Request, Env, Context)`;
//! - else a parameter typed `RouteContext<D>` makes a workers-rs router handler,
//!   `(Request, RouteContext<D>)`;
//! - else it is a native handler, `(http::Request<B>)`.
//!
//! Types are recognised by the last segment of their path (`worker::Env`, `Env`), the only
//! thing a macro can see. Once the shape is known, a parameter missing, out of place or foreign
//! to it is an error on its token that names the shape recognised and the signature expected.
//! The context parameter (`obs: Obs`) has been set aside before and may be anywhere.

use crate::ast::{Func, Param};
use crate::ctxt::Ctxt;
use syn::{GenericArgument, PathArguments, Type};

const FETCH: &str = "`async fn fetch(req: Request, env: Env, ctx: Context)`";
const ROUTER: &str = "`fn handler(req: Request, ctx: RouteContext<D>)`";
const NATIVE: &str = "`fn handler(req: http::Request<B>)`";

/// What a shape expects, for the checks and their messages.
struct Expected {
    /// The shape and how it was recognised.
    what: &'static str,
    signature: &'static str,
    /// The role of each parameter, in order. The request's is `Role::Other` (see `fits`); the
    /// one at index 1, if any, is the one the shape was recognised by.
    slots: &'static [Role],
}

const FETCH_SHAPE: Expected = Expected {
    what: "a workers-rs fetch handler (recognised by its `Env` parameter)",
    signature: FETCH,
    slots: &[Role::Other, Role::Env, Role::Context],
};

const ROUTER_SHAPE: Expected = Expected {
    what: "a workers-rs router handler (recognised by its `RouteContext` parameter)",
    signature: ROUTER,
    slots: &[Role::Other, Role::RouteContext],
};

const NATIVE_SHAPE: Expected = Expected {
    what: "a native handler (it has no `Env` or `RouteContext` parameter)",
    signature: NATIVE,
    slots: &[Role::Other],
};

/// The handler's parameters, by shape.
pub(crate) struct Signature<'a> {
    /// The request, always first.
    pub(crate) request: &'a Param,
    pub(crate) shape: Shape<'a>,
}

pub(crate) enum Shape<'a> {
    /// `fn(http::Request<B>)`: the telemetry comes with the request (or is the process's).
    Native,
    /// `fn(Request, RouteContext<D>)`: the telemetry comes from the route context's `Env`.
    Router { route_context: &'a Param },
    /// `async fn(Request, Env, Context)`: the telemetry comes from the `Env`.
    Fetch { env: &'a Param },
}

/// What a parameter is, by its type.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Env,
    RouteContext,
    Context,
    /// `Request` without generic arguments: workers-rs's.
    WorkerRequest,
    /// Anything else: a native request (`http::Request<B>`, or an alias of it), or a type the
    /// runtime's traits will refuse with their own message.
    Other,
}

fn role(ty: &Type) -> Role {
    match ty {
        Type::Reference(reference) => role(&reference.elem),
        Type::Paren(paren) => role(&paren.elem),
        Type::Group(group) => role(&group.elem),
        Type::Path(path) if path.qself.is_none() => {
            let Some(last) = path.path.segments.last() else {
                return Role::Other;
            };
            let generic = match &last.arguments {
                PathArguments::AngleBracketed(args) => args
                    .args
                    .iter()
                    .any(|arg| matches!(arg, GenericArgument::Type(_))),
                _ => false,
            };
            match last.ident.to_string().as_str() {
                "Env" => Role::Env,
                "RouteContext" => Role::RouteContext,
                "Context" => Role::Context,
                "Request" if !generic => Role::WorkerRequest,
                _ => Role::Other,
            }
        }
        _ => Role::Other,
    }
}

/// The shape of `func` from `inputs` (its parameters but the context, in order); `None` after
/// reporting why it has none.
pub(crate) fn recognise<'a>(cx: &Ctxt, func: &Func, inputs: &[&'a Param]) -> Option<Signature<'a>> {
    let name = func.name();
    let Some(&request) = inputs.first() else {
        cx.error_at(
            func.item.sig.paren_token.span.join(),
            format!(
                "`{name}` has no request parameter: a handler takes the request first, e.g. `fn {name}(req: http::Request<String>) -> http::Response<String>` or, in a Worker, `async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response>`"
            ),
        );
        return None;
    };
    let roles: Vec<Role> = inputs.iter().map(|param| role(&param.ty)).collect();
    let find = |wanted: Role| roles.iter().position(|role| *role == wanted);
    let (expected, shape) = if let Some(env) = find(Role::Env) {
        let shape = Shape::Fetch { env: inputs[env] };
        (&FETCH_SHAPE, Some((env, shape)))
    } else if let Some(at) = find(Role::RouteContext) {
        let shape = Shape::Router {
            route_context: inputs[at],
        };
        (&ROUTER_SHAPE, Some((at, shape)))
    } else if roles[0] == Role::WorkerRequest {
        // `http::Request` always has a body type: a bare `Request` is workers-rs's, which comes
        // with the `Env` (or the `RouteContext`) the telemetry is read from.
        cx.error_at(
            request.ty_span(),
            format!(
                "a workers-rs `Request` needs the rest of its handler's signature, where the telemetry is read from: {FETCH} (with `#[event(fetch)]`) or {ROUTER}; a native handler takes `http::Request<B>`"
            ),
        );
        return None;
    } else {
        (&NATIVE_SHAPE, None)
    };
    let anchor = shape.as_ref().map(|(at, _)| *at);
    let valid = check(cx, func, inputs, &roles, anchor, expected);
    let shape = shape.map_or(Shape::Native, |(_, shape)| shape);
    valid.then_some(Signature { request, shape })
}

/// Checks `inputs` against the shape `expected`, recognised by the parameter at `anchor`; every
/// parameter missing, out of place or foreign to the shape is reported.
fn check(
    cx: &Ctxt,
    func: &Func,
    inputs: &[&Param],
    roles: &[Role],
    anchor: Option<usize>,
    expected: &Expected,
) -> bool {
    let Expected {
        what, signature, ..
    } = expected;
    let mut valid = true;
    match anchor {
        // Out of place: the other slots are not checked, they would all be off by one.
        Some(at) if at != 1 => {
            cx.error_at(
                inputs[at].ty_span(),
                format!(
                    "{} is the second parameter of {what}, after the request: {signature}",
                    describe(roles[at]).0
                ),
            );
            valid = false;
        }
        _ => {
            for (at, slot) in expected.slots.iter().enumerate() {
                let Some(param) = inputs.get(at) else {
                    let (missing, example) = describe(*slot);
                    cx.error_at(
                        func.item.sig.paren_token.span.close(),
                        format!(
                            "`{}` is {what} without {missing}: add `{example}` after `{}`, {signature}",
                            func.name(),
                            inputs[at - 1].name()
                        ),
                    );
                    valid = false;
                    break;
                };
                if !fits(roles[at], *slot) {
                    cx.error_at(
                        param.ty_span(),
                        format!(
                            "the {} parameter of {what} is {}: {signature}",
                            ORDINALS[at],
                            describe(*slot).0
                        ),
                    );
                    valid = false;
                }
            }
        }
    }
    for (at, param) in inputs.iter().enumerate().skip(expected.slots.len()) {
        if Some(at) != anchor {
            cx.error_spanned_by(
                param.tokens(),
                format!(
                    "`{}` is not a parameter of {what}, which takes exactly {signature}; remove it (the only other parameter allowed is the context, `obs: Obs`)",
                    param.name()
                ),
            );
            valid = false;
        }
    }
    valid
}

const ORDINALS: [&str; 3] = ["first", "second", "third"];

/// Whether a parameter of `role` can fill `slot`. The request's slot takes any type but the
/// other slots': `http::Request<B>`, `worker::Request` or an alias of either, which the
/// runtime's traits check.
fn fits(role: Role, slot: Role) -> bool {
    match slot {
        Role::Other | Role::WorkerRequest => {
            matches!(role, Role::Other | Role::WorkerRequest)
        }
        _ => role == slot,
    }
}

/// A slot in words, and how it is written.
fn describe(role: Role) -> (&'static str, &'static str) {
    match role {
        Role::Env => ("the `Env`", "env: Env"),
        Role::RouteContext => ("the `RouteContext`", "ctx: RouteContext<D>"),
        Role::Context => ("the `Context`", "ctx: Context"),
        Role::WorkerRequest | Role::Other => ("the request", "req: Request"),
    }
}
