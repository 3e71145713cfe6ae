//! Skipping, without parsing, the lines that cannot hold a match.
//!
//! # Trace and user ids
//!
//! A trace (or user) search matches only entries whose line's `traceId` equals the id. The id
//! sits in the raw line as a JSON string inside a JSON string (`Message[0]`); when the id is
//! made only of characters JSON never escapes, and the line has no `\u` escape anywhere,
//! every decoded occurrence of the id is also a literal occurrence in the raw bytes. So a line
//! without the literal id cannot match, and is skipped unparsed. In every other case (an id with
//! other characters, a line with a `\u` escape) the line is parsed as usual: the prefilter can
//! only skip work, never a match.
//!
//! # Text
//!
//! The text filter matches, case-insensitively, texts that are not all in the raw line as
//! written: `Name: Message` of an exception, `invocation ended: …` of a silent failure, the
//! arguments of a console call joined by spaces, compact JSON re-rendered from a non-string
//! argument. So a line is skipped for the text only when none of those can occur, checked on
//! the raw bytes by [`TextFilter::skip`] (one pass over the line, no allocation):
//!
//! - the needle (lowercased, as [`crate::Matcher`] has it) is ASCII without `"`, `\`, `/` or
//!   control characters, so JSON never writes it escaped except with `\u`;
//! - the line has no `\u` escape (at either level of the string-in-a-string) and no character
//!   whose lowercase is ASCII (U+0130, U+212A), and it is valid UTF-8;
//! - the line is a record the parser reads without error (checked strictly: anything unusual,
//!   such as a number with an exponent, deep nesting or a tab, sends the line to the parser);
//! - `Exceptions` is absent, empty or not a list; `Logs` has at least one object (so there is
//!   no `invocation ended` entry); every log's `Message` is not a list, or a list of at most one
//!   string (so nothing is joined or re-rendered);
//! - and the needle does not occur in the raw line, ASCII case folded.
//!
//! Then every text the matcher compares (the message, our line's member values, a plain
//! console text) is a decoded JSON string or raw JSON inside the line, and each of its needle
//! occurrences is a literal one in the raw line: the line cannot match. Its records and entries
//! are still counted, as parsing would have counted them; a line the parser would have reported
//! (bad, repaired) is never skipped.

use crate::query::LogQuery;

/// Whether `bytes` may hold a `\u` escape (a backslash followed by `u`; an escaped backslash
/// before a `u` also counts, which only costs a parse).
pub(crate) fn may_have_unicode_escape(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'\\', bytes).any(|at| bytes.get(at + 1) == Some(&b'u'))
}

/// Characters that JSON never writes escaped (and that are not a `\u` escape's start).
pub(crate) fn is_plain(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-_.:+=@#~!$%&*(),;<>?[]^{}|` '".contains(&byte)
}

/// Characters of a text needle that a JSON writer can only hide behind a `\u` escape: printable
/// ASCII but `"`, `\` and `/` (which may be written `\/`), and the space.
pub(crate) fn is_literal_text(byte: u8) -> bool {
    (byte.is_ascii_graphic() && !matches!(byte, b'"' | b'\\' | b'/')) || byte == b' '
}

/// Whether `text` holds one of the two non-ASCII characters whose lowercase contains an ASCII
/// letter: U+0130 `İ` (lowercase `i̇`) and U+212A KELVIN SIGN (lowercase `k`).
pub(crate) fn has_char_folding_to_ascii(text: &[u8]) -> bool {
    // U+0130 is C4 B0 and U+212A is E2 84 AA in UTF-8: find the lead bytes, check the rest.
    memchr::memchr2_iter(0xC4, 0xE2, text).any(|at| {
        let rest = &text[at..];
        rest.starts_with("\u{130}".as_bytes()) || rest.starts_with("\u{212A}".as_bytes())
    })
}

/// What the prefilter says of one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It may match: parse it.
    Parse,
    /// No entry of it can match; `entries` is how many entries parsing would have given, when
    /// known.
    Skip {
        /// The line's entries, when the prefilter counted them.
        entries: Option<u64>,
    },
}

