//! The columnar sidecar of a closed points file: `{file}.json.gz.cols`, the store's
//! equivalent of ClickHouse's columnar parts.
//!
//! A closed points file (`points-{uuid}.json.gz`, see [`crate::points`]) is the source of
//! truth; its sidecar holds the same rows, in the same order, as typed columns, so a reader
//! aggregates them without inflating or parsing JSON. It is a derived cache: written when the
//! file rotates (`fs` feature), rebuilt by a reader from the `.json.gz` when it is missing,
//! stale, truncated, corrupt or of another format version, and never trusted otherwise. Its
//! rows are exactly those [`crate::line::for_each_row`] reads from the `.json.gz`; the lines
//! it skipped (not rows) are counted in the header, so a reader of the sidecar reports them as
//! a reader of the `.json.gz` does.
//!
//! # Layout (version 3, little-endian, no padding)
//!
//! | bytes | what |
//! |---|---|
//! | 0..7 | magic `NNOCOLS` |
//! | 7 | format version, [`COLUMNS_FORMAT`] |
//! | 8..12 | CRC-32 (IEEE) of every byte from 12 to the end |
//! | 12..20 | size in bytes of the `.json.gz` it was built from (`u64`) |
//! | 20..28 | the last 8 bytes of that `.json.gz` (gzip's CRC-32 and length of the last member) |
//! | 28..32 | rows `n` (`u32`) |
//! | 32..36 | lines of the `.json.gz` skipped as not rows (`u32`, saturating) |
//! | 36.. | 43 columns in this order: `timestamp`, `_sample_interval`, `index1`, `blob1`…`blob20`, `double1`…`double20` |
//!
//! Each column starts with a tag byte. Unsigned integers ("`w`-byte") are little-endian of
//! width `w` ∈ {1, 2, 4, 8}, given by a width byte; the writer picks the narrowest that holds
//! every value.
//!
//! - `timestamp` (seconds, `i64`): tag 0, one `i64` for every row; tag 1, a width byte, a base
//!   `i64`, then `n` offsets (`timestamp = base + offset`, wrapping).
//! - `_sample_interval` (`u32`): tag 0, one `u32`; tag 1, a width byte (1, 2 or 4), then `n`
//!   values.
//! - text (`index1`, blobs), dictionary-encoded: the tag byte is the id width, `0` (every row
//!   has id 0), `1`, `2` or `4` bytes; then the dictionary, `u32` count then per entry `u32`
//!   length and UTF-8 bytes (distinct values in order of first appearance); then `n` ids of
//!   the width (none for width 0). Every id is below the count; with rows, the count is at
//!   least 1.
//! - double (`f64`): tag 0, one value (its bits) for every row; tag 1, `n` values' bits;
//!   tag 2, a width byte (1, 2 or 4), then `n` unsigned integers, each standing for the double
//!   of that integer (used only when every value is one exactly: `-0.0` is not). Values are
//!   kept bit for bit (`-0.0`, NaN and infinities included, though the JSON never holds the
//!   latter two).
//!
//! A sidecar matches its `.json.gz` when bytes 12..28 equal that file's size and last 8 bytes:
//! closed files are written once (by rename) and never change, so this cheap check catches a
//! file replaced by another; the CRC catches a damaged sidecar.
//!
//! ```
//! use nno_obs_store::columns::{ColumnsBuilder, PointColumns, SourceStamp};
//! use nno_obs_store::points::write_row;
//!
//! let mut file = Vec::new();
//! write_row(&mut file, 1_771_756_440_000, Some("analytics"), &["analytics", "GET /a"], &[1.0, 45.0]);
//! write_row(&mut file, 1_771_756_441_000, Some("reports"), &["reports", "GET /b"], &[1.0, 12.5]);
//! let mut builder = ColumnsBuilder::default();
//! nno_obs_store::line::for_each_row(&file[..], &mut |row| builder.push(row)).unwrap();
//! let stamp = SourceStamp { bytes: 1234, trailer: [0; 8] };
//! let bytes = builder.encode(stamp);
//!
//! let columns = PointColumns::parse(&bytes).unwrap();
//! assert_eq!(columns.stamp(), stamp);
//! assert_eq!(columns.rows(), 2);
//! assert_eq!(columns.timestamp(1), 1_771_756_441);
//! assert_eq!(columns.text(2).value(1), "GET /b"); // text column 0 is index1, N is blobN
//! assert_eq!(columns.text(2).dictionary(), ["GET /a", "GET /b"]);
//! assert_eq!(columns.double(2).get(0), 45.0);
//! assert_eq!(columns.sample_interval(0), 1);
//! assert!(PointColumns::parse(&bytes[..bytes.len() - 1]).is_err()); // truncated
//! ```

