//! Emails someone asks for outright (not notifications): the SMTP settings' test,
//! used by `send-test-email` and the admin settings page.

use crate::db::users;
use crate::domain::Email;
use crate::outbox::email::{self, OutgoingEmail};
use crate::state::AppState;
use rusqlite::Connection;

/// The test email to `to`, composed from a read; the caller queues it with
/// [`queue`] in a write and wakes the outbox after.
pub fn test_email(conn: &Connection, state: &AppState, to: &Email) -> rusqlite::Result<OutgoingEmail> {
    let title = state.settings(conn)?.admin_title.clone();
    let message = format!(
        "This is a test email from {title}.\n\nIf you can read it, the SMTP settings work: \
         notifications and send-email will be delivered."
    );
    let recipient_id = users::find_by_email(conn, to.as_str())?.map(|(user, _)| user.id);
    Ok(super::notifications::plain_email(to.as_str(), &format!("{title}: test email"), &message, recipient_id, ""))
}

/// Queues an email composed before the write; answers its outbox ID.
pub fn queue(tx: &Connection, composed: &OutgoingEmail, now: &str) -> rusqlite::Result<i64> {
    email::queue(tx, composed, now)
}
