//! Where a search reads objects from: one bucket's objects, by key (no threads, no filesystem:
//! builds for wasm32).
//!
//! [`ObjectSource`] is what the search ([`crate::objects`]) asks of a bucket: list by prefix,
//! read an object or a range of it, write a sidecar; and what retention ([`crate::retention`])
//! asks: delete an object. Its futures are boxed and not `Send`, so the
//! trait is object-safe (`&dyn ObjectSource`) and a Worker implements it over R2 (whose futures
//! are not `Send`) as a native host does over a folder ([`crate::LocalFolder`], feature
//! `native`). [`MemorySource`] holds a bucket in memory, for tests (the Worker's too).
//!
//! Keys are relative to the bucket, `/`-separated: `{DATE}/{start}_{end}_{random}.log.gz`.
//!
//! ```
//! use nno_obs_logs::source::{now_or_never, MemorySource, ObjectSource};
//!
//! let bucket = MemorySource::new();
//! bucket.insert("20260222/a.log.gz", b"abc".to_vec());
//! let source: &dyn ObjectSource = &bucket;
//! let listed = now_or_never(source.list("20260222/")).unwrap().unwrap();
//! assert_eq!((listed[0].key.as_str(), listed[0].size), ("20260222/a.log.gz", 3));
//! let middle = now_or_never(source.get_range("20260222/a.log.gz", 1, 1)).unwrap().unwrap();
//! assert_eq!(middle.as_deref(), Some(&b"b"[..]));
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// A boxed future of a source, without `Send` (R2's are not).
pub type SourceFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, SourceError>> + 'a>>;

/// An object of a bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectMeta {
    /// Its key, relative to the bucket.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
}

/// What kind of failure a source met.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceErrorKind {
    /// No such object or bucket.
    NotFound,
    /// A key that is not a plain relative key (see [`check_key`]); nothing was touched.
    InvalidKey,
    /// The source cannot be written (a read-only store or binding).
    ReadOnly,
    /// The store refused the credentials or their permission (S3's 403): trying again will
    /// not help until the key is fixed.
    Denied,
    /// The storage failed or could not be reached; trying again may work.
    Unavailable,
}

/// A source's failure: its kind, and what happened (for logs, never shown to a tenant).
///
/// ```
/// use nno_obs_logs::source::{SourceError, SourceErrorKind};
///
/// let error = SourceError::new(SourceErrorKind::Unavailable, "R2 timed out");
/// assert_eq!(error.kind(), SourceErrorKind::Unavailable);
/// assert_eq!(error.to_string(), "unavailable: R2 timed out");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceError {
    kind: SourceErrorKind,
    message: String,
}

impl SourceError {
    /// An error of `kind`.
    pub fn new(kind: SourceErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// Its kind.
    pub fn kind(&self) -> SourceErrorKind {
        self.kind
    }

    /// What happened.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            SourceErrorKind::NotFound => "not found",
            SourceErrorKind::InvalidKey => "invalid key",
            SourceErrorKind::ReadOnly => "read-only",
            SourceErrorKind::Denied => "denied",
            SourceErrorKind::Unavailable => "unavailable",
        };
        write!(f, "{kind}: {}", self.message)
    }
}

impl std::error::Error for SourceError {}

/// One bucket's objects.
///
/// A missing object is `Ok(None)` from [`get`](ObjectSource::get) and
/// [`get_range`](ObjectSource::get_range) (objects come and go between a listing and a read:
/// that is not a failure). [`put`](ObjectSource::put) writes index sidecars; a read-only source
/// answers [`SourceErrorKind::ReadOnly`] and searches go on without them.
///
/// ```
/// use nno_obs_logs::source::{now_or_never, MemorySource, ObjectSource, SourceErrorKind};
///
/// async fn size_of(source: &dyn ObjectSource, key: &str) -> Option<usize> {
///     source.get(key).await.ok().flatten().map(|bytes| bytes.len())
/// }
/// let bucket = MemorySource::new();
/// bucket.insert("a.log.gz", vec![0; 4]);
/// assert_eq!(now_or_never(size_of(&bucket, "a.log.gz")), Some(Some(4)));
/// let refused = now_or_never(bucket.put("../x", Vec::new())).unwrap();
/// assert_eq!(refused.unwrap_err().kind(), SourceErrorKind::InvalidKey);
/// ```
pub trait ObjectSource {
    /// The objects whose key starts with `prefix`, sorted by key.
    fn list<'a>(&'a self, prefix: &'a str) -> SourceFuture<'a, Vec<ObjectMeta>>;

