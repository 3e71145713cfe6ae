//! Reading, without serde, the records written the usual way, for speed; anything else is left
//! to serde and its lenient rules.
//!
//! serde_json unescapes a string one escape at a time, and our lines inside `Message[0]` have an
//! escaped quote every few bytes: that was the largest cost of a search where most lines are
//! parsed. [`record`] reads a line only when every field has its usual JSON type (strings,
//! non-negative integers, objects, lists of objects, `null` for an absent value) and no string
//! has a `\u` escape; then its result is the one serde gives, which a test in this module checks
//! on generated lines of every shape. On anything else it returns `None` and the caller parses
//! the line with serde, as before.

use crate::prefilter::{skip_plain, Scan, ToParser};
use nno_obs_store::entry::LineKeys;
use nno_obs_store::record::{
    Event, EventRequest, EventResponse, Outcome, TraceEventRecord, TraceException, TraceLog,
};
use serde_json::Value;

/// The record of a trimmed line, when it has the usual shape (see the module docs).
pub(crate) fn record(text: &str) -> Option<TraceEventRecord> {
    // serde refuses control characters in strings; outside them only whitespace is allowed,
    // and a tab or line break there is rare enough to leave to serde.
    if text.bytes().fold(false, |any, b| any | (b < 0x20)) {
        return None;
    }
    let mut reader = Reader {
        text,
        scan: Scan::new(text.as_bytes(), false),
    };
    let record = reader.record().ok()?;
    reader.scan.spaces();
    (reader.scan.at == text.len()).then_some(record)
}

/// The keys of our `LogEntry` line `text` (`Message[0]`), as [`LineKeys::parse`] gives them,
/// when the line has the usual shape (string members, no `\u` escape); `None` to leave the line
/// to [`LineKeys::parse`].
pub(crate) fn line_keys(text: &str) -> Option<Option<LineKeys>> {
    let text = text.trim_end_matches(['\n', '\r']);
    if !text.starts_with('{') {
        // Never ours, as `LineKeys::parse` decides first.
        return Some(None);
    }
    if text.bytes().fold(false, |any, b| any | (b < 0x20)) {
        return None;
    }
    let mut reader = Reader {
        text,
        scan: Scan::new(text.as_bytes(), false),
    };
    let mut keys = LineKeys::default();
    let mut seen = 0;
    reader
        .members(|reader, key| {
            match key {
                b"timestamp" => {
                    first_time(&mut seen, 1)?;
                    keys.timestamp = reader.string()?;
                }
                b"level" => {
                    first_time(&mut seen, 2)?;
                    keys.level = reader.string()?;
                }
                b"service" => {
                    first_time(&mut seen, 4)?;
                    keys.service = reader.string()?;
                }
                b"message" => {
                    first_time(&mut seen, 8)?;
                    keys.message = reader.string()?;
                }
                b"traceId" => {
                    first_time(&mut seen, 16)?;
                    keys.trace_id = reader.opt_string()?;
                }
                b"requestId" => {
                    first_time(&mut seen, 32)?;
                    keys.request_id = reader.opt_string()?;
                }
                b"userId" => {
                    first_time(&mut seen, 64)?;
                    keys.user_id = reader.opt_string()?;
                }
                b"featureId" => {
                    first_time(&mut seen, 128)?;
                    keys.feature_id = reader.opt_string()?;
                }
                b"platformId" => {
                    first_time(&mut seen, 256)?;
                    keys.platform_id = reader.opt_string()?;
                }
                _ => reader.scan.value(1)?,
            }
            Ok(())
        })
        .ok()?;
    reader.scan.spaces();
    // A required member missing is serde's to report (then the line is not ours).
    if reader.scan.at != text.len() || seen & 0b1111 != 0b1111 {
        return None;
    }
    Some(matches!(keys.level.as_str(), "debug" | "info" | "warn" | "error").then_some(keys))
}

struct Reader<'a> {
    text: &'a str,
    scan: Scan<'a>,
}

/// Marks a member as read; a known member twice is an error to serde, so it stops the reading.
fn first_time(seen: &mut u32, bit: u32) -> Result<(), ToParser> {
    if *seen & bit != 0 {
        return Err(ToParser);
    }
    *seen |= bit;
    Ok(())
}

