//! The local store's check: whoever can read a store's folder reads everything in it.
//!
//! The CLI (`nno-obs logs search`, `query`, `trace`, `alerts check`, …) reads the store's
//! files directly, as the person at the terminal could with `zcat`; the operating system's
//! permissions on the folder are the check, so the scope is the operator's. A platform
//! admin's view of a local store is the operator's narrowed ([`OperatorScope::platform`]).

use crate::scope::OperatorScope;
use std::io;
use std::path::Path;

/// The operator's scope over the store at `store`: granted when this process can list the
/// folder (its files are then this reader's to read anyway); the I/O error otherwise.
///
/// ```
/// let store = tempfile::tempdir().unwrap();
/// assert!(nno_obs_access::local::operator(store.path()).is_ok());
/// assert!(nno_obs_access::local::operator(&store.path().join("missing")).is_err());
/// ```
pub fn operator(store: &Path) -> io::Result<OperatorScope> {
    std::fs::read_dir(store)?;
    Ok(OperatorScope::checked())
}

/// The operator's scope over explicit files (`nno-obs logs search FILE…`): granted when every
/// one can be opened for reading.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let file = dir.path().join("a.json");
/// std::fs::write(&file, b"{}").unwrap();
/// assert!(nno_obs_access::local::operator_of_files(&[file.clone()]).is_ok());
/// assert!(nno_obs_access::local::operator_of_files(&[dir.path().join("nope")]).is_err());
/// ```
pub fn operator_of_files<P: AsRef<Path>>(paths: &[P]) -> io::Result<OperatorScope> {
    for path in paths {
        let path = path.as_ref();
        if path.is_dir() {
            std::fs::read_dir(path)?;
        } else {
            std::fs::File::open(path)?;
        }
    }
    Ok(OperatorScope::checked())
}
