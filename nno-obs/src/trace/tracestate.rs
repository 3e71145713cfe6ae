//! The W3C `tracestate` header: the vendors' list of `key=value` members, which a service that
//! continues a trace must send on. Validated, and written back in its shortest form.
//!
//! The rules are on [`Tracestate`].

use super::traceparent::trim_ows;
use arrayvec::ArrayVec;

/// Most members a valid `tracestate` has (the spec's limit).
pub const MAX_TRACESTATE_MEMBERS: usize = 32;
/// Longest `tracestate` value we send on, in bytes; see [`Tracestate`].
pub const MAX_TRACESTATE_BYTES: usize = 512;
/// Members longer than this are the first dropped from a list too long to send.
const LONG_MEMBER_BYTES: usize = 128;
const MAX_KEY_BYTES: usize = 256;
const MAX_VALUE_BYTES: usize = 256;

/// A valid, non-empty `tracestate` list, as it is sent on: members joined by `,`, no optional
/// whitespace, no duplicate keys, at most [`MAX_TRACESTATE_BYTES`] bytes.
///
/// # What is kept
///
/// - Members are split on `,`; spaces and tabs around a member are not part of it; empty
///   members are skipped (several `tracestate` headers arrive joined by `, `, see
///   [`HeaderSource`](super::HeaderSource)).
/// - A member whose key or value breaks the grammar (key: a lowercase letter or digit, then up
///   to 255 of `a-z 0-9 _ - * / @`; value: 1..=256 printable ASCII characters but `,` and
///   `=`, not ending in a space), a member without `=`, more than
///   [`MAX_TRACESTATE_MEMBERS`] members, or a byte outside printable ASCII (CR, LF, NUL,
///   non-ASCII) make the whole header invalid: it is dropped, as the spec allows, rather than
///   partly forwarded.
/// - A key seen again keeps its first value; the later members with it are dropped (the spec
///   lets a vendor drop duplicates it did not write, and one key with two values is ambiguous).
/// - What is sent is at most [`MAX_TRACESTATE_BYTES`] bytes (the spec's minimum to propagate;
///   a bound on what one request makes us store and forward). A longer list is cut by whole
///   members the spec's way: members longer than 128 bytes go first, right-most first, then
///   members from the right.
///
/// ```
/// use nno_obs::trace::Tracestate;
///
/// let state = Tracestate::parse(b"rojo=00f067aa0ba902b7 , congo=t61rcWkgMzE,, rojo=again").unwrap();
/// assert_eq!(state.as_str(), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
/// assert_eq!(state.get("congo"), Some("t61rcWkgMzE"));
///
/// assert_eq!(Tracestate::parse(b"FOO=1"), None); // uppercase key: the header is dropped
/// assert_eq!(Tracestate::parse(b" , "), None); // nothing to send
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Tracestate(Box<str>);

/// Where one member lies in the incoming value.
#[derive(Clone, Copy)]
struct Member {
    start: usize,
    equals: usize,
    end: usize,
}

impl Member {
    fn len(self) -> usize {
        self.end - self.start
    }
}

impl Tracestate {
    /// Validates a combined `tracestate` value and keeps what is to be sent on; `None` when the
    /// header is invalid or holds no member (see [`Tracestate`]).
    pub fn parse(combined: &[u8]) -> Option<Self> {
        // Members are located on the stack; the one allocation is the value kept.
        let mut members: ArrayVec<Member, MAX_TRACESTATE_MEMBERS> = ArrayVec::new();
        let mut count = 0;
        let mut start = 0;
        for piece in combined.split(|&b| b == b',') {
            let piece_start = start;
            start += piece.len() + 1;
            let member = trim_ows(piece);
            if member.is_empty() {
                continue;
            }
            let leading = piece
                .iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count();
            let offset = piece_start + leading;
            let equals = member.iter().position(|&b| b == b'=')?;
            let (key, value) = (&member[..equals], &member[equals + 1..]);
            if !is_valid_key(key) || !is_valid_value(value) {
                return None;
            }
            let member = Member {
                start: offset,
                equals: offset + equals,
                end: offset + member.len(),
            };
            // A 33rd member makes the list invalid, duplicate or not.
            count += 1;
            if count > MAX_TRACESTATE_MEMBERS {
                return None;
            }
            let seen = members
                .iter()
                .any(|earlier| &combined[earlier.start..earlier.equals] == key);
            // At most `count` members are kept, so there is always room.
            if !seen && members.try_push(member).is_err() {
                return None;
            }
        }
        truncate(&mut members);
        if members.is_empty() {
            return None;
        }
        let length = members.iter().map(|member| member.len() + 1).sum::<usize>() - 1;
        let mut kept = String::with_capacity(length);
        for member in &members {
            if !kept.is_empty() {
                kept.push(',');
            }
            // Validated above: printable ASCII.
            kept.push_str(std::str::from_utf8(&combined[member.start..member.end]).ok()?);
        }
        Some(Self(kept.into_boxed_str()))
    }

