//! The one rule by which a value becomes a SQL string literal, for every query nno-obs writes
//! (Analytics Engine SQL, ClickHouse log search).
//!
//! A literal is `'…'` with `\` written `\\` and `'` written `\'` (the escapes ClickHouse and
//! Analytics Engine share); everything else is passed as is, UTF-8 included. Values that have
//! no business in a query are **refused**, not escaped, so no engine's reading of an unusual
//! escape can matter: control characters (NUL, newlines, tabs, …) and values longer than
//! [`MAX_LITERAL_BYTES`].

use std::fmt;

/// The longest value accepted in a literal: the longest parameter value the read API takes,
/// and longer than any path, id or search text a person types.
pub const MAX_LITERAL_BYTES: usize = 4096;

/// Why a value cannot be a literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiteralError {
    /// Longer than [`MAX_LITERAL_BYTES`].
    TooLong,
    /// Holds a control character.
    ControlCharacter,
}

impl fmt::Display for LiteralError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LiteralError::TooLong => write!(f, "a value is longer than {MAX_LITERAL_BYTES} bytes"),
            LiteralError::ControlCharacter => f.write_str("a value contains a control character"),
        }
    }
}

impl std::error::Error for LiteralError {}

/// Checks that `value` may become a literal.
///
/// ```
/// use nno_obs_store::sql_literal::{check, LiteralError};
///
/// assert_eq!(check("naïve — ok"), Ok(()));
/// assert_eq!(check("a\nb"), Err(LiteralError::ControlCharacter));
/// ```
pub fn check(value: &str) -> Result<(), LiteralError> {
    if value.len() > MAX_LITERAL_BYTES {
        return Err(LiteralError::TooLong);
    }
    if value.chars().any(char::is_control) {
        return Err(LiteralError::ControlCharacter);
    }
    Ok(())
}

/// `value` as a SQL string literal, or why it cannot be one.
///
/// ```
/// use nno_obs_store::sql_literal::quote;
///
/// assert_eq!(quote("it's a \\ test").unwrap(), r"'it\'s a \\ test'");
/// assert!(quote("a\0b").is_err());
/// ```
pub fn quote(value: &str) -> Result<String, LiteralError> {
    check(value)?;
    Ok(escape(value))
}

/// The literal of a value already [`check`]ed (or spelled in code): escapes only.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_refusals() {
        assert_eq!(quote("").unwrap(), "''");
        assert_eq!(
            quote("'; DROP TABLE x; --").unwrap(),
            r"'\'; DROP TABLE x; --'"
        );
        assert_eq!(quote(r"\'").unwrap(), r"'\\\''");
        for bad in ["\0", "a\nb", "\r", "\t", "\u{7f}", "\u{85}"] {
            assert_eq!(quote(bad), Err(LiteralError::ControlCharacter), "{bad:?}");
        }
        // The bound is in bytes: 2 048 two-byte characters fit, one more does not.
        assert!(quote(&"é".repeat(MAX_LITERAL_BYTES / 2)).is_ok());
        assert_eq!(
            quote(&"é".repeat(MAX_LITERAL_BYTES / 2 + 1)),
            Err(LiteralError::TooLong)
        );
    }
}
