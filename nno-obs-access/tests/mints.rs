//! Where scopes are minted, checked over the workspace's sources: the checks of this crate are
//! called only by the hosts they belong to (DESIGN principle 10). A new call elsewhere — a
//! handler minting the operator's scope instead of asking its caller — fails here, naming the
//! file and line; if the new place is right, add it to the table with the reason.

use std::path::{Path, PathBuf};

/// Each mint, and the files (from the workspace root) that may call it outside tests.
const ALLOWED: &[(&str, &[&str])] = &[
    (
        "local::operator",
        &[
            // The terminal's commands read the store's files: `store::operator`.
            "nno-obs-cli/src/store.rs",
            // The demo reads the store it wrote.
            "examples/demo/src/main.rs",
        ],
    ),
    (
        "remote::operator",
        &[
            // `logs sql --r2-account`: a statement printed, R2 checks its runner.
            "nno-obs-cli/src/main.rs",
            // `query --cfae` / `--sql`: Cloudflare checks the token / the runner.
            "nno-obs-cli/src/query.rs",
            // `slo status --cfae`.
            "nno-obs-cli/src/slo.rs",
        ],
    ),
    (
        "scheduled::operator",
        &["examples/workers/nno-logging/src/lib.rs"],
    ),
    // Unchecked scopes: tests only (never allowed in a library's or a binary's code).
    ("testing::", &[]),
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Rust sources that are not tests: `src/` trees, without `tests/`, `benches/`, `examples/`
/// folders of crates (the demo and the Workers under the top-level `examples/` are programs).
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if matches!(
                name.as_str(),
                "target" | "node_modules" | ".git" | "tests" | "benches" | ".tools" | "build"
            ) || (name == "examples" && dir != workspace_root())
            {
                continue;
            }
            sources(&path, out);
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// The lines of `text` that are code: comments and each `#[cfg(test)]` item (a `mod tests { … }`
/// to its closing brace, wherever it is in the file; braces counted, so code after it is still
/// scanned) are left out.
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    let mut code = Vec::new();
    // Inside a `#[cfg(test)]` item: `None` before its first `{`, then the open braces.
    let mut in_test: Option<Option<i64>> = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with("//") {
            continue;
        }
        if let Some(depth) = in_test {
            let opened = line.matches('{').count() as i64 - line.matches('}').count() as i64;
            in_test = match depth {
                None if line.contains('{') => (opened > 0).then_some(Some(opened)),
                // `#[cfg(test)] mod tests;` or an attribute line before the item.
                None if trimmed.ends_with(';') => None,
                None => Some(None),
                Some(open) => (open + opened > 0).then_some(Some(open + opened)),
            };
            continue;
        }
        if trimmed == "#[cfg(test)]" {
            in_test = Some(None);
            continue;
        }
        code.push((index + 1, line));
    }
    code
}

#[test]
fn code_after_a_test_module_is_still_scanned() {
    let text = "fn a() {}\n#[cfg(test)]\nmod tests {\n    fn t() { testing::operator(); }\n}\nfn b() { local::operator(x); }\n// local::operator in a comment\n";
    let lines: Vec<&str> = code_lines(text).into_iter().map(|(_, l)| l).collect();
    assert_eq!(lines, ["fn a() {}", "fn b() { local::operator(x); }"]);
    let one_line = "#[cfg(test)]\nmod tests;\nfn c() {}\n";
    let lines: Vec<&str> = code_lines(one_line).into_iter().map(|(_, l)| l).collect();
    assert_eq!(lines, ["fn c() {}"]);
}

#[test]
fn scopes_are_minted_only_where_checked() {
    let root = workspace_root();
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(
        files.len() > 100,
        "the walk found {} files: is {} the workspace?",
        files.len(),
        root.display()
    );
    let mut found = Vec::new();
    for file in &files {
        let relative = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        // This crate defines the mints.
        if relative.starts_with("nno-obs-access/") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        for (line_no, line) in code_lines(&text) {
            for (mint, allowed) in ALLOWED {
                if line.contains(mint) && !allowed.contains(&relative.as_str()) {
                    found.push(format!("{relative}:{line_no}: {mint}: {}", line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "scopes minted outside their hosts:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_a_mint_in_a_handler() {
    // The scan itself: a line minting the operator's scope in an API handler is found.
    let handler = "fn fleet() {\n    let operator = nno_obs_access::local::operator(root)?;\n}\n";
    let lines: Vec<_> = code_lines(handler)
        .into_iter()
        .filter(|(_, l)| l.contains("local::operator"))
        .collect();
    assert_eq!(lines.len(), 1);
    // …and doc examples and test modules are not code.
    let documented = "/// let op = nno_obs_access::testing::operator();\nfn f() {}\n#[cfg(test)]\nmod tests { fn t() { testing::operator(); } }\n";
    assert!(code_lines(documented)
        .iter()
        .all(|(_, l)| !l.contains("testing::")));
}
