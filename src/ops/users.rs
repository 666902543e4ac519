//! Creating, changing and deleting people: the one path every new user takes,
//! whether from `add-user`, the admin area's forms, `switchboard admin create`,
//! the first start, or the bot `get-bot-id` makes; and the one path for changes
//! and deletions, so the API and the admin area fire the same webhooks.

use super::{audit, OpsError, OpsResult, What};
use crate::crypto::SecretKey;
use crate::db::sessions;
use crate::db::users::{self, Detail, NewUser, UserChanges};
use crate::domain::audit::Actor;
use crate::domain::{Email, UserType};
use crate::outbox::events;
use crate::state::AppState;
use rusqlite::Connection;

/// A validated new user; [`create`] issues its token and stores it.
pub struct Account {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<Email>,
    pub profile_image: Option<String>,
    pub user_type: UserType,
    /// Hashed on the password threads before the write, so the deliberately slow
    /// hash never holds the writer.
    pub password_hash: Option<String>,
    pub department: Option<i64>,
    pub details: Vec<Detail>,
}

impl Account {
    pub fn new(user_type: UserType) -> Self {
        Self {
            first_name: String::new(),
            last_name: String::new(),
            email: None,
            profile_image: None,
            user_type,
            password_hash: None,
            department: None,
            details: Vec::new(),
        }
    }
}

/// Stores `account` and returns its ID; `duplicate-email` when the address is taken.
/// Call inside a write transaction so the email check and the insert are atomic.
pub fn create(conn: &Connection, key: &SecretKey, now: &str, account: Account) -> OpsResult<i64> {
    if let Some(email) = &account.email {
        if users::email_taken(conn, email.as_str(), None)? {
            return Err(OpsError::Duplicate(What::Email));
        }
    }
    let (first_name, last_name) = if account.first_name.is_empty() && account.last_name.is_empty() {
        // Anonymous people get the placeholder name the contract's examples show.
        ("User".to_string(), format!("#{}", 10_000 + rand::random::<u32>() % 90_000))
    } else {
        (account.first_name, account.last_name)
    };
    let token = key.issue_token();
    let id = users::insert(
        conn,
        &NewUser {
            first_name,
            last_name,
            email: account.email.map(Email::into_string),
            profile_image: account.profile_image,
            user_type: account.user_type,
            password_hash: account.password_hash,
            department: account.department,
            token_nonce: token.nonce,
            token_lookup: token.lookup,
            now: now.to_string(),
        },
    )?;
    for detail in &account.details {
        users::set_detail(conn, id, detail)?;
    }
    Ok(id)
}

/// Creates `account` as a person added by the API or an agent: a new `user` fires
/// `registration`. Call inside a write transaction; wake the jobs after commit.
pub fn add(tx: &Connection, state: &AppState, now: &str, account: Account, actor: &Actor) -> OpsResult<i64> {
    let user_type = account.user_type;
    let email = account.email.as_ref().map(|e| e.as_str().to_string());
    let id = create(tx, &state.key, now, account)?;
    if user_type == UserType::User {
        events::registration(tx, state, id)?;
    }
    let details = serde_json::json!({ "user_type": user_type.as_str(), "email": email });
    audit::record(tx, now, actor, "user.create", audit::user_target(id), details)?;
    Ok(id)
}

