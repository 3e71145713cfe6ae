//! HTML escaping: every value a page shows passes through [`escape`] (text and attribute
//! values alike), and every value a link carries through [`encode`].

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// `text` safe inside an element or a double- or single-quoted attribute.
///
/// ```
/// use nno_obs_console::escape::escape;
/// assert_eq!(escape(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What a query value keeps unencoded: RFC 3986's unreserved characters.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `value` percent-encoded for a query string or a path segment.
///
/// ```
/// use nno_obs_console::escape::encode;
/// assert_eq!(encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
/// ```
pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// A query string of the non-empty `pairs`, encoded (`?` included; empty when none).
///
/// ```
/// use nno_obs_console::escape::query;
/// assert_eq!(query(&[("range", "24h"), ("text", "a b"), ("level", "")]), "?range=24h&text=a%20b");
/// ```
pub fn query(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs.iter().filter(|(_, value)| !value.is_empty()) {
        out.push(if out.is_empty() { '?' } else { '&' });
        out.push_str(name);
        out.push('=');
        out.push_str(&encode(value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_inert() {
        let hostile = "<script>alert(1)</script>";
        assert_eq!(escape(hostile), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert!(!escape("\" onmouseover=\"x").contains('"'));
        assert!(!escape("' onfocus='x").contains('\''));
    }

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(
            escape("nno-registry-prod 12.5 ms é"),
            "nno-registry-prod 12.5 ms é"
        );
    }

    #[test]
    fn ampersand_first_so_entities_are_not_doubled_wrongly() {
        assert_eq!(escape("&lt;"), "&amp;lt;");
    }

    #[test]
    fn encoded_values_cannot_break_out_of_a_link() {
        let encoded = encode("\"><script>&x=1#");
        assert!(encoded
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "%-_.~".contains(c)));
    }
}
