//! What the widget is sent: messages with their HTML made by the server, the
//! visitor, their conversation. Row columns are strings, as in the API.

use crate::contract::profile_image_url;
use crate::db::conversations::ConversationRow;
use crate::db::messages::MessageRow;
use crate::db::users::{Detail, UserRow};
use crate::domain::{markup, UserType};
use crate::state::AppState;
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
}

impl MessageView {
    pub fn new(state: &AppState, row: &MessageRow) -> Self {
        let attachments = serde_json::from_str::<Vec<(String, String)>>(&row.attachments)
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, link)| url::Url::parse(link).is_ok_and(|u| matches!(u.scheme(), "http" | "https")))
            .collect();
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
