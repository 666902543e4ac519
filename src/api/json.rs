//! Answers written straight to JSON text (see [`super::Handler::Writes`]), and the
//! serializers for the contract's habit of sending numbers as strings.

use crate::error::{ApiResult, Failure};
use serde::Serialize;
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
