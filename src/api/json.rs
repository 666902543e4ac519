//! Answers written straight to JSON text (see [`super::Handler::Writes`]), and the
//! serializers for the contract's habit of sending numbers as strings.

use crate::error::{ApiResult, Failure};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// `items` as a JSON list, written without building a `Value` per item.
pub fn list<T: Serialize>(items: impl Iterator<Item = T>) -> ApiResult<Box<RawValue>> {
    text(&items.collect::<Vec<T>>())
}

pub fn text<T: Serialize + ?Sized>(value: &T) -> ApiResult<Box<RawValue>> {
    serde_json::value::to_raw_value(value).map_err(|err| {
        tracing::error!(error = %err, "answer not serializable");
        Failure::InternalError.into()
    })
}

/// A number as a JSON string: `7` -> `"7"`.
pub fn number_text<S: Serializer>(number: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(number)
}

/// A number as a JSON string, or `null`.
pub fn number_text_or_null<S: Serializer>(number: &Option<i64>, serializer: S) -> Result<S::Ok, S::Error> {
    match number {
        Some(number) => serializer.collect_str(number),
        None => serializer.serialize_none(),
    }
}
