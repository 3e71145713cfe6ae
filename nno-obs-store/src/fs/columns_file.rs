//! The columnar sidecar on disk (see [`crate::columns`]): written when a points file rotates,
//! and loaded — or rebuilt from the `.json.gz` and rewritten — by readers.

use crate::columns::{ColumnsBuilder, PointColumns, SourceStamp};
use crate::layout::COLUMNS_SUFFIX;
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// Where a reader's columns came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnsOrigin {
    /// A valid sidecar that matches its `.json.gz`.
    Sidecar,
    /// Built from the `.json.gz` (no sidecar, or a stale, damaged or other-version one);
    /// `written` says whether the new sidecar could be stored for the next reader.
    Built {
        /// The new sidecar was stored.
        written: bool,
    },
    /// Built earlier by this process, which could not store it (a read-only store), and kept in
    /// memory so that it is not rebuilt on every query.
    Memory,
}

/// The most bytes of sidecars kept in memory for files whose sidecar could not be stored.
pub const MAX_KEPT_BYTES: usize = 256 << 20;

/// Sidecars this process built but could not store, by the path of their `.json.gz`.
#[derive(Default)]
struct Kept {
    sidecars: HashMap<PathBuf, Vec<u8>>,
    bytes: usize,
}

fn kept() -> MutexGuard<'static, Kept> {
    static KEPT: OnceLock<Mutex<Kept>> = OnceLock::new();
    KEPT.get_or_init(Mutex::default)
        .lock()
        // A panic while holding the lock leaves a whole map behind.
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Copies the kept sidecar of `closed` into `buffer` if there is one built from `stamp`.
fn load_kept(closed: &Path, stamp: SourceStamp, buffer: &mut Vec<u8>) -> bool {
    let kept = kept();
    let Some(bytes) = kept.sidecars.get(closed) else {
        return false;
    };
    if PointColumns::parse(bytes).map(|c| c.stamp()) != Ok(stamp) {
        return false;
    }
    buffer.clear();
    buffer.extend_from_slice(bytes);
    true
}

/// Keeps `bytes` as the sidecar of `closed`, unless that would pass [`MAX_KEPT_BYTES`].
fn keep(closed: &Path, bytes: &[u8]) {
    let mut kept = kept();
    let replaced = kept.sidecars.get(closed).map_or(0, Vec::len);
    let total = kept.bytes - replaced + bytes.len();
    if total <= MAX_KEPT_BYTES {
        kept.bytes = total;
        kept.sidecars.insert(closed.to_path_buf(), bytes.to_vec());
    }
}

