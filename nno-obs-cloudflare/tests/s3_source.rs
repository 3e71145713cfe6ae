//! The S3 source over a scripted server: what it sends (path-style URLs, the signed headers,
//! the listing's parameters) and what each answer becomes.

use nno_obs_cloudflare::s3::http::{HttpClient, HttpFuture, HttpMethod, HttpRequest, HttpResponse};
use nno_obs_cloudflare::s3::{Credentials, S3Config, S3Source};
use nno_obs_cloudflare::Secret;
use nno_obs_logs::source::{now_or_never, ObjectSource, SourceErrorKind};
use std::cell::RefCell;
use std::collections::VecDeque;

const SECRET: &str = "very-secret-key";

/// Answers from a script, in order, and keeps what was sent.
#[derive(Default)]
struct Scripted {
    answers: RefCell<VecDeque<Result<HttpResponse, String>>>,
    sent: RefCell<Vec<HttpRequest>>,
}

impl Scripted {
    fn new(answers: Vec<Result<HttpResponse, String>>) -> Self {
        Self {
            answers: RefCell::new(answers.into()),
            sent: RefCell::default(),
        }
    }
}

impl HttpClient for &Scripted {
    fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
        self.sent.borrow_mut().push(request);
        let answer = self
            .answers
            .borrow_mut()
            .pop_front()
            .unwrap_or_else(|| Err("the script ran out".to_owned()));
        Box::pin(async move { answer })
    }
}

fn answer(status: u16, body: &[u8]) -> Result<HttpResponse, String> {
    Ok(HttpResponse {
        status,
        body: body.to_vec(),
    })
}

fn source(server: &Scripted) -> S3Source<&Scripted> {
    let config = S3Config::r2(
        "0123456789abcdef0123456789abcdef",
        "nno-logs-k3m9p2xw7q",
        Credentials::new("AKID", Secret::new(SECRET)),
    )
    .unwrap();
    // 2026-02-22T10:34:00Z
    S3Source::new(server, config, Box::new(|| 1_771_756_440_000))
}

fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn page(keys: &[(&str, u64)], next: Option<&str>) -> Result<HttpResponse, String> {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#,
    );
    for (key, size) in keys {
        xml.push_str(&format!(
            "<Contents><Key>{key}</Key><Size>{size}</Size></Contents>"
        ));
    }
    xml.push_str(&format!("<IsTruncated>{}</IsTruncated>", next.is_some()));
    if let Some(next) = next {
        xml.push_str(&format!(
            "<NextContinuationToken>{next}</NextContinuationToken>"
        ));
    }
    xml.push_str("</ListBucketResult>");
    answer(200, xml.as_bytes())
}

#[test]
fn a_listing_follows_continuation_tokens_and_sorts() {
    let server = Scripted::new(vec![
        page(
            &[("20260222/b.log.gz", 2), ("20260222/a.log.gz", 1)],
            Some("t+1/="),
        ),
        page(&[("20260222/c.log.gz", 3)], None),
    ]);
    let listed = now_or_never(source(&server).list("20260222/"))
        .unwrap()
        .unwrap();
    let keys: Vec<(&str, u64)> = listed.iter().map(|o| (o.key.as_str(), o.size)).collect();
    assert_eq!(
        keys,
        vec![
            ("20260222/a.log.gz", 1),
            ("20260222/b.log.gz", 2),
            ("20260222/c.log.gz", 3)
        ]
    );
    let sent = server.sent.borrow();
    let base =
        "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com/nno-logs-k3m9p2xw7q";
    assert_eq!(
        sent[0].url,
        format!("{base}?list-type=2&max-keys=1000&prefix=20260222%2F")
    );
    assert_eq!(
        sent[1].url,
        format!(
            "{base}?continuation-token=t%2B1%2F%3D&list-type=2&max-keys=1000&prefix=20260222%2F"
        )
    );
    for request in sent.iter() {
        assert_eq!(request.method, HttpMethod::Get);
        assert_eq!(header(request, "x-amz-date"), Some("20260222T103400Z"));
        let authorization = header(request, "authorization").unwrap();
        assert!(authorization.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKID/20260222/auto/s3/aws4_request,\
             SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature="
        ));
        assert!(!format!("{request:?}").contains(SECRET));
    }
}

