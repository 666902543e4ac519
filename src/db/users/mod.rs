//! Every statement about `users` and `user_details`.

mod lists;

use crate::domain::UserType;
use lists::collect;
pub use lists::{
    all_for_export, list, list_created_after, list_online, values_of_detail, ExportUser, UserQuery, UserScope,
};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

/// A user as stored.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub profile_image: Option<String>,
    pub user_type: UserType,
    pub creation_time: String,
    pub last_activity: String,
    pub department: Option<i64>,
    pub token_nonce: String,
}

const COLUMNS: &str = "users.id, users.first_name, users.last_name, users.email, users.profile_image, \
    users.user_type, users.creation_time, users.last_activity, users.department, users.token_nonce";

impl UserRow {
    fn from_row(row: &Row) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            first_name: row.get(1)?,
            last_name: row.get(2)?,
            email: row.get(3)?,
            profile_image: row.get(4)?,
            user_type: UserType::from_stored(&row.get::<_, String>(5)?),
            creation_time: row.get(6)?,
            last_activity: row.get(7)?,
            department: row.get(8)?,
            token_nonce: row.get(9)?,
        })
    }
}

/// One of the contract's "additional user details".
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub slug: String,
    pub name: String,
    pub value: String,
}

pub struct NewUser {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub profile_image: Option<String>,
    pub user_type: UserType,
    pub password_hash: Option<String>,
    pub department: Option<i64>,
    pub token_nonce: String,
    pub token_lookup: String,
    pub now: String,
}

/// Fields to change; `None` leaves a field as it is.
#[derive(Default)]
pub struct UserChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// `Some(None)` removes the email.
    pub email: Option<Option<String>>,
    pub profile_image: Option<Option<String>>,
    pub user_type: Option<UserType>,
    pub password_hash: Option<String>,
    pub department: Option<Option<i64>>,
}

pub fn find(conn: &Connection, id: i64) -> rusqlite::Result<Option<UserRow>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM users WHERE id = ?1"))?
        .query_row([id], UserRow::from_row)
        .optional()
}

pub fn find_by_email(conn: &Connection, email: &str) -> rusqlite::Result<Option<(UserRow, Option<String>)>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS}, password_hash FROM users WHERE email = ?1"))?
        .query_row([email], |row| Ok((UserRow::from_row(row)?, row.get(10)?)))
        .optional()
}

/// The stored password hash of a user, if they have one.
pub fn password_hash(conn: &Connection, id: i64) -> rusqlite::Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT password_hash FROM users WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?
        .flatten())
}

/// The user whose token hashes to `lookup`, with the stored hash for a constant-time check.
pub fn find_by_token_lookup(conn: &Connection, lookup: &str) -> rusqlite::Result<Option<(UserRow, String)>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS}, token_lookup FROM users WHERE token_lookup = ?1"))?
        .query_row([lookup], |row| Ok((UserRow::from_row(row)?, row.get(10)?)))
        .optional()
}

pub fn email_taken(conn: &Connection, email: &str, except_id: Option<i64>) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM users WHERE email = ?1 AND id IS NOT ?2)")?
        .query_row(params![email, except_id], |row| row.get(0))
}

pub fn insert(conn: &Connection, user: &NewUser) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO users (first_name, last_name, email, profile_image, user_type, password_hash,
                            creation_time, last_activity, department, token_nonce, token_lookup)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        user.first_name,
        user.last_name,
        user.email,
        user.profile_image,
        user.user_type.as_str(),
        user.password_hash,
        user.now,
        user.department,
        user.token_nonce,
        user.token_lookup,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Applies `changes`; returns false when the user does not exist.
pub fn update(conn: &Connection, id: i64, changes: &UserChanges) -> rusqlite::Result<bool> {
    let mut sets: Vec<&str> = Vec::new();
    let mut values: Vec<SqlValue> = Vec::new();
    let mut set = |column: &'static str, value: SqlValue| {
        sets.push(column);
        values.push(value);
    };
    if let Some(v) = &changes.first_name {
        set("first_name", v.clone().into());
    }
    if let Some(v) = &changes.last_name {
        set("last_name", v.clone().into());
    }
    if let Some(v) = &changes.email {
        set("email", v.clone().into());
    }
    if let Some(v) = &changes.profile_image {
        set("profile_image", v.clone().into());
    }
    if let Some(v) = changes.user_type {
        set("user_type", v.as_str().to_string().into());
    }
    if let Some(v) = &changes.password_hash {
        set("password_hash", v.clone().into());
    }
    if let Some(v) = changes.department {
        set("department", v.into());
    }
    if sets.is_empty() {
        return exists(conn, id);
    }
    // Column names come from the fixed list above, never from the request.
    let assignments: Vec<String> = sets.iter().enumerate().map(|(i, c)| format!("{c} = ?{}", i + 2)).collect();
    let sql = format!("UPDATE users SET {} WHERE id = ?1", assignments.join(", "));
    let mut all = vec![SqlValue::Integer(id)];
    all.extend(values);
    Ok(conn.prepare_cached(&sql)?.execute(params_from_iter(all))? > 0)
}

