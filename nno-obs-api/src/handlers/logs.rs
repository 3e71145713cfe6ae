//! `/logs`, `/logs/download` and the signed `/logs/object` links (seed §7.3).
//!
//! An operator without `platformId` reads `nno-logs-internal`; with one, or as that platform's
//! admin, `nno-logs-{platformId}` — the bucket is the scope, never a filter on lines.

use crate::backend::{Backend, LogSearch};
use crate::caller::{Caller, Target};
use crate::error::ApiError;
use crate::http::Response;
use crate::jwt::JwtSecret;
use crate::params::Params;
use crate::signed::{check_link, link_signature, open_cursor, seal_cursor, CursorState};
use crate::time::{format_ms, parse_duration, parse_time};
use crate::views::{Download, DownloadFile, LogEntryView, LogPage, Scanned};
use nno_obs_logs::{Level, LogQuery};
use nno_obs_store::layout::Bucket;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

/// How long a download link works (seed §7.3: 15 minutes).
pub const LINK_LIFETIME_S: i64 = 15 * 60;
/// The most objects one download answer lists.
pub const MAX_DOWNLOAD_FILES: usize = 1000;
/// The most entries a page holds.
pub const MAX_LIMIT: u64 = 1000;
/// Logs are kept 90 days at most (seed §9): the longest `since`.
const MAX_SINCE_S: i64 = 90 * 86_400;

/// The filters of a log request, read and checked.
struct Filters {
    bucket: Bucket,
    query: LogQuery,
    /// Canonical text of the filters as given (what a cursor is bound to).
    canonical: String,
}

/// Reads the filters shared by `/logs` and `/logs/download`.
fn filters(caller: &Caller, params: &mut Params, now_ms: u64) -> Result<Filters, ApiError> {
    let platform = params.platform_id()?;
    let from = params.take_nonempty("from")?;
    let to = params.take_nonempty("to")?;
    let since = params.take_nonempty("since")?;
    let feature = params.take_nonempty("feature")?;
    let service = params.take_nonempty("service")?;
    let level = params.take_nonempty("level")?;
    let trace_id = params.take_nonempty("traceId")?;
    let user_id = params.take_nonempty("userId")?;
    let text = params.take_nonempty("text")?;

    let min_level = level
        .as_deref()
        .map(|l| {
            l.parse::<Level>()
                .map_err(|_| ApiError::bad_param("level", "expected debug, info, warn or error"))
        })
        .transpose()?;
    let mut from_ms = from.as_deref().map(|t| parse_time("from", t)).transpose()?;
    let to_ms = to.as_deref().map(|t| parse_time("to", t)).transpose()?;
    if let Some(since) = &since {
        if from.is_some() {
            return Err(ApiError::bad_param("since", "give since or from, not both"));
        }
        let seconds = parse_duration("since", since, 1, MAX_SINCE_S)?;
        from_ms = Some(now_ms.saturating_sub(seconds as u64 * 1000));
    }
    if let (Some(from), Some(to)) = (from_ms, to_ms) {
        if from >= to {
            return Err(ApiError::bad_param("to", "must be after from"));
        }
    }
    let bucket = match caller.target(platform.as_ref())? {
        Target::Platform(scope) => Bucket::Platform(scope.platform().clone()),
        Target::Everything(_) => Bucket::Internal,
    };
    // Every filter's text, unambiguous (JSON of the list), what a cursor must match.
    let canonical = serde_json::to_string(&[
        Some(bucket.name()),
        from,
        to,
        since,
        feature.clone(),
        service.clone(),
        level,
        trace_id.clone(),
        user_id.clone(),
        text.clone(),
    ])
    .unwrap_or_default();
    Ok(Filters {
        bucket,
        query: LogQuery {
            from_ms,
            to_ms,
            platform: None,
            feature,
            service,
            min_level,
            trace_id,
            user_id,
            text,
        },
        canonical,
    })
}

