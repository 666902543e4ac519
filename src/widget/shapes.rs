//! What the widget is sent: messages with their HTML made by the server, the
//! visitor, their conversation. Row columns are strings, as in the API.

use crate::contract::profile_image_url;
use crate::db::conversations::ConversationRow;
use crate::db::files::FileRow;
use crate::db::messages::MessageRow;
use crate::db::users::{Detail, UserRow};
use crate::domain::files::{human_size, is_inline_image};
use crate::domain::{markup, UserType};
use crate::ops::files::{self, Attached};
use crate::state::AppState;
use rusqlite::Connection;
use serde::Serialize;
use std::collections::BTreeMap;

/// A message. `html` is the chat markup rendered by the server from escaped text,
/// the only field the widget ever inserts as HTML.
#[derive(Serialize)]
pub struct MessageView {
    id: String,
    message: String,
    html: String,
    user_type: &'static str,
    user_id: String,
    first_name: String,
    last_name: String,
    profile_image: String,
    creation_time: String,
    status_code: String,
    /// `[name, link]` pairs; only http(s) links.
    attachments: Vec<(String, String)>,
    /// The attachments that are this server's files, with what the widget shows.
    files: Vec<FileView>,
}

/// One of this server's files attached to a message.
#[derive(Serialize)]
pub struct FileView {
    name: String,
    url: String,
    /// As people read it: `12 KB`.
    size: String,
    /// Whether it is a raster image (shown in the message).
    image: bool,
    thumbnail: Option<String>,
}

impl FileView {
    pub fn new(state: &AppState, file: &FileRow) -> Self {
        Self {
            name: file.name.clone(),
            url: files::url(state, file),
            size: human_size(file.size),
            image: is_inline_image(&file.extension),
            thumbnail: files::thumbnail_url(state, file),
        }
    }
}

impl MessageView {
    /// Views of `rows`, their files found in one pass.
    pub fn many(conn: &Connection, state: &AppState, rows: &[MessageRow]) -> rusqlite::Result<Vec<Self>> {
        let attached = files::attached(conn, state, rows.iter().map(|row| row.attachments.as_str()))?;
        Ok(rows.iter().zip(attached).map(|(row, attached)| Self::new(state, row, attached)).collect())
    }

    pub fn new(state: &AppState, row: &MessageRow, attached: Vec<Attached>) -> Self {
        let web = |link: &str| url::Url::parse(link).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        let files = attached.iter().filter_map(|a| a.file.as_ref()).map(|file| FileView::new(state, file)).collect();
        let attachments = attached.into_iter().filter(|a| web(&a.link)).map(|a| (a.name, a.link)).collect();
        Self {
            id: row.id.to_string(),
            message: row.message.clone(),
            html: markup::to_html(&row.message),
            user_type: row.user_type.as_str(),
            user_id: row.user_id.to_string(),
            first_name: row.first_name.clone(),
            last_name: row.last_name.clone(),
            profile_image: profile_image_url(state, row.profile_image.as_deref()),
            creation_time: row.creation_time.clone(),
            status_code: row.status_code.to_string(),
            attachments,
            files,
        }
    }
}

/// The visitor as the widget shows them and `getVisitorInfo` answers.
#[derive(Serialize)]
pub struct VisitorView {
    id: String,
    first_name: String,
    last_name: String,
    email: Option<String>,
    user_type: &'static str,
    /// Whether they told who they are (a lead or a user).
    identified: bool,
    details: BTreeMap<String, String>,
}

impl VisitorView {
    pub fn new(user: &UserRow, details: Vec<Detail>) -> Self {
        Self {
            id: user.id.to_string(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            email: user.email.clone(),
            user_type: user.user_type.as_str(),
            identified: user.user_type != UserType::Visitor,
            details: details.into_iter().map(|d| (d.slug, d.value)).collect(),
        }
    }
}

/// The visitor's latest conversation.
#[derive(Serialize)]
pub struct ConversationView {
    id: String,
    status_code: String,
    rating: Option<String>,
}

impl ConversationView {
    pub fn new(row: &ConversationRow) -> Self {
        Self {
            id: row.id.to_string(),
            status_code: row.status_code.to_string(),
            rating: row.rating.map(|r| r.to_string()),
        }
    }
}
