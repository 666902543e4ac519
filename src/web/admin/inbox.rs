//! The inbox: open conversations, each with its last message, newest first.

use super::{render, Frame, PageError};
use crate::db::conversations::{self, InboxQuery, InboxRow};
use crate::domain::markup;
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::{web, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "admin/inbox.html")]
struct InboxPage {
    frame: Frame,
    rows: Vec<Row>,
}

struct Row {
    conversation_id: i64,
    name: String,
    preview: String,
    time: String,
    status: &'static str,
}

fn status_name(code: i64) -> &'static str {
    match code {
        0 => "Live",
        1 => "Waiting for the user",
        2 => "Waiting for an agent",
        3 => "Archived",
        _ => "Trash",
    }
}

fn row(r: InboxRow) -> Row {
    let preview: String = markup::to_plain(&r.message).chars().take(140).collect();
    Row {
        conversation_id: r.conversation_id,
        name: format!("{} {}", r.first_name, r.last_name).trim().to_string(),
        preview,
        time: r.creation_time,
        status: status_name(r.conversation_status_code),
    }
}

pub async fn inbox_page(admin: Admin, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let rows = state.db(|conn| Ok(conversations::inbox(conn, &InboxQuery::default())?)).await?;
    render(&InboxPage {
        frame: Frame::new(&state, &admin, "inbox", "Inbox"),
        rows: rows.into_iter().map(row).collect(),
    })
}
