//! The plan's semantics over rows, one row at a time: the local evaluator's core (it builds
//! for wasm32 too; reading the store's files is [`crate::local`]).
//!
//! Memory: one state per group, not per row. A count, sum or mean is a number or two; a
//! quantile keeps a map from each distinct value to its total weight (what ClickHouse's
//! `quantileExactWeighted` keeps), shared by the quantiles of one column, so it grows with the
//! distinct durations of a group (integer milliseconds: bounded by the largest duration), not
//! with its points; `COUNT(DISTINCT …)` keeps the distinct values. Row-listing plans (a trace's
//! spans) keep the matching rows.
//!
//! Arithmetic follows ClickHouse's: the weighted sum adds `double × _sample_interval` as f64 in
//! row order; a mean is one f64 division of that sum by the integer weight; a quantile picks
//! the smallest value whose cumulative weight (ascending values) reaches
//! `ceil(level × total weight)`. Sums of integer-valued products below 2^53 (durations in ms,
//! flags) are exact in any order, so both engines agree bit for bit on them and on the means
//! and rates derived from them; for fractional doubles the sums may differ by rounding in the
//! last bits with the order of addition.
//!
//! ```
//! use nno_obs_query::{eval::Evaluator, questions::FeatureStats, PlatformScope, Question, TimeRange};
//! use nno_obs_store::layout::PlatformId;
//! use nno_obs_store::points::PointRow;
//!
//! let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
//! let question = FeatureStats::new(&scope, TimeRange::new(0, 60).unwrap());
//! let plan = &question.plans()[0];
//! let mut evaluator = Evaluator::new(plan);
//! for (ms, weight) in [(10.0, 1), (30.0, 3)] {
//!     let mut blobs = vec![String::new(); 20];
//!     blobs[0] = "analytics".into();
//!     let mut doubles = vec![0.0; 20];
//!     doubles[..3].copy_from_slice(&[1.0, ms, 0.0]);
//!     evaluator.push(&PointRow { timestamp_s: 5, index1: "analytics".into(), blobs, doubles, sample_interval: weight });
//! }
//! let rows = question.answer(vec![evaluator.finish()]).unwrap();
//! assert_eq!(rows[0].requests, 4);
//! assert_eq!(rows[0].avg_ms, Some(25.0)); // (10 + 3 × 30) / 4
//! assert_eq!(rows[0].p50_ms, Some(30.0)); // ceil(0.5 × 4) = 2 ≤ 1 + 3
//! ```

use crate::plan::{Agg, Dir, Key, Plan, RowCol, Shape, TextCol};
use crate::table::{Table, Value};
use nno_obs_schema::Double;
use nno_obs_store::columns::{PointColumns, TextColumn};
use nno_obs_store::line::AnyRow;
use nno_obs_store::points::PointRow;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum GroupKey {
    Text(String),
    Time(i64),
}

/// A `HashMap` with a fast hash for the evaluator's own numeric keys (per-row lookups: a
/// value's bits, a file's group key). Not DoS-resistant; the keys are points of the
/// operator's own store, and a bad distribution only costs time.
type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;

