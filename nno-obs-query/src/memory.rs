//! An engine over points held in memory (feature `local`, native): each dataset of a local
//! store is read once, sorted by timestamp, and every plan then scans only the rows of its
//! range. For many questions over the same data — the alert evaluator stepping minute by
//! minute through a day — this is what ClickHouse's loaded table is to its `file()` reads.
//! The semantics are the [`Evaluator`]'s, the same as [`crate::local::LocalEngine`]'s.

use crate::error::QueryError;
use crate::eval::Evaluator;
use crate::plan::Plan;
use crate::questions::Engine;
use crate::table::Table;
use nno_obs_store::points::PointRow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// Datasets of a local store, loaded on first use and kept.
///
/// ```
/// use nno_obs_query::{memory::MemoryEngine, questions::FeatureStats, PlatformScope, Question, TimeRange};
/// use nno_obs_store::layout::PlatformId;
///
/// let empty = tempfile::tempdir().unwrap();
/// let engine = MemoryEngine::new(empty.path());
/// let scope = PlatformScope::new(PlatformId::parse("k3m9p2xw7q").unwrap());
/// let rows = FeatureStats::new(&scope, TimeRange::new(0, 60).unwrap()).ask(&engine).unwrap();
/// assert!(rows.is_empty());
/// ```
pub struct MemoryEngine {
    root: PathBuf,
    datasets: Mutex<HashMap<String, Arc<Vec<PointRow>>>>,
}

impl MemoryEngine {
    /// The store at `root`; nothing is read until a plan needs it.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
            datasets: Mutex::new(HashMap::new()),
        }
    }

    /// The rows of `plan`'s dataset, sorted by timestamp (loaded if not yet).
    fn rows(&self, plan: &Plan) -> Result<Arc<Vec<PointRow>>, QueryError> {
        let name = plan
            .dataset()
            .dataset_name()
            .ok_or_else(|| QueryError::InvalidValue {
                detail: format!("`{}` is not a dataset name", plan.dataset().name()),
            })?;
        // A panic elsewhere while the map was held leaves it consistent (an insert or not).
        let mut datasets = self.datasets.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(rows) = datasets.get(name.as_str()) {
            return Ok(rows.clone());
        }
        let mut rows = nno_obs_store::fs::read_points(&self.root, &name).map_err(|error| {
            QueryError::Engine {
                detail: format!("{}: {error}", self.root.join(name.folder()).display()),
            }
        })?;
        // Stable: rows of one second keep the store's order.
        rows.sort_by_key(|row| row.timestamp_s);
        let rows = Arc::new(rows);
        datasets.insert(name.as_str().to_owned(), rows.clone());
        Ok(rows)
    }
}

impl Engine for MemoryEngine {
    fn run(&self, plan: &Plan) -> Result<Table, QueryError> {
        let rows = self.rows(plan)?;
        let range = plan.range();
        let from = rows.partition_point(|row| row.timestamp_s < range.from_s());
        let until = rows.partition_point(|row| row.timestamp_s < range.until_s());
        let mut evaluator = Evaluator::new(plan);
        for row in rows.get(from..until).unwrap_or_default() {
            evaluator.push(row);
        }
        Ok(evaluator.finish())
    }
}
