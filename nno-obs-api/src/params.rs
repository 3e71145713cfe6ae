//! A request's query string, read strictly: every value percent-decoded byte for byte and
//! required to be UTF-8, no parameter twice, none the route does not take, none longer than
//! [`MAX_VALUE_BYTES`] — each refusal a 400 naming the parameter.

use crate::error::ApiError;
use crate::time::{parse_duration, parse_time};
use nno_obs_query::TimeRange;
use nno_obs_store::layout::PlatformId;
use percent_encoding::percent_decode;

/// The longest value taken (a trace id, a search text, a cursor).
pub const MAX_VALUE_BYTES: usize = 4096;
/// The most parameters in one query string.
pub const MAX_PARAMS: usize = 32;
/// Metrics ranges: 1 minute to 90 days (Analytics Engine keeps 90 days, seed §9).
pub const RANGE_MIN_S: i64 = 60;
/// See [`RANGE_MIN_S`].
pub const RANGE_MAX_S: i64 = 90 * 86_400;

/// The decoded parameters of one request, consumed by the route that reads them.
///
/// ```
/// use nno_obs_api::params::Params;
///
/// let mut params = Params::parse("platformId=k3m9p2xw7q&text=a%20b+c").unwrap();
/// assert_eq!(params.take("text").as_deref(), Some("a b c"));
/// assert_eq!(params.finish().unwrap_err().message(), "platformId: not a parameter of this route");
/// assert_eq!(Params::parse("a=1&a=2").unwrap_err().message(), "a: given more than once");
/// assert_eq!(Params::parse("text=%FF").unwrap_err().message(), "text: not UTF-8");
/// ```
#[derive(Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Decodes `query` (the part after `?`, without it).
    pub fn parse(query: &str) -> Result<Self, ApiError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for part in query.split('&').filter(|p| !p.is_empty()) {
            let (raw_key, raw_value) = part.split_once('=').unwrap_or((part, ""));
            let key = decode(raw_key).ok_or_else(|| {
                ApiError::bad_param("query string", "a parameter name is not UTF-8")
            })?;
            let value =
                decode(raw_value).ok_or_else(|| ApiError::bad_param(&shown(&key), "not UTF-8"))?;
            if value.len() > MAX_VALUE_BYTES {
                return Err(ApiError::bad_param(
                    &shown(&key),
                    format!("longer than {MAX_VALUE_BYTES} bytes"),
                ));
            }
            if pairs.iter().any(|(k, _)| *k == key) {
                return Err(ApiError::bad_param(&shown(&key), "given more than once"));
            }
            pairs.push((key, value));
            if pairs.len() > MAX_PARAMS {
                return Err(ApiError::bad_param("query string", "too many parameters"));
            }
        }
        Ok(Self { pairs })
    }

    /// Takes `name`'s value (an empty value counts as given).
    pub fn take(&mut self, name: &str) -> Option<String> {
        let at = self.pairs.iter().position(|(k, _)| k == name)?;
        Some(self.pairs.remove(at).1)
    }

    /// Takes `name`'s value, refusing an empty one.
    pub fn take_nonempty(&mut self, name: &str) -> Result<Option<String>, ApiError> {
        match self.take(name) {
            Some(value) if value.is_empty() => Err(ApiError::bad_param(name, "is empty")),
            other => Ok(other),
        }
    }

    /// `platformId`, validated, if given.
    pub fn platform_id(&mut self) -> Result<Option<PlatformId>, ApiError> {
        self.take("platformId")
            .map(|text| {
                PlatformId::parse(&text).map_err(|_| {
                    ApiError::bad_param("platformId", "expected 10 characters [a-z0-9]")
                })
            })
            .transpose()
    }

    /// `platformId`, required.
    pub fn required_platform_id(&mut self) -> Result<PlatformId, ApiError> {
        self.platform_id()?
            .ok_or_else(|| ApiError::bad_param("platformId", "required"))
    }

    /// The metrics range: `range` (default `default`) ending at `until` (default `now_ms`),
    /// `[until − range, until)` in whole seconds.
    pub fn metrics_range(&mut self, default: &str, now_ms: u64) -> Result<TimeRange, ApiError> {
        let length = self.take("range");
        let length = parse_duration(
            "range",
            length.as_deref().unwrap_or(default),
            RANGE_MIN_S,
            RANGE_MAX_S,
        )?;
        let until_s = self.until_s(now_ms)?;
        TimeRange::new(until_s - length, until_s)
            .map_err(|_| ApiError::bad_param("until", "the range would start before 1970"))
    }

    /// `until` in whole seconds (default: `now_ms`, cut to the second).
    pub fn until_s(&mut self, now_ms: u64) -> Result<i64, ApiError> {
        let ms = match self.take("until") {
            Some(text) => parse_time("until", &text)?,
            None => now_ms,
        };
        i64::try_from(ms / 1000).map_err(|_| ApiError::bad_param("until", "out of range"))
    }

    /// A whole number between `min` and `max` (default `default`).
    pub fn number(
        &mut self,
        name: &str,
        min: u64,
        max: u64,
        default: u64,
    ) -> Result<u64, ApiError> {
        let Some(text) = self.take(name) else {
            return Ok(default);
        };
        let n: u64 = text.parse().map_err(|_| {
            ApiError::bad_param(name, format!("expected a whole number from {min} to {max}"))
        })?;
        if n < min || n > max {
            return Err(ApiError::bad_param(
                name,
                format!("must be from {min} to {max}"),
            ));
        }
        Ok(n)
    }

    /// Refuses whatever the route did not take.
    pub fn finish(self) -> Result<(), ApiError> {
        match self.pairs.first() {
            Some((key, _)) => Err(ApiError::bad_param(
                &shown(key),
                "not a parameter of this route",
            )),
            None => Ok(()),
        }
    }
}

fn decode(raw: &str) -> Option<String> {
    // `+` is a space in a form-encoded query string; `%2B` is a plus.
    let spaced = raw.replace('+', " ");
    percent_decode(spaced.as_bytes())
        .decode_utf8()
        .ok()
        .map(|text| text.into_owned())
}

/// A parameter name fit for a message: at most 40 characters, controls escaped.
fn shown(key: &str) -> String {
    let mut out: String = key
        .chars()
        .take(40)
        .flat_map(char::escape_default)
        .collect();
    if key.chars().count() > 40 {
        out.push('…');
    }
    out
}
