//! Email on demand: send-email (a user or agent, through the notification
//! templates), send-custom-email (any address, as written) and the Switchboard
//! addition send-test-email. Each only queues, in the call's transaction; the
//! outbox delivers through SMTP.

use super::messages::attachments_arg;
use super::Call;
use crate::db::{conversations, users};
use crate::domain::Email;
use crate::error::{ApiResult, Failure, Outcome};
use crate::ops::notifications::{self, About, Audience};
use crate::outbox::email;
use serde_json::{json, Value};

const MESSAGE_MAX: usize = 65_536;

/// An address argument, checked where it enters.
fn address_arg(call: &Call, name: &'static str) -> ApiResult<Option<Email>> {
    match call.args.text_max(name, 254)?.filter(|to| !to.trim().is_empty()) {
        None => Ok(None),
        Some(to) => Email::parse(&to).map(Some).ok_or_else(|| Failure::invalid(name, "not an email address").into()),
    }
}

pub fn send_email(call: &mut Call) -> ApiResult<Value> {
    let recipient_id = call.args.id("recipient_id")?;
    let message = call.args.text_max("message", MESSAGE_MAX)?.filter(|m| !m.trim().is_empty());
    let (Some(recipient_id), Some(message)) = (recipient_id, message) else {
        return Err(Outcome::MissingUserIdOrMessage.into());
    };
    let attachments = attachments_arg(call)?.unwrap_or_default();
    let sender_id = call.args.id("sender_id")?.unwrap_or(call.caller.id);
    let conn = call.db.conn()?;
    let (Some(recipient), Some(sender)) = (users::find(conn, recipient_id)?, users::find(conn, sender_id)?) else {
        return Err(Outcome::UserOrSenderNotFound.into());
    };
    let conversation_id = match Audience::of(&recipient) {
        Audience::User => conversations::latest_of_user(conn, recipient.id)?,
        Audience::Agent => None,
    };
    let about = About {
        sender_name: notifications::full_name(&sender),
        message: &message,
        attachments: &attachments,
        conversation_id,
    };
    let composed = notifications::templated(conn, call.state, &recipient, &about)?.ok_or(Outcome::UserEmailNotFound)?;
    let now = call.now();
    call.write(move |tx| Ok(email::queue(tx, &composed, &now)?))?;
    call.state.background.wake();
    Ok(json!(true))
}

pub fn send_custom_email(call: &mut Call) -> ApiResult<Value> {
    let to = address_arg(call, "to")?.ok_or(Failure::MissingArgument("to"))?;
    let subject = call.args.required_text("subject", 998)?;
    let message = call.args.required_text("message", MESSAGE_MAX)?;
    let suffix = call.args.text_max("sender_suffix", 255)?.filter(|s| s != "false").unwrap_or_default();
    let recipient_id = users::find_by_email(call.db.conn()?, to.as_str())?.map(|(user, _)| user.id);
    let composed = notifications::plain_email(to.as_str(), &subject, &message, recipient_id, &suffix);
    let now = call.now();
    call.write(move |tx| Ok(email::queue(tx, &composed, &now)?))?;
    call.state.background.wake();
    Ok(json!(true))
}

/// Switchboard addition: queues a test email to `to`, by default the calling
/// admin's address, and answers its outbox ID (see get-outbox for its fate).
pub fn send_test_email(call: &mut Call) -> ApiResult<Value> {
    let to = match address_arg(call, "to")? {
        Some(to) => to,
        None => call.caller.email.as_deref().and_then(Email::parse).ok_or(Failure::MissingArgument("to"))?,
    };
    let now = call.now();
    let composed = crate::ops::email::test_email(call.db.conn()?, call.state, &to)?;
    let id = call.write(move |tx| Ok(crate::ops::email::queue(tx, &composed, &now)?))?;
    call.state.background.wake();
    Ok(json!(id))
}
