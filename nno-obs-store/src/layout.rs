//! Where things live: bucket names, platform ids, script names, dataset folders, object keys.
//!
//! ```text
//! {store root}/
//! ├── nno-logs-internal/                 core services (`nno-{service}-{env}`)
//! │   └── {DATE}/{start}_{end}_{random}.log.gz    as Logpush writes it (see crate::batch)
//! ├── nno-logs-{platformId}/             every Worker of one platform
//! │   └── {DATE}/{start}_{end}_{random}.log.gz
//! └── analytics-engine/{dataset}/        data points, one folder per dataset
//!     └── {DATE}/{HOUR}/points-{uuid}.json.gz
//! ```
//!
//! **Logs** are laid out as a Logpush job to R2 writes them — `{DATE}` is `YYYYMMDD` (UTC), the
//! only path variable Logpush fills in, and Logpush names each object itself,
//! `{start}_{end}_{random}.log.gz` — so a developer's store is a true copy of a bucket. Names,
//! batching, the open batch and what a name guarantees about its records are in
//! [`crate::batch`]. This deviates from seed §2.3, which draws
//! `{DATE}/{HOUR}/{platformId}-auth-prod-{uuid}.json.gz`: Logpush cannot write that (no
//! `{HOUR}` or `{filename}` variable; one object holds several scripts' records). Readers still
//! accept the seed's layout and any folder of `.gz`/`.json` files, timing them from their
//! records (`docs/logs.md`, "What Cloudflare writes").
//!
//! **Points** are not Logpush's: `analytics-engine/{dataset}/{DATE}/{HOUR}/points-{uuid}.json.gz`,
//! `{DATE}` `YYYY-MM-DD` and `{HOUR}` `HH`, both UTC, the hour of each row's own timestamp. A
//! points file still being written is `….json` (plain); it becomes `….json.gz` when it rotates,
//! next to its index sidecar `….json.gz.idx` (see [`crate::index`]) and its columnar sidecar
//! `….json.gz.cols` (see [`crate::columns`]).
//!
//! Every path component is built from a validated type ([`PlatformId`], [`ScriptName`],
//! [`DatasetName`], [`DateHour`], a UUID, a [`crate::batch::BatchName`]), never from raw text,
//! so no input can name a path outside the store.

use std::fmt;
use time::OffsetDateTime;

/// The bucket of the core services' logs.
pub const INTERNAL_BUCKET: &str = "nno-logs-internal";
/// The prefix of a platform's bucket: `nno-logs-{platformId}`.
pub const PLATFORM_BUCKET_PREFIX: &str = "nno-logs-";
/// The folder of the Analytics Engine datasets in a local store.
pub const DATASETS_FOLDER: &str = "analytics-engine";
/// The file name suffix of a rotated (closed) points file, and of logs in the seed's layout
/// (closed log batches are [`crate::batch::LOGPUSH_SUFFIX`]).
pub const CLOSED_SUFFIX: &str = ".json.gz";
/// The file name suffix of a file still being written (a points file, a log batch).
pub const OPEN_SUFFIX: &str = ".json";
/// The suffix of a closed file's index sidecar (appended to the `.log.gz` or `.json.gz` name).
pub const INDEX_SUFFIX: &str = ".idx";
/// The suffix of a closed points file's columnar sidecar (appended to the `.json.gz` name; see
/// [`crate::columns`]).
pub const COLUMNS_SUFFIX: &str = ".cols";
/// The stem of a points file: `points-{uuid}`.
pub const POINTS_STEM: &str = "points";

/// Why a name was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidName {
    what: &'static str,
    grammar: &'static str,
}

impl fmt::Display for InvalidName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a valid {}: expected {}", self.what, self.grammar)
    }
}

impl std::error::Error for InvalidName {}

/// The grammar of NNO's generated ids (platform and entity ids): exactly 10 characters of
/// `[a-z0-9]`, like the seed's `k3m9p2xw7q`.
pub const ID_GRAMMAR: &str = "10 characters of [a-z0-9], e.g. k3m9p2xw7q";

