//! The inbox lists: conversations by their last (or most relevant) message, with
//! the filters, the paging and the search that start from an index.

use crate::domain::{After, ConversationStatus, UserType, PAGE_SIZE};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection, Row};
use std::collections::{HashMap, HashSet};

/// One row of an inbox list: the conversation's last message, who sent it, and
/// the conversation and its user.
#[derive(Debug, Clone)]
pub struct InboxRow {
    pub message_id: i64,
    pub sender_id: i64,
    pub message: String,
    pub creation_time: String,
    pub attachments: String,
    pub message_status_code: i64,
    pub payload: String,
    pub conversation_id: i64,
    pub sender_type: UserType,
    pub first_name: String,
    pub last_name: String,
    pub profile_image: Option<String>,
    pub conversation_status_code: i64,
    pub user_type: UserType,
    pub title: String,
    pub department: Option<i64>,
    pub agent_id: Option<i64>,
    pub source: Option<String>,
}

/// What an inbox row shows. Names and types come from users by primary key in
/// subqueries rather than joins: statistics taken when users held one row (a new
/// install's first maintenance run) would otherwise make SQLite scan users for every
/// conversation listed.
const INBOX_COLUMNS: &str = "m.id, m.user_id, m.message, m.creation_time, m.attachments, m.status_code,
        m.payload, m.conversation_id, (SELECT user_type FROM users WHERE id = m.user_id),
        (SELECT first_name FROM users WHERE id = c.user_id), (SELECT last_name FROM users WHERE id = c.user_id),
        (SELECT profile_image FROM users WHERE id = c.user_id),
        c.status_code, (SELECT user_type FROM users WHERE id = c.user_id), c.title, c.department, c.agent_id, c.source";

/// `CROSS JOIN` fixes SQLite's join order: conversations, then their last message
/// by primary key.
const WITH_LAST_MESSAGE: &str = "CROSS JOIN messages m ON m.id = c.last_message_id";

impl InboxRow {
    fn from_row(row: &Row) -> rusqlite::Result<Self> {
        Ok(Self {
            message_id: row.get(0)?,
            sender_id: row.get(1)?,
            message: row.get(2)?,
            creation_time: row.get(3)?,
            attachments: row.get(4)?,
            message_status_code: row.get(5)?,
            payload: row.get(6)?,
            conversation_id: row.get(7)?,
            sender_type: UserType::from_stored(&row.get::<_, String>(8)?),
            first_name: row.get(9)?,
            last_name: row.get(10)?,
            profile_image: row.get(11)?,
            conversation_status_code: row.get(12)?,
            user_type: UserType::from_stored(&row.get::<_, String>(13)?),
            title: row.get(14)?,
            department: row.get(15)?,
            agent_id: row.get(16)?,
            source: row.get(17)?,
        })
    }
}

/// Which statuses an inbox list shows.
#[derive(Debug, Clone, Copy, Default)]
pub enum StatusFilter {
    /// Live and waiting conversations: everything but archive and trash.
    #[default]
    Inbox,
    Only(ConversationStatus),
    Any,
}

/// Filters for inbox lists; every field narrows the list, and all default to "any".
#[derive(Debug, Clone, Default)]
pub struct InboxQuery {
    pub status: StatusFilter,
    pub department: Option<i64>,
    pub source: Option<String>,
    /// Routing: only this agent's conversations, plus unassigned ones when the flag is set.
    pub assigned_to: Option<(i64, bool)>,
    pub user_id: Option<i64>,
    /// Conversations this agent wrote in or is assigned to.
    pub participant: Option<i64>,
    pub exclude_id: Option<i64>,
    pub after: Option<After>,
    /// FTS5 expression over message text and attachment names.
    pub message_match: Option<String>,
    /// FTS5 expression over the conversation user's names and email.
    pub user_match: Option<String>,
    /// Plain text searched in titles (with `message_match`, either may match).
    pub title_contains: Option<String>,
    pub offset: i64,
}

pub fn inbox(conn: &Connection, query: &InboxQuery) -> rusqlite::Result<Vec<InboxRow>> {
    if query.is_search() {
        let ids = search_page(conn, query)?;
        return rows_in_order(conn, &ids);
    }
    let (sql, values) = list_sql(query);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(values), InboxRow::from_row)?.collect();
    rows
}

impl InboxQuery {
    fn is_search(&self) -> bool {
        self.message_match.is_some() || self.user_match.is_some() || self.title_contains.is_some()
    }
}

/// A list without search walks an index in last-message order and stops after one page.
fn list_sql(query: &InboxQuery) -> (String, Vec<SqlValue>) {
    let mut values = Vec::new();
    let filters = filters_sql(query, &mut values);
    let p = bind(&mut values, query.offset.into());
    let sql = format!(
        "SELECT {INBOX_COLUMNS} FROM conversations c {WITH_LAST_MESSAGE}
          WHERE 1{filters} ORDER BY c.last_message_id DESC LIMIT {PAGE_SIZE} OFFSET {p}"
    );
    (sql, values)
}

