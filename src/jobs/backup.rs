//! `backup`: at the time `cron-backup` says, writes a backup archive (database,
//! `secret.key`, `uploads/`) to the `backup-folder` setting's folder and deletes
//! the oldest beyond `backup-keep`. Without a folder it does nothing (and is not
//! recorded). A failure is recorded as the run's outcome and emailed to every
//! admin with an address, through the outbox.

use crate::db::doorway::Db;
use crate::db::users;
use crate::domain::email_template::{html_document, text_to_html};
use crate::domain::UserType;
use crate::error::{ApiError, ApiResult, Failure};
use crate::outbox::email::{self, OutgoingEmail};
use crate::state::AppState;
use serde_json::{json, Value};
use std::path::PathBuf;

pub fn backup_job(db: &mut Db, state: &AppState) -> ApiResult<Value> {
    let settings = state.settings(db.conn()?)?;
    if settings.backup.folder.is_empty() {
        return Ok(json!({ "skipped": "no backup-folder is set" }));
    }
    let folder = state.config.data_dir.join(&settings.backup.folder);
    let now = state.clock.now();
    let config = state.config.clone();
    let keep = settings.backup.keep;
    let written = db.outside(move || {
        crate::data_dir::create_private(&folder).map_err(|err| format!("cannot create {}: {err}", folder.display()))?;
        let file: PathBuf = folder.join(crate::backup::scheduled_name(now));
        let bytes = crate::backup::create(&config, &file, crate::backup::Contents::Everything)
            .map_err(|err| err.to_string())?;
        let deleted = crate::backup::prune(&folder, keep).map_err(|err| err.to_string())?;
        Ok::<_, String>(json!({ "file": file.display().to_string(), "bytes": bytes, "deleted": deleted }))
    });
    match written {
        Ok(report) => {
            let (now, details) = (state.clock.now_text(), report.clone());
            let system = crate::domain::audit::Actor::system();
            db.write(move |tx| crate::db::audit::append(tx, &now, &system, "backup.create", None, &details))?;
            Ok(report)
        }
        Err(why) => {
            tracing::error!(reason = %why, "scheduled backup failed");
            tell_admins(db, state, &why)?;
            Err(Failure::BackupFailed(why).into())
        }
    }
}

/// Whether the run did nothing (no folder set).
pub fn idle(report: &Value) -> bool {
    report.get("skipped").is_some()
}

/// Queues an email to every admin with an address saying why the backup failed.
fn tell_admins(db: &mut Db, state: &AppState, why: &str) -> ApiResult<()> {
    let admins: Vec<_> = users::agents_with_email(db.conn()?, None)?
        .into_iter()
        .filter(|user| user.user_type == UserType::Admin)
        .collect();
    let now = state.clock.now_text();
    let text = format!(
        "The scheduled backup of {now} (UTC) failed:\n\n{why}\n\nNo new backup was written. Check the backup \
         folder in Settings › Backups and the Jobs page of the admin area."
    );
    let emails: Vec<OutgoingEmail> = admins
        .iter()
        .filter_map(|admin| {
            Some(OutgoingEmail {
                to: admin.email.clone()?,
                to_name: crate::domain::people::full_name(&admin.first_name, &admin.last_name),
                subject: "Switchboard: the scheduled backup failed".into(),
                text: text.clone(),
                html: html_document(&text_to_html(&text)),
                recipient_id: Some(admin.id),
                sender_suffix: String::new(),
                threading: None,
                files: Vec::new(),
            })
        })
        .collect();
    if emails.is_empty() {
        return Ok(());
    }
    db.write(move |tx| {
        for composed in &emails {
            email::queue(tx, composed, &now)?;
        }
        Ok::<_, ApiError>(())
    })?;
    state.background.wake();
    Ok(())
}
