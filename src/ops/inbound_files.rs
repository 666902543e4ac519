//! Email in: attachments, stored through [`super::files`] like any upload (checked
//! by their content against `upload-max-size`, `upload-allowed-types` and
//! `upload-max-files`; bytes written, synced and thumbnailed with no connection
//! or database turn held; the file's row committed) before the batch's write,
//! which links them to the message together with the mailbox's new position.
//! A crash between the two leaves files no message carries, which `clean-data`
//! removes after a day; never a message whose files are missing. An attachment
//! the settings refuse is named in the message with the reason, and the email is
//! still taken.

use super::files::{self, Upload};
use super::inbound_email::{Filed, Inbound};
use super::{OpsError, OpsResult};
use crate::db::doorway::Db;
use crate::domain::files::Refusal;
use crate::state::AppState;

/// Stores `email`'s attachments, recording in each what became of it; the bytes
/// are dropped from the email as they are stored.
pub fn store(db: &mut Db, state: &AppState, email: &mut Inbound) -> OpsResult<()> {
    let max = state.settings(db.conn()?)?.files.max_per_message;
    for (index, attachment) in email.attachments.iter_mut().enumerate() {
        let bytes = std::mem::take(&mut attachment.bytes);
        if index >= max {
            attachment.filed = Some(Filed::Refused(reason(&Refusal::TooMany { max })));
            continue;
        }
        let upload = Upload { name: attachment.name.clone(), bytes, uploaded_by: None };
        attachment.filed = Some(match files::store(db, state, upload) {
            Ok(file) => Filed::Stored { link: files::url(state, &file), key: file.key, name: file.name },
            Err(OpsError::FileRefused(why)) => Filed::Refused(reason(&why)),
            Err(err) => return Err(err),
        });
    }
    Ok(())
}

/// The message's attachments (`[["name", "link"], …]` JSON, or empty) and the
/// keys of its stored files.
pub fn attachments(email: &Inbound) -> (String, Vec<String>) {
    let stored: Vec<(&String, &String, &String)> = email
        .attachments
        .iter()
        .filter_map(|attachment| match &attachment.filed {
            Some(Filed::Stored { key, link, name }) => Some((key, link, name)),
            _ => None,
        })
        .collect();
    if stored.is_empty() {
        return (String::new(), Vec::new());
    }
    let pairs: Vec<[&String; 2]> = stored.iter().map(|(_, link, name)| [*name, *link]).collect();
    let json = serde_json::to_string(&pairs).unwrap_or_default();
    (json, stored.into_iter().map(|(key, _, _)| key.clone()).collect())
}

/// Why the settings refused an attachment, in words naming the setting.
fn reason(why: &Refusal) -> String {
    match why {
        Refusal::TooLarge { max_mb } => format!("larger than {max_mb} MB (upload-max-size)"),
        Refusal::TypeNotAllowed { extension } => format!("type {extension} not allowed (upload-allowed-types)"),
        Refusal::TooMany { max } => format!("more than {max} files (upload-max-files)"),
        Refusal::Empty => "empty".into(),
    }
}
