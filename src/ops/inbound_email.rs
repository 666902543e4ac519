//! Email in: what a batch of emails fetched from the piped mailbox does to the
//! conversations. The mail front door (`mail/`) fetches and parses; here each
//! email is set aside (loops, bounces, floods), joins its conversation or opens
//! one, and the mailbox's position moves past it, all in one transaction: a crash
//! or a restart mid-sync neither loses nor repeats an email.
//!
//! Threading (see the README's "Email channel"): `In-Reply-To`, then `References`,
//! against every Message-ID Switchboard took in or sent; then a reply token in a
//! recipient address (`support+<token>@…`); then a `[#123]` subject tag, only
//! when the sender is that conversation's customer. Never the subject text alone.

use super::notifications::{self, About};
use super::{email_threads, inbound_files, OpsResult};
use crate::db::conversations;
use crate::db::doorway::Db;
use crate::db::email::{self, EmailRecord};
use crate::db::messages::{self, NewMessage};
use crate::db::users;
use crate::domain::email_threading::is_address_of;
use crate::domain::{ConversationStatus, Email, UserType};
use crate::outbox::events;
use crate::state::{AppState, Live};
use rusqlite::Connection;
use std::collections::HashMap;

/// Emails one sender may turn into messages per hour; more are set aside.
pub const SENDER_PER_HOUR: i64 = 30;

/// An attachment of an email.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub name: String,
    pub size: usize,
    pub content_type: String,
    /// The decoded content, until it is stored (then empty).
    pub bytes: Vec<u8>,
    /// What became of it before the batch's write; `None` when it was not tried.
    pub filed: Option<Filed>,
}

/// What became of an attachment (see [`super::inbound_files`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Filed {
    /// Stored as a file: its key, link and display name.
    Stored { key: String, link: String, name: String },
    /// Refused by the upload settings, and why.
    Refused(String),
}

/// An email, parsed by the mail front door.
#[derive(Debug, Clone)]
pub struct Inbound {
    /// Without brackets; made from the content's hash when the email has none.
    pub message_id: String,
    pub from: Email,
    pub from_name: String,
    pub subject: String,
    pub in_reply_to: Vec<String>,
    /// Oldest first, as the header lists them.
    pub references: Vec<String>,
    /// To, Cc, Delivered-To and X-Original-To: where a reply token can be.
    pub recipients: Vec<String>,
    /// What the message shows: the new text, quoted history and signature trimmed.
    pub text: String,
    /// The whole body as text, for agents.
    pub original: String,
    pub attachments: Vec<Attachment>,
    /// Set when the email says it was sent by a machine (auto-reply, bulk, bounce).
    pub automatic: Option<SetAside>,
}

/// Why an email did not become a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetAside {
    /// `Auto-Submitted`, `Precedence: bulk`/`auto_reply`/`junk`, or the like.
    Automatic,
    /// A delivery report or a mailer-daemon's message.
    Bounce,
    /// From Switchboard's own address: its own mail come back.
    OwnAddress,
    /// The sender wrote more than [`SENDER_PER_HOUR`] in the last hour.
    RateLimited,
    /// Larger than the mail front door takes.
    TooLarge,
    /// No sender address, or not a readable email.
    Unreadable,
}

impl SetAside {
    pub fn outcome(self) -> &'static str {
        match self {
            SetAside::Automatic => "automatic",
            SetAside::Bounce => "bounce",
            SetAside::OwnAddress => "own-address",
            SetAside::RateLimited => "rate-limited",
            SetAside::TooLarge => "too-large",
            SetAside::Unreadable => "unreadable",
        }
    }
}

/// One email of a batch, at its UID.
pub enum Received {
    Email(Box<Inbound>),
    /// Never read as an email: only its Message-ID (or hash) and why.
    Unusable {
        message_id: String,
        why: SetAside,
    },
}

/// Emails fetched from one mailbox, in UID order.
pub struct Batch {
    pub mailbox: String,
    pub uid_validity: u32,
    pub emails: Vec<(u32, Received)>,
}

