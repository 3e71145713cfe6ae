//! AWS Signature Version 4 (`AWS4-HMAC-SHA256`) for the S3 API, header-based, the payload in a
//! single chunk: the canonical request, the string to sign, the derived signing key and the
//! `Authorization` header, as AWS's "Signature Calculations for the Authorization Header"
//! describes them (no I/O; the caller sends the headers it signed).
//!
//! ```
//! use nno_obs_cloudflare::s3::sigv4::{authorization, Credentials, SignedRequest, EMPTY_SHA256};
//! use nno_obs_cloudflare::Secret;
//!
//! let credentials = Credentials::new("AKIAIOSFODNN7EXAMPLE", Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
//! let request = SignedRequest {
//!     method: "GET",
//!     path: "/test.txt",
//!     query: "",
//!     headers: &[
//!         ("host", "examplebucket.s3.amazonaws.com"),
//!         ("range", "bytes=0-9"),
//!         ("x-amz-content-sha256", EMPTY_SHA256),
//!         ("x-amz-date", "20130524T000000Z"),
//!     ],
//!     payload_hash: EMPTY_SHA256,
//! };
//! let header = authorization(&credentials, "us-east-1", "s3", "20130524T000000Z", &request);
//! assert!(header.ends_with("Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
//! ```

use crate::secret::Secret;
use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::fmt;

type HmacSha256 = hmac::Hmac<Sha256>;

/// The algorithm's name, first word of the `Authorization` header and of the string to sign.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The hex SHA-256 of an empty payload (every request here without a body).
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// An access key: its id (not secret: it is sent in every request) and its secret key (only
/// ever an HMAC key; redacted in `Debug`).
///
/// ```
/// use nno_obs_cloudflare::s3::sigv4::Credentials;
/// use nno_obs_cloudflare::Secret;
///
/// let credentials = Credentials::new("AKID", Secret::new("s3cr3t"));
/// assert_eq!(format!("{credentials:?}"), r#"Credentials { access_key_id: "AKID", secret_access_key: <redacted> }"#);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: Secret,
}

impl Credentials {
    /// The key `access_key_id` with its secret.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: Secret) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key,
        }
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret, for redacting texts a server sends back.
    pub fn secret(&self) -> &Secret {
        &self.secret_access_key
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .finish()
    }
}

/// What is signed of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedRequest<'a> {
    /// The method, e.g. `GET`.
    pub method: &'a str,
    /// The path as sent, already URI-encoded ([`uri_encode`] per segment); S3 paths are not
    /// encoded a second time.
    pub path: &'a str,
    /// The query string as sent, already canonical ([`canonical_query`]); `""` for none.
    pub query: &'a str,
    /// The headers to sign, `(name, value)`: at least `host` and `x-amz-date`; names in any
    /// case, any order.
    pub headers: &'a [(&'a str, &'a str)],
    /// The hex SHA-256 of the payload ([`payload_hash`]; [`EMPTY_SHA256`] for none), also sent
    /// as `x-amz-content-sha256`.
    pub payload_hash: &'a str,
}

/// `input` URI-encoded as SigV4 requires: every byte but the unreserved `A-Z a-z 0-9 - _ . ~`
/// as `%XX` (upper-case hex); `/` too unless `keep_slash` (an object key in a path).
///
/// ```
/// use nno_obs_cloudflare::s3::sigv4::uri_encode;
///
/// assert_eq!(uri_encode("test$file.text", false), "test%24file.text");
/// assert_eq!(uri_encode("20260222/a b+c~", true), "20260222/a%20b%2Bc~");
/// assert_eq!(uri_encode("20260222/", false), "20260222%2F");
/// assert_eq!(uri_encode("é", false), "%C3%A9");
/// ```
pub fn uri_encode(input: &str, keep_slash: bool) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(input.len());
    for &byte in input.as_bytes() {
        let unreserved = byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~');
        if unreserved || (keep_slash && byte == b'/') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

/// A query string in canonical form: names and values URI-encoded, sorted by name then value,
/// `name=value` joined with `&` (a parameter without a value is `name=`). The same string is
/// sent, so what is signed is what the server reads.
///
/// ```
/// use nno_obs_cloudflare::s3::sigv4::canonical_query;
///
/// let query = canonical_query(&[("prefix", "2026/02"), ("list-type", "2"), ("max-keys", "1000")]);
/// assert_eq!(query, "list-type=2&max-keys=1000&prefix=2026%2F02");
/// ```
pub fn canonical_query(params: &[(&str, &str)]) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .map(|(name, value)| (uri_encode(name, false), uri_encode(value, false)))
        .collect();
    encoded.sort();
    let pairs: Vec<String> = encoded
        .into_iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    pairs.join("&")
}

