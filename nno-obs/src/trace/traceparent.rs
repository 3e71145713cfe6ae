//! The W3C `traceparent` header: `{version}-{trace-id}-{parent-id}-{trace-flags}`, parsed by
//! the spec's rules (including those for future versions) and written in version `00`.

use crate::ids::SpanId;

/// The `sampled` trace flag.
///
/// ```
/// assert_eq!(nno_obs::trace::FLAG_SAMPLED, 0x01);
/// ```
pub const FLAG_SAMPLED: u8 = 0x01;
/// The Level 2 `random-trace-id` trace flag: the trace-id's right-most 7 bytes are random.
///
/// ```
/// assert_eq!(nno_obs::trace::FLAG_RANDOM, 0x02);
/// ```
pub const FLAG_RANDOM: u8 = 0x02;
/// The flags version `00` defines. The others are reserved: the spec says a vendor sets them
/// to zero on what it sends.
const KNOWN_FLAGS: u8 = FLAG_SAMPLED | FLAG_RANDOM;

/// An incoming `traceparent`, valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Parsed {
    /// 32 lowercase hex digits, not all zero.
    pub(crate) trace_id: [u8; 32],
    pub(crate) parent_id: SpanId,
    pub(crate) flags: u8,
}

/// Parses a combined `traceparent` value (see [`HeaderSource`](super::HeaderSource)).
///
/// Follows the spec's rules: surrounding spaces and tabs are not part of the value; version
/// `ff` is invalid; version `00` is exactly 55 bytes; later versions may carry more after a
/// `-`; ids are lowercase hex and not all zero. A comma means several header values: invalid,
/// as a request must carry one `traceparent`.
pub(crate) fn parse(value: &[u8]) -> Option<Parsed> {
    let value = trim_ows(value);
    if value.len() < 55 || value.contains(&b',') {
        return None;
    }
    let (version, trace, parent, flags) =
        (&value[..2], &value[3..35], &value[36..52], &value[53..55]);
    let dashes = value[2] == b'-' && value[35] == b'-' && value[52] == b'-';
    let tail_ok = match version {
        b"00" => value.len() == 55,
        _ => value.len() == 55 || value[55] == b'-',
    };
    if !dashes
        || !tail_ok
        || version == b"ff"
        || !is_lower_hex(version)
        || !is_lower_hex(trace)
        || !is_lower_hex(parent)
        || !is_lower_hex(flags)
        || trace.iter().all(|&b| b == b'0')
    {
        return None;
    }
    // SpanId::parse_hex also refuses the all-zero parent-id.
    let parent_id = SpanId::parse_hex(std::str::from_utf8(parent).ok()?)?;
    let flags = u8::from_str_radix(std::str::from_utf8(flags).ok()?, 16).ok()?;
    let mut trace_id = [0u8; 32];
    trace_id.copy_from_slice(trace);
    Some(Parsed {
        trace_id,
        parent_id,
        flags,
    })
}

