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
use crate::outbox::email::{self, OutgoingEmail};
use crate::outbox::events;
use crate::state::{AppState, Live};

pub struct DirectMessage {
    pub sender: UserRow,
    pub user_ids: Vec<i64>,
    pub message: String,
    /// The conversations' title and the emails' subject; empty sends no email.
    pub subject: String,
}

/// Sends `direct` in a new conversation with each user, all in one write: all
/// users must exist, or nothing is sent. The emails are composed before that
/// write (no template runs on the writer's thread) with a stand-in for the
/// conversation's ID, which does not exist yet; the write puts each real ID in
/// and queues the emails with the conversations, so an email exists exactly when
/// its conversation does. Each customer's open widget hears of its new message.
pub fn send(db: &mut Db, state: &AppState, direct: DirectMessage, now: String) -> OpsResult<()> {
    let DirectMessage { sender, user_ids, message, subject } = direct;
    let stand_in = StandIn::new();
    let mut emails = Vec::with_capacity(user_ids.len());
    for &user_id in &user_ids {
        let user = users::find(db.conn()?, user_id)?.ok_or(OpsError::NotFound(What::User))?;
        let email = if subject.is_empty() {
            None
        } else {
            let about = About {
                sender_name: notifications::full_name(&sender),
                message: &message,
                attachments: "",
                conversation_id: Some(stand_in.id),
            };
            notifications::composed(db.conn()?, state, &user, &subject, &message, &about)?
        };
        emails.push(email);
    }
    let (shared, sender_id) = (state.clone(), sender.id);
    let opened = db.write(move |tx| -> OpsResult<_> {
        let mut opened = Vec::with_capacity(user_ids.len());
        for (&user_id, email) in user_ids.iter().zip(emails) {
            // Checked again: someone may have deleted the user since.
            users::find(tx, user_id)?.ok_or(OpsError::NotFound(What::User))?;
            let conversation_id = conversations::insert(
                tx,
                &NewConversation {
                    user_id,
                    title: subject.clone(),
                    status: ConversationStatus::WaitingForUser,
                    department: None,
                    agent_id: Some(sender_id),
                    source: None,
                    extra: None,
                    now: now.clone(),
                },
            )?;
            let new = NewMessage {
                conversation_id,
                user_id: sender_id,
                message: &message,
                attachments: "",
                payload: "",
                now: &now,
            };
            let message_id = messages::insert(tx, &new)?;
            events::direct_message(tx, &shared, conversation_id, message_id)?;
            if let Some(email) = email {
                email::queue(tx, &stand_in.replaced(email, conversation_id), &now)?;
            }
            opened.push((user_id, conversation_id, message_id));
        }
        Ok(opened)
    })?;
    for (user_id, conversation_id, message_id) in opened {
        state.hub.publish(user_id, Live::Message { conversation_id, message_id });
    }
    state.background.wake();
    Ok(())
}

/// A conversation ID no conversation has: 19 random digits, which survive URL
/// encoding and HTML escaping unchanged and which nobody can guess to type into
/// a message, so replacing them in a composed email changes only the stand-in.
struct StandIn {
    id: i64,
    digits: String,
}

impl StandIn {
    fn new() -> Self {
        let id = rand::Rng::gen_range(&mut rand::thread_rng(), 1_000_000_000_000_000_000..i64::MAX);
        Self { id, digits: id.to_string() }
    }

    fn replaced(&self, mut email: OutgoingEmail, conversation_id: i64) -> OutgoingEmail {
        let real = conversation_id.to_string();
        for part in [&mut email.subject, &mut email.text, &mut email.html] {
            *part = part.replace(&self.digits, &real);
        }
        email
    }
}
