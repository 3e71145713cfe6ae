//! The local store's copy of the Registry's platform records ([`crate::registry`]).

use crate::registry::{RegistryFile, REGISTRY_FILE};
use std::io::{self, Write};
use std::path::Path;

/// Writes `file` to `{root}/registry/platforms.json`, replacing it atomically (a reader sees
/// the old file or the new one, never half of one).
///
/// ```
/// use nno_obs_store::fs::{read_registry, write_registry};
/// use nno_obs_store::registry::{RegistryFile, RegistryPlatform};
///
/// let dir = tempfile::tempdir().unwrap();
/// let file = RegistryFile { platforms: vec![RegistryPlatform {
///     platform_id: "k3m9p2xw7q".into(), name: "AcmeCorp".into(), daily_invocation_limit: Some(1000),
/// }]};
/// write_registry(dir.path(), &file).unwrap();
/// assert_eq!(read_registry(dir.path()).unwrap(), file);
/// ```
pub fn write_registry(root: &Path, file: &RegistryFile) -> io::Result<()> {
    let path = root.join(REGISTRY_FILE);
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let temporary = path.with_extension("json.tmp");
    let mut out = std::fs::File::create(&temporary)?;
    serde_json::to_writer_pretty(&mut out, file)?;
    out.write_all(b"\n")?;
    out.sync_all()?;
    std::fs::rename(&temporary, &path)
}

/// Reads `{root}/registry/platforms.json`; a store without one has no platform records (an
/// empty file), a damaged one is an error naming the file.
pub fn read_registry(root: &Path) -> io::Result<RegistryFile> {
    let path = root.join(REGISTRY_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|error| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {error}", path.display()),
            )
        }),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(RegistryFile::default()),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_empty_and_a_damaged_one_names_itself() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_registry(dir.path()).unwrap(), RegistryFile::default());
        std::fs::create_dir_all(dir.path().join("registry")).unwrap();
        std::fs::write(dir.path().join(REGISTRY_FILE), b"{\"platforms\": [").unwrap();
        let error = read_registry(dir.path()).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(error.to_string().contains("platforms.json"), "{error}");
    }
}
