//! String literals: the one way a value reaches SQL, by the rule of
//! [`nno_obs_store::sql_literal`] (shared with the log search's SQL).

use crate::error::QueryError;
use nno_obs_store::sql_literal;

pub use nno_obs_store::sql_literal::MAX_LITERAL_BYTES;

/// A checked value that renders as a SQL string literal.
///
/// ```
/// use nno_obs_query::Literal;
///
/// assert_eq!(Literal::new("it's a \\ test").unwrap().sql(), r"'it\'s a \\ test'");
/// assert_eq!(Literal::new("naïve — ok").unwrap().sql(), "'naïve — ok'");
/// assert!(Literal::new("a\0b").is_err());
/// assert!(Literal::new(&"x".repeat(10 * 1024)).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Literal(String);

impl Literal {
    /// Checks `value`: at most [`MAX_LITERAL_BYTES`], no control character.
    pub fn new(value: &str) -> Result<Self, QueryError> {
        sql_literal::check(value).map_err(|error| QueryError::InvalidValue {
            detail: error.to_string(),
        })?;
        Ok(Self(value.to_owned()))
    }

    /// A literal the crate itself spells: a fixed vocabulary word of the datasets (`registry`,
    /// `run-job`, …), with no quote, backslash or control character, so nothing to check.
    pub(crate) fn fixed(value: &'static str) -> Self {
        Self(value.to_owned())
    }

    /// The value.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value as a SQL string literal.
    pub fn sql(&self) -> String {
        sql_literal::escape(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_rejections() {
        assert_eq!(Literal::new("").unwrap().sql(), "''");
        assert_eq!(
            Literal::new("'; DROP TABLE x; --").unwrap().sql(),
            r"'\'; DROP TABLE x; --'"
        );
        assert_eq!(Literal::new(r"\'").unwrap().sql(), r"'\\\''");
        for bad in ["\0", "a\nb", "\r", "\u{7f}", "\u{85}"] {
            assert!(Literal::new(bad).is_err(), "{bad:?}");
        }
        assert!(Literal::new(&"é".repeat(MAX_LITERAL_BYTES / 2)).is_ok());
        assert!(Literal::new(&"é".repeat(MAX_LITERAL_BYTES / 2 + 1)).is_err());
    }
}
