//! What can go wrong between a question and its answer.

use std::fmt;

/// Why a query could not be built, run or read.
#[derive(Clone, Debug, PartialEq)]
pub enum QueryError {
    /// A value that cannot be put in a query (see [`crate::Literal`]), or a bad range.
    InvalidValue {
        /// Which and why.
        detail: String,
    },
    /// The engine failed (the local store could not be read, the SQL API refused).
    Engine {
        /// What happened (never a credential).
        detail: String,
    },
    /// The engine answered rows that do not have the query's columns.
    Shape {
        /// What did not fit.
        detail: String,
    },
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::InvalidValue { detail } => write!(f, "invalid query: {detail}"),
            QueryError::Engine { detail } => write!(f, "query failed: {detail}"),
            QueryError::Shape { detail } => write!(f, "unexpected answer: {detail}"),
        }
    }
}

impl std::error::Error for QueryError {}
