//! Reading a dataset's stored points back: every row of `analytics-engine/{dataset}/`, closed
//! (`.json.gz`) and open (`.json`) files alike.

use crate::layout::{DatasetName, CLOSED_SUFFIX, OPEN_SUFFIX};
use crate::points::PointRow;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// Every row of `dataset` in the store at `root`, in no particular order. Lines that are not
/// rows (a torn last line of a crashed writer) are skipped; a folder that does not exist is an
/// empty dataset.
///
/// ```
/// use nno_obs_store::fs::{read_points, LocalStore};
/// use nno_obs_store::layout::DatasetName;
///
/// let dir = tempfile::tempdir().unwrap();
/// let store = LocalStore::open(dir.path()).unwrap();
/// let dataset = DatasetName::parse("nno-core-ops").unwrap();
/// let point = nno_obs::DataPoint::new().blob("registry").double(1.0).index("registry");
/// store.append_point(&dataset, 1_771_756_440_123, &point).unwrap();
/// store.close().unwrap();
/// let rows = read_points(dir.path(), &dataset).unwrap();
/// assert_eq!(rows[0].blobs[0], "registry");
/// assert_eq!(rows[0].timestamp_s, 1_771_756_440);
/// ```
pub fn read_points(root: &Path, dataset: &DatasetName) -> io::Result<Vec<PointRow>> {
    let mut rows = Vec::new();
    let mut folders = vec![root.join(dataset.folder())];
    while let Some(folder) = folders.pop() {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => return Err(error),
        };
        for entry in entries {
            let path = entry?.path();
            let name = path.to_string_lossy();
            // Symlinks are not followed: the store is ours, and a link could leave it.
            let kind = std::fs::symlink_metadata(&path)?.file_type();
            if kind.is_dir() {
                folders.push(path);
            } else if kind.is_file() && name.ends_with(CLOSED_SUFFIX) {
                let file = std::fs::File::open(&path)?;
                read_rows(flate2::read::MultiGzDecoder::new(file), &mut rows)?;
            } else if kind.is_file() && name.ends_with(OPEN_SUFFIX) {
                read_rows(std::fs::File::open(&path)?, &mut rows)?;
            }
        }
    }
    Ok(rows)
}

fn read_rows(reader: impl Read, rows: &mut Vec<PointRow>) -> io::Result<()> {
    let mut reader = BufReader::new(reader);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        if let Some(row) = PointRow::from_line(&line) {
            rows.push(row);
        }
    }
}
