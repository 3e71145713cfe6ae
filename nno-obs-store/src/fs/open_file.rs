//! One file being appended to, and its rotation to a gzip object with an index sidecar.

use crate::entry::EntryKeys;
use crate::index::FileIndex;
use crate::layout::INDEX_SUFFIX;
use flate2::write::GzEncoder;
use flate2::Compression;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A plain NDJSON file being appended to: a log batch (`….json`) or an hour of points.
#[derive(Debug)]
pub(super) struct OpenFile {
    path: PathBuf,
    file: File,
    index: FileIndex,
    points: bool,
}

impl OpenFile {
    /// Creates `path` (and its folders). `create_new`: a name that already exists (another
    /// writer's) is never appended to. `points`: a points file also gets its columnar sidecar
    /// when it rotates.
    pub(super) fn create(path: PathBuf, points: bool) -> io::Result<Self> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(&path)?;
        Ok(Self {
            path,
            file,
            index: FileIndex::default(),
            points,
        })
    }

    /// Appends one complete line (ending in `\n`) with a single `write_all` on a file opened
    /// for appending, so a crash leaves whole lines only; then notes its entries' keys.
    pub(super) fn append(&mut self, line: &[u8], entries: &[EntryKeys]) -> io::Result<()> {
        self.file.write_all(line)?;
        self.index.add_record(entries);
        Ok(())
    }

    /// Records appended so far.
    pub(super) fn records(&self) -> u64 {
        self.index.records
    }

    /// Compresses the file to `closed`, writes the index sidecar `{closed}.idx` (and, for a
    /// points file, the columnar sidecar), removes the plain file.
    ///
    /// Order matters for a crash mid-way: `closed` appears by rename (whole or not at all),
    /// then its index, then its columns, then the plain file goes. A reader that finds both the
    /// plain file and its closed object reads the closed one only (`nno_obs_logs::walk`).
    pub(super) fn rotate(self, closed: &Path) -> io::Result<()> {
        let plain = self.path;
        let index_path = with_suffix(closed, INDEX_SUFFIX);
        drop(self.file);
        let temporary = with_suffix(closed, ".tmp");
        {
            let mut source = File::open(&plain)?;
            let target = File::create(&temporary)?;
            let mut encoder = GzEncoder::new(io::BufWriter::new(target), Compression::default());
            io::copy(&mut source, &mut encoder)?;
            let mut writer = encoder.finish()?;
            writer.flush()?;
            writer.get_ref().sync_all()?;
        }
        fs::rename(&temporary, closed)?;
        let mut index = self.index;
        index.data_bytes = fs::metadata(closed)?.len();
        let index_temporary = with_suffix(&index_path, ".tmp");
        fs::write(&index_temporary, index.to_json())?;
        fs::rename(&index_temporary, &index_path)?;
        if self.points {
            // A derived cache: if it cannot be written now, the first reader builds it.
            let _ = super::columns_file::write_for_rotation(closed, &plain);
        }
        fs::remove_file(&plain)
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