use crate::line::AnyRow;
use crate::points::{BLOB_COLUMNS, DOUBLE_COLUMNS};
use std::collections::HashMap;

/// The sidecar format this crate writes and reads.
/// (Format 1, plain timestamps and doubles, only ever existed on the branch that introduced
/// the sidecar; format 2 had no count of skipped lines and dropped rows whose `timestamp` had
/// milliseconds. Like any other version, a reader rebuilds it.)
pub const COLUMNS_FORMAT: u8 = 3;

/// The first bytes of every sidecar.
pub const COLUMNS_MAGIC: [u8; 7] = *b"NNOCOLS";

/// The text columns: `index1` (0) and the blobs (1..=20).
pub const TEXT_COLUMNS: usize = 1 + BLOB_COLUMNS;

const HEADER: usize = 36;

/// What a sidecar was built from: the `.json.gz`'s size and last 8 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SourceStamp {
    /// Size of the `.json.gz`, in bytes.
    pub bytes: u64,
    /// Its last 8 bytes (gzip's CRC-32 and size of the last member); zeros if it is shorter.
    pub trailer: [u8; 8],
}

/// Why bytes are not a usable sidecar (a reader then rebuilds it from the `.json.gz`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ColumnsError {
    /// Not a sidecar at all (magic).
    NotColumns,
    /// Another format version.
    Version(u8),
    /// The CRC does not match: damaged.
    Checksum,
    /// Shorter than its own layout says, or longer.
    Truncated,
    /// A column's content is invalid (unknown tag, id out of range, text not UTF-8).
    Invalid(&'static str),
}

impl std::fmt::Display for ColumnsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ColumnsError::NotColumns => write!(f, "not a columns sidecar"),
            ColumnsError::Version(v) => {
                write!(f, "columns sidecar format {v}, not {COLUMNS_FORMAT}")
            }
            ColumnsError::Checksum => write!(f, "columns sidecar checksum mismatch"),
            ColumnsError::Truncated => write!(f, "columns sidecar truncated"),
            ColumnsError::Invalid(what) => write!(f, "columns sidecar invalid: {what}"),
        }
    }
}

impl std::error::Error for ColumnsError {}

#[derive(Default)]
struct TextBuilder {
    ids: HashMap<String, u32>,
    values: Vec<String>,
    rows: Vec<u32>,
}

impl TextBuilder {
    fn push(&mut self, value: &str) {
        // Most columns repeat the previous row's value (unused blobs are all ""): no hashing.
        if let Some(&last) = self.rows.last() {
            let same = self.values.get(last as usize).is_some_and(|v| {
                // Empty values (most blobs) without a call to memcmp.
                v.len() == value.len() && (value.is_empty() || v == value)
            });
            if same {
                self.rows.push(last);
                return;
            }
        }
        let id = match self.ids.get(value) {
            Some(id) => *id,
            None => {
                let id = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
                self.ids.insert(value.to_owned(), id);
                self.values.push(value.to_owned());
                id
            }
        };
        self.rows.push(id);
    }
}

/// Collects rows (in file order) and encodes them as a sidecar.
///
/// Memory grows with the rows of one file (an hour of one dataset), never more: a reader
/// builds one file's columns at a time. See the [module](self) for an example.
pub struct ColumnsBuilder {
    skipped: u64,
    timestamps: Vec<i64>,
    intervals: Vec<u32>,
    texts: Vec<TextBuilder>,
    doubles: Vec<Vec<f64>>,
}

impl Default for ColumnsBuilder {
    fn default() -> Self {
        Self {
            skipped: 0,
            timestamps: Vec::new(),
            intervals: Vec::new(),
            texts: (0..TEXT_COLUMNS).map(|_| TextBuilder::default()).collect(),
            doubles: (0..DOUBLE_COLUMNS).map(|_| Vec::new()).collect(),
        }
    }
}

impl ColumnsBuilder {
    /// Rows so far.
    pub fn rows(&self) -> usize {
        self.timestamps.len()
    }

    /// Counts `lines` of the source skipped as not rows (what
    /// [`crate::line::for_each_row`] returns), kept in the sidecar.
    ///
    /// ```
    /// use nno_obs_store::columns::{ColumnsBuilder, PointColumns, SourceStamp};
    ///
    /// let mut builder = ColumnsBuilder::default();
    /// let torn = &b"{\"torn\n"[..];
    /// let skipped = nno_obs_store::line::for_each_row(torn, &mut |row| builder.push(row)).unwrap();
    /// builder.add_skipped(skipped);
    /// let bytes = builder.encode(SourceStamp::default());
    /// assert_eq!(PointColumns::parse(&bytes).unwrap().skipped(), 1);
    /// ```
    pub fn add_skipped(&mut self, lines: u64) {
        self.skipped = self.skipped.saturating_add(lines);
    }

