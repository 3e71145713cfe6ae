//! The log search on generated Logpush files, against `gzip -dc > /dev/null` (decompression
//! alone) and `zcat | grep -c` on the same files, and the trace-id lookup with and without the
//! per-file index. Figures and commands: BENCHMARKS.md.
//!
//! `NNO_BENCH_PLATFORMS` and `NNO_BENCH_SECONDS` size the fleet (default 20 platforms × 1800 s
//! at one request per second each).

#[path = "support/fleet.rs"]
mod fleet;

use nno_obs_logs::{LocalSearch, LogQuery};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Fixture {
    root: PathBuf,
    files: Vec<PathBuf>,
    seconds: u64,
    platforms: u64,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let platforms = env_or("NNO_BENCH_PLATFORMS", 20);
        let seconds = env_or("NNO_BENCH_SECONDS", 1800);
        let (root, bytes) = fleet::fleet(platforms, seconds);
        let files = data_files(&root);
        let compressed: u64 = files
            .iter()
            .map(|f| std::fs::metadata(f).expect("file").len())
            .sum();
        eprintln!(
            "fleet: {platforms} platforms x {seconds} s, {} files, {:.1} MB uncompressed, {:.1} MB gzip",
            files.len(),
            bytes as f64 / 1e6,
            compressed as f64 / 1e6
        );
        Fixture { root, files, seconds, platforms }
    })
}

/// The data files under `root` (what gzip and zcat are given; sidecars left out).
fn data_files(root: &std::path::Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir") {
            let entry = entry.expect("entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().expect("type").is_dir() {
                stack.push(entry.path());
            } else if nno_obs_logs::prune::is_data_file(&name) {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    found
}

fn main() {
    fixture();
    divan::main();
}

fn one_thread<T>(work: impl FnOnce() -> T + Send) -> T
where
    T: Send,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    pool.install(work)
}

/// A text search for `text` over every file, 100 hits; checks that every file was read (no
/// index can prune a text search) and that it found a full page.
fn search_text(text: &str) -> usize {
    let f = fixture();
    let search = LocalSearch::store(&f.root, &nno_obs_access::testing::operator()).expect("store");
    let query = LogQuery {
        text: Some(text.into()),
        ..Default::default()
    };
    let page = search.run(&query, None, 100);
    assert_eq!(page.files_read, f.files.len(), "every file read");
    assert_eq!(page.hits.len(), 100);
    page.hits.len()
}

/// A text search that reads every file (no index can prune it), one thread. The text is in 2 %
/// of the records: most lines are skipped by the text prefilter, unparsed.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn search_text_one_thread() -> usize {
    one_thread(|| search_text("D1 query slow"))
}

/// The same search on every core.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn search_text_all_cores() -> usize {
    search_text("D1 query slow")
}

/// A text in almost every record (`Request handled`, 98 %): every line is parsed, one thread.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn search_common_text_one_thread() -> usize {
    one_thread(|| search_text("request handled"))
}

/// `gzip -dc FILES > /dev/null`: decompression alone, one thread.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn gzip_dc_to_dev_null() {
    let f = fixture();
    let status = Command::new("gzip")
        .arg("-dc")
        .args(&f.files)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("gzip");
    assert!(status.success());
}

/// `zcat FILES | grep -c 'D1 query slow'`.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn zcat_grep_count() {
    let f = fixture();
    let mut command = String::from("zcat");
    for file in &f.files {
        command.push(' ');
        command.push_str(&file.display().to_string());
    }
    command.push_str(" | grep -c 'D1 query slow' > /dev/null");
    let status = Command::new("sh")
        .arg("-c")
        .arg(command)
        .status()
        .expect("sh");
    assert!(status.success());
}

/// The trace id the lookups ask for.
fn looked_up_trace() -> String {
    let f = fixture();
    fleet::trace_id(f.seconds / 2 * f.platforms + 3)
}

/// Checks a lookup's page: at least the request's three lines, every hit of the trace, and
/// `files_read` files read.
fn check_lookup(page: &nno_obs_logs::Page, trace: &str, files_read: usize) -> usize {
    assert_eq!(page.files_read, files_read, "files read");
    assert!(page.hits.len() >= 3, "{} hits", page.hits.len());
    assert!(
        page.hits
            .iter()
            .all(|hit| hit.entry.trace_id.as_deref() == Some(trace)),
        "a hit of another trace"
    );
    page.hits.len()
}

/// One trace id, with the per-file index (only the file that holds it is opened).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn trace_lookup_indexed() -> usize {
    let f = fixture();
    let trace = looked_up_trace();
    let search = LocalSearch::store(&f.root, &nno_obs_access::testing::operator()).expect("store");
    let page = search.run(
        &LogQuery {
            trace_id: Some(trace.clone()),
            ..Default::default()
        },
        None,
        100,
    );
    check_lookup(&page, &trace, 1)
}

/// One trace id, reading everything (the index ignored).
#[divan::bench(sample_count = 3, sample_size = 1)]
fn trace_lookup_full_scan() -> usize {
    let f = fixture();
    let trace = looked_up_trace();
    let search = LocalSearch::store(&f.root, &nno_obs_access::testing::operator())
        .expect("store")
        .without_indexes();
    let page = search.run(
        &LogQuery {
            trace_id: Some(trace.clone()),
            ..Default::default()
        },
        None,
        100,
    );
    check_lookup(&page, &trace, f.files.len())
}
