//! The two XML answers the S3 source reads: a ListObjectsV2 page (`ListBucketResult`: each
//! `Contents`' `Key` and `Size`, each `CommonPrefixes`' `Prefix`, `IsTruncated`,
//! `NextContinuationToken`) and an error's `Code`.
//!
//! A hand parser rather than an XML crate: the answers are flat, machine-written and only four
//! elements are read, so a tokenizer of elements, text, CDATA and the XML entities (about 150
//! lines, fuzzed by a property test) does the job with no dependency in the Worker's `.wasm`.
//! A DOCTYPE is refused (no entity can be declared), and so is anything that does not nest.

use nno_obs_logs::source::ObjectMeta;

/// One page of a listing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListPage {
    /// The page's objects, in the server's order.
    pub objects: Vec<ObjectMeta>,
    /// With a delimiter: the folders just below the prefix (`CommonPrefixes`), each ending in
    /// the delimiter.
    pub folders: Vec<String>,
    /// Whether more pages follow.
    pub truncated: bool,
    /// The token of the next page.
    pub next: Option<String>,
}

/// Reads a ListObjectsV2 answer; `Err` says what is wrong with it.
///
/// ```
/// use nno_obs_cloudflare::s3::xml::parse_list;
///
/// let page = parse_list(br#"<?xml version="1.0" encoding="UTF-8"?>
/// <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>true</IsTruncated>
/// <Contents><Key>20260222/a&amp;b.log.gz</Key><Size>42</Size></Contents>
/// <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken></ListBucketResult>"#).unwrap();
/// assert_eq!((page.objects[0].key.as_str(), page.objects[0].size), ("20260222/a&b.log.gz", 42));
/// assert!(page.truncated);
/// assert_eq!(page.next.as_deref(), Some("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="));
/// assert!(parse_list(b"<ListBucketResult><Contents><Key>a</Key>").is_err());
///
/// // Listed with `delimiter=/`: the folders below the prefix.
/// let level = parse_list(b"<ListBucketResult><IsTruncated>false</IsTruncated>
/// <CommonPrefixes><Prefix>20260222/</Prefix></CommonPrefixes>
/// <CommonPrefixes><Prefix>20260223/</Prefix></CommonPrefixes></ListBucketResult>").unwrap();
/// assert_eq!(level.folders, ["20260222/", "20260223/"]);
/// ```
pub fn parse_list(xml: &[u8]) -> Result<ListPage, String> {
    let mut page = ListPage::default();
    let mut key: Option<String> = None;
    let mut size: Option<u64> = None;
    let mut root_seen = false;
    walk(xml, |path, text| {
        match path {
            [root] => {
                if *root != "ListBucketResult" {
                    return Err(format!("not a listing: <{root}>"));
                }
                root_seen = true;
            }
            [_, "IsTruncated"] => {
                page.truncated = match text.trim() {
                    "true" => true,
                    "false" => false,
                    other => return Err(format!("IsTruncated is {other:?}")),
                };
            }
            [_, "NextContinuationToken"] => page.next = Some(text.to_owned()),
            [_, "Contents", "Key"] => key = Some(text.to_owned()),
            [_, "CommonPrefixes", "Prefix"] => page.folders.push(text.to_owned()),
            [_, "Contents", "Size"] => {
                size = Some(
                    text.trim()
                        .parse()
                        .map_err(|_| format!("Size is {:?}", text.trim()))?,
                );
            }
            [_, "Contents"] => match (key.take(), size.take()) {
                (Some(key), Some(size)) => page.objects.push(ObjectMeta { key, size }),
                _ => return Err("Contents without Key or Size".to_owned()),
            },
            _ => {}
        }
        Ok(())
    })?;
    if !root_seen {
        return Err("no ListBucketResult".to_owned());
    }
    Ok(page)
}

