//! A typed view of the function the attribute is on, keeping spans.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::spanned::Spanned;
use syn::{Expr, FnArg, Ident, ItemFn, Pat, ReturnType, Stmt, Type};

/// One typed parameter (receivers are not listed).
pub(crate) struct Param {
    /// Position among all inputs, receiver included.
    pub(crate) index: usize,
    /// The binding, when the pattern is an identifier (`obs`, `mut req`).
    pub(crate) ident: Option<Ident>,
    pub(crate) pat: Pat,
    pub(crate) ty: Type,
    /// `Obs` or `&Obs` (any path ending in `Obs`): a context parameter.
    pub(crate) is_obs_type: bool,
    /// Every name the pattern binds.
    pub(crate) bindings: Vec<Ident>,
}

impl Param {
    /// The span of its pattern (its name).
    pub(crate) fn span(&self) -> Span {
        self.pat.span()
    }

    /// The span of its type.
    pub(crate) fn ty_span(&self) -> Span {
        self.ty.span()
    }

    /// Its name, or its pattern as written.
    pub(crate) fn name(&self) -> String {
        match &self.ident {
            Some(ident) => ident.to_string(),
            None => self.pat.to_token_stream().to_string(),
        }
    }

    /// All of it, `pat: Type`, for errors about the whole parameter.
    pub(crate) fn tokens(&self) -> TokenStream {
        let (pat, ty) = (&self.pat, &self.ty);
        quote!(#pat: #ty)
    }
}

/// The function.
pub(crate) struct Func {
    pub(crate) item: ItemFn,
    pub(crate) params: Vec<Param>,
    /// `#[async_trait]` already ran: the body is `Box::pin(async move { … })`.
    pub(crate) async_trait_block: bool,
}

impl Func {
    pub(crate) fn new(item: ItemFn) -> Self {
        let mut params = Vec::new();
        for (index, input) in item.sig.inputs.iter().enumerate() {
            // A receiver is not listed (`index` still counts it).
            let FnArg::Typed(typed) = input else {
                continue;
            };
            let mut bindings = Vec::new();
            collect_bindings(&typed.pat, &mut bindings);
            let ident = match &*typed.pat {
                Pat::Ident(pat) if pat.subpat.is_none() => Some(pat.ident.clone()),
                _ => None,
            };
            params.push(Param {
                index,
                ident,
                pat: (*typed.pat).clone(),
                ty: (*typed.ty).clone(),
                is_obs_type: is_obs_type(&typed.ty),
                bindings,
            });
        }
        let async_trait_block = item.sig.asyncness.is_none() && async_trait_inner(&item).is_some();
        Func {
            item,
            params,
            async_trait_block,
        }
    }

    pub(crate) fn name(&self) -> &Ident {
        &self.item.sig.ident
    }

    pub(crate) fn is_async(&self) -> bool {
        self.item.sig.asyncness.is_some()
    }

    pub(crate) fn param_named(&self, name: &Ident) -> Option<&Param> {
        self.params
            .iter()
            .find(|param| param.bindings.iter().any(|binding| binding == name))
    }

    pub(crate) fn return_span(&self) -> Span {
        match &self.item.sig.output {
            ReturnType::Default => self.item.sig.ident.span(),
            ReturnType::Type(_, ty) => ty.span(),
        }
    }
}

/// The `async move { … }` block `#[async_trait]` wrapped in `Box::pin(…)`.
pub(crate) fn async_trait_inner(item: &ItemFn) -> Option<&syn::ExprAsync> {
    let [Stmt::Expr(Expr::Call(call), None)] = item.block.stmts.as_slice() else {
        return None;
    };
    let Expr::Path(path) = &*call.func else {
        return None;
    };
    let segments: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect();
    if !segments.ends_with(&["Box".to_owned(), "pin".to_owned()]) || call.args.len() != 1 {
        return None;
    }
    match call.args.first() {
        Some(Expr::Async(block)) if block.capture.is_some() => Some(block),
        _ => None,
    }
}

fn collect_bindings(pat: &Pat, out: &mut Vec<Ident>) {
    match pat {
        Pat::Ident(pat) => {
            out.push(pat.ident.clone());
            if let Some((_, sub)) = &pat.subpat {
                collect_bindings(sub, out);
            }
        }
        Pat::Tuple(tuple) => tuple.elems.iter().for_each(|p| collect_bindings(p, out)),
        Pat::TupleStruct(tuple) => tuple.elems.iter().for_each(|p| collect_bindings(p, out)),
        Pat::Struct(strukt) => strukt
            .fields
            .iter()
            .for_each(|field| collect_bindings(&field.pat, out)),
        Pat::Reference(reference) => collect_bindings(&reference.pat, out),
        Pat::Slice(slice) => slice.elems.iter().for_each(|p| collect_bindings(p, out)),
        Pat::Type(typed) => collect_bindings(&typed.pat, out),
        Pat::Paren(paren) => collect_bindings(&paren.pat, out),
        _ => {}
    }
}

/// `Obs`, `nno_obs::Obs`, `&Obs`, `&'a mut Obs`.
pub(crate) fn is_obs_type(ty: &Type) -> bool {
    match ty {
        Type::Reference(reference) => is_obs_type(&reference.elem),
        Type::Paren(paren) => is_obs_type(&paren.elem),
        Type::Group(group) => is_obs_type(&group.elem),
        Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .last()
            .is_some_and(|last| last.ident == "Obs" && last.arguments.is_none()),
        _ => false,
    }
}

/// The return type with `impl Trait` replaced by `_`, for the fake return edge.
pub(crate) fn erase_impl_trait(ty: &Type) -> Type {
    struct Eraser;
    impl syn::visit_mut::VisitMut for Eraser {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if let Type::ImplTrait(impl_trait) = ty {
                *ty = Type::Infer(syn::TypeInfer {
                    underscore_token: syn::Token![_](impl_trait.impl_token.span),
                });
            } else {
                syn::visit_mut::visit_type_mut(self, ty);
            }
        }
    }
    let mut ty = ty.clone();
    syn::visit_mut::VisitMut::visit_type_mut(&mut Eraser, &mut ty);
    ty
}
