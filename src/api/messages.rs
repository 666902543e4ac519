//! Messages: sending (with its email notifications), editing, deleting, marking
//! read, and direct messages (chat, and email when they have a subject).

use super::conversations::status_arg;
use super::events;
use super::users::{profile_image_url, required_after};
use super::{json, Call};
use crate::db::conversations::{self, NewConversation};
use crate::db::doorway::Db;
use crate::db::messages::{self, MessageRow, NewMessage};
use crate::db::{typing, users};
use crate::domain::ConversationStatus;
use crate::error::{ApiResult, Failure, Outcome};
use crate::notifications::{self, About};
use crate::state::AppState;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

pub(crate) const MESSAGE_MAX: usize = 65_536;

/// A message as the contract shows it, with its sender's name and picture.
#[derive(serde::Serialize)]
pub(super) struct MessageJson<'a> {
    #[serde(serialize_with = "json::number_text")]
    id: i64,
    #[serde(serialize_with = "json::number_text")]
    user_id: i64,
    message: &'a str,
    creation_time: &'a str,
    attachments: &'a str,
    #[serde(serialize_with = "json::number_text")]
    status_code: i64,
    payload: &'a str,
    #[serde(serialize_with = "json::number_text")]
    conversation_id: i64,
    first_name: &'a str,
    last_name: &'a str,
    profile_image: String,
    user_type: &'static str,
}

impl<'a> MessageJson<'a> {
    pub(super) fn new(state: &AppState, row: &'a MessageRow) -> Self {
        Self {
            id: row.id,
            user_id: row.user_id,
            message: &row.message,
            creation_time: &row.creation_time,
            attachments: &row.attachments,
            status_code: row.status_code,
            payload: &row.payload,
            conversation_id: row.conversation_id,
            first_name: &row.first_name,
            last_name: &row.last_name,
            profile_image: profile_image_url(state, row.profile_image.as_deref()),
            user_type: row.user_type.as_str(),
        }
    }
}

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

/// What a sent message does to its conversation's status.
pub(crate) enum StatusChange {
    /// The usual flow: a reply from staff or the bot waits for the user, a user's waits for an agent.
    Automatic,
    Keep,
    To(ConversationStatus),
}

/// A message on its way into a conversation, as `send-message` takes it.
pub(crate) struct Outgoing {
    pub user_id: i64,
    pub conversation_id: i64,
    pub message: String,
    /// As stored: `[["name", "link"], …]` JSON from [`attachments_arg`], or empty.
    pub attachments: String,
    pub payload: String,
    pub status: StatusChange,
}

/// Sends a message: the one path for `send-message` and the admin area's reply box.
/// In one transaction it stores the message, sets the status, clears the sender's
/// typing, fires the webhooks and queues the email notifications; then it wakes
/// the outbox. Answers the message ID and what was queued (`["email"]` or `[]`).
pub(crate) fn send(db: &mut Db, state: &AppState, out: Outgoing, now: String) -> ApiResult<(i64, Vec<&'static str>)> {
    if out.message.trim().is_empty() && out.attachments.is_empty() {
        return Err(Failure::invalid("message", "send a message text, attachments, or both").into());
    }
    if out.message.chars().count() > MESSAGE_MAX {
        return Err(Failure::invalid("message", format!("longer than {MESSAGE_MAX} characters")).into());
    }
    let (user_id, conversation_id) = (out.user_id, out.conversation_id);
    let shared = state.clone();
    let sent = db.write(move |tx| -> ApiResult<_> {
        let sender = users::find(tx, user_id)?.ok_or(Outcome::UserNotFound)?;
        let before = conversations::find(tx, conversation_id)?.ok_or(Outcome::ConversationNotFound)?;
        let was_empty = !messages::any_in_conversation(tx, conversation_id)?;
        let id = messages::insert(
            tx,
            &NewMessage {
                conversation_id,
                user_id,
                message: &out.message,
                attachments: &out.attachments,
                payload: &out.payload,
                now: &now,
            },
        )?;
        let automatic = if sender.user_type.is_agent() || sender.user_type == crate::domain::UserType::Bot {
            ConversationStatus::WaitingForUser
        } else {
            ConversationStatus::WaitingForAgent
        };
        let status = match out.status {
            StatusChange::Automatic => Some(automatic),
            StatusChange::Keep => None,
            StatusChange::To(status) => Some(status),
        };
        if let Some(status) = status {
            conversations::set_status(tx, conversation_id, status)?;
        }
        users::touch(tx, user_id, &now)?;
        typing::clear(tx, user_id)?;
        let status_now = status.map_or(before.status_code, |s| s.code());
        events::message_sent(tx, &shared, &before, was_empty, id, status_now)?;
        let about = About {
            sender_name: notifications::full_name(&sender),
            message: &out.message,
            attachments: &out.attachments,
            conversation_id: Some(conversation_id),
        };
        Ok((id, notifications::on_message(tx, &shared, &sender, &about, &now)?))
    })?;
    state.background.wake();
    Ok(sent)
}

