//! An R2 bucket binding as the log search's [`ObjectSource`]: listing page by page (R2 gives at
//! most 1000 keys a call and a cursor for the rest), whole and ranged reads, writes of index
//! sidecars, deletes.
//!
//! Keys are checked with [`check_key`] before any call, so nothing outside a plain relative key
//! reaches R2. R2 failures are [`SourceErrorKind::Unavailable`] (the search reports the object
//! and answers the rest).

use nno_obs_logs::source::{
    check_key, Level, ObjectMeta, ObjectSource, SourceError, SourceErrorKind, SourceFuture,
};
use worker::{Bucket, Range};

/// Keys R2 returns per list call at most (its maximum and default).
const LIST_PAGE: u32 = 1000;
/// The largest offset or length R2's binding takes: JavaScript numbers are exact only up to
/// 2^53 - 1, and workers-rs panics beyond it.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// One R2 bucket.
pub struct R2Source {
    bucket: Bucket,
}

impl R2Source {
    /// The bucket bound as `bucket`.
    pub fn new(bucket: Bucket) -> Self {
        Self { bucket }
    }

    /// The bucket's binding (to stream an object's body without reading it here).
    pub fn bucket(&self) -> &Bucket {
        &self.bucket
    }
}

fn unavailable(error: worker::Error) -> SourceError {
    SourceError::new(SourceErrorKind::Unavailable, error.to_string())
}

/// A ranged read's `(offset, length)` as R2 takes it, clamped to what a JavaScript number holds
/// exactly (an object is never that large: reading to its end is the same read).
fn safe_range(offset: u64, len: u64) -> Range {
    Range::OffsetWithLength {
        offset: offset.min(MAX_SAFE_INTEGER),
        length: len.min(MAX_SAFE_INTEGER),
    }
}

impl R2Source {
    /// The objects under `prefix`, page by page; with `one_level`, only those directly under
    /// it and the folders below it (R2's delimiter `/`).
    async fn list_pages(&self, prefix: &str, one_level: bool) -> Result<Level, SourceError> {
        let mut level = Level::default();
        let mut cursor: Option<String> = None;
        loop {
            let mut call = self.bucket.list().prefix(prefix).limit(LIST_PAGE);
            if one_level {
                call = call.delimiter("/");
            }
            if let Some(cursor) = cursor.take() {
                call = call.cursor(cursor);
            }
            let page = call.execute().await.map_err(unavailable)?;
            level
                .objects
                .extend(page.objects().iter().map(|object| ObjectMeta {
                    key: object.key(),
                    size: object.size(),
                }));
            level.folders.extend(page.delimited_prefixes());
            match (page.truncated(), page.cursor()) {
                (true, Some(next)) => cursor = Some(next),
                _ => break,
            }
        }
        // R2 lists in UTF-8 byte order already; sorted again so the order is the trait's
        // promise, not an assumption about the store.
        level.objects.sort_by(|a, b| a.key.cmp(&b.key));
        level.folders.sort();
        level.folders.dedup();
        Ok(level)
    }
}

impl ObjectSource for R2Source {
    fn list<'a>(&'a self, prefix: &'a str) -> SourceFuture<'a, Vec<ObjectMeta>> {
        Box::pin(async move { Ok(self.list_pages(prefix, false).await?.objects) })
    }

    /// One level with R2's delimiter: a ranged search lists the bucket's top level (the
    /// `{YYYYMMDD}/` folders, one page for years of them), then only the days its range can
    /// touch — a few subrequests where the whole bucket took one per 1000 objects.
    fn list_level<'a>(&'a self, prefix: &'a str) -> SourceFuture<'a, Option<Level>> {
        Box::pin(async move { Ok(Some(self.list_pages(prefix, true).await?)) })
    }

    fn get<'a>(&'a self, key: &'a str) -> SourceFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            check_key(key)?;
            let Some(object) = self.bucket.get(key).execute().await.map_err(unavailable)? else {
                return Ok(None);
            };
            match object.body() {
                Some(body) => body.bytes().await.map(Some).map_err(unavailable),
                None => Ok(Some(Vec::new())),
            }
        })
    }

    fn get_range<'a>(
        &'a self,
        key: &'a str,
        offset: u64,
        len: u64,
    ) -> SourceFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            check_key(key)?;
            if len == 0 {
                // R2 refuses an empty range; an empty read of an object that exists is empty.
                let exists = self.bucket.head(key).await.map_err(unavailable)?;
                return Ok(exists.map(|_| Vec::new()));
            }
            let object = self
                .bucket
                .get(key)
                .range(safe_range(offset, len))
                .execute()
                .await
                .map_err(unavailable)?;
            let Some(object) = object else {
                return Ok(None);
            };
            match object.body() {
                Some(body) => body.bytes().await.map(Some).map_err(unavailable),
                None => Ok(Some(Vec::new())),
            }
        })
    }

    fn put<'a>(&'a self, key: &'a str, bytes: Vec<u8>) -> SourceFuture<'a, ()> {
        Box::pin(async move {
            check_key(key)?;
            // An R2 put replaces the object whole: readers see the old bytes or the new.
            self.bucket
                .put(key, bytes)
                .execute()
                .await
                .map(|_| ())
                .map_err(unavailable)
        })
    }

    /// R2's delete: a missing object is no failure (R2 resolves it the same), and once it
    /// resolves no read anywhere sees the object (R2 deletes are strongly consistent).
    fn delete<'a>(&'a self, key: &'a str) -> SourceFuture<'a, ()> {
        Box::pin(async move {
            check_key(key)?;
            self.bucket.delete(key).await.map_err(unavailable)
        })
    }
}
