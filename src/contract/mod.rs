//! The contract's JSON shapes of stored rows, shared by the API's answers and the
//! webhooks' payloads: row columns as strings (`"id":"123"`), `null` when empty,
//! profile pictures as URLs.

mod conversations;
mod messages;

pub use conversations::DetailsJson;
pub use messages::MessageJson;

use crate::db::text_or_null;
use crate::db::users::UserRow;
use crate::state::AppState;
use serde::Serializer;
use serde_json::{json, Value};

/// A user as the contract shows one: row columns as strings, `null` when empty.
pub fn user_json(state: &AppState, user: &UserRow) -> Value {
    json!({
        "id": user.id.to_string(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "profile_image": profile_image_url(state, user.profile_image.as_deref()),
        "user_type": user.user_type.as_str(),
        "creation_time": user.creation_time,
        "last_activity": user.last_activity,
        "department": text_or_null(user.department),
        "token": state.key.api_token(&user.token_nonce),
    })
}

pub fn profile_image_url(state: &AppState, stored: Option<&str>) -> String {
    stored.filter(|s| !s.is_empty()).map_or_else(|| state.default_avatar_url(), str::to_string)
}

/// A number as a JSON string: `7` -> `"7"`.
pub fn number_text<S: Serializer>(number: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(number)
}

/// A number as a JSON string, or `null`.
pub fn number_text_or_null<S: Serializer>(number: &Option<i64>, serializer: S) -> Result<S::Ok, S::Error> {
    match number {
        Some(number) => serializer.collect_str(number),
        None => serializer.serialize_none(),
    }
}
