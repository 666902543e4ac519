//! The landing page at the app's root: what this server is and where its API is.

use crate::state::AppState;
use actix_web::{web, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    api_url: String,
    base_path: String,
    version: &'static str,
}

pub async fn home_page(state: web::Data<AppState>) -> HttpResponse {
    let page = HomePage {
        api_url: format!("{}/include/api.php", state.config.public_base()),
        base_path: state.config.base_path.clone(),
        version: env!("CARGO_PKG_VERSION"),
    };
    match page.render() {
        Ok(html) => HttpResponse::Ok().content_type("text/html; charset=utf-8").body(html),
        Err(err) => {
            tracing::error!(error = %err, "home page template failed");
            super::failure_response(
                actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
                crate::error::Failure::InternalError,
            )
        }
    }
}