fn is_id(text: &str) -> bool {
    text.len() == 10
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// A platform id that passed [`ID_GRAMMAR`]. Holding one is the only way to name a platform's
/// bucket or datasets.
///
/// ```
/// use nno_obs_store::layout::PlatformId;
///
/// let id = PlatformId::parse("k3m9p2xw7q").unwrap();
/// assert_eq!(id.bucket_name(), "nno-logs-k3m9p2xw7q");
/// for hostile in ["", "K3M9P2XW7Q", "../../etc", "k3m9p2xw7q/", "k3m9p2xw7", "k3m9p2xw7q1"] {
///     assert!(PlatformId::parse(hostile).is_err());
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlatformId(String);

impl PlatformId {
    /// Validates `text`.
    pub fn parse(text: &str) -> Result<Self, InvalidName> {
        if is_id(text) {
            Ok(Self(text.to_owned()))
        } else {
            Err(InvalidName {
                what: "platform id",
                grammar: ID_GRAMMAR,
            })
        }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `nno-logs-{id}`.
    pub fn bucket_name(&self) -> String {
        format!("{PLATFORM_BUCKET_PREFIX}{}", self.0)
    }
}

impl fmt::Display for PlatformId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A log bucket: the core services' one or a platform's.
///
/// ```
/// use nno_obs_store::layout::{Bucket, PlatformId};
///
/// assert_eq!(Bucket::Internal.name(), "nno-logs-internal");
/// let platform = Bucket::parse("nno-logs-k3m9p2xw7q").unwrap();
/// assert_eq!(platform, Bucket::Platform(PlatformId::parse("k3m9p2xw7q").unwrap()));
/// assert!(Bucket::parse("nno-logs-..").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bucket {
    /// `nno-logs-internal`.
    Internal,
    /// `nno-logs-{platformId}`.
    Platform(PlatformId),
}

impl Bucket {
    /// The bucket (and local folder) name.
    pub fn name(&self) -> String {
        match self {
            Bucket::Internal => INTERNAL_BUCKET.to_owned(),
            Bucket::Platform(id) => id.bucket_name(),
        }
    }

    /// Reads a bucket name.
    pub fn parse(name: &str) -> Result<Self, InvalidName> {
        if name == INTERNAL_BUCKET {
            return Ok(Bucket::Internal);
        }
        match name.strip_prefix(PLATFORM_BUCKET_PREFIX) {
            Some(id) => PlatformId::parse(id).map(Bucket::Platform),
            None => Err(InvalidName {
                what: "log bucket",
                grammar: "nno-logs-internal or nno-logs-{platformId}",
            }),
        }
    }
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// The grammar of script names (seed §2.4).
pub const SCRIPT_GRAMMAR: &str = "nno-{service}-{env} or {platformId}-{entityId}-{feature}-{env} \
or {platformId}-{feature}-{env}: lowercase [a-z0-9] words joined by single '-', at most 63 bytes";

/// What a script name says about its Worker.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ScriptKind {
    /// A core service, `nno-{service}-{env}` (e.g. `nno-registry-prod`).
    Core {
        /// The service, e.g. `registry` or `stack-registry`.
        service: String,
    },
    /// A platform Worker: `{platformId}-{entityId}-{feature}-{env}` (a feature Worker of one
    /// tenant) or `{platformId}-{feature}-{env}` (a platform-wide Worker such as `auth`).
    Platform {
        /// The platform.
        platform: PlatformId,
        /// The tenant, when the name has one.
        entity: Option<String>,
        /// The feature, e.g. `analytics` or `auth`.
        feature: String,
    },
}

/// A Worker script name that follows [`SCRIPT_GRAMMAR`], with what it says.
///
/// A 10-character id-like word right after the platform id is read as the entity id when at
/// least two words follow it (feature and env); otherwise it is the feature.
///
/// ```
/// use nno_obs_store::layout::{Bucket, ScriptKind, ScriptName};
///
/// let script = ScriptName::parse("k3m9p2xw7q-r8n4t6y1z5-analytics-prod").unwrap();
/// assert_eq!(script.feature(), Some("analytics"));
/// assert_eq!(script.env(), "prod");
/// assert_eq!(script.bucket().name(), "nno-logs-k3m9p2xw7q");
///
/// let core = ScriptName::parse("nno-stack-registry-prod").unwrap();
/// assert_eq!(core.kind(), &ScriptKind::Core { service: "stack-registry".into() });
/// assert_eq!(core.bucket(), Bucket::Internal);
///
/// assert!(ScriptName::parse("../x-y-z").is_err());
/// assert!(ScriptName::parse("hello-world").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ScriptName {
    name: String,
    kind: ScriptKind,
    env: String,
}

