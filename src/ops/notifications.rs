//! Emails about conversations, composed from the templates in the notification
//! settings before the write that queues them: the write only stores what was
//! composed, so templates never run on the writer's thread, and an email exists
//! exactly when the change it reports does. The outbox delivers it later (the
//! caller wakes it after committing).
//!
//! Who hears about a new message: when an agent replies and the user is offline,
//! the user (`notify-user-email`); when a user writes and no agent is online, the
//! agents `notify-agents` names (`notify-agent-email`). Only people with an email.

use crate::db::conversations::{self, ConversationRow};
use crate::db::users::{self, UserRow};
use crate::domain::email_template::{self, Fill};
use crate::domain::settings::{Notify, Settings};
use crate::domain::UserType;
use crate::outbox::email::{EmailFile, OutgoingEmail};
use crate::state::AppState;
use rusqlite::Connection;

/// What an email is about: it fills the templates' placeholders.
pub struct About<'a> {
    pub sender_name: String,
    pub message: &'a str,
    /// As stored with a message: `[["name", "link"], …]` as JSON, or empty.
    pub attachments: &'a str,
    pub conversation_id: Option<i64>,
}

/// Whom the email goes to, which decides the templates and the conversation link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    User,
    Agent,
}

impl Audience {
    pub fn of(user: &UserRow) -> Self {
        if user.user_type.is_agent() {
            Audience::Agent
        } else {
            Audience::User
        }
    }

    /// The subject and body templates.
    fn templates(self, notify: &Notify) -> (String, String) {
        match self {
            Audience::User => (notify.user_subject.clone(), notify.user_body.clone()),
            Audience::Agent => (notify.agent_subject.clone(), notify.agent_body.clone()),
        }
    }
}

pub fn full_name(user: &UserRow) -> String {
    crate::domain::people::full_name(&user.first_name, &user.last_name)
}

/// Whether an SMTP server is set up. Automatic notifications are queued only when
/// one is: without it they could never leave, and would only wait out their retries.
/// (Emails someone asks for, like send-email, are queued anyway and wait for it.)
pub fn email_configured(settings: &Settings) -> bool {
    !settings.smtp.host.is_empty() && !settings.smtp.sender_address.is_empty()
}

/// The notifications due for a message `sender` is sending, composed.
pub fn for_message(
    conn: &Connection,
    state: &AppState,
    sender: &UserRow,
    sent: &About,
) -> rusqlite::Result<Vec<OutgoingEmail>> {
    let settings = state.settings(conn)?;
    if !email_configured(&settings) {
        return Ok(vec![]);
    }
    let Some(conversation) = sent.conversation_id.map(|id| conversations::find(conn, id)).transpose()?.flatten() else {
        return Ok(vec![]);
    };
    let online_since = state.clock.ago_text(state.config.online_window_seconds);
    let recipients = if sender.user_type.is_agent() {
        if !settings.notify.user_email {
            return Ok(vec![]);
        }
        let user = users::find(conn, conversation.user_id)?;
        user.into_iter().filter(|u| u.id != sender.id && u.last_activity < online_since).collect()
    } else if sender.user_type == UserType::Bot {
        vec![]
    } else {
        if !settings.notify.agent_email || users::any_agent_online(conn, &online_since)? {
            return Ok(vec![]);
        }
        agents_to_notify(conn, &conversation, &settings.notify.agents)?
    };
    let mut emails = Vec::new();
    for recipient in &recipients {
        emails.extend(templated(conn, state, recipient, sent)?);
    }
    Ok(emails)
}

/// The assigned agent, else the department's agents, else all agents, starting
/// where `notify-agents` says; each step only counts agents with an email.
fn agents_to_notify(conn: &Connection, conversation: &ConversationRow, start: &str) -> rusqlite::Result<Vec<UserRow>> {
    if start == "assigned" {
        if let Some(agent) = conversation.agent_id.map(|id| users::find(conn, id)).transpose()?.flatten() {
            if agent.user_type.is_agent() && agent.email.as_deref().is_some_and(|e| !e.is_empty()) {
                return Ok(vec![agent]);
            }
        }
    }
    if start != "all" {
        if let Some(department) = conversation.department {
            let agents = users::agents_with_email(conn, Some(department))?;
            if !agents.is_empty() {
                return Ok(agents);
            }
        }
    }
    users::agents_with_email(conn, None)
}

