//! Following a search as the store grows (`nno-obs logs search --follow`, seed §7.3's
//! real-time search): every match after a cursor, page by page, then a wait until the store
//! changes — woken by filesystem notifications, not by re-reading the store every second.
//!
//! [`StoreWatch`] waits; [`Follower`] re-opens the search (a new batch, a new bucket), prints
//! what is new and remembers where it stopped. The cursor is a sort position, so nothing is
//! given twice: a bucket's open batch (`…_open_….json`) is read again on each catch-up, and a
//! closed object sorts before its open file (see `nno_obs_store::batch`).

use crate::{Cursor, LocalSearch, LogQuery, Page};
use notify::{Config, EventKindMask, RecommendedWatcher, RecursiveMode, Watcher};
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, TrySendError};
use std::time::{Duration, Instant};

/// With notifications, how often the store is looked at anyway: a change a watcher cannot
/// see (a network filesystem, a full inotify table) is still found, just later.
pub const RECHECK_WATCHED: Duration = Duration::from_secs(10);
/// Without notifications, how often the store is looked at.
pub const POLL_UNWATCHED: Duration = Duration::from_secs(2);
/// The least time between two looks while the store is being written: a burst of appends is
/// one search, not one per append.
pub const MIN_GAP: Duration = Duration::from_secs(1);

/// Why a [`StoreWatch::wait`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wake {
    /// Something in the store was written, created or removed.
    Changed,
    /// The recheck (or poll) interval passed without a notification.
    Recheck,
}

/// Waits for files under some paths to change: data written, files created, removed or
/// renamed. Index and column sidecars (`.idx`, `.cols`, written by searches themselves) and
/// reads are not changes, so a search never wakes its own follower.
///
/// ```
/// use nno_obs_logs::follow::{StoreWatch, Wake};
/// use std::time::Duration;
///
/// let dir = tempfile::tempdir().unwrap();
/// let mut watch = StoreWatch::new(&[dir.path().to_path_buf()]);
/// assert!(watch.problem().is_none());
/// std::fs::write(dir.path().join("batch.json"), "{}\n").unwrap();
/// assert_eq!(watch.wait_at_most(Duration::from_secs(5)), Wake::Changed);
/// ```
pub struct StoreWatch {
    changes: Receiver<()>,
    /// Kept for as long as the watch: dropping it stops the notifications.
    _watcher: Option<RecommendedWatcher>,
    problem: Option<String>,
    last_wake: Option<Instant>,
}

impl StoreWatch {
    /// Watches `paths` (directories recursively, files themselves). A path that cannot be
    /// watched leaves the watch polling, with [`problem`](Self::problem) saying why.
    pub fn new(paths: &[PathBuf]) -> Self {
        // One pending wake is enough: whatever changed is found by the next search.
        let (sender, changes) = sync_channel(1);
        let handler = move |event: notify::Result<notify::Event>| {
            let Ok(event) = event else { return };
            if event.paths.iter().all(|path| is_sidecar(path)) && !event.paths.is_empty() {
                return;
            }
            match sender.try_send(()) {
                Ok(()) | Err(TrySendError::Full(())) | Err(TrySendError::Disconnected(())) => {}
            }
        };
        // Data, creation, removal and renames only: opening and reading files (this process's
        // own searches) or their times changing is not a change of the store.
        let config = Config::default().with_event_kinds(
            EventKindMask::CREATE
                | EventKindMask::REMOVE
                | EventKindMask::MODIFY_DATA
                | EventKindMask::MODIFY_NAME,
        );
        let started = RecommendedWatcher::new(handler, config).and_then(|mut watcher| {
            for path in paths {
                watcher.watch(path, RecursiveMode::Recursive)?;
            }
            Ok(watcher)
        });
        let (watcher, problem) = match started {
            Ok(watcher) => (Some(watcher), None),
            Err(error) => (None, Some(error.to_string())),
        };
        Self {
            changes,
            _watcher: watcher,
            problem,
            last_wake: None,
        }
    }

    /// Why the store is polled rather than watched, if it is.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// Waits for a change, at most [`RECHECK_WATCHED`] (or [`POLL_UNWATCHED`] when not
    /// watching), and never returns sooner than [`MIN_GAP`] after the previous return.
    pub fn wait(&mut self) -> Wake {
        let interval = if self.problem.is_some() {
            POLL_UNWATCHED
        } else {
            RECHECK_WATCHED
        };
        self.wait_at_most(interval)
    }