/// The hex SHA-256 of `payload`.
///
/// ```
/// use nno_obs_cloudflare::s3::sigv4::{payload_hash, EMPTY_SHA256};
///
/// assert_eq!(payload_hash(b""), EMPTY_SHA256);
/// ```
pub fn payload_hash(payload: &[u8]) -> String {
    hex(&Sha256::digest(payload))
}

/// The canonical request (the first step of the signature).
pub fn canonical_request(request: &SignedRequest<'_>) -> String {
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), canonical_value(value)))
        .collect();
    headers.sort();
    let mut canonical = format!("{}\n{}\n{}\n", request.method, request.path, request.query);
    for (name, value) in &headers {
        canonical.push_str(name);
        canonical.push(':');
        canonical.push_str(value);
        canonical.push('\n');
    }
    canonical.push('\n');
    canonical.push_str(&signed_headers(&headers));
    canonical.push('\n');
    canonical.push_str(request.payload_hash);
    canonical
}

/// The string to sign of a canonical request made at `amz_date` (`YYYYMMDDTHHMMSSZ`).
pub fn string_to_sign(amz_date: &str, region: &str, service: &str, canonical: &str) -> String {
    format!(
        "{ALGORITHM}\n{amz_date}\n{}\n{}",
        scope(amz_date, region, service),
        payload_hash(canonical.as_bytes())
    )
}

/// The `Authorization` header's value for `request` made at `amz_date` (`YYYYMMDDTHHMMSSZ`,
/// also sent as `x-amz-date`) to `service` in `region`.
pub fn authorization(
    credentials: &Credentials,
    region: &str,
    service: &str,
    amz_date: &str,
    request: &SignedRequest<'_>,
) -> String {
    let canonical = canonical_request(request);
    let to_sign = string_to_sign(amz_date, region, service, &canonical);
    let key = signing_key(credentials.secret(), date_of(amz_date), region, service);
    let signature = hex(&hmac(&key, to_sign.as_bytes()));
    let mut names: Vec<String> = request
        .headers
        .iter()
        .map(|(name, _)| name.to_ascii_lowercase())
        .collect();
    names.sort();
    format!(
        "{ALGORITHM} Credential={}/{},SignedHeaders={},Signature={signature}",
        credentials.access_key_id(),
        scope(amz_date, region, service),
        names.join(";"),
    )
}

/// The key derived from the secret for one day, region and service.
fn signing_key(secret: &Secret, date: &str, region: &str, service: &str) -> Vec<u8> {
    let k_secret = format!("AWS4{}", secret.expose());
    let k_date = hmac(k_secret.as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

fn scope(amz_date: &str, region: &str, service: &str) -> String {
    format!("{}/{region}/{service}/aws4_request", date_of(amz_date))
}

/// `YYYYMMDD` of `YYYYMMDDTHHMMSSZ` (the whole text if it is shorter: a malformed date then
/// signs a scope the server refuses, never a panic).
fn date_of(amz_date: &str) -> &str {
    amz_date.get(..8).unwrap_or(amz_date)
}

fn signed_headers(sorted: &[(String, String)]) -> String {
    let names: Vec<&str> = sorted.iter().map(|(name, _)| name.as_str()).collect();
    names.join(";")
}

/// A header value as signed: trimmed, inner runs of spaces as one.
fn canonical_value(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length (longer ones are hashed), so this never fails.
    match <HmacSha256 as KeyInit>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

/// `ms` since the epoch as SigV4's `x-amz-date`, `YYYYMMDDTHHMMSSZ` (UTC); `None` outside the
/// years 0–9999.
///
/// ```
/// use nno_obs_cloudflare::s3::sigv4::amz_date;
///
/// assert_eq!(amz_date(1_369_353_600_000).as_deref(), Some("20130524T000000Z"));
/// ```
pub fn amz_date(ms: u64) -> Option<String> {
    let seconds = i64::try_from(ms / 1000).ok()?;
    let at = time::OffsetDateTime::from_unix_timestamp(seconds).ok()?;
    if !(0..=9999).contains(&at.year()) {
        return None;
    }
    Some(format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    ))
}
