//! JSON text exactly as JavaScript's `JSON.stringify` writes it, into a byte buffer.
//!
//! serde_json does the escaping; a custom [`Formatter`] makes two changes to it:
//!
//! * numbers are written as ECMAScript's `Number.prototype.toString` would (`1`, not `1.0`;
//!   `1e+21`, not `1e21`), through `ryu-js`, so a Rust `f64` field matches the seed's
//!   TypeScript output byte for byte; NaN and the infinities become `null`, as in JavaScript;
//! * U+2028, U+2029 and U+0085 (NEL) are escaped (`\u2028`, `\u2029`, `\u0085`). JSON allows
//!   them raw and `JSON.stringify` leaves them raw, but many line-oriented readers (JavaScript
//!   source, Python's `splitlines`) treat them as line breaks, and the contract is one call, one
//!   line. The escaped form parses to the same string.
//!
//! Rust strings are always valid UTF-8, so lone surrogates cannot reach this module; bytes from
//! the outside world (header values) are decoded lossily before they get here.

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, Serializer};
use std::io;

/// The formatter that gives serde_json JavaScript's number format and line-safe strings.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct JsFormatter;

impl Formatter for JsFormatter {
    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        write_js_number(writer, value)
    }

    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        if value.is_finite() {
            let mut buffer = ryu_js::Buffer::new();
            writer.write_all(buffer.format_finite(value).as_bytes())
        } else {
            writer.write_all(b"null")
        }
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // serde_json has already escaped the ASCII characters; only the multi-byte line
        // breaks can remain, and the shared escaper handles them.
        write_escaped(writer, fragment.as_bytes())
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        char_escape: CharEscape,
    ) -> io::Result<()> {
        // The character serde_json found; the shared escaper writes it exactly as it writes
        // core strings (JSON.stringify's short forms, lowercase `\u00XX` otherwise).
        let byte = match char_escape {
            CharEscape::Quote => b'"',
            CharEscape::ReverseSolidus => b'\\',
            CharEscape::Solidus => b'/',
            CharEscape::Backspace => 0x08,
            CharEscape::FormFeed => 0x0C,
            CharEscape::LineFeed => b'\n',
            CharEscape::CarriageReturn => b'\r',
            CharEscape::Tab => b'\t',
            CharEscape::AsciiControl(byte) => byte,
        };
        write_escaped(writer, &[byte])
    }
}

/// Writes `value` as ECMAScript's `Number.prototype.toString` does; non-finite as `null`.
pub(crate) fn write_js_number<W: ?Sized + io::Write>(writer: &mut W, value: f64) -> io::Result<()> {
    if value.is_finite() {
        let mut buffer = ryu_js::Buffer::new();
        writer.write_all(buffer.format_finite(value).as_bytes())
    } else {
        writer.write_all(b"null")
    }
}

/// What each byte needs: 0 nothing; a letter the short escape (`\\n` …); `u` the
/// `\\u00XX` form; `L` a lead byte that may start U+2028, U+2029 or U+0085.
static ESCAPES: [u8; 256] = escape_table();

const fn escape_table() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = b'u';
        byte += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0A] = b'n';
    table[0x0C] = b'f';
    table[0x0D] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table[0xC2] = b'L';
    table[0xE2] = b'L';
    table
}

/// Writes the contents of a JSON string (no quotes) with `JSON.stringify`'s escapes plus
/// U+2028, U+2029 and U+0085, in one pass over the bytes.
fn write_escaped<W: ?Sized + io::Write>(writer: &mut W, bytes: &[u8]) -> io::Result<()> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 0;
    let mut at = 0;
    while at < bytes.len() {
        // Skip eight plain ASCII bytes at a time: most of a log line needs no escaping.
        if let Some(chunk) = bytes.get(at..at + 8) {
            let word = u64::from_le_bytes([
                chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
            ]);
            if !needs_attention(word) {
                at += 8;
                continue;
            }
        }
        let byte = bytes[at];
        let kind = ESCAPES[usize::from(byte)];
        if kind == 0 {
            at += 1;
            continue;
        }
        let mut unicode = [
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(byte >> 4)],
            HEX[usize::from(byte & 0xF)],
        ];
        let (escape, width): (&[u8], usize) = match kind {
            b'L' => match bytes[at..] {
                [0xE2, 0x80, 0xA8, ..] => (b"\\u2028", 3),
                [0xE2, 0x80, 0xA9, ..] => (b"\\u2029", 3),
                [0xC2, 0x85, ..] => (b"\\u0085", 2),
                _ => {
                    at += 1;
                    continue;
                }
            },
            b'u' => (&unicode[..], 1),
            short => {
                unicode[1] = short;
                (&unicode[..2], 1)
            }
        };
        writer.write_all(&bytes[start..at])?;
        writer.write_all(escape)?;
        at += width;
        start = at;
    }
    writer.write_all(&bytes[start..])
}

