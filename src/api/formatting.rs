//! The chat markup as a service: `text-formatting-to-html` and `clear-text-formatting`.

use super::Call;
use crate::domain::markup;
use crate::error::ApiResult;
use serde_json::{json, Value};

const MESSAGE_MAX: usize = 65_536;

pub fn text_formatting_to_html(call: &mut Call) -> ApiResult<Value> {
    Ok(json!(markup::to_html(&call.args.required_text("message", MESSAGE_MAX)?)))
}

pub fn clear_text_formatting(call: &mut Call) -> ApiResult<Value> {
    Ok(json!(markup::to_plain(&call.args.required_text("message", MESSAGE_MAX)?)))
}

/// `sb` is the key existing clients read the product version from.
pub fn get_versions(_call: &mut Call) -> ApiResult<Value> {
    Ok(json!({ "sb": env!("CARGO_PKG_VERSION"), "switchboard": env!("CARGO_PKG_VERSION") }))
}