impl ScriptName {
    /// Longest script name Cloudflare accepts.
    pub const MAX_LEN: usize = 63;

    /// Validates and reads `name`.
    pub fn parse(name: &str) -> Result<Self, InvalidName> {
        let invalid = InvalidName {
            what: "script name",
            grammar: SCRIPT_GRAMMAR,
        };
        if name.is_empty() || name.len() > Self::MAX_LEN {
            return Err(invalid);
        }
        let words: Vec<&str> = name.split('-').collect();
        let word_ok = |w: &&str| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        };
        if !words.iter().all(word_ok) || words.len() < 3 {
            return Err(invalid);
        }
        let (first, rest) = (words[0], &words[1..]);
        let (env, middle) = match rest.split_last() {
            Some((env, middle)) if !middle.is_empty() => (*env, middle),
            _ => return Err(invalid),
        };
        let kind = if first == "nno" {
            ScriptKind::Core {
                service: middle.join("-"),
            }
        } else if let Ok(platform) = PlatformId::parse(first) {
            let (entity, feature) = if middle.len() >= 2 && is_id(middle[0]) {
                (Some(middle[0].to_owned()), middle[1..].join("-"))
            } else {
                (None, middle.join("-"))
            };
            ScriptKind::Platform {
                platform,
                entity,
                feature,
            }
        } else {
            return Err(invalid);
        };
        Ok(Self {
            name: name.to_owned(),
            kind,
            env: env.to_owned(),
        })
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// What the name says.
    pub fn kind(&self) -> &ScriptKind {
        &self.kind
    }

    /// The environment (last word), e.g. `prod`.
    pub fn env(&self) -> &str {
        &self.env
    }

    /// The feature of a platform Worker.
    pub fn feature(&self) -> Option<&str> {
        match &self.kind {
            ScriptKind::Platform { feature, .. } => Some(feature),
            ScriptKind::Core { .. } => None,
        }
    }

    /// The service of a core Worker.
    pub fn service(&self) -> Option<&str> {
        match &self.kind {
            ScriptKind::Core { service } => Some(service),
            ScriptKind::Platform { .. } => None,
        }
    }

    /// The platform of a platform Worker.
    pub fn platform(&self) -> Option<&PlatformId> {
        match &self.kind {
            ScriptKind::Platform { platform, .. } => Some(platform),
            ScriptKind::Core { .. } => None,
        }
    }

    /// The bucket the Worker's logs go to.
    pub fn bucket(&self) -> Bucket {
        match &self.kind {
            ScriptKind::Core { .. } => Bucket::Internal,
            ScriptKind::Platform { platform, .. } => Bucket::Platform(platform.clone()),
        }
    }
}

impl fmt::Display for ScriptName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// The grammar of Analytics Engine dataset names as stored: 1 to 64 bytes of
/// `[A-Za-z0-9_-]`, starting with a letter or digit (`nno-core-ops`, `k3m9p2xw7q-perf`,
/// `nno_metrics`).
pub const DATASET_GRAMMAR: &str = "1-64 bytes of [A-Za-z0-9_-], starting with a letter or digit";