impl<'a> Reader<'a> {
    fn is_null(&mut self) -> Result<bool, ToParser> {
        if self.scan.peek() == Some(b'n') {
            self.scan.literal(b"null")?;
            return Ok(true);
        }
        Ok(false)
    }

    /// A string (decoded), or `None` for `null`.
    fn opt_string(&mut self) -> Result<Option<String>, ToParser> {
        if self.is_null()? {
            return Ok(None);
        }
        self.string().map(Some)
    }

    /// A string, decoded in one pass: runs of plain bytes eight at a time, escapes one by one
    /// (our lines inside `Message[0]` have an escaped quote every few bytes, where a search for
    /// the next escape per escape costs more than the bytes).
    fn string(&mut self) -> Result<String, ToParser> {
        let bytes = self.text.as_bytes();
        if self.scan.peek() != Some(b'"') {
            return Err(ToParser);
        }
        let mut at = self.scan.at + 1;
        let mut decoded = Vec::with_capacity(bytes.len().saturating_sub(at).min(64));
        loop {
            let plain = skip_plain(bytes, at);
            decoded.extend_from_slice(bytes.get(at..plain).ok_or(ToParser)?);
            at = plain;
            // The next quote or backslash is within eight bytes (or the line ends).
            while let Some(&byte) = bytes.get(at) {
                if byte == b'"' || byte == b'\\' {
                    break;
                }
                decoded.push(byte);
                at += 1;
            }
            match bytes.get(at) {
                Some(b'"') => break,
                Some(_) => {
                    let escaped = match bytes.get(at + 1) {
                        Some(b'"') => b'"',
                        Some(b'\\') => b'\\',
                        Some(b'/') => b'/',
                        Some(b'b') => 0x08,
                        Some(b'f') => 0x0C,
                        Some(b'n') => b'\n',
                        Some(b'r') => b'\r',
                        Some(b't') => b'\t',
                        // `\u` (and anything invalid) is serde's.
                        _ => return Err(ToParser),
                    };
                    decoded.push(escaped);
                    at += 2;
                }
                None => return Err(ToParser),
            }
        }
        self.scan.at = at + 1;
        // Only ASCII bytes were replaced, so this holds (and is checked, not assumed).
        String::from_utf8(decoded).map_err(|_| ToParser)
    }

    /// A non-negative integer that fits a `u64`, or `None` for `null`. Anything else (a sign, a
    /// fraction, an exponent, a string) is serde's.
    fn opt_unsigned(&mut self) -> Result<Option<u64>, ToParser> {
        if self.is_null()? {
            return Ok(None);
        }
        let mut value: u64 = 0;
        match self.scan.peek() {
            Some(b'0') => self.scan.at += 1,
            Some(b'1'..=b'9') => {
                while let Some(digit @ b'0'..=b'9') = self.scan.peek() {
                    value = value
                        .checked_mul(10)
                        .and_then(|v| v.checked_add(u64::from(digit - b'0')))
                        .ok_or(ToParser)?;
                    self.scan.at += 1;
                }
            }
            _ => return Err(ToParser),
        }
        if matches!(self.scan.peek(), Some(b'.' | b'e' | b'E' | b'0'..=b'9')) {
            return Err(ToParser);
        }
        Ok(Some(value))
    }

    /// Whether an object follows (`false` for `null`); anything else is serde's.
    fn object_or_null(&mut self) -> Result<bool, ToParser> {
        match self.scan.peek() {
            Some(b'{') => Ok(true),
            _ if self.is_null()? => Ok(false),
            _ => Err(ToParser),
        }
    }

    /// The members of an object; `member` reads each value (the cursor after the `:`).
    fn members(
        &mut self,
        mut member: impl FnMut(&mut Self, &[u8]) -> Result<(), ToParser>,
    ) -> Result<(), ToParser> {
        let text = self.text;
        self.scan.expect(b'{')?;
        self.scan.spaces();
        if self.scan.peek() == Some(b'}') {
            self.scan.at += 1;
            return Ok(());
        }
        loop {
            self.scan.spaces();
            let key = text
                .as_bytes()
                .get(self.scan.string_range()?)
                .ok_or(ToParser)?;
            if key.contains(&b'\\') {
                // A key spelled with escapes: serde's.
                return Err(ToParser);
            }
            self.scan.expect(b':')?;
            self.scan.spaces();
            member(self, key)?;
            self.scan.spaces();
            match self.scan.peek() {
                Some(b',') => self.scan.at += 1,
                Some(b'}') => {
                    self.scan.at += 1;
                    return Ok(());
                }
                _ => return Err(ToParser),
            }
        }
    }