    /// An object's bytes; `None` when there is no such object.
    fn get<'a>(&'a self, key: &'a str) -> SourceFuture<'a, Option<Vec<u8>>>;

    /// At most `len` bytes of an object from `offset` (fewer at its end); `None` when there is no
    /// such object.
    fn get_range<'a>(
        &'a self,
        key: &'a str,
        offset: u64,
        len: u64,
    ) -> SourceFuture<'a, Option<Vec<u8>>>;

    /// Writes (or replaces) an object whole: what a reader sees is the old bytes or the new,
    /// never a part.
    fn put<'a>(&'a self, key: &'a str, bytes: Vec<u8>) -> SourceFuture<'a, ()>;

    /// One level under `prefix` (`""` or a folder ending in `/`): the objects directly in it and
    /// the folders just below it, as R2's list with the delimiter `/` answers. A ranged search
    /// lists a bucket's top level this way and then only the `{DATE}` folders its range can
    /// touch (see [`crate::listing`]).
    ///
    /// `None`: this source cannot list one level (the default); a search then lists the whole
    /// bucket once with [`list`](ObjectSource::list) and prunes object by object by the same
    /// rule. A source that can (R2's delimiter, a folder's `read_dir`) overrides it.
    fn list_level<'a>(&'a self, prefix: &'a str) -> SourceFuture<'a, Option<Level>> {
        let _ = prefix;
        Box::pin(async { Ok(None) })
    }

    /// Removes an object. A missing object is `Ok` (R2 and S3 both answer a delete of no
    /// object so: the retention run that lists and then deletes may meet one another run
    /// removed in between).
    ///
    /// The default answers [`SourceErrorKind::ReadOnly`]: a source that can delete (a folder,
    /// R2, S3) overrides it.
    ///
    /// ```
    /// use nno_obs_logs::source::{now_or_never, MemorySource, ObjectSource};
    ///
    /// let bucket = MemorySource::new();
    /// bucket.insert("20200101/a.log.gz", vec![1]);
    /// now_or_never(bucket.delete("20200101/a.log.gz")).unwrap().unwrap();
    /// assert_eq!(bucket.object("20200101/a.log.gz"), None);
    /// // Gone already: still fine.
    /// now_or_never(bucket.delete("20200101/a.log.gz")).unwrap().unwrap();
    /// ```
    fn delete<'a>(&'a self, key: &'a str) -> SourceFuture<'a, ()> {
        let _ = key;
        Box::pin(async {
            Err(SourceError::new(
                SourceErrorKind::ReadOnly,
                "this source cannot delete",
            ))
        })
    }
}

/// One level of a bucket under a prefix: see [`ObjectSource::list_level`].
///
/// ```
/// use nno_obs_logs::source::{Level, ObjectMeta};
///
/// let meta = |key: &str| ObjectMeta { key: key.to_owned(), size: 1 };
/// let level = Level::of("", vec![meta("20260222/a.log.gz"), meta("20260222/b.log.gz"), meta("x.gz")]);
/// assert_eq!(level.folders, ["20260222/"]);
/// assert_eq!(level.objects, [meta("x.gz")]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Level {
    /// The objects directly under the prefix, sorted by key.
    pub objects: Vec<ObjectMeta>,
    /// The folders just below it, each the full prefix ending in `/`, sorted.
    pub folders: Vec<String>,
}

impl Level {
    /// The level just below `prefix` of `listing` (objects under `prefix`): what a source
    /// that lists one level answers, derived from a full listing.
    pub fn of(prefix: &str, listing: Vec<ObjectMeta>) -> Self {
        let mut level = Level::default();
        for object in listing {
            let Some(rest) = object.key.strip_prefix(prefix) else {
                continue;
            };
            match rest.split_once('/') {
                Some((folder, _)) => {
                    let folder = format!("{prefix}{folder}/");
                    if level.folders.last() != Some(&folder) {
                        level.folders.push(folder);
                    }
                }
                None => level.objects.push(object),
            }
        }
        level.folders.sort();
        level.folders.dedup();
        level.objects.sort_by(|a, b| a.key.cmp(&b.key));
        level
    }
}