#[test]
fn a_token_that_does_not_move_or_is_missing_stops_the_listing() {
    let server = Scripted::new(vec![page(&[], Some("same")), page(&[], Some("same"))]);
    let error = now_or_never(source(&server).list("")).unwrap().unwrap_err();
    assert_eq!(error.kind(), SourceErrorKind::Unavailable);
    assert_eq!(server.sent.borrow().len(), 2);

    let server = Scripted::new(vec![answer(
        200,
        b"<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
    )]);
    let error = now_or_never(source(&server).list("")).unwrap().unwrap_err();
    assert_eq!(error.kind(), SourceErrorKind::Unavailable);
}

#[test]
fn a_listing_drops_keys_outside_its_prefix_and_refuses_garbage() {
    let server = Scripted::new(vec![page(&[("20260222/a", 1), ("elsewhere/b", 1)], None)]);
    let listed = now_or_never(source(&server).list("20260222/"))
        .unwrap()
        .unwrap();
    assert_eq!(listed.len(), 1);
    let server = Scripted::new(vec![answer(200, b"<html>a captive portal</html>")]);
    let error = now_or_never(source(&server).list("")).unwrap().unwrap_err();
    assert_eq!(error.kind(), SourceErrorKind::Unavailable);
}

#[test]
fn statuses_map_to_kinds() {
    let denied = b"<Error><Code>AccessDenied</Code><Message>very-secret-key</Message></Error>";
    for (status, body, kind) in [
        (403, &denied[..], SourceErrorKind::Denied),
        (
            404,
            &b"<Error><Code>NoSuchBucket</Code></Error>"[..],
            SourceErrorKind::NotFound,
        ),
        (500, &b""[..], SourceErrorKind::Unavailable),
        (
            503,
            &b"<Error><Code>SlowDown</Code></Error>"[..],
            SourceErrorKind::Unavailable,
        ),
        (429, &b""[..], SourceErrorKind::Unavailable),
        (
            400,
            &b"<Error><Code>InvalidArgument</Code></Error>"[..],
            SourceErrorKind::Unavailable,
        ),
    ] {
        let server = Scripted::new(vec![answer(status, body)]);
        let error = now_or_never(source(&server).list("")).unwrap().unwrap_err();
        assert_eq!(error.kind(), kind, "{status}");
        assert!(error.message().contains(&status.to_string()));
        // The server's message can echo anything: only its code is kept.
        assert!(!error.to_string().contains(SECRET), "{error}");
    }
    let server = Scripted::new(vec![answer(403, denied)]);
    let error = now_or_never(source(&server).get("a.log.gz"))
        .unwrap()
        .unwrap_err();
    assert_eq!(error.to_string(), "denied: GET: status 403 (AccessDenied)");
}

#[test]
fn a_missing_object_is_none_and_a_failed_call_is_unavailable_without_the_secret() {
    let server = Scripted::new(vec![
        answer(404, b"<Error><Code>NoSuchKey</Code></Error>"),
        answer(404, b""),
        Err(format!("connection reset while sending {SECRET}")),
    ]);
    let source = source(&server);
    assert_eq!(
        now_or_never(source.get("20260222/a.log.gz")).unwrap(),
        Ok(None)
    );
    assert_eq!(
        now_or_never(source.get_range("20260222/a.log.gz", 0, 10)).unwrap(),
        Ok(None)
    );
    let error = now_or_never(source.get("20260222/a.log.gz"))
        .unwrap()
        .unwrap_err();
    assert_eq!(error.kind(), SourceErrorKind::Unavailable);
    assert!(!error.to_string().contains(SECRET), "{error}");
    assert!(!format!("{source:?}").contains(SECRET));
}

