//! The admin area under `/admin`: server-rendered pages for agents and admins.
//! Every page takes an [`Admin`](crate::web::session::Admin), so signing in and
//! roles are checked on the server before anything is read; every form that
//! changes something carries the session's CSRF token.

mod assignees;
mod conversation;
mod conversation_forms;
mod inbox;
mod live;
mod login;

use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse, ResponseError};
use askama::Template;

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/admin/login", web::get().to(login::login_page))
        .route("/admin/login", web::post().to(login::login))
        .route("/admin/logout", web::post().to(login::logout))
        .route("/admin", web::get().to(inbox::inbox_page))
        .configure(inbox_routes);
}

/// The inbox, the conversation page and their live updates.
fn inbox_routes(config: &mut web::ServiceConfig) {
    use conversation_forms as forms;
    let form_limit = || web::FormConfig::default().limit(forms::FORM_LIMIT);
    config
        .route("/admin/inbox/rows", web::get().to(inbox::inbox_rows))
        .route("/admin/events", web::get().to(live::events))
        .route("/admin/events/poll", web::get().to(live::poll))
        .service(web::resource("/admin/conversations/preview").app_data(form_limit()).post(forms::preview))
        .route("/admin/conversations/{id}", web::get().to(conversation::conversation_page))
        .route("/admin/conversations/{id}/messages", web::get().to(conversation::conversation_messages))
        .route("/admin/conversations/{id}/transcript.csv", web::get().to(conversation::transcript))
        .service(web::resource("/admin/conversations/{id}/reply").app_data(form_limit()).post(forms::reply))
        .route("/admin/conversations/{id}/status", web::post().to(forms::set_status))
        .route("/admin/conversations/{id}/trash", web::get().to(forms::trash_page))
        .route("/admin/conversations/{id}/assign", web::post().to(forms::assign))
        .service(web::resource("/admin/conversations/{id}/notes").app_data(form_limit()).post(forms::add_note))
        .route("/admin/conversations/{id}/notes/{note}/delete", web::get().to(forms::delete_note_page))
        .route("/admin/conversations/{id}/notes/{note}/delete", web::post().to(forms::delete_note));
}

/// What every admin page shows around its content.
pub struct Frame {
    pub base_path: String,
    pub title: String,
    pub section: &'static str,
    pub user_name: String,
    pub is_admin: bool,
    pub csrf: String,
}

impl Frame {
    pub fn new(state: &AppState, admin: &Admin, section: &'static str, title: &str) -> Self {
        let name = format!("{} {}", admin.user.first_name, admin.user.last_name).trim().to_string();
        Self {
            base_path: state.config.base_path.clone(),
            title: title.to_string(),
            section,
            user_name: name,
            is_admin: admin.is_admin(),
            csrf: admin.csrf.clone(),
        }
    }
}

/// How an admin page can fail. Pages are for people, so these are small HTML
/// pages (or a redirect to sign in), never the API's envelopes.
#[derive(Debug)]
pub enum PageError {
    LoginRequired(String),
    Forbidden,
    CsrfRejected,
    NotFound,
    Unavailable,
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PageError::LoginRequired(_) => "Please sign in.",
            PageError::Forbidden => "Only admins can open this page.",
            PageError::CsrfRejected => "This form has expired. Go back, reload the page and try again.",
            PageError::NotFound => "This page does not exist.",
            PageError::Unavailable => "Switchboard could not complete this; it has been logged. Try again in a moment.",
        })
    }
}

#[derive(Template)]
#[template(path = "admin/error.html")]
struct ErrorPage<'a> {
    message: &'a str,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::LoginRequired(_) => StatusCode::SEE_OTHER,
            PageError::Forbidden | PageError::CsrfRejected => StatusCode::FORBIDDEN,
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::Unavailable => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let PageError::LoginRequired(next) = self {
            let target =
                format!("login?next={}", url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
            return HttpResponse::SeeOther().insert_header((header::LOCATION, login_location(next, &target))).finish();
        }
        let message = self.to_string();
        let body = ErrorPage { message: &message }.render().unwrap_or(message);
        HttpResponse::build(self.status_code()).content_type("text/html; charset=utf-8").body(body)
    }
}

/// `/…/admin/login?next=…`, next to the page that was asked for.
fn login_location(next: &str, target: &str) -> String {
    match next.find("/admin") {
        Some(at) => format!("{}/admin/{target}", &next[..at]),
        None => format!("/admin/{target}"),
    }
}

impl From<crate::error::ApiError> for PageError {
    fn from(err: crate::error::ApiError) -> Self {
        tracing::error!(?err, "admin page failed");
        PageError::Unavailable
    }
}

/// Renders a page template.
pub fn render(page: &impl Template) -> Result<HttpResponse, PageError> {
    let html = page.render().map_err(|err| {
        tracing::error!(error = %err, "admin template failed");
        PageError::Unavailable
    })?;
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(html))
}

/// A redirect after a successful form post (post/redirect/get).
pub fn see_other(location: String) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish()
}