/// The user or agent template email (by the recipient's type) about `about`;
/// `None` when the recipient has no email.
pub fn templated(
    conn: &Connection,
    state: &AppState,
    recipient: &UserRow,
    about: &About,
) -> rusqlite::Result<Option<OutgoingEmail>> {
    let (subject, body) = Audience::of(recipient).templates(&state.settings(conn)?.notify);
    composed(conn, state, recipient, &subject, &body, about)
}

/// An email to `recipient` from the given subject and body templates; `None`
/// when the recipient has no email.
pub fn composed(
    conn: &Connection,
    state: &AppState,
    recipient: &UserRow,
    subject: &str,
    body: &str,
    about: &About,
) -> rusqlite::Result<Option<OutgoingEmail>> {
    let Some(to) = recipient.email.clone().filter(|e| !e.trim().is_empty()) else { return Ok(None) };
    let values = fills(conn, state, recipient, about)?;
    let rendered = email_template::render(body, &values);
    Ok(Some(OutgoingEmail {
        to,
        to_name: full_name(recipient),
        subject: email_template::render_line(subject, &values),
        text: rendered.text,
        html: email_template::html_document(&rendered.html),
        recipient_id: Some(recipient.id),
        sender_suffix: String::new(),
        files: email_files(conn, state, about.attachments)?,
    }))
}

/// The largest total of files attached to one email; beyond it the email carries
/// only their links (many mail servers refuse messages over 25 MB once encoded).
const EMAIL_FILES_MAX_BYTES: i64 = 15 << 20;

/// This server's files among `attachments`, to attach to the email about them, if
/// together they are small enough; the email's text has their links either way.
fn email_files(conn: &Connection, state: &AppState, attachments: &str) -> rusqlite::Result<Vec<EmailFile>> {
    let found = crate::db::files::find_many(conn, &super::files::keys_in(state, attachments))?;
    if found.iter().map(|file| file.size).sum::<i64>() > EMAIL_FILES_MAX_BYTES {
        return Ok(Vec::new());
    }
    Ok(found
        .into_iter()
        .map(|file| EmailFile { key: file.key, name: file.name, content_type: file.content_type, size: file.size })
        .collect())
}

/// An email whose body is `message` as it is, without a template.
pub fn plain_email(to: &str, subject: &str, message: &str, recipient_id: Option<i64>, suffix: &str) -> OutgoingEmail {
    OutgoingEmail {
        to: to.to_string(),
        to_name: String::new(),
        subject: email_template::render_line(subject, &[]),
        text: message.to_string(),
        html: email_template::html_document(&email_template::text_to_html(message)),
        recipient_id,
        sender_suffix: suffix.to_string(),
        files: Vec::new(),
    }
}

/// The placeholder values for one recipient; see [`email_template::PLACEHOLDERS`].
fn fills(
    conn: &Connection,
    state: &AppState,
    recipient: &UserRow,
    about: &About,
) -> rusqlite::Result<Vec<(&'static str, Fill)>> {
    let conversation_url = match (about.conversation_id, Audience::of(recipient)) {
        (None, _) => String::new(),
        (Some(id), Audience::Agent) => format!("{}/admin?conversation={id}", state.config.public_base()),
        (Some(id), Audience::User) => {
            let chat = state.settings(conn)?.notify.user_chat_url.clone();
            url::Url::parse(&chat).map_or(String::new(), |mut url| {
                url.query_pairs_mut().append_pair("conversation", &id.to_string());
                url.to_string()
            })
        }
    };
    let attachments: Vec<(String, String)> =
        serde_json::from_str::<Vec<(String, String)>>(about.attachments).unwrap_or_default();
    Ok(vec![
        ("recipient_name", Fill::Text(full_name(recipient))),
        ("recipient_email", Fill::Text(recipient.email.clone().unwrap_or_default())),
        ("sender_name", Fill::Text(about.sender_name.clone())),
        ("message", Fill::Text(about.message.to_string())),
        ("attachments", Fill::Links(attachments)),
        ("conversation_id", Fill::Text(about.conversation_id.map(|id| id.to_string()).unwrap_or_default())),
        ("conversation_url", Fill::Link(conversation_url)),
        ("site_title", Fill::Text(state.settings(conn)?.admin_title.clone())),
    ])
}
