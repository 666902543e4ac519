//! Internal notes on conversations: written by agents and admins, never shown to
//! the customer. The text is stored as typed; every page that shows it escapes it.

use super::Call;
use crate::db::notes;
use crate::error::{ApiResult, Outcome};
use crate::ops::notes::{add, NOTE_MAX};
use serde_json::{json, Value};

pub fn get_notes(call: &mut Call) -> ApiResult<Value> {
    let conversation_id = call.args.required_id("conversation_id")?;
    let rows = notes::of_conversation(call.db.conn()?, conversation_id)?;
    Ok(rows
        .iter()
        .map(|note| {
            json!({
                "id": note.id,
                "user_id": note.user_id.to_string(),
                "name": note.name,
                "message": note.message,
                "creation_time": note.creation_time,
            })
        })
        .collect())
}

/// `user_id` is the agent writing the note; the calling admin when absent.
pub fn add_note(call: &mut Call) -> ApiResult<Value> {
    let conversation_id = call.args.required_id("conversation_id")?;
    let author = call.args.id("user_id")?.unwrap_or(call.caller.id);
    let name = call.args.text_max("name", 255)?.unwrap_or_default();
    let message = call.args.required_text("message", NOTE_MAX)?;
    let now = call.now();
    let id = call.write(move |tx| Ok(add(tx, conversation_id, author, name.trim(), &message, &now)?))?;
    Ok(json!(id))
}

pub fn delete_note(call: &mut Call) -> ApiResult<Value> {
    let conversation_id = call.args.required_id("conversation_id")?;
    let note_id = call.args.required_id("note_id")?;
    if call.write(move |tx| Ok(notes::delete(tx, conversation_id, note_id)?))? {
        Ok(json!(true))
    } else {
        Err(Outcome::NoteNotFound.into())
    }
}