/// Multiply-rotate per word (as rustc's FxHash), finished by a full avalanche (SplitMix64's
/// finalizer) so keys that differ only in their high bits — the bits of integer-valued
/// doubles — still spread over the table.
#[derive(Default, Clone, Copy)]
struct FastHasher(u64);

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    #[inline]
    fn write_u64(&mut self, word: u64) {
        self.add(word);
    }
    #[inline]
    fn write_i64(&mut self, word: i64) {
        self.add(word as u64);
    }
    #[inline]
    fn write_usize(&mut self, word: usize) {
        self.add(word as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

enum AggState {
    Count(u64),
    Sum(f64),
    Mean {
        sum: f64,
        weight: u64,
    },
    /// Reads the group's value map of this slot.
    Quantile {
        slot: usize,
    },
    Distinct(HashSet<String>),
}

struct Group {
    aggs: Vec<AggState>,
    /// Per quantile column: value bits → total weight.
    values: Vec<FastMap<u64, u64>>,
}

/// Evaluates one plan over rows pushed one at a time.
pub struct Evaluator<'p> {
    plan: &'p Plan,
    /// The double column of each value-map slot.
    slots: Vec<Double>,
    groups: HashMap<Vec<GroupKey>, Group>,
    rows: Vec<Vec<Value>>,
}

/// A row with Analytics Engine's columns, however it is held (an owned [`PointRow`], or a
/// line parsed in place by the local reader).
pub trait Row {
    /// `timestamp`, seconds since the epoch.
    fn timestamp_s(&self) -> i64;
    /// A text column (`""` when absent).
    fn text(&self, col: TextCol) -> &str;
    /// `doubleN` (`0` when absent).
    fn double(&self, col: Double) -> f64;
    /// `_sample_interval`.
    fn sample_interval(&self) -> u32;
}

impl Row for PointRow {
    fn timestamp_s(&self) -> i64 {
        self.timestamp_s
    }
    fn text(&self, col: TextCol) -> &str {
        match col {
            TextCol::Index1 => &self.index1,
            TextCol::Blob(blob) => self
                .blobs
                .get(blob.slot())
                .map(String::as_str)
                .unwrap_or(""),
        }
    }
    fn double(&self, col: Double) -> f64 {
        self.doubles.get(col.slot()).copied().unwrap_or(0.0)
    }
    fn sample_interval(&self) -> u32 {
        self.sample_interval
    }
}

fn text<R: Row + ?Sized>(row: &R, col: TextCol) -> &str {
    row.text(col)
}

fn double<R: Row + ?Sized>(row: &R, col: Double) -> f64 {
    row.double(col)
}

impl<'p> Evaluator<'p> {
    /// An evaluator of `plan` with no row yet.
    pub fn new(plan: &'p Plan) -> Self {
        let mut slots = Vec::new();
        if let Shape::Aggregate { aggs, .. } = &plan.shape {
            for (_, agg) in aggs {
                if let Agg::Quantile { double, .. } = agg {
                    if !slots.contains(double) {
                        slots.push(*double);
                    }
                }
            }
        }
        Self {
            plan,
            slots,
            groups: HashMap::new(),
            rows: Vec::new(),
        }
    }

    /// Whether `row` is read by the plan (range and equality filters).
    pub fn matches<R: Row + ?Sized>(&self, row: &R) -> bool {
        self.plan.range.contains(row.timestamp_s())
            && self
                .plan
                .filters
                .iter()
                .all(|(col, literal)| text(row, *col) == literal.as_str())
    }

    /// Adds one row (ignored unless it [`matches`](Self::matches)).
    pub fn push<R: Row + ?Sized>(&mut self, row: &R) {
        if !self.matches(row) {
            return;
        }
        match &self.plan.shape {
            Shape::Rows { cols } => {
                let out = cols
                    .iter()
                    .map(|(_, col)| match col {
                        RowCol::Timestamp => Value::Time(row.timestamp_s()),
                        RowCol::Text(c) => Value::Text(text(row, *c).to_owned()),
                        RowCol::Double(col) => Value::Float(Some(double(row, *col))),
                        RowCol::SampleInterval => Value::UInt(u64::from(row.sample_interval())),
                    })
                    .collect();
                self.rows.push(out);
            }
            Shape::Aggregate { keys, aggs } => {
                let key: Vec<GroupKey> = keys
                    .iter()
                    .map(|(_, key)| match key {
                        Key::Text(c) => GroupKey::Text(text(row, *c).to_owned()),
                        Key::Bucket(bucket) => GroupKey::Time(bucket.start_of(row.timestamp_s())),
                        Key::PrefixClass {
                            col,
                            prefix,
                            yes,
                            no,
                        } => GroupKey::Text(
                            if text(row, *col).starts_with(prefix) {
                                yes
                            } else {
                                no
                            }
                            .to_string(),
                        ),
                    })
                    .collect();
                let slots = &self.slots;
                let group = self
                    .groups
                    .entry(key)
                    .or_insert_with(|| new_group(aggs, slots));
                accumulate(group, aggs, slots, row);
            }
        }
    }

    /// Adds every row of one file's columns ([`PointColumns`], the store's columnar sidecar),
    /// with the same result as [`push`](Self::push)ing them one by one into an evaluator of
    /// their own and [`merge`](Self::merge)ing it (bit for bit: the same additions in the same
    /// order). Filters and text keys are decided once per dictionary value, and a row's group
    /// is found by numbers (dictionary ids, bucket starts), so no row allocates.
    ///
    /// ```
    /// use nno_obs_query::{eval::Evaluator, questions::FeatureStats, PlatformScope, Question, TimeRange};
    /// use nno_obs_store::columns::{ColumnsBuilder, PointColumns, SourceStamp};
    /// use nno_obs_store::layout::PlatformId;
    /// use nno_obs_store::points::write_row;
    ///
    /// let mut file = Vec::new();
    /// for (ms, duration) in [(1_000, 10.0), (2_000, 30.0)] {
    ///     write_row(&mut file, ms, Some("analytics"), &["analytics"], &[1.0, duration, 0.0]);
    /// }
    /// let mut builder = ColumnsBuilder::default();
    /// nno_obs_store::line::for_each_row(&file[..], &mut |row| builder.push(row)).unwrap();
    /// let bytes = builder.encode(SourceStamp::default());
    ///
    /// let scope = nno_obs_access::testing::platform(PlatformId::parse("k3m9p2xw7q").unwrap());
    /// let question = FeatureStats::new(&scope, TimeRange::new(0, 60).unwrap());
    /// let plans = question.plans();
    /// let mut evaluator = Evaluator::new(&plans[0]);
    /// evaluator.push_columns(&PointColumns::parse(&bytes).unwrap());
    /// let rows = question.answer(vec![evaluator.finish()]).unwrap();
    /// assert_eq!((rows[0].requests, rows[0].avg_ms), (2, Some(20.0)));
    /// ```
    pub fn push_columns(&mut self, columns: &PointColumns<'_>) {
        let Shape::Aggregate { keys, aggs } = &self.plan.shape else {
            for row in 0..columns.rows() {
                self.push(&ColumnRow { columns, row });
            }
            return;
        };
        let rows = columns.rows();
        // Per filter: every row's id, and which dictionary ids pass.
        let filters: Vec<(Vec<u32>, Vec<bool>)> = self
            .plan
            .filters
            .iter()
            .map(|(col, literal)| {
                let column = columns.text(text_index(*col));
                let pass = column
                    .dictionary()
                    .iter()
                    .map(|value| *value == literal.as_str())
                    .collect();
                (ids(&column, rows), pass)
            })
            .collect();
        let parts: Vec<KeyPart<'_>> = keys
            .iter()
            .map(|(_, key)| match key {
                Key::Text(c) => {
                    let column = columns.text(text_index(*c));
                    let ids = ids(&column, rows);
                    KeyPart::Id(column, ids)
                }
                Key::Bucket(bucket) => KeyPart::Bucket(*bucket),
                Key::PrefixClass {
                    col,
                    prefix,
                    yes,
                    no,
                } => {
                    let column = columns.text(text_index(*col));
                    let class = column
                        .dictionary()
                        .iter()
                        .map(|value| value.starts_with(prefix))
                        .collect();
                    KeyPart::Class {
                        ids: ids(&column, rows),
                        class,
                        yes,
                        no,
                    }
                }
            })
            .collect();
        let slots = &self.slots;
        // The file's groups by their numeric keys: an index into `groups`. When every key is a
        // text column or a prefix class (no time bucket) and the file has few combinations,
        // a dense table indexed by the ids (mixed radix) replaces the hash map.
        let radix: Option<Vec<usize>> = parts
            .iter()
            .map(|part| match part {
                KeyPart::Id(column, _) => Some(column.dictionary().len().max(1)),
                KeyPart::Class { .. } => Some(2),
                KeyPart::Bucket(_) => None,
            })
            .collect();
        let mut dense: Option<(Vec<usize>, Vec<usize>)> = radix.and_then(|radix| {
            let size = radix
                .iter()
                .try_fold(1usize, |size, r| size.checked_mul(*r))
                .filter(|size| *size <= DENSE_GROUPS)?;
            Some((radix, vec![usize::MAX; size]))
        });
        let mut index: FastMap<Vec<i64>, usize> = FastMap::default();
        let mut groups: Vec<(Vec<i64>, Group)> = Vec::new();
        let mut key: Vec<i64> = Vec::with_capacity(parts.len());
        // The numeric columns the aggregates read, decoded once (one file at a time).
        let mut decoded = Decoded {
            columns,
            timestamps: Vec::new(),
            weights: Vec::new(),
            doubles: vec![Vec::new(); usize::from(MAX_DOUBLE) + 1],
        };
        columns.timestamps_into(&mut decoded.timestamps);
        columns.sample_intervals_into(&mut decoded.weights);
        for (_, agg) in aggs {
            if let Agg::Sum { double: n, .. }
            | Agg::Mean { double: n }
            | Agg::Quantile { double: n, .. }
            | Agg::CountAbove { double: n, .. } = agg
            {
                if let Some(out) = decoded.doubles.get_mut(usize::from(n.position())) {
                    if out.is_empty() {
                        columns
                            .double(usize::from(n.position()))
                            .decode_into(rows, out);
                    }
                }
            }
        }
        for row in 0..rows {
            let timestamp = decoded.timestamps.get(row).copied().unwrap_or(0);
            if !self.plan.range.contains(timestamp)
                || !filters.iter().all(|(ids, pass)| {
                    ids.get(row)
                        .and_then(|id| pass.get(*id as usize))
                        .copied()
                        .unwrap_or(false)
                })
            {
                continue;
            }
            key.clear();
            key.extend(parts.iter().map(|part| {
                match part {
                    KeyPart::Id(_, ids) => i64::from(ids.get(row).copied().unwrap_or(0)),
                    KeyPart::Bucket(bucket) => bucket.start_of(timestamp),
                    KeyPart::Class { ids, class, .. } => i64::from(
                        ids.get(row)
                            .and_then(|id| class.get(*id as usize))
                            .copied()
                            .unwrap_or(false),
                    ),
                }
            }));
            let found = match &dense {
                Some((radix, table)) => {
                    let slot = key
                        .iter()
                        .zip(radix)
                        .fold(0usize, |slot, (n, r)| slot * r + *n as usize);
                    table.get(slot).copied().filter(|at| *at != usize::MAX)
                }
                None => index.get(key.as_slice()).copied(),
            };
            let at = match found {
                Some(at) => at,
                None => {
                    let at = groups.len();
                    groups.push((key.clone(), new_group(aggs, slots)));
                    match &mut dense {
                        Some((radix, table)) => {
                            let slot = key
                                .iter()
                                .zip(radix.iter())
                                .fold(0usize, |slot, (n, r)| slot * r + *n as usize);
                            if let Some(entry) = table.get_mut(slot) {
                                *entry = at;
                            }
                        }
                        None => {
                            index.insert(key.clone(), at);
                        }
                    }
                    at
                }
            };
            if let Some((_, group)) = groups.get_mut(at) {
                accumulate(
                    group,
                    aggs,
                    slots,
                    &DecodedRow {
                        decoded: &decoded,
                        row,
                    },
                );
            }
        }
        for (numbers, group) in groups {
            let key = parts
                .iter()
                .zip(numbers)
                .map(|(part, number)| match part {
                    KeyPart::Id(column, _) => GroupKey::Text(
                        column
                            .dictionary()
                            .get(number as usize)
                            .copied()
                            .unwrap_or("")
                            .to_owned(),
                    ),
                    KeyPart::Bucket(_) => GroupKey::Time(number),
                    KeyPart::Class { yes, no, .. } => {
                        GroupKey::Text(if number == 1 { yes } else { no }.to_string())
                    }
                })
                .collect();
            self.merge_group(key, group);
        }
    }

    /// Adds what `other` (an evaluator of the same plan over other rows) has seen: the local
    /// reader evaluates files on several threads and merges their states, in file order.
    pub fn merge(&mut self, other: Evaluator<'p>) {
        self.rows.extend(other.rows);
        for (key, theirs) in other.groups {
            self.merge_group(key, theirs);
        }
    }

    fn merge_group(&mut self, key: Vec<GroupKey>, theirs: Group) {
        match self.groups.get_mut(&key) {
            None => {
                self.groups.insert(key, theirs);
            }
            Some(mine) => {
                for (a, b) in mine.aggs.iter_mut().zip(theirs.aggs) {
                    match (a, b) {
                        (AggState::Count(a), AggState::Count(b)) => *a += b,
                        (AggState::Sum(a), AggState::Sum(b)) => *a += b,
                        (AggState::Mean { sum, weight }, AggState::Mean { sum: s, weight: w }) => {
                            *sum += s;
                            *weight += w;
                        }
                        (AggState::Distinct(a), AggState::Distinct(b)) => a.extend(b),
                        _ => {}
                    }
                }
                for (a, b) in mine.values.iter_mut().zip(theirs.values) {
                    for (value, weight) in b {
                        *a.entry(value).or_insert(0) += weight;
                    }
                }
            }
        }
    }

    /// The answer: rows in the plan's full order, limited.
    pub fn finish(self) -> Table {
        let mut table = Table::empty(self.plan);
        let Evaluator {
            plan, groups, rows, ..
        } = self;
        table.rows = match &plan.shape {
            Shape::Rows { .. } => rows,
            Shape::Aggregate { keys, aggs } => {
                let mut out: Vec<Vec<Value>> = groups
                    .into_iter()
                    .map(|(key, group)| finish_group(key, group, aggs))
                    .collect();
                if keys.is_empty() && out.is_empty() {
                    // An aggregate without GROUP BY answers one row even over no rows.
                    out.push(aggs.iter().map(|(_, agg)| empty_value(agg)).collect());
                }
                out
            }
        };
        let order = plan.full_order();
        table.rows.sort_by(|a, b| {
            for (i, dir) in &order {
                let (Some(x), Some(y)) = (a.get(*i), b.get(*i)) else {
                    continue;
                };
                let ord = match dir {
                    Dir::Asc => x.compare(y),
                    Dir::Desc => y.compare(x),
                };
                if ord.is_ne() {
                    return ord;
                }
            }
            std::cmp::Ordering::Equal
        });
        if let Some(limit) = plan.limit {
            table.rows.truncate(limit as usize);
        }
        table
    }
}

/// Adds one matching row to its group's states.
fn accumulate<R: Row + ?Sized>(
    group: &mut Group,
    aggs: &[(&'static str, Agg)],
    slots: &[Double],
    row: &R,
) {
    let weight = u64::from(row.sample_interval());
    for (state, (_, agg)) in group.aggs.iter_mut().zip(aggs) {
        match (state, agg) {
            (AggState::Count(n), Agg::Count { since })
                if since.is_none_or(|s| row.timestamp_s() >= s) =>
            {
                *n += weight;
            }
            (AggState::Count(n), Agg::CountAbove { double: d, above })
                if double(row, *d) > f64::from(*above) =>
            {
                *n += weight;
            }
            (AggState::Sum(sum), Agg::Sum { double: d, since })
                if since.is_none_or(|s| row.timestamp_s() >= s) =>
            {
                *sum += double(row, *d) * weight as f64;
            }
            (AggState::Mean { sum, weight: w }, Agg::Mean { double: d }) => {
                *sum += double(row, *d) * weight as f64;
                *w += weight;
            }
            (AggState::Distinct(set), Agg::Distinct { col }) => {
                let value = text(row, *col);
                if !set.contains(value) {
                    set.insert(value.to_owned());
                }
            }
            _ => {}
        }
    }
    for (slot, d) in slots.iter().enumerate() {
        // +0.0 makes -0.0 and 0.0 one value, as ClickHouse's comparison does.
        let value = double(row, *d) + 0.0;
        if let Some(map) = group.values.get_mut(slot) {
            *map.entry(value.to_bits()).or_insert(0) += weight;
        }
    }
}

/// The largest dense group table [`Evaluator::push_columns`] makes (key combinations).
const DENSE_GROUPS: usize = 1 << 16;

/// A group key part of a columnar row, as a number.
enum KeyPart<'c> {
    /// A text column's dictionary id (the column, every row's id).
    Id(TextColumn<'c>, Vec<u32>),
    /// The start of the row's bucket.
    Bucket(crate::time_range::Bucket),
    /// 1 when the value starts with the prefix (decided per dictionary value), else 0.
    Class {
        ids: Vec<u32>,
        class: Vec<bool>,
        yes: &'static str,
        no: &'static str,
    },
}

/// The highest N of `doubleN`.
const MAX_DOUBLE: u8 = 20;

fn ids(column: &TextColumn<'_>, rows: usize) -> Vec<u32> {
    let mut out = Vec::with_capacity(rows);
    column.ids_into(rows, &mut out);
    out
}

/// One file's columns with the numeric ones an aggregate reads decoded into plain vectors.
struct Decoded<'a, 'c> {
    columns: &'a PointColumns<'c>,
    timestamps: Vec<i64>,
    weights: Vec<u32>,
    /// Indexed by N; decoded only for the doubles the plan's aggregates read (empty
    /// otherwise, and then read from the columns).
    doubles: Vec<Vec<f64>>,
}

/// One row of [`Decoded`].
struct DecodedRow<'d, 'a, 'c> {
    decoded: &'d Decoded<'a, 'c>,
    row: usize,
}

impl Row for DecodedRow<'_, '_, '_> {
    #[inline]
    fn timestamp_s(&self) -> i64 {
        self.decoded.timestamps.get(self.row).copied().unwrap_or(0)
    }
    fn text(&self, col: TextCol) -> &str {
        self.decoded
            .columns
            .text_ref(text_index(col))
            .map_or("", |column| column.value(self.row))
    }
    #[inline]
    fn double(&self, col: Double) -> f64 {
        let n = usize::from(col.position());
        match self.decoded.doubles.get(n) {
            Some(values) if !values.is_empty() => values.get(self.row).copied().unwrap_or(0.0),
            _ => self.decoded.columns.double(n).get(self.row),
        }
    }
    #[inline]
    fn sample_interval(&self) -> u32 {
        self.decoded.weights.get(self.row).copied().unwrap_or(0)
    }
}

/// The store's text column number of `col` (0 `index1`, N `blobN`; out of range for
/// `blob0`, which reads as `""` as in every other row form).
fn text_index(col: TextCol) -> usize {
    match col {
        TextCol::Index1 => 0,
        TextCol::Blob(blob) => usize::from(blob.position()),
    }
}

/// One row of a file's columns.
pub(crate) struct ColumnRow<'a, 'c> {
    columns: &'a PointColumns<'c>,
    row: usize,
}

impl<'a, 'c> ColumnRow<'a, 'c> {
    /// Row `row` of `columns` (for the local reader's row stream).
    #[cfg(all(feature = "local", not(target_arch = "wasm32")))]
    pub(crate) fn new(columns: &'a PointColumns<'c>, row: usize) -> Self {
        Self { columns, row }
    }
}

impl Row for ColumnRow<'_, '_> {
    fn timestamp_s(&self) -> i64 {
        self.columns.timestamp(self.row)
    }
    fn text(&self, col: TextCol) -> &str {
        self.columns
            .text_ref(text_index(col))
            .map_or("", |column| column.value(self.row))
    }
    fn double(&self, col: Double) -> f64 {
        self.columns
            .double(usize::from(col.position()))
            .get(self.row)
    }
    fn sample_interval(&self) -> u32 {
        self.columns.sample_interval(self.row)
    }
}

impl Row for AnyRow<'_> {
    fn timestamp_s(&self) -> i64 {
        AnyRow::timestamp_s(self)
    }
    fn text(&self, col: TextCol) -> &str {
        match col {
            TextCol::Index1 => self.index1(),
            TextCol::Blob(blob) => self.blob(blob.position()),
        }
    }
    fn double(&self, col: Double) -> f64 {
        AnyRow::double(self, col.position())
    }
    fn sample_interval(&self) -> u32 {
        AnyRow::sample_interval(self)
    }
}

