//! A conversation's details as the contract shows them.

use super::profile_image_url;
use crate::db::conversations::ConversationRow;
use crate::state::AppState;

/// A conversation's details as `get-conversation` shows them.
#[derive(serde::Serialize)]
pub struct DetailsJson<'a> {
    #[serde(serialize_with = "super::number_text")]
    user_id: i64,
    first_name: &'a str,
    last_name: &'a str,
    profile_image: String,
    user_type: &'static str,
    #[serde(serialize_with = "super::number_text")]
    id: i64,
    title: &'a str,
    conversation_time: &'a str,
    #[serde(serialize_with = "super::number_text")]
    conversation_status_code: i64,
    #[serde(serialize_with = "super::number_text_or_null")]
    department: Option<i64>,
    #[serde(serialize_with = "super::number_text_or_null")]
    agent_id: Option<i64>,
    source: Option<&'a str>,
    extra: Option<&'a str>,
    #[serde(serialize_with = "super::number_text_or_null")]
    rating: Option<i64>,
}

impl<'a> DetailsJson<'a> {
    pub fn new(state: &AppState, row: &'a ConversationRow) -> Self {
        Self {
            user_id: row.user_id,
            first_name: &row.first_name,
            last_name: &row.last_name,
            profile_image: profile_image_url(state, row.profile_image.as_deref()),
            user_type: row.user_type.as_str(),
            id: row.id,
            title: &row.title,
            conversation_time: &row.creation_time,
            conversation_status_code: row.status_code,
            department: row.department,
            agent_id: row.agent_id,
            source: row.source.as_deref(),
            extra: row.extra.as_deref(),
            rating: row.rating,
        }
    }
}
