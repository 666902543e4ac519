//! Files attached to messages, for every channel: storing an upload (checked
//! against the settings by its content, with a thumbnail for images), the links
//! that serve it, which messages carry which files, and removing the bytes of
//! files no message carries any more.
//!
//! A file's link holds its random key, which nothing lists: whoever was given the
//! link (the customer, an email recipient, the agents) can open it, and nobody
//! else can find it.

use super::{OpsError, OpsResult};
use crate::db::blobs::Blobs;
use crate::db::doorway::Db;
use crate::db::files::{self, FileRow, NewFile};
use crate::domain::files::{display_name, is_inline_image, is_key, sniff, Refusal};
use crate::state::AppState;
use rusqlite::Connection;
use std::sync::Arc;

/// A file as it arrived.
pub struct Upload {
    /// The name the client gave (only ever displayed).
    pub name: String,
    pub bytes: Vec<u8>,
    pub uploaded_by: Option<i64>,
}

/// Stores `upload` if the settings allow its size and its type (judged by its
/// content), with a thumbnail for raster images: the bytes are written and synced
/// with nothing held, then the row commits. Answers the stored file.
pub fn store(db: &mut Db, state: &AppState, upload: Upload) -> OpsResult<FileRow> {
    let limits = state.settings(db.conn()?)?.files.clone();
    let max_bytes = limits.max_bytes.min(state.config.max_upload_bytes);
    if upload.bytes.is_empty() {
        return Err(OpsError::FileRefused(Refusal::Empty));
    }
    if upload.bytes.len() > max_bytes {
        return Err(OpsError::FileRefused(Refusal::TooLarge { max_mb: max_bytes >> 20 }));
    }
    let kind = sniff(&upload.bytes, &upload.name);
    if !limits.allowed.contains(&kind.extension) {
        return Err(OpsError::FileRefused(Refusal::TypeNotAllowed { extension: kind.extension }));
    }
    let key = crate::crypto::random_hex(16);
    let name = display_name(&upload.name, &kind.extension);
    let size = i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX);
    let blobs = Blobs::new(&state.config.uploads_dir());
    let image = is_inline_image(&kind.extension);
    let (dimensions, thumbnail) = db.outside(|| -> OpsResult<_> {
        let bytes = Arc::new(upload.bytes);
        let (dimensions, thumbnail) = if image { picture(state, bytes.clone()) } else { (None, None) };
        let thumb_bytes = thumbnail.as_ref().map(|t| t.bytes.as_slice());
        blobs.write(&key, &bytes, thumb_bytes).map_err(|err| {
            tracing::error!(error = %err, "an upload could not be written");
            OpsError::Internal
        })?;
        Ok((dimensions, thumbnail.map(|t| t.content_type)))
    })?;
    let now = state.clock.now_text();
    let row = FileRow {
        id: 0,
        key: key.clone(),
        name,
        content_type: kind.content_type,
        extension: kind.extension,
        size,
        width: dimensions.map(|(w, _)| i64::from(w)),
        height: dimensions.map(|(_, h)| i64::from(h)),
        thumbnail: thumbnail.map(str::to_string),
        uploaded_by: upload.uploaded_by,
    };
    let saved = row.clone();
    let inserted = db.write(move |tx| {
        files::insert(
            tx,
            &NewFile {
                key: &saved.key,
                name: &saved.name,
                content_type: &saved.content_type,
                extension: &saved.extension,
                size: saved.size,
                dimensions,
                thumbnail: saved.thumbnail.as_deref(),
                uploaded_by: saved.uploaded_by,
                now: &now,
            },
        )
    });
    match inserted {
        Ok(id) => Ok(FileRow { id, ..row }),
        Err(err) => {
            let _ = blobs.remove(&key);
            Err(err.into())
        }
    }
}

/// An image's size and thumbnail, made on the images thread; when that thread's
/// queue is full the image is kept without a thumbnail (pages then scale the image).
fn picture(state: &AppState, bytes: Arc<Vec<u8>>) -> (Option<(u32, u32)>, Option<crate::images::Thumbnail>) {
    let dimensions = crate::images::dimensions(&bytes);
    let made = state.images.submit(move || crate::images::thumbnail(&bytes)).wait_blocking();
    if made.is_err() {
        tracing::warn!("the thumbnail queue is full: an image is kept without a thumbnail");
    }
    (dimensions, made.ok().flatten())
}

