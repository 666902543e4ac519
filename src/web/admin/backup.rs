//! Downloading a fresh backup from the admin area (admins): a confirmation page
//! first, since the archive holds everything (every conversation, the password
//! hashes, `secret.key`), then the archive itself, written to a hidden file in
//! the data directory and streamed from it. The file is unlinked as soon as it is
//! open, so nothing is left behind whatever happens to the download.

use super::confirm::ConfirmPage;
use super::form::Fields;
use super::guard::AdminPost;
use super::{render, Frame, PageError};
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::{web, HttpResponse};
use std::io::Read;

pub async fn confirm_page(admin: Admin, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    admin.require_admin()?;
    let base = &state.config.base_path;
    render(&ConfirmPage {
        frame: Frame::new(&state, &admin, "jobs", "Download a backup"),
        question: "Download a backup of everything?".into(),
        explanation: "The archive holds the whole database (every conversation, every user and their password \
                      hashes), secret.key, which makes API tokens, and the uploaded files. Keep it as safe as the \
                      server itself."
            .into(),
        action: format!("{base}/admin/backup"),
        fields: Vec::new(),
        button: "Download the backup",
        cancel: format!("{base}/admin/jobs"),
    })
}

pub async fn download(state: web::Data<AppState>, posted: AdminPost<Fields>) -> Result<HttpResponse, PageError> {
    let now = state.clock.now();
    let config = state.config.clone();
    let name = format!("switchboard-{}.tar.gz", crate::backup::stamp(now));
    let opened = web::block(move || {
        let path = config.data_dir.join(format!(".download-{}.tar.gz", crate::crypto::random_hex(16)));
        let written = crate::backup::create(&config, &path, crate::backup::Contents::Everything);
        let file = written.and_then(|_| {
            let file = std::fs::File::open(&path).map_err(|source| crate::backup::BackupError::Io {
                what: "cannot read",
                path: path.clone(),
                source,
            });
            let _ = std::fs::remove_file(&path);
            file
        });
        file.map_err(|err| {
            tracing::error!(error = %err, "backup download failed");
        })
    })
    .await
    .map_err(|_| PageError::Unavailable)?
    .map_err(|()| PageError::Unavailable)?;
    let length = opened.metadata().map(|m| m.len()).map_err(|_| PageError::Unavailable)?;
    let (actor, when, file) = (posted.admin.actor(), state.clock.now_text(), name.clone());
    let details = serde_json::json!({ "file": file, "bytes": length });
    state.write(move |tx| Ok(crate::ops::audit::backup(tx, &when, &actor, "backup.download", details)?)).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/gzip")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .insert_header(("Cache-Control", "no-store"))
        .no_chunking(length)
        .streaming(chunks(opened)))
}

/// The file's bytes, read on the blocking pool a chunk at a time.
fn chunks(file: std::fs::File) -> impl futures_util::Stream<Item = Result<web::Bytes, std::io::Error>> {
    futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let read = web::block(move || {
            let mut chunk = vec![0u8; 64 * 1024];
            let n = file.read(&mut chunk)?;
            chunk.truncate(n);
            Ok::<_, std::io::Error>((chunk, file))
        })
        .await;
        match read {
            Ok(Ok((chunk, _))) if chunk.is_empty() => None,
            Ok(Ok((chunk, file))) => Some((Ok(web::Bytes::from(chunk)), Some(file))),
            Ok(Err(err)) => Some((Err(err), None)),
            Err(_) => Some((Err(std::io::Error::other("the blocking pool is gone")), None)),
        }
    })
}
