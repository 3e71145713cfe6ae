//! The search filters of the command line, turned into a typed [`LogQuery`].

use clap::Args;
use nno_obs_logs::{Level, LogQuery};
use nno_obs_store::layout::PlatformId;

/// Every filter of `nno-obs logs search` (the Logs tab's search of seed §7.3); they combine.
#[derive(Args, Clone, Debug, Default)]
pub struct Filters {
    /// Entries of the last DURATION (e.g. 90s, 15m, 24h, 7d).
    #[arg(long, value_name = "DURATION", conflicts_with = "from")]
    pub since: Option<String>,
    /// Entries at or after this time (RFC 3339, e.g. 2026-02-22T10:00:00Z).
    #[arg(long)]
    pub from: Option<String>,
    /// Entries before this time (RFC 3339).
    #[arg(long)]
    pub to: Option<String>,
    /// One platform: only its bucket (nno-logs-{ID}) of the store is opened. Not with PATHs
    /// (a folder of downloaded objects has no bucket).
    #[arg(long, value_name = "ID")]
    pub platform: Option<String>,
    /// The feature (the line's featureId, else the script name's).
    #[arg(long)]
    pub feature: Option<String>,
    /// The service: the LogEntry's service, else, for any entry of a core service's record
    /// (console text, exception, silent failure), the script name's (nno-{service}-{env}).
    #[arg(long)]
    pub service: Option<String>,
    /// The minimum level: debug < info < warn < error.
    #[arg(long)]
    pub level: Option<String>,
    /// One trace id.
    #[arg(long)]
    pub trace_id: Option<String>,
    /// One user id.
    #[arg(long)]
    pub user_id: Option<String>,
    /// Case-insensitive text in the message or a field value.
    #[arg(long)]
    pub text: Option<String>,
    /// The present, for --since (RFC 3339; default: the clock). For reproducible runs.
    #[arg(long, hide = true)]
    pub now: Option<String>,
}

impl Filters {
    /// The validated platform, if any.
    pub fn platform_id(&self) -> Result<Option<PlatformId>, String> {
        self.platform
            .as_deref()
            .map(|id| PlatformId::parse(id).map_err(|e| format!("--platform {id:?}: {e}")))
            .transpose()
    }

    /// Refuses `--platform` together with PATHs: `--platform` is a scope, the bucket
    /// `nno-logs-{ID}` of the store, and a folder of downloaded objects has no bucket. (Read
    /// as a filter on the lines' `platformId`, it would mean something else over PATHs.)
    pub fn check_paths(&self, paths: &[std::path::PathBuf]) -> Result<(), String> {
        match (&self.platform, paths.first()) {
            (Some(id), Some(path)) => Err(format!(
                "--platform {id} scopes the search to the store's bucket nno-logs-{id}, and the \
                 given PATH ({}) has no bucket: give --platform without PATHs (the store, \
                 --store DIR), or PATHs without --platform (every file given is read)",
                path.display()
            )),
            _ => Ok(()),
        }
    }

    /// The typed query.
    pub fn query(&self) -> Result<LogQuery, String> {
        let now = match &self.now {
            Some(text) => parse_time(text)?,
            None => now_ms(),
        };
        let from_ms = match (&self.since, &self.from) {
            (Some(since), _) => Some(now.saturating_sub(parse_duration(since)?)),
            (None, Some(from)) => Some(parse_time(from)?),
            (None, None) => None,
        };
        let to_ms = self.to.as_deref().map(parse_time).transpose()?;
        let min_level = self
            .level
            .as_deref()
            .map(|l| l.parse::<Level>().map_err(|e| format!("--level: {e}")))
            .transpose()?;
        Ok(LogQuery {
            from_ms,
            to_ms,
            platform: self.platform_id()?,
            feature: self.feature.clone(),
            service: self.service.clone(),
            min_level,
            trace_id: self.trace_id.clone(),
            user_id: self.user_id.clone(),
            text: self.text.clone(),
        })
    }
}

/// Milliseconds of `90s`, `15m`, `1h30m`, `24h`, `7d` (more than 0s).
pub fn parse_duration(text: &str) -> Result<u64, String> {
    nno_obs_store::time::parse_duration_s(text)
        .map(|s| s as u64 * 1000)
        .map_err(|e| format!("{text:?}: {e}"))
}

/// Milliseconds of an RFC 3339 time.
pub fn parse_time(text: &str) -> Result<u64, String> {
    nno_obs_store::entry::parse_rfc3339_ms(text)
        .ok_or_else(|| format!("{text:?} is not an RFC 3339 time like 2026-02-22T10:00:00Z"))
}

/// Now, in milliseconds.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}
