//! The inbox at `/admin`: conversations, each with its last message, newest first,
//! a hundred to a page as the API pages them. Filters (status, department, agent,
//! source) and the search are GET parameters, so every view is a bookmark.
//!
//! Unread counts: a conversation's unread messages are those from the customer's
//! side (not staff, not the bot) not yet marked read (message status 2). Opening
//! the conversation page marks them read, as `update-messages-status` would.
//!
//! `/admin/inbox/rows` answers the same list's rows newer than a message ID as an
//! HTML fragment: `admin.js` fetches it when the event stream reports a new message
//! and moves or inserts those rows without a reload.

use super::assignees::{options, Assignees, Opt};
use super::{render, see_other, Frame, PageError};
use crate::db::conversations::{self, InboxQuery, InboxRow, StatusFilter};
use crate::db::{messages, search};
use crate::domain::is_source_code;
use crate::domain::people::display_name as full_name;
use crate::domain::{markup, page_offset, After, ConversationStatus, UserType, PAGE_SIZE};
use crate::domain::{source_name, status_label};
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{DateTime, NaiveDateTime, Utc};
use std::collections::HashMap;

/// The inbox's GET parameters, all optional; anything unreadable reads as "any".
#[derive(serde::Deserialize, Default)]
pub struct InboxParams {
    #[serde(default)]
    status: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    agent: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
    /// The rows fragment: only conversations whose last message is newer than this.
    #[serde(default)]
    after: String,
    /// Notification emails link to `/admin?conversation=ID`.
    #[serde(default)]
    conversation: String,
    /// What the last action did (post/redirect/get), and the conversation it can undo.
    #[serde(default)]
    done: String,
    #[serde(default)]
    undo: String,
}

/// The filters as chosen, in the words the filter form uses.
pub struct Filters {
    pub status: &'static str,
    pub department: Option<i64>,
    /// `me`, an agent's ID, or empty for any.
    pub agent: String,
    pub source: String,
    pub q: String,
    pub page: i64,
}

const STATUSES: [(&str, &str); 4] = [("inbox", "Inbox"), ("archive", "Archive"), ("trash", "Trash"), ("all", "All")];

fn positive(text: &str) -> Option<i64> {
    text.trim().parse().ok().filter(|n: &i64| *n > 0)
}

impl Filters {
    fn parse(params: &InboxParams) -> Self {
        let status = STATUSES.iter().map(|(value, _)| *value).find(|s| *s == params.status.trim()).unwrap_or("inbox");
        let agent = params.agent.trim();
        let agent = if agent == "me" || positive(agent).is_some() { agent.to_string() } else { String::new() };
        let source = params.source.trim();
        Self {
            status,
            department: positive(&params.department),
            agent,
            source: if is_source_code(source) { source.to_string() } else { String::new() },
            q: params.q.trim().chars().take(255).collect(),
            page: positive(&params.page).unwrap_or(1),
        }
    }

    fn query(&self, me: i64) -> InboxQuery {
        let status = match self.status {
            "archive" => StatusFilter::Only(ConversationStatus::Archive),
            "trash" => StatusFilter::Only(ConversationStatus::Trash),
            "all" => StatusFilter::Any,
            _ => StatusFilter::Inbox,
        };
        let agent = if self.agent == "me" { Some(me) } else { positive(&self.agent) };
        let message_match = search::match_query(&self.q);
        InboxQuery {
            status,
            department: self.department,
            source: Some(self.source.clone()).filter(|s| !s.is_empty()),
            assigned_to: agent.map(|id| (id, false)),
            user_match: message_match
                .as_ref()
                .and_then(|_| search::match_query_in(&["first_name", "last_name", "email"], &self.q)),
            message_match,
            offset: page_offset(self.page),
            ..InboxQuery::default()
        }
    }

    /// The query string of this view, at `page`; without the page for the first.
    pub fn link(&self, page: i64) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        let department = self.department.map(|d| d.to_string()).unwrap_or_default();
        for (name, value) in [
            ("status", if self.status == "inbox" { "" } else { self.status }),
            ("department", &department),
            ("agent", &self.agent),
            ("source", &self.source),
            ("q", &self.q),
        ] {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        if page > 1 {
            query.append_pair("page", &page.to_string());
        }
        query.finish()
    }