/// The literal byte strings of which a matching line must contain each, for `query`, and the
/// text filter.
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
///
/// let q = LogQuery { text: Some("Disk FULL".into()), ..Default::default() };
/// let filter = Prefilter::new(&q);
/// assert!(filter.may_match(b"{\"Logs\":[{\"Message\":[\"disk full\"]}]}\n"));
/// assert!(!filter.may_match(b"{\"Logs\":[{\"Message\":[\"disk ok\"]}]}\n"));
/// // Two arguments are joined by a space: "disk" "full" matches, so it is parsed.
/// assert!(filter.may_match(b"{\"Logs\":[{\"Message\":[\"disk\",\"full\"]}]}\n"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Prefilter {
    needles: Vec<memchr::memmem::Finder<'static>>,
    text: Option<TextFilter>,
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
        Self {
            needles,
            text: query.text.as_deref().and_then(TextFilter::new),
        }
    }

    /// Whether it skips anything at all.
    pub fn is_active(&self) -> bool {
        !self.needles.is_empty() || self.text.is_some()
    }

    /// `false` only when no entry of `line` can match.
    pub fn may_match(&self, line: &[u8]) -> bool {
        self.verdict(line, &mut Vec::new()) == Verdict::Parse
    }

    /// Whether `line` (with its `\n`) may match; `scratch` is a buffer reused across lines.
    pub fn verdict(&self, line: &[u8], scratch: &mut Vec<u8>) -> Verdict {
        if let Some(text) = &self.text {
            if let Some(entries) = text.skip(line, scratch) {
                return Verdict::Skip {
                    entries: Some(entries),
                };
            }
        }
        if self.needles.is_empty() || may_have_unicode_escape(line) {
            return Verdict::Parse;
        }
        if self
            .needles
            .iter()
            .all(|needle| needle.find(line).is_some())
        {
            Verdict::Parse
        } else {
            Verdict::Skip { entries: None }
        }
    }
}

/// The text part of the prefilter (see the module docs).
#[derive(Clone, Debug)]
pub struct TextFilter {
    /// The needle, lowercased.
    needle: memchr::memmem::Finder<'static>,
}

impl TextFilter {
    /// The filter of a query's `text`; `None` when the text could be hidden by JSON (or is
    /// empty, which matches everything).
    pub fn new(text: &str) -> Option<Self> {
        let needle = text.to_lowercase();
        (!needle.is_empty() && needle.bytes().all(is_literal_text)).then(|| Self {
            needle: memchr::memmem::Finder::new(needle.as_bytes()).into_owned(),
        })
    }

    /// `Some(entries)` when no entry of `line` can hold the needle, with the number of entries
    /// the line has; `None` when it must be parsed. `scratch` is reused across lines.
    pub fn skip(&self, line: &[u8], scratch: &mut Vec<u8>) -> Option<u64> {
        // The needle first: a line holding it is parsed whatever its shape.
        scratch.clear();
        scratch.extend(line.iter().map(u8::to_ascii_lowercase));
        if self.needle.find(scratch).is_some() {
            return None;
        }
        let body = trim_line_end(line);
        // Control characters (a tab between tokens is legal JSON, but rare): to the parser.
        if body.iter().fold(false, |any, &b| any | (b < 0x20)) {
            return None;
        }
        if std::str::from_utf8(body).is_err() || has_char_folding_to_ascii(body) {
            return None;
        }
        let mut scan = Scan { bytes: body, at: 0 };
        let entries = scan.record().ok()?;
        scan.spaces();
        (scan.at == body.len()).then_some(entries)
    }
}

/// The line without its `\n` or `\r\n` (the parser trims trailing whitespace; a line ending in
/// other whitespace is sent to the parser by the scan).
fn trim_line_end(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &line[..end]
}

