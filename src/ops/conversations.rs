//! Changing conversations: status, agent, department.

use super::{OpsError, OpsResult, What};
use crate::db::doorway::Db;
use crate::db::{conversations, users};
use crate::domain::ConversationStatus;
use crate::outbox::events;
use crate::state::{AppState, Live};
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

/// [`change_status`] in a write of its own, then told live to the customer.
pub fn change_status_now(db: &mut Db, state: &AppState, id: i64, status: ConversationStatus) -> OpsResult<bool> {
    let shared = state.clone();
    let customer = db.write(move |tx| -> OpsResult<Option<i64>> {
        let customer = conversations::find(tx, id)?.map(|c| c.user_id);
        change_status(tx, &shared, id, status)?;
        Ok(customer)
    })?;
    state.background.wake();
    if let Some(customer) = customer {
        state.hub.publish(customer, Live::Status { conversation_id: id, status_code: status.code() });
    }
    Ok(customer.is_some())
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