    /// [`wait`](Self::wait) with an interval of one's own.
    pub fn wait_at_most(&mut self, interval: Duration) -> Wake {
        let wake = if self.problem.is_some() {
            std::thread::sleep(interval);
            Wake::Recheck
        } else {
            match self.changes.recv_timeout(interval) {
                Ok(()) => Wake::Changed,
                Err(RecvTimeoutError::Timeout) => Wake::Recheck,
                Err(RecvTimeoutError::Disconnected) => {
                    std::thread::sleep(interval);
                    Wake::Recheck
                }
            }
        };
        if let Some(gap) = self
            .last_wake
            .and_then(|last| MIN_GAP.checked_sub(last.elapsed()))
        {
            std::thread::sleep(gap);
        }
        // What changed during the gap is found by the search about to run.
        while self.changes.try_recv().is_ok() {}
        self.last_wake = Some(Instant::now());
        wake
    }
}

/// Whether `path` is a search's own sidecar (`….idx`, `….cols`, or their temporary files).
fn is_sidecar(path: &std::path::Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    [".idx", ".cols"]
        .iter()
        .any(|suffix| name.ends_with(suffix) || name.contains(&format!("{suffix}.")))
}

/// A search followed as the store grows: [`catch_up`](Self::catch_up) gives every match after
/// the last one given, page by page; [`wait`](Self::wait) sleeps until there may be more.
///
/// ```
/// use nno_obs_logs::follow::{Follower, StoreWatch};
/// use nno_obs_logs::{LocalSearch, LogQuery};
///
/// let dir = tempfile::tempdir().unwrap();
/// let file = dir.path().join("batch.json");
/// std::fs::write(&file, r#"{"Outcome":"ok","EventTimestampMs":1,"Logs":[{"Message":["first"]}]}"#.to_owned() + "\n").unwrap();
/// let paths = vec![file.clone()];
/// let open = || LocalSearch::paths(&paths);
/// let mut follower = Follower::new(LogQuery::default(), None, 100, StoreWatch::new(&paths));
/// let mut seen = Vec::new();
/// follower.catch_up(open, |page| { seen.extend(page.hits.iter().map(|h| h.entry.message.clone())); Ok::<_, std::io::Error>(()) }).unwrap();
/// // Nothing is given twice.
/// follower.catch_up(open, |page| { seen.extend(page.hits.iter().map(|h| h.entry.message.clone())); Ok(()) }).unwrap();
/// assert_eq!(seen, ["first"]);
/// ```
pub struct Follower {
    query: LogQuery,
    cursor: Option<Cursor>,
    limit: usize,
    watch: StoreWatch,
}

impl Follower {
    /// Follows `query` from after `cursor` (from the start without one), `limit` hits a page.
    pub fn new(query: LogQuery, cursor: Option<Cursor>, limit: usize, watch: StoreWatch) -> Self {
        Self {
            query,
            cursor,
            limit: limit.max(1),
            watch,
        }
    }

    /// The watch, to ask whether it polls ([`StoreWatch::problem`]).
    pub fn watch(&self) -> &StoreWatch {
        &self.watch
    }

    /// Opens the search anew with `open` (the store's files change) and hands `each` every page
    /// of matches after the last one handed, until a page is empty. Returns how many matches
    /// were handed.
    pub fn catch_up<E>(
        &mut self,
        mut open: impl FnMut() -> Result<LocalSearch, E>,
        mut each: impl FnMut(&Page) -> Result<(), E>,
    ) -> Result<usize, E> {
        let mut handed = 0;
        loop {
            let search = open()?;
            let page = search.run(&self.query, self.cursor.as_ref(), self.limit);
            let Some(last) = page.hits.last() else {
                return Ok(handed);
            };
            self.cursor = Some(Cursor::new(
                &self.query,
                search.scope_name(),
                last.key.clone(),
            ));
            handed += page.hits.len();
            each(&page)?;
        }
    }

    /// Whether the query's range has ended by `now_ms`: no entry written later can match it.
    pub fn range_has_ended(&self, now_ms: u64) -> bool {
        self.query.to_ms.is_some_and(|to| to <= now_ms)
    }

    /// Waits until the store may hold more ([`StoreWatch::wait`]).
    pub fn wait(&mut self) -> Wake {
        self.watch.wait()
    }
}
