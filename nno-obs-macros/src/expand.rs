//! Code generation, once the checks passed.
//!
//! The body runs inside a closure (sync) or an `async` block (async) so that its value — an
//! early `return` or `?` included — can be seen before the function returns. A "fake return
//! edge" (as in tracing-attributes) gives that closure or block the function's return type, so
//! type errors in the body are reported on the user's lines, against the user's return type.

use crate::ast::{async_trait_inner, erase_impl_trait, Func, Param};
use crate::shape::Shape;
use crate::valid::{HandlerPlan, InstrumentPlan, Routes};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Block, FnArg, Pat, ReturnType};

/// `if false { return <value of the return type>; }`: never runs, types the body.
fn fake_return_edge(output: &ReturnType) -> TokenStream {
    let (span, ty) = match output {
        ReturnType::Default => (Span::call_site(), quote!(())),
        ReturnType::Type(_, ty) => (ty.span(), erase_impl_trait(ty).into_token_stream()),
    };
    quote_spanned! {span=>
        #[allow(
            unknown_lints,
            unreachable_code,
            clippy::diverging_sub_expression,
            clippy::let_unit_value,
            clippy::unreachable,
            clippy::let_with_type_underscore,
            clippy::empty_loop
        )]
        if false {
            let __nno_fake_return: #ty = loop {};
            return __nno_fake_return;
        }
    }
}

/// The body, run so that its result is a value: `(|| body)()` or `async { body }.await`.
fn run_body(func: &Func, block: &Block) -> TokenStream {
    let fake = fake_return_edge(&func.item.sig.output);
    let stmts = &block.stmts;
    if func.is_async() {
        quote_spanned! {block.span()=>
            async {
                #fake
                #(#stmts)*
            }
            .await
        }
    } else {
        quote_spanned! {block.span()=>
            (|| {
                #fake
                #(#stmts)*
            })()
        }
    }
}

