//! The webhooks that API calls and jobs fire, with the data each carries (the
//! contract's "Webhooks" section, plus a few fields it lacks, named in the README).
//! Each function runs inside the transaction of the change it reports, through
//! [`webhooks::fire`]; whoever commits that transaction wakes the outbox.
//!
//! A conversation's webhooks share its ordering key, so they arrive in the order
//! they happened. `rich-message` is never fired: nothing here submits rich messages.

use super::webhooks::{self, conversation_key};
use crate::contract::profile_image_url;
use crate::contract::DetailsJson;
use crate::contract::MessageJson;
use crate::db::conversations::{self, ConversationRow};
use crate::db::messages::{self, MessageRow};
use crate::db::users::{self, UserRow};
use crate::domain::{ConversationStatus, UserType};
use crate::state::AppState;
use rusqlite::Connection;
use serde_json::{json, Map, Value};

/// Whether `user_type` is the customer's side of a conversation (not staff, not the bot).
fn customer(user_type: UserType) -> bool {
    !user_type.is_agent() && user_type != UserType::Bot
}

/// A message was just sent into `before` (the conversation as it was), which now
/// has `status`. Fires, in this order: `new-conversation-received` (the customer's
/// first message of a conversation reaches the agents), `message-sent`,
/// `new-messages-received` (a customer's message reaches the agents) and
/// `conversation-status-updated` (when the status changed).
pub fn message_sent(
    tx: &Connection,
    state: &AppState,
    before: &ConversationRow,
    was_empty: bool,
    message_id: i64,
    status: i64,
) -> rusqlite::Result<()> {
    let Some(message) = messages::find(tx, message_id)? else { return Ok(()) };
    let key = conversation_key(before.id);
    let from_customer = customer(message.user_type);
    if from_customer && was_empty {
        if let Some(conversation) = conversations::find(tx, before.id)? {
            let data = json!({ "details": DetailsJson::new(state, &conversation) });
            webhooks::fire(tx, state, "new-conversation-received", data, Some(&key))?;
        }
    }
    webhooks::fire(tx, state, "message-sent", message_sent_data(&message, before.user_id, status), Some(&key))?;
    if from_customer {
        let data = json!([{ "details": MessageJson::new(state, &message) }]);
        webhooks::fire(tx, state, "new-messages-received", data, Some(&key))?;
    }
    if status != before.status_code {
        status_updated(tx, state, before.id, status)?;
    }
    Ok(())
}

fn message_sent_data(message: &MessageRow, conversation_user_id: i64, status: i64) -> Value {
    json!({
        "user_id": message.user_id.to_string(),
        "conversation_user_id": conversation_user_id.to_string(),
        "conversation_id": message.conversation_id.to_string(),
        "conversation_status": status.to_string(),
        "message_id": message.id.to_string(),
        "message": message.message,
        "attachments": message.attachments,
    })
}

/// A `direct-message`: the conversation it opened, then the message.
pub fn direct_message(
    tx: &Connection,
    state: &AppState,
    conversation_id: i64,
    message_id: i64,
) -> rusqlite::Result<()> {
    conversation_created(tx, state, conversation_id)?;
    let Some(message) = messages::find(tx, message_id)? else { return Ok(()) };
    let Some(conversation) = conversations::find(tx, conversation_id)? else { return Ok(()) };
    let data = message_sent_data(&message, conversation.user_id, conversation.status_code);
    webhooks::fire(tx, state, "message-sent", data, Some(&conversation_key(conversation_id)))?;
    Ok(())
}

/// `new-conversation-created`: a conversation was created.
pub fn conversation_created(tx: &Connection, state: &AppState, conversation_id: i64) -> rusqlite::Result<()> {
    let Some(conversation) = conversations::find(tx, conversation_id)? else { return Ok(()) };
    let data = json!({ "details": DetailsJson::new(state, &conversation) });
    webhooks::fire(tx, state, "new-conversation-created", data, Some(&conversation_key(conversation_id)))?;
    Ok(())
}

