//! `POST /widget/uploads`: a file the visitor attaches (multipart, the file in the
//! field `file`), stored as every channel's files are and answered as the message
//! views show files: `{name, url, size, image, thumbnail}`. The visitor then sends
//! it with `POST /widget/messages` (`attachments: [[name, url]]`), which takes only
//! files that visitor uploaded. Limited to `widget_uploads_per_hour` per visitor.

use super::shapes::FileView;
use super::{admit, reply, visitor};
use crate::bodies;
use crate::error::{ApiResult, Failure};
use crate::ops::files::{self, Upload};
use crate::state::AppState;
use crate::traffic::VisitorAct;
use actix_web::http::header;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};

pub async fn upload(req: HttpRequest, state: web::Data<AppState>, payload: web::Payload) -> HttpResponse {
    reply(&req, uploaded(&req, &state, payload).await)
}

async fn uploaded(req: &HttpRequest, state: &AppState, payload: web::Payload) -> ApiResult<FileView> {
    let me = visitor(req, state).await?;
    if !req.content_type().eq_ignore_ascii_case("multipart/form-data") {
        return Err(Failure::MalformedBody("send the file as multipart/form-data".into()).into());
    }
    admit(req, state, VisitorAct::Upload, me.id)?;
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    let (body, _held) =
        bodies::read_capped(payload, declared, state.config.max_upload_bytes, &state.traffic.bodies).await?;
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let file = bodies::multipart(content_type, body, 4)
        .await?
        .into_iter()
        .find(|part| part.name == "file")
        .ok_or(Failure::MissingArgument("file"))?;
    let upload =
        Upload { name: file.file_name.unwrap_or_default(), bytes: file.bytes.to_vec(), uploaded_by: Some(me.id) };
    let shared = state.clone();
    let stored = state.session(move |db| Ok(files::store(db, &shared, upload)?)).await?;
    Ok(FileView::new(state, &stored))
}
