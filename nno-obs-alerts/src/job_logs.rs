//! [`JobLogs`] over the log search (native), for jobs whose points predate the job extension
//! (`nno_obs::job`): a job's id and operation from the provisioning
//! service's lines of its trace (`job created` carries `jobId` and `operation`). The
//! trace-id search opens only the files whose index holds the id.

use crate::observe::{JobFacts, JobLogs};
use nno_obs_logs::{LocalSearch, LogQuery};
use nno_obs_query::TimeRange;

/// Looks jobs up in a store's logs.
///
/// ```
/// use nno_obs_alerts::job_logs::SearchJobLogs;
/// use nno_obs_alerts::observe::JobLogs;
/// use nno_obs_logs::{LocalSearch, OperatorScope};
/// use nno_obs_query::TimeRange;
///
/// let store = tempfile::tempdir().unwrap();
/// let jobs = SearchJobLogs::new(LocalSearch::store(store.path(), &nno_obs_access::testing::operator()).unwrap());
/// assert_eq!(jobs.job("tr_none", TimeRange::new(0, 60).unwrap()), None);
/// ```
pub struct SearchJobLogs {
    search: LocalSearch,
}

impl SearchJobLogs {
    /// Over `search`'s files (an operator's: provisioning logs are in `nno-logs-internal`).
    pub fn new(search: LocalSearch) -> Self {
        Self { search }
    }
}

/// Lines of one job's trace worth reading: its few provisioning lines, with room to spare.
const LINES: usize = 200;

impl JobLogs for SearchJobLogs {
    fn job(&self, trace_id: &str, range: TimeRange) -> Option<JobFacts> {
        let query = LogQuery {
            from_ms: u64::try_from(range.from_s()).ok().map(|s| s * 1000),
            to_ms: u64::try_from(range.until_s()).ok().map(|s| s * 1000),
            service: Some("provisioning".to_owned()),
            trace_id: Some(trace_id.to_owned()),
            ..LogQuery::default()
        };
        let page = self.search.run(&query, None, LINES);
        page.hits.iter().find_map(|hit| {
            let line = hit.entry.line.as_deref()?;
            let fields: serde_json::Value = serde_json::from_str(line).ok()?;
            let text = |key: &str| fields.get(key)?.as_str().map(str::to_owned);
            Some(JobFacts {
                job_id: text("jobId")?,
                operation: text("operation")?,
                platform_id: text("platformId"),
            })
        })
    }
}