/// What a batch did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Taken {
    pub messages: usize,
    pub conversations: usize,
    pub set_aside: usize,
    /// Emails with a Message-ID already taken (a copy, a renumbered mailbox).
    pub repeats: usize,
}

/// What the write needs from the settings, read before it.
struct Policy {
    own_addresses: Vec<String>,
    department: Option<i64>,
}

/// A message the batch created, for what happens after the commit.
struct Created {
    message_id: i64,
    conversation_id: i64,
    customer: i64,
    sender: i64,
    text: String,
    attachments: String,
}

/// Stores a batch: every email set aside, joined to its conversation or opening
/// one, and the mailbox's position moved to the batch's last UID, in one
/// transaction. Then agents are told as for any customer message.
pub fn take(db: &mut Db, state: &AppState, mut batch: Batch) -> OpsResult<Taken> {
    let settings = state.settings(db.conn()?)?;
    let piping = &settings.email_piping;
    let own_addresses = [piping.address.as_str(), settings.smtp.sender_address.as_str()]
        .into_iter()
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect();
    let policy = Policy { own_addresses, department: piping.department };
    let shared = state.clone();
    let now = state.clock.now_text();
    let hour_ago = state.clock.ago_text(3600);
    let mut counts = HashMap::new();
    for (_, received) in &mut batch.emails {
        let Received::Email(email) = received else { continue };
        if files_wanted(db.conn()?, &policy, email, &hour_ago, &mut counts)? {
            inbound_files::store(db, state, email)?;
        }
    }
    let (taken, created) = db.write(move |tx| -> OpsResult<(Taken, Vec<Created>)> {
        let mut taken = Taken::default();
        let mut created = Vec::new();
        let Some(last_uid) = batch.emails.last().map(|(uid, _)| *uid) else { return Ok((taken, created)) };
        for (_, received) in batch.emails {
            let email = match received {
                Received::Unusable { message_id, why } => {
                    set_aside(tx, &mut taken, &message_id, "", why, &now)?;
                    continue;
                }
                Received::Email(email) => email,
            };
            if email::known(tx, &email.message_id)? {
                taken.repeats += 1;
                continue;
            }
            let sender = email.from.as_str().to_ascii_lowercase();
            let why = email.automatic.or_else(|| {
                policy.own_addresses.iter().any(|own| is_address_of(&sender, own)).then_some(SetAside::OwnAddress)
            });
            let why = match why {
                Some(why) => Some(why),
                None => (email::taken_from_since(tx, &sender, &hour_ago)? >= SENDER_PER_HOUR)
                    .then_some(SetAside::RateLimited),
            };
            if let Some(why) = why {
                set_aside(tx, &mut taken, &email.message_id, &sender, why, &now)?;
                continue;
            }
            created.push(store(tx, &shared, &policy, &email, &sender, &now, &mut taken)?);
        }
        email::set_position(tx, &batch.mailbox, batch.uid_validity, last_uid, &now)?;
        Ok((taken, created))
    })?;
    state.background.wake();
    for new in &created {
        state
            .hub
            .publish(new.customer, Live::Message { conversation_id: new.conversation_id, message_id: new.message_id });
    }
    notify_agents(db, state, &created)?;
    Ok(taken)
}

fn set_aside(
    tx: &Connection,
    taken: &mut Taken,
    message_id: &str,
    sender: &str,
    why: SetAside,
    now: &str,
) -> rusqlite::Result<()> {
    taken.set_aside += 1;
    let record = EmailRecord {
        message_id,
        outgoing: false,
        conversation_id: None,
        chat_message_id: None,
        outcome: why.outcome(),
        sender,
        now,
    };
    email::record(tx, &record)
}

/// Whether `email`'s attachments should be stored: whether it will become a
/// message, judged before the write so that mail set aside stores no files. The
/// write judges again; a file stored for an email set aside after all is one no
/// message carries, which clean-data removes.
fn files_wanted(
    conn: &Connection,
    policy: &Policy,
    email: &Inbound,
    hour_ago: &str,
    counts: &mut HashMap<String, i64>,
) -> rusqlite::Result<bool> {
    let sender = email.from.as_str().to_ascii_lowercase();
    let count = match counts.get(&sender) {
        Some(count) => *count,
        None => email::taken_from_since(conn, &sender, hour_ago)?,
    };
    let set_aside = email.automatic.is_some()
        || policy.own_addresses.iter().any(|own| is_address_of(&sender, own))
        || count >= SENDER_PER_HOUR
        || email::known(conn, &email.message_id)?;
    counts.insert(sender, if set_aside { count } else { count + 1 });
    Ok(!set_aside && !email.attachments.is_empty())
}