/// Whether `key` is a plain key relative to a bucket: not empty, at most 1024 bytes, no
/// backslash or NUL, no leading `/`, no empty, `.` or `..` segment. A source refuses any other
/// key with [`SourceErrorKind::InvalidKey`], so no key can name anything outside its bucket.
///
/// ```
/// use nno_obs_logs::source::check_key;
///
/// assert!(check_key("20260222/20260222T103400Z_20260222T103859Z_00ff00ff.log.gz").is_ok());
/// for hostile in ["", "/etc/passwd", "../x", "a/../../b", "a//b", "a\\b", "a/./b", "a/"] {
///     assert!(check_key(hostile).is_err(), "{hostile}");
/// }
/// ```
pub fn check_key(key: &str) -> Result<(), SourceError> {
    let plain = !key.is_empty()
        && key.len() <= 1024
        && !key.contains(['\\', '\0'])
        && key
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..");
    if plain {
        Ok(())
    } else {
        Err(SourceError::new(
            SourceErrorKind::InvalidKey,
            "not a plain relative key",
        ))
    }
}

/// At most `len` bytes of `bytes` from `offset` (fewer at its end, none past it): what
/// [`ObjectSource::get_range`] answers, for a source that has the whole object (in memory, or
/// from a server that ignored the range asked).
///
/// ```
/// use nno_obs_logs::source::cut;
///
/// assert_eq!(cut(b"abcdef".to_vec(), 2, 3), b"cde");
/// assert_eq!(cut(b"abcdef".to_vec(), 4, u64::MAX), b"ef");
/// assert!(cut(b"abcdef".to_vec(), 9, 1).is_empty());
/// ```
pub fn cut(mut bytes: Vec<u8>, offset: u64, len: u64) -> Vec<u8> {
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    let end = start
        .saturating_add(usize::try_from(len).unwrap_or(usize::MAX))
        .min(bytes.len());
    bytes.truncate(end);
    bytes.drain(..start);
    bytes
}

/// The output of `future` if it is ready at its first poll; `None` if it waits. Sources that do
/// not wait ([`MemorySource`], [`crate::LocalFolder`]) answer at once, so a synchronous host or
/// a test can drive a search with it and no executor.
///
/// ```
/// use nno_obs_logs::source::now_or_never;
///
/// assert_eq!(now_or_never(async { 7 }), Some(7));
/// assert_eq!(now_or_never(std::future::pending::<u8>()), None);
/// ```
pub fn now_or_never<F: Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}

/// A bucket in memory: for tests of anything that reads a bucket (the search here, the Worker's
/// R2 code). It counts what is read, and can be made read-only.
///
/// ```
/// use nno_obs_logs::source::{now_or_never, MemorySource, ObjectSource};
///
/// let bucket = MemorySource::new().read_only();
/// bucket.insert("a.log.gz", b"x".to_vec());
/// assert!(now_or_never(bucket.put("a.log.gz.idx", Vec::new())).unwrap().is_err());
/// let _ = now_or_never(bucket.get("a.log.gz"));
/// assert_eq!(bucket.reads(), vec!["a.log.gz".to_owned()]);
/// ```
#[derive(Debug, Default)]
pub struct MemorySource {
    objects: RefCell<BTreeMap<String, Vec<u8>>>,
    reads: RefCell<Vec<String>>,
    lists: RefCell<Vec<ListCall>>,
    read_only: bool,
    flat: bool,
}

/// One listing a [`MemorySource`] answered: what a bucket listing costs (R2 answers a list in
/// pages of at most 1 000 keys, each page a subrequest).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListCall {
    /// The prefix listed.
    pub prefix: String,
    /// Whether it listed one level ([`ObjectSource::list_level`]) rather than everything
    /// under the prefix.
    pub one_level: bool,
    /// Keys and folders returned.
    pub returned: usize,
}

impl MemorySource {
    /// An empty, writable bucket.
    pub fn new() -> Self {
        Self::default()
    }

    /// The same bucket, refusing [`ObjectSource::put`] and [`ObjectSource::delete`] (as a
    /// read-only binding does).
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// The same bucket, unable to list one level ([`ObjectSource::list_level`] answers `None`,
    /// the trait's default): a search or prune then lists the whole bucket once.
    ///
    /// ```
    /// use nno_obs_logs::source::{now_or_never, MemorySource, ObjectSource};
    ///
    /// let flat = MemorySource::new().flat();
    /// assert_eq!(now_or_never(flat.list_level("")).unwrap().unwrap(), None);
    /// assert!(flat.lists().is_empty());
    /// ```
    pub fn flat(mut self) -> Self {
        self.flat = true;
        self
    }

