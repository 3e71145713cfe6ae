//! A [`Plan`] as Analytics Engine SQL (which ClickHouse runs unchanged).
//!
//! Choices, each checked on ClickHouse by the differential test (`tests/clickhouse.rs`):
//!
//! - **Dataset names** are written as double-quoted identifiers, `FROM "k3m9p2xw7q-perf"`:
//!   unquoted, `nno-core-ops` parses as `nno - core - ops`, and the seed's `nno_core_ops`
//!   names another table. Double quotes are ClickHouse's standard identifier quoting, which the
//!   SQL API's ClickHouse dialect follows; Cloudflare's SQL reference
//!   (<https://developers.cloudflare.com/analytics/analytics-engine/sql-reference/>) names a
//!   table by its dataset name and documents no other quoting. The name comes from a validated
//!   platform id and fixed suffixes only (`[a-z0-9-]`), so it cannot contain a quote.
//! - **Sampling**: counts `SUM(_sample_interval)`; sums `SUM(doubleN * _sample_interval)`;
//!   means `SUM(doubleN * _sample_interval) / SUM(_sample_interval)` (ClickHouse's
//!   `avgWeighted` truncates with an integer weight); quantiles
//!   `quantileExactWeighted(q)(doubleN, _sample_interval)` — the weighted quantile the SQL
//!   API's users run on it and a ClickHouse function with integer weights (the seed's
//!   `quantileWeighted` exists in neither). See Cloudflare's SQL API page on sampling
//!   (<https://developers.cloudflare.com/analytics/analytics-engine/sql-api/>).
//! - **Time**: `timestamp >= toDateTime(from) AND timestamp < toDateTime(until)` with Unix
//!   seconds; buckets `toStartOfInterval(timestamp, INTERVAL 'n' SECOND)`.
//! - **Aliases** never reuse a column name ([`crate::plan`]); `GROUP BY` and `ORDER BY` name
//!   the aliases; the `ORDER BY` ends with every group key ascending (the stated tie-break).
//! - **Literals** are [`Literal`](crate::Literal)s: escaped, control characters and overlong
//!   values rejected before a plan exists.
//! - No `HAVING`, `JOIN` or `IN (subquery)`: the SQL reference's `SELECT` has none of them.
//!
//! ```
//! use nno_obs_query::{questions::FeatureStats, PlatformScope, Question, TimeRange};
//! use nno_obs_store::layout::PlatformId;
//!
//! let scope = PlatformScope::new(PlatformId::parse("k3m9p2xw7q").unwrap());
//! let question = FeatureStats::new(&scope, TimeRange::new(0, 3600).unwrap());
//! let sql = question.plans()[0].sql();
//! assert!(sql.starts_with("SELECT blob1 AS feature, SUM(_sample_interval) AS requests"));
//! assert!(sql.contains("FROM \"k3m9p2xw7q-perf\" WHERE timestamp >= toDateTime(0) AND timestamp < toDateTime(3600)"));
//! assert!(sql.contains("quantileExactWeighted(0.95)(double2, _sample_interval) AS p95_ms"));
//! ```

use crate::plan::{Agg, Dir, Key, Plan, RowCol, Shape, TextCol};
use std::fmt::Write;

impl Plan {
    /// The plan as one Analytics Engine SQL statement (no `FORMAT` clause).
    pub fn sql(&self) -> String {
        let mut sql = String::from("SELECT ");
        let mut group_by = Vec::new();
        let mut select = Vec::new();
        match &self.shape {
            Shape::Aggregate { keys, aggs } => {
                for (name, key) in keys {
                    select.push(format!("{} AS {name}", key_sql(key)));
                    group_by.push(*name);
                }
                for (name, agg) in aggs {
                    select.push(format!("{} AS {name}", agg_sql(agg)));
                }
            }
            Shape::Rows { cols } => {
                for (name, col) in cols {
                    select.push(format!("{} AS {name}", row_col_sql(*col)));
                }
            }
        }
        sql.push_str(&select.join(", "));
        let _ = write!(
            sql,
            " FROM \"{}\" WHERE timestamp >= toDateTime({}) AND timestamp < toDateTime({})",
            self.dataset.name(),
            self.range.from_s(),
            self.range.until_s()
        );
        for (col, literal) in &self.filters {
            let _ = write!(sql, " AND {} = {}", text_col_sql(*col), literal.sql());
        }
        if !group_by.is_empty() {
            let _ = write!(sql, " GROUP BY {}", group_by.join(", "));
        }
        let columns = self.columns();
        let order: Vec<String> = self
            .full_order()
            .into_iter()
            .filter_map(|(i, dir)| {
                let name = columns.get(i)?.0;
                Some(match dir {
                    Dir::Asc => format!("{name} ASC"),
                    Dir::Desc => format!("{name} DESC"),
                })
            })
            .collect();
        if !order.is_empty() {
            let _ = write!(sql, " ORDER BY {}", order.join(", "));
        }
        if let Some(limit) = self.limit {
            let _ = write!(sql, " LIMIT {limit}");
        }
        sql
    }
}

fn text_col_sql(col: TextCol) -> String {
    match col {
        TextCol::Index1 => "index1".to_owned(),
        TextCol::Blob(blob) => blob.sql().to_owned(),
    }
}

fn key_sql(key: &Key) -> String {
    match key {
        Key::Text(col) => text_col_sql(*col),
        Key::Bucket(bucket) => format!(
            "toStartOfInterval(timestamp, INTERVAL '{}' SECOND)",
            bucket.seconds()
        ),
        Key::PrefixClass {
            col,
            prefix,
            yes,
            no,
        } => format!(
            "if({} LIKE '{prefix}%', '{yes}', '{no}')",
            text_col_sql(*col)
        ),
    }
}

fn agg_sql(agg: &Agg) -> String {
    match agg {
        Agg::Count { since: None } => "SUM(_sample_interval)".to_owned(),
        Agg::Count { since: Some(s) } => {
            format!("SUM(if(timestamp >= toDateTime({s}), _sample_interval, 0))")
        }
        Agg::Sum {
            double,
            since: None,
        } => format!("SUM({double} * _sample_interval)"),
        Agg::Sum {
            double,
            since: Some(s),
        } => format!("SUM(if(timestamp >= toDateTime({s}), {double} * _sample_interval, 0))"),
        Agg::Mean { double } => {
            format!("SUM({double} * _sample_interval) / SUM(_sample_interval)")
        }
        Agg::Quantile { level, double } => {
            format!("quantileExactWeighted({level})({double}, _sample_interval)")
        }
        Agg::CountAbove { double, above } => {
            format!("SUM(if({double} > {above}, _sample_interval, 0))")
        }
        Agg::Distinct { col } => format!("COUNT(DISTINCT {})", text_col_sql(*col)),
    }
}

fn row_col_sql(col: RowCol) -> String {
    match col {
        RowCol::Timestamp => "timestamp".to_owned(),
        RowCol::Text(col) => text_col_sql(col),
        RowCol::Double(double) => double.sql().to_owned(),
        RowCol::SampleInterval => "_sample_interval".to_owned(),
    }
}
