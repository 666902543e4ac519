//! Every statement about `job_runs`.

use rusqlite::{params, Connection, OptionalExtension};

pub struct RunRow {
    pub id: i64,
    pub job: String,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub outcome: Option<String>,
    pub report: Option<String>,
}

pub fn start(conn: &Connection, job: &str, now: &str) -> rusqlite::Result<i64> {
    conn.prepare_cached("INSERT INTO job_runs (job, started_at) VALUES (?1, ?2)")?.execute(params![job, now])?;
    Ok(conn.last_insert_rowid())
}

pub fn finish(conn: &Connection, id: i64, now: &str, ok: bool, report: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE job_runs SET ended_at = ?2, outcome = ?3, report = ?4 WHERE id = ?1")?
        .execute(params![id, now, if ok { "ok" } else { "error" }, report])?;
    Ok(())
}

/// When the job last started, if ever.
pub fn last_start(conn: &Connection, job: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT started_at FROM job_runs WHERE job = ?1 ORDER BY id DESC LIMIT 1")?
        .query_row([job], |row| row.get(0))
        .optional()
}

/// The latest run of `job`, if any.
pub fn last_run(conn: &Connection, job: &str) -> rusqlite::Result<Option<RunRow>> {
    conn.prepare_cached(
        "SELECT id, job, started_at, ended_at, outcome, report FROM job_runs WHERE job = ?1 ORDER BY id DESC LIMIT 1",
    )?
    .query_row([job], from_row)
    .optional()
}

fn from_row(row: &rusqlite::Row) -> rusqlite::Result<RunRow> {
    Ok(RunRow {
        id: row.get(0)?,
        job: row.get(1)?,
        started_at: row.get(2)?,
        ended_at: row.get(3)?,
        outcome: row.get(4)?,
        report: row.get(5)?,
    })
}

pub fn recent(conn: &Connection, limit: i64) -> rusqlite::Result<Vec<RunRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, job, started_at, ended_at, outcome, report FROM job_runs ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], from_row)?.collect();
    rows
}