/// Whether any of the eight bytes in `word` is below 0x20, a quote, a backslash or non-ASCII
/// (the classic "has zero byte" bit tricks; exact, no false negatives).
#[inline]
fn needs_attention(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    let quote = has_zero(word ^ (ONES * u64::from(b'"')));
    let backslash = has_zero(word ^ (ONES * u64::from(b'\\')));
    (below_space | quote | backslash | (word & HIGHS)) != 0
}

/// Appends `text` as a JSON string literal (quotes included).
pub(crate) fn write_str(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    // Writing into a Vec cannot fail.
    let _ = write_escaped(out, text.as_bytes());
    out.push(b'"');
}

/// Appends any `Serialize` value as JSON. On error the buffer is restored to its length before
/// the call and `false` is returned, so a failing value never leaves half a value behind.
pub(crate) fn write_value<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> bool {
    let mark = out.len();
    let mut serializer = Serializer::with_formatter(&mut *out, JsFormatter);
    match value.serialize(&mut serializer) {
        Ok(()) => true,
        Err(_) => {
            out.truncate(mark);
            false
        }
    }
}

/// Appends an `f64` as a JSON number (or `null`).
pub(crate) fn write_f64(out: &mut Vec<u8>, value: f64) {
    // Infallible into a Vec.
    let _ = write_js_number(out, value);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(text: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    fn number(value: f64) -> String {
        let mut out = Vec::new();
        write_f64(&mut out, value);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_escape_like_json_stringify() {
        assert_eq!(string("plain"), r#""plain""#);
        assert_eq!(string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(string("l1\nl2\r\t"), r#""l1\nl2\r\t""#);
        assert_eq!(string("\u{8}\u{c}"), r#""\b\f""#);
        assert_eq!(string("\u{1}\u{1f}"), r#""\u0001\u001f""#);
        // DEL and non-ASCII stay raw, as in JSON.stringify.
        assert_eq!(string("\u{7f}é→"), "\"\u{7f}é→\"");
        assert_eq!(string("/"), r#""/""#);
    }

    #[test]
    fn line_and_paragraph_separators_are_escaped() {
        assert_eq!(string("a\u{2028}b\u{2029}c"), r#""a\u2028b\u2029c""#);
        assert_eq!(string("x\u{85}y"), r#""x\u0085y""#);
        assert_eq!(string("\u{2028}"), r#""\u2028""#);
        // Neighbours of the separators are untouched.
        assert_eq!(string("\u{2027}\u{202a}"), "\"\u{2027}\u{202a}\"");
    }

    #[test]
    fn numbers_match_number_to_string() {
        assert_eq!(number(1.0), "1");
        assert_eq!(number(45.0), "45");
        assert_eq!(number(0.1), "0.1");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(1.5e-7), "1.5e-7");
        assert_eq!(number(0.000001), "0.000001");
        assert_eq!(number(1e21), "1e+21");
        assert_eq!(number(123456789012345680000.0), "123456789012345680000");
        assert_eq!(number(f64::NAN), "null");
        assert_eq!(number(f64::INFINITY), "null");
        assert_eq!(number(f64::NEG_INFINITY), "null");
    }

    proptest::proptest! {
        /// The hand-written escaper and the serde path (used for field values) agree, and
        /// both match serde_json's plain output except for the three line breaks.
        #[test]
        fn both_string_paths_agree(text in ".*|[\\u{0}-\\u{7f}\\u{85}\\u{2028}\\u{2029}]*") {
            let mut serde_path = Vec::new();
            proptest::prop_assert!(write_value(&mut serde_path, text.as_str()));
            let ours = string(&text);
            proptest::prop_assert_eq!(ours.as_bytes(), &serde_path[..]);
            let plain = serde_json::to_string(&text).unwrap();
            let expected = plain
                .replace('\u{2028}', "\\u2028")
                .replace('\u{2029}', "\\u2029")
                .replace('\u{85}', "\\u0085");
            proptest::prop_assert_eq!(ours, expected);
        }
    }

    #[test]
    fn a_failing_value_leaves_nothing_behind() {
        use std::collections::BTreeMap;
        // Maps with non-string keys are rejected by serde_json.
        let bad: BTreeMap<Vec<u8>, u8> = [(vec![1u8], 1u8)].into_iter().collect();
        let mut out = b"prefix".to_vec();
        assert!(!write_value(&mut out, &bad));
        assert_eq!(out, b"prefix");
    }
}