    /// The header value to send.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The members, in order, as `(key, value)`.
    ///
    /// ```
    /// use nno_obs::trace::Tracestate;
    ///
    /// let state = Tracestate::parse(b"a=1,b= 2").unwrap();
    /// assert_eq!(state.members().collect::<Vec<_>>(), [("a", "1"), ("b", " 2")]);
    /// ```
    pub fn members(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .split(',')
            .filter_map(|member| member.split_once('='))
    }

    /// The value of `key`, if the list has it.
    ///
    /// ```
    /// use nno_obs::trace::Tracestate;
    ///
    /// assert_eq!(Tracestate::parse(b"a=1").unwrap().get("a"), Some("1"));
    /// ```
    pub fn get(&self, key: &str) -> Option<&str> {
        self.members()
            .find(|(member_key, _)| *member_key == key)
            .map(|(_, value)| value)
    }
}

impl std::fmt::Debug for Tracestate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Tracestate").field(&self.as_str()).finish()
    }
}

/// `key = ( lcalpha / DIGIT ) 0*255 ( lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@" )`.
fn is_valid_key(key: &[u8]) -> bool {
    let Some((&first, rest)) = key.split_first() else {
        return false;
    };
    key.len() <= MAX_KEY_BYTES
        && matches!(first, b'a'..=b'z' | b'0'..=b'9')
        && rest
            .iter()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'*' | b'/' | b'@'))
}

/// `value = 0*255( %x20 / nblk-chr ) nblk-chr`, `nblk-chr = %x21-2B / %x2D-3C / %x3E-7E`. The
/// caller has split on `,` and trimmed trailing whitespace, so a value never ends in a space.
fn is_valid_value(value: &[u8]) -> bool {
    (1..=MAX_VALUE_BYTES).contains(&value.len())
        && value.last() != Some(&b' ')
        && value
            .iter()
            .all(|&b| matches!(b, 0x20..=0x7e) && b != b',' && b != b'=')
}

