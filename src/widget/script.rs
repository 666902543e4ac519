//! `GET /widget.js`: the widget itself, one file with its styles inside, compiled
//! into the binary. Cached for five minutes (so an upgrade reaches sites soon)
//! and revalidated by ETag; gzipped (once, at first use) when the browser
//! accepts it, as every visitor's browser does.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use rust_embed::RustEmbed;
use std::io::Write;
use std::sync::OnceLock;

#[derive(RustEmbed)]
#[folder = "static/widget/"]
struct WidgetFiles;

pub async fn widget_js(req: HttpRequest) -> HttpResponse {
    let Some(file) = WidgetFiles::get("widget.js") else { return HttpResponse::NotFound().finish() };
    let gzipped = accepts_gzip(&req);
    // Each encoding is its own representation, with its own tag.
    let etag = format!("\"{}{}\"", hex::encode(&file.metadata.sha256_hash()[..16]), if gzipped { "-gz" } else { "" });
    if req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish();
    }
    let mut response = HttpResponse::Ok();
    response
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((header::VARY, "Accept-Encoding"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"));
    if !gzipped {
        return response.body(file.data.into_owned());
    }
    static GZIPPED: OnceLock<Vec<u8>> = OnceLock::new();
    let gzipped = GZIPPED.get_or_init(|| gzip(&file.data));
    response.insert_header((header::CONTENT_ENCODING, "gzip")).body(gzipped.as_slice())
}

/// Whether `Accept-Encoding` names gzip (or `*`) without refusing it with `q=0`.
fn accepts_gzip(req: &HttpRequest) -> bool {
    let Some(accepted) = req.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    accepted.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or_default();
        let refused = parts.any(|p| p.replace(' ', "").strip_prefix("q=").is_some_and(|q| q.parse() == Ok(0.0)));
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
    })
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}
