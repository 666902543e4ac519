//! Every statement about `audit_log`: appending, reading by filter, and the
//! retention's pruning (the only delete).

use crate::domain::audit::{Actor, Filter};
use rusqlite::{params, Connection, Row};

pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub via: String,
    pub address: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub details: String,
}

impl AuditRow {
    fn from_row(row: &Row) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            at: row.get(1)?,
            actor_id: row.get(2)?,
            actor: row.get(3)?,
            via: row.get(4)?,
            address: row.get(5)?,
            action: row.get(6)?,
            target: row.get(7)?,
            details: row.get(8)?,
        })
    }
}

pub fn append(
    conn: &Connection,
    at: &str,
    actor: &Actor,
    action: &str,
    target: Option<&str>,
    details: &serde_json::Value,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor_id, actor, via, address, action, target, details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        at,
        actor.user_id,
        actor.name,
        actor.via,
        actor.address,
        action,
        target,
        details.to_string()
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Entries matching `filter`, newest first, `limit` of them after skipping `offset`.
pub fn list(conn: &Connection, filter: &Filter, offset: i64, limit: i64) -> rusqlite::Result<Vec<AuditRow>> {
    let family = filter.action.as_ref().map(|action| format!("{action}.%"));
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor_id, actor, via, address, action, target, details FROM audit_log
         WHERE (?1 IS NULL OR actor_id = ?1)
           AND (?2 IS NULL OR action = ?2 OR action LIKE ?3)
           AND (?4 IS NULL OR at >= ?4) AND (?5 IS NULL OR at <= ?5)
         ORDER BY id DESC LIMIT ?6 OFFSET ?7",
    )?;
    let rows = stmt
        .query_map(
            params![filter.actor_id, filter.action, family, filter.from, filter.to, limit, offset],
            AuditRow::from_row,
        )?
        .collect();
    rows
}

/// Deletes entries older than `before`; answers how many.
pub fn prune(conn: &Connection, before: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached("DELETE FROM audit_log WHERE at < ?1")?.execute([before])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_filtered_and_never_changed() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrate::run(&mut conn).unwrap();
        let ann = Actor::person(7, "ann@example.com", "api", None);
        append(&conn, "2024-01-01 10:00:00", &ann, "user.update", Some("user 3"), &serde_json::json!({})).unwrap();
        append(&conn, "2024-01-02 10:00:00", &Actor::system(), "backup.create", None, &serde_json::json!({})).unwrap();
        let by_ann = Filter { actor_id: Some(7), ..Filter::default() };
        assert_eq!(list(&conn, &by_ann, 0, 10).unwrap().len(), 1);
        let users = Filter { action: Some("user".into()), ..Filter::default() };
        assert_eq!(list(&conn, &users, 0, 10).unwrap()[0].action, "user.update");
        let since = Filter { from: Some("2024-01-02 00:00:00".into()), ..Filter::default() };
        assert_eq!(list(&conn, &since, 0, 10).unwrap()[0].actor, "system");
        assert!(conn.execute("UPDATE audit_log SET actor = 'someone else'", []).is_err(), "append-only");
        assert_eq!(prune(&conn, "2024-01-02 00:00:00").unwrap(), 1);
    }
}
