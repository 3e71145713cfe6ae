//! Extra fields of a log line: keys and values that are written straight into the line's
//! buffer, without building a map.

use serde::Serialize;

/// A value that can be written into a log line.
///
/// Implemented for every `Serialize` type: strings, integers, floats (NaN and the infinities
/// become `null`), bools, `Option` (`None` is `null`), collections and your own
/// `#[derive(Serialize)]` types. A value whose serialization fails (a map with non-string
/// keys, a `Serialize` impl that errors) is written as `null` and counted in
/// [`Stats::field_errors`](crate::Stats).
pub trait FieldValue {
    /// Appends the value as JSON; returns `false` (and appends nothing) if it cannot be written.
    fn write_json(&self, out: &mut Vec<u8>) -> bool;
}

impl<T: Serialize + ?Sized> FieldValue for T {
    #[inline]
    fn write_json(&self, out: &mut Vec<u8>) -> bool {
        crate::json::write_value(out, self)
    }
}

/// One extra field of a log line: a key and a borrowed value.
///
/// Usually built by [`fields!`](crate::fields).
///
/// ```
/// use nno_obs::Field;
///
/// let job_id = "job-1";
/// let fields = [Field { key: "jobId", value: &job_id }, Field { key: "count", value: &3 }];
/// assert_eq!(fields[0].key, "jobId");
/// ```
#[derive(Clone, Copy)]
pub struct Field<'a> {
    /// The key, written as given (callers choose camelCase, as the seed does).
    pub key: &'a str,
    /// The value.
    pub value: &'a dyn FieldValue,
}

impl std::fmt::Debug for Field<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut json = Vec::new();
        let shown = if self.value.write_json(&mut json) {
            String::from_utf8_lossy(&json).into_owned()
        } else {
            "<unserializable>".to_owned()
        };
        f.debug_struct("Field")
            .field("key", &self.key)
            .field("value", &format_args!("{shown}"))
            .finish()
    }
}

/// Builds the extra fields of a log line without allocating: `fields! { jobId: id, count: 3 }`.
///
/// Keys are identifiers (written as spelled) or string literals; `name` alone is short for
/// `name: name`. Values are borrowed, never cloned, and may be any [`FieldValue`].
///
/// ```
/// use nno_obs::{fields, Field};
///
/// let job_id = String::from("job-1");
/// let rows: Option<u32> = None;
/// let fields: &[Field<'_>] = fields! { jobId: job_id, "featureId": "analytics", rows, ok: true };
/// assert_eq!(fields.len(), 4);
/// assert_eq!(fields[2].key, "rows");
/// let none: &[Field<'_>] = fields! {};
/// assert!(none.is_empty());
/// ```
#[macro_export]
macro_rules! fields {
    () => {
        (&[] as &[$crate::Field<'_>])
    };
    ($($key:tt $(: $value:expr)?),+ $(,)?) => {
        &[$($crate::__field!($key $(: $value)?)),+]
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __field {
    ($key:ident : $value:expr) => {
        $crate::Field {
            key: ::core::stringify!($key),
            value: &$value,
        }
    };
    ($key:literal : $value:expr) => {
        $crate::Field {
            key: $key,
            value: &$value,
        }
    };
    ($key:ident) => {
        $crate::Field {
            key: ::core::stringify!($key),
            value: &$key,
        }
    };
}