/// Drops whole members until the list fits [`MAX_TRACESTATE_BYTES`]: long members first, then
/// from the right (the spec's order).
fn truncate(members: &mut ArrayVec<Member, MAX_TRACESTATE_MEMBERS>) {
    let sent_length = |members: &[Member]| {
        members
            .iter()
            .map(|m| m.len() + 1)
            .sum::<usize>()
            .saturating_sub(1)
    };
    while sent_length(members) > MAX_TRACESTATE_BYTES {
        match members.iter().rposition(|m| m.len() > LONG_MEMBER_BYTES) {
            Some(long) => {
                members.remove(long);
            }
            None => {
                members.pop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(value: &str) -> Option<String> {
        Tracestate::parse(value.as_bytes()).map(|state| state.as_str().to_owned())
    }

    #[test]
    fn whitespace_and_empty_members_are_dropped() {
        assert_eq!(
            kept("foo=1 \t , \t bar=2, \t baz=3").as_deref(),
            Some("foo=1,bar=2,baz=3")
        );
        assert_eq!(kept(",,a=1,, ,").as_deref(), Some("a=1"));
        assert_eq!(kept(""), None);
        // Leading spaces of a value are part of it.
        assert_eq!(kept("a=  x").as_deref(), Some("a=  x"));
    }

    #[test]
    fn the_grammar_is_enforced() {
        for bad in [
            "foo =1",
            "FOO=1",
            "foo.bar=1",
            "@foo=1",
            "_foo=1",
            "foo",
            "foo=",
            "foo=bar=baz",
            "foo=a\tb",
            "=1",
            "foo=é",
        ] {
            assert_eq!(kept(bad), None, "{bad:?}");
        }
        for good in [
            "foo@=1",
            "foo@@bar=1",
            "1foo=1",
            "a-b_c*d/e@f=x",
            "a=~!\"#$%&'()*+-./:;<>?",
        ] {
            assert_eq!(kept(good).as_deref(), Some(good), "{good:?}");
        }
    }

    #[test]
    fn key_and_value_lengths() {
        let key = "k".repeat(256);
        assert!(kept(&format!("{key}=1")).is_some());
        assert_eq!(kept(&format!("{key}k=1")), None);
        let value = "v".repeat(256);
        assert!(kept(&format!("a={value}")).is_some());
        assert_eq!(kept(&format!("a={value}v")), None);
    }

    #[test]
    fn duplicates_keep_the_first_value() {
        assert_eq!(kept("foo=1,bar=2,foo=3").as_deref(), Some("foo=1,bar=2"));
    }

    #[test]
    fn thirty_three_members_are_too_many() {
        let list = |n: usize| {
            (1..=n)
                .map(|i| format!("k{i}=v"))
                .collect::<Vec<_>>()
                .join(",")
        };
        assert_eq!(
            Tracestate::parse(list(32).as_bytes()).map(|s| s.members().count()),
            Some(32)
        );
        assert_eq!(kept(&list(33)), None);
        // Even when the 33rd repeats a key, or an earlier one did.
        assert_eq!(kept(&format!("{},k1=v", list(32))), None);
        assert_eq!(kept(&format!("k1=v,{}", list(32))), None);
        assert_eq!(
            kept(&format!("k1=v,{}", list(31))).map(|s| s.len()),
            kept(&list(31)).map(|s| s.len())
        );
    }

    #[test]
    fn long_lists_are_cut_by_whole_members_long_ones_first() {
        let long = format!("long={}", "x".repeat(200));
        let short = |i: usize| format!("s{i:02}={}", "y".repeat(60));
        // 6 short members of 64 bytes (389 with commas) and a long one of 205: 595 bytes.
        let mut members: Vec<String> = (0..3).map(short).collect();
        members.push(long);
        members.extend((3..6).map(short));
        let state = kept(&members.join(",")).unwrap();
        assert!(!state.contains("long="));
        assert_eq!(state.split(',').count(), 6);

        // Without long members, the right-most go.
        let many: Vec<String> = (0..10).map(short).collect();
        let state = kept(&many.join(",")).unwrap();
        assert!(state.len() <= MAX_TRACESTATE_BYTES);
        assert_eq!(state, many[..7].join(","));
    }

    /// What the rules on [`Tracestate`] keep of a list of valid members, worked out on the
    /// strings: the unique members (a key's first), in order; while over 512 bytes, the
    /// right-most member over 128 bytes goes, else the last one. The kept members, in order.
    fn expected_cut(members: &[String]) -> String {
        let mut unique: Vec<&str> = Vec::new();
        for member in members {
            let key = member.split('=').next().unwrap_or_default();
            if !unique.iter().any(|u| u.split('=').next() == Some(key)) {
                unique.push(member);
            }
        }
        while unique.join(",").len() > 512 {
            match unique.iter().rposition(|m| m.len() > 128) {
                Some(long) => {
                    unique.remove(long);
                }
                None => {
                    unique.pop();
                }
            }
        }
        unique.join(",")
    }

    #[test]
    fn cuts_keep_the_order_the_long_members_go_first_then_the_right_most() {
        let long = |i: usize| format!("l{i}={}", "x".repeat(200));
        let short = |i: usize| format!("s{i}={}", "y".repeat(60));
        let members = [short(0), long(1), short(2), long(3), short(4), short(5)];
        let state = kept(&members.join(",")).unwrap();
        // 4 short (63 bytes) and 2 long (203 bytes), 663 bytes: the right-most long one goes,
        // and the rest (459 bytes) is kept in order.
        let expected: Vec<&str> = [0, 1, 2, 4, 5]
            .iter()
            .map(|&i| members[i].as_str())
            .collect();
        assert_eq!(state, expected.join(","));
        // Then, without long members, the right-most go.
        let members: Vec<String> = (0..9).map(short).collect();
        let state = kept(&members.join(",")).unwrap();
        assert_eq!(state, members[..8].join(","));
        assert_eq!(state, expected_cut(&members));
    }

    proptest::proptest! {
        /// Whatever comes in: no panic, and what is kept is valid, bounded and kept as is.
        #[test]
        fn any_input_gives_a_bounded_list_that_parses_to_itself(
            input in proptest::collection::vec(
                proptest::sample::select(b"ab0@_-*/= \t,\r\nZ~\x7f\xc3".to_vec()),
                0..700,
            )
        ) {
            if let Some(state) = Tracestate::parse(&input) {
                proptest::prop_assert!(state.as_str().len() <= MAX_TRACESTATE_BYTES);
                proptest::prop_assert!(state.members().count() <= MAX_TRACESTATE_MEMBERS);
                let again = Tracestate::parse(state.as_str().as_bytes());
                proptest::prop_assert_eq!(again.as_ref(), Some(&state));
            }
        }

        /// Lists of mostly valid members, often too many or too long: what is kept is a prefix
        /// of the unique members in order, minus whole members, within the bounds.
        #[test]
        fn valid_lists_are_cut_by_whole_members(
            members in proptest::collection::vec("[a-z0-9][a-z0-9@]{0,40}=[a-zA-Z0-9 ]{0,150}[a-z]", 0..40)
        ) {
            let input = members.join(" , ");
            match Tracestate::parse(input.as_bytes()) {
                Some(state) => {
                    proptest::prop_assert!(members.len() <= MAX_TRACESTATE_MEMBERS);
                    proptest::prop_assert!(state.as_str().len() <= MAX_TRACESTATE_BYTES);
                    for member in state.as_str().split(',') {
                        proptest::prop_assert!(members.iter().any(|m| m == member));
                    }
                    proptest::prop_assert_eq!(state.as_str(), expected_cut(&members));
                }
                None => proptest::prop_assert!(members.is_empty() || members.len() > MAX_TRACESTATE_MEMBERS),
            }
        }
    }
}