    /// Adds one row.
    pub fn push(&mut self, row: &AnyRow<'_>) {
        self.timestamps.push(row.timestamp_s());
        self.intervals.push(row.sample_interval());
        for (n, text) in self.texts.iter_mut().enumerate() {
            let value = if n == 0 {
                row.index1()
            } else {
                row.blob(n as u8)
            };
            text.push(value);
        }
        for (n, column) in self.doubles.iter_mut().enumerate() {
            column.push(row.double(n as u8 + 1));
        }
    }

    /// The sidecar bytes (see the [module](self) for the layout).
    pub fn encode(&self, stamp: SourceStamp) -> Vec<u8> {
        let rows = self.rows();
        let mut out = Vec::with_capacity(HEADER + rows * 16);
        out.extend_from_slice(&COLUMNS_MAGIC);
        out.push(COLUMNS_FORMAT);
        out.extend_from_slice(&[0; 4]); // CRC, filled in below
        out.extend_from_slice(&stamp.bytes.to_le_bytes());
        out.extend_from_slice(&stamp.trailer);
        out.extend_from_slice(&(rows as u32).to_le_bytes());
        out.extend_from_slice(
            &u32::try_from(self.skipped)
                .unwrap_or(u32::MAX)
                .to_le_bytes(),
        );
        // timestamp
        match constant(&self.timestamps) {
            Some(value) => {
                out.push(0);
                out.extend_from_slice(&value.to_le_bytes());
            }
            None => {
                out.push(1);
                let base = self.timestamps.iter().copied().min().unwrap_or(0);
                let offsets: Vec<u64> = self
                    .timestamps
                    .iter()
                    .map(|t| t.wrapping_sub(base) as u64)
                    .collect();
                write_uints(&mut out, &offsets, Some(&base.to_le_bytes()));
            }
        }
        // _sample_interval
        match constant(&self.intervals) {
            Some(value) => {
                out.push(0);
                out.extend_from_slice(&value.to_le_bytes());
            }
            None => {
                out.push(1);
                let values: Vec<u64> = self.intervals.iter().map(|v| u64::from(*v)).collect();
                write_uints(&mut out, &values, None);
            }
        }
        for text in &self.texts {
            let width: u8 = match text.values.len() {
                0 | 1 => 0,
                2..=0x100 => 1,
                0x101..=0x1_0000 => 2,
                _ => 4,
            };
            out.push(width);
            out.extend_from_slice(&(text.values.len() as u32).to_le_bytes());
            for value in &text.values {
                out.extend_from_slice(&(value.len() as u32).to_le_bytes());
                out.extend_from_slice(value.as_bytes());
            }
            for id in &text.rows {
                match width {
                    1 => out.push(*id as u8),
                    2 => out.extend_from_slice(&(*id as u16).to_le_bytes()),
                    4 => out.extend_from_slice(&id.to_le_bytes()),
                    _ => {}
                }
            }
        }
        for column in &self.doubles {
            match constant_bits(column) {
                Some(value) => {
                    out.push(0);
                    out.extend_from_slice(&value.to_le_bytes());
                }
                None => match column.iter().map(|v| small_integer(*v)).collect() {
                    Some(integers) => {
                        out.push(2);
                        let integers: Vec<u64> = integers;
                        write_uints(&mut out, &integers, None);
                    }
                    None => {
                        out.push(1);
                        for value in column {
                            out.extend_from_slice(&value.to_bits().to_le_bytes());
                        }
                    }
                },
            }
        }
        let crc = crc32fast::hash(&out[12..]);
        out[8..12].copy_from_slice(&crc.to_le_bytes());
        out
    }
}

/// The one value of a non-empty column whose rows all hold it (an empty column is constant 0).
fn constant<T: Copy + PartialEq + Default>(values: &[T]) -> Option<T> {
    match values.first() {
        None => Some(T::default()),
        Some(first) => values.iter().all(|v| v == first).then_some(*first),
    }
}

/// As [`constant`], by bits (so `-0.0` and `0.0`, or two NaNs, are kept apart).
fn constant_bits(values: &[f64]) -> Option<u64> {
    match values.first() {
        None => Some(0),
        Some(first) => values
            .iter()
            .all(|v| v.to_bits() == first.to_bits())
            .then_some(first.to_bits()),
    }
}

