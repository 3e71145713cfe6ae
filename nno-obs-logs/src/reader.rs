//! Reading a file of records: gzip (one or many members) or plain NDJSON, damaged or not.
//!
//! | input | outcome |
//! |---|---|
//! | blank or whitespace-only line | skipped, counted in [`FileReport::blank_lines`] |
//! | invalid UTF-8 | repaired (U+FFFD), the record kept, counted in [`FileReport::repaired_lines`] |
//! | a line that is not a JSON object | skipped, counted in [`FileReport::bad_lines`], the first one's byte offset kept |
//! | an unterminated last line that does not parse | a record cut short (a writer killed mid-write, a partial download): skipped, [`FileReport::truncated_tail`] |
//! | an unterminated last line that parses | a whole record: kept |
//! | a line over [`MAX_LINE_BYTES`] | skipped, counted in [`FileReport::oversized_lines`] (a 1 MB line is well within) |
//! | concatenated gzip members | read as one stream |
//! | a corrupt gzip stream | the records before the damage are kept; [`FileReport::corrupt`] holds the compressed byte offset and the decoder's message |
//!
//! Nothing here panics on any input (a proptest in this module's tests feeds it arbitrary bytes).

use crate::entry::{entries_of_owned_record, Entry, ScriptCache};
use flate2::bufread::MultiGzDecoder;
use nno_obs_store::record::TraceEventRecord;
use std::io::{self, BufRead, BufReader, Read};

/// The longest line read; longer ones are skipped (memory stays bounded by this).
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// Where a damaged file went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Damage {
    /// Byte offset in the file as stored (compressed bytes for gzip).
    pub offset: u64,
    /// What the decoder said.
    pub message: String,
}

/// What reading one file found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileReport {
    /// Records read.
    pub records: u64,
    /// Entries read (counted by [`read_entries`]; `0` from [`read_records`]).
    pub entries: u64,
    /// Blank lines skipped.
    pub blank_lines: u64,
    /// Lines with invalid UTF-8, repaired.
    pub repaired_lines: u64,
    /// Lines that were not a record, skipped.
    pub bad_lines: u64,
    /// Offset (in decompressed bytes) of the first bad line.
    pub first_bad_line_offset: Option<u64>,
    /// Lines over [`MAX_LINE_BYTES`], skipped.
    pub oversized_lines: u64,
    /// Whether an unterminated, unparsable last line was dropped.
    pub truncated_tail: bool,
    /// A corrupt gzip stream, if any.
    pub corrupt: Option<Damage>,
    /// Entries that match every filter of a time-bounded search but the time range, having no
    /// time at all: no range can include them (counted by [`crate::search::search_file`]; not a
    /// problem of the file, but worth a word to whoever searched).
    pub untimed_matches: u64,
}

impl FileReport {
    /// Whether anything was skipped, repaired or damaged.
    pub fn has_problems(&self) -> bool {
        self.repaired_lines > 0
            || self.bad_lines > 0
            || self.oversized_lines > 0
            || self.truncated_tail
            || self.corrupt.is_some()
    }
}

/// A `BufRead` that counts the bytes consumed from it, so a decoder error has an offset.
struct Counting<R> {
    inner: R,
    consumed: u64,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amount: usize) {
        self.consumed += amount as u64;
        self.inner.consume(amount);
    }
}

/// Reads every record of `input` (gzip if it starts with the gzip magic bytes, else plain) and
/// hands each entry to `visit`.
///
/// ```
/// use nno_obs_logs::reader::read_entries;
///
/// let file = b"{\"Outcome\":\"ok\",\"Logs\":[{\"Level\":\"log\",\"Message\":[\"hi\"]}]}\n\n{\"Logs\":[";
/// let mut messages = Vec::new();
/// let report = read_entries(&file[..], |entry| messages.push(entry.message));
/// assert_eq!(messages, ["hi"]);
/// assert_eq!(report.blank_lines, 1);
/// assert!(report.truncated_tail);
/// ```
pub fn read_entries(input: impl Read, mut visit: impl FnMut(Entry)) -> FileReport {
    let mut entries = 0;
    let mut scripts = ScriptCache::default();
    let mut report = read_records(input, |record, _| {
        for entry in entries_of_owned_record(record, &mut scripts) {
            entries += 1;
            visit(entry);
        }
    });
    report.entries = entries;
    report
}

