//! One file being appended to, and its rotation to `.json.gz` with an index sidecar.

use crate::entry::EntryKeys;
use crate::index::FileIndex;
use crate::layout::ObjectKey;
use flate2::write::GzEncoder;
use flate2::Compression;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A `.json` file of the current hour.
#[derive(Debug)]
pub(super) struct OpenFile {
    pub(super) key: ObjectKey,
    dir: PathBuf,
    file: File,
    index: FileIndex,
}

impl OpenFile {
    /// Creates the file of `key` under `dir` (a bucket or dataset folder). `create_new`: a
    /// UUID name that already exists is never appended to.
    pub(super) fn create(dir: &Path, key: ObjectKey) -> io::Result<Self> {
        let path = dir.join(key.open());
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(&path)?;
        Ok(Self {
            key,
            dir: dir.to_path_buf(),
            file,
            index: FileIndex::default(),
        })
    }

    /// Appends one complete line (ending in `\n`) with a single `write_all` on a file opened
    /// for appending, so a crash leaves whole lines only; then notes its entries' keys.
    pub(super) fn append(&mut self, line: &[u8], entries: &[EntryKeys]) -> io::Result<()> {
        self.file.write_all(line)?;
        self.index.add_record(entries);
        Ok(())
    }

    /// Compresses the file to `.json.gz`, writes the index sidecar (and, for a points file,
    /// the columnar sidecar), removes the `.json`.
    ///
    /// Order matters for a crash mid-way: the `.json.gz` appears by rename (whole or not at
    /// all), then its index, then its columns, then the `.json` goes. A reader that finds both a `.json` and its
    /// `.json.gz` reads the `.json.gz` only.
    pub(super) fn rotate(self) -> io::Result<()> {
        let plain = self.dir.join(self.key.open());
        let closed = self.dir.join(self.key.closed());
        let index_path = self.dir.join(self.key.index());
        drop(self.file);
        let temporary = with_suffix(&closed, ".tmp");
        {
            let mut source = File::open(&plain)?;
            let target = File::create(&temporary)?;
            let mut encoder = GzEncoder::new(io::BufWriter::new(target), Compression::default());
            io::copy(&mut source, &mut encoder)?;
            let mut writer = encoder.finish()?;
            writer.flush()?;
            writer.get_ref().sync_all()?;
        }
        fs::rename(&temporary, &closed)?;
        let mut index = self.index;
        index.data_bytes = fs::metadata(&closed)?.len();
        let index_temporary = with_suffix(&index_path, ".tmp");
        fs::write(&index_temporary, index.to_json())?;
        fs::rename(&index_temporary, &index_path)?;
        if self.key.is_points() {
            // A derived cache: if it cannot be written now, the first reader builds it.
            let _ = super::columns_file::write_for_rotation(&closed, &plain);
        }
        fs::remove_file(&plain)
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