/// `value` as an unsigned integer below 2^32 whose double is `value` bit for bit.
fn small_integer(value: f64) -> Option<u64> {
    if (0.0..4_294_967_296.0).contains(&value) {
        let integer = value as u64;
        ((integer as f64).to_bits() == value.to_bits()).then_some(integer)
    } else {
        None
    }
}

/// A width byte, `prefix`, then `values` at the narrowest width that holds them all.
fn write_uints(out: &mut Vec<u8>, values: &[u64], prefix: Option<&[u8]>) {
    let max = values.iter().copied().max().unwrap_or(0);
    let width: u8 = if max <= 0xff {
        1
    } else if max <= 0xffff {
        2
    } else if max <= 0xffff_ffff {
        4
    } else {
        8
    };
    out.push(width);
    if let Some(prefix) = prefix {
        out.extend_from_slice(prefix);
    }
    for value in values {
        out.extend_from_slice(&value.to_le_bytes()[..usize::from(width)]);
    }
}

/// `n` little-endian unsigned integers of one width.
#[derive(Clone, Copy, Debug)]
struct Uints<'a> {
    width: u8,
    bytes: &'a [u8],
}

impl Uints<'_> {
    fn decode_into<T>(&self, map: impl Fn(u64) -> T, out: &mut Vec<T>) {
        let bytes = self.bytes;
        match self.width {
            1 => out.extend(bytes.iter().map(|b| map(u64::from(*b)))),
            2 => out.extend(
                bytes
                    .chunks_exact(2)
                    .map(|b| map(u64::from(u16::from_le_bytes([b[0], b[1]])))),
            ),
            4 => out.extend(
                bytes
                    .chunks_exact(4)
                    .map(|b| map(u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))),
            ),
            _ => out.extend(bytes.chunks_exact(8).map(|b| {
                map(u64::from_le_bytes([
                    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                ]))
            })),
        }
    }

    #[inline]
    fn get(&self, row: usize) -> u64 {
        match self.width {
            1 => self.bytes.get(row).map_or(0, |b| u64::from(*b)),
            2 => self
                .bytes
                .get(row * 2..row * 2 + 2)
                .map_or(0, |b| u64::from(u16::from_le_bytes([b[0], b[1]]))),
            4 => read_u32(self.bytes, row).map_or(0, u64::from),
            _ => read_u64(self.bytes, row).unwrap_or(0),
        }
    }
}

/// A text column of a parsed sidecar: a dictionary and one id per row.
#[derive(Clone, Debug)]
pub struct TextColumn<'a> {
    dictionary: Vec<&'a str>,
    width: u8,
    ids: &'a [u8],
}

impl<'a> TextColumn<'a> {
    /// The distinct values, in order of first appearance.
    pub fn dictionary(&self) -> &[&'a str] {
        &self.dictionary
    }

    /// The dictionary id of row `row` (0 past the end).
    #[inline]
    pub fn id(&self, row: usize) -> u32 {
        match self.width {
            1 => self.ids.get(row).map_or(0, |b| u32::from(*b)),
            2 => self
                .ids
                .get(row * 2..row * 2 + 2)
                .map_or(0, |b| u32::from(u16::from_le_bytes([b[0], b[1]]))),
            4 => self
                .ids
                .get(row * 4..row * 4 + 4)
                .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            _ => 0,
        }
    }

    /// Every row's id into `out` (cleared first).
    pub fn ids_into(&self, rows: usize, out: &mut Vec<u32>) {
        out.clear();
        Uints {
            width: self.width,
            bytes: self.ids,
        }
        .decode_into(|v| v as u32, out);
        out.resize(rows, 0);
    }

    /// The value of row `row` (`""` past the end).
    #[inline]
    pub fn value(&self, row: usize) -> &'a str {
        self.dictionary
            .get(self.id(row) as usize)
            .copied()
            .unwrap_or("")
    }
}

/// A double column of a parsed sidecar.
#[derive(Clone, Copy, Debug)]
pub struct DoubleColumn<'a>(Doubles<'a>);

