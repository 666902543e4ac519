//! Emails someone asks for outright (not notifications): the SMTP settings' test.

use crate::db::users;
use crate::domain::Email;
use crate::outbox::email;
use crate::state::AppState;
use rusqlite::Connection;

/// Queues the test email to `to` through the SMTP settings and answers its outbox
/// ID; send-test-email and the admin settings page both send it. Call in a write
/// transaction, then wake the jobs.
pub fn queue_test_email(tx: &Connection, state: &AppState, to: &Email, now: &str) -> rusqlite::Result<i64> {
    let title = state.settings(tx)?.admin_title.clone();
    let message = format!(
        "This is a test email from {title}.\n\nIf you can read it, the SMTP settings work: \
         notifications and send-email will be delivered."
    );
    let recipient_id = users::find_by_email(tx, to.as_str())?.map(|(user, _)| user.id);
    let email =
        super::notifications::plain_email(to.as_str(), &format!("{title}: test email"), &message, recipient_id, "");
    email::queue(tx, &email, now)
}