fn is_lower_hex(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `bytes` without leading and trailing spaces and tabs (RFC 9110's OWS).
pub(crate) fn trim_ows(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// The trace id as 32 lowercase hex digits, when it can be written so: a UUID (hyphens
/// dropped) or 32 hex digits, not all zero. `tr_abc123` cannot.
///
/// ```
/// use nno_obs::trace::trace_id_hex;
///
/// let hex = trace_id_hex("4BF92F35-77B3-4DA6-A3CE-929D0E0E4736").unwrap();
/// assert_eq!(&hex, b"4bf92f3577b34da6a3ce929d0e0e4736");
/// assert_eq!(trace_id_hex("tr_abc123"), None);
/// ```
pub fn trace_id_hex(trace_id: &str) -> Option<[u8; 32]> {
    let bytes = trace_id.as_bytes();
    let mut hex = [0u8; 32];
    let digits: &mut dyn Iterator<Item = &u8> = match bytes.len() {
        32 => &mut bytes.iter(),
        36 if [8, 13, 18, 23].iter().all(|&at| bytes[at] == b'-') => {
            &mut bytes.iter().filter(|&&b| b != b'-')
        }
        _ => return None,
    };
    let mut count = 0;
    for (slot, &digit) in hex.iter_mut().zip(digits) {
        if !digit.is_ascii_hexdigit() {
            return None;
        }
        *slot = digit.to_ascii_lowercase();
        count += 1;
    }
    if count != 32 || hex.iter().all(|&b| b == b'0') {
        return None;
    }
    Some(hex)
}

/// The W3C trace-id that carries the NNO trace id `trace_id` on `traceparent`: its own 32 hex
/// digits when it has them (a UUID, a W3C id), else 32 hex digits derived from it by a fixed
/// hash. Every service derives the same digits from the same `x-trace-id`, so a call between
/// two NNO services always carries `traceparent`, and the callee knows its caller's span even
/// for an id like the seed's `tr_abc123`.
///
/// ```
/// use nno_obs::trace::w3c_trace_id;
///
/// assert_eq!(&w3c_trace_id("4bf92f35-77b3-4da6-a3ce-929d0e0e4736"), b"4bf92f3577b34da6a3ce929d0e0e4736");
/// assert_eq!(w3c_trace_id("tr_abc123"), w3c_trace_id("tr_abc123"));
/// assert_ne!(w3c_trace_id("tr_abc123"), w3c_trace_id("tr_abc124"));
/// ```
pub fn w3c_trace_id(trace_id: &str) -> [u8; 32] {
    if let Some(hex) = trace_id_hex(trace_id) {
        return hex;
    }
    // Two 64-bit FNV-1a hashes with different offsets, each finished by SplitMix64's mixer:
    // a stable, well-spread 128 bits (an identifier, not a secret).
    let fnv = |offset: u64| {
        let mut hash = offset;
        for byte in trace_id.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        crate::ids::splitmix64(hash)
    };
    let (high, low) = (fnv(0xcbf2_9ce4_8422_2325), fnv(0x6c62_272e_07bb_0142));
    // All zeros is invalid; it cannot come out of two mixers at once in practice, but never.
    let low = if high == 0 && low == 0 { 1 } else { low };
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 32];
    for (at, byte) in high
        .to_be_bytes()
        .iter()
        .chain(&low.to_be_bytes())
        .enumerate()
    {
        out[2 * at] = HEX[usize::from(byte >> 4)];
        out[2 * at + 1] = HEX[usize::from(byte & 0x0f)];
    }
    out
}

/// A `traceparent` value for `span` in `trace_id`: `00-{trace}-{span}-01`, when the trace id can
/// be written as 32 hex digits.
///
/// ```
/// use nno_obs::{trace::traceparent, SpanId};
///
/// let span = SpanId::from_u64(0x00f0_67aa_0ba9_02b7).unwrap();
/// let value = traceparent("4bf92f35-77b3-4da6-a3ce-929d0e0e4736", span).unwrap();
/// assert_eq!(value.as_str(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
/// assert!(traceparent("tr_abc123", span).is_none());
/// ```
pub fn traceparent(trace_id: &str, span: SpanId) -> Option<Traceparent> {
    // Sampled: every span is recorded.
    Some(Traceparent::new(
        &trace_id_hex(trace_id)?,
        span,
        FLAG_SAMPLED,
    ))
}

/// A `traceparent` header value, on the stack.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Traceparent([u8; 55]);

impl Traceparent {
    /// The version `00` value for `span` in the trace `trace_id` (32 lowercase hex digits:
    /// [`trace_id_hex`]'s or a parsed `traceparent`'s). Of `flags`, the bits version `00`
    /// defines (sampled and random) are kept and the reserved ones cleared, as the spec requires
    /// of what a vendor sends; sampled is always set, since every span is recorded.
    pub(crate) fn new(trace_id: &[u8; 32], span: SpanId, flags: u8) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let flags = (flags & KNOWN_FLAGS) | FLAG_SAMPLED;
        let mut text = [0u8; 55];
        text[..3].copy_from_slice(b"00-");
        text[3..35].copy_from_slice(trace_id);
        text[35] = b'-';
        text[36..52].copy_from_slice(span.to_hex().as_str().as_bytes());
        text[52] = b'-';
        text[53] = HEX[usize::from(flags >> 4)];
        text[54] = HEX[usize::from(flags & 0xF)];
        Self(text)
    }

    /// The header value.
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits and dashes are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl std::fmt::Debug for Traceparent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TP: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn parsing_follows_the_spec() {
        let parsed = parse(TP.as_bytes()).unwrap();
        assert_eq!(&parsed.trace_id, b"4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(parsed.parent_id.as_u64(), 0x00f0_67aa_0ba9_02b7);
        assert_eq!(parsed.flags, 0x01);
        let bad = [
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
            "",
        ];
        for value in bad {
            assert_eq!(parse(value.as_bytes()), None, "{value}");
        }
        // A future version may append fields after a dash.
        let future = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what";
        assert!(parse(future.as_bytes()).is_some());
    }

    #[test]
    fn surrounding_whitespace_is_not_part_of_the_value() {
        for value in [format!(" {TP}"), format!("{TP}\t"), format!("\t {TP} \t")] {
            assert!(parse(value.as_bytes()).is_some(), "{value:?}");
        }
        assert_eq!(parse(format!("{TP}\r\n").as_bytes()), None);
    }

    #[test]
    fn several_values_are_invalid_even_for_future_versions() {
        let twice = format!("{TP}, {TP}");
        assert_eq!(parse(twice.as_bytes()), None);
        let future = "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x";
        assert_eq!(parse(format!("{future},{future}").as_bytes()), None);
    }

    #[test]
    fn written_flags_keep_the_defined_bits_and_always_sampled() {
        let trace = *b"4bf92f3577b34da6a3ce929d0e0e4736";
        let span = SpanId::from_u64(1).unwrap();
        let flags = |incoming| Traceparent::new(&trace, span, incoming).as_str()[53..].to_owned();
        assert_eq!(flags(0x00), "01");
        assert_eq!(flags(0x01), "01");
        assert_eq!(flags(0x02), "03");
        assert_eq!(flags(0xff), "03");
        assert_eq!(flags(0xfc), "01");
    }

    #[test]
    fn trace_id_hex_rejects_malformed_uuids() {
        assert_eq!(trace_id_hex("4bf92f35-77b3-4da6-a3ce-929d0e0e473g"), None);
        assert_eq!(trace_id_hex("4bf92f35x77b3-4da6-a3ce-929d0e0e4736"), None);
        assert_eq!(trace_id_hex("00000000-0000-0000-0000-000000000000"), None);
        assert_eq!(trace_id_hex("4bf92f35-77b3-4da6-a3ce-929d0e0e473"), None);
        // Hyphens in other places are not a UUID.
        assert_eq!(trace_id_hex("4bf92f3577b3-4da6-a3ce-929d0e0e4-736"), None);
    }
}