#[derive(Clone, Copy, Debug)]
enum Doubles<'a> {
    Constant(f64),
    Plain(&'a [u8]),
    Integers(Uints<'a>),
}

impl DoubleColumn<'_> {
    /// The value of row `row` (0 past the end).
    #[inline]
    pub fn get(&self, row: usize) -> f64 {
        match self.0 {
            Doubles::Constant(value) => value,
            Doubles::Plain(bytes) => read_u64(bytes, row).map_or(0.0, f64::from_bits),
            Doubles::Integers(integers) => integers.get(row) as f64,
        }
    }

    /// Every row's value into `out` (cleared first): one tight loop per representation, for
    /// readers that aggregate a whole column.
    pub fn decode_into(&self, rows: usize, out: &mut Vec<f64>) {
        out.clear();
        match self.0 {
            Doubles::Constant(value) => out.resize(rows, value),
            Doubles::Plain(bytes) => out.extend(bytes.chunks_exact(8).map(|b| {
                f64::from_bits(u64::from_le_bytes([
                    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                ]))
            })),
            Doubles::Integers(integers) => integers.decode_into(|v| v as f64, out),
        }
        out.resize(rows, 0.0);
    }
}

#[derive(Clone, Copy, Debug)]
enum IntColumn<'a, T> {
    Constant(T),
    /// `base + offset` (wrapping).
    Offsets(T, Uints<'a>),
}

#[inline]
fn read_u64(bytes: &[u8], row: usize) -> Option<u64> {
    let b = bytes.get(row * 8..row * 8 + 8)?;
    Some(u64::from_le_bytes([
        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
    ]))
}

#[inline]
fn read_u32(bytes: &[u8], row: usize) -> Option<u32> {
    let b = bytes.get(row * 4..row * 4 + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// A sidecar parsed (and checked) in place: the columns borrow the bytes. See the
/// [module](self) for an example.
#[derive(Clone, Debug)]
pub struct PointColumns<'a> {
    stamp: SourceStamp,
    rows: usize,
    skipped: u64,
    timestamps: IntColumn<'a, i64>,
    intervals: IntColumn<'a, u32>,
    texts: Vec<TextColumn<'a>>,
    doubles: Vec<DoubleColumn<'a>>,
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ColumnsError> {
        let end = self.at.checked_add(n).ok_or(ColumnsError::Truncated)?;
        let out = self
            .bytes
            .get(self.at..end)
            .ok_or(ColumnsError::Truncated)?;
        self.at = end;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, ColumnsError> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, ColumnsError> {
        read_u32(self.take(4)?, 0).ok_or(ColumnsError::Truncated)
    }

    fn u64(&mut self) -> Result<u64, ColumnsError> {
        read_u64(self.take(8)?, 0).ok_or(ColumnsError::Truncated)
    }

    fn width(&mut self, allowed: &[u8]) -> Result<u8, ColumnsError> {
        let width = self.u8()?;
        if allowed.contains(&width) {
            Ok(width)
        } else {
            Err(ColumnsError::Invalid("integer width"))
        }
    }

    fn uints(&mut self, rows: usize, width: u8) -> Result<Uints<'a>, ColumnsError> {
        let bytes = self.len(rows, usize::from(width))?;
        Ok(Uints { width, bytes })
    }

    fn len(&mut self, rows: usize, width: usize) -> Result<&'a [u8], ColumnsError> {
        let n = rows.checked_mul(width).ok_or(ColumnsError::Truncated)?;
        self.take(n)
    }
}

