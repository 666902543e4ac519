//! The `reports` table (events recorded by `reports-update` and by the rest of the
//! product through [`record`]) and every statement the `reports` function computes,
//! from that table and from conversations, messages and users.
//!
//! Per-day series bind the days as one JSON array of UTC `[start, end)` pairs
//! (`?1`), so one statement counts every day of the caller's calendar, however
//! long its days are, each day an index range probe.

use crate::domain::days::Day;
use crate::domain::{ReportName, UserType};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, Row};

/// Appends one event; `name` says which report counts it.
pub fn record(
    conn: &Connection,
    name: ReportName,
    value: Option<&str>,
    external_id: Option<&str>,
    extra: Option<&str>,
    now: &str,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO reports (name, value, external_id, extra, creation_time) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![name.as_str(), value, external_id, extra, now])?;
    Ok(conn.last_insert_rowid())
}

/// What a per-day series counts (or averages, for durations).
#[derive(Debug, Clone, Copy)]
pub enum Daily {
    NewConversations,
    /// Conversations with a message from their customer and none from an agent or admin.
    MissedConversations,
    /// Average seconds from first to last message of the conversations started that
    /// day; a conversation of one message has no duration and is left out.
    ConversationDurations,
    NewUsers(UserType),
    /// New visitors, leads and users that have an email.
    Registrations,
    Events(ReportName),
}

/// The days as `?1`: `day` is the index into the slice of days.
const DAYS: &str = "WITH days AS (SELECT key AS day, value ->> 0 AS start, value ->> 1 AS end FROM json_each(?1))";

/// Seconds from the first to the last message of the conversation whose ID is in
/// `column`; NULL below two messages.
fn duration(column: &str) -> String {
    format!(
        "(SELECT CASE WHEN count(*) > 1 THEN unixepoch(max(m.creation_time)) - unixepoch(min(m.creation_time)) END
            FROM messages m WHERE m.conversation_id = {column})"
    )
}

impl Daily {
    /// The statement after the `days` CTE, and its `?2` if any. `CROSS JOIN` keeps
    /// the days as the outer loop, so each day is one range probe of an index.
    fn sql(self) -> (String, Option<&'static str>) {
        let in_day = |alias: &str| format!("{alias}.creation_time >= d.start AND {alias}.creation_time < d.end");
        let conversations =
            format!("SELECT d.day, count(*) FROM days d CROSS JOIN conversations c WHERE {}", in_day("c"));
        let users = format!("SELECT d.day, count(*) FROM days d CROSS JOIN users u WHERE {}", in_day("u"));
        match self {
            Daily::NewConversations => (conversations, None),
            Daily::MissedConversations => (
                format!(
                    "{conversations}
                       AND EXISTS (SELECT 1 FROM messages m JOIN users mu ON mu.id = m.user_id
                                    WHERE m.conversation_id = c.id AND mu.user_type IN ('visitor', 'lead', 'user'))
                       AND NOT EXISTS (SELECT 1 FROM messages m JOIN users mu ON mu.id = m.user_id
                                        WHERE m.conversation_id = c.id AND mu.user_type IN ('agent', 'admin'))"
                ),
                None,
            ),
            Daily::ConversationDurations => (
                format!(
                    "SELECT d.day, CAST(round(avg({})) AS INTEGER)
                       FROM days d CROSS JOIN conversations c WHERE {}",
                    duration("c.id"),
                    in_day("c")
                ),
                None,
            ),
            Daily::NewUsers(user_type) => (format!("{users} AND u.user_type = ?2"), Some(user_type.as_str())),
            Daily::Registrations => (
                format!("{users} AND u.user_type IN ('visitor', 'lead', 'user') AND coalesce(u.email, '') != ''"),
                None,
            ),
            Daily::Events(name) => (
                format!(
                    "SELECT d.day, count(*) FROM days d CROSS JOIN reports r WHERE r.name = ?2 AND {}",
                    in_day("r")
                ),
                Some(name.as_str()),
            ),
        }
    }
}

/// One figure per day, in the order of `days`; days without rows are 0.
pub fn per_day(conn: &Connection, series: Daily, days: &[Day]) -> rusqlite::Result<Vec<i64>> {
    let (body, second) = series.sql();
    let bounds: Vec<[&str; 2]> = days.iter().map(|day| [day.start.as_str(), day.end.as_str()]).collect();
    let mut values: Vec<SqlValue> = vec![serde_json::to_string(&bounds).unwrap_or_default().into()];
    values.extend(second.map(|s| SqlValue::Text(s.to_string())));
    let mut stmt = conn.prepare_cached(&format!("{DAYS} {body} GROUP BY d.day"))?;
    let mut figures = vec![0; days.len()];
    let rows =
        stmt.query_map(params_from_iter(values), |row| Ok((row.get::<_, i64>(0)?, row.get::<_, Option<i64>>(1)?)))?;
    for row in rows {
        let (day, figure) = row?;
        if let Some(slot) = usize::try_from(day).ok().and_then(|day| figures.get_mut(day)) {
            *slot = figure.unwrap_or(0);
        }
    }
    Ok(figures)
}

