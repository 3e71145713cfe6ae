//! The one representation both engines execute: a filtered, grouped, ordered scan of one
//! dataset. Every question lowers to one or more [`Plan`]s; [`crate::sql`] renders a plan as
//! Analytics Engine SQL and `crate::local` evaluates the same plan over the local store, so
//! the two cannot drift apart question by question.
//!
//! Plans are built only inside this crate, from a scope type and checked [`Literal`]s.
//!
//! # Semantics (both engines)
//!
//! - **Rows read**: those of the plan's dataset with `range.from <= timestamp < range.until`
//!   and every equality filter true (byte-wise string equality).
//! - **Sampling**: a row stands for `_sample_interval` points. A count is
//!   `SUM(_sample_interval)`; a sum of `doubleN` is `SUM(doubleN * _sample_interval)`; a mean
//!   is that sum over the count; a quantile is `quantileExactWeighted(q)(doubleN,
//!   _sample_interval)`: the smallest value `v` whose cumulative weight (values sorted
//!   ascending) reaches `ceil(q × total weight)`, the lower value at an exact boundary, never
//!   interpolated.
//! - **Groups**: one output row per distinct key tuple among the rows read; a group with no
//!   row does not exist (questions that need every bucket fill the gaps themselves, and say
//!   so).
//! - **Order**: the plan's sort keys, then the group keys ascending, so ties are broken the
//!   same way everywhere (strings byte-wise, numbers numerically). `LIMIT` applies after.

use crate::literal::Literal;
use crate::scope::Dataset;
use crate::time_range::{Bucket, TimeRange};
use nno_obs_schema::{Blob, Double};

/// A column of an Analytics Engine row read as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextCol {
    /// `index1`.
    Index1,
    /// `blobN`, a column of `nno-obs-schema`.
    Blob(Blob),
}

/// A group key.
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    /// A text column's value.
    Text(TextCol),
    /// The start of the point's time bucket.
    Bucket(Bucket),
    /// `yes` when the column starts with `prefix`, else `no` (rendered with `LIKE 'prefix%'`;
    /// the prefix is a crate constant without `%`, `_` or `\`).
    PrefixClass {
        /// The column.
        col: TextCol,
        /// The prefix.
        prefix: &'static str,
        /// The key when it matches.
        yes: &'static str,
        /// The key otherwise.
        no: &'static str,
    },
}

/// An aggregate over a group's rows (see the module's semantics).
#[derive(Clone, Debug, PartialEq)]
pub enum Agg {
    /// `SUM(_sample_interval)`, or only of rows at or after `since` (seconds).
    Count {
        /// Only rows with `timestamp >= since`.
        since: Option<i64>,
    },
    /// `SUM(doubleN * _sample_interval)`, or only of rows at or after `since`.
    Sum {
        /// The `doubleN` column.
        double: Double,
        /// Only rows with `timestamp >= since`.
        since: Option<i64>,
    },
    /// `SUM(doubleN * _sample_interval) / SUM(_sample_interval)`.
    Mean {
        /// The `doubleN` column.
        double: Double,
    },
    /// `quantileExactWeighted(level)(doubleN, _sample_interval)`.
    Quantile {
        /// The level, in `[0, 1]`.
        level: f64,
        /// The `doubleN` column.
        double: Double,
    },
    /// `SUM(if(doubleN > above, _sample_interval, 0))`: the points whose `doubleN` is strictly
    /// above a whole number (a latency objective's slow requests: "p99 < 500ms" allows 1 % of
    /// requests above 500 ms).
    CountAbove {
        /// The `doubleN` column.
        double: Double,
        /// The bound (exclusive), e.g. ms.
        above: u32,
    },
    /// `COUNT(DISTINCT col)`: distinct values among the rows kept by sampling (a value only
    /// in sampled-out points is not seen).
    Distinct {
        /// The column.
        col: TextCol,
    },
}

/// A column of a row-listing plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowCol {
    /// `timestamp`.
    Timestamp,
    /// A text column.
    Text(TextCol),
    /// `doubleN`.
    Double(Double),
    /// `_sample_interval`.
    SampleInterval,
}