#[test]
fn gets_are_path_style_with_keys_encoded() {
    let server = Scripted::new(vec![answer(200, b"whole")]);
    let bytes = now_or_never(source(&server).get("20260222/a b+c.log.gz"))
        .unwrap()
        .unwrap();
    assert_eq!(bytes.as_deref(), Some(&b"whole"[..]));
    let sent = server.sent.borrow();
    assert_eq!(
        sent[0].url,
        "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com/nno-logs-k3m9p2xw7q/20260222/a%20b%2Bc.log.gz"
    );
    assert_eq!(header(&sent[0], "range"), None);
}

#[test]
fn ranges_ask_for_inclusive_bytes_and_cut_what_a_server_overshoots() {
    let server = Scripted::new(vec![
        answer(206, b"bcd"),
        // A server that ignores Range sends the whole object.
        answer(200, b"abcdef"),
        // Past the end.
        answer(416, b"<Error><Code>InvalidRange</Code></Error>"),
        // A range that overflows u64 asks up to the last byte there is.
        answer(206, b"f"),
    ]);
    let source = source(&server);
    assert_eq!(
        now_or_never(source.get_range("k", 1, 3)).unwrap(),
        Ok(Some(b"bcd".to_vec()))
    );
    assert_eq!(
        now_or_never(source.get_range("k", 1, 3)).unwrap(),
        Ok(Some(b"bcd".to_vec()))
    );
    assert_eq!(
        now_or_never(source.get_range("k", 99, 3)).unwrap(),
        Ok(Some(Vec::new()))
    );
    assert_eq!(
        now_or_never(source.get_range("k", 5, u64::MAX)).unwrap(),
        Ok(Some(b"f".to_vec()))
    );
    let sent = server.sent.borrow();
    let ranges: Vec<Option<&str>> = sent.iter().map(|r| header(r, "range")).collect();
    assert_eq!(
        ranges,
        vec![
            Some("bytes=1-3"),
            Some("bytes=1-3"),
            Some("bytes=99-101"),
            Some("bytes=5-18446744073709551615")
        ]
    );
    assert!(header(&sent[0], "authorization")
        .unwrap()
        .contains("SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"));
}

#[test]
fn an_empty_range_asks_whether_the_object_exists() {
    let server = Scripted::new(vec![answer(200, b""), answer(404, b"")]);
    let source = source(&server);
    assert_eq!(
        now_or_never(source.get_range("k", 3, 0)).unwrap(),
        Ok(Some(Vec::new()))
    );
    assert_eq!(now_or_never(source.get_range("k", 3, 0)).unwrap(), Ok(None));
    assert!(server
        .sent
        .borrow()
        .iter()
        .all(|r| r.method == HttpMethod::Head));
}