/// `conversation-status-updated`: the conversation's status changed to `status`.
pub fn status_updated(tx: &Connection, state: &AppState, conversation_id: i64, status: i64) -> rusqlite::Result<()> {
    let data = json!({ "conversation_id": conversation_id.to_string(), "status_code": status.to_string() });
    webhooks::fire(tx, state, "conversation-status-updated", data, Some(&conversation_key(conversation_id)))?;
    Ok(())
}

/// `message-deleted`: the data is the message ID.
pub fn message_deleted(tx: &Connection, state: &AppState, message: &MessageRow) -> rusqlite::Result<()> {
    let key = conversation_key(message.conversation_id);
    webhooks::fire(tx, state, "message-deleted", json!(message.id.to_string()), Some(&key))?;
    Ok(())
}

/// `user-deleted`, once for each user: the data is the user ID.
pub fn users_deleted(tx: &Connection, state: &AppState, ids: &[i64]) -> rusqlite::Result<()> {
    for id in ids {
        webhooks::fire(tx, state, "user-deleted", json!(id.to_string()), None)?;
    }
    Ok(())
}

/// `login`: the user as `login` answers it. The token is sent only for customers:
/// an agent's or an admin's token opens the admin API, and never leaves in a webhook.
pub fn login(tx: &Connection, state: &AppState, user: &UserRow) -> rusqlite::Result<()> {
    let mut details = json!({
        "id": user.id.to_string(),
        "profile_image": profile_image_url(state, user.profile_image.as_deref()),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "user_type": user.user_type.as_str(),
    });
    if customer(user.user_type) {
        details["token"] = json!(state.key.api_token(&user.token_nonce));
    }
    webhooks::fire(tx, state, "login", json!({ "details": details }), None)?;
    Ok(())
}

/// `registration`: a customer account of type `user` came to be. The contract's
/// `[value, label]` pairs, with the user's ID added; passwords are never sent.
pub fn registration(tx: &Connection, state: &AppState, user_id: i64) -> rusqlite::Result<()> {
    let Some(user) = users::find(tx, user_id)? else { return Ok(()) };
    let image = profile_image_url(state, user.profile_image.as_deref());
    let profile = json!({
        "id": [user.id.to_string(), "ID"],
        "profile_image": [image, "Profile image"],
        "first_name": [user.first_name, "First name"],
        "last_name": [user.last_name, "Last name"],
        "email": [user.email.unwrap_or_default(), "Email"],
        "user_type": [user.user_type.as_str(), ""],
    });
    let extra: Map<String, Value> =
        users::details(tx, user_id)?.into_iter().map(|d| (d.slug, json!([d.value, d.name]))).collect();
    webhooks::fire(tx, state, "registration", json!({ "user": profile, "extra": extra }), None)?;
    Ok(())
}

/// What happened to a user in an update, for `registration` and `new-email-address`.
pub fn user_updated(tx: &Connection, state: &AppState, before: &UserRow) -> rusqlite::Result<()> {
    let Some(after) = users::find(tx, before.id)? else { return Ok(()) };
    let registered =
        matches!(before.user_type, UserType::Visitor | UserType::Lead) && after.user_type == UserType::User;
    if registered {
        registration(tx, state, after.id)?;
    }
    if let (None, Some(email)) = (&before.email, &after.email) {
        let name = crate::domain::people::full_name(&after.first_name, &after.last_name);
        let data = json!({ "name": name, "email": email, "user_id": after.id.to_string() });
        webhooks::fire(tx, state, "new-email-address", data, None)?;
    }
    Ok(())
}

/// `conversation-status-updated` for each conversation clean-data archived.
pub fn archived(tx: &Connection, state: &AppState, conversation_ids: &[i64]) -> rusqlite::Result<()> {
    for &id in conversation_ids {
        status_updated(tx, state, id, ConversationStatus::Archive.code())?;
    }
    Ok(())
}
