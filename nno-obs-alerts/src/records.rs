//! The records an alert run reads beside the measurements — the platforms' alert
//! configurations (seed §6.1), their tier limits (§6.2's usage alerts) and the Registry copy —
//! parsed once, here, for every host: the nno-logging Worker reads them from Workers KV
//! ([`configs_from_kv`], [`limits_from_kv`], [`registry_from_kv`]), the CLI from files
//! ([`parse_configs`], `FileLimits::in_store`). Every input has a defined outcome:
//!
//! | input | outcome |
//! |---|---|
//! | no record | no configurations; no limits source (`None`: usage alerts say "no source"); an empty Registry |
//! | not JSON, or JSON of the wrong shape | [`RecordError::Damaged`]: the caller stops (measuring no platform would resolve every alert) |
//! | one configuration that does not parse or validate, or stored under another platform's id, or given twice | that platform is refused, with why ([`ReadConfigs::refused`]); every other one is read |
//! | the store failing | [`RecordError::Unavailable`] |

use crate::config::{AlertConfig, ConfigError};
use crate::kv::KeyValue;
use crate::limits::FileLimits;
use crate::rules::Configs;
use nno_obs_store::registry::RegistryFile;
use serde::Deserialize;
use std::fmt;

/// The KV key of the platforms' alert configurations: `{"{platformId}": AlertConfig, …}`.
pub const CONFIGS_KEY: &str = "alert-configs";
/// The KV key of the platforms' tier limits (the JSON of [`FileLimits`], kept by Billing).
pub const LIMITS_KEY: &str = "tier-limits";
/// The KV key of the Registry copy (a [`RegistryFile`]).
pub const REGISTRY_KEY: &str = "registry";

/// A record that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordError {
    /// The store failed (the message is the store's).
    Unavailable(String),
    /// The record is there but is not what it should be (why).
    Damaged(String),
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable(why) => write!(f, "the store failed: {why}"),
            Self::Damaged(why) => write!(f, "the record is damaged: {why}"),
        }
    }
}

impl std::error::Error for RecordError {}

/// The alert configurations of one record: those that validate, by platform, and those
/// refused, each with every reason.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadConfigs {
    /// The configurations that validate, by platform id.
    pub valid: Configs,
    /// The platforms refused (their id, or `#{index}` for a list entry without one) and why.
    pub refused: Vec<(String, Vec<ConfigError>)>,
}

/// Parses alert configurations from JSON in any of the three forms they are kept in: the KV
/// record `{"{platformId}": AlertConfig, …}`, a list `[AlertConfig, …]` or one `AlertConfig`
/// (the CLI's `--config` file). A configuration that does not parse or validate refuses its
/// platform only; a text that is none of the three forms is [`RecordError::Damaged`].
///
/// ```
/// use nno_obs_alerts::records::parse_configs;
/// use nno_obs_alerts::AlertConfig;
///
/// let good = serde_json::to_string(&AlertConfig::example()).unwrap();
/// let text = format!(r#"{{"k3m9p2xw7q": {good}, "r8n4t6y1z5": {{"email": 7}}}}"#);
/// let read = parse_configs(&text).unwrap();
/// assert_eq!(read.valid.keys().collect::<Vec<_>>(), ["k3m9p2xw7q"]);
/// assert_eq!(read.refused[0].0, "r8n4t6y1z5");
/// assert!(parse_configs("not json").is_err());
/// ```
pub fn parse_configs(text: &str) -> Result<ReadConfigs, RecordError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| RecordError::Damaged(e.to_string()))?;
    let mut read = ReadConfigs::default();
    match value {
        // One configuration: a platform id is never `platformId`, so a map cannot look like one.
        serde_json::Value::Object(map) if map.contains_key("platformId") => {
            read.take(None, serde_json::Value::Object(map), "the configuration");
        }
        serde_json::Value::Object(map) => {
            for (id, entry) in map {
                read.take(Some(id), entry, "the configuration");
            }
        }
        serde_json::Value::Array(list) => {
            for (index, entry) in list.into_iter().enumerate() {
                read.take(None, entry, &format!("#{index}"));
            }
        }
        other => {
            return Err(RecordError::Damaged(format!(
                "expected an object or a list of alert configurations, found {}",
                kind(&other)
            )))
        }
    }
    Ok(read)
}

