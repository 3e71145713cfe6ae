//! Where the alert state lives, as a seam: [`StateStore`] loads and saves the whole
//! [`State`] (natively a file, in a Worker a KV key), and [`Lease`] keeps a second run from
//! delivering while one is at it. Both are async so a Worker's KV fits; nothing here does I/O.

use crate::outbox::{State, VERSION};
use std::fmt;
use std::future::Future;
use std::io;

/// Why the state could not be read or written.
#[derive(Debug)]
pub enum StoreError {
    /// The file could not be read or written.
    Io(io::Error),
    /// The stored state is not one this version understands. It is left in place: starting
    /// from nothing would forget every firing alert (no resolve would ever go out) and
    /// every queued notification.
    Corrupt(String),
    /// The store did not answer (a KV call failed); the text says why.
    Unavailable(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Io(e) => write!(f, "cannot read the alert state: {e}"),
            StoreError::Corrupt(e) => write!(
                f,
                "the alert state file is damaged ({e}); fix or move it away to start afresh"
            ),
            StoreError::Unavailable(e) => write!(f, "the alert state store failed: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// Parses a stored state, refusing one written by a newer version (its fields would be
/// dropped on the next save).
///
/// ```
/// use nno_obs_alerts::persist::{decode, StoreError};
///
/// assert_eq!(decode(br#"{"version":1,"book":{"alerts":{},"episodes":0},"outbox":[]}"#).unwrap().version, 1);
/// assert!(matches!(decode(b"{\"version\":1,\"book\":"), Err(StoreError::Corrupt(_))));
/// assert!(matches!(decode(br#"{"version":99,"book":{"alerts":{},"episodes":0},"outbox":[]}"#), Err(StoreError::Corrupt(_))));
/// ```
pub fn decode(bytes: &[u8]) -> Result<State, StoreError> {
    let state: State =
        serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if state.version > VERSION {
        return Err(StoreError::Corrupt(format!(
            "version {} is newer than {VERSION}",
            state.version
        )));
    }
    Ok(state)
}

/// Loads and saves the whole alert state. `save` must replace it whole (never half of one):
/// the run saves the outbox *before* sending and after every entry.
pub trait StateStore {
    /// The state, or the empty one when none is stored yet.
    fn load(&self) -> impl Future<Output = Result<State, StoreError>>;
    /// Replaces the stored state.
    fn save(&self, state: &State) -> impl Future<Output = Result<(), StoreError>>;
}

/// Mutual exclusion of runs, best effort where the store has no compare-and-swap (see
/// [`crate::kv`] for what holds over Workers KV).
pub trait Lease {
    /// Takes the lease for `holder` from `now_ms` for `ttl_ms`; `Ok(false)` when another
    /// holder has it and it has not expired at `now_ms`.
    fn acquire(
        &self,
        holder: &str,
        now_ms: u64,
        ttl_ms: u64,
    ) -> impl Future<Output = Result<bool, StoreError>>;
    /// Gives it back, if `holder` still has it.
    fn release(&self, holder: &str) -> impl Future<Output = Result<(), StoreError>>;
}

/// No lease: for a store only one process uses at a time (the CLI's state file, run by one
/// cron job or by hand).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoLease;

impl Lease for NoLease {
    async fn acquire(&self, _holder: &str, _now_ms: u64, _ttl_ms: u64) -> Result<bool, StoreError> {
        Ok(true)
    }

    async fn release(&self, _holder: &str) -> Result<(), StoreError> {
        Ok(())
    }
}
