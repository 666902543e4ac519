//! The admin area under `/admin`: server-rendered pages for agents and admins.
//! Every page takes an [`Admin`](crate::web::session::Admin), so signing in and
//! roles are checked on the server before anything is read; every form that
//! changes something carries the session's CSRF token.

mod article_editor;
mod articles;
mod assignees;
mod audit;
mod automation_editor;
mod automation_form;
mod automations;
mod backup;
mod categories;
mod confirm;
mod conversation;
mod conversation_forms;
mod form;
mod guard;
mod inbox;
mod install;
mod jobs;
mod live;
mod login;
mod login_code;
mod message_view;
pub mod notice;
mod password_reset;
mod profile;
mod profile_two_factor;
mod report_chart;
mod reports;
mod settings;
mod settings_form;
mod settings_labels;
mod uploads;
mod user_actions;
mod user_form;
mod users;

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
        .route("/admin/login/code", web::get().to(login_code::code_page))
        .route("/admin/login/code", web::post().to(login_code::code_submit))
        .route("/admin", web::get().to(inbox::inbox_page))
        .configure(users::routes)
        .configure(profile::routes)
        .configure(password_reset::routes)
        .configure(backoffice_routes)
        .configure(inbox_routes);
}

/// The knowledge base, automations, settings, reports, jobs and widget pages.
fn backoffice_routes(config: &mut web::ServiceConfig) {
    config
        .route("/admin/articles", web::get().to(articles::list_page))
        .route("/admin/articles/new", web::get().to(article_editor::new_page))
        .route("/admin/articles/new", web::post().to(article_editor::create))
        .route("/admin/articles/categories", web::get().to(categories::categories_page))
        .route("/admin/articles/categories", web::post().to(categories::save))
        .route("/admin/articles/categories/{id}/delete", web::get().to(categories::delete_page))
        .route("/admin/articles/categories/{id}/delete", web::post().to(categories::delete))
        .route("/admin/articles/{id}", web::get().to(article_editor::edit_page))
        .route("/admin/articles/{id}", web::post().to(article_editor::update))
        .route("/admin/articles/{id}/delete", web::get().to(articles::delete_page))
        .route("/admin/articles/{id}/delete", web::post().to(articles::delete))
        .route("/admin/automations", web::get().to(automations::list_page))
        .route("/admin/automations/new", web::get().to(automation_editor::new_page))
        .route("/admin/automations/new", web::post().to(automation_editor::create))
        .route("/admin/automations/{id}", web::get().to(automation_editor::edit_page))
        .route("/admin/automations/{id}", web::post().to(automation_editor::update))
        .route("/admin/automations/{id}/delete", web::get().to(automations::delete_page))
        .route("/admin/automations/{id}/delete", web::post().to(automations::delete))
        .route("/admin/settings", web::get().to(settings::settings_page))
        .route("/admin/settings/test-email", web::post().to(settings::test_email))
        .route("/admin/settings/test-webhook", web::post().to(settings::test_webhook))
        .route("/admin/settings/test-mailbox", web::post().to(settings::test_mailbox))
        .route("/admin/settings/{section}", web::post().to(settings::save_section))
        .route("/admin/reports", web::get().to(reports::reports_page))
        .route("/admin/jobs", web::get().to(jobs::jobs_page))
        .route("/admin/jobs/run", web::post().to(jobs::run_due))
        .route("/admin/backup", web::get().to(backup::confirm_page))
        .route("/admin/backup", web::post().to(backup::download))
        .route("/admin/audit", web::get().to(audit::audit_page))
        .route("/admin/audit.csv", web::get().to(audit::audit_csv))
        .route("/admin/widget", web::get().to(install::install_page))
        .route("/admin/widget/secret", web::get().to(install::rotate_page))
        .route("/admin/widget/secret", web::post().to(install::rotate));
}

/// The inbox, the conversation page and their live updates.
fn inbox_routes(config: &mut web::ServiceConfig) {
    use conversation_forms as forms;
    config
        .route("/admin/inbox/rows", web::get().to(inbox::inbox_rows))
        .route("/admin/events", web::get().to(live::events))
        .route("/admin/events/poll", web::get().to(live::poll))
        .route("/admin/conversations/preview", web::post().to(forms::preview))
        .route("/admin/conversations/{id}", web::get().to(conversation::conversation_page))
        .route("/admin/conversations/{id}/messages", web::get().to(conversation::conversation_messages))
        .route("/admin/conversations/{id}/transcript.csv", web::get().to(conversation::transcript))
        .route("/admin/conversations/{id}/reply", web::post().to(forms::reply))
        .route("/admin/conversations/{id}/status", web::post().to(forms::set_status))
        .route("/admin/conversations/{id}/trash", web::get().to(forms::trash_page))
        .route("/admin/conversations/{id}/assign", web::post().to(forms::assign))
        .route("/admin/conversations/{id}/typing", web::post().to(forms::typing))
        .route("/admin/uploads", web::post().to(uploads::upload))
        .route("/admin/conversations/{id}/notes", web::post().to(forms::add_note))
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
        let name = crate::domain::people::full_name(&admin.user.first_name, &admin.user.last_name);
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
    /// A posted form that could not be read (too large, or not a form).
    BadForm,
    /// Too much at once (the password threads' queue is full): try again shortly.
    Busy,
    Unavailable,
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PageError::LoginRequired(_) => "Please sign in.",
            PageError::Forbidden => "Only admins can open this page.",
            PageError::CsrfRejected => "This form has expired. Go back, reload the page and try again.",
            PageError::NotFound => "This page does not exist.",
            PageError::BadForm => "This form could not be read; it may be too large. Go back and try again.",
            PageError::Busy => "Switchboard is busy with too many requests at once. Try again in a moment.",
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
            PageError::BadForm => StatusCode::BAD_REQUEST,
            PageError::Busy => StatusCode::TOO_MANY_REQUESTS,
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

/// What an operation answers, as a page says it: what it could not find is not
/// found, too much at once is busy; anything else the person cannot mend.
impl From<crate::ops::OpsError> for PageError {
    fn from(err: crate::ops::OpsError) -> Self {
        use crate::ops::OpsError;
        match err {
            OpsError::NotFound(_) => PageError::NotFound,
            OpsError::Busy => PageError::Busy,
            OpsError::Invalid { .. } | OpsError::Duplicate(_) | OpsError::FileRefused(_) => PageError::BadForm,
            OpsError::Storage | OpsError::Internal => PageError::Unavailable,
        }
    }
}

impl From<crate::error::ApiError> for PageError {
    fn from(err: crate::error::ApiError) -> Self {
        if err == crate::error::ApiError::Failure(crate::error::Failure::RateLimited) {
            return PageError::Busy;
        }
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
