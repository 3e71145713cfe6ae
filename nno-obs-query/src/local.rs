//! The local evaluator: a plan over the local store's points (feature `local`, native).
//!
//! The dataset's files (`analytics-engine/{dataset}/{DATE}/{HOUR}/points-*.json.gz`, and the
//! `.json` still being written) are read into an [`Evaluator`]; hour folders wholly outside
//! the plan's range are not opened (a point's folder is the hour of its own `timestamp`, see
//! `nno_obs_store::points`). A closed file is read from its columnar sidecar
//! (`nno_obs_store::columns`: typed columns, no JSON), which is built from the `.json.gz` and
//! stored the first time a file lacks a valid one; the `.json` still being written is streamed
//! line by line. A `timestamp` with milliseconds or in RFC 3339 is cut to the second (what
//! Analytics Engine stores); lines that are still not rows are skipped and counted, never lost
//! silently: [`LocalEngine::skipped_rows`] says how many, per file read. Symlinks are not
//! followed.
//!
//! Memory: the aggregation's states (see [`crate::eval`]) plus, per reader thread, one file's
//! columns (an hour of one dataset) at a time: it does not grow with the number of files.

use crate::error::QueryError;
use crate::eval::{Evaluator, Row};
use crate::plan::Plan;
use crate::questions::Engine;
use crate::table::Table;
use crate::time_range::TimeRange;
use nno_obs_store::fs::with_columns;
use nno_obs_store::layout::{DateHour, CLOSED_SUFFIX, DATASETS_FOLDER, OPEN_SUFFIX};
use nno_obs_store::line::{for_each_row as for_each_line_row, AnyRow};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// Runs plans over a local store.
///
/// ```
/// use nno_obs_query::{local::LocalEngine, questions::FeatureStats, PlatformScope, Question, TimeRange};
/// use nno_obs_store::layout::PlatformId;
///
/// let empty = tempfile::tempdir().unwrap();
/// let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
/// let question = FeatureStats::new(&scope, TimeRange::new(0, 60).unwrap());
/// let rows = pollster::block_on(question.ask(&LocalEngine::new(empty.path()))).unwrap();
/// assert!(rows.is_empty()); // a dataset that does not exist has no rows
/// ```
pub struct LocalEngine {
    root: PathBuf,
    columns: bool,
    /// Lines skipped as not rows, per file read (a file read again counts once).
    skipped: Mutex<BTreeMap<PathBuf, u64>>,
}

impl LocalEngine {
    /// The store at `root`.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
            columns: true,
            skipped: Mutex::default(),
        }
    }

    /// The store at `root`, every file read as JSON (no columnar sidecar read or written): the
    /// reference the sidecars are tested and measured against.
    ///
    /// ```
    /// use nno_obs_query::local::LocalEngine;
    ///
    /// let empty = tempfile::tempdir().unwrap();
    /// let engine = LocalEngine::json_only(empty.path());
    /// assert!(engine.platforms().unwrap().is_empty());
    /// ```
    pub fn json_only(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
            columns: false,
            skipped: Mutex::default(),
        }
    }

    /// How many lines of the points files this engine has read were skipped as not rows (not
    /// JSON, torn, a `timestamp` that is no time): each file counts once, however many plans
    /// read it. A caller reports a non-zero count (the CLI prints one warning) so that no row
    /// is lost without a word.
    ///
    /// ```
    /// use nno_obs_query::{local::LocalEngine, questions::FeatureStats, PlatformScope, Question, TimeRange};
    /// use nno_obs_store::layout::PlatformId;
    ///
    /// let store = tempfile::tempdir().unwrap();
    /// let hour = store.path().join("analytics-engine/k3m9p2xw7q-perf/2026-02-22/10");
    /// std::fs::create_dir_all(&hour).unwrap();
    /// std::fs::write(hour.join("points-1.json"), concat!(
    ///     r#"{"timestamp":"2026-02-22 10:34:00.123","index1":"analytics","blob1":"analytics","blob2":"GET /a","blob3":"200","double1":1,"double2":45}"#, "\n",
    ///     r#"{"timestamp":"22/02/2026","index1":"analytics","blob1":"analytics","double1":1}"#, "\n",
    /// )).unwrap();
    /// let engine = LocalEngine::new(store.path());
    /// let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
    /// let question = FeatureStats::new(&scope, TimeRange::new(1_771_754_400, 1_771_758_000).unwrap());
    /// let rows = pollster::block_on(question.ask(&engine)).unwrap();
    /// assert_eq!(rows[0].requests, 1); // the millisecond row, cut to its second
    /// assert_eq!(engine.skipped_rows(), 1); // the other, counted
    /// ```
    pub fn skipped_rows(&self) -> u64 {
        self.skipped
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .sum()
    }

    fn note_skipped(&self, path: &Path, lines: u64) {
        if lines > 0 {
            self.skipped
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(path.to_owned(), lines);
        }
    }

    /// The platforms with a `{platformId}-perf` dataset in the store (for the fleet questions).
    pub fn platforms(&self) -> Result<Vec<nno_obs_store::layout::PlatformId>, QueryError> {
        let folder = self.root.join(DATASETS_FOLDER);
        let mut out = Vec::new();
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(error) => return Err(engine_error(&folder, &error)),
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if let Some(id) = name.to_str().and_then(|n| n.strip_suffix("-perf")) {
                if let Ok(platform) = nno_obs_store::layout::PlatformId::parse(id) {
                    out.push(platform);
                }
            }
        }
        out.sort();
        Ok(out)
    }
}