/// What a per-agent table measures over the messages (or conversations) of a range.
#[derive(Debug, Clone, Copy)]
pub enum PerAgent {
    /// Average seconds from a customer's first unanswered message to the agent's
    /// reply, over the agent's replies sent in the range.
    ResponseTime,
    /// Conversations the agent wrote in within the range.
    Conversations,
    /// Average duration (first to last message) of those conversations, where
    /// they have two messages or more.
    ConversationDurations,
    /// `[positive, negative]` ratings of the conversations started in the range that
    /// the agent is assigned to or wrote in.
    Ratings,
}

/// One agent's row: who, and one figure (or `[positive, negative]` for ratings).
#[derive(Debug, Clone, PartialEq)]
pub struct AgentFigures {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub figures: Vec<i64>,
}

/// The agent's replies in the range whose previous message on the agents' side is
/// older than a customer message: the reply answers the customer's first message
/// since then. `?1`/`?2` are the range; bots are on neither side.
const RESPONSE_TIMES: &str = "SELECT u.id, u.first_name, u.last_name,
        CAST(round(avg(unixepoch(a.creation_time) - unixepoch(q.creation_time))) AS INTEGER)
   FROM messages a
   CROSS JOIN users u ON u.id = a.user_id
   JOIN messages q ON q.id = (
        SELECT min(m.id) FROM messages m JOIN users mu ON mu.id = m.user_id
         WHERE m.conversation_id = a.conversation_id AND m.id < a.id
           AND mu.user_type IN ('visitor', 'lead', 'user')
           AND m.id > coalesce((SELECT max(p.id) FROM messages p JOIN users pu ON pu.id = p.user_id
                                 WHERE p.conversation_id = a.conversation_id AND p.id < a.id
                                   AND pu.user_type IN ('agent', 'admin')), 0))
  WHERE a.creation_time >= ?1 AND a.creation_time < ?2 AND u.user_type IN ('agent', 'admin')
  GROUP BY u.id ORDER BY u.id";

const CONVERSATIONS: &str = "SELECT u.id, u.first_name, u.last_name, count(DISTINCT m.conversation_id)
   FROM messages m CROSS JOIN users u ON u.id = m.user_id
  WHERE m.creation_time >= ?1 AND m.creation_time < ?2 AND u.user_type IN ('agent', 'admin')
  GROUP BY u.id ORDER BY u.id";

const CONVERSATION_DURATIONS: &str = "WITH pairs AS (
        SELECT DISTINCT m.user_id AS agent, m.conversation_id AS id
          FROM messages m CROSS JOIN users mu ON mu.id = m.user_id
         WHERE m.creation_time >= ?1 AND m.creation_time < ?2 AND mu.user_type IN ('agent', 'admin')),
     durations AS MATERIALIZED (SELECT pairs.agent, {DURATION} AS seconds FROM pairs)
 SELECT u.id, u.first_name, u.last_name, CAST(round(avg(seconds)) AS INTEGER)
   FROM durations JOIN users u ON u.id = durations.agent
  GROUP BY u.id HAVING count(seconds) > 0 ORDER BY u.id";

const RATINGS: &str = "WITH rated AS (
        SELECT id, agent_id, rating FROM conversations
         WHERE creation_time >= ?1 AND creation_time < ?2 AND rating IS NOT NULL),
     pairs AS (
        SELECT id, agent_id AS agent, rating FROM rated WHERE agent_id IS NOT NULL
        UNION SELECT r.id, m.user_id, r.rating FROM rated r JOIN messages m ON m.conversation_id = r.id)
 SELECT u.id, u.first_name, u.last_name, sum(p.rating = 1), sum(p.rating = 0)
   FROM pairs p JOIN users u ON u.id = p.agent
  WHERE u.user_type IN ('agent', 'admin')
  GROUP BY u.id ORDER BY u.id";

impl PerAgent {
    fn sql(self) -> String {
        match self {
            PerAgent::ResponseTime => RESPONSE_TIMES.to_string(),
            PerAgent::Conversations => CONVERSATIONS.to_string(),
            PerAgent::ConversationDurations => CONVERSATION_DURATIONS.replace("{DURATION}", &duration("pairs.id")),
            PerAgent::Ratings => RATINGS.to_string(),
        }
    }

    fn width(self) -> usize {
        if matches!(self, PerAgent::Ratings) {
            2
        } else {
            1
        }
    }
}

