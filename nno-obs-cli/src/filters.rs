//! The search filters of the command line, turned into a typed [`LogQuery`].

use clap::Args;
use nno_obs_logs::{Level, LogQuery};
use nno_obs_store::layout::PlatformId;

/// Every filter of `nno-obs logs search` (the Logs tab's search of seed §7.3); they combine.
#[derive(Args, Clone, Debug, Default)]
pub struct Filters {
    /// Entries of the DURATION before --until (default: now), e.g. 90s, 15m, 24h, 7d.
    #[arg(long, value_name = "DURATION", conflicts_with = "from")]
    pub since: Option<String>,
    /// Entries at or after this time (RFC 3339 e.g. 2026-02-22T10:00:00Z, a date 2026-02-22,
    /// now or now-2h).
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Entries before this time (as --from).
    #[arg(long = "until", alias = "to", value_name = "TIME")]
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
        let to_ms = self.to.as_deref().map(parse_time).transpose()?;
        // --since reaches back from the range's end: --until when given (as for `query`,
        // `slo status` and `alerts replay`), else now.
        let from_ms = match (&self.since, &self.from) {
            (Some(since), _) => Some(to_ms.unwrap_or(now).saturating_sub(parse_duration(since)?)),
            (None, Some(from)) => Some(parse_time(from)?),
            (None, None) => None,
        };
        let min_level = self
            .level
            .as_deref()
            .map(|l| l.parse::<Level>().map_err(|e| format!("--level: {e}")))
            .transpose()?;
        if let (Some(from), Some(to)) = (from_ms, to_ms) {
            if from >= to {
                return Err(
                    "the range is empty: --from (or --since) must be before --until".into(),
                );
            }
        }
        let nonempty = |flag: &str, value: &Option<String>| match value {
            Some(v) if v.is_empty() => Err(format!("{flag} is empty")),
            _ => Ok(()),
        };
        nonempty("--trace-id", &self.trace_id)?;
        nonempty("--user-id", &self.user_id)?;
        nonempty("--text", &self.text)?;
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

/// Milliseconds of a time as people type it: RFC 3339 (`2026-02-22T10:00:00Z`, any offset),
/// a date (`2026-02-22`, its midnight UTC), `now`, or `now-DURATION` (`now-2h`, `now-1h30m`).
pub fn parse_time(text: &str) -> Result<u64, String> {
    let bad = || {
        format!(
            "{text:?} is not a time: give RFC 3339 (2026-02-22T10:00:00Z), a date (2026-02-22), \
             now or now-2h"
        )
    };
    if let Some(ms) = nno_obs_store::entry::parse_rfc3339_ms(text) {
        return Ok(ms);
    }
    if text == "now" {
        return Ok(now_ms());
    }
    if let Some(ago) = text.strip_prefix("now-") {
        let back = parse_duration(ago).map_err(|_| bad())?;
        return now_ms().checked_sub(back).ok_or_else(bad);
    }
    // A date alone: its midnight, UTC.
    let date = nno_obs_store::time::parse_datetime(&format!("{text} 00:00:00")).ok_or_else(bad)?;
    u64::try_from(date).map(|s| s * 1000).map_err(|_| bad())
}

/// Now, in milliseconds.
pub fn now_ms() -> u64 {
    nno_obs::clock::now_ms()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_as_people_type_them() {
        assert_eq!(parse_time("2026-02-22T10:34:00Z"), Ok(1_771_756_440_000));
        assert_eq!(
            parse_time("2026-02-22T11:34:00+01:00"),
            Ok(1_771_756_440_000)
        );
        assert_eq!(parse_time("2026-02-22"), Ok(1_771_718_400_000));
        let now = now_ms();
        let two_hours_ago = parse_time("now-2h").unwrap();
        assert!((now - 7_200_000..=now_ms() - 7_200_000).contains(&two_hours_ago));
        assert!(parse_time("now").unwrap() >= now);
        for refused in [
            "yesterday",
            "now-",
            "now-0s",
            "2026-02-30",
            "10:00",
            "now+2h",
        ] {
            assert!(parse_time(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn since_reaches_back_from_until_else_from_now() {
        let query = |since: &str, until: Option<&str>| {
            Filters {
                since: Some(since.into()),
                to: until.map(Into::into),
                now: Some("2026-03-01T00:00:00Z".into()),
                ..Filters::default()
            }
            .query()
            .map(|q| (q.from_ms, q.to_ms))
        };
        let t = |text: &str| parse_time(text).ok();
        assert_eq!(
            query("2h", Some("2026-02-22T12:00:00Z")),
            Ok((t("2026-02-22T10:00:00Z"), t("2026-02-22T12:00:00Z")))
        );
        assert_eq!(query("1h", None), Ok((t("2026-02-28T23:00:00Z"), None)));
    }

    #[test]
    fn empty_ranges_and_empty_filters_are_refused() {
        let filters = |from: &str, to: &str| Filters {
            from: Some(from.into()),
            to: Some(to.into()),
            ..Filters::default()
        };
        assert!(filters("2026-02-22T11:00:00Z", "2026-02-22T10:00:00Z")
            .query()
            .is_err());
        assert!(filters("2026-02-22T10:00:00Z", "2026-02-22T10:00:00Z")
            .query()
            .is_err());
        assert!(filters("2026-02-22T10:00:00Z", "2026-02-22T11:00:00Z")
            .query()
            .is_ok());
        let empty_trace = Filters {
            trace_id: Some(String::new()),
            ..Filters::default()
        };
        assert_eq!(empty_trace.query().unwrap_err(), "--trace-id is empty");
        assert!(Filters {
            since: Some("0s".into()),
            ..Filters::default()
        }
        .query()
        .is_err());
    }
}
