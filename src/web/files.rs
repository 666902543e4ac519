//! Files the API wrote: avatars (public, by content-derived name) and transcripts
//! (only through an unexpired, unguessable download token).

use super::failure_response;
use crate::db::downloads;
use crate::error::{ApiError, Failure};
use crate::state::AppState;
use actix_files::NamedFile;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

/// SVG may carry script; this policy keeps an avatar opened on its own inert.
const SVG_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'";

pub async fn avatar(req: HttpRequest, state: web::Data<AppState>, file: web::Path<String>) -> HttpResponse {
    let name = file.into_inner();
    let valid =
        name.strip_suffix(".svg").is_some_and(|stem| !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_hexdigit()));
    if !valid {
        return failure_response(StatusCode::NOT_FOUND, Failure::NotFound);
    }
    // Opened and read off the async workers, as every file served is.
    let Ok(opened) = NamedFile::open_async(state.config.uploads_dir().join("avatars").join(&name)).await else {
        return failure_response(StatusCode::NOT_FOUND, Failure::NotFound);
    };
    let mut response = opened.set_content_type("image/svg+xml".parse().expect("a valid MIME type")).into_response(&req);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, header::HeaderValue::from_static(SVG_POLICY));
    headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("public, max-age=86400"));
    response
}

pub async fn download(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>) -> HttpResponse {
    let (token, requested_name) = path.into_inner();
    let now = state.clock.now_text();
    let found = state.read(move |conn| Ok(downloads::find_live(conn, &token, &now)?)).await;
    let download = match found {
        Ok(Some(download)) if download.file_name == requested_name => download,
        Ok(_) => return failure_response(StatusCode::NOT_FOUND, Failure::NotFound),
        Err(ApiError::Failure(failure)) => return failure_response(StatusCode::INTERNAL_SERVER_ERROR, failure),
        Err(ApiError::Outcome(_)) => return failure_response(StatusCode::NOT_FOUND, Failure::NotFound),
    };
    let Ok(opened) = NamedFile::open_async(&download.path).await else {
        return failure_response(StatusCode::NOT_FOUND, Failure::NotFound);
    };
    let mime = download.content_type.parse().unwrap_or(actix_web::mime::APPLICATION_OCTET_STREAM);
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(download.file_name)],
    };
    let mut response = opened.set_content_type(mime).set_content_disposition(disposition).into_response(&req);
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("private, no-store"));
    response
}