    /// Refuses a write to a read-only bucket or at a key that is not plain.
    fn writable(&self, key: &str) -> Result<(), SourceError> {
        check_key(key)?;
        match self.read_only {
            true => Err(SourceError::new(
                SourceErrorKind::ReadOnly,
                "a read-only bucket",
            )),
            false => Ok(()),
        }
    }

    /// Puts an object (setting up a test; not counted, never refused).
    pub fn insert(&self, key: &str, bytes: Vec<u8>) {
        self.objects.borrow_mut().insert(key.to_owned(), bytes);
    }

    /// An object's bytes (not counted as a read).
    pub fn object(&self, key: &str) -> Option<Vec<u8>> {
        self.objects.borrow().get(key).cloned()
    }

    /// The keys read by `get` and `get_range`, in order.
    pub fn reads(&self) -> Vec<String> {
        self.reads.borrow().clone()
    }

    /// Forgets the reads and listings counted so far.
    pub fn clear_reads(&self) {
        self.reads.borrow_mut().clear();
        self.lists.borrow_mut().clear();
    }

    /// The listings answered, in order.
    ///
    /// ```
    /// use nno_obs_logs::source::{now_or_never, MemorySource, ObjectSource};
    ///
    /// let bucket = MemorySource::new();
    /// bucket.insert("20260222/a.log.gz", vec![1]);
    /// bucket.insert("loose.gz", vec![1]);
    /// let level = now_or_never(bucket.list_level("")).unwrap().unwrap().unwrap();
    /// assert_eq!(level.folders, ["20260222/"]);
    /// let lists = bucket.lists();
    /// assert_eq!((lists[0].prefix.as_str(), lists[0].one_level, lists[0].returned), ("", true, 2));
    /// ```
    pub fn lists(&self) -> Vec<ListCall> {
        self.lists.borrow().clone()
    }

    fn everything_under(&self, prefix: &str) -> Vec<ObjectMeta> {
        self.objects
            .borrow()
            .range(prefix.to_owned()..)
            .take_while(|(key, _)| key.starts_with(prefix))
            .map(|(key, bytes)| ObjectMeta {
                key: key.clone(),
                size: bytes.len() as u64,
            })
            .collect()
    }

    fn count_list(&self, prefix: &str, one_level: bool, returned: usize) {
        self.lists.borrow_mut().push(ListCall {
            prefix: prefix.to_owned(),
            one_level,
            returned,
        });
    }

    fn read(&self, key: &str) -> Result<Option<Vec<u8>>, SourceError> {
        check_key(key)?;
        self.reads.borrow_mut().push(key.to_owned());
        Ok(self.objects.borrow().get(key).cloned())
    }
}

impl ObjectSource for MemorySource {
    fn list<'a>(&'a self, prefix: &'a str) -> SourceFuture<'a, Vec<ObjectMeta>> {
        Box::pin(async move {
            let listed = self.everything_under(prefix);
            self.count_list(prefix, false, listed.len());
            Ok(listed)
        })
    }

    fn list_level<'a>(&'a self, prefix: &'a str) -> SourceFuture<'a, Option<Level>> {
        Box::pin(async move {
            if self.flat {
                return Ok(None);
            }
            let level = Level::of(prefix, self.everything_under(prefix));
            self.count_list(prefix, true, level.objects.len() + level.folders.len());
            Ok(Some(level))
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> SourceFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move { self.read(key) })
    }

    fn get_range<'a>(
        &'a self,
        key: &'a str,
        offset: u64,
        len: u64,
    ) -> SourceFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move { Ok(self.read(key)?.map(|bytes| cut(bytes, offset, len))) })
    }

    fn put<'a>(&'a self, key: &'a str, bytes: Vec<u8>) -> SourceFuture<'a, ()> {
        Box::pin(async move {
            self.writable(key)?;
            self.objects.borrow_mut().insert(key.to_owned(), bytes);
            Ok(())
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> SourceFuture<'a, ()> {
        Box::pin(async move {
            self.writable(key)?;
            self.objects.borrow_mut().remove(key);
            Ok(())
        })
    }
}
