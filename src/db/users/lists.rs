//! Lists of people: the filtered, sorted and searched list, the newest, the
//! online, one detail across people, and everyone for the CSV export.

use super::{placeholders, UserRow, COLUMNS};
use crate::db::search::UserMatch;
use crate::domain::{After, UserSort, UserType, PAGE_SIZE};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection};

/// What `get-users` may filter and sort by.
#[derive(Clone)]
pub struct UserQuery {
    pub types: Vec<UserType>,
    pub ids: Option<Vec<i64>>,
    pub search: Option<UserMatch>,
    pub sort: UserSort,
    pub descending: bool,
    pub offset: i64,
}

pub fn list(conn: &Connection, query: &UserQuery) -> rusqlite::Result<Vec<UserRow>> {
    let (sql, values) = list_sql(query);
    collect(conn, &sql, values)
}

fn list_sql(query: &UserQuery) -> (String, Vec<SqlValue>) {
    let mut sql = format!("SELECT {COLUMNS} FROM users WHERE 1");
    let mut values: Vec<SqlValue> = Vec::new();
    if !query.types.is_empty() {
        // A search starts from its matches; `+` keeps SQLite from walking the type
        // index instead, which visits every user of those types (the admin list's
        // "Everyone" is all of them).
        let column = if query.search.is_some() { "+user_type" } else { "user_type" };
        sql.push_str(&format!(" AND {column} IN ({})", placeholders(values.len(), query.types.len())));
        values.extend(query.types.iter().map(|t| SqlValue::from(t.as_str().to_string())));
    }
    if let Some(ids) = &query.ids {
        sql.push_str(&format!(" AND id IN ({})", placeholders(values.len(), ids.len())));
        values.extend(ids.iter().map(|id| SqlValue::Integer(*id)));
    }
    if let Some(search) = &query.search {
        // The indexes yield their matches' IDs; users are then read by key.
        if let Some(words) = &search.short_words {
            values.push(words.clone().into());
            sql.push_str(&format!(" AND id IN (SELECT rowid FROM users_fts WHERE users_fts MATCH ?{})", values.len()));
        }
        for long in &search.long_words {
            values.push(long.word.clone().into());
            values.push(long.part.clone().into());
            let (word, part) = (values.len() - 1, values.len());
            sql.push_str(&format!(
                " AND id IN (SELECT rowid FROM users_fts WHERE users_fts MATCH ?{word} \
                 UNION ALL SELECT rowid FROM user_details_trigram WHERE user_details_trigram MATCH ?{part})"
            ));
        }
    }
    let order = if query.descending { "DESC" } else { "ASC" };
    values.push(SqlValue::Integer(query.offset));
    let offset = values.len();
    let order_by = match query.sort {
        // Walks the matches' IDs in order and stops after one page.
        UserSort::Id => format!("id {order}"),
        // A search sorts its matches (`+` keeps SQLite from walking the sort column's
        // index instead, which visits every user to find the few that match).
        _ if query.search.is_some() => format!("+{} {order}, id {order}", query.sort.sql()),
        _ => format!("{} {order}, id {order}", query.sort.sql()),
    };
    sql.push_str(&format!(" ORDER BY {order_by} LIMIT {PAGE_SIZE} OFFSET ?{offset}"));
    (sql, values)
}

/// Users created after an ID or a time, newest first.
pub fn list_created_after(conn: &Connection, after: &After) -> rusqlite::Result<Vec<UserRow>> {
    let (condition, value): (&str, SqlValue) = match after {
        After::Id(id) => ("id > ?1", SqlValue::Integer(*id)),
        After::Time(time) => ("creation_time > ?1", time.clone().into()),
    };
    let sql = format!("SELECT {COLUMNS} FROM users WHERE {condition} ORDER BY id DESC LIMIT 1000");
    collect(conn, &sql, vec![value])
}

/// Users active since `since`, excluding `exclude`; only agents and admins when asked.
pub fn list_online(
    conn: &Connection,
    since: &str,
    exclude: &[i64],
    agents_only: bool,
    sort: UserSort,
) -> rusqlite::Result<Vec<UserRow>> {
    let mut values: Vec<SqlValue> = vec![since.to_string().into()];
    let mut sql = format!("SELECT {COLUMNS} FROM users WHERE last_activity >= ?1 AND user_type != 'bot'");
    if agents_only {
        sql.push_str(" AND user_type IN ('agent', 'admin')");
    }
    if !exclude.is_empty() {
        sql.push_str(&format!(" AND id NOT IN ({})", placeholders(values.len(), exclude.len())));
        values.extend(exclude.iter().map(|id| SqlValue::Integer(*id)));
    }
    // The unary `+` keeps SQLite from walking a sort index over every user: the
    // online set is small, so find it by `last_activity` and sort what it holds.
    sql.push_str(&format!(" ORDER BY +{} DESC, id DESC LIMIT 1000", sort.sql()));
    collect(conn, &sql, values)
}

pub(super) fn collect(conn: &Connection, sql: &str, values: Vec<SqlValue>) -> rusqlite::Result<Vec<UserRow>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params_from_iter(values), UserRow::from_row)?.collect();
    rows
}

