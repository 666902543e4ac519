//! Direct messages: an agent or admin opens a conversation with each of several
//! users and posts the same message in it; with a subject, users with an email
//! address get it by email too.

use super::notifications::{self, About};
use super::{OpsError, OpsResult, What};
use crate::db::conversations::{self, NewConversation};
use crate::db::doorway::Db;
use crate::db::messages::{self, NewMessage};
use crate::db::users::{self, UserRow};
use crate::domain::ConversationStatus;
use crate::outbox::{email, events};
use crate::state::{AppState, Live};

pub struct DirectMessage {
    pub sender: UserRow,
    pub user_ids: Vec<i64>,
    pub message: String,
    /// The conversations' title and the emails' subject; empty sends no email.
    pub subject: String,
}

/// Sends `direct` in a new conversation with each user, all in one write: all
/// users must exist, or nothing is sent. The emails are composed once the
/// conversations exist (their links need the IDs) and queued in a second write,
/// so no template runs on the writer's thread. Each customer's open widget hears
/// of its new message at once.
pub fn send(db: &mut Db, state: &AppState, direct: DirectMessage, now: String) -> OpsResult<()> {
    let DirectMessage { sender, user_ids, message, subject } = direct;
    let (shared, sender_id, title, text, at) =
        (state.clone(), sender.id, subject.clone(), message.clone(), now.clone());
    let opened = db.write(move |tx| -> OpsResult<_> {
        let mut opened = Vec::with_capacity(user_ids.len());
        for &user_id in &user_ids {
            let user = users::find(tx, user_id)?.ok_or(OpsError::NotFound(What::User))?;
            let conversation_id = conversations::insert(
                tx,
                &NewConversation {
                    user_id,
                    title: title.clone(),
                    status: ConversationStatus::WaitingForUser,
                    department: None,
                    agent_id: Some(sender_id),
                    source: None,
                    extra: None,
                    now: at.clone(),
                },
            )?;
            let new = NewMessage {
                conversation_id,
                user_id: sender_id,
                message: &text,
                attachments: "",
                payload: "",
                now: &at,
            };
            let message_id = messages::insert(tx, &new)?;
            events::direct_message(tx, &shared, conversation_id, message_id)?;
            opened.push((user, conversation_id, message_id));
        }
        Ok(opened)
    })?;
    for (user, conversation_id, message_id) in &opened {
        state.hub.publish(user.id, Live::Message { conversation_id: *conversation_id, message_id: *message_id });
    }
    if !subject.is_empty() {
        let sender_name = notifications::full_name(&sender);
        let mut emails = Vec::new();
        for (user, conversation_id, _) in &opened {
            let about = About {
                sender_name: sender_name.clone(),
                message: &message,
                attachments: "",
                conversation_id: Some(*conversation_id),
            };
            emails.extend(notifications::composed(db.conn()?, state, user, &subject, &message, &about)?);
        }
        db.write(move |tx| -> OpsResult<_> {
            for composed in &emails {
                email::queue(tx, composed, &now)?;
            }
            Ok(())
        })?;
    }
    state.background.wake();
    Ok(())
}