    fn is_default(&self) -> bool {
        self.link(1).is_empty()
    }
}

/// One conversation in the list.
pub struct Row {
    pub conversation_id: i64,
    pub message_id: i64,
    pub name: String,
    pub title: String,
    pub preview: String,
    /// Who wrote the last message when it was not the customer: "You", "Agent", "Bot".
    pub replied: Option<&'static str>,
    pub status: &'static str,
    pub status_class: &'static str,
    pub department: Option<String>,
    pub agent: Option<String>,
    pub source: Option<String>,
    pub age: String,
    pub time: String,
    pub unread: i64,
}

/// How long ago `time` ("YYYY-MM-DD HH:MM:SS", UTC) was, in a few characters.
pub fn age(now: DateTime<Utc>, time: &str) -> String {
    let Ok(then) = NaiveDateTime::parse_from_str(time, crate::clock::FORMAT) else { return time.to_string() };
    let seconds = (now - then.and_utc()).num_seconds().max(0);
    match seconds {
        0..60 => "just now".to_string(),
        60..3600 => format!("{} min", seconds / 60),
        3600..86_400 => format!("{} h", seconds / 3600),
        86_400..604_800 => format!("{} d", seconds / 86_400),
        _ => time.get(..10).unwrap_or(time).to_string(),
    }
}

fn row(r: InboxRow, me: i64, now: DateTime<Utc>, names: &Assignees, unread: &HashMap<i64, i64>) -> Row {
    let preview: String = markup::to_plain(&r.message).split_whitespace().collect::<Vec<_>>().join(" ");
    let preview = match (preview.chars().count() > 140, r.attachments.is_empty()) {
        (true, _) => format!("{}…", preview.chars().take(140).collect::<String>()),
        (false, false) if preview.is_empty() => "(attachment)".to_string(),
        _ => preview,
    };
    let (status, status_class) = status_label(r.conversation_status_code);
    Row {
        conversation_id: r.conversation_id,
        message_id: r.message_id,
        name: full_name(&r.first_name, &r.last_name),
        title: r.title,
        preview,
        replied: match r.sender_type {
            _ if r.sender_id == me => Some("You"),
            UserType::Agent | UserType::Admin => Some("Agent"),
            UserType::Bot => Some("Bot"),
            _ => None,
        },
        status,
        status_class,
        department: names.department_name(r.department),
        agent: names.agent_name(r.agent_id),
        source: r.source.filter(|s| !s.is_empty()).map(|s| source_name(&s)),
        age: age(now, &r.creation_time),
        unread: unread.get(&r.conversation_id).copied().unwrap_or(0),
        time: r.creation_time,
    }
}

struct Listing {
    rows: Vec<Row>,
    names: Assignees,
    sources: Vec<String>,
    last_message_id: i64,
}

async fn list(state: &AppState, admin: &Admin, filters: &Filters, after: Option<i64>) -> Result<Listing, PageError> {
    let mut query = filters.query(admin.user.id);
    if let Some(after) = after {
        query.after = Some(After::Id(after));
        query.offset = 0;
    }
    let (now, me, shared) = (state.clock.now(), admin.user.id, state.clone());
    Ok(state
        .read(move |conn| {
            // Read before the rows, so a message landing in between is reported again, never missed.
            let last_message_id = messages::last_id(conn)?;
            let rows = conversations::inbox(conn, &query)?;
            let ids: Vec<i64> = rows.iter().map(|r| r.conversation_id).collect();
            let unread: HashMap<i64, i64> = messages::unread_counts(conn, &ids)?.into_iter().collect();
            let names = Assignees::load(conn, shared.settings(conn)?.as_ref())?;
            let sources = conversations::sources(conn)?;
            let rows = rows.into_iter().map(|r| row(r, me, now, &names, &unread)).collect();
            Ok(Listing { rows, names, sources, last_message_id })
        })
        .await?)
}

#[derive(Template)]
#[template(path = "admin/inbox.html")]
struct InboxPage {
    frame: Frame,
    filters: Filters,
    statuses: Vec<Opt>,
    agents: Vec<Opt>,
    departments: Vec<Opt>,
    sources: Vec<Opt>,
    rows: Vec<Row>,
    unread_conversations: usize,
    last_message_id: i64,
    /// The rows fragment's address for this view; only the first page updates live.
    rows_url: Option<String>,
    newer: Option<String>,
    older: Option<String>,
    notice: Option<&'static str>,
    undo: Option<i64>,
}

