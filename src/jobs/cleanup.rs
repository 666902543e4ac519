//! `clean-data`, exactly as the contract states it and nothing more:
//! 1. delete visitors older than 24 hours (created, and last active, over 24 hours
//!    ago: a visitor chatting right now is not old);
//! 2. delete messages in the trash older than 30 days (trashed conversations whose
//!    last message, or creation if empty, is over 30 days old; their messages go
//!    with them);
//! 3. archive conversations whose last message is an agent's or an admin's and is
//!    over 24 hours old;
//! 4. and, for uploads, remove orphans: files uploaded over 24 hours ago that no
//!    message ever carried, and bytes on disk over an hour old that no file row
//!    names (a crash between writing them and committing the row).
//!
//! Each deleted visitor fires `user-deleted` and each archived conversation
//! `conversation-status-updated`, in the same transaction.

use crate::db::blobs::{self, Blobs};
use crate::db::doorway::Db;
use crate::db::{cleanup, files};
use crate::error::{ApiError, ApiResult};
use crate::outbox::events;
use crate::state::AppState;
use chrono::Duration;
use serde_json::{json, Value};

pub fn clean_data_job(db: &mut Db, state: &AppState) -> ApiResult<Value> {
    let now = state.clock.now();
    let day_ago = crate::clock::format(now - Duration::hours(24));
    let month_ago = crate::clock::format(now - Duration::days(30));
    let shared = state.clone();
    let (visitors, trashed, archived) = db.write(move |tx| {
        let visitors = cleanup::delete_old_visitors(tx, &day_ago)?;
        let trashed = cleanup::delete_old_trash(tx, &month_ago)?;
        let archived = cleanup::archive_answered(tx, &day_ago)?;
        files::forget_unused(tx, &day_ago)?;
        events::users_deleted(tx, &shared, &visitors)?;
        events::archived(tx, &shared, &archived)?;
        Ok::<_, ApiError>((visitors.len(), trashed, archived.len()))
    })?;
    let blobs = Blobs::new(&state.config.uploads_dir());
    let removed = blobs::remove_gone(db, &blobs)? + remove_strays(db, &blobs)?;
    state.background.wake();
    Ok(json!({
        "visitors_deleted": visitors,
        "trashed_conversations_deleted": trashed,
        "conversations_archived": archived,
        "files_removed": removed
    }))
}

/// Removes bytes on disk over an hour old that no file row names; younger ones
/// may belong to an upload whose row is about to commit.
fn remove_strays(db: &mut Db, blobs: &Blobs) -> ApiResult<usize> {
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let mut removed = 0;
    for key in blobs.keys_older_than(hour_ago) {
        if !files::exists(db.conn()?, &key)? {
            db.outside(|| blobs.remove(&key))?;
            removed += 1;
        }
    }
    Ok(removed)
}