/// `/logs`: one page of entries.
pub(super) async fn search<B: Backend>(
    backend: &B,
    secret: &JwtSecret,
    caller: &Caller,
    mut params: Params,
    now_ms: u64,
) -> Result<LogPage, ApiError> {
    let limit = params.number("limit", 1, MAX_LIMIT, 100)? as usize;
    let cursor = params.take_nonempty("cursor")?;
    let mut filters = filters(caller, &mut params, now_ms)?;
    params.finish()?;
    let mut after = None;
    let mut known = Vec::new();
    if let Some(text) = cursor {
        let state = open_cursor(&text, secret)?;
        if state.binding != caller.binding() || state.filters != filters.canonical {
            return Err(ApiError::bad_cursor(
                "cursor: it belongs to another query or caller",
            ));
        }
        // The window the first page resolved (`since` is not re-read against a later now).
        filters.query.from_ms = state.from_ms;
        filters.query.to_ms = state.to_ms;
        after = state.after;
        known = state.objects;
    }
    let found = backend
        .search_logs(LogSearch {
            bucket: Some(&filters.bucket),
            query: &filters.query,
            after: after.as_ref(),
            known: &known,
            limit,
        })
        .await?;
    // A bounded search's continuation when it has one (it may have stopped before any hit),
    // else the position after the last hit.
    let position = match (found.more, found.continuation, found.hits.last()) {
        (false, _, _) => None,
        (true, Some(at), _) => Some((at.after, at.objects)),
        (true, None, Some(last)) => Some((Some(last.key.clone()), Vec::new())),
        (true, None, None) => None,
    };
    let next = position.map(|(after, objects)| {
        seal_cursor(
            &CursorState {
                binding: caller.binding(),
                filters: filters.canonical.clone(),
                from_ms: filters.query.from_ms,
                to_ms: filters.query.to_ms,
                after,
                objects,
            },
            secret,
        )
    });
    Ok(LogPage {
        entries: found
            .hits
            .iter()
            .map(|hit| LogEntryView::new(&hit.entry, &hit.key.file))
            .collect(),
        next,
        complete: found.complete,
        scanned: Scanned {
            files: found.files,
            bytes: found.bytes,
        },
        problems: found.problems,
    })
}

/// `/logs/download`: signed links to the objects that may hold matching entries.
pub(super) async fn download<B: Backend>(
    backend: &B,
    secret: &JwtSecret,
    caller: &Caller,
    mut params: Params,
    now_ms: u64,
) -> Result<Download, ApiError> {
    let filters = filters(caller, &mut params, now_ms)?;
    params.finish()?;
    let objects = backend
        .list_objects(&filters.bucket, &filters.query)
        .await?;
    let expires_s = (now_ms / 1000) as i64 + LINK_LIFETIME_S;
    let bucket = filters.bucket.name();
    Ok(Download {
        files: objects
            .into_iter()
            .take(MAX_DOWNLOAD_FILES)
            .map(|object| DownloadFile {
                url: format!(
                    "{}/logs/object?bucket={}&key={}&expires={expires_s}&sig={}",
                    super::PREFIX,
                    utf8_percent_encode(&bucket, NON_ALPHANUMERIC),
                    utf8_percent_encode(&object.key, NON_ALPHANUMERIC),
                    link_signature(&bucket, &object.key, expires_s, secret)
                ),
                key: object.key,
                bytes: object.bytes,
            })
            .collect(),
        expires_at: format_ms(expires_s as u64 * 1000),
    })
}

/// The object a checked download link names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkedObject {
    /// Its bucket.
    pub bucket: Bucket,
    /// Its key in the bucket.
    pub key: String,
}

