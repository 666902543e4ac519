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

/// The WHERE clause every read shares: ?1 actor, ?2 action, ?3 its family, ?4 from, ?5 to.
const MATCHING: &str = "(?1 IS NULL OR actor_id = ?1)
    AND (?2 IS NULL OR action = ?2 OR action LIKE ?3 ESCAPE '\\')
    AND (?4 IS NULL OR at >= ?4) AND (?5 IS NULL OR at <= ?5)";

/// `user` finds `user.update` and `user.delete`; `_` and `%` match only themselves.
fn family(filter: &Filter) -> Option<String> {
    filter
        .action
        .as_ref()
        .map(|action| format!("{}.%", action.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")))
}

/// Entries matching `filter`, newest first, `limit` of them after skipping `offset`.
pub fn list(conn: &Connection, filter: &Filter, offset: i64, limit: i64) -> rusqlite::Result<Vec<AuditRow>> {
    let sql = format!(
        "SELECT id, at, actor_id, actor, via, address, action, target, details FROM audit_log
         WHERE {MATCHING} ORDER BY id DESC LIMIT ?6 OFFSET ?7"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(
            params![filter.actor_id, filter.action, family(filter), filter.from, filter.to, limit, offset],
            AuditRow::from_row,
        )?
        .collect();
    rows
}

/// How many entries match `filter`.
pub fn count(conn: &Connection, filter: &Filter) -> rusqlite::Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM audit_log WHERE {MATCHING}");
    conn.prepare_cached(&sql)?
        .query_row(params![filter.actor_id, filter.action, family(filter), filter.from, filter.to], |row| row.get(0))
}

/// Deletes entries older than `before` (the retention; the trigger refuses any
/// other delete); answers how many. Call inside a transaction.
pub fn prune(conn: &Connection, before: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached("INSERT INTO audit_log_pruning (before) VALUES (?1)")?.execute([before])?;
    let pruned = conn.prepare_cached("DELETE FROM audit_log WHERE at < ?1")?.execute([before])?;
    conn.prepare_cached("DELETE FROM audit_log_pruning")?.execute([])?;
    Ok(pruned)
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
        assert_eq!(count(&conn, &users).unwrap(), 1);
        let like = Filter { action: Some("u%".into()), ..Filter::default() };
        assert_eq!(count(&conn, &like).unwrap(), 0, "no wildcards from the filter");
        assert!(conn.execute("UPDATE audit_log SET actor = 'someone else'", []).is_err(), "append-only");
        assert!(conn.execute("DELETE FROM audit_log", []).is_err(), "append-only");
        assert_eq!(prune(&conn, "2024-01-02 00:00:00").unwrap(), 1);
        assert_eq!(count(&conn, &Filter::default()).unwrap(), 1, "the newer entry stays");
        assert!(conn.execute("DELETE FROM audit_log", []).is_err(), "pruning leaves no way open");
    }
}
