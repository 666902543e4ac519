//! Changing conversations: status, agent, department.

use super::{OpsError, OpsResult, What};
use crate::db::{conversations, users};
use crate::domain::ConversationStatus;
use crate::outbox::events;
use crate::state::AppState;
use rusqlite::Connection;

/// Sets a conversation's status, firing `conversation-status-updated` when it
/// changed; false when there is no such conversation. The caller wakes the outbox.
pub fn change_status(tx: &Connection, state: &AppState, id: i64, status: ConversationStatus) -> OpsResult<bool> {
    let Some(before) = conversations::find(tx, id)? else { return Ok(false) };
    conversations::set_status(tx, id, status)?;
    if before.status_code != status.code() {
        events::status_updated(tx, state, id, status.code())?;
    }
    Ok(true)
}

/// Assigns a conversation to an agent or admin, or to nobody.
pub fn assign_agent(tx: &Connection, id: i64, agent: Option<i64>) -> OpsResult<()> {
    if let Some(agent) = agent {
        ensure_agent(tx, agent)?;
    }
    if !conversations::set_agent(tx, id, agent)? {
        return Err(OpsError::NotFound(What::Conversation));
    }
    Ok(())
}

pub fn ensure_agent(conn: &Connection, id: i64) -> OpsResult<()> {
    match users::find(conn, id)? {
        Some(user) if user.user_type.is_agent() => Ok(()),
        _ => Err(OpsError::NotFound(What::Agent)),
    }
}
