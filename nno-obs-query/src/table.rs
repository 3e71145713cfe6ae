//! A plan's answer, the same type from every engine: named columns and rows of [`Value`]s.

use crate::error::QueryError;
use crate::plan::{Plan, ValueType};
use crate::time_range::parse_datetime;
use std::cmp::Ordering;

/// One cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Text.
    Text(String),
    /// A count.
    UInt(u64),
    /// A float (`None` for what ClickHouse writes as `nan`/`null`).
    Float(Option<f64>),
    /// Seconds since the epoch.
    Time(i64),
}

impl Value {
    /// The text, or `""`.
    pub fn text(&self) -> &str {
        match self {
            Value::Text(text) => text,
            _ => "",
        }
    }

    /// The number as a float (counts and times too); `NaN` for text or a missing float.
    pub fn number(&self) -> f64 {
        match self {
            Value::UInt(n) => *n as f64,
            Value::Float(Some(x)) => *x,
            Value::Time(t) => *t as f64,
            Value::Text(_) | Value::Float(None) => f64::NAN,
        }
    }

    /// The count, or 0.
    pub fn count(&self) -> u64 {
        match self {
            Value::UInt(n) => *n,
            _ => 0,
        }
    }

    /// The ordering used by `ORDER BY`: text byte-wise, numbers numerically (a missing float
    /// first).
    pub fn compare(&self, other: &Value) -> Ordering {
        match (self, other) {
            (Value::Text(a), Value::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Value::UInt(a), Value::UInt(b)) => a.cmp(b),
            (Value::Time(a), Value::Time(b)) => a.cmp(b),
            (Value::Float(a), Value::Float(b)) => match (a, b) {
                (Some(a), Some(b)) => a.total_cmp(b),
                (a, b) => a.is_some().cmp(&b.is_some()),
            },
            _ => Ordering::Equal,
        }
    }

    /// Reads a JSON cell of type `ty` as ClickHouse writes it: 64-bit integers may be quoted,
    /// a `DateTime` is `"YYYY-MM-DD hh:mm:ss"`, a float may be `null` or `"nan"`.
    pub fn from_json(ty: ValueType, json: &serde_json::Value) -> Option<Value> {
        use serde_json::Value as J;
        match (ty, json) {
            (ValueType::Text, J::String(s)) => Some(Value::Text(s.clone())),
            (ValueType::UInt, J::Number(n)) => n
                .as_u64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|x| x.fract() == 0.0 && *x >= 0.0)
                        .map(|x| x as u64)
                })
                .map(Value::UInt),
            (ValueType::UInt, J::String(s)) => s.parse().ok().map(Value::UInt),
            (ValueType::Float, J::Number(n)) => Some(Value::Float(n.as_f64())),
            (ValueType::Float, J::Null) => Some(Value::Float(None)),
            (ValueType::Float, J::String(s)) => match s.as_str() {
                "nan" | "-nan" => Some(Value::Float(None)),
                "inf" | "+inf" => Some(Value::Float(Some(f64::INFINITY))),
                "-inf" => Some(Value::Float(Some(f64::NEG_INFINITY))),
                s => s.parse().ok().map(|x| Value::Float(Some(x))),
            },
            (ValueType::Time, J::String(s)) => parse_datetime(s)
                .or_else(|| s.parse().ok())
                .map(Value::Time),
            (ValueType::Time, J::Number(n)) => n.as_i64().map(Value::Time),
            _ => None,
        }
    }
}

/// A plan's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Column names, as the plan's [`Plan::columns`].
    pub columns: Vec<&'static str>,
    /// Rows, in the plan's order.
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    /// An empty answer to `plan`.
    pub fn empty(plan: &Plan) -> Self {
        Self {
            columns: plan.columns().into_iter().map(|(name, _)| name).collect(),
            rows: Vec::new(),
        }
    }

    /// Reads JSON objects keyed by column name (the SQL API's `data`, ClickHouse's
    /// `JSONEachRow`) as the answer to `plan`.
    pub fn from_json_rows<'a>(
        plan: &Plan,
        rows: impl IntoIterator<Item = &'a serde_json::Map<String, serde_json::Value>>,
    ) -> Result<Self, QueryError> {
        let columns = plan.columns();
        let mut table = Table::empty(plan);
        for row in rows {
            let mut out = Vec::with_capacity(columns.len());
            for (name, ty) in &columns {
                let cell = row.get(*name).ok_or_else(|| QueryError::Shape {
                    detail: format!("a row has no column `{name}`"),
                })?;
                out.push(
                    Value::from_json(*ty, cell).ok_or_else(|| QueryError::Shape {
                        detail: format!("column `{name}` holds {cell}, not a {ty:?}"),
                    })?,
                );
            }
            table.rows.push(out);
        }
        Ok(table)
    }

    /// The index of column `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| *c == name)
    }
}

/// An output column of a plan: its alias, named once, with the type its values are read as.
/// A question names each column with one constant and uses it both to build its plans and
/// to read their tables, so a misspelt name cannot read as zero.
pub(crate) struct Col<T> {
    name: &'static str,
    read: std::marker::PhantomData<fn() -> T>,
}

impl<T> Clone for Col<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Col<T> {}

impl<T> Col<T> {
    /// The column aliased `name`.
    pub(crate) const fn new(name: &'static str) -> Self {
        Self {
            name,
            read: std::marker::PhantomData,
        }
    }

    /// Its alias.
    pub(crate) const fn name(self) -> &'static str {
        self.name
    }

    /// The column as a row-listing plan's `(alias, what)`.
    pub(crate) const fn is(self, what: crate::plan::RowCol) -> (&'static str, crate::plan::RowCol) {
        (self.name, what)
    }
}

/// How a cell is read as a column's type; a missing cell reads as the type's empty value.
pub(crate) trait ReadCell: Sized {
    fn read(value: Option<&Value>) -> Self;
}

impl ReadCell for String {
    fn read(value: Option<&Value>) -> Self {
        value.map(|v| v.text().to_owned()).unwrap_or_default()
    }
}

impl ReadCell for u64 {
    fn read(value: Option<&Value>) -> Self {
        value.map(Value::count).unwrap_or(0)
    }
}

impl ReadCell for f64 {
    fn read(value: Option<&Value>) -> Self {
        value.map(Value::number).unwrap_or(f64::NAN)
    }
}

/// A time bucket or timestamp, Unix seconds.
impl ReadCell for i64 {
    fn read(value: Option<&Value>) -> Self {
        match value {
            Some(Value::Time(t)) => *t,
            _ => 0,
        }
    }
}

/// A row of a table, read by column handle.
pub(crate) struct RowView<'a> {
    pub(crate) table: &'a Table,
    pub(crate) row: &'a [Value],
}

impl RowView<'_> {
    /// The cell of `col`, read as its type.
    pub(crate) fn get<T: ReadCell>(&self, col: Col<T>) -> T {
        T::read(self.table.column(col.name()).and_then(|i| self.row.get(i)))
    }
}

impl Table {
    pub(crate) fn views(&self) -> impl Iterator<Item = RowView<'_>> {
        self.rows
            .iter()
            .map(move |row| RowView { table: self, row })
    }
}
