//! The alert state and the run's lease over a key-value store without compare-and-swap —
//! Workers KV in the nno-logging Worker, [`MemoryKv`] in tests. The host implements
//! [`KeyValue`] (three calls); everything else is here, tested once.
//!
//! | key | value | written |
//! |---|---|---|
//! | [`STATE_KEY`] `alert-state` | the [`State`] as JSON (what the read API's `/alerts` shows) | before sending, then after each entry, at most once a second |
//! | [`LEASE_KEY`] `alert-lease` | `{"holder":…,"untilMs":…}`, expiring | when a run starts; deleted when it ends |
//!
//! What holds, given KV's documented behaviour (a write is visible at once in the location
//! that made it and up to 60 s later elsewhere; at most one write per second to a key; no
//! transactions):
//!
//! - **The lease** is taken by writing it and, after [`KvState::settle_ms`], reading it back:
//!   of two runs that both found it free, both wrote and the last write wins, so (within one
//!   location) only one reads its own holder back and delivers. Two runs far enough apart
//!   that the second one finds the first's lease stop at once.
//! - **What remains**: two runs in different locations can each read a state or lease the
//!   other has not yet seen (KV's 60 s). Both may then evaluate the same minute and send the
//!   same outbox entries: the email Worker drops the second by its `idempotencyKey` and
//!   PagerDuty by its `dedup_key`; Slack, which has no idempotency key, posts twice. A Durable
//!   Object (one strongly consistent, single-threaded owner of the state) would close this
//!   window; `docs/nno-logging.md` says when it is worth it.

use crate::deliver::Sleep;
use crate::outbox::State;
use crate::persist::{decode, Lease, StateStore, StoreError};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;

/// The state's key (also read by the read API's `/alerts`).
pub const STATE_KEY: &str = "alert-state";
/// The lease's key.
pub const LEASE_KEY: &str = "alert-lease";
/// Workers KV's shortest `expirationTtl`, seconds.
pub const MIN_TTL_S: u64 = 60;
/// Workers KV's rate of writes to one key: one a second.
pub const WRITE_SPACING_MS: u64 = 1_000;

/// A key-value store (Workers KV): string values, optional expiry, no compare-and-swap.
pub trait KeyValue {
    /// The value of `key`, `None` when there is none.
    fn get(&self, key: &str) -> impl Future<Output = Result<Option<String>, String>>;
    /// Writes `key`; with `ttl_s`, it expires that many seconds later (KV: at least 60).
    fn put(
        &self,
        key: &str,
        value: &str,
        ttl_s: Option<u64>,
    ) -> impl Future<Output = Result<(), String>>;
    /// Deletes `key` (nothing when there is none).
    fn delete(&self, key: &str) -> impl Future<Output = Result<(), String>>;
}

/// The lease as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LeaseRecord {
    holder: String,
    until_ms: u64,
}

/// The alert state ([`StateStore`]) and the run's [`Lease`] over a [`KeyValue`] store.
///
/// ```
/// use nno_obs_alerts::kv::{KvState, MemoryKv};
/// use nno_obs_alerts::persist::{Lease, StateStore};
/// # struct NoSleep;
/// # impl nno_obs_alerts::deliver::Sleep for NoSleep { async fn sleep(&self, _ms: u64) {} }
///
/// let kv = MemoryKv::default();
/// let clock = || 0;
/// let store = KvState::new(&kv, &NoSleep, &clock);
/// pollster::block_on(async {
///     assert!(store.acquire("run-a", 0, 60_000).await.unwrap());
///     assert!(!store.acquire("run-b", 1_000, 60_000).await.unwrap()); // held by run-a
///     store.release("run-a").await.unwrap();
///     assert!(store.acquire("run-b", 2_000, 60_000).await.unwrap());
///     assert_eq!(store.load().await.unwrap(), Default::default()); // nothing stored yet
/// });
/// ```
pub struct KvState<'a, K, S> {
    kv: &'a K,
    sleeper: &'a S,
    clock: &'a dyn Fn() -> u64,
    last_put_ms: Cell<Option<u64>>,
    /// How long a run waits between writing the lease and reading it back (default 1 s):
    /// longer than one KV call, so a rival's write made between our read and our write is
    /// seen.
    pub settle_ms: u64,
}

