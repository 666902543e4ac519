//! The outbox's queueing side: everything that leaves the server (emails,
//! webhooks) is first written here, in the transaction of the change that caused
//! it, so a crash or a receiver that is down loses nothing. Delivery is
//! [`crate::jobs::outbox`]'s.

pub mod email;
pub mod events;
pub mod webhooks;

use rusqlite::Connection;
use serde_json::Value;

/// Queues `payload` for delivery. Call inside the transaction that makes the change
/// the item reports, then [`crate::state::Background::wake`] after it commits.
pub fn enqueue(
    conn: &Connection,
    kind: &str,
    ordering_key: Option<&str>,
    payload: &Value,
    now: &str,
) -> rusqlite::Result<i64> {
    crate::db::outbox::enqueue(conn, kind, &crate::crypto::random_hex(16), ordering_key, &payload.to_string(), now)
}