    /// A list whose elements `element` reads (`null` is an empty list).
    fn list(
        &mut self,
        mut element: impl FnMut(&mut Self) -> Result<(), ToParser>,
    ) -> Result<(), ToParser> {
        if self.is_null()? {
            return Ok(());
        }
        self.scan.expect(b'[')?;
        self.scan.spaces();
        if self.scan.peek() == Some(b']') {
            self.scan.at += 1;
            return Ok(());
        }
        loop {
            self.scan.spaces();
            element(self)?;
            self.scan.spaces();
            match self.scan.peek() {
                Some(b',') => self.scan.at += 1,
                Some(b']') => {
                    self.scan.at += 1;
                    return Ok(());
                }
                _ => return Err(ToParser),
            }
        }
    }

    fn record(&mut self) -> Result<TraceEventRecord, ToParser> {
        let mut record = TraceEventRecord::default();
        let mut seen = 0;
        self.members(|reader, key| {
            match key {
                b"ScriptName" => {
                    first_time(&mut seen, 1)?;
                    record.script_name = reader.opt_string()?;
                }
                b"Outcome" => {
                    first_time(&mut seen, 2)?;
                    record.outcome = match reader.opt_string()? {
                        Some(text) => Outcome::parse(&text),
                        None => Outcome::Unknown,
                    };
                }
                b"EventTimestampMs" => {
                    first_time(&mut seen, 4)?;
                    record.event_timestamp_ms = reader.opt_unsigned()?;
                }
                b"EventType" => {
                    first_time(&mut seen, 8)?;
                    record.event_type = reader.opt_string()?;
                }
                b"Event" => {
                    first_time(&mut seen, 16)?;
                    record.event = reader.event()?;
                }
                b"Ray" => {
                    first_time(&mut seen, 32)?;
                    record.ray = reader.opt_string()?;
                }
                b"Logs" => {
                    first_time(&mut seen, 64)?;
                    reader.list(|reader| {
                        record.logs.push(reader.log()?);
                        Ok(())
                    })?;
                }
                b"Exceptions" => {
                    first_time(&mut seen, 128)?;
                    reader.list(|reader| {
                        record.exceptions.push(reader.exception()?);
                        Ok(())
                    })?;
                }
                _ => reader.scan.value(1)?,
            }
            Ok(())
        })?;
        Ok(record)
    }

    fn event(&mut self) -> Result<Option<Event>, ToParser> {
        if !self.object_or_null()? {
            return Ok(None);
        }
        let mut event = Event::default();
        let mut seen = 0;
        self.members(|reader, key| {
            match key {
                b"RayID" => {
                    first_time(&mut seen, 1)?;
                    event.ray_id = reader.opt_string()?;
                }
                b"Request" => {
                    first_time(&mut seen, 2)?;
                    event.request = reader.request()?;
                }
                b"Response" => {
                    first_time(&mut seen, 4)?;
                    event.response = reader.response()?;
                }
                _ => reader.scan.value(2)?,
            }
            Ok(())
        })?;
        Ok(Some(event))
    }

    fn request(&mut self) -> Result<Option<EventRequest>, ToParser> {
        if !self.object_or_null()? {
            return Ok(None);
        }
        let mut request = EventRequest::default();
        let mut seen = 0;
        self.members(|reader, key| {
            match key {
                b"URL" => {
                    first_time(&mut seen, 1)?;
                    request.url = reader.opt_string()?;
                }
                b"Method" => {
                    first_time(&mut seen, 2)?;
                    request.method = reader.opt_string()?;
                }
                _ => reader.scan.value(3)?,
            }
            Ok(())
        })?;
        Ok(Some(request))
    }