/// Turns one email into a message of its conversation, opening one when it
/// threads into none.
fn store(
    tx: &Connection,
    state: &AppState,
    policy: &Policy,
    email: &Inbound,
    sender: &str,
    now: &str,
    taken: &mut Taken,
) -> OpsResult<Created> {
    let user_id = match users::find_by_email(tx, sender)? {
        Some((user, _)) => user.id,
        None => {
            let (first_name, last_name) = split_name(&email.from_name);
            let mut account = super::users::Account::new(UserType::Lead);
            account.first_name = first_name;
            account.last_name = last_name;
            account.email = Some(email.from.clone());
            super::users::create(tx, &state.key, now, account)?
        }
    };
    let conversation_id = match email_threads::conversation_for(tx, email, sender)? {
        Some(id) => id,
        None => {
            taken.conversations += 1;
            email_threads::open(tx, state, user_id, policy.department, email, sender, now)?
        }
    };
    let before = conversations::find(tx, conversation_id)?.ok_or(super::OpsError::Storage)?;
    let was_empty = !messages::any_in_conversation(tx, conversation_id)?;
    let text = email_threads::message_text(email);
    let payload = email_threads::payload(email);
    let (attachments, keys) = inbound_files::attachments(email);
    let message_id = messages::insert(
        tx,
        &NewMessage { conversation_id, user_id, message: &text, attachments: &attachments, payload: &payload, now },
    )?;
    super::files::attach(tx, message_id, &keys)?;
    let status = ConversationStatus::WaitingForAgent;
    conversations::set_status(tx, conversation_id, status)?;
    events::message_sent(tx, state, &before, was_empty, message_id, status.code())?;
    let record = EmailRecord {
        message_id: &email.message_id,
        outgoing: false,
        conversation_id: Some(conversation_id),
        chat_message_id: Some(message_id),
        outcome: "message",
        sender,
        now,
    };
    email::record(tx, &record)?;
    taken.messages += 1;
    Ok(Created { message_id, conversation_id, customer: before.user_id, sender: user_id, text, attachments })
}

/// "Ann Lee" -> ("Ann", "Lee"); a lone word is the first name.
fn split_name(name: &str) -> (String, String) {
    let name: String = name.trim().chars().take(crate::domain::people::NAME_MAX).collect();
    match name.split_once(' ') {
        Some((first, last)) => (first.trim().to_string(), last.trim().to_string()),
        None => (name, String::new()),
    }
}

/// The agents' email notifications for the new messages, composed after the
/// batch's commit (templates never run on the writer's thread) and queued in a
/// write of their own: a crash between the two loses a notification, never a message.
fn notify_agents(db: &mut Db, state: &AppState, created: &[Created]) -> OpsResult<()> {
    let mut emails = Vec::new();
    for new in created {
        let conn = db.conn()?;
        let Some(sender) = users::find(conn, new.sender)? else { continue };
        let about = About {
            sender_name: notifications::full_name(&sender),
            message: &new.text,
            attachments: &new.attachments,
            conversation_id: Some(new.conversation_id),
        };
        emails.extend(notifications::for_message(conn, state, &sender, &about)?);
    }
    if emails.is_empty() {
        return Ok(());
    }
    let now = state.clock.now_text();
    db.write(move |tx| -> OpsResult<()> {
        for queued in &emails {
            crate::outbox::email::queue(tx, queued, &now)?;
        }
        Ok(())
    })?;
    state.background.wake();
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn display_names_split_into_first_and_last() {
        assert_eq!(super::split_name(" Ann  Lee "), ("Ann".into(), "Lee".into()));
        assert_eq!(super::split_name("Cher"), ("Cher".into(), String::new()));
    }
}
