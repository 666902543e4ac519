//! Sending messages: the one path for `send-message`, the admin area's reply box
//! and every channel to come.

use super::files;
use super::notifications::{self, About};
use super::{OpsError, OpsResult, What};
use crate::db::conversations;
use crate::db::doorway::Db;
use crate::db::messages::{self, NewMessage};
use crate::db::{typing, users};
use crate::domain::ConversationStatus;
use crate::outbox::{email, events};
use crate::state::{AppState, Live};

pub const MESSAGE_MAX: usize = 65_536;

/// A message on its way into a conversation, as `send-message` takes it.
pub struct Outgoing {
    pub user_id: i64,
    pub conversation_id: i64,
    pub message: String,
    /// As stored: `[["name", "link"], …]` JSON, checked by the caller, or empty.
    pub attachments: String,
    pub payload: String,
    pub status: StatusChange,
}

/// Sends a message: the one path for `send-message` and the admin area's reply box.
/// The email notifications are composed first, from a read; then in one
/// transaction it stores the message, sets the status, clears the sender's
/// typing, fires the webhooks and queues those emails, and it wakes the outbox.
/// Answers the message ID and what was queued (`["email"]` or `[]`).
pub fn send(db: &mut Db, state: &AppState, out: Outgoing, now: String) -> OpsResult<(i64, Vec<&'static str>)> {
    if out.message.trim().is_empty() && out.attachments.is_empty() {
        return Err(OpsError::invalid("message", "send a message text, attachments, or both"));
    }
    if out.message.chars().count() > MESSAGE_MAX {
        return Err(OpsError::invalid("message", format!("longer than {MESSAGE_MAX} characters")));
    }
    let (user_id, conversation_id) = (out.user_id, out.conversation_id);
    let conn = db.conn()?;
    files::check_count(conn, state, &out.attachments)?;
    let file_keys = files::keys_in(state, &out.attachments);
    let sender = users::find(conn, user_id)?.ok_or(OpsError::NotFound(What::User))?;
    let about = About {
        sender_name: notifications::full_name(&sender),
        message: &out.message,
        attachments: &out.attachments,
        conversation_id: Some(conversation_id),
    };
    let emails = notifications::for_message(conn, state, &sender, &about)?;
    let shared = state.clone();
    let sent = db.write(move |tx| -> OpsResult<_> {
        let sender = users::find(tx, user_id)?.ok_or(OpsError::NotFound(What::User))?;
        let before = conversations::find(tx, conversation_id)?.ok_or(OpsError::NotFound(What::Conversation))?;
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
        files::attach(tx, id, &file_keys)?;
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
        for queued in &emails {
            email::queue(tx, queued, &now)?;
        }
        let notified = if emails.is_empty() { vec![] } else { vec!["email"] };
        Ok((id, notified, before.user_id, status.filter(|s| s.code() != before.status_code)))
    })?;
    let (id, notified, customer, changed) = sent;
    state.background.wake();
    state.hub.publish(customer, Live::Message { conversation_id, message_id: id });
    if let Some(status) = changed {
        state.hub.publish(customer, Live::Status { conversation_id, status_code: status.code() });
    }
    Ok((id, notified))
}

/// What an edit changes; `None` keeps the value.
pub struct Edit {
    pub message: Option<String>,
    /// As stored: `[["name", "link"], …]` JSON, checked by the caller.
    pub attachments: Option<String>,
    pub payload: Option<String>,
}

/// Edits message `id`; files it no longer carries go when no other message does.
pub fn update(db: &mut Db, state: &AppState, id: i64, edit: Edit) -> OpsResult<()> {
    let file_keys = match &edit.attachments {
        Some(attachments) => {
            files::check_count(db.conn()?, state, attachments)?;
            Some(files::keys_in(state, attachments))
        }
        None => None,
    };
    let changed = db.write(move |tx| -> OpsResult<_> {
        let Edit { message, attachments, payload } = edit;
        let changed = messages::update(tx, id, message.as_deref(), attachments.as_deref(), payload.as_deref())?;
        if let (true, Some(keys)) = (changed, file_keys) {
            files::attach(tx, id, &keys)?;
        }
        Ok(changed)
    })?;
    if !changed {
        return Err(OpsError::NotFound(What::Message));
    }
    // The jobs thread removes the bytes of files no message carries any more.
    state.background.wake();
    Ok(())
}

/// Deletes message `id` (firing `message-deleted`), and the files only it carried.
pub fn delete(db: &mut Db, state: &AppState, id: i64) -> OpsResult<()> {
    let shared = state.clone();
    let deleted = db.write(move |tx| -> OpsResult<_> {
        let Some(message) = messages::find(tx, id)? else { return Ok(false) };
        messages::delete(tx, id)?;
        events::message_deleted(tx, &shared, &message)?;
        Ok(true)
    })?;
    if !deleted {
        return Err(OpsError::NotFound(What::Message));
    }
    // Delivers the webhook, and removes the bytes of files only this message carried.
    state.background.wake();
    Ok(())
}

/// What a sent message does to its conversation's status.
pub enum StatusChange {
    /// The usual flow: a reply from staff or the bot waits for the user, a user's waits for an agent.
    Automatic,
    Keep,
    To(ConversationStatus),
}
