//! Skipping, without parsing, the lines that cannot hold the trace id or user id a query wants.
//!
//! A trace (or user) search matches only entries whose line's `traceId` equals the id. The id
//! sits in the raw line as a JSON string inside a JSON string (`Message[0]`); when the id is
//! made only of characters JSON never escapes, and the line has no `\u` escape anywhere,
//! every decoded occurrence of the id is also a literal occurrence in the raw bytes. So a line
//! without the literal id cannot match, and is skipped unparsed. In every other case (an id with
//! other characters, a line with a `\u` escape) the line is parsed as usual: the prefilter can
//! only skip work, never a match. The text filter has no prefilter: its matches include texts
//! the raw line does not hold literally (`Name: Message` of an exception, compact JSON of an
//! argument).

use crate::query::LogQuery;

/// Characters that JSON never writes escaped (and that are not a `\u` escape's start).
/// Whether `bytes` may hold a `\u` escape (a backslash followed by `u`; an escaped backslash
/// before a `u` also counts, which only costs a parse).
pub(crate) fn may_have_unicode_escape(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'\\', bytes).any(|at| bytes.get(at + 1) == Some(&b'u'))
}

pub(crate) fn is_plain(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-_.:+=@#~!$%&*(),;<>?[]^{}|` '".contains(&byte)
}

/// The literal byte strings of which a matching line must contain each, for `query`.
///
/// ```
/// use nno_obs_logs::{prefilter::Prefilter, LogQuery};
///
/// let q = LogQuery { trace_id: Some("tr-42".into()), ..Default::default() };
/// let filter = Prefilter::new(&q);
/// assert!(filter.may_match(br#"{"Logs":[{"Message":["{\"traceId\":\"tr-42\"}"]}]}"#));
/// assert!(!filter.may_match(br#"{"Logs":[{"Message":["{\"traceId\":\"tr-41\"}"]}]}"#));
/// // A \u escape could spell the id differently: parsed, not skipped.
/// assert!(filter.may_match(br#"{"Logs":[{"Message":["{\"traceId\":\"tr\\u002d42\"}"]}]}"#));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Prefilter {
    needles: Vec<memchr::memmem::Finder<'static>>,
}

impl Prefilter {
    /// The prefilter of `query` (empty, i.e. keep everything, when nothing qualifies).
    pub fn new(query: &LogQuery) -> Self {
        let needles = [&query.trace_id, &query.user_id]
            .into_iter()
            .flatten()
            .filter(|id| !id.is_empty() && id.bytes().all(is_plain))
            .map(|id| memchr::memmem::Finder::new(id.as_bytes()).into_owned())
            .collect();
        Self { needles }
    }

    /// Whether it skips anything at all.
    pub fn is_active(&self) -> bool {
        !self.needles.is_empty()
    }

    /// `false` only when no entry of `line` can match.
    pub fn may_match(&self, line: &[u8]) -> bool {
        if self.needles.is_empty() || may_have_unicode_escape(line) {
            return true;
        }
        self.needles
            .iter()
            .all(|needle| needle.find(line).is_some())
    }
}