/// Applies `changes` and `details` to user `id`, refusing an email someone else
/// has, and fires what the change means (`registration`, `new-email-address`).
/// Recorded in the audit log when made by `actor` (`None`: a chat widget visitor
/// changing their own profile, which is not audited).
/// Call inside a write transaction; wake the jobs after commit.
pub fn update(
    tx: &Connection,
    state: &AppState,
    id: i64,
    changes: &UserChanges,
    details: &[Detail],
    actor: Option<&Actor>,
) -> OpsResult<()> {
    if let Some(Some(email)) = &changes.email {
        if users::email_taken(tx, email, Some(id))? {
            return Err(OpsError::Duplicate(What::Email));
        }
    }
    let before = users::find(tx, id)?.ok_or(OpsError::NotFound(What::User))?;
    users::update(tx, id, changes)?;
    for detail in details {
        users::set_detail(tx, id, detail)?;
    }
    let after = users::find(tx, id)?.ok_or(OpsError::NotFound(What::User))?;
    let mut changed = audit::user_changes(&before, &after);
    // A new type is a change of role, recorded as such.
    let action = if changed.get("user_type").is_some() { "user.role" } else { "user.update" };
    if changes.password_hash.is_some() {
        changed["password"] = serde_json::json!("changed");
    }
    if !details.is_empty() {
        changed["details"] = serde_json::json!(details.iter().map(|d| d.slug.as_str()).collect::<Vec<_>>());
    }
    if let Some(actor) = actor {
        audit::record(tx, &state.clock.now_text(), actor, action, audit::user_target(id), changed)?;
    }
    Ok(events::user_updated(tx, state, &before)?)
}

/// Deletes user `id` (their conversations go with them) and fires `user-deleted`;
/// false when there was no such user. Wake the jobs after commit.
pub fn delete(tx: &Connection, state: &AppState, id: i64, actor: &Actor) -> OpsResult<bool> {
    let Some(gone) = users::find(tx, id)? else { return Ok(false) };
    let deleted = users::delete(tx, id)?;
    if deleted {
        events::users_deleted(tx, state, &[id])?;
        let details = serde_json::json!({ "user_type": gone.user_type.as_str(), "email": gone.email });
        audit::record(tx, &state.clock.now_text(), actor, "user.delete", audit::user_target(id), details)?;
    }
    Ok(deleted)
}

/// Deletes each of `ids` that exists (delete-users), firing `user-deleted` for
/// them and recording each; answers the IDs deleted. Wake the jobs after commit.
pub fn delete_many(tx: &Connection, state: &AppState, ids: &[i64], actor: &Actor) -> OpsResult<Vec<i64>> {
    let now = state.clock.now_text();
    let mut deleted = Vec::with_capacity(ids.len());
    for &id in ids {
        let Some(gone) = users::find(tx, id)? else { continue };
        if users::delete(tx, id)? {
            let details = serde_json::json!({ "user_type": gone.user_type.as_str(), "email": gone.email });
            audit::record(tx, &now, actor, "user.delete", audit::user_target(id), details)?;
            deleted.push(id);
        }
    }
    events::users_deleted(tx, state, &deleted)?;
    Ok(deleted)
}

/// Deletes every lead (delete-leads), recorded as one entry with their number.
pub fn delete_leads(tx: &Connection, state: &AppState, actor: &Actor) -> OpsResult<usize> {
    let deleted = users::delete_of_type(tx, UserType::Lead)?;
    events::users_deleted(tx, state, &deleted)?;
    let details = serde_json::json!({ "user_type": "lead", "count": deleted.len() });
    audit::record(tx, &state.clock.now_text(), actor, "user.delete", Some("every lead".into()), details)?;
    Ok(deleted.len())
}

/// Makes user `id` a lead (update-user-to-lead), a change of type recorded as
/// such; false when there is no such user.
pub fn make_lead(tx: &Connection, now: &str, id: i64, actor: &Actor) -> OpsResult<bool> {
    let Some(before) = users::find(tx, id)? else { return Ok(false) };
    let changes = UserChanges { user_type: Some(UserType::Lead), ..UserChanges::default() };
    if !users::update(tx, id, &changes)? {
        return Ok(false);
    }
    let details = serde_json::json!({ "user_type": [before.user_type.as_str(), "lead"] });
    audit::record(tx, now, actor, "user.role", audit::user_target(id), details)?;
    Ok(true)
}