/// Checks the query string of a `/logs/object` link (`bucket&key&expires&sig`) at `now_ms`:
/// the object it names, or the error `/logs/object` answers (400 for a missing or malformed
/// parameter, 403 `forbidden` for a wrong signature, 403 `expired` past its expiry). A host
/// that streams objects (the `nno-logging` Worker, from R2) checks the link with this and sends
/// the object with [`object_headers`]; [`crate::Api::handle`] does both with the bytes.
///
/// ```
/// use nno_obs_api::handlers::logs::{open_link, LinkedObject};
/// use nno_obs_api::jwt::JwtSecret;
/// use nno_obs_api::signed::link_signature;
/// use nno_obs_store::layout::Bucket;
///
/// let secret = JwtSecret::new(b"k".to_vec()).unwrap();
/// let sig = link_signature("nno-logs-internal", "20260222/a.log.gz", 100, &secret);
/// let query = format!("bucket=nno-logs-internal&key=20260222%2Fa.log.gz&expires=100&sig={sig}");
/// let object = open_link(&query, &secret, 99_000).unwrap();
/// assert_eq!(object, LinkedObject { bucket: Bucket::Internal, key: "20260222/a.log.gz".into() });
/// assert_eq!(open_link(&query, &secret, 100_000).unwrap_err().status(), 403);
/// assert_eq!(open_link("bucket=nno-logs-internal", &secret, 0).unwrap_err().status(), 400);
/// ```
pub fn open_link(query: &str, secret: &JwtSecret, now_ms: u64) -> Result<LinkedObject, ApiError> {
    linked(Params::parse(query)?, secret, now_ms)
}

fn linked(mut params: Params, secret: &JwtSecret, now_ms: u64) -> Result<LinkedObject, ApiError> {
    let bucket_name = params
        .take_nonempty("bucket")?
        .ok_or_else(|| ApiError::bad_param("bucket", "required"))?;
    let key = params
        .take_nonempty("key")?
        .ok_or_else(|| ApiError::bad_param("key", "required"))?;
    let expires_s: i64 = params
        .take_nonempty("expires")?
        .ok_or_else(|| ApiError::bad_param("expires", "required"))?
        .parse()
        .map_err(|_| ApiError::bad_param("expires", "expected seconds since the epoch"))?;
    let signature = params
        .take_nonempty("sig")?
        .ok_or_else(|| ApiError::bad_param("sig", "required"))?;
    params.finish()?;
    check_link(
        &bucket_name,
        &key,
        expires_s,
        &signature,
        (now_ms / 1000) as i64,
        secret,
    )?;
    let bucket = Bucket::parse(&bucket_name).map_err(|_| ApiError::forbidden())?;
    Ok(LinkedObject { bucket, key })
}

/// The headers of a downloaded object `key`: its type (gzip or NDJSON), a file name to save it
/// as, and no caching.
///
/// ```
/// use nno_obs_api::handlers::logs::object_headers;
/// let headers = object_headers("20260222/a\"b.log.gz");
/// assert_eq!(headers[0], ("content-type", "application/gzip".to_owned()));
/// assert_eq!(headers[1].1, "attachment; filename=\"a_b.log.gz\"");
/// ```
pub fn object_headers(key: &str) -> Vec<(&'static str, String)> {
    let file_name = key.rsplit('/').next().unwrap_or("logs.json.gz");
    let gzip = key.ends_with(".gz");
    vec![
        (
            "content-type",
            if gzip {
                "application/gzip"
            } else {
                "application/x-ndjson"
            }
            .to_owned(),
        ),
        (
            "content-disposition",
            format!(
                "attachment; filename=\"{}\"",
                file_name.replace(|c: char| !c.is_ascii_graphic() || c == '"', "_")
            ),
        ),
        ("cache-control", "private, no-store".to_owned()),
    ]
}

/// `/logs/object?bucket&key&expires&sig`: the object a signed link names, as stored.
pub(super) async fn object<B: Backend>(
    backend: &B,
    secret: &JwtSecret,
    params: Params,
    now_ms: u64,
) -> Result<Response, ApiError> {
    let object = linked(params, secret, now_ms)?;
    let bytes = backend
        .read_object(&object.bucket, &object.key)
        .await?
        .ok_or_else(|| ApiError::not_found("the object is gone (past retention?)"))?;
    Ok(Response {
        status: 200,
        headers: object_headers(&object.key),
        body: bytes,
    })
}
