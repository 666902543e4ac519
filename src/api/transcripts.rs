//! `transcript`: a conversation exported as CSV or text, handed out by an
//! unguessable link that expires after `download_ttl_seconds`.

use super::Call;
use crate::db::conversations;
use crate::db::downloads::{self, Download};
use crate::db::messages::{self, MessageRow};
use crate::error::{ApiResult, Failure};
use serde_json::{json, Value};
use std::fmt::Write as _;

pub fn transcript(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("conversation_id")?;
    let csv = match call.args.text("type")?.as_deref().map(str::trim) {
        None | Some("") | Some("false") | Some("csv") => true,
        Some("txt") => false,
        Some(_) => return Err(Failure::invalid("type", "expected csv or txt").into()),
    };
    let Some(conversation) = conversations::find(call.conn, id)? else { return Ok(json!(false)) };
    let rows = messages::of_conversation(call.conn, id)?;
    let (body, extension, content_type) = if csv {
        (to_csv(&rows)?, "csv", "text/csv; charset=utf-8")
    } else {
        (to_text(&conversation.title, id, &rows), "txt", "text/plain; charset=utf-8")
    };
    let token = crate::crypto::random_hex(24);
    let file_name = format!("conversation-{id}.{extension}");
    let dir = call.state.config.uploads_dir().join("transcripts");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{token}.{extension}"));
    std::fs::write(&path, body)?;
    let download =
        Download { file_name: file_name.clone(), content_type: content_type.into(), path: path.display().to_string() };
    let expires = call.state.clock.now() + chrono::Duration::seconds(call.state.config.download_ttl_seconds as i64);
    call.write(|tx| Ok(downloads::insert(tx, &token, &download, &crate::clock::format(expires))?))?;
    Ok(json!(format!("{}/downloads/{token}/{file_name}", call.state.config.public_base())))
}

fn sender(row: &MessageRow) -> String {
    format!("{} {}", row.first_name, row.last_name).trim().to_string()
}

fn attachment_names(row: &MessageRow) -> Vec<(String, String)> {
    serde_json::from_str::<Vec<(String, String)>>(&row.attachments).unwrap_or_default()
}

fn to_csv(rows: &[MessageRow]) -> ApiResult<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let write_error = |err: csv::Error| {
        tracing::error!(error = %err, "writing transcript");
        Failure::InternalError
    };
    writer.write_record(["Date", "Name", "User type", "Message", "Attachments"]).map_err(write_error)?;
    for row in rows {
        let attachments: Vec<String> =
            attachment_names(row).into_iter().map(|(name, link)| format!("{name} ({link})")).collect();
        let cells = [
            row.creation_time.clone(),
            sender(row),
            row.user_type.as_str().into(),
            row.message.clone(),
            attachments.join(", "),
        ];
        writer.write_record(cells.iter().map(|cell| neutralise_formula(cell))).map_err(write_error)?;
    }
    writer.into_inner().map_err(|err| write_error(err.into_error().into()).into())
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
