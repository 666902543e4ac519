//! `POST /admin/uploads`: a file from the reply box (button, drag and drop, or a
//! pasted image), sent by `admin.js` as multipart with the session's CSRF token.
//! Answers the API's envelope: `{"success":true,"response":{name, url, size,
//! thumbnail}}`, or the failure's code and message for the page to show.

use super::PageError;
use crate::bodies;
use crate::domain::files::human_size;
use crate::error::{envelope, ApiError, ApiResult, Failure};
use crate::ops::files::{self, Upload};
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::http::header;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use serde_json::{json, Value};

pub async fn upload(
    admin: Admin,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let (body, _held) = match read(&req, payload, &state).await {
        Ok(read) => read,
        Err(failure) => return Ok(answer(Err(failure.into()))),
    };
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let parts = match bodies::multipart(content_type, body, 4).await {
        Ok(parts) => parts,
        Err(failure) => return Ok(answer(Err(failure.into()))),
    };
    let token = parts.iter().find(|p| p.name == "csrf_token").and_then(|p| std::str::from_utf8(&p.bytes).ok());
    admin.check_csrf(token.unwrap_or_default())?;
    let Some(file) = parts.into_iter().find(|p| p.name == "file") else {
        return Ok(answer(Err(Failure::MissingArgument("file").into())));
    };
    let upload = Upload {
        name: file.file_name.unwrap_or_default(),
        bytes: file.bytes.to_vec(),
        uploaded_by: Some(admin.user.id),
    };
    let shared = state.get_ref().clone();
    let stored = state.session(move |db| Ok(files::store(db, &shared, upload)?)).await;
    Ok(answer(stored.map(|file| {
        json!({
            "name": file.name,
            "url": files::url(&state, &file),
            "size": human_size(file.size),
            "thumbnail": files::thumbnail_url(&state, &file),
        })
    })))
}

async fn read(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<(web::Bytes, bodies::Held), Failure> {
    if !req.content_type().eq_ignore_ascii_case("multipart/form-data") {
        return Err(Failure::MalformedBody("send the file as multipart/form-data".into()));
    }
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    bodies::read_capped(payload, declared, state.config.max_upload_bytes, &state.traffic.bodies).await
}

fn answer(result: ApiResult<Value>) -> HttpResponse {
    let status = match &result {
        Ok(_) => actix_web::http::StatusCode::OK,
        Err(ApiError::Failure(Failure::RateLimited)) => actix_web::http::StatusCode::TOO_MANY_REQUESTS,
        Err(_) => actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
    };
    HttpResponse::build(status).content_type("application/json").body(envelope(&result).to_string())
}