/// Like [`read_entries`], one record at a time, with the record's line number (0-based).
pub fn read_records(input: impl Read, visit: impl FnMut(TraceEventRecord, u64)) -> FileReport {
    read_records_where(input, |_| true, visit)
}

/// Like [`read_records`], parsing only the lines for which `may_match(line)` is true; the
/// others are counted as records but not parsed. `may_match` must be sound: `false` only for a
/// line none of whose entries can match (see [`crate::prefilter`]).
pub fn read_records_where(
    input: impl Read,
    mut may_match: impl FnMut(&[u8]) -> bool,
    mut visit: impl FnMut(TraceEventRecord, u64),
) -> FileReport {
    let mut report = FileReport::default();
    let mut buffered = BufReader::with_capacity(64 * 1024, input);
    let is_gzip = match buffered.fill_buf() {
        Ok(head) => head.starts_with(&[0x1f, 0x8b]),
        Err(error) => {
            report.corrupt = Some(Damage {
                offset: 0,
                message: error.to_string(),
            });
            return report;
        }
    };
    if is_gzip {
        let counting = Counting {
            inner: buffered,
            consumed: 0,
        };
        let mut decoder = BufReader::with_capacity(256 * 1024, MultiGzDecoder::new(counting));
        let result = read_lines(&mut decoder, &mut report, &mut may_match, &mut visit);
        if let Err(error) = result {
            let offset = decoder.get_ref().get_ref().consumed;
            report.corrupt = Some(Damage {
                offset,
                message: error.to_string(),
            });
        }
    } else if let Err(error) = read_lines(&mut buffered, &mut report, &mut may_match, &mut visit) {
        report.corrupt = Some(Damage {
            offset: 0,
            message: error.to_string(),
        });
    }
    report
}

fn read_lines(
    input: &mut impl BufRead,
    report: &mut FileReport,
    may_match: &mut impl FnMut(&[u8]) -> bool,
    visit: &mut impl FnMut(TraceEventRecord, u64),
) -> io::Result<()> {
    let mut line = Vec::with_capacity(4096);
    let mut offset = 0u64;
    let mut line_number = 0u64;
    loop {
        line.clear();
        let read = read_bounded_line(input, &mut line)?;
        if read.bytes == 0 {
            return Ok(());
        }
        let this_offset = offset;
        offset += read.bytes;
        let this_line = line_number;
        line_number += 1;
        if read.oversized {
            report.oversized_lines += 1;
            continue;
        }
        let terminated = line.last() == Some(&b'\n');
        if line.iter().all(u8::is_ascii_whitespace) {
            report.blank_lines += 1;
            continue;
        }
        // A whole line that cannot match is only counted. (A cut-off last line is still
        // parsed below, so that it is reported as truncated.)
        if terminated && !may_match(&line) {
            report.records += 1;
            continue;
        }
        // The validating fast path first; the lossy repair only for invalid UTF-8.
        let (text, repaired) = match std::str::from_utf8(&line) {
            Ok(text) => (std::borrow::Cow::Borrowed(text), false),
            Err(_) => (String::from_utf8_lossy(&line), true),
        };
        match serde_json::from_str::<TraceEventRecord>(text.trim_end()) {
            Ok(record) => {
                if repaired {
                    report.repaired_lines += 1;
                }
                report.records += 1;
                visit(record, this_line);
            }
            Err(_) if !terminated => report.truncated_tail = true,
            Err(_) => {
                report.bad_lines += 1;
                report.first_bad_line_offset.get_or_insert(this_offset);
            }
        }
    }
}

struct LineRead {
    bytes: u64,
    oversized: bool,
}

/// Reads up to and including the next `\n`; beyond [`MAX_LINE_BYTES`] it keeps reading (to
/// find the line's end) but stops storing.
fn read_bounded_line(input: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<LineRead> {
    let mut bytes = 0u64;
    let mut oversized = false;
    loop {
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if available.is_empty() {
            return Ok(LineRead { bytes, oversized });
        }
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(at) => (&available[..=at], true),
            None => (available, false),
        };
        let taken = chunk.len();
        if !oversized {
            if line.len() + taken > MAX_LINE_BYTES {
                oversized = true;
                line.clear();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        input.consume(taken);
        bytes += taken as u64;
        if done {
            return Ok(LineRead { bytes, oversized });
        }
    }
}
