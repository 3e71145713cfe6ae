//! Entry levels, ordered for `--level` (a minimum): debug < info < warn < error.

use std::fmt;
use std::str::FromStr;

/// The level of an entry.
///
/// ```
/// use nno_obs_logs::Level;
///
/// assert!(Level::Debug < Level::Info && Level::Warn < Level::Error);
/// assert_eq!(Level::from_console(Some("log")), Level::Info);
/// assert_eq!("warn".parse::<Level>(), Ok(Level::Warn));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// `debug`.
    Debug,
    /// `info` (and `console.log`).
    Info,
    /// `warn`.
    Warn,
    /// `error`.
    Error,
}

impl Level {
    /// The name: `debug`, `info`, `warn`, `error`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }

    /// The level of a message that is not our line, from the Log's `Level` (the console
    /// method): `debug`; `info` or `log`; `warn`; `error`. A missing or unknown method is `info`,
    /// which is what `console.log` output is.
    pub fn from_console(method: Option<&str>) -> Self {
        match method {
            Some("debug") => Level::Debug,
            Some("warn") => Level::Warn,
            Some("error") => Level::Error,
            _ => Level::Info,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A level name that is not one of the four.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownLevel(pub String);

impl fmt::Display for UnknownLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown level {:?}: expected debug, info, warn or error",
            self.0
        )
    }
}

impl std::error::Error for UnknownLevel {}

impl FromStr for Level {
    type Err = UnknownLevel;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "debug" => Ok(Level::Debug),
            "info" => Ok(Level::Info),
            "warn" => Ok(Level::Warn),
            "error" => Ok(Level::Error),
            other => Err(UnknownLevel(other.to_owned())),
        }
    }
}
