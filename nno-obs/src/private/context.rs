//! The context parameter of an instrumented function: `Obs` or `&Obs`, and the child context
//! the body sees under the same name.

use crate::obs::Obs;

/// A parameter that carries the observability context.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an nno-obs context",
    label = "the context parameter must be `Obs` or `&Obs`",
    note = "declare the context as `obs: &Obs` or `obs: Obs`, or name another parameter with `obs = name`"
)]
pub trait ContextParam {
    /// What the generated code keeps of the context while the body runs: the reference itself,
    /// or a clone of an owned `Obs` (two reference-count increments, no allocation).
    type Kept: std::borrow::Borrow<Obs>;
    /// What the body of a `span` step sees under the parameter's name: the child span's
    /// context, with the parameter's own type (`Obs` is a clone of the child, `&Obs` a
    /// reference to it).
    type Shadow<'s>;
    /// The context.
    fn context(&self) -> &Obs;
    /// See [`ContextParam::Kept`].
    fn keep(&self) -> Self::Kept;
    /// See [`ContextParam::Shadow`].
    fn shadow(child: &Obs) -> Self::Shadow<'_>;
}

impl ContextParam for Obs {
    type Kept = Obs;
    type Shadow<'s> = Obs;
    fn context(&self) -> &Obs {
        self
    }
    fn keep(&self) -> Obs {
        self.clone()
    }
    fn shadow(child: &Obs) -> Obs {
        child.clone()
    }
}

impl<'a> ContextParam for &'a Obs {
    type Kept = &'a Obs;
    type Shadow<'s> = &'s Obs;
    fn context(&self) -> &Obs {
        self
    }
    fn keep(&self) -> &'a Obs {
        self
    }
    fn shadow(child: &Obs) -> &Obs {
        child
    }
}

/// The context a parameter carries.
#[inline(always)]
pub fn context<P: ContextParam>(param: &P) -> &Obs {
    param.context()
}

/// What to keep of a context parameter while the body runs.
#[inline(always)]
pub fn keep<P: ContextParam>(param: &P) -> P::Kept {
    param.keep()
}

/// The kept context.
#[inline(always)]
pub fn kept<K: std::borrow::Borrow<Obs>>(kept: &K) -> &Obs {
    kept.borrow()
}

/// The child context, typed like `_param`.
#[inline(always)]
pub fn shadow<'s, P: ContextParam>(_param: &P, child: &'s Obs) -> P::Shadow<'s> {
    P::shadow(child)
}

/// The handler's context, typed as the user's `obs` parameter.
#[inline(always)]
pub fn shadow_as<P: ContextParam>(context: &Obs) -> P::Shadow<'_> {
    P::shadow(context)
}
