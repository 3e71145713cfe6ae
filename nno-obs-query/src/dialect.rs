//! What an SQL engine accepts: a [`Dialect`] picks, for each SQL form the renderer needs, one
//! spelling the engine runs. [`Dialect::CLICKHOUSE`] is the one checked on ClickHouse by the
//! differential test and the default; the others are fallbacks for an Analytics Engine SQL API
//! that refuses a form (found by `nno-obs cfae check`, which runs [`crate::probe`]'s tiny
//! queries). Every spelling of a feature gives the same answer, with one exception said below
//! ([`Quantile::Weighted`]).
//!
//! | feature | spellings, in order of preference |
//! |---|---|
//! | [`DatasetQuote`] | `FROM "nno-core-ops"`, ``FROM `nno-core-ops` `` |
//! | [`Quantile`] | `quantileExactWeighted(q)(x, w)`, `quantileWeighted(q, x, w)` |
//! | [`Conditional`] | `if(c, a, b)`, `multiIf(c, a, b)`, `CASE WHEN c THEN a ELSE b END` |
//! | [`TimeBucket`] | `toStartOfInterval(timestamp, INTERVAL 'n' SECOND)`, `toDateTime(intDiv(toUInt32(timestamp), n) * n)` |
//! | [`Prefix`] | `col LIKE 'p%'`, `startsWith(col, 'p')`, `position('p' IN col) = 1` |
//!
//! The dialect is stored as JSON (`cfae check --write FILE`):
//!
//! ```
//! use nno_obs_query::dialect::{Dialect, Prefix};
//!
//! let json = r#"{"dataset":"backticks","quantile":"quantileExactWeighted","conditional":"if","bucket":"toStartOfInterval","prefix":"position"}"#;
//! let dialect: Dialect = serde_json::from_str(json).unwrap();
//! assert_eq!(dialect.prefix, Prefix::Position);
//! assert_eq!(serde_json::to_string(&dialect).unwrap(), json);
//! assert_eq!(Dialect::default(), Dialect::CLICKHOUSE);
//! ```

use serde::{Deserialize, Serialize};

/// How a dataset name (`k3m9p2xw7q-perf`, hyphens included) is written after `FROM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetQuote {
    /// `"name"`: the SQL standard's identifier quotes, ClickHouse's too.
    DoubleQuotes,
    /// `` `name` ``: ClickHouse's (and MySQL's) other identifier quotes.
    Backticks,
}

/// How a weighted quantile is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Quantile {
    /// `quantileExactWeighted(q)(x, w)`: ClickHouse's exact weighted quantile (the smallest
    /// value whose cumulative weight reaches `ceil(q × total)`, never interpolated), which the
    /// local engine computes too.
    #[serde(rename = "quantileExactWeighted")]
    ExactWeighted,
    /// `quantileWeighted(q, x, w)`: the spelling Analytics Engine's SQL reference documents,
    /// which it describes as an *estimate*. Exactness lost: the reference does not say how it
    /// estimates, so a p95 may differ from the local engine's exact value (it is not checked
    /// against it: ClickHouse has no such function, and the emulator stands in for it with
    /// the exact one).
    #[serde(rename = "quantileWeighted")]
    Weighted,
}

/// How a two-way conditional value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Conditional {
    /// `if(c, a, b)`.
    #[serde(rename = "if")]
    If,
    /// `multiIf(c, a, b)`: ClickHouse's n-way form with one condition.
    #[serde(rename = "multiIf")]
    MultiIf,
    /// `CASE WHEN c THEN a ELSE b END`: the SQL standard's.
    #[serde(rename = "case")]
    Case,
}

/// How a point's time bucket (its start, a `DateTime`) is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TimeBucket {
    /// `toStartOfInterval(timestamp, INTERVAL 'n' SECOND)`.
    #[serde(rename = "toStartOfInterval")]
    ToStartOfInterval,
    /// `toDateTime(intDiv(toUInt32(timestamp), n) * n)`: the same epoch-aligned start, from
    /// Unix seconds (buckets divide a day, so both align to multiples of `n` since 1970).
    #[serde(rename = "intDiv")]
    IntDiv,
}

/// How "the text starts with this prefix" is written (the prefix is a crate constant without
/// `%`, `_`, `'` or `\`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Prefix {
    /// `col LIKE 'p%'`.
    #[serde(rename = "like")]
    Like,
    /// `startsWith(col, 'p')`.
    #[serde(rename = "startsWith")]
    StartsWith,
    /// `position('p' IN col) = 1`: 1 is the first byte (0 when absent).
    #[serde(rename = "position")]
    Position,
}

