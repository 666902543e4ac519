//! Every statement about the `outbox`.

use rusqlite::{params, Connection, Row};

pub struct Item {
    pub id: i64,
    pub kind: String,
    pub delivery_id: String,
    pub payload: String,
    pub attempts: i64,
    pub state: String,
    pub last_error: Option<String>,
    pub creation_time: String,
}

fn item(row: &Row) -> rusqlite::Result<Item> {
    Ok(Item {
        id: row.get(0)?,
        kind: row.get(1)?,
        delivery_id: row.get(2)?,
        payload: row.get(3)?,
        attempts: row.get(4)?,
        state: row.get(5)?,
        last_error: row.get(6)?,
        creation_time: row.get(7)?,
    })
}

const COLUMNS: &str = "id, kind, delivery_id, payload, attempts, state, last_error, creation_time";

pub fn enqueue(
    conn: &Connection,
    kind: &str,
    delivery_id: &str,
    ordering_key: Option<&str>,
    payload: &str,
    now: &str,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO outbox (kind, delivery_id, ordering_key, payload, next_attempt_at, creation_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![kind, delivery_id, ordering_key, payload, now])?;
    Ok(conn.last_insert_rowid())
}

/// Pending items due at `now`, oldest first, skipping any item behind an earlier
/// pending item with the same ordering key.
pub fn due(conn: &Connection, now: &str, limit: i64) -> rusqlite::Result<Vec<Item>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM outbox o
          WHERE o.state = 'pending' AND o.next_attempt_at <= ?1
            AND (o.ordering_key IS NULL OR NOT EXISTS (
                 SELECT 1 FROM outbox e WHERE e.state = 'pending' AND e.ordering_key = o.ordering_key AND e.id < o.id))
          ORDER BY o.id LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![now, limit], item)?.collect();
    rows
}

pub fn mark_delivered(conn: &Connection, id: i64, now: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?2, last_error = NULL WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    Ok(())
}

pub fn mark_retry(conn: &Connection, id: i64, next_attempt_at: &str, error: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 WHERE id = ?1",
    )?
    .execute(params![id, next_attempt_at, error])?;
    Ok(())
}

pub fn mark_failed(conn: &Connection, id: i64, error: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?2 WHERE id = ?1")?
        .execute(params![id, error])?;
    Ok(())
}

/// The newest items in `state` (or in any state), for admins.
pub fn recent(conn: &Connection, state: Option<&str>, limit: i64) -> rusqlite::Result<Vec<Item>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE ?1 IS NULL OR state = ?1 ORDER BY id DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![state, limit], item)?.collect();
    rows
}

/// How many items are in each state, for admins: `(state, count)` by state name.
pub fn counts(conn: &Connection) -> rusqlite::Result<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached("SELECT state, count(*) FROM outbox GROUP BY state ORDER BY state")?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?.collect();
    rows
}

/// How many items wait for delivery, and when the oldest of them was queued.
pub fn pending_summary(conn: &Connection) -> rusqlite::Result<(i64, Option<String>)> {
    conn.prepare_cached("SELECT count(*), min(creation_time) FROM outbox WHERE state = 'pending'")?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
}