/// Sets the password of user `id` (already hashed) and ends their sessions but
/// `keep`: a change on the profile page, a reset by link, or one at the command
/// line (`switchboard admin password`); `how` says which, for the audit log.
pub fn set_password(
    tx: &Connection,
    now: &str,
    id: i64,
    hash: String,
    keep: Option<&str>,
    (actor, how): (&Actor, &'static str),
) -> OpsResult<()> {
    if !users::update(tx, id, &UserChanges { password_hash: Some(hash), ..UserChanges::default() })? {
        return Err(OpsError::NotFound(What::User));
    }
    match keep {
        Some(keep) => sessions::revoke_all_except(tx, id, keep)?,
        None => sessions::revoke_all_of(tx, id)?,
    };
    let details = serde_json::json!({ "password": how });
    audit::record(tx, now, actor, "user.password", audit::user_target(id), details)?;
    Ok(())
}

/// Replaces the API token of user `id`; the old one stops working at once, and so
/// does every session of theirs but `keep` (the one asking, when it is theirs).
pub fn rotate_token(
    tx: &Connection,
    key: &SecretKey,
    id: i64,
    keep: Option<&str>,
    (now, actor): (&str, &Actor),
) -> OpsResult<String> {
    let issued = key.issue_token();
    if !users::set_token(tx, id, &issued.nonce, &issued.lookup)? {
        return Err(OpsError::NotFound(What::User));
    }
    audit::record(tx, now, actor, "token.rotate", audit::user_target(id), serde_json::json!({}))?;
    match keep {
        Some(keep) => sessions::revoke_all_except(tx, id, keep)?,
        None => sessions::revoke_all_of(tx, id)?,
    };
    Ok(issued.token)
}

/// The bot's ID (get-bot-id, automations), creating the bot on first use. Call
/// inside a write transaction so two first uses make one bot.
pub fn bot(conn: &Connection, key: &SecretKey, now: &str) -> OpsResult<i64> {
    if let Some(id) = users::first_of_type(conn, UserType::Bot)? {
        return Ok(id);
    }
    let mut bot = Account::new(UserType::Bot);
    bot.first_name = "Bot".into();
    create(conn, key, now, bot)
}

/// Creates an admin with `password` and returns `(id, API token)`.
/// Recorded in the audit log as made by `actor` (the command line, or the
/// system at the first start).
pub fn create_admin(
    conn: &mut Connection,
    key: &SecretKey,
    now: &str,
    email: Email,
    password: &str,
    actor: &Actor,
) -> OpsResult<(i64, String)> {
    let mut admin = Account::new(UserType::Admin);
    admin.first_name = "Admin".into();
    let details = serde_json::json!({ "user_type": UserType::Admin.as_str(), "email": email.as_str() });
    admin.email = Some(email);
    admin.password_hash = Some(crate::crypto::hash_password(password));
    let id = crate::db::write(conn, |tx| {
        let id = create(tx, key, now, admin)?;
        audit::record(tx, now, actor, "user.create", audit::user_target(id), details)?;
        Ok::<_, OpsError>(id)
    })?;
    let user = users::find(conn, id)?.ok_or(OpsError::NotFound(What::User))?;
    Ok((id, key.api_token(&user.token_nonce)))
}

/// [`set_password`] for the user with `email` (`switchboard admin password`).
pub fn set_password_by_email(conn: &mut Connection, email: &str, hash: String) -> OpsResult<()> {
    let (user, _) = users::find_by_email(conn, email)?.ok_or(OpsError::NotFound(What::User))?;
    let now = crate::clock::format(chrono::Utc::now());
    crate::db::write(conn, |tx| {
        set_password(tx, &now, user.id, hash, None, (&Actor::command_line(), "set at the command line"))
    })
}

/// The API token of the user with `email`, replaced by a new one first if `rotate`.
pub fn token_for_email(conn: &mut Connection, key: &SecretKey, email: &str, rotate: bool) -> OpsResult<String> {
    let (user, _) = users::find_by_email(conn, email)?.ok_or(OpsError::NotFound(What::User))?;
    if !rotate {
        return Ok(key.api_token(&user.token_nonce));
    }
    let now = crate::clock::format(chrono::Utc::now());
    crate::db::write(conn, |tx| rotate_token(tx, key, user.id, None, (&now, &Actor::command_line())))
}
