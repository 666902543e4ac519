//! The users pages: the list (search, filter by type, pages of 100) and a
//! person's profile with their details, conversations and, for admins, their API
//! token. Agents see and manage customers (visitors, leads, users); only admins
//! manage agents and admins. Forms live in [`super::user_form`], the confirmed
//! actions in [`super::user_actions`].

use super::{notice, render, Frame, PageError};
use crate::db::conversations::{self, InboxQuery, StatusFilter};
use crate::db::search;
use crate::db::two_factor;
use crate::db::users::{self, Detail, UserQuery};
use crate::domain::people::full_name;
use crate::domain::{markup, page_offset, UserSort, UserType, PAGE_SIZE};
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::{web, HttpResponse};
use askama::Template;

pub fn routes(config: &mut web::ServiceConfig) {
    use super::{user_actions, user_form};
    config
        .route("/admin/users", web::get().to(users_page))
        .route("/admin/users", web::post().to(user_form::user_create))
        .route("/admin/users/new", web::get().to(user_form::new_user_page))
        .route("/admin/users/{id}", web::get().to(user_page))
        .route("/admin/users/{id}/edit", web::get().to(user_form::edit_user_page))
        .route("/admin/users/{id}/edit", web::post().to(user_form::user_save))
        .route("/admin/users/{id}/delete", web::get().to(user_actions::delete_user_page))
        .route("/admin/users/{id}/delete", web::post().to(user_actions::user_delete))
        .route("/admin/users/{id}/token", web::get().to(user_actions::rotate_token_page))
        .route("/admin/users/{id}/token", web::post().to(user_actions::token_rotate))
        .route("/admin/users/{id}/two-factor", web::get().to(user_actions::two_factor_off_page))
        .route("/admin/users/{id}/two-factor", web::post().to(user_actions::two_factor_off));
}

/// Whether `admin` may create, change or delete a person of `user_type`. Nobody
/// manages the bot here: it is Switchboard's own.
pub(super) fn may_manage(admin: &Admin, user_type: UserType) -> bool {
    match user_type {
        UserType::Visitor | UserType::Lead | UserType::User => true,
        UserType::Agent | UserType::Admin => admin.is_admin(),
        UserType::Bot => false,
    }
}

/// The type filters of the list, as `(value, label, types)`.
const FILTERS: &[(&str, &str, &[UserType])] = &[
    ("", "Everyone", &[UserType::Visitor, UserType::Lead, UserType::User, UserType::Agent, UserType::Admin]),
    ("customers", "Customers", &[UserType::Visitor, UserType::Lead, UserType::User]),
    ("visitor", "Visitors", &[UserType::Visitor]),
    ("lead", "Leads", &[UserType::Lead]),
    ("user", "Users", &[UserType::User]),
    ("team", "Agents and admins", &[UserType::Agent, UserType::Admin]),
    ("agent", "Agents", &[UserType::Agent]),
    ("admin", "Admins", &[UserType::Admin]),
];

#[derive(serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default, rename = "type")]
    filter: String,
    page: Option<i64>,
    done: Option<String>,
}

struct FilterOption {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

struct UserItem {
    id: i64,
    name: String,
    email: String,
    type_label: &'static str,
    last_activity: String,
}

#[derive(Template)]
#[template(path = "admin/users/list.html")]
struct ListPage {
    frame: Frame,
    notice: Option<&'static str>,
    q: String,
    filters: Vec<FilterOption>,
    rows: Vec<UserItem>,
    page: i64,
    previous: Option<String>,
    next: Option<String>,
}

fn list_link(base: &str, q: &str, filter: &str, page: i64) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !q.is_empty() {
        query.append_pair("q", q);
    }
    if !filter.is_empty() {
        query.append_pair("type", filter);
    }
    query.append_pair("page", &page.to_string());
    format!("{base}/admin/users?{}", query.finish())
}

