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
//!   API's users run on it and a ClickHouse function with integer weights (ClickHouse has no
//!   `quantileWeighted`; the SQL reference documents `quantileWeighted(q, x, w)`, an estimate,
//!   which is the fallback [`Quantile::Weighted`](crate::dialect::Quantile::Weighted)). See
//!   Cloudflare's SQL API page on sampling
//!   (<https://developers.cloudflare.com/analytics/analytics-engine/sql-api/>).
//! - **Time**: `timestamp >= toDateTime(from) AND timestamp < toDateTime(until)` with Unix
//!   seconds; buckets `toStartOfInterval(timestamp, INTERVAL 'n' SECOND)`.
//! - **Aliases** never reuse a column name ([`crate::plan`]); `GROUP BY` and `ORDER BY` name
//!   the aliases; the `ORDER BY` ends with every group key ascending (the stated tie-break).
//! - **Literals** are [`Literal`](crate::Literal)s: escaped, control characters and overlong
//!   values rejected before a plan exists.
//! - No `HAVING`, `JOIN` or `IN (subquery)`: the SQL reference's `SELECT` has none of them.
//! - **Dialects**: the forms above are ClickHouse's spellings ([`Dialect::CLICKHOUSE`]);
//!   [`Plan::sql_in`] writes a dataset name, a quantile, a conditional, a bucket or a prefix
//!   test in another spelling for an engine that refuses one ([`crate::dialect`]).
//!
//! ```
//! use nno_obs_query::{questions::FeatureStats, PlatformScope, Question, TimeRange};
//! use nno_obs_store::layout::PlatformId;
//!
//! let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
//! let question = FeatureStats::new(&scope, TimeRange::new(0, 3600).unwrap());
//! let sql = question.plans()[0].sql();
//! assert!(sql.starts_with("SELECT blob1 AS feature, SUM(_sample_interval) AS requests"));
//! assert!(sql.contains("FROM \"k3m9p2xw7q-perf\" WHERE timestamp >= toDateTime(0) AND timestamp < toDateTime(3600)"));
//! assert!(sql.contains("quantileExactWeighted(0.95)(double2, _sample_interval) AS p95_ms"));
//! ```

use crate::dialect::Dialect;
use crate::plan::{Agg, Dir, Key, Plan, RowCol, Shape, TextCol};
use std::fmt::Write;

impl Plan {
    /// The plan as one Analytics Engine SQL statement (no `FORMAT` clause), in ClickHouse's
    /// spellings ([`Dialect::CLICKHOUSE`]).
    pub fn sql(&self) -> String {
        self.sql_in(&Dialect::CLICKHOUSE)
    }

