//! Messages: sending (with its email notifications), editing, deleting, marking
//! read, and direct messages (chat, and email when they have a subject).

use super::conversations::status_arg;
use super::users::required_after;
use super::{json, Call};
use crate::contract::profile_image_url;
use crate::contract::MessageJson;
use crate::db::conversations;
use crate::db::messages;
use crate::error::{ApiResult, Failure};
use crate::ops;
use crate::ops::direct_messages::{self, DirectMessage};
use crate::ops::messages::{send, Edit, Outgoing, StatusChange, MESSAGE_MAX};
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

/// `[["name", "https://…"], …]` validated and stored as compact JSON, or `""` for none.
pub(super) fn attachments_arg(call: &Call) -> ApiResult<Option<String>> {
    let Some(value) = call.args.json("attachments")? else { return Ok(None) };
    let invalid = || Failure::invalid("attachments", "expected [[\"name\", \"https://link\"], …]");
    let Value::Array(items) = value else { return Err(invalid().into()) };
    if items.is_empty() {
        return Ok(Some(String::new()));
    }
    if items.len() > 100 {
        return Err(Failure::invalid("attachments", "more than 100 attachments").into());
    }
    let mut clean = Vec::with_capacity(items.len());
    for item in items {
        let (Some(name), Some(link)) = (item.get(0).and_then(Value::as_str), item.get(1).and_then(Value::as_str))
        else {
            return Err(invalid().into());
        };
        let web_link = url::Url::parse(link).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if name.is_empty() || name.chars().count() > 255 || !web_link || link.len() > 2048 {
            return Err(invalid().into());
        }
        clean.push(json!([name, link]));
    }
    Ok(Some(Value::Array(clean).to_string()))
}

fn payload_arg(call: &Call) -> ApiResult<Option<String>> {
    let payload = call.args.json("payload")?.map(|p| p.to_string());
    if payload.as_ref().is_some_and(|p| p.len() > MESSAGE_MAX) {
        return Err(Failure::invalid("payload", format!("larger than {MESSAGE_MAX} bytes")).into());
    }
    Ok(payload)
}

pub fn get_new_messages(call: &mut Call) -> ApiResult<Box<RawValue>> {
    let conversation_id = call.args.required_id("conversation_id")?;
    let user_id = call.args.id("user_id")?;
    let after = required_after(call)?;
    match conversations::find(call.db.conn()?, conversation_id)? {
        Some(conversation) if user_id.is_none_or(|u| u == conversation.user_id) => {
            let rows = messages::of_conversation_after(call.db.conn()?, conversation_id, &after)?;
            json::list(rows.iter().map(|row| MessageJson::new(call.state, row)))
        }
        _ => json::text(&json!([])),
    }
}

/// `conversation_status_code`: a code, `skip` to leave the status alone, or absent
/// for the usual flow: an agent's reply waits for the user, a user's for an agent.
pub fn send_message(call: &mut Call) -> ApiResult<Value> {
    let user_id = call.args.required_id("user_id")?;
    let conversation_id = call.args.required_id("conversation_id")?;
    let message = call.args.text_max("message", MESSAGE_MAX)?.unwrap_or_default();
    let attachments = attachments_arg(call)?.unwrap_or_default();
    let payload = payload_arg(call)?.unwrap_or_default();
    let skip_status = call.args.text("conversation_status_code")?.is_some_and(|s| s.trim() == "skip");
    let status = if skip_status {
        StatusChange::Keep
    } else {
        status_arg(call, "conversation_status_code")?.map_or(StatusChange::Automatic, StatusChange::To)
    };
    let outgoing = Outgoing { user_id, conversation_id, message, attachments, payload, status };
    let now = call.now();
    let (id, notifications) = send(call.db, call.state, outgoing, now)?;
    Ok(json!({ "status": "success", "message-id": id, "queue": false, "notifications": notifications }))
}

pub fn update_message(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("message_id")?;
    let message = call.args.text_max("message", MESSAGE_MAX)?;
    let attachments = attachments_arg(call)?;
    let payload = payload_arg(call)?;
    ops::messages::update(call.db, call.state, id, Edit { message, attachments, payload })?;
    Ok(json!(true))
}

pub fn delete_message(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("message_id")?;
    ops::messages::delete(call.db, call.state, id)?;
    Ok(json!(true))
}

pub fn update_messages_status(call: &mut Call) -> ApiResult<Value> {
    let ids = call.args.id_list("message_ids")?.ok_or(Failure::MissingArgument("message_ids"))?;
    ops::reading::messages(call.db, call.state, ids)?;
    Ok(json!(true))
}

pub fn get_agents_in_conversation(call: &mut Call) -> ApiResult<Value> {
    let ids = call.args.id_list("conversation_id")?.ok_or(Failure::MissingArgument("conversation_id"))?;
    let mut result = Map::new();
    for id in ids {
        let agents: Vec<Value> = messages::agents_in_conversation(call.db.conn()?, id)?
            .into_iter()
            .map(|agent| {
                json!({
                    "id": agent.id,
                    "first_name": agent.first_name,
                    "last_name": agent.last_name,
                    "profile_image": profile_image_url(call.state, agent.profile_image.as_deref()),
                    "conversation_id": id,
                })
            })
            .collect();
        result.insert(id.to_string(), Value::Array(agents));
    }
    Ok(Value::Object(result))
}

/// A chat message from the calling admin to each user, each in a new conversation
/// titled with `subject`; with a `subject`, users with an email get it by email
/// too. All users must exist, or nothing is sent.
pub fn direct_message(call: &mut Call) -> ApiResult<Value> {
    let user_ids = call.args.id_list("user_ids")?.ok_or(Failure::MissingArgument("user_ids"))?;
    let message = call.args.required_text("message", MESSAGE_MAX)?;
    if message.trim().is_empty() {
        return Err(Failure::invalid("message", "must not be empty").into());
    }
    let subject = call.args.text_max("subject", 255)?.filter(|s| s != "false").unwrap_or_default();
    let direct = DirectMessage { sender: call.caller.clone(), user_ids, message, subject };
    let now = call.now();
    direct_messages::send(call.db, call.state, direct, now)?;
    Ok(json!(true))
}