/// A dataset name that is safe as a folder name.
///
/// ```
/// use nno_obs_store::layout::DatasetName;
///
/// assert_eq!(DatasetName::parse("k3m9p2xw7q-perf").unwrap().as_str(), "k3m9p2xw7q-perf");
/// for hostile in ["", "..", "-x", "a/b", "a b", "é"] {
///     assert!(DatasetName::parse(hostile).is_err());
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DatasetName(String);

impl DatasetName {
    /// Validates `name`.
    pub fn parse(name: &str) -> Result<Self, InvalidName> {
        let ok = !name.is_empty()
            && name.len() <= 64
            && name.as_bytes()[0].is_ascii_alphanumeric()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(name.to_owned()))
        } else {
            Err(InvalidName {
                what: "dataset name",
                grammar: DATASET_GRAMMAR,
            })
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `analytics-engine/{dataset}`.
    pub fn folder(&self) -> String {
        format!("{DATASETS_FOLDER}/{}", self.0)
    }
}

impl fmt::Display for DatasetName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A UTC hour: the `{DATE}/{HOUR}` folder of a points file (and of logs in the seed's layout).
///
/// ```
/// use nno_obs_store::layout::DateHour;
///
/// let hour = DateHour::of_unix_ms(1_771_756_440_123);
/// assert_eq!(hour.folder(), "2026-02-22/10");
/// assert_eq!(hour.start_ms(), 1_771_754_400_000);
/// assert_eq!(DateHour::parse_folder("2026-02-22", "10"), Some(hour));
/// assert_eq!(DateHour::parse_folder("2026-02-30", "10"), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateHour {
    /// Hours since the Unix epoch.
    hours: i64,
}

impl DateHour {
    const MS_PER_HOUR: u64 = 3_600_000;

    /// The hour holding `ms`.
    pub fn of_unix_ms(ms: u64) -> Self {
        Self {
            hours: (ms / Self::MS_PER_HOUR) as i64,
        }
    }

    /// The first millisecond of the hour.
    pub fn start_ms(&self) -> u64 {
        self.hours as u64 * Self::MS_PER_HOUR
    }

    /// The first millisecond after the hour.
    pub fn end_ms(&self) -> u64 {
        self.start_ms() + Self::MS_PER_HOUR
    }

    fn datetime(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp(self.hours.checked_mul(3600)?).ok()
    }

    /// `YYYY-MM-DD`.
    pub fn date_folder(&self) -> String {
        match self.datetime() {
            Some(t) => format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()),
            None => "9999-12-31".to_owned(),
        }
    }

    /// `HH`.
    pub fn hour_folder(&self) -> String {
        format!("{:02}", self.hours.rem_euclid(24))
    }

    /// `YYYY-MM-DD/HH`.
    pub fn folder(&self) -> String {
        format!("{}/{}", self.date_folder(), self.hour_folder())
    }

    /// Reads a `{DATE}` and `{HOUR}` folder pair; `None` unless both are exactly in the
    /// layout's form and a real date.
    pub fn parse_folder(date: &str, hour: &str) -> Option<Self> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        if date.len() != 10 || hour.len() != 2 || !hour.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let day = time::Date::parse(date, format).ok()?;
        let hour: i64 = hour.parse().ok().filter(|h| *h < 24)?;
        let midnight = day.midnight().assume_utc().unix_timestamp();
        if midnight < 0 {
            return None;
        }
        Some(Self {
            hours: midnight / 3600 + hour,
        })
    }
}