    /// The plan as one statement in `dialect`'s spellings (an engine that refuses some of
    /// ClickHouse's forms; see [`crate::dialect`]).
    ///
    /// ```
    /// use nno_obs_query::dialect::{DatasetQuote, Dialect};
    /// use nno_obs_query::{questions::FeatureStats, PlatformScope, Question, TimeRange};
    /// use nno_obs_store::layout::PlatformId;
    ///
    /// let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
    /// let plan = &FeatureStats::new(&scope, TimeRange::new(0, 60).unwrap()).plans()[0];
    /// let dialect = Dialect { dataset: DatasetQuote::Backticks, ..Dialect::CLICKHOUSE };
    /// assert!(plan.sql_in(&dialect).contains("FROM `k3m9p2xw7q-perf` WHERE"));
    /// ```
    pub fn sql_in(&self, dialect: &Dialect) -> String {
        let mut sql = String::from("SELECT ");
        let mut group_by = Vec::new();
        let mut select = Vec::new();
        match &self.shape {
            Shape::Aggregate { keys, aggs } => {
                for (name, key) in keys {
                    select.push(format!("{} AS {name}", key_sql(key, dialect)));
                    group_by.push(*name);
                }
                for (name, agg) in aggs {
                    select.push(format!("{} AS {name}", agg_sql(agg, dialect)));
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
            " FROM {} WHERE timestamp >= toDateTime({}) AND timestamp < toDateTime({})",
            dialect.dataset.quote(&self.dataset.name()),
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

fn key_sql(key: &Key, dialect: &Dialect) -> String {
    match key {
        Key::Text(col) => text_col_sql(*col),
        Key::Bucket(bucket) => dialect.bucket.sql(bucket.seconds()),
        Key::PrefixClass {
            col,
            prefix,
            yes,
            no,
        } => dialect.conditional.sql(
            &dialect.prefix.sql(&text_col_sql(*col), prefix),
            &format!("'{yes}'"),
            &format!("'{no}'"),
        ),
    }
}

fn agg_sql(agg: &Agg, dialect: &Dialect) -> String {
    // A conditional sum: the rows where `condition` holds add `value`, the others 0.
    let sum_if = |condition: String, value: &str| {
        format!("SUM({})", dialect.conditional.sql(&condition, value, "0"))
    };
    match agg {
        Agg::Count { since: None } => "SUM(_sample_interval)".to_owned(),
        Agg::Count { since: Some(s) } => {
            sum_if(format!("timestamp >= toDateTime({s})"), "_sample_interval")
        }
        Agg::Sum {
            double,
            since: None,
        } => format!("SUM({double} * _sample_interval)"),
        Agg::Sum {
            double,
            since: Some(s),
        } => sum_if(
            format!("timestamp >= toDateTime({s})"),
            &format!("{double} * _sample_interval"),
        ),
        Agg::Mean { double } => {
            format!("SUM({double} * _sample_interval) / SUM(_sample_interval)")
        }
        Agg::Quantile { level, double } => {
            dialect
                .quantile
                .sql(*level, &double.to_string(), "_sample_interval")
        }
        Agg::CountAbove { double, above } => {
            sum_if(format!("{double} > {above}"), "_sample_interval")
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::{Conditional, DatasetQuote, Prefix, Quantile, TimeBucket};
    use crate::literal::Literal;
    use crate::scope::Dataset;
    use crate::time_range::{Bucket, TimeRange};
    use nno_obs_schema::{core_ops, Blob, Double};

    /// A plan with every form a dialect spells: a bucket, a prefix class, conditional sums, a
    /// quantile, a distinct count, a filter.
    fn every_form() -> Plan {
        Plan {
            dataset: Dataset::CoreOps,
            range: TimeRange::new(3600, 7200).unwrap(),
            filters: vec![(TextCol::Blob(core_ops::SERVICE), Literal::fixed("registry"))],
            shape: Shape::Aggregate {
                keys: vec![
                    ("minute", Key::Bucket(Bucket::MINUTE)),
                    (
                        "kind",
                        Key::PrefixClass {
                            col: TextCol::Blob(Blob::at(2)),
                            prefix: "GET ",
                            yes: "read",
                            no: "write",
                        },
                    ),
                ],
                aggs: vec![
                    ("recent", Agg::Count { since: Some(6000) }),
                    (
                        "slow",
                        Agg::CountAbove {
                            double: Double::at(2),
                            above: 500,
                        },
                    ),
                    (
                        "p99_ms",
                        Agg::Quantile {
                            level: 0.99,
                            double: Double::at(2),
                        },
                    ),
                    (
                        "services",
                        Agg::Distinct {
                            col: TextCol::Index1,
                        },
                    ),
                ],
            },
            order: vec![("p99_ms", Dir::Desc)],
            limit: Some(10),
        }
    }

    const TAIL: &str = " WHERE timestamp >= toDateTime(3600) AND timestamp < toDateTime(7200) AND blob1 = 'registry' GROUP BY minute, kind ORDER BY p99_ms DESC, minute ASC, kind ASC LIMIT 10";

    #[test]
    fn clickhouse_spellings() {
        assert_eq!(
            every_form().sql(),
            format!(
                "SELECT toStartOfInterval(timestamp, INTERVAL '60' SECOND) AS minute, \
                 if(blob2 LIKE 'GET %', 'read', 'write') AS kind, \
                 SUM(if(timestamp >= toDateTime(6000), _sample_interval, 0)) AS recent, \
                 SUM(if(double2 > 500, _sample_interval, 0)) AS slow, \
                 quantileExactWeighted(0.99)(double2, _sample_interval) AS p99_ms, \
                 COUNT(DISTINCT index1) AS services FROM \"nno-core-ops\"{TAIL}"
            )
        );
        assert_eq!(every_form().sql(), every_form().sql_in(&Dialect::default()));
    }

    #[test]
    fn every_fallback_at_once() {
        assert_eq!(
            every_form().sql_in(&Dialect::ALL_FALLBACKS),
            format!(
                "SELECT toDateTime(intDiv(toUInt32(timestamp), 60) * 60) AS minute, \
                 CASE WHEN position('GET ' IN blob2) = 1 THEN 'read' ELSE 'write' END AS kind, \
                 SUM(CASE WHEN timestamp >= toDateTime(6000) THEN _sample_interval ELSE 0 END) AS recent, \
                 SUM(CASE WHEN double2 > 500 THEN _sample_interval ELSE 0 END) AS slow, \
                 quantileWeighted(0.99, double2, _sample_interval) AS p99_ms, \
                 COUNT(DISTINCT index1) AS services FROM `nno-core-ops`{TAIL}"
            )
        );
    }

    #[test]
    fn one_fallback_changes_only_its_form() {
        let base = every_form().sql();
        let cases: [(Dialect, &str, &str); 6] = [
            (
                Dialect {
                    dataset: DatasetQuote::Backticks,
                    ..Dialect::CLICKHOUSE
                },
                "FROM \"nno-core-ops\"",
                "FROM `nno-core-ops`",
            ),
            (
                Dialect {
                    quantile: Quantile::Weighted,
                    ..Dialect::CLICKHOUSE
                },
                "quantileExactWeighted(0.99)(double2, _sample_interval)",
                "quantileWeighted(0.99, double2, _sample_interval)",
            ),
            (
                Dialect {
                    conditional: Conditional::MultiIf,
                    ..Dialect::CLICKHOUSE
                },
                "if(",
                "multiIf(",
            ),
            (
                Dialect {
                    bucket: TimeBucket::IntDiv,
                    ..Dialect::CLICKHOUSE
                },
                "toStartOfInterval(timestamp, INTERVAL '60' SECOND)",
                "toDateTime(intDiv(toUInt32(timestamp), 60) * 60)",
            ),
            (
                Dialect {
                    prefix: Prefix::StartsWith,
                    ..Dialect::CLICKHOUSE
                },
                "blob2 LIKE 'GET %'",
                "startsWith(blob2, 'GET ')",
            ),
            (
                Dialect {
                    prefix: Prefix::Position,
                    ..Dialect::CLICKHOUSE
                },
                "blob2 LIKE 'GET %'",
                "position('GET ' IN blob2) = 1",
            ),
        ];
        for (dialect, from, to) in cases {
            assert_eq!(
                every_form().sql_in(&dialect),
                base.replace(from, to),
                "{dialect:?}"
            );
        }
    }
}
