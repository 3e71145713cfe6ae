//! Log levels: the seed's four, no more (`fatal` does not exist in NNO).

use std::fmt;
use std::str::FromStr;

/// The level of a log line, written as the `level` key.
///
/// ```
/// use nno_obs::LogLevel;
///
/// assert_eq!(LogLevel::Warn.as_str(), "warn");
/// assert_eq!("debug".parse::<LogLevel>(), Ok(LogLevel::Debug));
/// assert!("fatal".parse::<LogLevel>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LogLevel {
    /// Fine detail, off in most dashboards.
    Debug,
    /// Normal operation.
    Info,
    /// Something unexpected that the program handled.
    Warn,
    /// A failure; the only level written to stderr (`console.error`).
    Error,
}

impl LogLevel {
    /// Every level, in the order of the seed's `LogLevel` type.
    pub const ALL: [LogLevel; 4] = [
        LogLevel::Info,
        LogLevel::Warn,
        LogLevel::Error,
        LogLevel::Debug,
    ];

    /// The wire name: `info`, `warn`, `error` or `debug`.
    pub const fn as_str(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        }
    }

    /// Whether lines of this level go to stderr (`console.error`) rather than stdout.
    pub const fn is_stderr(self) -> bool {
        matches!(self, LogLevel::Error)
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Adds `info`, `warn`, `error` and `debug` methods that call the type's own
/// `log(level, message, fields)`: the seed's four-method logger surface, written once for
/// [`Logger`](crate::Logger) and [`Obs`](crate::Obs).
macro_rules! level_methods {
    () => {
        /// Writes an `info` line (stdout, `console.log`).
        pub fn info(&self, message: &str, fields: &[$crate::Field<'_>]) {
            self.log($crate::LogLevel::Info, message, fields);
        }

        /// Writes a `warn` line (stdout, `console.log`).
        pub fn warn(&self, message: &str, fields: &[$crate::Field<'_>]) {
            self.log($crate::LogLevel::Warn, message, fields);
        }

        /// Writes an `error` line (stderr, `console.error`).
        pub fn error(&self, message: &str, fields: &[$crate::Field<'_>]) {
            self.log($crate::LogLevel::Error, message, fields);
        }

        /// Writes a `debug` line (stdout, `console.log`).
        pub fn debug(&self, message: &str, fields: &[$crate::Field<'_>]) {
            self.log($crate::LogLevel::Debug, message, fields);
        }
    };
}
pub(crate) use level_methods;

/// The error of parsing a level name that is not one of the four.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownLevel;

impl fmt::Display for UnknownLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown log level: expected one of info, warn, error, debug")
    }
}

impl std::error::Error for UnknownLevel {}

impl FromStr for LogLevel {
    type Err = UnknownLevel;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        LogLevel::ALL
            .into_iter()
            .find(|level| level.as_str() == name)
            .ok_or(UnknownLevel)
    }
}