impl ReadConfigs {
    /// Takes one entry: stored under `key` (the KV form) or under its own id (a list).
    fn take(&mut self, key: Option<String>, entry: serde_json::Value, position: &str) {
        let own_id = entry
            .get("platformId")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        let id = key
            .clone()
            .or(own_id)
            .unwrap_or_else(|| position.to_owned());
        let config = match AlertConfig::deserialize(entry) {
            Ok(config) => config,
            Err(error) => {
                return self.refuse(id, "config", format!("does not parse: {error}"));
            }
        };
        if let Err(errors) = config.validate() {
            return self.refused.push((id, errors));
        }
        if key.is_some() && id != config.platform_id {
            return self.refuse(
                id.clone(),
                "platformId",
                format!("is not the id it is stored under ({id})"),
            );
        }
        if self.valid.contains_key(&id) {
            return self.refuse(id, "platformId", "is configured twice".to_owned());
        }
        self.valid.insert(id, config);
    }

    fn refuse(&mut self, id: String, field: &'static str, reason: String) {
        self.refused.push((id, vec![ConfigError { field, reason }]));
    }
}

/// The JSON kind of `value`, for a message.
fn kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

/// The alert configurations in KV [`CONFIGS_KEY`]; none when the key is absent.
///
/// ```
/// use nno_obs_alerts::kv::MemoryKv;
/// use nno_obs_alerts::records::{configs_from_kv, CONFIGS_KEY, RecordError};
///
/// let kv = MemoryKv::default();
/// let read = pollster::block_on(configs_from_kv(&kv)).unwrap();
/// assert!(read.valid.is_empty() && read.refused.is_empty());
/// kv.set(CONFIGS_KEY, "[1");
/// assert!(matches!(pollster::block_on(configs_from_kv(&kv)), Err(RecordError::Damaged(_))));
/// ```
pub async fn configs_from_kv<K: KeyValue>(kv: &K) -> Result<ReadConfigs, RecordError> {
    match kv
        .get(CONFIGS_KEY)
        .await
        .map_err(RecordError::Unavailable)?
    {
        None => Ok(ReadConfigs::default()),
        Some(text) => parse_configs(&text),
    }
}

/// The tier limits in KV [`LIMITS_KEY`]; `None` when the key is absent (no source: usage
/// alerts are then reported as not measured, never as "no usage").
///
/// ```
/// use nno_obs_alerts::kv::MemoryKv;
/// use nno_obs_alerts::records::{limits_from_kv, LIMITS_KEY};
///
/// let kv = MemoryKv::default();
/// assert_eq!(pollster::block_on(limits_from_kv(&kv)), Ok(None));
/// kv.set(LIMITS_KEY, r#"{"platforms": []}"#);
/// assert!(pollster::block_on(limits_from_kv(&kv)).unwrap().is_some_and(|l| l.is_empty()));
/// ```
pub async fn limits_from_kv<K: KeyValue>(kv: &K) -> Result<Option<FileLimits>, RecordError> {
    match kv.get(LIMITS_KEY).await.map_err(RecordError::Unavailable)? {
        None => Ok(None),
        Some(text) => FileLimits::from_json(&text)
            .map(Some)
            .map_err(|e| RecordError::Damaged(e.to_string())),
    }
}