    fn response(&mut self) -> Result<Option<EventResponse>, ToParser> {
        if !self.object_or_null()? {
            return Ok(None);
        }
        let mut response = EventResponse::default();
        let mut seen = 0;
        self.members(|reader, key| {
            match key {
                b"Status" => {
                    first_time(&mut seen, 1)?;
                    // As `lenient::opt_status`: a status is below 1000.
                    response.status = reader
                        .opt_unsigned()?
                        .and_then(|v| u16::try_from(v).ok())
                        .filter(|v| *v < 1000);
                }
                _ => reader.scan.value(3)?,
            }
            Ok(())
        })?;
        Ok(Some(response))
    }

    fn log(&mut self) -> Result<TraceLog, ToParser> {
        if self.scan.peek() != Some(b'{') {
            return Err(ToParser);
        }
        let mut log = TraceLog::default();
        let mut seen = 0;
        self.members(|reader, key| {
            match key {
                b"Level" => {
                    first_time(&mut seen, 1)?;
                    log.level = reader.opt_string()?;
                }
                b"Message" => {
                    first_time(&mut seen, 2)?;
                    reader.list(|reader| {
                        log.message.push(Value::String(reader.string()?));
                        Ok(())
                    })?;
                }
                b"TimestampMs" => {
                    first_time(&mut seen, 4)?;
                    log.timestamp_ms = reader.opt_unsigned()?;
                }
                _ => reader.scan.value(3)?,
            }
            Ok(())
        })?;
        Ok(log)
    }

