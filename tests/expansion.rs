//! Expansion snapshots: what `#[nno_instrument]` and `#[nno_handler]` generate, pretty-printed
//! and checked in under `expansion/*.expanded.rs`, so a reviewer sees exactly what users get.
//!
//! The macro implementation is compiled into this test from its sources (`#[path]`), and run on
//! each `expansion/<case>.rs`: a single function carrying the attribute. Regenerate the
//! snapshots after an intended change with `NNO_BLESS=1`.

#![allow(dead_code)]

#[path = "../nno-obs-macros/src/args.rs"]
mod args;
#[path = "../nno-obs-macros/src/ast.rs"]
mod ast;
#[path = "../nno-obs-macros/src/attr.rs"]
mod attr;
#[path = "../nno-obs-macros/src/case.rs"]
mod case;
#[path = "../nno-obs-macros/src/ctxt.rs"]
mod ctxt;
#[path = "../nno-obs-macros/src/expand.rs"]
mod expand;
#[path = "../nno-obs-macros/src/fallback.rs"]
mod fallback;
#[path = "../nno-obs-macros/src/fields.rs"]
mod fields;
#[path = "../nno-obs-macros/src/imp.rs"]
mod imp;
#[path = "../nno-obs-macros/src/item.rs"]
mod item;
#[path = "../nno-obs-macros/src/shape.rs"]
mod shape;
#[path = "../nno-obs-macros/src/valid.rs"]
mod valid;

use quote::ToTokens;
use std::path::{Path, PathBuf};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("expansion")
}

/// Runs the attribute of the case's function on it; the output pretty-printed.
fn expand_case(source: &str) -> String {
    let file: syn::File = syn::parse_str(source).expect("a case is one function");
    let [syn::Item::Fn(item)] = file.items.as_slice() else {
        panic!("a case is exactly one function");
    };
    let mut item = item.clone();
    let at = item
        .attrs
        .iter()
        .position(|attr| {
            attr.path().is_ident("nno_instrument") || attr.path().is_ident("nno_handler")
        })
        .expect("the function carries #[nno_instrument] or #[nno_handler]");
    let attr = item.attrs.remove(at);
    let args = match &attr.meta {
        syn::Meta::List(list) => list.tokens.clone(),
        _ => proc_macro2::TokenStream::new(),
    };
    let input = item.into_token_stream();
    let output = if attr.path().is_ident("nno_instrument") {
        imp::instrument(args, input)
    } else {
        imp::handler(args, input)
    };
    let file: syn::File = syn::parse2(output).expect("the expansion parses as items");
    prettyplease::unparse(&file)
}

#[test]
fn expansions_match_their_snapshots() {
    let bless = std::env::var_os("NNO_BLESS").is_some_and(|value| value == "1");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension().is_some_and(|ext| ext == "rs")
                && !path.to_string_lossy().ends_with(".expanded.rs")
        })
        .collect();
    cases.sort();
    assert!(cases.len() >= 4, "cases: {cases:?}");
    let mut stale = Vec::new();
    for case in cases {
        let source = std::fs::read_to_string(&case).unwrap();
        let expanded = expand_case(&source);
        let snapshot = case.with_extension("expanded.rs");
        if bless {
            std::fs::write(&snapshot, &expanded).unwrap();
            continue;
        }
        let checked_in = std::fs::read_to_string(&snapshot).unwrap_or_default();
        if checked_in != expanded {
            eprintln!(
                "--- {} is stale; expansion now:\n{expanded}",
                snapshot.display()
            );
            stale.push(snapshot);
        }
    }
    assert!(
        stale.is_empty(),
        "stale expansion snapshots (rerun with NNO_BLESS=1 if intended): {stale:?}"
    );
}

/// Errors are collected and all reported, each where it belongs, and the function is still
/// emitted (the fallback), so one mistake does not cascade.
#[test]
fn errors_are_collected_and_the_function_is_kept() {
    let args: proc_macro2::TokenStream =
        syn::parse_str(r#"service = "Bad", level = "fatal", fields(nope), bogus"#).unwrap();
    let input: proc_macro2::TokenStream = syn::parse_str("fn step(obs: &Obs) -> u8 { 1 }").unwrap();
    let output = imp::instrument(args, input).to_string();
    assert_eq!(output.matches("compile_error").count(), 4, "{output}");
    assert!(
        output.contains("fn step (obs : & Obs) -> u8 { 1 }"),
        "{output}"
    );
}
