//! Reading: the staff reading what customers wrote (the admin area's conversation
//! page, `update-messages-status`), which the customer's open widget is told at
//! once, so it shows "Seen" without asking again; and a visitor reading the
//! staff's messages in the widget.

use super::OpsResult;
use crate::db::doorway::Db;
use crate::db::messages;
use crate::state::{AppState, Live};

/// Marks the customer's unread messages in conversation `id` read (writing only
/// when there are some) and tells the customer's widget.
pub fn customer_messages(db: &mut Db, state: &AppState, id: i64) -> OpsResult<()> {
    if messages::unread_counts(db.conn()?, &[id])?.is_empty() {
        return Ok(());
    }
    db.write(move |tx| messages::mark_customer_messages_read(tx, id))?;
    let marks = messages::read_mark_of_conversation(db.conn()?, id)?;
    announce(state, marks.into_iter());
    Ok(())
}

/// Marks messages `ids` read (`update-messages-status`) and tells the widgets of
/// the customers whose conversations they are in.
pub fn messages(db: &mut Db, state: &AppState, ids: Vec<i64>) -> OpsResult<()> {
    let marks = messages::read_marks(db.conn()?, &ids)?;
    db.write(move |tx| messages::mark_read(tx, &ids))?;
    announce(state, marks.into_iter());
    Ok(())
}

/// Marks the staff's messages `ids` read by the visitor reading them in the
/// widget. Nobody is told: the admin area reads unread counts afresh.
pub fn by_visitor(db: &mut Db, ids: Vec<i64>) -> OpsResult<()> {
    if !ids.is_empty() {
        db.write(move |tx| messages::mark_read(tx, &ids))?;
    }
    Ok(())
}

fn announce(state: &AppState, marks: impl Iterator<Item = (i64, i64, i64)>) {
    for (conversation_id, customer, message_id) in marks {
        state.hub.publish(customer, Live::Seen { conversation_id, message_id });
    }
}
