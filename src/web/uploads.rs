//! `GET /files/{key}/{name}` and `GET /files/thumbnails/{key}`: uploaded files,
//! streamed from disk (with ranges and revalidation) by their random key. The
//! name in the link is for people and is not checked; the key alone finds the file.
//!
//! Nothing here can run in the page's origin: every answer carries `nosniff` and
//! a sandboxing Content-Security-Policy, and only raster images (PNG, JPEG, GIF,
//! WebP) show inline; everything else, SVG and HTML included, downloads.

use super::failure_response;
use crate::db::blobs::Blobs;
use crate::db::files::{self, FileRow};
use crate::domain::files::{is_inline_image, is_key};
use crate::error::Failure;
use crate::state::AppState;
use actix_files::NamedFile;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

/// Runs nothing, loads nothing, even when opened on its own.
const SANDBOX: &str = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'";

pub async fn file(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>) -> HttpResponse {
    let (key, _name) = path.into_inner();
    let Some(file) = find(&state, key).await else { return missing() };
    let Some(path) = Blobs::new(&state.config.uploads_dir()).path(&file.key) else { return missing() };
    let disposition =
        if is_inline_image(&file.extension) { DispositionType::Inline } else { DispositionType::Attachment };
    serve(&req, path, &file.content_type, disposition, &file.name).await
}

pub async fn thumbnail(req: HttpRequest, state: web::Data<AppState>, key: web::Path<String>) -> HttpResponse {
    let Some(file) = find(&state, key.into_inner()).await else { return missing() };
    let (Some(content_type), Some(path)) =
        (file.thumbnail.as_deref(), Blobs::new(&state.config.uploads_dir()).thumbnail_path(&file.key))
    else {
        return missing();
    };
    serve(&req, path, content_type, DispositionType::Inline, &file.name).await
}

async fn find(state: &AppState, key: String) -> Option<FileRow> {
    if !is_key(&key) {
        return None;
    }
    state.read(move |conn| Ok(files::find(conn, &key)?)).await.ok().flatten()
}

async fn serve(
    req: &HttpRequest,
    path: std::path::PathBuf,
    content_type: &str,
    disposition: DispositionType,
    name: &str,
) -> HttpResponse {
    let Ok(opened) = NamedFile::open_async(path).await else { return missing() };
    let mime = content_type.parse().unwrap_or(actix_web::mime::APPLICATION_OCTET_STREAM);
    let disposition = ContentDisposition {
        disposition,
        parameters: vec![DispositionParam::FilenameExt(header::ExtendedValue {
            charset: header::Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: name.as_bytes().to_vec(),
        })],
    };
    let mut response = opened.set_content_type(mime).set_content_disposition(disposition).into_response(req);
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, header::HeaderValue::from_static(SANDBOX));
    // A key's file never changes; only those given the link have it.
    headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("private, max-age=31536000, immutable"));
    headers.insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
    response
}

fn missing() -> HttpResponse {
    failure_response(StatusCode::NOT_FOUND, Failure::NotFound)
}
