//! Ids: UUID v4 trace and request ids, and 64-bit span ids.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// A fresh UUID v4, lowercase and hyphenated, as `crypto.randomUUID()` returns (no prefix).
///
/// ```
/// let id = nno_obs::new_uuid();
/// assert_eq!(id.len(), 36);
/// assert_eq!(&id[14..15], "4");
/// ```
pub fn new_uuid() -> String {
    let mut buffer = uuid::Uuid::encode_buffer();
    uuid::Uuid::new_v4()
        .hyphenated()
        .encode_lower(&mut buffer)
        .to_owned()
}

/// The id of a span: 8 bytes, written as 16 lowercase hex digits (the W3C `parent-id` form).
/// Never zero.
///
/// Span ids only need to be unique, not secret, so they come from a process-wide counter run
/// through the SplitMix64 mixer, seeded once from the OS random source: a handful of integer
/// operations per span instead of a `getrandom` call.
///
/// ```
/// use nno_obs::SpanId;
///
/// let id = SpanId::from_u64(0x00f0_67aa_0ba9_02b7).unwrap();
/// assert_eq!(id.to_hex().as_str(), "00f067aa0ba902b7");
/// assert_eq!(SpanId::parse_hex("00f067aa0ba902b7"), Some(id));
/// assert_ne!(SpanId::generate(), SpanId::generate());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpanId(std::num::NonZeroU64);

impl SpanId {
    /// A new span id.
    pub fn generate() -> Self {
        static SEED: OnceLock<u64> = OnceLock::new();
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let seed = *SEED.get_or_init(|| uuid::Uuid::new_v4().as_u64_pair().0);
        let mut n = COUNTER.fetch_add(1, Ordering::Relaxed);
        loop {
            if let Some(id) = Self::from_u64(splitmix64(seed.wrapping_add(n))) {
                return id;
            }
            // splitmix64 is a bijection, so exactly one counter value maps to zero.
            n = COUNTER.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The id with this value; `None` for zero (invalid in W3C trace context).
    pub const fn from_u64(value: u64) -> Option<Self> {
        match std::num::NonZeroU64::new(value) {
            Some(value) => Some(Self(value)),
            None => None,
        }
    }

    /// The value.
    pub const fn as_u64(self) -> u64 {
        self.0.get()
    }

    /// Parses 16 hex digits (either case); `None` for anything else or zero.
    pub fn parse_hex(text: &str) -> Option<Self> {
        if text.len() != 16 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u64::from_str_radix(text, 16).ok().and_then(Self::from_u64)
    }

    /// The 16 lowercase hex digits, on the stack.
    pub fn to_hex(self) -> SpanIdHex {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut digits = [0u8; 16];
        for (pair, byte) in digits.chunks_exact_mut(2).zip(self.as_u64().to_be_bytes()) {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0xF)];
        }
        SpanIdHex(digits)
    }
}

impl fmt::Debug for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpanId({})", self.to_hex().as_str())
    }
}

impl fmt::Display for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.to_hex().as_str())
    }
}

/// A span id's 16 hex digits, on the stack.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SpanIdHex([u8; 16]);

impl SpanIdHex {
    /// The digits as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Debug for SpanIdHex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

pub(crate) fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn uuids_are_v4_lowercase() {
        let id = new_uuid();
        let parsed = uuid::Uuid::parse_str(&id).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(id, id.to_lowercase());
    }

    #[test]
    fn span_ids_are_distinct_and_round_trip() {
        let ids: HashSet<SpanId> = (0..10_000).map(|_| SpanId::generate()).collect();
        assert_eq!(ids.len(), 10_000);
        for id in ids.iter().take(100) {
            assert_eq!(SpanId::parse_hex(id.to_hex().as_str()), Some(*id));
        }
    }

    #[test]
    fn parse_rejects_bad_span_ids() {
        assert_eq!(SpanId::parse_hex("0000000000000000"), None);
        assert_eq!(SpanId::parse_hex("00f067aa0ba902b"), None);
        assert_eq!(SpanId::parse_hex("00f067aa0ba902bz"), None);
        assert_eq!(SpanId::parse_hex("+0f067aa0ba902b7"), None);
    }
}
