//! Everything served besides the API: the landing page, embedded static assets,
//! generated avatars and expiring downloads. Errors here are JSON envelopes too,
//! never HTML error pages.

pub mod admin;
pub mod assets;
pub mod csrf;
pub mod files;
mod health;
pub mod help;
mod home;
pub mod session;
mod uploads;

use crate::error::{envelope, Failure};
use actix_web::{web, HttpResponse};

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/", web::get().to(home::home_page))
        .route("/healthz", web::get().to(health::healthz))
        .route("/metrics", web::get().to(health::metrics))
        .route("/static/{path:.*}", web::get().to(assets::static_file))
        .route("/uploads/avatars/{file}", web::get().to(files::avatar))
        .route("/downloads/{token}/{file}", web::get().to(files::download))
        .route("/files/thumbnails/{key}", web::get().to(uploads::thumbnail))
        .route("/files/{key}/{name}", web::get().to(uploads::file))
        .configure(help::routes)
        .configure(admin::routes);
}

/// The answer for any address nothing else serves.
pub async fn not_found() -> HttpResponse {
    not_found_response()
}

pub fn not_found_response() -> HttpResponse {
    failure_response(actix_web::http::StatusCode::NOT_FOUND, Failure::NotFound)
}

pub fn failure_response(status: actix_web::http::StatusCode, failure: Failure) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json")
        .body(envelope(&Err::<(), _>(failure.into())).to_string())
}
