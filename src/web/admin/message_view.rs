//! A message as the conversation page shows it: who spoke, the markup rendered
//! (everything typed escaped), and its attachments: this server's images as
//! thumbnails that open full size, other files as links with their size, and
//! links elsewhere as links (anything that is not a web link, as text).

use crate::db::messages::MessageRow;
use crate::domain::files::{human_size, is_inline_image};
use crate::domain::people::display_name as full_name;
use crate::domain::{markup, UserType};
use crate::ops::files::{thumbnail_url, Attached};
use crate::state::AppState;

pub struct Attachment {
    pub name: String,
    /// Only web links are linked; anything else is shown as text.
    pub link: Option<String>,
    /// The size of this server's files.
    pub size: Option<String>,
    /// What shows in the message for an image: its thumbnail, else the image.
    pub preview: Option<String>,
}

pub struct MessageView {
    pub id: i64,
    pub sender: String,
    /// `customer`, `staff` or `bot`: who is speaking, for the layout.
    pub side: &'static str,
    pub role: &'static str,
    pub time: String,
    /// `markup::to_html` output: every character the sender typed is escaped.
    pub html: String,
    pub attachments: Vec<Attachment>,
}

/// The side a message's sender is on (how the page styles it), and their type.
pub fn role(user_type: UserType) -> (&'static str, &'static str) {
    let side = match user_type {
        UserType::Agent | UserType::Admin => "staff",
        UserType::Bot => "bot",
        UserType::User | UserType::Lead | UserType::Visitor => "customer",
    };
    (side, user_type.label())
}

pub fn message_view(state: &AppState, row: &MessageRow, attached: Vec<Attached>) -> MessageView {
    let attachments = attached
        .into_iter()
        .map(|Attached { name, link, file }| {
            let web = url::Url::parse(&link).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            let preview = file
                .as_ref()
                .filter(|f| is_inline_image(&f.extension))
                .map(|f| thumbnail_url(state, f).unwrap_or_else(|| link.clone()));
            Attachment { size: file.as_ref().map(|f| human_size(f.size)), preview, name, link: web.then_some(link) }
        })
        .collect();
    let (side, role) = role(row.user_type);
    MessageView {
        id: row.id,
        sender: full_name(&row.first_name, &row.last_name),
        side,
        role,
        time: row.creation_time.clone(),
        html: markup::to_html(&row.message),
        attachments,
    }
}

/// Views of `rows`, their files found in one pass.
pub fn message_views(
    conn: &rusqlite::Connection,
    state: &AppState,
    rows: &[MessageRow],
) -> rusqlite::Result<Vec<MessageView>> {
    let attached = crate::ops::files::attached(conn, state, rows.iter().map(|row| row.attachments.as_str()))?;
    Ok(rows.iter().zip(attached).map(|(row, attached)| message_view(state, row, attached)).collect())
}