/// The spelling chosen for each feature (see the module's table).
///
/// ```
/// use nno_obs_query::dialect::{Dialect, Quantile};
/// use nno_obs_query::{questions::FeatureStats, PlatformScope, Question, TimeRange};
/// use nno_obs_store::layout::PlatformId;
///
/// let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
/// let plan = &FeatureStats::new(&scope, TimeRange::new(0, 60).unwrap()).plans()[0];
/// let dialect = Dialect { quantile: Quantile::Weighted, ..Dialect::CLICKHOUSE };
/// assert!(plan.sql_in(&dialect).contains("quantileWeighted(0.95, double2, _sample_interval)"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dialect {
    /// Dataset names.
    pub dataset: DatasetQuote,
    /// Weighted quantiles.
    pub quantile: Quantile,
    /// Conditional values.
    pub conditional: Conditional,
    /// Time buckets.
    pub bucket: TimeBucket,
    /// Prefix tests.
    pub prefix: Prefix,
}

impl Dialect {
    /// ClickHouse's spellings: what the differential test checks and the default.
    pub const CLICKHOUSE: Dialect = Dialect {
        dataset: DatasetQuote::DoubleQuotes,
        quantile: Quantile::ExactWeighted,
        conditional: Conditional::If,
        bucket: TimeBucket::ToStartOfInterval,
        prefix: Prefix::Like,
    };

    /// Every fallback at once (the spellings tried last).
    pub const ALL_FALLBACKS: Dialect = Dialect {
        dataset: DatasetQuote::Backticks,
        quantile: Quantile::Weighted,
        conditional: Conditional::Case,
        bucket: TimeBucket::IntDiv,
        prefix: Prefix::Position,
    };

    /// Reads a dialect file's JSON (`cfae check --write`); an unknown spelling or field is an
    /// error naming it.
    pub fn from_json(text: &str) -> Result<Dialect, String> {
        serde_json::from_str(text).map_err(|error| format!("not a dialect: {error}"))
    }
}

impl Default for Dialect {
    fn default() -> Self {
        Dialect::CLICKHOUSE
    }
}

impl DatasetQuote {
    /// The quoted name.
    pub fn quote(self, name: &str) -> String {
        match self {
            DatasetQuote::DoubleQuotes => format!("\"{name}\""),
            DatasetQuote::Backticks => format!("`{name}`"),
        }
    }
}

impl Quantile {
    /// The weighted quantile at `level` of `value` weighted by `weight`.
    pub fn sql(self, level: f64, value: &str, weight: &str) -> String {
        match self {
            Quantile::ExactWeighted => format!("quantileExactWeighted({level})({value}, {weight})"),
            Quantile::Weighted => format!("quantileWeighted({level}, {value}, {weight})"),
        }
    }
}

impl Conditional {
    /// `then` when `condition`, else `otherwise`.
    pub fn sql(self, condition: &str, then: &str, otherwise: &str) -> String {
        match self {
            Conditional::If => format!("if({condition}, {then}, {otherwise})"),
            Conditional::MultiIf => format!("multiIf({condition}, {then}, {otherwise})"),
            Conditional::Case => format!("CASE WHEN {condition} THEN {then} ELSE {otherwise} END"),
        }
    }
}

impl TimeBucket {
    /// The start of `timestamp`'s bucket of `seconds`.
    pub fn sql(self, seconds: i64) -> String {
        match self {
            TimeBucket::ToStartOfInterval => {
                format!("toStartOfInterval(timestamp, INTERVAL '{seconds}' SECOND)")
            }
            TimeBucket::IntDiv => {
                format!("toDateTime(intDiv(toUInt32(timestamp), {seconds}) * {seconds})")
            }
        }
    }
}

impl Prefix {
    /// Whether `column` starts with `prefix` (a constant without `%`, `_`, `'` or `\`).
    pub fn sql(self, column: &str, prefix: &str) -> String {
        match self {
            Prefix::Like => format!("{column} LIKE '{prefix}%'"),
            Prefix::StartsWith => format!("startsWith({column}, '{prefix}')"),
            Prefix::Position => format!("position('{prefix}' IN {column}) = 1"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_spellings_and_fields_are_refused_by_name() {
        let good = serde_json::to_string(&Dialect::ALL_FALLBACKS).unwrap();
        assert_eq!(Dialect::from_json(&good), Ok(Dialect::ALL_FALLBACKS));
        let bad = good.replace("position", "regex");
        assert!(Dialect::from_json(&bad).unwrap_err().contains("regex"));
        let extra = good.replace('}', r#","joins":"yes"}"#);
        assert!(Dialect::from_json(&extra).unwrap_err().contains("joins"));
        assert!(Dialect::from_json("").is_err());
        let missing = r#"{"dataset":"backticks"}"#;
        assert!(Dialect::from_json(missing).is_err());
    }
}