pub async fn users_page(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let query = query.into_inner();
    let (filter, _, types) = FILTERS.iter().find(|(value, _, _)| *value == query.filter).unwrap_or(&FILTERS[0]);
    let q = query.q.trim().chars().take(255).collect::<String>();
    let page = query.page.unwrap_or(1).clamp(1, 100_000);
    let search = if q.is_empty() { None } else { search::user_match(&q) };
    let rows = if !q.is_empty() && search.is_none() {
        Vec::new()
    } else {
        let user_query = UserQuery {
            types: types.to_vec(),
            ids: None,
            search,
            sort: UserSort::CreationTime,
            descending: true,
            offset: page_offset(page),
        };
        state.read(move |conn| Ok(users::list(conn, &user_query)?)).await?
    };
    let base = &state.config.base_path;
    let full_page = rows.len() as i64 == PAGE_SIZE;
    render(&ListPage {
        frame: Frame::new(&state, &admin, "users", "Users"),
        notice: notice::text(query.done.as_deref()),
        filters: FILTERS
            .iter()
            .map(|(value, label, _)| FilterOption { value, label, selected: value == filter })
            .collect(),
        rows: rows
            .into_iter()
            .map(|u| UserItem {
                id: u.id,
                name: full_name(&u.first_name, &u.last_name),
                email: u.email.unwrap_or_default(),
                type_label: u.user_type.label(),
                last_activity: u.last_activity,
            })
            .collect(),
        previous: (page > 1).then(|| list_link(base, &q, filter, page - 1)),
        next: full_page.then(|| list_link(base, &q, filter, page + 1)),
        page,
        q,
    })
}

struct ConversationItem {
    id: i64,
    title: String,
    preview: String,
    status: &'static str,
    time: String,
}

#[derive(Template)]
#[template(path = "admin/users/show.html")]
struct ShowPage {
    frame: Frame,
    notice: Option<&'static str>,
    id: i64,
    name: String,
    email: String,
    type_label: &'static str,
    profile_image: Option<String>,
    creation_time: String,
    last_activity: String,
    department: String,
    details: Vec<Detail>,
    conversations: Vec<ConversationItem>,
    can_manage: bool,
    is_self: bool,
    /// Only for admins: agents never see tokens.
    token: Option<String>,
    /// Only for admins looking at someone else with two-factor on: they may turn it off.
    two_factor_reset: bool,
}

pub(super) fn status_label(code: i64) -> &'static str {
    match code {
        0 => "Live",
        1 => "Waiting for the user",
        2 => "Waiting for an agent",
        3 => "Archived",
        _ => "Trash",
    }
}

#[derive(serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn user_page(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let shared = state.get_ref().clone();
    let found = state
        .read(move |conn| {
            let Some(user) = users::find(conn, id)? else { return Ok(None) };
            let details = users::details(conn, id)?;
            let listed = InboxQuery { status: StatusFilter::Any, user_id: Some(id), ..InboxQuery::default() };
            let conversations = conversations::inbox(conn, &listed)?;
            let departments = super::user_form::departments(conn, &shared)?;
            let two_factor_on = two_factor::is_enabled(conn, id)?;
            Ok(Some((user, details, conversations, departments, two_factor_on)))
        })
        .await?;
    let Some((user, details, conversations, departments, two_factor_on)) = found else {
        return Err(PageError::NotFound);
    };
    let department = user
        .department
        .map(|d| departments.iter().find(|(id, _)| *id == d).map_or_else(|| format!("#{d}"), |(_, n)| n.clone()))
        .unwrap_or_default();
    let name = full_name(&user.first_name, &user.last_name);
    render(&ShowPage {
        frame: Frame::new(&state, &admin, "users", &name),
        notice: notice::text(query.done.as_deref()),
        id: user.id,
        email: user.email.clone().unwrap_or_default(),
        type_label: user.user_type.label(),
        profile_image: user.profile_image.clone().filter(|p| !p.is_empty()),
        creation_time: user.creation_time.clone(),
        last_activity: user.last_activity.clone(),
        department,
        details,
        conversations: conversations
            .into_iter()
            .map(|c| ConversationItem {
                id: c.conversation_id,
                title: c.title,
                preview: markup::to_plain(&c.message).chars().take(140).collect(),
                status: status_label(c.conversation_status_code),
                time: c.creation_time,
            })
            .collect(),
        can_manage: may_manage(&admin, user.user_type),
        is_self: user.id == admin.user.id,
        token: admin.is_admin().then(|| state.key.api_token(&user.token_nonce)),
        two_factor_reset: admin.is_admin() && two_factor_on && user.id != admin.user.id,
        name,
    })
}