/// The position of the first `"` or `\\` at or after `at` (or of the eight-byte word holding
/// it: the caller goes on byte by byte), or the end.
fn skip_plain(bytes: &[u8], mut at: usize) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const QUOTES: u64 = u64::from_ne_bytes([b'"'; 8]);
    const BACKSLASHES: u64 = u64::from_ne_bytes([b'\\'; 8]);
    // Whether a word has a zero byte (exact as a yes/no answer).
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS != 0;
    while let Some(Ok(word)) = bytes.get(at..at + 8).map(<[u8; 8]>::try_from) {
        let word = u64::from_ne_bytes(word);
        if has_zero(word ^ QUOTES) || has_zero(word ^ BACKSLASHES) {
            break;
        }
        at += 8;
    }
    at
}

/// Why a scan stopped: the line goes to the parser.
#[derive(Debug)]
struct ToParser;

/// Nesting beyond this is left to the parser (serde_json's own limit is 128).
const MAX_DEPTH: u32 = 64;

/// The objects whose members the record's typed parse knows: a known member twice is an error
/// there, so the scan must see it too.
#[derive(Clone, Copy)]
enum Known {
    Event,
    Request,
    Response,
    Log,
}

impl Known {
    fn member(self, key: &[u8]) -> Option<u32> {
        let names: &[&[u8]] = match self {
            Known::Event => &[b"RayID", b"Request", b"Response"],
            Known::Request => &[b"URL", b"Method"],
            Known::Response => &[b"Status"],
            Known::Log => &[b"Level", b"Message", b"TimestampMs"],
        };
        names
            .iter()
            .position(|name| *name == key)
            .map(|at| at as u32)
    }
}

