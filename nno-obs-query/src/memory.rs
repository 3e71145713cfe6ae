//! An engine over points held in memory (feature `local`, native): each dataset of a local
//! store is read once into columns sorted by timestamp, and every plan then scans only the
//! rows of its range. For many questions over the same data — the alert evaluator stepping
//! minute by minute through a day, `slo status` asking six windows per objective — this is
//! what ClickHouse's loaded table is to its `file()` reads. The semantics are the
//! [`Evaluator`]'s, the same as [`crate::local::LocalEngine`]'s.
//!
//! Memory: a column exists only once a row has a value in it (a span row has seven blobs and
//! two doubles, not twenty of each), and text is interned per dataset (a feature name or an
//! endpoint is stored once, a row holds four bytes for it). A simulated span row costs about
//! 60 bytes plus its unique ids, against about 700 for an owned [`PointRow`].

use crate::error::QueryError;
use crate::eval::{Evaluator, Row};
use crate::plan::{Plan, TextCol};
use crate::questions::Engine;
use crate::table::Table;
use crate::time_range::TimeRange;
use nno_obs_schema::{Blob, Double};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

#[cfg(doc)]
use nno_obs_store::points::PointRow;

/// Datasets of a local store, loaded on first use and kept.
///
/// ```
/// use nno_obs_query::{memory::MemoryEngine, questions::FeatureStats, PlatformScope, Question, TimeRange};
/// use nno_obs_store::layout::PlatformId;
///
/// let empty = tempfile::tempdir().unwrap();
/// let engine = MemoryEngine::new(empty.path());
/// let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
/// let question = FeatureStats::new(&scope, TimeRange::new(0, 60).unwrap());
/// let rows = pollster::block_on(question.ask(&engine)).unwrap();
/// assert!(rows.is_empty());
/// ```
pub struct MemoryEngine {
    root: PathBuf,
    datasets: Mutex<HashMap<String, Arc<Columns>>>,
    /// Lines skipped as not rows by the datasets loaded (each is loaded once).
    skipped: AtomicU64,
}

/// Text values of one dataset, each stored once; id 0 is `""`.
#[derive(Default)]
struct Strings {
    // One allocation per distinct text, shared by the map and the table.
    ids: HashMap<Arc<str>, u32>,
    values: Vec<Arc<str>>,
}

impl Strings {
    fn new() -> Self {
        let mut strings = Self::default();
        strings.intern("");
        strings
    }

    fn intern(&mut self, text: &str) -> u32 {
        if let Some(id) = self.ids.get(text) {
            return *id;
        }
        let id = self.values.len() as u32;
        let shared: Arc<str> = text.into();
        self.values.push(shared.clone());
        self.ids.insert(shared, id);
        id
    }

    fn get(&self, id: u32) -> &str {
        self.values.get(id as usize).map(|s| &**s).unwrap_or("")
    }
}

/// One dataset in columns. `blobs[n]`/`doubles[n]` is `None` while no row has a value there.
struct Columns {
    timestamps: Vec<i64>,
    sample_intervals: Vec<u32>,
    index1: Vec<u32>,
    blobs: Vec<Option<Vec<u32>>>,
    doubles: Vec<Option<Vec<f64>>>,
    strings: Strings,
}

/// Analytics Engine's widths: `blob1…20`, `double1…20`.
const WIDTH: u8 = nno_obs_schema::MAX_COLUMNS;

impl Columns {
    fn new() -> Self {
        Self {
            timestamps: Vec::new(),
            sample_intervals: Vec::new(),
            index1: Vec::new(),
            blobs: (0..WIDTH).map(|_| None).collect(),
            doubles: (0..WIDTH).map(|_| None).collect(),
            strings: Strings::new(),
        }
    }

    fn len(&self) -> usize {
        self.timestamps.len()
    }

    fn push(&mut self, row: &dyn Row) {
        let at = self.len();
        self.timestamps.push(row.timestamp_s());
        self.sample_intervals.push(row.sample_interval());
        let index = self.strings.intern(row.text(TextCol::Index1));
        self.index1.push(index);
        for n in 1..=WIDTH {
            let (Some(blob), Some(double)) = (Blob::new(n), Double::new(n)) else {
                continue;
            };
            let text = row.text(TextCol::Blob(blob));
            let slot = &mut self.blobs[usize::from(n - 1)];
            match slot {
                Some(column) => {
                    let id = self.strings.intern(text);
                    column.push(id);
                }
                None if !text.is_empty() => {
                    let id = self.strings.intern(text);
                    let mut column = vec![0; at];
                    column.push(id);
                    *slot = Some(column);
                }
                None => {}
            }
            let value = row.double(double);
            let slot = &mut self.doubles[usize::from(n - 1)];
            match slot {
                Some(column) => column.push(value),
                // -0.0 is a value (it compares equal to 0.0 but is stored as written).
                None if value != 0.0 || value.is_sign_negative() || value.is_nan() => {
                    let mut column = vec![0.0; at];
                    column.push(value);
                    *slot = Some(column);
                }
                None => {}
            }
        }
    }