    fn exception(&mut self) -> Result<TraceException, ToParser> {
        if self.scan.peek() != Some(b'{') {
            return Err(ToParser);
        }
        let mut exception = TraceException::default();
        let mut seen = 0;
        self.members(|reader, key| {
            match key {
                b"Name" => {
                    first_time(&mut seen, 1)?;
                    exception.name = reader.opt_string()?;
                }
                b"Message" => {
                    first_time(&mut seen, 2)?;
                    exception.message = reader.opt_string()?;
                }
                b"TimestampMs" => {
                    first_time(&mut seen, 4)?;
                    exception.timestamp_ms = reader.opt_unsigned()?;
                }
                _ => reader.scan.value(3)?,
            }
            Ok(())
        })?;
        Ok(exception)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn serde(line: &str) -> Option<TraceEventRecord> {
        serde_json::from_str(line).ok()
    }

    #[test]
    fn records_as_logpush_and_our_store_write_them_are_read_here() {
        let ours = r#"{\"timestamp\":\"2026-02-22T10:34:00.123Z\",\"level\":\"warn\",\"service\":\"auth\",\"traceId\":\"t\\u00e91\",\"message\":\"a\\\\b → c\"}"#;
        let line = format!(
            r#"{{"ScriptName":"k3m9p2xw7q-auth-prod","Outcome":"ok","EventTimestampMs":1771756440123,"EventType":"fetch","Event":{{"RayID":"8b2e","Request":{{"URL":"https://a.example/x?q=1","Method":"GET"}},"Response":{{"Status":200}}}},"Logs":[{{"Level":"log","Message":["{ours}"],"TimestampMs":1771756440100}},{{"Level":"error","Message":["plain \/ text\n",  "two"],"TimestampMs":null}}],"Exceptions":[{{"Name":"TypeError","Message":"x","TimestampMs":1}}],"CPUTimeMs":3,"ScriptTags":["a",{{"b":[1,2.5,true]}}]}}"#
        );
        let read = record(&line);
        assert!(read.is_some());
        assert_eq!(read, serde(&line));
        // What is left to serde: a \u escape, a number as a string, a float, a wrong type.
        for other in [
            r#"{"ScriptName":"\u0041"}"#,
            r#"{"EventTimestampMs":"5"}"#,
            r#"{"EventTimestampMs":5.5}"#,
            r#"{"Logs":[{"Message":["a",1]}]}"#,
            r#"{"Logs":"no"}"#,
            r#"{"Outcome":"ok","Outcome":"ok"}"#,
        ] {
            assert_eq!(record(other), None, "{other}");
        }
    }

    #[test]
    fn statuses_duplicates_and_nulls_read_as_serde_reads_them() {
        for status in [
            "0",
            "200",
            "999",
            "1000",
            "65535",
            "65536",
            "18446744073709551615",
        ] {
            let line = format!(r#"{{"Event":{{"Response":{{"Status":{status}}}}},"Logs":[]}}"#);
            assert!(record(&line).is_some(), "{line}");
            assert_eq!(record(&line), serde(&line), "{line}");
        }
        for line in [
            r#"{"ScriptName":null,"Outcome":null,"EventTimestampMs":null,"Event":null,"Logs":null,"Exceptions":null}"#,
            r#"{"Event":{"RayID":null,"Request":null,"Response":null}}"#,
            r#"{"Logs":[{"Level":null,"Message":null,"TimestampMs":null}],"Exceptions":[{}]}"#,
            r#"{"Outcome":"exceededWallTime","Unknown":1,"Unknown":2}"#,
        ] {
            assert!(record(line).is_some(), "{line}");
            assert_eq!(record(line), serde(line), "{line}");
        }
        // A known member twice is an error to serde at every level: not read here either.
        for line in [
            r#"{"Logs":[{"TimestampMs":1,"TimestampMs":2}]}"#,
            r#"{"Logs":[{"Message":[],"Message":[]}]}"#,
            r#"{"Event":{"Response":{"Status":200,"Status":201}}}"#,
            r#"{"Event":{"Request":{"URL":"a","URL":"b"}}}"#,
            r#"{"Exceptions":[{"Name":"a","Name":"b"}]}"#,
        ] {
            assert_eq!(serde(line), None, "{line}");
            assert_eq!(record(line), None, "{line}");
        }
    }

    #[test]
    fn our_lines_keys_are_read_here_as_serde_reads_them() {
        let line = r#"{"timestamp":"2026-02-22T10:34:00.123Z","level":"warn","service":"auth","traceId":"t1","requestId":"r","message":"Permission \"denied\"","userId":null,"featureId":"f","platformId":"p","status":200,"q":{"a":[1,"x"]}}"#;
        let keys = line_keys(line);
        assert!(matches!(keys, Some(Some(_))));
        assert_eq!(keys, Some(LineKeys::parse(line)));
        assert_eq!(line_keys(&format!("{line}\n")), Some(LineKeys::parse(line)));
        // Not ours: a level of another kind; plain text.
        let other = line.replace("\"warn\"", "\"loud\"");
        assert_eq!(line_keys(&other), Some(None));
        assert_eq!(line_keys("GET /x 200"), Some(None));
        // Left to serde: a \u escape, a missing member, a number where an id belongs.
        for other in [
            line.replace("auth", "\\u0061uth"),
            line.replace(r#""service":"auth","#, ""),
            line.replace(r#""t1""#, "1"),
        ] {
            assert_eq!(line_keys(&other), None, "{other}");
        }
    }

    fn arb_line_member() -> impl Strategy<Value = String> {
        let key = prop::sample::select(
            &[
                "timestamp",
                "level",
                "service",
                "message",
                "traceId",
                "requestId",
                "userId",
                "featureId",
                "platformId",
                "status",
            ][..],
        );
        let value = prop_oneof![
            3 => prop::sample::select(&["info", "warn", "debug", "error", "x", "2026-02-22T10:34:00.123Z"][..])
                .prop_map(|s| format!("\"{s}\"")),
            3 => arb_usual_value(),
            1 => arb_value(),
        ];
        (key, value).prop_map(|(k, v)| format!("\"{k}\":{v}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 5000, ..ProptestConfig::default() })]

        /// Whatever our line holds, keys read here are the keys serde reads.
        #[test]
        fn line_keys_read_here_are_the_ones_serde_reads(
            complete in any::<bool>(),
            members in proptest::collection::vec(arb_line_member(), 0..8)
                .prop_shuffle(),
            tail in prop_oneof![Just(""), Just("\n"), Just(" "), Just("\r\n"), Just(" x")],
        ) {
            // Often a line that is ours, with more members (some twice) in any order.
            let mut members = members;
            if complete {
                members.extend([
                    r#""timestamp":"2026-02-22T10:34:00.123Z""#.to_owned(),
                    r#""level":"info""#.to_owned(),
                    r#""service":"s""#.to_owned(),
                    r#""message":"m""#.to_owned(),
                ]);
                let half = members.len() / 2;
                members.rotate_left(half);
            }
            let line = format!("{{{}}}{tail}", members.join(","));
            if let Some(keys) = line_keys(&line) {
                prop_assert_eq!(keys, LineKeys::parse(&line), "{}", line);
            }
        }
    }

    /// A JSON value of any of the shapes a foreign producer might write for a field.
    fn arb_value() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => "[a-c \"\\\\/é\u{1}\t\n]{0,6}".prop_map(|s| serde_json::to_string(&s).unwrap()),
            1 => Just(r#""a\u00e9\\u0041""#.to_owned()),
            1 => Just(r#""a\/b\b\f\r""#.to_owned()),
            1 => Just("null".to_owned()),
            1 => Just("true".to_owned()),
            1 => prop_oneof![
                Just("0"), Just("1771756440123"), Just("18446744073709551615"),
                Just("18446744073709551616"), Just("-5"), Just("1.5"), Just("1e3"), Just("012"),
                Just("999"), Just("1000"), Just("65536"),
            ].prop_map(str::to_owned),
            1 => Just(r#"{"a":[1,{"b":null}]}"#.to_owned()),
            1 => Just("[]".to_owned()),
            1 => Just(r#"["x","y"]"#.to_owned()),
            1 => Just(r#"["x",1]"#.to_owned()),
        ]
    }

    /// Values of the usual types only (what this module reads), with contents that test it.
    fn arb_usual_value() -> BoxedStrategy<String> {
        prop_oneof![
            3 => "[a-c \"\\\\/é→\t\n\u{8}\u{c}\r]{0,8}".prop_map(|s| serde_json::to_string(&s).unwrap()),
            1 => Just(r#""a\/b""#.to_owned()),
            1 => Just("null".to_owned()),
            2 => prop_oneof![
                Just("0"), Just("7"), Just("1771756440123"), Just("18446744073709551615"),
                Just("999"), Just("1000"), Just("65535"), Just("65536"),
            ].prop_map(str::to_owned),
        ]
        .boxed()
    }

    fn arb_object(
        keys: &'static [&'static str],
        inner: BoxedStrategy<String>,
        value: fn() -> BoxedStrategy<String>,
    ) -> BoxedStrategy<String> {
        let member = (
            prop::sample::select(keys),
            prop_oneof![3 => inner, 2 => value()],
        );
        (
            proptest::collection::vec(member, 0..5),
            prop_oneof![Just(""), Just(" ")],
        )
            .prop_map(|(members, space)| {
                let members: Vec<String> = members
                    .iter()
                    .map(|(k, v)| format!("\"{k}\":{space}{v}"))
                    .collect();
                format!("{{{}}}", members.join(&format!(",{space}")))
            })
            .boxed()
    }

    /// A record whose fields hold values from `value` (or the objects and lists they belong
    /// in).
    fn arb_record(value: fn() -> BoxedStrategy<String>) -> BoxedStrategy<String> {
        let request = arb_object(&["URL", "Method", "Other"], value(), value);
        let response = arb_object(&["Status", "Other"], value(), value);
        let event = arb_object(
            &["RayID", "Request", "Response", "Other"],
            prop_oneof![request, response].boxed(),
            value,
        );
        let messages = proptest::collection::vec(value(), 0..3)
            .prop_map(|items| format!("[{}]", items.join(",")));
        let log = arb_object(
            &["Level", "Message", "TimestampMs", "Other"],
            messages.boxed(),
            value,
        );
        let exception = arb_object(&["Name", "Message", "TimestampMs", "Other"], value(), value);
        let list = move |element: BoxedStrategy<String>| {
            proptest::collection::vec(prop_oneof![4 => element, 1 => value()], 0..3)
                .prop_map(|items| format!("[{}]", items.join(",")))
                .boxed()
        };
        arb_object(
            &[
                "ScriptName",
                "Outcome",
                "EventTimestampMs",
                "EventType",
                "Event",
                "Ray",
                "Logs",
                "Exceptions",
                "CPUTimeMs",
            ],
            prop_oneof![event, list(log), list(exception)].boxed(),
            value,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 5000, ..ProptestConfig::default() })]

        /// Whatever the line, a record read here is the record serde reads.
        #[test]
        fn a_record_read_here_is_the_one_serde_reads(
            line in prop_oneof![arb_record(|| arb_value().boxed()), arb_record(arb_usual_value)],
            pad in "[ ]{0,2}",
        ) {
            let line = format!("{pad}{line}");
            if let Some(read) = record(&line) {
                prop_assert_eq!(Some(read), serde(&line), "{}", line);
            }
        }
    }
}
