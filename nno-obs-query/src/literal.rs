//! String literals: the one way a value reaches SQL.
//!
//! A literal is `'…'` with `\` written `\\` and `'` written `\'` (ClickHouse's and Analytics
//! Engine's escapes). Everything else is passed as is, UTF-8 included. Values that have no
//! business in a filter are **rejected**, not escaped, so no engine's reading of an unusual
//! escape can matter: control characters (NUL, newlines, …) and values longer than
//! [`MAX_LITERAL_BYTES`].

use crate::error::QueryError;

/// The longest value accepted in a literal (feature ids, endpoints and trace ids are far
/// shorter; a longer value is a mistake or an attack).
pub const MAX_LITERAL_BYTES: usize = 1024;

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
        if value.len() > MAX_LITERAL_BYTES {
            return Err(QueryError::InvalidValue {
                detail: format!("a value is longer than {MAX_LITERAL_BYTES} bytes"),
            });
        }
        if value.chars().any(char::is_control) {
            return Err(QueryError::InvalidValue {
                detail: "a value contains a control character".to_owned(),
            });
        }
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
        let mut out = String::with_capacity(self.0.len() + 2);
        out.push('\'');
        for c in self.0.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                c => out.push(c),
            }
        }
        out.push('\'');
        out
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
        assert!(Literal::new(&"é".repeat(512)).is_ok());
        assert!(Literal::new(&"é".repeat(513)).is_err());
    }
}
