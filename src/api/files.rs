//! `upload`: a file sent as the multipart field `file`, stored for attaching to
//! messages. Not in the contract (which expects files uploaded elsewhere); its
//! answer `["name", "link"]` is one entry of the contract's `attachments`.

use super::Call;
use crate::error::{ApiResult, Failure};
use crate::ops::files::{self, Upload};
use serde_json::{json, Value};

pub fn upload(call: &mut Call) -> ApiResult<Value> {
    let part = call.args.file("file").ok_or(Failure::MissingArgument("file"))?;
    let upload = Upload {
        name: part.file_name.clone().unwrap_or_default(),
        bytes: part.bytes.to_vec(),
        uploaded_by: Some(call.caller.id),
    };
    let file = files::store(call.db, call.state, upload)?;
    Ok(json!([file.name, files::url(call.state, &file)]))
}
