//! Analytics Engine data points in pure Rust, with Analytics Engine's limits enforced.
//!
//! workers-rs' `AnalyticsEngineDataPointBuilder` holds JavaScript arrays and cannot exist
//! natively, so points are built here and converted at the edge (see
//! [`sink::AnalyticsEngineSink`](crate::sink)). A point borrows its strings and lives on the
//! stack: building one does not allocate.
//!
//! # Limits and what happens beyond them
//!
//! | limit | outcome |
//! |---|---|
//! | at most [`MAX_BLOBS`] blobs | later blobs are dropped (earlier positions keep their meaning) |
//! | at most [`MAX_DOUBLES`] doubles | later doubles are dropped |
//! | one index of at most [`MAX_INDEX_BYTES`] bytes | cut at the last char boundary that fits |
//! | [`MAX_BLOB_BYTES`] of blob bytes in total | the blob that crosses the budget is cut at a char boundary, later blobs are written empty (their positions stay) |
//!
//! Every cut is recorded in [`DataPoint::truncation`] and counted in
//! [`Stats::points_truncated`](crate::StatsSnapshot::points_truncated) when written. The 250
//! writes per request context are enforced by [`Obs`](crate::Obs).

/// Most blobs a point may carry.
pub const MAX_BLOBS: usize = 20;
/// Most doubles a point may carry.
pub const MAX_DOUBLES: usize = 20;
/// Longest index, in bytes.
pub const MAX_INDEX_BYTES: usize = 96;
/// Most blob bytes in one point, all blobs together (16 KB).
pub const MAX_BLOB_BYTES: usize = 16 * 1024;
/// Most data points one request context may write.
pub const MAX_WRITES_PER_REQUEST: u32 = 250;

/// What was cut from a point to respect the limits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Truncation {
    /// Blobs dropped because the point already had [`MAX_BLOBS`].
    pub dropped_blobs: u32,
    /// Doubles dropped because the point already had [`MAX_DOUBLES`].
    pub dropped_doubles: u32,
    /// Blobs cut (or emptied) to stay within [`MAX_BLOB_BYTES`].
    pub cut_blobs: u32,
    /// Whether the index was cut to [`MAX_INDEX_BYTES`].
    pub cut_index: bool,
}

impl Truncation {
    /// Whether nothing was cut.
    pub fn is_none(&self) -> bool {
        *self == Truncation::default()
    }
}

/// One Analytics Engine data point: blobs, doubles and one index.
///
/// ```
/// use nno_obs::DataPoint;
///
/// let point = DataPoint::new()
///     .blob("analytics")
///     .blob("GET /api/data")
///     .double(1.0)
///     .index("analytics");
/// assert_eq!(point.blobs(), ["analytics", "GET /api/data"]);
/// assert_eq!(point.doubles(), [1.0]);
/// assert_eq!(point.index_value(), Some("analytics"));
/// assert!(point.truncation().is_none());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct DataPoint<'a> {
    blobs: [&'a str; MAX_BLOBS],
    blob_count: usize,
    blob_bytes: usize,
    doubles: [f64; MAX_DOUBLES],
    double_count: usize,
    index: Option<&'a str>,
    truncation: Truncation,
}

impl Default for DataPoint<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> DataPoint<'a> {
    /// An empty point.
    pub const fn new() -> Self {
        Self {
            blobs: [""; MAX_BLOBS],
            blob_count: 0,
            blob_bytes: 0,
            doubles: [0.0; MAX_DOUBLES],
            double_count: 0,
            index: None,
            truncation: Truncation {
                dropped_blobs: 0,
                dropped_doubles: 0,
                cut_blobs: 0,
                cut_index: false,
            },
        }
    }

    /// Appends a blob (see the limits in the module docs).
    pub fn blob(mut self, blob: &'a str) -> Self {
        self.push_blob(blob);
        self
    }

    /// Appends a double.
    pub fn double(mut self, double: f64) -> Self {
        self.push_double(double);
        self
    }

    /// Sets the index, cut to [`MAX_INDEX_BYTES`] at a char boundary.
    pub fn index(mut self, index: &'a str) -> Self {
        self.set_index(index);
        self
    }

    /// Appends a blob in place; returns whether it was kept whole.
    pub fn push_blob(&mut self, blob: &'a str) -> bool {
        let Some(slot) = self.blobs.get_mut(self.blob_count) else {
            self.truncation.dropped_blobs += 1;
            return false;
        };
        let budget = MAX_BLOB_BYTES - self.blob_bytes;
        let kept = cut_at_char_boundary(blob, budget);
        *slot = kept;
        self.blob_count += 1;
        self.blob_bytes += kept.len();
        if kept.len() < blob.len() {
            self.truncation.cut_blobs += 1;
            return false;
        }
        true
    }

    /// A point of a fixed layout: `blobs` and `doubles` each filled by slot from the
    /// positions named in `nno-obs-schema` (so no writer states a position of its own), then
    /// appended in position order under the same limits as [`push_blob`](Self::push_blob).
    pub(crate) fn from_layout<const B: usize, const D: usize>(
        blobs: [&'a str; B],
        doubles: [f64; D],
        index: &'a str,
    ) -> Self {
        let mut point = DataPoint::new();
        for blob in blobs {
            point.push_blob(blob);
        }
        for double in doubles {
            point.push_double(double);
        }
        point.set_index(index);
        point
    }

    /// Appends a double in place; returns whether it was kept.
    pub fn push_double(&mut self, double: f64) -> bool {
        let Some(slot) = self.doubles.get_mut(self.double_count) else {
            self.truncation.dropped_doubles += 1;
            return false;
        };
        *slot = double;
        self.double_count += 1;
        true
    }

    /// Sets the index in place; returns whether it was kept whole.
    pub fn set_index(&mut self, index: &'a str) -> bool {
        let kept = cut_at_char_boundary(index, MAX_INDEX_BYTES);
        self.index = Some(kept);
        let whole = kept.len() == index.len();
        self.truncation.cut_index = !whole;
        whole
    }

    /// The blobs, in order.
    pub fn blobs(&self) -> &[&'a str] {
        &self.blobs[..self.blob_count]
    }

    /// The doubles, in order.
    pub fn doubles(&self) -> &[f64] {
        &self.doubles[..self.double_count]
    }

    /// The index, if set (`indexes: [index]` on the wire).
    pub fn index_value(&self) -> Option<&'a str> {
        self.index
    }

    /// What was cut to respect the limits.
    pub fn truncation(&self) -> Truncation {
        self.truncation
    }

    /// Appends the point as the JSON object `writeDataPoint` receives:
    /// `{"blobs":[…],"doubles":[…],"indexes":[…]}` (`indexes` is `[]` without an index;
    /// non-finite doubles are written as `null`).
    ///
    /// ```
    /// let point = nno_obs::DataPoint::new().blob("a").double(2.5).index("a");
    /// let mut json = Vec::new();
    /// point.write_json(&mut json);
    /// assert_eq!(json, br#"{"blobs":["a"],"doubles":[2.5],"indexes":["a"]}"#);
    /// ```
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{");
        self.write_json_members(out);
        out.extend_from_slice(b"}");
    }

    /// Appends `"blobs":[…],"doubles":[…],"indexes":[…]` without braces, so stores can put
    /// their own keys first.
    pub fn write_json_members(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\"blobs\":[");
        for (position, blob) in self.blobs().iter().enumerate() {
            if position > 0 {
                out.push(b',');
            }
            crate::json::write_str(out, blob);
        }
        out.extend_from_slice(b"],\"doubles\":[");
        for (position, double) in self.doubles().iter().enumerate() {
            if position > 0 {
                out.push(b',');
            }
            crate::json::write_f64(out, *double);
        }
        out.extend_from_slice(b"],\"indexes\":[");
        if let Some(index) = self.index {
            crate::json::write_str(out, index);
        }
        out.push(b']');
    }
}

