//! What the API hands out and takes back signed: log cursors and download links
//! (`../shared/API.md`, "Cursors and links").
//!
//! Both are HMAC-SHA-256 under the API's secret with a purpose label (a cursor's signature is
//! never a valid link's). A cursor is bound to the caller ([`crate::Caller::binding`]), to the
//! query's filters and to the time window resolved on its first page (so `since=1h` pages on
//! from the same window); a link to its bucket, key and expiry.

use crate::error::{ApiError, ErrorKind};
use crate::jwt::JwtSecret;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use nno_obs_logs::cursor::SortKey;
use nno_obs_logs::objects::ObjectProgress;
use serde::{Deserialize, Serialize};

const CURSOR: &str = "nno-obs cursor v1";
const LINK: &str = "nno-obs download link v1";

/// A page position, as signed into a cursor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CursorState {
    /// The caller it belongs to.
    #[serde(rename = "b")]
    pub binding: String,
    /// The filters it belongs to (see [`crate::handlers::logs`]).
    #[serde(rename = "q")]
    pub filters: String,
    /// The first page's resolved window, ms.
    #[serde(rename = "f")]
    pub from_ms: Option<u64>,
    /// See `from_ms`.
    #[serde(rename = "t")]
    pub to_ms: Option<u64>,
    /// The last entry given; `None` when a bounded search stopped before giving any (then
    /// `objects` says where it got to).
    #[serde(rename = "k")]
    pub after: Option<SortKey>,
    /// A bounded search's continuation: what it learnt of the objects it read (see
    /// [`nno_obs_logs::objects`]). Left out of the text when empty, so a plain cursor reads
    /// as before.
    #[serde(rename = "o", default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ObjectProgress>,
}

/// Signs `state` into an opaque cursor.
///
/// ```
/// use nno_obs_api::jwt::JwtSecret;
/// use nno_obs_api::signed::{open_cursor, seal_cursor, CursorState};
/// use nno_obs_logs::cursor::SortKey;
///
/// let key = JwtSecret::new(b"k".to_vec()).unwrap();
/// let state = CursorState { binding: "operator".into(), filters: "level=warn".into(), from_ms: Some(1),
///     to_ms: Some(2), after: Some(SortKey { time_ms: Some(1), file: "a".into(), line: 0, entry: 0 }),
///     objects: vec![] };
/// let text = seal_cursor(&state, &key);
/// assert_eq!(open_cursor(&text, &key).unwrap(), state);
/// let mut forged = text.clone();
/// forged.insert(0, 'x');
/// assert_eq!(open_cursor(&forged, &key).unwrap_err().status(), 400);
/// ```
pub fn seal_cursor(state: &CursorState, secret: &JwtSecret) -> String {
    let json = serde_json::to_vec(state).unwrap_or_default();
    let signature = secret.sign_for(CURSOR, &json);
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&json),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// Reads a cursor this host signed; anything else is 400 `bad_cursor`.
pub fn open_cursor(text: &str, secret: &JwtSecret) -> Result<CursorState, ApiError> {
    let bad = || ApiError::bad_cursor("cursor: not a cursor of this host");
    let (body, signature) = text.split_once('.').ok_or_else(bad)?;
    let json = URL_SAFE_NO_PAD.decode(body).map_err(|_| bad())?;
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| bad())?;
    if !secret.verify_for(CURSOR, &json, &signature) {
        return Err(bad());
    }
    serde_json::from_slice(&json).map_err(|_| bad())
}

/// The signature of a download link of `key` in `bucket` valid until `expires_s`.
pub fn link_signature(bucket: &str, key: &str, expires_s: i64, secret: &JwtSecret) -> String {
    URL_SAFE_NO_PAD.encode(secret.sign_for(LINK, link_message(bucket, key, expires_s).as_bytes()))
}

/// Checks a download link at `now_s`: a wrong signature is 403 `forbidden`, a late one 403
/// `expired` (checked after the signature, so a forged expiry learns nothing).
///
/// ```
/// use nno_obs_api::jwt::JwtSecret;
/// use nno_obs_api::signed::{check_link, link_signature};
///
/// let key = JwtSecret::new(b"k".to_vec()).unwrap();
/// let sig = link_signature("nno-logs-k3m9p2xw7q", "20260222/a.log.gz", 100, &key);
/// assert!(check_link("nno-logs-k3m9p2xw7q", "20260222/a.log.gz", 100, &sig, 99, &key).is_ok());
/// assert_eq!(check_link("nno-logs-k3m9p2xw7q", "20260222/b.log.gz", 100, &sig, 99, &key).unwrap_err().message(),
///            "this link is not valid");
/// assert_eq!(check_link("nno-logs-k3m9p2xw7q", "20260222/a.log.gz", 100, &sig, 101, &key).unwrap_err().message(),
///            "this link has expired");
/// ```
pub fn check_link(
    bucket: &str,
    key: &str,
    expires_s: i64,
    signature: &str,
    now_s: i64,
    secret: &JwtSecret,
) -> Result<(), ApiError> {
    let forbidden = || ApiError::new(ErrorKind::Forbidden, "this link is not valid");
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| forbidden())?;
    if !secret.verify_for(
        LINK,
        link_message(bucket, key, expires_s).as_bytes(),
        &signature,
    ) {
        return Err(forbidden());
    }
    if now_s >= expires_s {
        return Err(ApiError::new(ErrorKind::Expired, "this link has expired"));
    }
    Ok(())
}

fn link_message(bucket: &str, key: &str, expires_s: i64) -> String {
    // Neither a bucket name nor an object key holds a newline (both are validated).
    format!("{bucket}\n{key}\n{expires_s}")
}
