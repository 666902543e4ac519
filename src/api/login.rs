//! Logging people in and out. A login opens a server-side session; the value for
//! the `sb-login` cookie is that session's ID signed with the server key, so it
//! cannot be forged or edited, and `logout` revokes it.
//!
//! Through this API the form's `token` field always carries the admin token, so a
//! user logging in with their own token sends it as `user_token`.

use super::Call;
use crate::contract::profile_image_url;
use crate::crypto::{self, constant_time_eq};
use crate::db::sessions;
use crate::db::users::{self, UserChanges, UserRow};
use crate::domain::Email;
use crate::error::{ApiResult, Failure, Outcome};
use crate::ops::audit;
use crate::outbox::events;
use serde_json::{json, Value};

pub fn login(call: &mut Call) -> ApiResult<Value> {
    let email = call.args.text_max("email", 254)?.filter(|e| !e.trim().is_empty());
    let password = call.args.text_max("password", 1024)?.filter(|p| !p.is_empty());
    let user_id = call.args.id("user_id")?;
    let user_token = call.args.text_max("user_token", 64)?.filter(|t| !t.is_empty());
    let user = match (email, password, user_id, user_token) {
        (Some(email), Some(password), _, _) => {
            let found = users::find_by_email(call.db.conn()?, email.trim())?;
            let hash = found.as_ref().and_then(|(_, hash)| hash.clone());
            if call.verify_password(&password, hash.as_deref())? {
                found.map(|(user, _)| user)
            } else {
                None
            }
        }
        (_, _, Some(id), Some(token)) => users::find(call.db.conn()?, id)?.filter(|user| {
            constant_time_eq(&call.state.key.api_token(&user.token_nonce), &token.trim().to_ascii_lowercase())
        }),
        (Some(_), None, _, _) => return Err(Failure::MissingArgument("password").into()),
        (None, Some(_), _, _) => return Err(Failure::MissingArgument("email").into()),
        (_, _, Some(_), None) => return Err(Failure::MissingArgument("user_token").into()),
        _ => return Err(Failure::MissingArgument("email").into()),
    };
    let Some(user) = user else {
        // Recorded as the token's failed sign-in for the email given (or user ID).
        let (now, actor) = (call.now(), call.actor());
        let tried = json!({ "email": call.args.text_max("email", 254)?, "user_id": user_id });
        call.write(move |tx| Ok(audit::record(tx, &now, &actor, "sign-in.failed", None, tried)?))?;
        return Ok(json!(false));
    };
    let cookie = open_session(call, user.id, Some(&user))?;
    call.state.background.wake();
    Ok(json!([login_user_json(call, &user), cookie]))
}

fn login_user_json(call: &Call, user: &UserRow) -> Value {
    json!({
        "id": user.id.to_string(),
        "profile_image": profile_image_url(call.state, user.profile_image.as_deref()),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "user_type": user.user_type.as_str(),
        "token": call.state.key.api_token(&user.token_nonce),
    })
}

/// Opens a session for `user_id`; with `login`, fires the `login` webhook with it.
fn open_session(call: &mut Call, user_id: i64, login: Option<&UserRow>) -> ApiResult<String> {
    let session = crypto::random_hex(16);
    let cookie = call.state.key.sign(&format!("session:{session}"));
    let (now, state, login, actor) = (call.now(), call.state.clone(), login.cloned(), call.actor());
    call.write(move |tx| {
        sessions::insert(tx, &session, user_id, &now)?;
        users::touch(tx, user_id, &now)?;
        match login {
            Some(user) => {
                audit::record(tx, &now, &actor, "sign-in", audit::user_target(user_id), json!({}))?;
                Ok(events::login(tx, &state, &user)?)
            }
            None => Ok(()),
        }
    })?;
    Ok(cookie)
}

/// The session a `login_cookie` argument names, when it is genuine and live.
fn session_of(call: &Call) -> ApiResult<Option<(String, i64)>> {
    let Some(cookie) = call.args.text_max("login_cookie", 512)?.filter(|c| !c.is_empty()) else { return Ok(None) };
    let session = call
        .state
        .key
        .verify(&cookie)
        .and_then(|payload| payload.strip_prefix("session:").map(str::to_string))
        .ok_or_else(|| Failure::invalid("login_cookie", "not a login value issued by this server"))?;
    let user = sessions::user_of(call.db.conn()?, &session)?
        .ok_or_else(|| Failure::invalid("login_cookie", "the session has ended"))?;
    Ok(Some((session, user)))
}

/// Ends the session of `login_cookie` when given; with only the admin token there
/// is no session to end. The client deletes the cookie, as the contract says.
pub fn logout(call: &mut Call) -> ApiResult<Value> {
    if let Some((session, user_id)) = session_of(call)? {
        let (now, actor) = (call.now(), call.actor());
        call.write(move |tx| {
            sessions::revoke(tx, &session)?;
            Ok(audit::record(tx, &now, &actor, "sign-out", audit::user_target(user_id), json!({}))?)
        })?;
    }
    Ok(json!(true))
}

/// Rewrites the logged-in user's profile: the user of `login_cookie`, or the admin
/// calling. As the contract says, a field not sent is cleared. Returns a fresh
/// cookie value; the session it replaces ends.
pub fn update_login(call: &mut Call) -> ApiResult<Value> {
    let old_session = session_of(call)?;
    let user_id = old_session.as_ref().map_or(call.caller.id, |(_, user)| *user);
    let text =
        |name: &str| -> ApiResult<String> { Ok(call.args.text_max(name, 255)?.unwrap_or_default().trim().to_string()) };
    let email = match text("email")? {
        e if e.is_empty() => None,
        e => Some(Email::parse(&e).ok_or_else(|| Failure::invalid("email", "not an email address"))?.into_string()),
    };
    let image = match text("profile_image")? {
        u if u.is_empty() => None,
        u if url::Url::parse(&u).is_ok_and(|p| matches!(p.scheme(), "http" | "https")) => Some(u),
        _ => return Err(Failure::invalid("profile_image", "expected an http or https URL").into()),
    };
    let department = call.args.nullable_id("department")?.flatten();
    let changes = UserChanges {
        first_name: Some(text("first_name")?),
        last_name: Some(text("last_name")?),
        email: Some(email.clone()),
        profile_image: Some(image),
        department: Some(department),
        ..UserChanges::default()
    };
    let (state, now, actor) = (call.state.clone(), call.now(), call.actor());
    call.write(move |tx| {
        if let Some(email) = &email {
            if users::email_taken(tx, email, Some(user_id))? {
                return Err(Outcome::DuplicateEmail.into());
            }
        }
        let before = users::find(tx, user_id)?.ok_or(Outcome::UserNotFound)?;
        users::update(tx, user_id, &changes)?;
        let after = users::find(tx, user_id)?.ok_or(Outcome::UserNotFound)?;
        let changed = audit::user_changes(&before, &after);
        audit::record(tx, &now, &actor, "user.update", audit::user_target(user_id), changed)?;
        if let Some((session, _)) = &old_session {
            sessions::revoke(tx, session)?;
        }
        Ok(events::user_updated(tx, &state, &before)?)
    })?;
    let cookie = open_session(call, user_id, None)?;
    call.state.background.wake();
    Ok(json!(cookie))
}