fn field_values(plan: &InstrumentPlan) -> TokenStream {
    let lets = plan.fields.iter().enumerate().map(|(at, field)| {
        let name = format_ident!("__nno_value{}", at, span = field.value.span());
        let value = &field.value;
        quote_spanned!(field.value.span()=> let #name = &(#value);)
    });
    quote!(#(#lets)*)
}

/// `&[Field { key, value }, …]`, each spanned on its value so that a value that cannot be
/// logged is reported there.
fn field_slice(plan: &InstrumentPlan, private: &TokenStream) -> TokenStream {
    let krate = &plan.krate;
    let fields = plan.fields.iter().enumerate().map(|(at, field)| {
        let name = format_ident!("__nno_value{}", at, span = field.value.span());
        let key = &field.key;
        let value_span = field.value.span();
        let value = quote_spanned!(value_span=> #private::field(#name));
        quote!(#krate::Field { key: #key, value: #value })
    });
    quote!(&[#(#fields),*])
}

pub(crate) fn instrument(plan: &InstrumentPlan, func: &Func) -> TokenStream {
    let krate = &plan.krate;
    let private = quote!(#krate::__private);
    let item = &func.item;
    let attrs = &item.attrs;
    let vis = &item.vis;
    let sig = &item.sig;

    let operation = &plan.operation;
    let service = match &plan.service {
        Some(service) => quote!(::core::option::Option::Some(#service)),
        None => quote!(::core::option::Option::None),
    };
    let level = &plan.level;
    let lines = plan.lines;
    let values = field_values(plan);
    let fields = field_slice(plan, &private);

    let (begin, shadow, end_context) = match (&plan.context, plan.span) {
        (Some(context), true) => {
            let param = context.param;
            let ident = context_ident(param);
            let mutability = match &param.pat {
                Pat::Ident(pat) => pat.mutability.to_token_stream(),
                _ => TokenStream::new(),
            };
            let context_of = quote_spanned!(param.ty.span()=> #private::context(&#ident));
            (
                quote! {
                    let __nno_step = #private::Step::begin_span(&__NNO_STEP, #context_of, #fields);
                },
                {
                    let shadow = quote_spanned! {param.ty.span()=>
                        #private::shadow(&#ident, __nno_step.obs(#private::context(&#ident)))
                    };
                    // The body sees the child span's context under the parameter's own name.
                    quote_spanned! {param.ty.span()=>
                        #[allow(unused_variables, clippy::shadow_unrelated)]
                        let #mutability #ident = #shadow;
                    }
                },
                quote!(::core::option::Option::None),
            )
        }
        (Some(context), false) => {
            let param = context.param;
            let ident = context_ident(param);
            let keep = quote_spanned!(param.ty.span()=> #private::keep(&#ident));
            (
                quote! {
                    let __nno_context = #keep;
                    let __nno_step = #private::Step::begin(
                        &__NNO_STEP,
                        ::core::option::Option::Some(#private::kept(&__nno_context)),
                        #fields,
                    );
                },
                TokenStream::new(),
                quote!(::core::option::Option::Some(#private::kept(&__nno_context))),
            )
        }
        (None, _) => (
            quote! {
                let __nno_step = #private::Step::begin(&__NNO_STEP, ::core::option::Option::None, #fields);
            },
            TokenStream::new(),
            quote!(::core::option::Option::None),
        ),
    };

    let return_span = func.return_span();
    let end = quote_spanned! {return_span=>
        {
            #[allow(unused_imports)]
            use #private::{NotAResult as _, StepResult as _};
            __nno_step.end(#end_context, (&__nno_result).nno_error(), #fields);
        }
    };

    let spec = if plan.job {
        quote!(#private::StepSpec::new(#operation, #service, #private::Level::#level, #lines).job())
    } else {
        quote!(#private::StepSpec::new(#operation, #service, #private::Level::#level, #lines))
    };
    let prologue = quote! {
        static __NNO_STEP: #private::StepSpec = #spec;
        #values
        #begin
        #shadow
    };

    if func.async_trait_block {
        // `#[async_trait]` ran first: instrument the future it boxes.
        let mut item = item.clone();
        if let Some(inner) = async_trait_inner(&func.item) {
            let inner_stmts = &inner.block.stmts;
            let capture = &inner.capture;
            let async_token = &inner.async_token;
            let boxed: syn::Expr = syn::parse_quote_spanned! {async_token.span=>
                ::std::boxed::Box::pin(#async_token #capture {
                    #prologue
                    let __nno_result = async { #(#inner_stmts)* }.await;
                    #end
                    __nno_result
                })
            };
            item.block.stmts = vec![syn::Stmt::Expr(boxed, None)];
        }
        return item.into_token_stream();
    }

    let body = run_body(func, &item.block);
    quote! {
        #(#attrs)*
        #vis #sig {
            #prologue
            #[allow(clippy::redundant_closure_call)]
            let __nno_result = #body;
            #end
            __nno_result
        }
    }
}

/// The context parameter's name (validation only accepts an identifier there).
fn context_ident(param: &Param) -> TokenStream {
    param
        .ident
        .as_ref()
        .map(ToTokens::to_token_stream)
        .unwrap_or_default()
}

/// The name a parameter is referred to by: its own, or `__nno_argN` for a pattern.
fn param_name(param: &Param) -> syn::Ident {
    match &param.ident {
        Some(ident) => ident.clone(),
        None => format_ident!("__nno_arg{}", param.index, span = param.pat.span()),
    }
}

pub(crate) fn handler(plan: &HandlerPlan, func: &Func) -> TokenStream {
    let krate = &plan.krate;
    let private = quote!(#krate::__private);
    let item = &func.item;
    let attrs = &item.attrs;
    let vis = &item.vis;

    // The framework's signature: the `obs` parameter removed, patterns given a name.
    let mut sig = item.sig.clone();
    let context_index = plan.context.map(|param| param.index);
    let mut rebinds = Vec::new();
    sig.inputs = item
        .sig
        .inputs
        .iter()
        .enumerate()
        .filter(|(index, _)| Some(*index) != context_index)
        .map(|(index, input)| match input {
            FnArg::Typed(typed) if !matches!(&*typed.pat, Pat::Ident(pat) if pat.subpat.is_none()) => {
                let param = func.params.iter().find(|param| param.index == index);
                let mut typed = typed.clone();
                if let Some(param) = param {
                    let name = param_name(param);
                    let pat = &param.pat;
                    if !matches!(pat, Pat::Wild(_)) {
                        rebinds.push(quote!(let #pat = #name;));
                    }
                    typed.pat = Box::new(syn::parse_quote!(#name));
                }
                FnArg::Typed(typed)
            }
            other => other.clone(),
        })
        .collect();

    let service = &plan.service;
    let feature = match &plan.feature {
        Some(feature) => quote!(::core::option::Option::Some(#feature)),
        None => quote!(::core::option::Option::None),
    };
    let routes = match &plan.routes {
        Routes::None => quote!(::core::option::Option::None),
        Routes::Fixed(route) => {
            quote!(::core::option::Option::Some(#private::Routes::Fixed(#route)))
        }
        Routes::Match(routes) => {
            quote!(::core::option::Option::Some(#private::Routes::Match(&[#(#routes),*])))
        }
    };

    let request = plan.signature.request;
    let request_name = param_name(request);
    let request_ref = quote_spanned!(request.ty.span()=> &#request_name);
    // Where the telemetry is read from, spanned on that parameter's type so that a type the
    // runtime does not support is reported there.
    let telemetry = match plan.signature.shape {
        Shape::Native => {
            quote_spanned!(request.ty.span()=> #private::native_telemetry(&#request_name))
        }
        Shape::Fetch { env } => {
            let name = param_name(env);
            quote_spanned!(env.ty.span()=> #private::env_telemetry(&#name))
        }
        Shape::Router { route_context } => {
            let name = param_name(route_context);
            quote_spanned!(route_context.ty.span()=> #private::route_telemetry(&#name))
        }
    };
    let platform = plan
        .platform
        .as_ref()
        .map(|expr| quote_spanned!(expr.span()=> .platform_id(#expr)));
    let entity = plan
        .entity
        .as_ref()
        .map(|expr| quote_spanned!(expr.span()=> .entity_id(#expr)));
    let context = plan.context.map(|param| {
        let pat = &param.pat;
        let ty = &param.ty;
        quote_spanned! {ty.span()=>
            let #pat: #ty = #private::shadow_as::<#ty>(__nno_handler.obs());
        }
    });

    let body = run_body(func, &item.block);
    let return_span = func.return_span();
    let end = quote_spanned!(return_span=> __nno_handler.end(__nno_result));
    quote! {
        #(#attrs)*
        #vis #sig {
            static __NNO_HANDLER: #private::HandlerSpec =
                #private::HandlerSpec::new(#service, #feature, #routes);
            let __nno_handler = #private::Handler::begin(&__NNO_HANDLER, #telemetry, #request_ref)
                #platform
                #entity
                .request_line();
            #(#rebinds)*
            #context
            #[allow(clippy::redundant_closure_call)]
            let __nno_result = #body;
            #end
        }
    }
}