impl<'a> PointColumns<'a> {
    /// Parses and checks `bytes` (magic, version, CRC, every length, every id, UTF-8).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ColumnsError> {
        if bytes.len() < 8 || bytes[..7] != COLUMNS_MAGIC {
            return Err(ColumnsError::NotColumns);
        }
        if bytes[7] != COLUMNS_FORMAT {
            return Err(ColumnsError::Version(bytes[7]));
        }
        if bytes.len() < HEADER {
            return Err(ColumnsError::Truncated);
        }
        let crc = read_u32(&bytes[8..12], 0).ok_or(ColumnsError::Truncated)?;
        if crc32fast::hash(&bytes[12..]) != crc {
            return Err(ColumnsError::Checksum);
        }
        let mut cursor = Cursor { bytes, at: 12 };
        let source_bytes = cursor.u64()?;
        let mut trailer = [0; 8];
        trailer.copy_from_slice(cursor.take(8)?);
        let rows = cursor.u32()? as usize;
        let skipped = u64::from(cursor.u32()?);
        let timestamps = match cursor.u8()? {
            0 => IntColumn::Constant(cursor.u64()? as i64),
            1 => {
                let width = cursor.width(&[1, 2, 4, 8])?;
                let base = cursor.u64()? as i64;
                IntColumn::Offsets(base, cursor.uints(rows, width)?)
            }
            _ => return Err(ColumnsError::Invalid("timestamp tag")),
        };
        let intervals = match cursor.u8()? {
            0 => IntColumn::Constant(cursor.u32()?),
            1 => {
                let width = cursor.width(&[1, 2, 4])?;
                IntColumn::Offsets(0, cursor.uints(rows, width)?)
            }
            _ => return Err(ColumnsError::Invalid("_sample_interval tag")),
        };
        let mut texts = Vec::with_capacity(TEXT_COLUMNS);
        for _ in 0..TEXT_COLUMNS {
            let width = cursor.u8()?;
            let count = cursor.u32()? as usize;
            if count > bytes.len() {
                return Err(ColumnsError::Truncated);
            }
            let mut dictionary = Vec::with_capacity(count);
            for _ in 0..count {
                let len = cursor.u32()? as usize;
                let text = std::str::from_utf8(cursor.take(len)?)
                    .map_err(|_| ColumnsError::Invalid("text not UTF-8"))?;
                dictionary.push(text);
            }
            if rows > 0 && count == 0 {
                return Err(ColumnsError::Invalid("empty dictionary"));
            }
            let ids = match width {
                0 => &[][..],
                1 | 2 | 4 => cursor.len(rows, usize::from(width))?,
                _ => return Err(ColumnsError::Invalid("id width")),
            };
            let column = TextColumn {
                dictionary,
                width,
                ids,
            };
            if (0..rows).any(|row| column.id(row) as usize >= count) {
                return Err(ColumnsError::Invalid("id out of range"));
            }
            texts.push(column);
        }
        let mut doubles = Vec::with_capacity(DOUBLE_COLUMNS);
        for _ in 0..DOUBLE_COLUMNS {
            doubles.push(match cursor.u8()? {
                0 => DoubleColumn(Doubles::Constant(f64::from_bits(cursor.u64()?))),
                1 => DoubleColumn(Doubles::Plain(cursor.len(rows, 8)?)),
                2 => {
                    let width = cursor.width(&[1, 2, 4])?;
                    DoubleColumn(Doubles::Integers(cursor.uints(rows, width)?))
                }
                _ => return Err(ColumnsError::Invalid("double tag")),
            });
        }
        if cursor.at != bytes.len() {
            return Err(ColumnsError::Truncated);
        }
        Ok(Self {
            stamp: SourceStamp {
                bytes: source_bytes,
                trailer,
            },
            rows,
            skipped,
            timestamps,
            intervals,
            texts,
            doubles,
        })
    }

    /// What it was built from.
    pub fn stamp(&self) -> SourceStamp {
        self.stamp
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Lines of the source skipped as not rows (see [`ColumnsBuilder::add_skipped`]).
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// `timestamp` of row `row`, seconds (0 past the end).
    #[inline]
    pub fn timestamp(&self, row: usize) -> i64 {
        match self.timestamps {
            IntColumn::Constant(value) => value,
            IntColumn::Offsets(base, offsets) => base.wrapping_add(offsets.get(row) as i64),
        }
    }

    /// `_sample_interval` of row `row` (0 past the end).
    #[inline]
    pub fn sample_interval(&self, row: usize) -> u32 {
        match self.intervals {
            IntColumn::Constant(value) => value,
            IntColumn::Offsets(_, values) => values.get(row) as u32,
        }
    }

    /// Text column `n`: `index1` for 0, `blobN` for N in 1..=20; out of range, a column of
    /// `""` only.
    pub fn text(&self, n: usize) -> TextColumn<'a> {
        self.texts.get(n).cloned().unwrap_or(TextColumn {
            dictionary: Vec::new(),
            width: 0,
            ids: &[],
        })
    }

    /// Borrows text column `n` (`None` out of range).
    pub fn text_ref(&self, n: usize) -> Option<&TextColumn<'a>> {
        self.texts.get(n)
    }

    /// Every row's `timestamp` into `out` (cleared first).
    pub fn timestamps_into(&self, out: &mut Vec<i64>) {
        out.clear();
        match self.timestamps {
            IntColumn::Constant(value) => out.resize(self.rows, value),
            IntColumn::Offsets(base, offsets) => {
                offsets.decode_into(|v| base.wrapping_add(v as i64), out)
            }
        }
        out.resize(self.rows, 0);
    }

    /// Every row's `_sample_interval` into `out` (cleared first).
    pub fn sample_intervals_into(&self, out: &mut Vec<u32>) {
        out.clear();
        match self.intervals {
            IntColumn::Constant(value) => out.resize(self.rows, value),
            IntColumn::Offsets(_, values) => values.decode_into(|v| v as u32, out),
        }
        out.resize(self.rows, 0);
    }

    /// `doubleN` for N in 1..=20 (constant 0 out of range).
    pub fn double(&self, n: usize) -> DoubleColumn<'a> {
        n.checked_sub(1)
            .and_then(|i| self.doubles.get(i))
            .copied()
            .unwrap_or(DoubleColumn(Doubles::Constant(0.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::points::{write_row, PointRow};

    fn build(rows: &[PointRow]) -> Vec<u8> {
        let mut builder = ColumnsBuilder::default();
        for row in rows {
            builder.push(&AnyRow::Lenient(row.clone()));
        }
        builder.encode(SourceStamp {
            bytes: 99,
            trailer: *b"12345678",
        })
    }

    fn row(ts: i64, blobs: &[&str], doubles: &[f64], interval: u32) -> PointRow {
        let mut b: Vec<String> = blobs.iter().map(|s| (*s).to_owned()).collect();
        b.resize(BLOB_COLUMNS, String::new());
        let mut d = doubles.to_vec();
        d.resize(DOUBLE_COLUMNS, 0.0);
        PointRow {
            timestamp_s: ts,
            index1: blobs.first().copied().unwrap_or("").to_owned(),
            blobs: b,
            doubles: d,
            sample_interval: interval,
        }
    }

    fn assert_same(columns: &PointColumns<'_>, rows: &[PointRow]) {
        assert_eq!(columns.rows(), rows.len());
        let (mut times, mut intervals, mut ids, mut doubles) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        columns.timestamps_into(&mut times);
        columns.sample_intervals_into(&mut intervals);
        assert_eq!(
            times,
            rows.iter().map(|r| r.timestamp_s).collect::<Vec<_>>()
        );
        assert_eq!(
            intervals,
            rows.iter().map(|r| r.sample_interval).collect::<Vec<_>>()
        );
        for n in 0..TEXT_COLUMNS {
            let column = columns.text(n);
            column.ids_into(rows.len(), &mut ids);
            let values: Vec<&str> = ids
                .iter()
                .map(|id| column.dictionary()[*id as usize])
                .collect();
            let expected: Vec<&str> = rows
                .iter()
                .map(|r| {
                    if n == 0 {
                        r.index1.as_str()
                    } else {
                        r.blobs[n - 1].as_str()
                    }
                })
                .collect();
            assert_eq!(values, expected);
        }
        for n in 1..=DOUBLE_COLUMNS {
            columns.double(n).decode_into(rows.len(), &mut doubles);
            let bits: Vec<u64> = doubles.iter().map(|d| d.to_bits()).collect();
            let expected: Vec<u64> = rows.iter().map(|r| r.doubles[n - 1].to_bits()).collect();
            assert_eq!(bits, expected);
        }
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(columns.timestamp(i), r.timestamp_s);
            assert_eq!(columns.sample_interval(i), r.sample_interval);
            assert_eq!(columns.text(0).value(i), r.index1);
            for n in 1..=BLOB_COLUMNS {
                assert_eq!(columns.text(n).value(i), r.blobs[n - 1]);
            }
            for n in 1..=DOUBLE_COLUMNS {
                assert_eq!(
                    columns.double(n).get(i).to_bits(),
                    r.doubles[n - 1].to_bits()
                );
            }
        }
    }

    #[test]
    fn every_column_round_trips() {
        let rows = vec![
            row(-5, &["é€😀", "", "a\"b\\c\n"], &[f64::NAN, -0.0, 1.5], 1),
            row(
                i64::MAX,
                &["", "x"],
                &[f64::INFINITY, 0.0, f64::NEG_INFINITY, f64::MIN_POSITIVE],
                7,
            ),
            row(0, &[], &[], u32::MAX),
        ];
        let bytes = build(&rows);
        let columns = PointColumns::parse(&bytes).unwrap();
        assert_same(&columns, &rows);
        assert_eq!(columns.stamp().bytes, 99);
        assert_eq!(&columns.stamp().trailer, b"12345678");
    }

    #[test]
    fn constant_and_empty_files() {
        let bytes = build(&[]);
        let columns = PointColumns::parse(&bytes).unwrap();
        assert_eq!(columns.rows(), 0);
        let same = vec![row(10, &["a"], &[2.0], 1); 3];
        let bytes = build(&same);
        assert_same(&PointColumns::parse(&bytes).unwrap(), &same);
    }

    #[test]
    fn integer_doubles_take_the_narrowest_width_and_stay_exact() {
        for (values, tag, width) in [
            (vec![0.0, 1.0, 255.0], 2, Some(1)),
            (vec![0.0, 256.0], 2, Some(2)),
            (vec![3.0, 65_536.0], 2, Some(4)),
            (vec![1.0, 4_294_967_295.0], 2, Some(4)),
            (vec![1.0, 4_294_967_296.0], 1, None), // too large: the f64 bits
            (vec![1.0, -0.0], 1, None),            // -0.0 is not the integer 0
            (vec![1.0, -1.0], 1, None),
            (vec![1.0, 2.5], 1, None),
            (vec![1.0, f64::NAN], 1, None),
        ] {
            let rows: Vec<PointRow> = values
                .iter()
                .enumerate()
                .map(|(i, v)| row(1_000 + i as i64 * 70_000, &["a"], &[*v], 1 + i as u32 * 300))
                .collect();
            let bytes = build(&rows);
            let columns = PointColumns::parse(&bytes).unwrap();
            assert_same(&columns, &rows);
            // double1's tag (and width) come right after the 21 text columns.
            let mut at = HEADER;
            at += 1 + 1 + 8 + 4 * rows.len(); // timestamp: tag, width 4, base, offsets
            at += 1 + 1 + 2 * rows.len(); // _sample_interval: tag, width 2, values
            at += 1 + 4 + 4 + 1; // index1: width 0, one entry "a"
            at += 1 + 4 + 4 + 1; // blob1
            at += 19 * (1 + 4 + 4); // blob2..20: one entry ""
            assert_eq!(bytes[at], tag, "{values:?}");
            if let Some(width) = width {
                assert_eq!(bytes[at + 1], width, "{values:?}");
            }
        }
    }

    #[test]
    fn wide_dictionaries() {
        let names: Vec<String> = (0..70_000).map(|i| format!("e{i}")).collect();
        let rows: Vec<PointRow> = names
            .iter()
            .enumerate()
            .map(|(i, n)| row(i as i64, &[n.as_str(), &names[i % 300]], &[i as f64], 1))
            .collect();
        let bytes = build(&rows);
        assert_same(&PointColumns::parse(&bytes).unwrap(), &rows);
    }

    #[test]
    fn damage_is_detected() {
        let mut line = Vec::new();
        write_row(&mut line, 1_000, Some("i"), &["a", "b"], &[1.0, 2.0]);
        let rows = [
            PointRow::from_line(&line).unwrap(),
            row(5, &["c"], &[3.0], 1),
        ];
        let bytes = build(&rows);
        for cut in 0..bytes.len() {
            assert!(PointColumns::parse(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        for at in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x40;
            assert!(PointColumns::parse(&damaged).is_err(), "flip at {at}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(PointColumns::parse(&longer).is_err());
        let mut other = bytes.clone();
        other[7] = 1;
        assert_eq!(
            PointColumns::parse(&other).err(),
            Some(ColumnsError::Version(1))
        );
    }

    fn any_point_row() -> impl proptest::strategy::Strategy<Value = PointRow> {
        use proptest::prelude::*;
        (
            any::<i64>(),
            prop::collection::vec(
                prop::sample::select(vec!["", "a", "é€😀", "\"\\\n", "GET /x"]),
                21,
            ),
            prop::collection::vec(any::<u64>().prop_map(f64::from_bits), 20),
            any::<u32>(),
        )
            .prop_map(|(timestamp_s, texts, doubles, sample_interval)| PointRow {
                timestamp_s,
                index1: texts[0].to_owned(),
                blobs: texts[1..].iter().map(|t| (*t).to_owned()).collect(),
                doubles,
                sample_interval,
            })
    }

    proptest::proptest! {
        /// Any rows (any bits in the doubles, NaNs and infinities included) round-trip.
        #[test]
        fn any_rows_round_trip(rows in proptest::collection::vec(any_point_row(), 0..40)) {
            let bytes = build(&rows);
            assert_same(&PointColumns::parse(&bytes).unwrap(), &rows);
        }

        /// Rows written by the store and read back through the line reader round-trip as
        /// the lenient reader reads them.
        #[test]
        fn written_rows_round_trip(rows in proptest::collection::vec(any_point_row(), 0..40)) {
            let mut file = Vec::new();
            for row in &rows {
                let blobs: Vec<&str> = row.blobs.iter().map(String::as_str).collect();
                let ms = (row.timestamp_s.rem_euclid(4_102_444_800)) as u64 * 1000;
                write_row(&mut file, ms, Some(&row.index1), &blobs, &row.doubles);
            }
            let mut builder = ColumnsBuilder::default();
            crate::line::for_each_row(&file[..], &mut |row| builder.push(row)).unwrap();
            let bytes = builder.encode(SourceStamp::default());
            let expected: Vec<PointRow> = file
                .split_inclusive(|b| *b == b'\n')
                .filter_map(PointRow::from_line)
                .collect();
            proptest::prop_assert_eq!(expected.len(), rows.len());
            assert_same(&PointColumns::parse(&bytes).unwrap(), &expected);
        }
    }
}