/// The key of one object in a dataset folder: `{DATE}/{HOUR}/points-{uuid}.json.gz` (or of a
/// log object in the seed's layout, `{DATE}/{HOUR}/{script}-{uuid}.json.gz`, which readers
/// still accept and nothing writes any more).
///
/// ```
/// use nno_obs_store::layout::{DateHour, ObjectKey};
///
/// let key = ObjectKey::new(
///     DateHour::of_unix_ms(1_771_756_440_123),
///     "k3m9p2xw7q-auth-prod",
///     "0f8fad5b-d9cb-469f-a165-70867728950e",
/// );
/// assert_eq!(
///     key.closed(),
///     "2026-02-22/10/k3m9p2xw7q-auth-prod-0f8fad5b-d9cb-469f-a165-70867728950e.json.gz"
/// );
/// assert_eq!(key.index(), format!("{}.idx", key.closed()));
/// assert_eq!(key.columns(), format!("{}.cols", key.closed()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObjectKey {
    hour: DateHour,
    stem: String,
}

impl ObjectKey {
    /// A key for `{stem}-{uuid}` in `hour`'s folder. `stem` is a [`ScriptName`]'s text or
    /// [`POINTS_STEM`]; `uuid` a hyphenated UUID — both validated by their callers' types.
    pub fn new(hour: DateHour, stem: &str, uuid: &str) -> Self {
        Self {
            hour,
            stem: format!("{stem}-{uuid}"),
        }
    }

    /// The hour folder.
    pub fn hour(&self) -> DateHour {
        self.hour
    }

    /// The key of the file while it is written: `….json`.
    pub fn open(&self) -> String {
        format!("{}/{}{OPEN_SUFFIX}", self.hour.folder(), self.stem)
    }

    /// The key of the rotated file: `….json.gz`.
    pub fn closed(&self) -> String {
        format!("{}/{}{CLOSED_SUFFIX}", self.hour.folder(), self.stem)
    }

    /// The key of the rotated file's index: `….json.gz.idx`.
    pub fn index(&self) -> String {
        format!("{}{INDEX_SUFFIX}", self.closed())
    }

    /// Whether this is a points file (`points-{uuid}`; script names never start with
    /// `points-`, see [`ScriptName`]).
    pub fn is_points(&self) -> bool {
        self.stem
            .strip_prefix(POINTS_STEM)
            .is_some_and(|rest| rest.starts_with('-'))
    }

    /// The key of a rotated points file's columnar sidecar: `….json.gz.cols`.
    pub fn columns(&self) -> String {
        format!("{}{COLUMNS_SUFFIX}", self.closed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_names_follow_the_grammar() {
        let auth = ScriptName::parse("k3m9p2xw7q-auth-prod").unwrap();
        assert_eq!(
            auth.kind(),
            &ScriptKind::Platform {
                platform: PlatformId::parse("k3m9p2xw7q").unwrap(),
                entity: None,
                feature: "auth".into()
            }
        );
        let feature = ScriptName::parse("k3m9p2xw7q-r8n4t6y1z5-data-export-staging").unwrap();
        assert_eq!(feature.feature(), Some("data-export"));
        assert_eq!(feature.env(), "staging");
        assert_eq!(
            ScriptName::parse("nno-registry-prod").unwrap().service(),
            Some("registry")
        );
        for bad in [
            "",
            "nno-prod",
            "nno--registry-prod",
            "NNO-registry-prod",
            "k3m9p2xw7q-prod",
            "abc-analytics-prod",
            "nno-registry-prod-",
            "nno-reg/istry-prod",
            "nno-registry-prod\n",
            &format!("nno-{}-prod", "a".repeat(60)),
        ] {
            assert!(ScriptName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn hours_and_folders() {
        let hour = DateHour::of_unix_ms(0);
        assert_eq!(hour.folder(), "1970-01-01/00");
        let late = DateHour::of_unix_ms(1_771_804_799_999);
        assert_eq!(late.folder(), "2026-02-22/23");
        assert_eq!(late.end_ms(), 1_771_804_800_000);
        assert_eq!(DateHour::parse_folder("2026-02-22", "24"), None);
        assert_eq!(DateHour::parse_folder("2026-2-22", "01"), None);
        assert_eq!(DateHour::parse_folder("..", "01"), None);
    }
}
