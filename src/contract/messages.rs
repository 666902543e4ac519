//! A message as the contract shows it.

use super::profile_image_url;
use crate::db::messages::MessageRow;
use crate::state::AppState;

/// A message as the contract shows it, with its sender's name and picture.
#[derive(serde::Serialize)]
pub struct MessageJson<'a> {
    #[serde(serialize_with = "super::number_text")]
    id: i64,
    #[serde(serialize_with = "super::number_text")]
    user_id: i64,
    message: &'a str,
    creation_time: &'a str,
    attachments: &'a str,
    #[serde(serialize_with = "super::number_text")]
    status_code: i64,
    payload: &'a str,
    #[serde(serialize_with = "super::number_text")]
    conversation_id: i64,
    first_name: &'a str,
    last_name: &'a str,
    profile_image: String,
    user_type: &'static str,
}

impl<'a> MessageJson<'a> {
    pub fn new(state: &AppState, row: &'a MessageRow) -> Self {
        Self {
            id: row.id,
            user_id: row.user_id,
            message: &row.message,
            creation_time: &row.creation_time,
            attachments: &row.attachments,
            status_code: row.status_code,
            payload: &row.payload,
            conversation_id: row.conversation_id,
            first_name: &row.first_name,
            last_name: &row.last_name,
            profile_image: profile_image_url(state, row.profile_image.as_deref()),
            user_type: row.user_type.as_str(),
        }
    }
}
