//! The order of results and the opaque cursor of the next page.

use crate::query::LogQuery;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// Where an entry sorts: by time (entries without a time first), then file, line and entry
/// position: a total, stable order, so pages never repeat or skip an entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortKey {
    /// Entry time.
    #[serde(rename = "t")]
    pub time_ms: Option<u64>,
    /// The file's key (its path relative to the store, or as given).
    #[serde(rename = "f")]
    pub file: String,
    /// Line number in the file (0-based).
    #[serde(rename = "l")]
    pub line: u64,
    /// Entry number in the record (0-based).
    #[serde(rename = "e")]
    pub entry: u32,
}

impl Ord for SortKey {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.time_ms, &self.file, self.line, self.entry).cmp(&(
            other.time_ms,
            &other.file,
            other.line,
            other.entry,
        ))
    }
}

impl PartialOrd for SortKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Why a cursor was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CursorError {
    /// Not a cursor this tool wrote.
    Malformed,
    /// A cursor of another query or scope.
    OtherQuery,
}

impl fmt::Display for CursorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CursorError::Malformed => f.write_str("not a cursor written by nno-obs logs search"),
            CursorError::OtherQuery => {
                f.write_str("the cursor belongs to another query; repeat the same filters")
            }
        }
    }
}

impl std::error::Error for CursorError {}

#[derive(Serialize, Deserialize)]
struct CursorBody {
    #[serde(rename = "q")]
    query: String,
    #[serde(rename = "k")]
    after: SortKey,
}

/// The position after which the next page starts, bound to its query and scope.
///
/// The text is hex-encoded JSON: opaque to users, and only ever compared with sort keys —
/// never used to open a file, so a forged cursor cannot reach anything.
///
/// ```
/// use nno_obs_logs::cursor::{Cursor, SortKey};
/// use nno_obs_logs::LogQuery;
///
/// let query = LogQuery::default();
/// let key = SortKey { time_ms: Some(5), file: "a.json.gz".into(), line: 3, entry: 0 };
/// let text = Cursor::new(&query, "operator", key.clone()).to_string();
/// assert_eq!(Cursor::parse(&text, &query, "operator").unwrap().after(), &key);
/// assert!(Cursor::parse(&text, &query, "platform:k3m9p2xw7q").is_err());
/// assert!(Cursor::parse("../../etc/passwd", &query, "operator").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    fingerprint: String,
    after: SortKey,
}

impl Cursor {
    /// The cursor after `after` for `query` in `scope`.
    pub fn new(query: &LogQuery, scope: &str, after: SortKey) -> Self {
        Self {
            fingerprint: fingerprint(query, scope),
            after,
        }
    }

    /// Reads a cursor and checks it belongs to `query` in `scope`.
    pub fn parse(text: &str, query: &LogQuery, scope: &str) -> Result<Self, CursorError> {
        let bytes = from_hex(text).ok_or(CursorError::Malformed)?;
        let body: CursorBody =
            serde_json::from_slice(&bytes).map_err(|_| CursorError::Malformed)?;
        if body.query != fingerprint(query, scope) {
            return Err(CursorError::OtherQuery);
        }
        Ok(Self {
            fingerprint: body.query,
            after: body.after,
        })
    }

    /// The last entry of the previous page.
    pub fn after(&self) -> &SortKey {
        &self.after
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = CursorBody {
            query: self.fingerprint.clone(),
            after: self.after.clone(),
        };
        let json = serde_json::to_vec(&body).map_err(|_| fmt::Error)?;
        for byte in json {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

/// FNV-1a of the query's and scope's description: equal for equal queries.
fn fingerprint(query: &LogQuery, scope: &str) -> String {
    let text = format!("{query:?}|{scope}");
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || text.len() > 1 << 16 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok())
        .collect()
}