#[test]
fn a_put_signs_its_payload_hash() {
    let server = Scripted::new(vec![answer(200, b""), answer(403, b"")]);
    let source = source(&server);
    assert_eq!(
        now_or_never(source.put("20260222/.idx/a.idx", b"Welcome to Amazon S3.".to_vec())).unwrap(),
        Ok(())
    );
    // A read-only token: the sidecar is not written, and the search goes on without it.
    let refused = now_or_never(source.put("20260222/.idx/a.idx", Vec::new())).unwrap();
    assert_eq!(refused.unwrap_err().kind(), SourceErrorKind::Denied);
    let sent = server.sent.borrow();
    assert_eq!(sent[0].method, HttpMethod::Put);
    assert_eq!(sent[0].body, b"Welcome to Amazon S3.");
    assert_eq!(
        header(&sent[0], "x-amz-content-sha256"),
        Some("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
    );
}

#[test]
fn a_delete_is_signed_and_a_missing_object_is_no_failure() {
    let server = Scripted::new(vec![
        answer(204, b""),
        answer(200, b""),
        answer(404, b"<Error><Code>NoSuchKey</Code></Error>"),
        answer(
            403,
            b"<Error><Code>AccessDenied</Code><Message>secret detail</Message></Error>",
        ),
        answer(500, b"<Error><Code>InternalError</Code></Error>"),
        Err("connection reset".to_owned()),
    ]);
    let source = source(&server);
    let delete = |key: &str| now_or_never(source.delete(key)).unwrap();
    // S3 answers 204; R2 204 or 200; a 404 means it is not there: all done.
    for _ in 0..3 {
        assert_eq!(delete("20200101/a b+c.log.gz"), Ok(()));
    }
    // A token without delete permission: denied, the code named, not the server's message.
    let denied = delete("20200101/a.log.gz").unwrap_err();
    assert_eq!(denied.kind(), SourceErrorKind::Denied);
    assert_eq!(
        denied.to_string(),
        "denied: DELETE: status 403 (AccessDenied)"
    );
    let failed = delete("20200101/a.log.gz").unwrap_err();
    assert_eq!(failed.kind(), SourceErrorKind::Unavailable);
    assert_eq!(
        failed.to_string(),
        "unavailable: DELETE: status 500 (InternalError)"
    );
    let unanswered = delete("20200101/a.log.gz").unwrap_err();
    assert_eq!(unanswered.kind(), SourceErrorKind::Unavailable);
    let sent = server.sent.borrow();
    assert_eq!(sent.len(), 6);
    assert_eq!(sent[0].method, HttpMethod::Delete);
    assert_eq!(
        sent[0].url,
        "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com/nno-logs-k3m9p2xw7q/20200101/a%20b%2Bc.log.gz"
    );
    assert!(sent[0].body.is_empty());
    assert_eq!(
        header(&sent[0], "x-amz-content-sha256"),
        Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
    assert!(header(&sent[0], "authorization")
        .unwrap()
        .starts_with("AWS4-HMAC-SHA256 Credential=AKID/20260222/auto/s3/aws4_request,"));
}

#[test]
fn hostile_keys_never_reach_the_server() {
    let server = Scripted::new(Vec::new());
    let source = source(&server);
    for key in ["", "../x", "/etc/passwd", "a/../../b", "a\\b", "a//b"] {
        let kinds = [
            now_or_never(source.get(key)).unwrap().unwrap_err().kind(),
            now_or_never(source.get_range(key, 0, 1))
                .unwrap()
                .unwrap_err()
                .kind(),
            now_or_never(source.put(key, Vec::new()))
                .unwrap()
                .unwrap_err()
                .kind(),
            now_or_never(source.delete(key))
                .unwrap()
                .unwrap_err()
                .kind(),
        ];
        assert_eq!(kinds, [SourceErrorKind::InvalidKey; 4], "{key}");
    }
    assert!(server.sent.borrow().is_empty());
}

#[test]
fn the_endpoint_override_keeps_its_port_in_the_signed_host() {
    let server = Scripted::new(vec![answer(200, b"x")]);
    let config = S3Config::r2(
        "0123456789abcdef0123456789abcdef",
        "nno-logs-k3m9p2xw7q",
        Credentials::new("AKID", Secret::new(SECRET)),
    )
    .unwrap()
    .with_endpoint("http://127.0.0.1:5000/")
    .unwrap();
    let source = S3Source::new(&server, config, Box::new(|| 0));
    now_or_never(source.get("k")).unwrap().unwrap();
    assert_eq!(
        server.sent.borrow()[0].url,
        "http://127.0.0.1:5000/nno-logs-k3m9p2xw7q/k"
    );
    for bad in [
        "ftp://x",
        "https://",
        "https://h/path",
        "https://u@h",
        "h:1",
    ] {
        let config = S3Config::r2(
            "0123456789abcdef0123456789abcdef",
            "nno-logs-k3m9p2xw7q",
            Credentials::new("AKID", Secret::new(SECRET)),
        )
        .unwrap();
        assert!(config.with_endpoint(bad).is_err(), "{bad}");
    }
}
