//! Files the API hands out: `transcript` (a conversation as CSV or text) and
//! `csv-users`, each behind an unguessable link that expires after
//! `download_ttl_seconds`. CSV cells are written by the `csv` crate and guarded
//! against formula injection.

use super::Call;
use crate::db::downloads::{self, Download};
use crate::db::messages::{self, MessageRow};
use crate::db::{conversations, users};
use crate::error::{ApiResult, Failure};
use serde_json::{json, Value};
use std::fmt::Write as _;

pub fn transcript(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("conversation_id")?;
    let csv = match call.args.text("type")?.as_deref().map(str::trim) {
        None | Some("") | Some("false") => super::settings::current_by_id(call.db.conn()?, "transcript-type")? != "txt",
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
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(&token);
    std::fs::write(&path, body)?;
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

fn sender(row: &MessageRow) -> String {
    format!("{} {}", row.first_name, row.last_name).trim().to_string()
}

fn attachment_names(row: &MessageRow) -> Vec<(String, String)> {
    serde_json::from_str::<Vec<(String, String)>>(&row.attachments).unwrap_or_default()
}

/// A conversation's messages as CSV: the `transcript` file and the admin area's download.
pub(crate) fn to_csv(rows: &[MessageRow]) -> ApiResult<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    write_row(&mut writer, ["Date", "Name", "User type", "Message", "Attachments"])?;
    for row in rows {
        let attachments: Vec<String> =
            attachment_names(row).into_iter().map(|(name, link)| format!("{name} ({link})")).collect();
        write_row(
            &mut writer,
            [
                row.creation_time.clone(),
                sender(row),
                row.user_type.as_str().into(),
                row.message.clone(),
                attachments.join(", "),
            ],
        )?;
    }
    finish(writer)
}

/// One CSV record, every cell neutralised.
fn write_row<const N: usize>(writer: &mut csv::Writer<Vec<u8>>, cells: [impl AsRef<str>; N]) -> ApiResult<()> {
    writer.write_record(cells.iter().map(|cell| neutralise_formula(cell.as_ref()))).map_err(csv_failure)?;
    Ok(())
}

fn finish(writer: csv::Writer<Vec<u8>>) -> ApiResult<Vec<u8>> {
    writer.into_inner().map_err(|err| csv_failure(err.into_error().into()).into())
}

fn csv_failure(err: csv::Error) -> Failure {
    tracing::error!(error = %err, "writing CSV");
    Failure::InternalError
}

/// Spreadsheets run a cell that starts with `=`, `+`, `-`, `@` (or a tab or carriage
/// return before one) as a formula; a leading apostrophe makes it plain text.
pub fn neutralise_formula(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn to_text(title: &str, id: i64, rows: &[MessageRow]) -> Vec<u8> {
    let mut text = String::new();
    let heading = if title.is_empty() { format!("Conversation #{id}") } else { format!("Conversation #{id}: {title}") };
    let _ = writeln!(text, "{heading}\n");
    for row in rows {
        let _ = writeln!(text, "[{}] {} ({}): {}", row.creation_time, sender(row), row.user_type.as_str(), row.message);
        for (name, link) in attachment_names(row) {
            let _ = writeln!(text, "    Attachment: {name} <{link}>");
        }
    }
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::neutralise_formula;

    #[test]
    fn formula_cells_are_neutralised() {
        for dangerous in ["=1+1", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1"] {
            assert!(neutralise_formula(dangerous).starts_with('\''), "{dangerous:?}");
        }
        assert_eq!(neutralise_formula("hello = world"), "hello = world");
    }
}