    /// Sorts the rows by timestamp, keeping the read order within a second.
    fn sort(&mut self) {
        if self.timestamps.windows(2).all(|pair| pair[0] <= pair[1]) {
            return;
        }
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by_key(|at| self.timestamps[*at]);
        fn permute<T: Copy>(column: &mut Vec<T>, order: &[usize]) {
            *column = order.iter().map(|at| column[*at]).collect();
        }
        permute(&mut self.timestamps, &order);
        permute(&mut self.sample_intervals, &order);
        permute(&mut self.index1, &order);
        for column in self.blobs.iter_mut().flatten() {
            permute(column, &order);
        }
        for column in self.doubles.iter_mut().flatten() {
            permute(column, &order);
        }
    }
}

/// Row `at` of a dataset's columns, read through the evaluator's [`Row`].
struct ColumnRow<'a> {
    columns: &'a Columns,
    at: usize,
}

impl Row for ColumnRow<'_> {
    fn timestamp_s(&self) -> i64 {
        self.columns.timestamps[self.at]
    }
    fn text(&self, col: TextCol) -> &str {
        let id = match col {
            TextCol::Index1 => self.columns.index1.get(self.at).copied(),
            TextCol::Blob(blob) => self
                .columns
                .blobs
                .get(blob.slot())
                .and_then(Option::as_ref)
                .and_then(|column| column.get(self.at).copied()),
        };
        id.map(|id| self.columns.strings.get(id)).unwrap_or("")
    }
    fn double(&self, col: Double) -> f64 {
        self.columns
            .doubles
            .get(col.slot())
            .and_then(Option::as_ref)
            .and_then(|column| column.get(self.at).copied())
            .unwrap_or(0.0)
    }
    fn sample_interval(&self) -> u32 {
        self.columns.sample_intervals[self.at]
    }
}

impl MemoryEngine {
    /// The store at `root`; nothing is read until a plan needs it.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
            datasets: Mutex::new(HashMap::new()),
            skipped: AtomicU64::new(0),
        }
    }

    /// How many lines of the datasets loaded so far were skipped as not rows (see
    /// [`LocalEngine::skipped_rows`](crate::local::LocalEngine::skipped_rows)); each dataset is
    /// read once.
    ///
    /// ```
    /// use nno_obs_query::memory::MemoryEngine;
    ///
    /// let empty = tempfile::tempdir().unwrap();
    /// assert_eq!(MemoryEngine::new(empty.path()).skipped_rows(), 0);
    /// ```
    pub fn skipped_rows(&self) -> u64 {
        self.skipped.load(Ordering::Relaxed)
    }

    /// The columns of `plan`'s dataset (loaded if not yet).
    fn columns(&self, plan: &Plan) -> Result<Arc<Columns>, QueryError> {
        let name = plan
            .dataset()
            .dataset_name()
            .ok_or_else(|| QueryError::InvalidValue {
                detail: format!("`{}` is not a dataset name", plan.dataset().name()),
            })?;
        // A panic elsewhere while the map was held leaves it consistent (an insert or not).
        let mut datasets = self.datasets.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(columns) = datasets.get(name.as_str()) {
            return Ok(columns.clone());
        }
        let mut columns = Columns::new();
        // Every row the store holds for the dataset, at any time (the year 9999 ends it).
        let everything = TimeRange::new(0, 253_402_300_800)?;
        let skipped =
            crate::local::for_each_row(&self.root.join(name.folder()), everything, &mut |row| {
                columns.push(row)
            })?;
        self.skipped.fetch_add(skipped, Ordering::Relaxed);
        columns.sort();
        let columns = Arc::new(columns);
        datasets.insert(name.as_str().to_owned(), columns.clone());
        Ok(columns)
    }
}

impl Engine for MemoryEngine {
    fn run<'a>(&'a self, plan: &'a Plan) -> crate::questions::TableFuture<'a> {
        Box::pin(std::future::ready(self.run_now(plan)))
    }

    fn skipped_rows(&self) -> u64 {
        MemoryEngine::skipped_rows(self)
    }
}

impl MemoryEngine {
    /// [`Engine::run`], on the calling thread.
    pub fn run_now(&self, plan: &Plan) -> Result<Table, QueryError> {
        let columns = self.columns(plan)?;
        let range = plan.range();
        let from = columns.timestamps.partition_point(|t| *t < range.from_s());
        let until = columns.timestamps.partition_point(|t| *t < range.until_s());
        let mut evaluator = Evaluator::new(plan);
        for at in from..until.max(from) {
            evaluator.push(&ColumnRow {
                columns: &columns,
                at,
            });
        }
        Ok(evaluator.finish())
    }
}
