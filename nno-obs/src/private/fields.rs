//! Field values of generated lines: the type check that lands on the field, and the fields
//! a step line adds after the user's.

use crate::fields::{Field, FieldValue};
use std::fmt;

/// The value of one `fields(...)` entry. Spanned on the user's expression, so a value that
/// cannot be logged is reported there.
#[inline(always)]
pub fn field<T: Loggable>(value: &T) -> &dyn FieldValue {
    value
}

/// Implemented for every type a field may hold: every `serde::Serialize` type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be logged as a field value",
    label = "this field's value does not implement `serde::Serialize`",
    note = "log a `Serialize` value instead (a `String`, a number, `x.to_string()`, an id), or derive `Serialize`"
)]
pub trait Loggable: FieldValue {}

impl<T: FieldValue> Loggable for T {}

/// Calls `write` with `user` followed by `extra`, copied into an uninitialised stack buffer
/// (a `Vec` only for more than 32 fields). Only the fields themselves are copied: an array
/// filled with placeholders first would write all 32 slots (1 KiB) on every line.
#[inline]
pub(super) fn with_fields<R>(
    user: &[Field<'_>],
    extra: &[Field<'_>],
    write: impl FnOnce(&[Field<'_>]) -> R,
) -> R {
    const CAPACITY: usize = 32;
    let len = user.len() + extra.len();
    if len <= CAPACITY {
        let mut buffer = arrayvec::ArrayVec::<Field<'_>, CAPACITY>::new();
        // Cannot fail: `len` fits.
        let _ = buffer.try_extend_from_slice(user);
        let _ = buffer.try_extend_from_slice(extra);
        write(&buffer)
    } else {
        let mut all = Vec::with_capacity(len);
        all.extend_from_slice(user);
        all.extend_from_slice(extra);
        write(&all)
    }
}

/// Writes a `Display` value as a JSON string, without building a `String` first.
pub(super) struct DisplayValue<'a, E: ?Sized>(pub(super) &'a E);

impl<E: fmt::Display + ?Sized> serde::Serialize for DisplayValue<'_, E> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}