/// Agents with data in the UTC range `[start, end)`, by ID.
pub fn per_agent(conn: &Connection, metric: PerAgent, start: &str, end: &str) -> rusqlite::Result<Vec<AgentFigures>> {
    let from_row = |row: &Row| {
        Ok(AgentFigures {
            id: row.get(0)?,
            first_name: row.get(1)?,
            last_name: row.get(2)?,
            figures: (0..metric.width()).map(|i| row.get(3 + i)).collect::<Result<_, _>>()?,
        })
    };
    let mut stmt = conn.prepare_cached(&metric.sql())?;
    let rows = stmt.query_map([start, end], from_row)?.collect();
    rows
}

/// What a count-by-label table groups.
#[derive(Debug, Clone, Copy)]
pub enum Grouping {
    /// Visitors, leads and users created in the range, by the value of a detail
    /// slug (or of the second slug when they lack the first).
    Detail(&'static str, &'static str),
    /// Events of these names by their `value`.
    EventValues(ReportName, ReportName),
    /// Events of these names by their `external_id`.
    EventExternalIds(ReportName, ReportName),
}

/// Materialised, so each user's details are looked up once.
const BY_DETAIL: &str = "WITH labels AS MATERIALIZED (
        SELECT coalesce((SELECT value FROM user_details WHERE user_id = u.id AND slug = ?3 AND value != ''),
                        (SELECT value FROM user_details WHERE user_id = u.id AND slug = ?4 AND value != '')) AS label
          FROM users u
         WHERE u.creation_time >= ?1 AND u.creation_time < ?2 AND u.user_type IN ('visitor', 'lead', 'user'))
 SELECT label, count(*) FROM labels WHERE label IS NOT NULL GROUP BY label ORDER BY count(*) DESC, label";

const BY_VALUE: &str = "SELECT value, count(*) FROM reports
  WHERE name IN (?3, ?4) AND creation_time >= ?1 AND creation_time < ?2 AND coalesce(value, '') != ''
  GROUP BY value ORDER BY count(*) DESC, value";

const BY_EXTERNAL_ID: &str = "SELECT external_id, count(*) FROM reports
  WHERE name IN (?3, ?4) AND creation_time >= ?1 AND creation_time < ?2 AND coalesce(external_id, '') != ''
  GROUP BY external_id ORDER BY count(*) DESC, external_id";

/// `(label, count)`, most frequent first, over the UTC range `[start, end)`.
pub fn grouped(conn: &Connection, grouping: Grouping, start: &str, end: &str) -> rusqlite::Result<Vec<(String, i64)>> {
    let (sql, first, second) = match grouping {
        Grouping::Detail(slug, fallback) => (BY_DETAIL, slug, fallback),
        Grouping::EventValues(a, b) => (BY_VALUE, a.as_str(), b.as_str()),
        Grouping::EventExternalIds(a, b) => (BY_EXTERNAL_ID, a.as_str(), b.as_str()),
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([start, end, first, second], |row| Ok((row.get(0)?, row.get(1)?)))?.collect();
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(conn: &Connection, sql: &str) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let values = vec!["[]"; stmt.parameter_count()];
        let lines: Vec<String> =
            stmt.query_map(params_from_iter(values), |row| row.get(3)).unwrap().map(Result::unwrap).collect();
        lines.join("\n")
    }

    /// Reports over a month must read that month through an index, never a whole
    /// table: the only full scans allowed are of the bound days and of CTEs.
    #[test]
    fn every_report_statement_reads_its_range_through_an_index() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrate::run(&mut conn).unwrap();
        let daily = [
            Daily::NewConversations,
            Daily::MissedConversations,
            Daily::ConversationDurations,
            Daily::NewUsers(UserType::Lead),
            Daily::Registrations,
            Daily::Events(ReportName::Subscribe),
        ];
        let mut statements: Vec<String> =
            daily.iter().map(|d| format!("{DAYS} {} GROUP BY d.day", d.sql().0)).collect();
        let agents =
            [PerAgent::ResponseTime, PerAgent::Conversations, PerAgent::ConversationDurations, PerAgent::Ratings];
        statements.extend(agents.iter().map(|metric| metric.sql()));
        statements.extend([BY_DETAIL, BY_VALUE, BY_EXTERNAL_ID].map(String::from));
        for sql in statements {
            let plan = plan(&conn, &sql);
            let scans = plan.lines().filter(|line| line.starts_with("SCAN "));
            for scan in scans {
                assert!(
                    ["SCAN json_each", "SCAN pairs", "SCAN durations", "SCAN labels"]
                        .iter()
                        .any(|ok| scan.starts_with(ok)),
                    "{sql}\n{plan}"
                );
            }
            let first_read = plan.lines().find(|line| line.starts_with("SEARCH") || line.starts_with("SCAN")).unwrap();
            assert!(!first_read.contains("users_by_type (user_type=?)"), "walks every agent's messages:\n{plan}");
        }
    }
}
