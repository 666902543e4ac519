//! `GET /widget.js`: the widget itself, one file with its styles inside, compiled
//! into the binary. Cached for five minutes (so an upgrade reaches sites soon)
//! and revalidated by ETag; compressed when the browser accepts it.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "static/widget/"]
struct WidgetFiles;

pub async fn widget_js(req: HttpRequest) -> HttpResponse {
    let Some(file) = WidgetFiles::get("widget.js") else { return HttpResponse::NotFound().finish() };
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    if req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish();
    }
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(file.data.into_owned())
}