/// `(user id, value)` of every user holding detail `slug` (or the `email`,
/// `first_name`, `last_name` column of that name), limited to `ids` when given.
pub fn values_of_detail(conn: &Connection, slug: &str, ids: &UserScope) -> rusqlite::Result<Vec<(i64, String)>> {
    let (mut sql, mut values): (String, Vec<SqlValue>) = match slug {
        "email" | "first_name" | "last_name" => {
            (format!("SELECT id, {slug} FROM users WHERE {slug} IS NOT NULL AND {slug} != ''"), vec![])
        }
        _ => (
            "SELECT user_id, value FROM user_details JOIN users ON users.id = user_details.user_id WHERE slug = ?1"
                .to_string(),
            vec![slug.to_string().into()],
        ),
    };
    let id_column = if matches!(slug, "email" | "first_name" | "last_name") { "id" } else { "user_id" };
    match ids {
        UserScope::All => {}
        UserScope::Agents => sql.push_str(" AND users.user_type IN ('agent', 'admin')"),
        UserScope::Ids(list) => {
            sql.push_str(&format!(" AND {id_column} IN ({})", placeholders(values.len(), list.len())));
            values.extend(list.iter().map(|id| SqlValue::Integer(*id)));
        }
    }
    sql.push_str(&format!(" ORDER BY {id_column}"));
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(values), |row| Ok((row.get(0)?, row.get(1)?)))?.collect();
    rows
}

/// Which users a bulk read covers.
pub enum UserScope {
    All,
    Agents,
    Ids(Vec<i64>),
}

/// A user with their details, for the CSV export.
pub struct ExportUser {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub user_type: String,
    pub creation_time: String,
    pub last_activity: String,
    /// `(name, value)` pairs.
    pub details: Vec<(String, String)>,
}

/// Every person but the bot, oldest first, with details: two queries merged in order.
pub fn all_for_export(conn: &Connection) -> rusqlite::Result<Vec<ExportUser>> {
    let mut stmt = conn.prepare(
        "SELECT id, first_name, last_name, email, user_type, creation_time, last_activity
           FROM users WHERE user_type != 'bot' ORDER BY id",
    )?;
    let mut users: Vec<ExportUser> = stmt
        .query_map([], |row| {
            Ok(ExportUser {
                id: row.get(0)?,
                first_name: row.get(1)?,
                last_name: row.get(2)?,
                email: row.get(3)?,
                user_type: row.get(4)?,
                creation_time: row.get(5)?,
                last_activity: row.get(6)?,
                details: Vec::new(),
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare("SELECT user_id, name, value FROM user_details ORDER BY user_id, slug")?;
    let details = stmt.query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get(1)?, row.get(2)?)))?;
    let mut index = 0;
    for detail in details {
        let (user_id, name, value) = detail?;
        while index < users.len() && users[index].id < user_id {
            index += 1;
        }
        if let Some(user) = users.get_mut(index).filter(|u| u.id == user_id) {
            user.details.push((name, value));
        }
    }
    Ok(users)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::search::user_match;
    use crate::domain::UserSort;

    /// User searches (search-users, get-users, the admin users list) start from
    /// their matches in the search indexes and read each user by key, never walking
    /// users or an index over all of them: without statistics (a new or small
    /// database; the maintenance job drops those of tables under 1,000 rows) and
    /// with those of a million users.
    #[test]
    fn user_searches_start_from_their_matches() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrate::run(&mut conn).unwrap();
        assert_searches_start_from_their_matches(&conn);
        conn.execute_batch(
            "INSERT INTO users (first_name, last_name, user_type, creation_time, last_activity, token_nonce, token_lookup)
             VALUES ('A', 'B', 'admin', '2024-01-01 00:00:00', '2024-01-01 00:00:00', 'n', 'l');
             ANALYZE;
             UPDATE sqlite_stat1 SET stat = '1000000 1' WHERE tbl = 'users';
             UPDATE sqlite_stat1 SET stat = '1000000 200000 1' WHERE idx = 'users_by_type';
             ANALYZE sqlite_schema;",
        )
        .unwrap();
        assert_searches_start_from_their_matches(&conn);
    }

    fn assert_searches_start_from_their_matches(conn: &Connection) {
        let everyone = vec![UserType::Visitor, UserType::Lead, UserType::User, UserType::Agent, UserType::Admin];
        for input in ["5551234567", "an", "ann 55", "ann lee 12"] {
            let search_users = UserQuery {
                types: vec![],
                ids: None,
                search: user_match(input),
                sort: UserSort::Id,
                descending: true,
                offset: 0,
            };
            let admin_list =
                UserQuery { types: everyone.clone(), sort: UserSort::CreationTime, ..search_users.clone() };
            for query in [search_users, admin_list] {
                let (sql, values) = list_sql(&query);
                let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
                let plan: Vec<String> =
                    stmt.query_map(params_from_iter(values), |row| row.get(3)).unwrap().map(Result::unwrap).collect();
                let plan = plan.join("\n");
                let context = format!("{input} by {:?}:\n{plan}", query.sort);
                assert!(plan.starts_with("SEARCH users USING INTEGER PRIMARY KEY"), "{context}");
                assert!(!plan.lines().any(|l| l.starts_with("SCAN users ")), "{context}");
                if query.sort == UserSort::Id {
                    assert!(!plan.contains("TEMP B-TREE"), "sorts {context}");
                }
            }
        }
    }
}