/// The link that serves the file: `<public base>/files/<key>/<name>`.
pub fn url(state: &AppState, file: &FileRow) -> String {
    let name: String = url::form_urlencoded::byte_serialize(file.name.as_bytes()).collect();
    format!("{}/files/{}/{}", state.config.public_base(), file.key, name.replace('+', "%20"))
}

/// The link of the file's thumbnail, when it has one.
pub fn thumbnail_url(state: &AppState, file: &FileRow) -> Option<String> {
    file.thumbnail.as_ref().map(|_| format!("{}/files/thumbnails/{}", state.config.public_base(), file.key))
}

/// The keys of this server's files among attachments (`[["name", "link"], …]`
/// JSON as stored, or empty), in order.
pub fn keys_in(state: &AppState, attachments: &str) -> Vec<String> {
    let prefix = format!("{}/files/", state.config.public_base());
    let Ok(serde_json::Value::Array(pairs)) = serde_json::from_str(attachments) else { return Vec::new() };
    pairs
        .iter()
        .filter_map(|pair| pair.get(1)?.as_str()?.strip_prefix(&prefix)?.split('/').next().map(str::to_string))
        .filter(|key| is_key(key))
        .collect()
}

/// An attachment as a message shows it: its name and link and, when the link is
/// one of this server's files, that file.
pub struct Attached {
    pub name: String,
    pub link: String,
    pub file: Option<FileRow>,
}

/// The attachments (`[["name", "link"], …]` JSON as stored) of each message in
/// `messages`, with this server's files found in one pass.
pub fn attached<'a>(
    conn: &Connection,
    state: &AppState,
    messages: impl Iterator<Item = &'a str> + Clone,
) -> rusqlite::Result<Vec<Vec<Attached>>> {
    let keys: Vec<String> = messages.clone().flat_map(|attachments| keys_in(state, attachments)).collect();
    let found = files::find_many(conn, &keys)?;
    let prefix = format!("{}/files/", state.config.public_base());
    let file_of = |link: &str| {
        let key = link.strip_prefix(&prefix)?.split('/').next()?;
        found.iter().find(|file| file.key == key).cloned()
    };
    Ok(messages
        .map(|attachments| {
            serde_json::from_str::<Vec<(String, String)>>(attachments)
                .unwrap_or_default()
                .into_iter()
                .map(|(name, link)| Attached { file: file_of(&link), name, link })
                .collect()
        })
        .collect())
}

/// How many attachments `attachments` holds, checked against `upload-max-files`.
pub fn check_count(conn: &Connection, state: &AppState, attachments: &str) -> OpsResult<()> {
    let count = match serde_json::from_str(attachments) {
        Ok(serde_json::Value::Array(pairs)) => pairs.len(),
        _ => 0,
    };
    let max = state.settings(conn)?.files.max_per_message;
    if count > max {
        return Err(OpsError::FileRefused(Refusal::TooMany { max }));
    }
    Ok(())
}

/// Records that message `message_id` carries exactly the files of `keys` (those
/// that exist); a file it no longer carries, and no other message does, is
/// forgotten. Call inside the write that stores or edits the message.
pub fn attach(tx: &Connection, message_id: i64, keys: &[String]) -> rusqlite::Result<()> {
    let found = files::find_many(tx, keys)?;
    for file in &found {
        files::link(tx, message_id, file.id)?;
    }
    let kept: Vec<i64> = found.iter().map(|file| file.id).collect();
    files::unlink_others(tx, message_id, &kept)
}

/// Whether every key names a file `user_id` uploaded (a visitor may attach only
/// their own uploads).
pub fn all_uploaded_by(conn: &Connection, user_id: i64, keys: &[String]) -> rusqlite::Result<bool> {
    let found = files::find_many(conn, keys)?;
    Ok(found.len() == keys.len() && found.iter().all(|file| file.uploaded_by == Some(user_id)))
}
