//! Conversations and people as files: CSV written by the `csv` crate with every
//! cell guarded against formula injection, and plain-text transcripts.

use super::{OpsError, OpsResult};
use crate::db::messages::MessageRow;
use std::fmt::Write as _;

fn sender(row: &MessageRow) -> String {
    crate::domain::people::full_name(&row.first_name, &row.last_name)
}

fn attachment_names(row: &MessageRow) -> Vec<(String, String)> {
    serde_json::from_str::<Vec<(String, String)>>(&row.attachments).unwrap_or_default()
}

/// A conversation's messages as CSV: the `transcript` file and the admin area's download.
pub fn to_csv(rows: &[MessageRow]) -> OpsResult<Vec<u8>> {
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
pub fn write_row<const N: usize>(writer: &mut csv::Writer<Vec<u8>>, cells: [impl AsRef<str>; N]) -> OpsResult<()> {
    writer.write_record(cells.iter().map(|cell| neutralise_formula(cell.as_ref()))).map_err(csv_failure)?;
    Ok(())
}

pub fn finish(writer: csv::Writer<Vec<u8>>) -> OpsResult<Vec<u8>> {
    writer.into_inner().map_err(|err| csv_failure(err.into_error().into()))
}

fn csv_failure(err: csv::Error) -> OpsError {
    tracing::error!(error = %err, "writing CSV");
    OpsError::Internal
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

pub fn to_text(title: &str, id: i64, rows: &[MessageRow]) -> Vec<u8> {
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