/// The conversation IDs of a search's page. A search lists conversations by their
/// most recent relevant message: the newest message that matches, or the last
/// message when the user's name or the title matches. Hits stream newest first, so
/// a page costs about its own size in lookups however many messages match.
fn search_page(conn: &Connection, query: &InboxQuery) -> rusqlite::Result<Vec<i64>> {
    let (sql, values) = hits_sql(query);
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut hits = stmt.query(params_from_iter(values))?;
    let (mut seen, mut page) = (HashSet::new(), Vec::new());
    let skip = usize::try_from(query.offset).unwrap_or(0);
    while let Some(hit) = hits.next()? {
        let id: i64 = hit.get(0)?;
        if seen.insert(id) && seen.len() > skip {
            page.push(id);
            if page.len() == PAGE_SIZE as usize {
                break;
            }
        }
    }
    Ok(page)
}

/// Every hit of a search as `(conversation, key)`, highest key first; a
/// conversation appears once per matching message.
fn hits_sql(query: &InboxQuery) -> (String, Vec<SqlValue>) {
    let mut values = Vec::new();
    let filters = filters_sql(query, &mut values);
    let mut arms: Vec<String> = Vec::new();
    if let Some(expr) = &query.message_match {
        let p = bind(&mut values, expr.clone().into());
        // FTS5 yields its matches newest first itself, so none is stored or sorted.
        arms.push(format!(
            "SELECT m.conversation_id, f.rowid AS key FROM messages_fts f
              CROSS JOIN messages m ON m.id = f.rowid CROSS JOIN conversations c ON c.id = m.conversation_id
              WHERE messages_fts MATCH {p}{filters}"
        ));
    }
    let whole =
        format!("SELECT c.id, c.last_message_id FROM conversations c WHERE c.last_message_id IS NOT NULL{filters}");
    if let Some(expr) = &query.user_match {
        let p = bind(&mut values, expr.clone().into());
        arms.push(format!("{whole} AND c.user_id IN (SELECT rowid FROM users_fts WHERE users_fts MATCH {p})"));
    }
    if let Some(text) = &query.title_contains {
        let p = bind(&mut values, format!("%{}%", escape_like(text)).into());
        arms.push(format!("{whole} AND c.title LIKE {p} ESCAPE '\\'"));
    }
    (format!("{} ORDER BY key DESC", arms.join(" UNION ALL ")), values)
}