fn engine_error(path: &Path, error: &io::Error) -> QueryError {
    QueryError::Engine {
        detail: format!("{}: {error}", path.display()),
    }
}

impl Engine for LocalEngine {
    fn run<'a>(&'a self, plan: &'a Plan) -> crate::questions::TableFuture<'a> {
        Box::pin(std::future::ready(self.run_now(plan)))
    }

    fn skipped_rows(&self) -> u64 {
        LocalEngine::skipped_rows(self)
    }
}

impl LocalEngine {
    /// [`Engine::run`], on the calling thread (and its scoped threads).
    ///
    /// Reads the plan's files on up to as many threads as the machine has cores (contiguous
    /// runs of the sorted file list), each file into an evaluator of its own merged into its
    /// thread's, then merges the per-thread states in file order (so a file adds up the same
    /// whether read from its columns or its JSON).
    pub fn run_now(&self, plan: &Plan) -> Result<Table, QueryError> {
        let dataset = plan
            .dataset()
            .dataset_name()
            .ok_or_else(|| QueryError::InvalidValue {
                detail: format!("`{}` is not a dataset name", plan.dataset().name()),
            })?;
        let files = files(&self.root.join(dataset.folder()), plan.range())?;
        let threads = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1)
            .clamp(1, files.len().max(1));
        let chunk = files.len().div_ceil(threads).max(1);
        let columns = self.columns;
        let partials: Vec<Result<Evaluator, QueryError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = files
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        let mut evaluator = Evaluator::new(plan);
                        let mut buffer = Vec::new();
                        for path in part {
                            let mut file = Evaluator::new(plan);
                            let skipped = if columns && is_closed(path) {
                                with_columns(path, &mut buffer, |c| {
                                    file.push_columns(c);
                                    c.skipped()
                                })
                                .map_err(|e| engine_error(path, &e))?
                                .0
                            } else {
                                read_file(path, &mut |row| file.push(row))?
                            };
                            self.note_skipped(path, skipped);
                            evaluator.merge(file);
                        }
                        Ok(evaluator)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| {
                    handle.join().unwrap_or_else(|_| {
                        Err(QueryError::Engine {
                            detail: "a reader thread panicked".to_owned(),
                        })
                    })
                })
                .collect()
        });
        let mut merged = Evaluator::new(plan);
        for partial in partials {
            merged.merge(partial?);
        }
        Ok(merged.finish())
    }
}

/// Streams every row of a dataset folder whose hour folder overlaps `range` (files outside
/// the `{DATE}/{HOUR}` layout are read too: the filter decides). Closed files are read from
/// their columnar sidecars (built if missing), open ones as JSON; the rows are the same.
/// Returns how many lines were skipped as not rows (see
/// [`nno_obs_store::line::for_each_row`]).
pub fn for_each_row(
    folder: &Path,
    range: TimeRange,
    visit: &mut dyn FnMut(&dyn Row),
) -> Result<u64, QueryError> {
    let mut buffer = Vec::new();
    let mut skipped = 0u64;
    for path in files(folder, range)? {
        let lines = if is_closed(&path) {
            with_columns(&path, &mut buffer, |columns| {
                for row in 0..columns.rows() {
                    visit(&crate::eval::ColumnRow::new(columns, row));
                }
                columns.skipped()
            })
            .map_err(|e| engine_error(&path, &e))?
            .0
        } else {
            read_file(&path, visit)?
        };
        skipped = skipped.saturating_add(lines);
    }
    Ok(skipped)
}

/// The dataset's files (`.json.gz` and the open `.json`) in hour folders overlapping `range`,
/// sorted by path.
fn files(folder: &Path, range: TimeRange) -> Result<Vec<PathBuf>, QueryError> {
    let mut out = Vec::new();
    let mut stack = vec![(folder.to_owned(), None::<String>)];
    while let Some((dir, date)) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => return Err(engine_error(&dir, &error)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| engine_error(&dir, &e))?;
            let path = entry.path();
            // Symlinks are not followed: the store is ours, and a link could leave it.
            let kind = std::fs::symlink_metadata(&path)
                .map_err(|e| engine_error(&path, &e))?
                .file_type();
            let name = entry.file_name().to_string_lossy().into_owned();
            if kind.is_dir() {
                if let Some(date) = &date {
                    if let Some(hour) = DateHour::parse_folder(date, &name) {
                        let start = (hour.start_ms() / 1000) as i64;
                        let end = (hour.end_ms() / 1000) as i64;
                        if end <= range.from_s() || start >= range.until_s() {
                            continue;
                        }
                    }
                }
                let next_date = if date.is_none() { Some(name) } else { None };
                stack.push((path, next_date));
            } else if kind.is_file()
                && (name.ends_with(CLOSED_SUFFIX) || name.ends_with(OPEN_SUFFIX))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn is_closed(path: &Path) -> bool {
    path.to_string_lossy().ends_with(CLOSED_SUFFIX)
}

/// Streams a file's rows from its JSON (inflating a closed file); returns the lines skipped.
fn read_file(path: &Path, visit: &mut dyn FnMut(&dyn Row)) -> Result<u64, QueryError> {
    let file = std::fs::File::open(path).map_err(|e| engine_error(path, &e))?;
    let mut visit = |row: &AnyRow<'_>| visit(row);
    let read = if is_closed(path) {
        for_each_line_row(flate2::read::MultiGzDecoder::new(file), &mut visit)
    } else {
        for_each_line_row(file, &mut visit)
    };
    read.map_err(|e| engine_error(path, &e))
}