/// The `Code` of an S3 error answer (`<Error><Code>NoSuchKey</Code>…`), when it is a plain code
/// (letters, digits, `.`; at most 64): the only part of an error body that goes into a message
/// (its `Message` can echo the request).
///
/// ```
/// use nno_obs_cloudflare::s3::xml::error_code;
///
/// assert_eq!(error_code(b"<Error><Code>SignatureDoesNotMatch</Code><Message>..</Message></Error>").as_deref(), Some("SignatureDoesNotMatch"));
/// assert_eq!(error_code(b"<Error><Code>a b</Code></Error>"), None);
/// assert_eq!(error_code(b"Bad Gateway"), None);
/// ```
pub fn error_code(xml: &[u8]) -> Option<String> {
    let mut code = None;
    walk(xml, |path, text| {
        if let ["Error", "Code"] = path {
            code = Some(text.to_owned());
        }
        Ok(())
    })
    .ok()?;
    code.filter(|code| {
        !code.is_empty()
            && code.len() <= 64
            && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
    })
}

/// Walks `xml`'s elements, calling `on_close(path, text)` as each one closes, `path` the names
/// from the root to it and `text` its own decoded text (text inside a child is not its own).
fn walk<'x>(
    xml: &'x [u8],
    mut on_close: impl FnMut(&[&'x str], &str) -> Result<(), String>,
) -> Result<(), String> {
    let xml = std::str::from_utf8(xml).map_err(|_| "not UTF-8".to_owned())?;
    let mut rest = xml;
    let mut path: Vec<&str> = Vec::new();
    let mut text = String::new();
    let mut closed_root = false;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<![CDATA[") {
            let end = after.find("]]>").ok_or("an unclosed CDATA")?;
            text.push_str(&after[..end]);
            rest = &after[end + 3..];
        } else if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").ok_or("an unclosed comment")?;
            rest = &after[end + 3..];
        } else if let Some(after) = rest.strip_prefix("<?") {
            let end = after.find("?>").ok_or("an unclosed declaration")?;
            rest = &after[end + 2..];
        } else if rest.starts_with("<!") {
            return Err("a DOCTYPE or declaration is not accepted".to_owned());
        } else if let Some(after) = rest.strip_prefix('<') {
            let end = after.find('>').ok_or("an unclosed tag")?;
            let tag = &after[..end];
            rest = &after[end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                let name = name.trim_end();
                if path.last() != Some(&name) {
                    return Err(format!("</{name}> closes nothing open"));
                }
                on_close(&path, &text)?;
                path.pop();
                closed_root |= path.is_empty();
            } else {
                let empty = tag.ends_with('/');
                let name = tag
                    .trim_end_matches('/')
                    .split_ascii_whitespace()
                    .next()
                    .filter(|name| !name.is_empty())
                    .ok_or("a tag without a name")?;
                if closed_root || (path.is_empty() && !text.trim().is_empty()) {
                    return Err("content outside the root element".to_owned());
                }
                path.push(name);
                if empty {
                    on_close(&path, "")?;
                    path.pop();
                    closed_root |= path.is_empty();
                }
            }
            text.clear();
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            decode_into(&rest[..end], &mut text)?;
            rest = &rest[end..];
        }
    }
    if !path.is_empty() {
        return Err(format!("<{}> is never closed", path.join("><")));
    }
    Ok(())
}

