//! Files the API hands out: `transcript` (a conversation as CSV or text) and
//! `csv-users`, each behind an unguessable link that expires after
//! `download_ttl_seconds`. CSV cells are written by the `csv` crate and guarded
//! against formula injection.

use super::Call;
use crate::db::downloads::{self, Download};
use crate::db::messages::{self};
use crate::db::{conversations, users};
use crate::error::{ApiResult, Failure};
use crate::ops::exports::{finish, to_csv, to_text, write_row};
use serde_json::{json, Value};

pub fn transcript(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("conversation_id")?;
    let csv = match call.args.text("type")?.as_deref().map(str::trim) {
        None | Some("") | Some("false") => call.state.settings(call.db.conn()?)?.transcript_type != "txt",
        Some("csv") => true,
        Some("txt") => false,
        Some(_) => return Err(Failure::invalid("type", "expected csv or txt").into()),
    };
    let Some(conversation) = conversations::find(call.db.conn()?, id)? else { return Ok(json!(false)) };
    let rows = messages::of_conversation(call.db.conn()?, id)?;
    let (body, extension, content_type) = if csv {
        (to_csv(&rows)?, "csv", "text/csv; charset=utf-8")
    } else {
        (to_text(&conversation.title, id, &rows), "txt", "text/plain; charset=utf-8")
    };
    publish(call, &format!("conversation-{id}.{extension}"), content_type, &body)
}

pub fn csv_users(call: &mut Call) -> ApiResult<Value> {
    let users = users::all_for_export(call.db.conn()?)?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    write_row(
        &mut writer,
        ["ID", "First name", "Last name", "Email", "User type", "Created", "Last activity", "Details"],
    )?;
    for user in &users {
        let details: Vec<String> = user.details.iter().map(|(name, value)| format!("{name}: {value}")).collect();
        let row = [
            user.id.to_string(),
            user.first_name.clone(),
            user.last_name.clone(),
            user.email.clone().unwrap_or_default(),
            user.user_type.clone(),
            user.creation_time.clone(),
            user.last_activity.clone(),
            details.join("; "),
        ];
        write_row(&mut writer, row)?;
    }
    let body = finish(writer)?;
    publish(call, "users.csv", "text/csv; charset=utf-8", &body)
}

/// Writes `body` under `uploads/exports/` and answers the link that serves it.
pub(super) fn publish(call: &mut Call, file_name: &str, content_type: &str, body: &[u8]) -> ApiResult<Value> {
    let token = crate::crypto::random_hex(24);
    let dir = call.state.config.uploads_dir().join("exports");
    let path = dir.join(&token);
    call.db.outside(|| std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, body)))?;
    let download = Download {
        file_name: file_name.to_string(),
        content_type: content_type.into(),
        path: path.display().to_string(),
    };
    let expires = call.state.clock.now() + chrono::Duration::seconds(call.state.config.download_ttl_seconds as i64);
    let link = format!("{}/downloads/{token}/{file_name}", call.state.config.public_base());
    call.write(move |tx| Ok(downloads::insert(tx, &token, &download, &crate::clock::format(expires))?))?;
    Ok(json!(link))
}