/// A strict scanner of one record line: it accepts a subset of what the parser accepts, and
/// stops at anything else.
struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), ToParser> {
        self.spaces();
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(ToParser)
        }
    }

    /// The top-level record: its number of entries, when it has the shape the text filter
    /// needs (see the module docs).
    fn record(&mut self) -> Result<u64, ToParser> {
        let mut seen = 0u32;
        let mut log_objects = 0u64;
        self.object_members(|scan, key| {
            const NAMES: [&[u8]; 8] = [
                b"ScriptName",
                b"Outcome",
                b"EventTimestampMs",
                b"EventType",
                b"Event",
                b"Ray",
                b"Logs",
                b"Exceptions",
            ];
            let Some(index) = NAMES.iter().position(|name| *name == key) else {
                return scan.value(1);
            };
            let bit = 1 << index;
            if seen & bit != 0 {
                return Err(ToParser);
            }
            seen |= bit;
            match key {
                b"Event" => scan.known_or_any(Known::Event, 1),
                b"Logs" => scan.logs(&mut log_objects),
                b"Exceptions" => scan.no_exceptions(),
                _ => scan.value(1),
            }
        })?;
        if log_objects == 0 {
            // No log: maybe an `invocation ended` entry, whose text is not in the line.
            return Err(ToParser);
        }
        Ok(log_objects)
    }

    /// `{ "key": value, … }`, `member` reading each value (the cursor after the `:`).
    fn object_members(
        &mut self,
        mut member: impl FnMut(&mut Self, &'a [u8]) -> Result<(), ToParser>,
    ) -> Result<(), ToParser> {
        self.expect(b'{')?;
        self.spaces();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(());
        }
        loop {
            self.spaces();
            let key = self.string()?;
            if key.contains(&b'\\') {
                // A key spelled with escapes: not worth reasoning about.
                return Err(ToParser);
            }
            self.expect(b':')?;
            self.spaces();
            member(self, key)?;
            self.spaces();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(ToParser),
            }
        }
    }

    /// An object of a typed part (duplicate known members checked), or any other value.
    fn known_or_any(&mut self, known: Known, depth: u32) -> Result<(), ToParser> {
        if self.peek() != Some(b'{') {
            return self.value(depth);
        }
        let mut seen = 0u32;
        self.object_members(|scan, key| {
            let Some(index) = known.member(key) else {
                return scan.value(depth + 1);
            };
            if seen & (1 << index) != 0 {
                return Err(ToParser);
            }
            seen |= 1 << index;
            match (known, key) {
                (Known::Event, b"Request") => scan.known_or_any(Known::Request, depth + 1),
                (Known::Event, b"Response") => scan.known_or_any(Known::Response, depth + 1),
                (Known::Log, b"Message") => scan.message(),
                _ => scan.value(depth + 1),
            }
        })
    }

    /// `Logs`: a list, each object one entry (other elements are skipped by the parser); any
    /// other value means no logs.
    fn logs(&mut self, objects: &mut u64) -> Result<(), ToParser> {
        if self.peek() != Some(b'[') {
            return self.value(1);
        }
        self.at += 1;
        self.spaces();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(());
        }
        loop {
            self.spaces();
            if self.peek() == Some(b'{') {
                *objects += 1;
                self.known_or_any(Known::Log, 2)?;
            } else {
                self.value(2)?;
            }
            self.spaces();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(ToParser),
            }
        }
    }

    /// `Message`: a list of at most one string, or not a list (then the parser reads no
    /// arguments).
    fn message(&mut self) -> Result<(), ToParser> {
        if self.peek() != Some(b'[') {
            return self.value(3);
        }
        self.at += 1;
        self.spaces();
        if self.peek() == Some(b'"') {
            self.string()?;
        }
        self.expect(b']')
    }

    /// `Exceptions`: absent, an empty list or anything but a list or object.
    fn no_exceptions(&mut self) -> Result<(), ToParser> {
        match self.peek() {
            Some(b'[') => {
                self.at += 1;
                self.expect(b']')
            }
            Some(b'{') => Err(ToParser),
            _ => self.value(1),
        }
    }

    /// A string's raw content (the cursor on its opening quote). Escapes are checked; a `\u`
    /// escape, or an escaped backslash before a `u` (a `\u` of the string inside the string),
    /// stops the scan.
    fn string(&mut self) -> Result<&'a [u8], ToParser> {
        if self.peek() != Some(b'"') {
            return Err(ToParser);
        }
        let bytes = self.bytes;
        let start = self.at + 1;
        let mut at = start;
        loop {
            // Our lines are JSON inside a JSON string: an escape every few bytes, too dense for
            // memchr (its per-call cost dominated); eight bytes at a time, then one by one.
            at = skip_plain(bytes, at);
            while bytes.get(at).is_some_and(|b| !matches!(b, b'"' | b'\\')) {
                at += 1;
            }
            match bytes.get(at) {
                None => return Err(ToParser),
                Some(b'"') => {
                    self.at = at + 1;
                    return Ok(&bytes[start..at]);
                }
                Some(_) => {}
            }
            match self.bytes.get(at + 1) {
                Some(b'"' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => at += 2,
                Some(b'\\') if self.bytes.get(at + 2) != Some(&b'u') => at += 2,
                _ => return Err(ToParser),
            }
        }
    }

    /// Any JSON value, nested at most [`MAX_DEPTH`] deep.
    fn value(&mut self, depth: u32) -> Result<(), ToParser> {
        match self.peek() {
            Some(b'"') => self.string().map(drop),
            Some(b'{') => {
                if depth >= MAX_DEPTH {
                    return Err(ToParser);
                }
                self.object_members(|scan, _| scan.value(depth + 1))
            }
            Some(b'[') => {
                if depth >= MAX_DEPTH {
                    return Err(ToParser);
                }
                self.at += 1;
                self.spaces();
                if self.peek() == Some(b']') {
                    self.at += 1;
                    return Ok(());
                }
                loop {
                    self.spaces();
                    self.value(depth + 1)?;
                    self.spaces();
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        Some(b']') => {
                            self.at += 1;
                            return Ok(());
                        }
                        _ => return Err(ToParser),
                    }
                }
            }
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(ToParser),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), ToParser> {
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(())
        } else {
            Err(ToParser)
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)?`, at most 100 characters; an exponent (which can
    /// overflow a float, an error to the parser) stops the scan.
    fn number(&mut self) -> Result<(), ToParser> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(ToParser),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            let fraction = self.at;
            self.digits();
            if self.at == fraction {
                return Err(ToParser);
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E' | b'0'..=b'9')) || self.at - start > 100 {
            return Err(ToParser);
        }
        Ok(())
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
    }
}