pub fn exists(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1)")?.query_row([id], |row| row.get(0))
}

pub fn set_token(conn: &Connection, id: i64, nonce: &str, lookup: &str) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("UPDATE users SET token_nonce = ?2, token_lookup = ?3 WHERE id = ?1")?
        .execute(params![id, nonce, lookup])?
        > 0)
}

pub fn touch(conn: &Connection, id: i64, now: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE users SET last_activity = ?2 WHERE id = ?1")?.execute(params![id, now])?;
    Ok(())
}

/// Deletes a user; their conversations, messages and details go with them by
/// `ON DELETE CASCADE`.
pub fn delete(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn.prepare_cached("DELETE FROM users WHERE id = ?1")?.execute([id])? > 0)
}

/// Deletes every user of `user_type`; answers their IDs.
pub fn delete_of_type(conn: &Connection, user_type: UserType) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached("DELETE FROM users WHERE user_type = ?1 RETURNING id")?;
    let ids = stmt.query_map([user_type.as_str()], |row| row.get(0))?.collect();
    ids
}

pub fn any_agent_online(conn: &Connection, since: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM users WHERE user_type IN ('agent', 'admin') AND last_activity >= ?1)",
    )?
    .query_row([since], |row| row.get(0))
}

/// Agents and admins that have an email, in `department` when one is given.
pub fn agents_with_email(conn: &Connection, department: Option<i64>) -> rusqlite::Result<Vec<UserRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM users WHERE user_type IN ('agent', 'admin') AND email IS NOT NULL AND email != ''
            AND (?1 IS NULL OR department = ?1) ORDER BY id"
    );
    collect(conn, &sql, vec![department.into()])
}

pub fn agent_ids(conn: &Connection, include_admins: bool) -> rusqlite::Result<Vec<i64>> {
    let sql = if include_admins {
        "SELECT id FROM users WHERE user_type IN ('agent', 'admin') ORDER BY id"
    } else {
        "SELECT id FROM users WHERE user_type = 'agent' ORDER BY id"
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let ids = stmt.query_map([], |row| row.get(0))?.collect();
    ids
}

pub fn count_by_type(conn: &Connection) -> rusqlite::Result<Vec<(UserType, i64)>> {
    let mut stmt = conn.prepare_cached("SELECT user_type, count(*) FROM users GROUP BY user_type")?;
    let counts =
        stmt.query_map([], |row| Ok((UserType::from_stored(&row.get::<_, String>(0)?), row.get(1)?)))?.collect();
    counts
}

pub fn any_admin(conn: &Connection) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM users WHERE user_type = 'admin')")?.query_row([], |r| r.get(0))
}

pub fn first_of_type(conn: &Connection, user_type: UserType) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT min(id) FROM users WHERE user_type = ?1")?
        .query_row([user_type.as_str()], |row| row.get(0))
}

pub fn details(conn: &Connection, user_id: i64) -> rusqlite::Result<Vec<Detail>> {
    let mut stmt =
        conn.prepare_cached("SELECT slug, name, value FROM user_details WHERE user_id = ?1 ORDER BY slug")?;
    let details = stmt
        .query_map([user_id], |row| Ok(Detail { slug: row.get(0)?, name: row.get(1)?, value: row.get(2)? }))?
        .collect();
    details
}

pub fn detail(conn: &Connection, user_id: i64, slug: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT value FROM user_details WHERE user_id = ?1 AND slug = ?2")?
        .query_row(params![user_id, slug], |row| row.get(0))
        .optional()
}

pub fn set_detail(conn: &Connection, user_id: i64, detail: &Detail) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO user_details (user_id, slug, name, value) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (user_id, slug) DO UPDATE SET name = excluded.name, value = excluded.value",
    )?
    .execute(params![user_id, detail.slug, detail.name, detail.value])?;
    Ok(())
}

/// `?n+1, ?n+2, …` for `count` values after the `already` bound ones.
pub(crate) fn placeholders(already: usize, count: usize) -> String {
    (already + 1..=already + count).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ")
}

/// Removes one detail of a user.
pub fn remove_detail(conn: &Connection, user_id: i64, slug: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM user_details WHERE user_id = ?1 AND slug = ?2")?
        .execute(params![user_id, slug])?;
    Ok(())
}