/// The kind of values a result column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// Text.
    Text,
    /// A non-negative integer (counts).
    UInt,
    /// A float.
    Float,
    /// Seconds since the epoch (a `DateTime`).
    Time,
}

/// Sort direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

/// What a plan outputs.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// One row per group.
    Aggregate {
        /// Group keys, with their output names.
        keys: Vec<(&'static str, Key)>,
        /// Aggregates, with their output names.
        aggs: Vec<(&'static str, Agg)>,
    },
    /// The matching rows themselves.
    Rows {
        /// Columns, with their output names.
        cols: Vec<(&'static str, RowCol)>,
    },
}

/// A scan of one dataset (see the module's semantics).
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub(crate) dataset: Dataset,
    pub(crate) range: TimeRange,
    pub(crate) filters: Vec<(TextCol, Literal)>,
    pub(crate) shape: Shape,
    pub(crate) order: Vec<(&'static str, Dir)>,
    pub(crate) limit: Option<u32>,
}

impl Plan {
    /// The dataset read.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// The time range read.
    pub fn range(&self) -> TimeRange {
        self.range
    }

    /// The equality filters.
    pub fn filters(&self) -> &[(TextCol, Literal)] {
        &self.filters
    }

    /// What it outputs.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// The sort keys (output names), before the implicit tie-break on the group keys.
    pub fn order(&self) -> &[(&'static str, Dir)] {
        &self.order
    }

    /// The row limit.
    pub fn limit(&self) -> Option<u32> {
        self.limit
    }

    /// The output columns, in order, with their types.
    pub fn columns(&self) -> Vec<(&'static str, ValueType)> {
        match &self.shape {
            Shape::Aggregate { keys, aggs } => keys
                .iter()
                .map(|(name, key)| {
                    let ty = match key {
                        Key::Bucket(_) => ValueType::Time,
                        Key::Text(_) | Key::PrefixClass { .. } => ValueType::Text,
                    };
                    (*name, ty)
                })
                .chain(aggs.iter().map(|(name, agg)| {
                    let ty = match agg {
                        Agg::Count { .. } | Agg::CountAbove { .. } | Agg::Distinct { .. } => {
                            ValueType::UInt
                        }
                        Agg::Sum { .. } | Agg::Mean { .. } | Agg::Quantile { .. } => {
                            ValueType::Float
                        }
                    };
                    (*name, ty)
                }))
                .collect(),
            Shape::Rows { cols } => cols
                .iter()
                .map(|(name, col)| {
                    let ty = match col {
                        RowCol::Timestamp => ValueType::Time,
                        RowCol::Text(_) => ValueType::Text,
                        RowCol::Double(_) => ValueType::Float,
                        RowCol::SampleInterval => ValueType::UInt,
                    };
                    (*name, ty)
                })
                .collect(),
        }
    }

    /// The full sort: the plan's keys, then every group key (or, for rows, every column)
    /// ascending, as output column indexes.
    pub fn full_order(&self) -> Vec<(usize, Dir)> {
        let columns = self.columns();
        let index = |name: &str| columns.iter().position(|(n, _)| *n == name);
        let mut order: Vec<(usize, Dir)> = self
            .order
            .iter()
            .filter_map(|(name, dir)| index(name).map(|i| (i, *dir)))
            .collect();
        let tie_breakers = match &self.shape {
            Shape::Aggregate { keys, .. } => keys.len(),
            Shape::Rows { cols } => cols.len(),
        };
        for i in 0..tie_breakers {
            if !order.iter().any(|(j, _)| *j == i) {
                order.push((i, Dir::Asc));
            }
        }
        order
    }
}

/// The names no output column may take: ClickHouse substitutes an alias for a column of the
/// same name everywhere in the query, `WHERE` included, which would change its meaning.
pub(crate) fn is_reserved_alias(name: &str) -> bool {
    matches!(
        name,
        "timestamp" | "index1" | "_sample_interval" | "dataset"
    ) || name
        .strip_prefix("blob")
        .is_some_and(|n| n.parse::<u8>().is_ok())
        || name
            .strip_prefix("double")
            .is_some_and(|n| n.parse::<u8>().is_ok())
}
