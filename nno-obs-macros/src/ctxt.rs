//! Error collection (as serde_derive's `internals/ctxt.rs`): every check reports into one
//! `Errors`, and all of them are emitted together.

use proc_macro2::TokenStream;

/// The errors found so far.
#[derive(Default)]
pub(crate) struct Errors {
    errors: Vec<syn::Error>,
}

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    pub(crate) fn error(&mut self, span: impl Into<SpanOf>, message: impl std::fmt::Display) {
        let SpanOf(span) = span.into();
        self.errors.push(syn::Error::new(span, message));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// All errors as one `syn::Error` (combined, in the order found).
    pub(crate) fn combined(self) -> Option<syn::Error> {
        let mut errors = self.errors.into_iter();
        let mut first = errors.next()?;
        for error in errors {
            first.combine(error);
        }
        Some(first)
    }

    pub(crate) fn into_compile_errors(self) -> TokenStream {
        self.combined()
            .map(|error| error.to_compile_error())
            .unwrap_or_default()
    }
}

/// A span, from a `Span` or from anything with tokens.
pub(crate) struct SpanOf(pub(crate) proc_macro2::Span);

impl From<proc_macro2::Span> for SpanOf {
    fn from(span: proc_macro2::Span) -> Self {
        SpanOf(span)
    }
}