pub fn update_message(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("message_id")?;
    let message = call.args.text_max("message", MESSAGE_MAX)?;
    let attachments = attachments_arg(call)?;
    let payload = payload_arg(call)?;
    let changed = call.write(move |tx| {
        Ok(messages::update(tx, id, message.as_deref(), attachments.as_deref(), payload.as_deref())?)
    })?;
    if changed {
        Ok(json!(true))
    } else {
        Err(Outcome::MessageNotFound.into())
    }
}

pub fn delete_message(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("message_id")?;
    let state = call.state.clone();
    let deleted = call.write(move |tx| {
        let Some(message) = messages::find(tx, id)? else { return Ok(false) };
        messages::delete(tx, id)?;
        events::message_deleted(tx, &state, &message)?;
        Ok(true)
    })?;
    call.state.background.wake();
    if deleted {
        Ok(json!(true))
    } else {
        Err(Outcome::MessageNotFound.into())
    }
}

pub fn update_messages_status(call: &mut Call) -> ApiResult<Value> {
    let ids = call.args.id_list("message_ids")?.ok_or(Failure::MissingArgument("message_ids"))?;
    call.write(move |tx| Ok(messages::mark_read(tx, &ids)?))?;
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
/// titled with `subject`. With a `subject`, each user that has an email also gets
/// the message by email (subject and message may use the template placeholders).
/// All users must exist, or nothing is sent.
pub fn direct_message(call: &mut Call) -> ApiResult<Value> {
    let ids = call.args.id_list("user_ids")?.ok_or(Failure::MissingArgument("user_ids"))?;
    let message = call.args.required_text("message", MESSAGE_MAX)?;
    if message.trim().is_empty() {
        return Err(Failure::invalid("message", "must not be empty").into());
    }
    let title = call.args.text_max("subject", 255)?.filter(|s| s != "false").unwrap_or_default();
    let (sender, now, state) = (call.caller.id, call.now(), call.state.clone());
    let sender_name = notifications::full_name(&call.caller);
    call.write(move |tx| {
        for &user_id in &ids {
            let user = users::find(tx, user_id)?.ok_or(Outcome::UserNotFound)?;
            let conversation_id = conversations::insert(
                tx,
                &NewConversation {
                    user_id,
                    title: title.clone(),
                    status: ConversationStatus::WaitingForUser,
                    department: None,
                    agent_id: Some(sender),
                    source: None,
                    extra: None,
                    now: now.clone(),
                },
            )?;
            let message_id = messages::insert(
                tx,
                &NewMessage {
                    conversation_id,
                    user_id: sender,
                    message: &message,
                    attachments: "",
                    payload: "",
                    now: &now,
                },
            )?;
            if !title.is_empty() {
                let about = About {
                    sender_name: sender_name.clone(),
                    message: &message,
                    attachments: "",
                    conversation_id: Some(conversation_id),
                };
                notifications::queue_composed(tx, &state, &user, &title, &message, &about, &now)?;
            }
            events::direct_message(tx, &state, conversation_id, message_id)?;
        }
        Ok(())
    })?;
    call.state.background.wake();
    Ok(json!(true))
}