/// Appends `raw` with its entities (`&amp;` `&lt;` `&gt;` `&quot;` `&apos;` `&#N;` `&#xH;`)
/// decoded; any other `&` is an error.
fn decode_into(raw: &str, out: &mut String) -> Result<(), String> {
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after.find(';').filter(|&end| end <= 10).ok_or("a bare &")?;
        let entity = &after[..end];
        let decoded = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(decimal) = entity.strip_prefix('#') {
                    decimal.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or_else(|| format!("an unknown entity &{entity};"))?
            }
        };
        out.push(decoded);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What moto answers, byte for byte in shape (a namespace, an empty Prefix, the ETag's
    /// quotes as entities, the token at the end).
    const MOTO_PAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>nno-logs-k3m9p2xw7q</Name>
  <Prefix>20260222/</Prefix>
  <MaxKeys>2</MaxKeys>
  <KeyCount>2</KeyCount>
  <IsTruncated>true</IsTruncated>
  <Contents>
    <Key>20260222/20260222T103400Z_20260222T103859Z_00ff00ff.log.gz</Key>
    <LastModified>2026-02-22T10:39:01.000Z</LastModified>
    <ETag>&quot;0cc175b9c0f1b6a831c399e269772661&quot;</ETag>
    <Size>1234</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>20260222/.idx/x.idx</Key>
    <Size>0</Size>
    <Owner><ID>x</ID></Owner>
  </Contents>
  <NextContinuationToken>MjAyNjAyMjIvLmlkeC94LmlkeA==</NextContinuationToken>
</ListBucketResult>"#;

    #[test]
    fn a_page_as_moto_writes_it() {
        let page = parse_list(MOTO_PAGE.as_bytes()).unwrap();
        let keys: Vec<(&str, u64)> = page
            .objects
            .iter()
            .map(|o| (o.key.as_str(), o.size))
            .collect();
        assert_eq!(
            keys,
            vec![
                (
                    "20260222/20260222T103400Z_20260222T103859Z_00ff00ff.log.gz",
                    1234
                ),
                ("20260222/.idx/x.idx", 0)
            ]
        );
        assert!(page.truncated);
        assert_eq!(page.next.as_deref(), Some("MjAyNjAyMjIvLmlkeC94LmlkeA=="));
    }

    #[test]
    fn the_last_page_has_no_token_and_an_empty_one_no_objects() {
        let page = parse_list(
            b"<ListBucketResult><Prefix/><IsTruncated>false</IsTruncated></ListBucketResult>",
        )
        .unwrap();
        assert_eq!(page, ListPage::default());
    }

    #[test]
    fn entities_cdata_and_comments_decode() {
        let page = parse_list(
            "<ListBucketResult><!-- c --><Contents><Key>a&lt;&#x41;&#66;&apos;<![CDATA[&x<]]></Key><Size> 7 </Size></Contents></ListBucketResult>"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(page.objects[0].key, "a<AB'&x<");
        assert_eq!(page.objects[0].size, 7);
    }

    #[test]
    fn malformed_answers_are_errors() {
        for bad in [
            "",
            "Bad Gateway",
            "<Error><Code>x</Code></Error>",
            "<ListBucketResult><Contents><Key>a</Key></Contents></ListBucketResult>",
            "<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>",
            "<ListBucketResult><IsTruncated>yes</IsTruncated></ListBucketResult>",
            "<ListBucketResult><Key>a</Size></ListBucketResult>",
            "<ListBucketResult>",
            "<ListBucketResult>&bogus;</ListBucketResult>",
            "<ListBucketResult>a & b</ListBucketResult>",
            "<ListBucketResult>&#xD800;</ListBucketResult>",
            "<!DOCTYPE x [<!ENTITY e 'k'>]><ListBucketResult/>",
            "<ListBucketResult/><ListBucketResult/>",
            "<ListBucketResult><Contents><Key>a</Key><Size>1</Size></Contents>",
        ] {
            assert!(parse_list(bad.as_bytes()).is_err(), "{bad}");
        }
        assert!(parse_list(&[0xff, b'<']).is_err());
    }

    fn escape(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }

    proptest! {
        /// Any bytes: an answer or an error, never a panic.
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse_list(&bytes);
            let _ = error_code(&bytes);
        }

        /// Any keys and sizes written as S3 escapes them read back as they were.
        #[test]
        fn keys_round_trip(
            objects in proptest::collection::vec(("[^\u{0}]{1,40}", any::<u64>()), 0..8),
            token in proptest::option::of("[A-Za-z0-9+/=]{1,40}"),
        ) {
            let mut xml = String::from("<ListBucketResult>");
            for (key, size) in &objects {
                xml.push_str(&format!("<Contents><Key>{}</Key><Size>{size}</Size></Contents>", escape(key)));
            }
            xml.push_str(&format!("<IsTruncated>{}</IsTruncated>", token.is_some()));
            if let Some(token) = &token {
                xml.push_str(&format!("<NextContinuationToken>{token}</NextContinuationToken>"));
            }
            xml.push_str("</ListBucketResult>");
            let page = parse_list(xml.as_bytes()).unwrap();
            let read: Vec<(String, u64)> = page.objects.into_iter().map(|o| (o.key, o.size)).collect();
            prop_assert_eq!(read, objects);
            prop_assert_eq!(page.next, token.clone());
            prop_assert_eq!(page.truncated, token.is_some());
        }
    }
}
