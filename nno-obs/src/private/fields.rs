//! Field values of generated lines: the type check that lands on the field, and errors
//! written through their `Display`.

use crate::fields::FieldValue;
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

/// Writes a `Display` value as a JSON string, without building a `String` first.
pub(super) struct DisplayValue<'a, E: ?Sized>(pub(super) &'a E);

impl<E: fmt::Display + ?Sized> serde::Serialize for DisplayValue<'_, E> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}
