//! Internal notes on conversations: written by agents and admins, never shown to
//! the customer. The text is stored as typed; every page that shows it escapes it.

use super::{OpsError, OpsResult, What};
use crate::db::{conversations, notes, users};
use rusqlite::Connection;

pub const NOTE_MAX: usize = 65_536;

/// Adds a note by `author`, who must be an agent or admin: the one path for
/// `add-note` and the conversation page.
pub fn add(tx: &Connection, conversation_id: i64, author: i64, name: &str, message: &str, now: &str) -> OpsResult<i64> {
    if message.trim().is_empty() {
        return Err(OpsError::invalid("message", "must not be empty"));
    }
    if message.chars().count() > NOTE_MAX {
        return Err(OpsError::invalid("message", format!("longer than {NOTE_MAX} characters")));
    }
    if !conversations::exists(tx, conversation_id)? {
        return Err(OpsError::NotFound(What::Conversation));
    }
    if !users::find(tx, author)?.is_some_and(|user| user.user_type.is_agent()) {
        return Err(OpsError::NotFound(What::Agent));
    }
    Ok(notes::insert(tx, conversation_id, author, name, message, now)?)
}