fn new_group(aggs: &[(&'static str, Agg)], slots: &[Double]) -> Group {
    Group {
        aggs: aggs
            .iter()
            .map(|(_, agg)| match agg {
                Agg::Count { .. } | Agg::CountAbove { .. } => AggState::Count(0),
                Agg::Sum { .. } => AggState::Sum(0.0),
                Agg::Mean { .. } => AggState::Mean {
                    sum: 0.0,
                    weight: 0,
                },
                Agg::Quantile { double, .. } => AggState::Quantile {
                    slot: slots.iter().position(|d| d == double).unwrap_or(0),
                },
                Agg::Distinct { .. } => AggState::Distinct(HashSet::new()),
            })
            .collect(),
        values: slots.iter().map(|_| FastMap::default()).collect(),
    }
}

fn empty_value(agg: &Agg) -> Value {
    match agg {
        Agg::Count { .. } | Agg::CountAbove { .. } | Agg::Distinct { .. } => Value::UInt(0),
        Agg::Sum { .. } => Value::Float(Some(0.0)),
        Agg::Mean { .. } | Agg::Quantile { .. } => Value::Float(None),
    }
}

fn finish_group(key: Vec<GroupKey>, group: Group, aggs: &[(&'static str, Agg)]) -> Vec<Value> {
    let mut out: Vec<Value> = key
        .into_iter()
        .map(|k| match k {
            GroupKey::Text(t) => Value::Text(t),
            GroupKey::Time(t) => Value::Time(t),
        })
        .collect();
    let mut sorted: Vec<Option<Vec<(f64, u64)>>> = vec![None; group.values.len()];
    for (state, (_, agg)) in group.aggs.into_iter().zip(aggs) {
        out.push(match state {
            AggState::Count(n) => Value::UInt(n),
            AggState::Sum(sum) => Value::Float(Some(sum)),
            AggState::Mean { sum, weight } => {
                Value::Float((weight > 0).then(|| sum / weight as f64))
            }
            AggState::Distinct(set) => Value::UInt(set.len() as u64),
            AggState::Quantile { slot } => {
                let level = match agg {
                    Agg::Quantile { level, .. } => *level,
                    _ => 0.5,
                };
                let values = sorted[slot].get_or_insert_with(|| {
                    let mut values: Vec<(f64, u64)> = group.values[slot]
                        .iter()
                        .map(|(bits, w)| (f64::from_bits(*bits), *w))
                        .collect();
                    values.sort_by(|a, b| a.0.total_cmp(&b.0));
                    values
                });
                Value::Float(quantile_exact_weighted(values, level))
            }
        });
    }
    out
}

/// ClickHouse's `quantileExactWeighted(level)` over `(value, weight)` sorted by value: the
/// first value whose cumulative weight reaches `ceil(level × total)`; the last value if none
/// does (rounding); `None` for no values.
///
/// ```
/// use nno_obs_query::eval::quantile_exact_weighted;
///
/// let values = [(1.0, 1), (2.0, 1), (3.0, 1), (4.0, 1)];
/// assert_eq!(quantile_exact_weighted(&values, 0.5), Some(2.0)); // the lower value at a boundary
/// assert_eq!(quantile_exact_weighted(&values, 0.0), Some(1.0));
/// assert_eq!(quantile_exact_weighted(&values, 1.0), Some(4.0));
/// assert_eq!(quantile_exact_weighted(&[(7.0, 1)], 0.99), Some(7.0));
/// assert_eq!(quantile_exact_weighted(&[], 0.5), None);
/// ```
pub fn quantile_exact_weighted(sorted: &[(f64, u64)], level: f64) -> Option<f64> {
    let total: f64 = sorted.iter().map(|(_, w)| *w as f64).sum();
    let threshold = (total * level).ceil();
    let mut accumulated = 0.0;
    for (value, weight) in sorted {
        accumulated += *weight as f64;
        if accumulated >= threshold {
            return Some(*value);
        }
    }
    sorted.last().map(|(value, _)| *value)
}
