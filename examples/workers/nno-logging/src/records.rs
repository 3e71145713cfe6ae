//! The host records the read API needs beside logs and metrics, kept in Workers KV (binding
//! [`KV_BINDING`]) as JSON under fixed keys: the Registry copy ([`REGISTRY_KEY`], a
//! `RegistryFile` as `nno-obs registry` writes it), the alert state ([`ALERTS_KEY`], the state
//! the cron alerting keeps) and the platforms with metrics ([`PLATFORMS_KEY`], a JSON array of
//! platform ids). A missing key is the empty record; one that does not parse is 503.

use nno_obs_alerts::outbox::State;
use nno_obs_api::backend::BoxFuture;
use nno_obs_api::source::HostRecords;
use nno_obs_api::ApiError;
use nno_obs_store::layout::PlatformId;
use nno_obs_store::registry::RegistryFile;
use serde::de::DeserializeOwned;
use worker::kv::KvStore;

/// The KV namespace's binding.
pub const KV_BINDING: &str = "OBSERVABILITY_STATE";
/// The Registry copy's key.
pub const REGISTRY_KEY: &str = nno_obs_alerts::records::REGISTRY_KEY;
/// The alert state's key: the one the cron alerting writes ([`crate::cron`]).
pub const ALERTS_KEY: &str = nno_obs_alerts::kv::STATE_KEY;
/// The key of the platforms the metrics hold.
pub const PLATFORMS_KEY: &str = "platforms-with-data";

/// The records in one KV namespace (none when the Worker has no such binding).
pub struct KvRecords {
    kv: Option<KvStore>,
}

impl KvRecords {
    /// Records in `kv`; `None`: every record is empty.
    pub fn new(kv: Option<KvStore>) -> Self {
        Self { kv }
    }

    async fn read<T: DeserializeOwned + Default>(
        &self,
        key: &str,
        what: &str,
    ) -> Result<T, ApiError> {
        let Some(kv) = &self.kv else {
            return Ok(T::default());
        };
        let text = kv
            .get(key)
            .text()
            .await
            .map_err(|_| ApiError::unavailable(what))?;
        match text {
            None => Ok(T::default()),
            Some(text) => serde_json::from_str(&text).map_err(|_| ApiError::unavailable(what)),
        }
    }
}

impl HostRecords for KvRecords {
    fn registry(&self) -> BoxFuture<'_, Result<RegistryFile, ApiError>> {
        Box::pin(self.read(REGISTRY_KEY, "the Registry copy"))
    }

    fn platforms_with_data(&self) -> BoxFuture<'_, Result<Vec<PlatformId>, ApiError>> {
        Box::pin(async move {
            let ids: Vec<String> = self.read(PLATFORMS_KEY, "the platforms list").await?;
            // An id that is not a platform id is not one (never reaches a query).
            Ok(ids
                .iter()
                .filter_map(|id| PlatformId::parse(id).ok())
                .collect())
        })
    }

    fn alert_state(&self) -> BoxFuture<'_, Result<State, ApiError>> {
        Box::pin(self.read(ALERTS_KEY, "the alert state"))
    }
}