/// The sidecar path of the closed points file `closed`: `{closed}.cols`, in the same folder
/// (a suffix on the file name; it cannot name another folder).
///
/// ```
/// use std::path::Path;
/// let path = nno_obs_store::fs::columns_path(Path::new("s/2026-02-22/10/points-u.json.gz"));
/// assert_eq!(path, Path::new("s/2026-02-22/10/points-u.json.gz.cols"));
/// ```
pub fn columns_path(closed: &Path) -> PathBuf {
    with_suffix(closed, COLUMNS_SUFFIX)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The stamp of an open `.json.gz`: its size and last 8 bytes.
fn stamp_of(file: &mut File) -> io::Result<SourceStamp> {
    let bytes = file.metadata()?.len();
    let mut trailer = [0; 8];
    if bytes >= 8 {
        file.seek(SeekFrom::End(-8))?;
        file.read_exact(&mut trailer)?;
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(SourceStamp { bytes, trailer })
}

/// Calls `visit` with the columns of the closed points file `closed` (a `.json.gz`), and
/// says where they came from.
///
/// A sidecar is used only if it is a regular file (not a link), parses (magic, version, CRC,
/// lengths) and was built from this very `.json.gz` (its size and last 8 bytes). Otherwise the
/// columns are built from the `.json.gz` — the source of truth — and stored as a new sidecar
/// (temporary file, then rename, which replaces a link rather than writing through it); a
/// store that cannot be written to still answers, and the columns built are kept in memory
/// for the rest of the process (up to [`MAX_KEPT_BYTES`]) so they are not rebuilt on every
/// query. `buffer` holds the sidecar bytes (reused
/// between calls: one file's columns in memory at a time).
///
/// ```
/// use nno_obs_store::fs::{columns_path, with_columns, ColumnsOrigin, LocalStore};
/// use nno_obs_store::layout::DatasetName;
///
/// let dir = tempfile::tempdir().unwrap();
/// let store = LocalStore::open(dir.path()).unwrap();
/// let dataset = DatasetName::parse("nno-core-ops").unwrap();
/// let point = nno_obs::DataPoint::new().blob("registry").double(1.0);
/// store.append_point(&dataset, 1_771_756_440_123, &point).unwrap();
/// store.close().unwrap(); // rotates: `.json.gz`, `.idx` and `.cols`
///
/// let folder = dir.path().join("analytics-engine/nno-core-ops/2026-02-22/10");
/// let closed = std::fs::read_dir(&folder).unwrap()
///     .map(|e| e.unwrap().path())
///     .find(|p| p.to_string_lossy().ends_with(".json.gz"))
///     .unwrap();
/// let mut buffer = Vec::new();
/// let (rows, origin) = with_columns(&closed, &mut buffer, |c| c.rows()).unwrap();
/// assert_eq!((rows, origin), (1, ColumnsOrigin::Sidecar));
///
/// std::fs::write(columns_path(&closed), b"damaged").unwrap();
/// let (blob, origin) = with_columns(&closed, &mut buffer, |c| c.text(1).value(0).to_owned()).unwrap();
/// assert_eq!((blob.as_str(), origin), ("registry", ColumnsOrigin::Built { written: true }));
/// ```
pub fn with_columns<R>(
    closed: &Path,
    buffer: &mut Vec<u8>,
    visit: impl FnOnce(&PointColumns<'_>) -> R,
) -> io::Result<(R, ColumnsOrigin)> {
    let mut source = File::open(closed)?;
    let stamp = stamp_of(&mut source)?;
    let sidecar = columns_path(closed);
    if read_regular(&sidecar, buffer)? {
        if let Ok(columns) = PointColumns::parse(buffer) {
            if columns.stamp() == stamp {
                return Ok((visit(&columns), ColumnsOrigin::Sidecar));
            }
        }
    }
    if load_kept(closed, stamp, buffer) {
        if let Ok(columns) = PointColumns::parse(buffer) {
            return Ok((visit(&columns), ColumnsOrigin::Memory));
        }
    }
    let mut builder = ColumnsBuilder::default();
    let skipped =
        crate::line::for_each_row(flate2::read::MultiGzDecoder::new(source), &mut |row| {
            builder.push(row)
        })?;
    builder.add_skipped(skipped);
    *buffer = builder.encode(stamp);
    drop(builder);
    let written = write_atomically(&sidecar, buffer).is_ok();
    if !written {
        keep(closed, buffer);
    }
    let columns = PointColumns::parse(buffer).map_err(io::Error::other)?;
    Ok((visit(&columns), ColumnsOrigin::Built { written }))
}

/// Reads `path` into `buffer` if it is a regular file; `false` if it does not exist or is
/// anything else (a link is never followed).
fn read_regular(path: &Path, buffer: &mut Vec<u8>) -> io::Result<bool> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_file() => {}
        Ok(_) => return Ok(false),
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(error),
    }
    buffer.clear();
    match File::open(path) {
        Ok(mut file) => {
            file.read_to_end(buffer)?;
            Ok(true)
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(error),
    }
}

/// Writes `bytes` to `path` by a new temporary file in the same folder and a rename: a reader
/// sees the old sidecar, none, or the whole new one. Not synced: a sidecar lost or torn by a
/// crash fails its checks and is rebuilt.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temporary = with_suffix(path, &format!(".tmp-{}", uuid::Uuid::new_v4().simple()));
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)
        .and_then(|mut file| file.write_all(bytes))
        .and_then(|()| fs::rename(&temporary, path));
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written
}

