//! Files the API wrote: avatars (public, by content-derived name) and transcripts
//! (only through an unexpired, unguessable download token).

use super::failure_response;
use crate::db::downloads;
use crate::error::{ApiError, Failure};
use crate::state::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

/// SVG may carry script; this policy keeps an avatar opened on its own inert.
const SVG_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'";

pub async fn avatar(state: web::Data<AppState>, file: web::Path<String>) -> HttpResponse {
    let name = file.into_inner();
    let valid =
        name.strip_suffix(".svg").is_some_and(|stem| !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_hexdigit()));
    if !valid {
        return failure_response(StatusCode::NOT_FOUND, Failure::NotFound);
    }
    match std::fs::read(state.config.uploads_dir().join("avatars").join(&name)) {
        Ok(bytes) => HttpResponse::Ok()
            .content_type("image/svg+xml")
            .insert_header((header::CONTENT_SECURITY_POLICY, SVG_POLICY))
            .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
            .body(bytes),
        Err(_) => failure_response(StatusCode::NOT_FOUND, Failure::NotFound),
    }
}

pub async fn download(state: web::Data<AppState>, path: web::Path<(String, String)>) -> HttpResponse {
    let (token, requested_name) = path.into_inner();
    let now = state.clock.now_text();
    let found = state.read(move |conn| Ok(downloads::find_live(conn, &token, &now)?)).await;
    let download = match found {
        Ok(Some(download)) if download.file_name == requested_name => download,
        Ok(_) => return failure_response(StatusCode::NOT_FOUND, Failure::NotFound),
        Err(ApiError::Failure(failure)) => return failure_response(StatusCode::INTERNAL_SERVER_ERROR, failure),
        Err(ApiError::Outcome(_)) => return failure_response(StatusCode::NOT_FOUND, Failure::NotFound),
    };
    match std::fs::read(&download.path) {
        Ok(bytes) => HttpResponse::Ok()
            .content_type(download.content_type)
            .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", download.file_name)))
            .insert_header((header::CACHE_CONTROL, "private, no-store"))
            .body(bytes),
        Err(_) => failure_response(StatusCode::NOT_FOUND, Failure::NotFound),
    }
}