/// The longest prefix of `text` that is at most `max` bytes and ends on a char boundary.
pub(crate) fn cut_at_char_boundary(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_beyond_twenty_are_dropped() {
        let mut point = DataPoint::new();
        for _ in 0..MAX_BLOBS {
            assert!(point.push_blob("x"));
        }
        assert!(!point.push_blob("21st"));
        assert!(!point.push_blob("22nd"));
        assert_eq!(point.blobs().len(), MAX_BLOBS);
        assert_eq!(point.truncation().dropped_blobs, 2);
    }

    #[test]
    fn doubles_beyond_twenty_are_dropped() {
        let mut point = DataPoint::new();
        for n in 0..MAX_DOUBLES {
            assert!(point.push_double(n as f64));
        }
        assert!(!point.push_double(99.0));
        assert_eq!(point.doubles().len(), MAX_DOUBLES);
        assert_eq!(point.doubles()[19], 19.0);
        assert_eq!(point.truncation().dropped_doubles, 1);
    }

    #[test]
    fn index_is_cut_at_a_char_boundary() {
        let exact = "a".repeat(MAX_INDEX_BYTES);
        let point = DataPoint::new().index(&exact);
        assert_eq!(point.index_value(), Some(exact.as_str()));
        assert!(point.truncation().is_none());

        // 95 ASCII bytes then a 3-byte char straddling the 96-byte limit.
        let straddling = format!("{}€tail", "a".repeat(95));
        let point = DataPoint::new().index(&straddling);
        assert_eq!(point.index_value().map(str::len), Some(95));
        assert!(point.truncation().cut_index);
    }

    #[test]
    fn blob_bytes_are_capped_at_16_kb_keeping_positions() {
        let big = "b".repeat(10 * 1024);
        let point = DataPoint::new()
            .blob(&big)
            .blob(&big)
            .blob("after")
            .blob("");
        assert_eq!(point.blobs().len(), 4);
        assert_eq!(point.blobs()[0].len(), 10 * 1024);
        assert_eq!(point.blobs()[1].len(), 6 * 1024);
        assert_eq!(point.blobs()[2], "");
        assert_eq!(point.blobs()[3], "");
        let total: usize = point.blobs().iter().map(|b| b.len()).sum();
        assert_eq!(total, MAX_BLOB_BYTES);
        // The emptied "after" counts as cut; the empty blob lost nothing.
        assert_eq!(point.truncation().cut_blobs, 2);
    }

    #[test]
    fn blob_budget_cut_respects_char_boundaries() {
        let head = "h".repeat(MAX_BLOB_BYTES - 1);
        let point = DataPoint::new().blob(&head).blob("é");
        assert_eq!(point.blobs()[1], "");
        assert_eq!(point.truncation().cut_blobs, 1);
    }

    #[test]
    fn json_form_matches_write_data_point() {
        let point = DataPoint::new()
            .blob("a\"b")
            .double(1.0)
            .double(f64::NAN)
            .double(0.5);
        let mut json = Vec::new();
        point.write_json(&mut json);
        assert_eq!(
            String::from_utf8(json).unwrap(),
            r#"{"blobs":["a\"b"],"doubles":[1,null,0.5],"indexes":[]}"#
        );
    }
}