/// The inbox rows of `ids`, in that order.
fn rows_in_order(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<InboxRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids_json = serde_json::to_string(ids).expect("a list of integers");
    let mut stmt = conn.prepare_cached(&rows_sql())?;
    let mut by_id: HashMap<i64, InboxRow> = stmt
        .query_map([ids_json], |row| InboxRow::from_row(row).map(|row| (row.conversation_id, row)))?
        .collect::<Result<_, _>>()?;
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// The inbox rows of the conversations listed in JSON `?1`.
fn rows_sql() -> String {
    format!("SELECT {INBOX_COLUMNS} FROM conversations c {WITH_LAST_MESSAGE} WHERE c.id IN (SELECT value FROM json_each(?1))")
}

/// The filters every list and every search arm applies to conversations `c`.
fn filters_sql(query: &InboxQuery, values: &mut Vec<SqlValue>) -> String {
    let mut filters = String::new();
    match query.status {
        // Spelled to match the partial index `conversations_in_inbox`.
        StatusFilter::Inbox => filters.push_str(" AND c.status_code < 3"),
        StatusFilter::Only(status) => {
            let p = bind(values, status.code().into());
            filters.push_str(&format!(" AND c.status_code = {p}"));
        }
        StatusFilter::Any => {}
    }
    if let Some(department) = query.department {
        let p = bind(values, department.into());
        filters.push_str(&format!(" AND c.department = {p}"));
    }
    if let Some(source) = &query.source {
        let p = bind(values, source.clone().into());
        filters.push_str(&format!(" AND c.source = {p}"));
    }
    if let Some((agent, with_unassigned)) = query.assigned_to {
        let p = bind(values, agent.into());
        let unassigned = if with_unassigned { " OR c.agent_id IS NULL" } else { "" };
        filters.push_str(&format!(" AND (c.agent_id = {p}{unassigned})"));
    }
    if let Some(user_id) = query.user_id {
        let p = bind(values, user_id.into());
        filters.push_str(&format!(" AND c.user_id = {p}"));
    }
    if let Some(agent) = query.participant {
        let p = bind(values, agent.into());
        filters.push_str(&format!(
            " AND (c.agent_id = {p} OR c.id IN (SELECT conversation_id FROM messages WHERE user_id = {p}))"
        ));
    }
    if let Some(exclude) = query.exclude_id {
        let p = bind(values, exclude.into());
        filters.push_str(&format!(" AND c.id != {p}"));
    }
    match &query.after {
        Some(After::Id(id)) => {
            let p = bind(values, (*id).into());
            filters.push_str(&format!(" AND c.last_message_id > {p}"));
        }
        Some(After::Time(time)) => {
            // Message IDs grow with time, so "a message after T" is "a last message at or
            // after the first message after T": one index probe instead of a scan. (Every
            // listed conversation has a message, and none predates its conversation.)
            let p = bind(values, time.clone().into());
            filters.push_str(&format!(
                " AND c.last_message_id >= (SELECT id FROM messages WHERE creation_time > {p} \
                 ORDER BY creation_time, id LIMIT 1)"
            ));
        }
        None => {}
    }
    filters
}

/// Appends a bound value and returns its placeholder.
fn bind(values: &mut Vec<SqlValue>, value: SqlValue) -> String {
    values.push(value);
    format!("?{}", values.len())
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::After;

    /// The inbox lists that run on every page view must walk an index in order:
    /// no full scan of conversations and no sort of the whole result.
    #[test]
    fn frequent_inbox_lists_use_indexes_and_never_sort() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrate::run(&mut conn).unwrap();
        assert_plans_use_indexes(&conn);
        // Statistics taken with one user in the database (a new install's first
        // maintenance run) must not change the plans.
        conn.execute_batch(
            "INSERT INTO users (first_name, last_name, user_type, creation_time, last_activity, token_nonce, token_lookup)
             VALUES ('A', 'B', 'admin', '2024-01-01 00:00:00', '2024-01-01 00:00:00', 'n', 'l');
             ANALYZE;",
        )
        .unwrap();
        assert_plans_use_indexes(&conn);
    }

    /// A search walks its message matches newest first, fetching each one's
    /// conversation by key, rather than testing every conversation in last-message
    /// order or sorting every match.
    #[test]
    fn searches_start_from_their_matches() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrate::run(&mut conn).unwrap();
        for status in [StatusFilter::Any, StatusFilter::Inbox] {
            let query = InboxQuery {
                status,
                message_match: Some("\"rare\"".into()),
                user_match: Some("\"rare\"".into()),
                ..InboxQuery::default()
            };
            let plan = plan_of(&conn, &query);
            assert!(plan.contains("SEARCH m USING INTEGER PRIMARY KEY"), "{plan}");
            assert!(!plan.lines().any(|l| l.starts_with("SCAN c")), "{plan}");
            let message_arm = plan.split("RIGHT").next().unwrap();
            assert!(!message_arm.contains("TEMP B-TREE"), "{plan}");
        }
    }

    fn plan_of(conn: &Connection, query: &InboxQuery) -> String {
        let (sql, values) = if query.is_search() { hits_sql(query) } else { list_sql(query) };
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let plan: Vec<String> =
            stmt.query_map(params_from_iter(values), |row| row.get(3)).unwrap().map(Result::unwrap).collect();
        plan.join("\n")
    }

    /// Whether the plan scans messages or users.
    fn scans_a_join(plan: &str) -> bool {
        plan.lines().any(|line| line.starts_with("SCAN m") || line.starts_with("SCAN users"))
    }

    fn assert_plans_use_indexes(conn: &Connection) {
        let queries = [
            InboxQuery::default(),
            InboxQuery { status: StatusFilter::Only(ConversationStatus::Archive), ..InboxQuery::default() },
            InboxQuery { department: Some(3), ..InboxQuery::default() },
            InboxQuery { source: Some("wa".into()), ..InboxQuery::default() },
            InboxQuery { assigned_to: Some((2, false)), ..InboxQuery::default() },
            InboxQuery { status: StatusFilter::Any, user_id: Some(3), ..InboxQuery::default() },
            InboxQuery { status: StatusFilter::Any, after: Some(After::Id(5)), ..InboxQuery::default() },
            InboxQuery {
                status: StatusFilter::Any,
                after: Some(After::Time("2024-01-01 00:00:00".into())),
                ..InboxQuery::default()
            },
        ];
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {}", rows_sql())).unwrap();
        let plan: Vec<String> = stmt.query_map(["[1, 2]"], |row| row.get(3)).unwrap().map(Result::unwrap).collect();
        let plan = plan.join("\n");
        assert!(plan.contains("SEARCH c USING INTEGER PRIMARY KEY"), "a search's page scans:\n{plan}");
        assert!(!scans_a_join(&plan), "a search's page scans:\n{plan}");
        for query in queries {
            let plan = plan_of(conn, &query);
            assert!(!plan.contains("TEMP B-TREE"), "{query:?} sorts:\n{plan}");
            assert!(plan.lines().all(|l| !l.starts_with("SCAN c") || l.contains("INDEX")), "{query:?} scans:\n{plan}");
            assert!(!scans_a_join(&plan), "{query:?} scans:\n{plan}");
        }
    }
}