/// Writes the sidecar of `closed` (a `.json.gz` just renamed into place) from the plain file
/// it was compressed from: the rotation's share of the work, so readers find it ready.
pub(super) fn write_for_rotation(closed: &Path, plain: &Path) -> io::Result<()> {
    let stamp = stamp_of(&mut File::open(closed)?)?;
    let mut builder = ColumnsBuilder::default();
    let skipped = crate::line::for_each_row(File::open(plain)?, &mut |row| builder.push(row))?;
    builder.add_skipped(skipped);
    write_atomically(&columns_path(closed), &builder.encode(stamp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::LocalStore;
    use crate::layout::DatasetName;

    fn store_with_points(dir: &Path) -> PathBuf {
        let store = LocalStore::open(dir).unwrap();
        let dataset = DatasetName::parse("k3m9p2xw7q-perf").unwrap();
        for (i, blob) in ["analytics", "réports 😀", ""].iter().enumerate() {
            let point = nno_obs::DataPoint::new()
                .blob(blob)
                .blob("GET /x")
                .double(1.0)
                .double(i as f64 * 1.5)
                .index(blob);
            store
                .append_point(&dataset, 1_771_756_440_123 + i as u64, &point)
                .unwrap();
        }
        store.close().unwrap();
        let folder = dir.join("analytics-engine/k3m9p2xw7q-perf/2026-02-22/10");
        fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with(".json.gz"))
            .unwrap()
    }

    fn blobs(closed: &Path) -> (Vec<String>, ColumnsOrigin) {
        let mut buffer = Vec::new();
        with_columns(closed, &mut buffer, |c| {
            (0..c.rows())
                .map(|i| {
                    format!(
                        "{}|{}|{}",
                        c.text(1).value(i),
                        c.double(2).get(i),
                        c.timestamp(i)
                    )
                })
                .collect()
        })
        .unwrap()
    }

    #[test]
    fn rotation_writes_it_and_damage_rebuilds_it() {
        let dir = tempfile::tempdir().unwrap();
        let closed = store_with_points(dir.path());
        let (expected, origin) = blobs(&closed);
        assert_eq!(origin, ColumnsOrigin::Sidecar);
        assert_eq!(
            expected,
            [
                "analytics|0|1771756440",
                "réports 😀|1.5|1771756440",
                "|3|1771756440"
            ]
        );
        let sidecar = columns_path(&closed);
        let good = fs::read(&sidecar).unwrap();
        let damages: Vec<Vec<u8>> = vec![
            Vec::new(),
            good[..good.len() / 2].to_vec(),
            {
                let mut flipped = good.clone();
                let last = flipped.len() - 1;
                flipped[last] ^= 1;
                flipped
            },
            {
                let mut version = good.clone();
                version[7] = 9;
                version
            },
        ];
        for damaged in damages {
            fs::write(&sidecar, &damaged).unwrap();
            assert_eq!(
                blobs(&closed),
                (expected.clone(), ColumnsOrigin::Built { written: true })
            );
            assert_eq!(fs::read(&sidecar).unwrap(), good); // rebuilt, the same bytes
        }
        // Missing.
        fs::remove_file(&sidecar).unwrap();
        assert_eq!(blobs(&closed).1, ColumnsOrigin::Built { written: true });
        assert_eq!(blobs(&closed).1, ColumnsOrigin::Sidecar);
    }

    #[test]
    fn a_sidecar_of_another_file_is_stale() {
        let dir = tempfile::tempdir().unwrap();
        let closed = store_with_points(dir.path());
        let other_dir = tempfile::tempdir().unwrap();
        // Another file's sidecar (a valid one) copied over this one's.
        let store = LocalStore::open(other_dir.path()).unwrap();
        let dataset = DatasetName::parse("k3m9p2xw7q-perf").unwrap();
        store
            .append_point(
                &dataset,
                1_771_756_440_000,
                &nno_obs::DataPoint::new().blob("other"),
            )
            .unwrap();
        store.close().unwrap();
        let folder = other_dir
            .path()
            .join("analytics-engine/k3m9p2xw7q-perf/2026-02-22/10");
        let other = fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with(".cols"))
            .unwrap();
        fs::copy(&other, columns_path(&closed)).unwrap();
        let (rows, origin) = blobs(&closed);
        assert_eq!(origin, ColumnsOrigin::Built { written: true });
        assert_eq!(rows.len(), 3);
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_sidecar_is_neither_read_nor_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let closed = store_with_points(dir.path());
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("elsewhere.cols");
        // A valid sidecar outside the store, linked in: not trusted.
        fs::copy(columns_path(&closed), &target).unwrap();
        let before = fs::read(&target).unwrap();
        fs::remove_file(columns_path(&closed)).unwrap();
        std::os::unix::fs::symlink(&target, columns_path(&closed)).unwrap();
        assert_eq!(blobs(&closed).1, ColumnsOrigin::Built { written: true });
        // The link was replaced by a regular file; the target was not written.
        let meta = fs::symlink_metadata(columns_path(&closed)).unwrap();
        assert!(meta.file_type().is_file());
        assert_eq!(fs::read(&target).unwrap(), before);
        assert_eq!(blobs(&closed).1, ColumnsOrigin::Sidecar);
    }

    #[test]
    fn a_read_only_folder_still_answers() {
        let dir = tempfile::tempdir().unwrap();
        let closed = store_with_points(dir.path());
        fs::remove_file(columns_path(&closed)).unwrap();
        // A sidecar path that is a directory cannot be replaced by a rename.
        fs::create_dir(columns_path(&closed)).unwrap();
        let (rows, origin) = blobs(&closed);
        assert_eq!(rows.len(), 3);
        assert_eq!(origin, ColumnsOrigin::Built { written: false });
        // Not rebuilt on the next query: kept in memory.
        assert_eq!(blobs(&closed), (rows, ColumnsOrigin::Memory));
        // No temporary file left behind.
        let names: Vec<String> = fs::read_dir(closed.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
    }
}