pub async fn inbox_page(
    admin: Admin,
    state: web::Data<AppState>,
    params: web::Query<InboxParams>,
) -> Result<HttpResponse, PageError> {
    let base = format!("{}/admin", state.config.base_path);
    if let Some(id) = positive(&params.conversation) {
        return Ok(see_other(format!("{base}/conversations/{id}")));
    }
    let filters = Filters::parse(&params);
    let listing = list(&state, &admin, &filters, None).await?;
    let full = listing.rows.len() as i64 == PAGE_SIZE;
    let with = |query: String| if query.is_empty() { base.clone() } else { format!("{base}?{query}") };
    let notice = super::notice::text(Some(params.done.as_str()));
    let title = if filters.is_default() { "Inbox" } else { "Inbox (filtered)" };
    let department = filters.department.map(|d| d.to_string()).unwrap_or_default();
    let mut agents = options(("", "Anyone"), &listing.names.agents, &filters.agent);
    agents.insert(1, Opt::new("me", "Me", &filters.agent));
    let mut sources = vec![Opt::new("", "Any", &filters.source)];
    sources.extend(listing.sources.iter().map(|s| Opt::new(s.clone(), source_name(s), &filters.source)));
    render(&InboxPage {
        frame: Frame::new(&state, &admin, "inbox", title),
        statuses: STATUSES.iter().map(|(value, label)| Opt::new(*value, *label, filters.status)).collect(),
        agents,
        departments: options(("", "Any"), &listing.names.departments, &department),
        sources,
        unread_conversations: listing.rows.iter().filter(|r| r.unread > 0).count(),
        last_message_id: listing.last_message_id,
        rows_url: (filters.page == 1).then(|| {
            let query = filters.link(1);
            format!("{base}/inbox/rows?{query}{}", if query.is_empty() { "" } else { "&" })
        }),
        newer: (filters.page > 1).then(|| with(filters.link(filters.page - 1))),
        older: full.then(|| with(filters.link(filters.page + 1))),
        notice,
        undo: (params.done != "restored").then(|| positive(&params.undo)).flatten(),
        rows: listing.rows,
        filters,
    })
}

#[derive(Template)]
#[template(path = "admin/inbox_rows.html")]
struct RowsFragment {
    base_path: String,
    rows: Vec<Row>,
}

/// The rows of a view whose last message is newer than `after`, newest first.
pub async fn inbox_rows(
    admin: Admin,
    state: web::Data<AppState>,
    params: web::Query<InboxParams>,
) -> Result<HttpResponse, PageError> {
    let filters = Filters::parse(&params);
    let after = params.after.trim().parse::<i64>().unwrap_or(0).max(0);
    let listing = list(&state, &admin, &filters, Some(after)).await?;
    render(&RowsFragment { base_path: state.config.base_path.clone(), rows: listing.rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_links_keep_only_what_was_chosen() {
        let params = InboxParams {
            status: "archive".into(),
            department: "x".into(),
            agent: "me".into(),
            q: " a&b ".into(),
            ..InboxParams::default()
        };
        let filters = Filters::parse(&params);
        assert_eq!(filters.link(1), "status=archive&agent=me&q=a%26b");
        assert_eq!(filters.link(3), "status=archive&agent=me&q=a%26b&page=3");
        assert!(Filters::parse(&InboxParams { source: "<x>".into(), ..InboxParams::default() }).is_default());
    }

    #[test]
    fn ages_read_at_a_glance() {
        let now = NaiveDateTime::parse_from_str("2024-05-10 12:00:00", crate::clock::FORMAT).unwrap().and_utc();
        assert_eq!(age(now, "2024-05-10 11:59:30"), "just now");
        assert_eq!(age(now, "2024-05-10 11:15:00"), "45 min");
        assert_eq!(age(now, "2024-05-10 01:00:00"), "11 h");
        assert_eq!(age(now, "2024-05-07 12:00:00"), "3 d");
        assert_eq!(age(now, "2024-01-02 12:00:00"), "2024-01-02");
    }
}