impl<'a, K: KeyValue, S: Sleep> KvState<'a, K, S> {
    /// Over `kv`, waiting with `sleeper`, reading the time (ms) from `clock` — only to space
    /// the state's writes a second apart.
    pub fn new(kv: &'a K, sleeper: &'a S, clock: &'a dyn Fn() -> u64) -> Self {
        Self {
            kv,
            sleeper,
            clock,
            last_put_ms: Cell::new(None),
            settle_ms: 1_000,
        }
    }

    async fn lease(&self) -> Result<Option<LeaseRecord>, StoreError> {
        let text = self
            .kv
            .get(LEASE_KEY)
            .await
            .map_err(StoreError::Unavailable)?;
        // A damaged lease is no lease: it would otherwise block every run until it expires.
        Ok(text.and_then(|text| serde_json::from_str(&text).ok()))
    }
}

impl<K: KeyValue, S: Sleep> StateStore for KvState<'_, K, S> {
    async fn load(&self) -> Result<State, StoreError> {
        match self
            .kv
            .get(STATE_KEY)
            .await
            .map_err(StoreError::Unavailable)?
        {
            None => Ok(State::default()),
            Some(text) => decode(text.as_bytes()),
        }
    }

    async fn save(&self, state: &State) -> Result<(), StoreError> {
        let json = serde_json::to_string(state)
            .map_err(|e| StoreError::Corrupt(format!("cannot encode the state: {e}")))?;
        // KV refuses (429) a second write to a key within a second: wait it out rather than
        // lose the save.
        if let Some(last) = self.last_put_ms.get() {
            let since = (self.clock)().saturating_sub(last);
            if since < WRITE_SPACING_MS {
                self.sleeper.sleep(WRITE_SPACING_MS - since).await;
            }
        }
        let result = self.kv.put(STATE_KEY, &json, None).await;
        self.last_put_ms.set(Some((self.clock)()));
        result.map_err(StoreError::Unavailable)
    }
}

impl<K: KeyValue, S: Sleep> Lease for KvState<'_, K, S> {
    async fn acquire(&self, holder: &str, now_ms: u64, ttl_ms: u64) -> Result<bool, StoreError> {
        if let Some(current) = self.lease().await? {
            if current.holder != holder && current.until_ms > now_ms {
                return Ok(false);
            }
        }
        let record = LeaseRecord {
            holder: holder.to_owned(),
            until_ms: now_ms.saturating_add(ttl_ms),
        };
        let json = serde_json::to_string(&record)
            .map_err(|e| StoreError::Corrupt(format!("cannot encode the lease: {e}")))?;
        // KV's own expiry frees a lease whose run died, even if no clock ever passes untilMs.
        let ttl_s = ttl_ms.div_ceil(1000).max(MIN_TTL_S);
        self.kv
            .put(LEASE_KEY, &json, Some(ttl_s))
            .await
            .map_err(StoreError::Unavailable)?;
        // No compare-and-swap: a rival that read the lease free before our write may write
        // too. The last write wins; after the wait, only its writer reads itself back.
        self.sleeper.sleep(self.settle_ms).await;
        Ok(self.lease().await?.is_some_and(|r| r.holder == holder))
    }

    async fn release(&self, holder: &str) -> Result<(), StoreError> {
        if self.lease().await?.is_some_and(|r| r.holder == holder) {
            self.kv
                .delete(LEASE_KEY)
                .await
                .map_err(StoreError::Unavailable)?;
        }
        Ok(())
    }
}

/// A [`KeyValue`] store in memory (single-threaded, like a Worker isolate), for tests and
/// examples. Expiry is not modelled: the lease's `untilMs` is what the run compares.
#[derive(Debug, Default)]
pub struct MemoryKv {
    values: RefCell<BTreeMap<String, String>>,
    /// Every write, in order: (key, ttl seconds).
    pub puts: RefCell<Vec<(String, Option<u64>)>>,
}

impl MemoryKv {
    /// The value of `key`.
    pub fn value(&self, key: &str) -> Option<String> {
        self.values.borrow().get(key).cloned()
    }

    /// Sets `key` (as another run would).
    pub fn set(&self, key: &str, value: &str) {
        self.values
            .borrow_mut()
            .insert(key.to_owned(), value.to_owned());
    }
}

impl KeyValue for MemoryKv {
    async fn get(&self, key: &str) -> Result<Option<String>, String> {
        Ok(self.value(key))
    }

    async fn put(&self, key: &str, value: &str, ttl_s: Option<u64>) -> Result<(), String> {
        self.set(key, value);
        self.puts.borrow_mut().push((key.to_owned(), ttl_s));
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), String> {
        self.values.borrow_mut().remove(key);
        Ok(())
    }
}