/// The Registry copy in KV [`REGISTRY_KEY`]; the empty Registry when the key is absent.
///
/// ```
/// use nno_obs_alerts::kv::MemoryKv;
/// use nno_obs_alerts::records::{registry_from_kv, REGISTRY_KEY};
///
/// let kv = MemoryKv::default();
/// kv.set(REGISTRY_KEY, r#"{"platforms": []}"#);
/// assert!(pollster::block_on(registry_from_kv(&kv)).unwrap().platforms.is_empty());
/// ```
pub async fn registry_from_kv<K: KeyValue>(kv: &K) -> Result<RegistryFile, RecordError> {
    match kv
        .get(REGISTRY_KEY)
        .await
        .map_err(RecordError::Unavailable)?
    {
        None => Ok(RegistryFile::default()),
        Some(text) => serde_json::from_str(&text).map_err(|e| RecordError::Damaged(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::MemoryKv;

    fn config(id: &str) -> serde_json::Value {
        let mut config = AlertConfig::example();
        config.platform_id = id.to_owned();
        serde_json::to_value(&config).unwrap()
    }

    fn refused_ids(read: &ReadConfigs) -> Vec<&str> {
        read.refused.iter().map(|(id, _)| id.as_str()).collect()
    }

    #[test]
    fn the_three_forms_read_the_same_configurations() {
        let (a, b) = (config("k3m9p2xw7q"), config("r8n4t6y1z5"));
        let map = serde_json::json!({"k3m9p2xw7q": a, "r8n4t6y1z5": b}).to_string();
        let list = serde_json::json!([a, b]).to_string();
        let from_map = parse_configs(&map).unwrap();
        let from_list = parse_configs(&list).unwrap();
        assert_eq!(from_map, from_list);
        assert_eq!(from_map.valid.len(), 2);
        let one = parse_configs(&a.to_string()).unwrap();
        assert_eq!(one.valid.keys().collect::<Vec<_>>(), ["k3m9p2xw7q"]);
        assert!(one.refused.is_empty());
    }

    #[test]
    fn a_record_of_the_wrong_shape_is_damaged() {
        for text in ["", "not json", "[1", "null", "7", "\"x\"", "true"] {
            assert!(
                matches!(parse_configs(text), Err(RecordError::Damaged(_))),
                "{text:?}"
            );
        }
        assert_eq!(parse_configs("{}").unwrap(), ReadConfigs::default());
        assert_eq!(parse_configs("[]").unwrap(), ReadConfigs::default());
    }

    #[test]
    fn one_bad_entry_refuses_its_platform_only() {
        let mut invalid = config("p0000000aa");
        invalid["email"] = "not an address".into();
        let text = serde_json::json!({
            "k3m9p2xw7q": config("k3m9p2xw7q"),
            "r8n4t6y1z5": {"email": 7},          // does not parse
            "zz00000000": config("q1w2e3r4t5"),  // stored under another id
            "p0000000aa": invalid,               // does not validate
            "x000000000": [1, 2],                // not an object
        })
        .to_string();
        let read = parse_configs(&text).unwrap();
        assert_eq!(read.valid.keys().collect::<Vec<_>>(), ["k3m9p2xw7q"]);
        assert_eq!(
            refused_ids(&read),
            ["p0000000aa", "r8n4t6y1z5", "x000000000", "zz00000000"]
        );
        let fields: Vec<&str> = read.refused.iter().map(|(_, e)| e[0].field).collect();
        assert_eq!(fields, ["email", "config", "config", "platformId"]);
    }

    #[test]
    fn a_list_names_bad_entries_by_id_or_position_and_refuses_a_duplicate() {
        let text = serde_json::json!([
            config("k3m9p2xw7q"),
            {"platformId": "r8n4t6y1z5"},
            "a string",
            config("k3m9p2xw7q"),
        ])
        .to_string();
        let read = parse_configs(&text).unwrap();
        assert_eq!(read.valid.len(), 1);
        assert_eq!(refused_ids(&read), ["r8n4t6y1z5", "#2", "k3m9p2xw7q"]);
        assert_eq!(read.refused[2].1[0].reason, "is configured twice");
    }

    #[test]
    fn a_secret_in_a_refused_entry_is_not_echoed() {
        // An unknown field is refused by name; the webhook's value never appears.
        let mut entry = config("k3m9p2xw7q");
        entry["slackWebhookUrl"] = "https://hooks.slack.com/services/T0/B0/sekrit".into();
        entry["extra"] = true.into();
        let read = parse_configs(&serde_json::json!([entry]).to_string()).unwrap();
        let why = read.refused[0].1[0].to_string();
        assert!(why.contains("extra"), "{why}");
        assert!(!why.contains("sekrit"), "{why}");
    }

    struct Failing;
    impl KeyValue for Failing {
        async fn get(&self, _key: &str) -> Result<Option<String>, String> {
            Err("KV down".to_owned())
        }
        async fn put(&self, _: &str, _: &str, _: Option<u64>) -> Result<(), String> {
            Err("KV down".to_owned())
        }
        async fn delete(&self, _key: &str) -> Result<(), String> {
            Err("KV down".to_owned())
        }
    }

    #[test]
    fn kv_records_absent_damaged_and_failing() {
        let kv = MemoryKv::default();
        assert_eq!(
            pollster::block_on(configs_from_kv(&kv)),
            Ok(ReadConfigs::default())
        );
        assert_eq!(pollster::block_on(limits_from_kv(&kv)), Ok(None));
        assert_eq!(
            pollster::block_on(registry_from_kv(&kv)),
            Ok(RegistryFile::default())
        );

        kv.set(CONFIGS_KEY, "{");
        kv.set(LIMITS_KEY, r#"{"platforms": 3}"#);
        kv.set(REGISTRY_KEY, "[]");
        assert!(matches!(
            pollster::block_on(configs_from_kv(&kv)),
            Err(RecordError::Damaged(_))
        ));
        assert!(matches!(
            pollster::block_on(limits_from_kv(&kv)),
            Err(RecordError::Damaged(_))
        ));
        assert!(matches!(
            pollster::block_on(registry_from_kv(&kv)),
            Err(RecordError::Damaged(_))
        ));

        let down = RecordError::Unavailable("KV down".to_owned());
        assert_eq!(
            pollster::block_on(configs_from_kv(&Failing)),
            Err(down.clone())
        );
        assert_eq!(
            pollster::block_on(limits_from_kv(&Failing)),
            Err(down.clone())
        );
        assert_eq!(pollster::block_on(registry_from_kv(&Failing)), Err(down));
    }
}
