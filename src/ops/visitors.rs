//! Website visitors, as the chat widget knows them: a `visitor` user with a
//! credential its browser keeps, that opens that visitor's own conversations and
//! nothing else. What they tell about themselves, and when they may be merged into
//! a known user: only with proof from the site (identity verification).

use super::files;
use super::messages::{self, Outgoing, StatusChange};
use super::users::{self as accounts, Account};
use super::{OpsError, OpsResult, What};
use crate::crypto::{constant_time_eq, hmac_sha256_hex, random_hex};
use crate::db::conversations::{self, ConversationRow, NewConversation};
use crate::db::doorway::Db;
use crate::db::users::{self, Detail, UserChanges, UserRow};
use crate::db::{settings as store, visitors};
use crate::domain::{ConversationStatus, Email, UserType};
use crate::outbox::events;
use crate::state::AppState;
use rusqlite::Connection;
use serde_json::json;

/// Credentials are this many random bytes, as hex.
const CREDENTIAL_BYTES: usize = 32;
/// Details a visitor may set at most, and how long each may be.
pub const DETAILS_MAX: usize = 50;
pub const DETAIL_VALUE_MAX: usize = 1_000;
/// Where the identity secret's generation is kept: the secret itself is derived
/// from the server key, so the database alone never holds it.
const IDENTITY_GENERATION: &str = "widget-identity-generation";

fn lookup(state: &AppState, credential: &str) -> String {
    state.key.tag("visitor-credential", credential.as_bytes())
}

/// The user a credential opens, if it is well formed and still valid.
pub fn resume(conn: &Connection, state: &AppState, credential: &str) -> rusqlite::Result<Option<UserRow>> {
    let credential = credential.trim();
    if credential.len() != CREDENTIAL_BYTES * 2 || !credential.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    match visitors::user_of(conn, &lookup(state, credential))? {
        Some(id) => users::find(conn, id),
        None => Ok(None),
    }
}

/// A new visitor and its credential, with what the browser told about it.
pub fn create(db: &mut Db, state: &AppState, details: Vec<Detail>) -> OpsResult<(String, i64)> {
    let credential = random_hex(CREDENTIAL_BYTES);
    let (stored, key, now) = (lookup(state, &credential), state.key.clone(), state.clock.now_text());
    let mut account = Account::new(UserType::Visitor);
    account.details = details;
    let id = db.write(move |tx| -> OpsResult<i64> {
        let id = accounts::create(tx, &key, &now, account)?;
        visitors::insert(tx, &stored, id, &now)?;
        Ok(id)
    })?;
    Ok((credential, id))
}

/// Whether someone can answer now: an agent is online and it is within office hours.
pub fn available(conn: &Connection, state: &AppState) -> rusqlite::Result<bool> {
    let settings = state.settings(conn)?;
    let in_hours =
        settings.chat.timetable_disabled || settings.office_hours.is_open(state.clock.now(), settings.office_timezone);
    let online_since = state.clock.ago_text(state.config.online_window_seconds);
    Ok(in_hours && users::any_agent_online(conn, &online_since)?)
}

/// The visitor's latest conversation, the one the widget shows.
pub fn latest_conversation(conn: &Connection, user_id: i64) -> rusqlite::Result<Option<ConversationRow>> {
    match conversations::latest_of_user(conn, user_id)? {
        Some(id) => conversations::find(conn, id),
        None => Ok(None),
    }
}

/// Sends `text` as the visitor into their latest conversation, opening a new one
/// when they have none or it was archived or trashed. Answers the message and
/// conversation IDs, and whether the conversation is new.
pub fn send(
    db: &mut Db,
    state: &AppState,
    visitor: i64,
    said: Said,
    department: Option<i64>,
) -> OpsResult<(i64, i64, bool)> {
    let attachments = own_files(db.conn()?, state, visitor, &said.attachments)?;
    let open = latest_conversation(db.conn()?, visitor)?.filter(|c| c.status_code < ConversationStatus::Archive.code());
    let (conversation_id, opened) = match open {
        Some(conversation) => (conversation.id, false),
        None => (open_conversation(db, state, visitor, department)?, true),
    };
    let outgoing = Outgoing {
        user_id: visitor,
        conversation_id,
        message: said.text,
        attachments,
        payload: String::new(),
        status: StatusChange::Automatic,
    };
    let (message_id, _) = messages::send(db, state, outgoing, state.clock.now_text())?;
    Ok((message_id, conversation_id, opened))
}

/// What a visitor says: text, files they uploaded (`[name, link]`), or both.
#[derive(Default)]
pub struct Said {
    pub text: String,
    pub attachments: Vec<(String, String)>,
}

impl From<String> for Said {
    fn from(text: String) -> Self {
        Said { text, attachments: Vec::new() }
    }
}

/// The attachments as stored, if every one is a file `visitor` uploaded: a visitor
/// attaches their own uploads, never links of their choosing.
fn own_files(conn: &Connection, state: &AppState, visitor: i64, sent: &[(String, String)]) -> OpsResult<String> {
    if sent.is_empty() {
        return Ok(String::new());
    }
    let stored = serde_json::to_string(sent).map_err(|_| OpsError::Internal)?;
    let keys = files::keys_in(state, &stored);
    if keys.len() != sent.len() || !files::all_uploaded_by(conn, visitor, &keys)? {
        return Err(OpsError::invalid("attachments", "only files uploaded by this visitor may be attached"));
    }
    Ok(stored)
}

fn open_conversation(db: &mut Db, state: &AppState, visitor: i64, department: Option<i64>) -> OpsResult<i64> {
    let known = state.settings(db.conn()?)?.departments.iter().any(|d| Some(d.id) == department);
    let new = NewConversation {
        user_id: visitor,
        title: String::new(),
        status: ConversationStatus::Live,
        department: department.filter(|_| known),
        agent_id: None,
        source: None,
        extra: None,
        now: state.clock.now_text(),
    };
    let shared = state.clone();
    let id = db.write(move |tx| -> OpsResult<i64> {
        let id = conversations::insert(tx, &new)?;
        events::conversation_created(tx, &shared, id)?;
        Ok(id)
    })?;
    state.background.wake();
    Ok(id)
}

/// What a visitor says about themselves (`setVisitorInfo`, the pre-chat form).
#[derive(Debug, Default, Clone)]
pub struct Info {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<String>,
    pub details: Vec<Detail>,
    pub unset: Vec<String>,
    /// The site's proof: hex HMAC-SHA256 of the email (or of `user_id`) with the
    /// identity secret.
    pub proof: Option<Proof>,
}

#[derive(Debug, Clone)]
pub struct Proof {
    pub user_id: Option<i64>,
    pub hash: String,
}

/// The secret sites sign their visitors' identity with; a new generation
/// replaces it ([`rotate_identity_secret`]).
pub fn identity_secret(conn: &Connection, state: &AppState) -> rusqlite::Result<String> {
    let generation = store::external(conn, IDENTITY_GENERATION)?.and_then(|v| v.as_i64()).unwrap_or(0);
    Ok(state.key.tag("widget-identity", generation.to_string().as_bytes()))
}

/// Makes a new identity secret: the old one stops proving anything at once.
/// Recorded in the audit log as a settings change (the secret itself never is).
pub fn rotate_identity_secret(tx: &Connection, now: &str, actor: &crate::domain::audit::Actor) -> rusqlite::Result<()> {
    let generation = store::external(tx, IDENTITY_GENERATION)?.and_then(|v| v.as_i64()).unwrap_or(0);
    store::put_external(tx, IDENTITY_GENERATION, &json!(generation + 1))?;
    let details = json!({ "widget-identity-secret": { "before": "********", "after": "******** (new)" } });
    super::audit::record(tx, now, actor, "settings.save", None, details)
}

/// Applies `info` to visitor `id`; answers the user the credential opens after it
/// (another one, when a proof merged the visitor into a known user).
pub fn set_info(db: &mut Db, state: &AppState, id: i64, info: Info) -> OpsResult<i64> {
    let secret = identity_secret(db.conn()?, state)?;
    let proven = |claim: &str| {
        info.proof
            .as_ref()
            .is_some_and(|p| constant_time_eq(&p.hash, &hmac_sha256_hex(secret.as_bytes(), &[claim.as_bytes()])))
    };
    let target = match (&info.proof, &info.email) {
        (Some(Proof { user_id: Some(user_id), .. }), _) if proven(&user_id.to_string()) => Some(*user_id),
        (_, Some(email)) if proven(email.as_str()) => {
            users::find_by_email(db.conn()?, email.as_str())?.map(|(u, _)| u.id)
        }
        _ => None,
    };
    let shared = state.clone();
    let now = state.clock.now_text();
    let user = db.write(move |tx| -> OpsResult<i64> {
        let me = users::find(tx, id)?.ok_or(OpsError::NotFound(What::User))?;
        let user = match target.filter(|t| *t != id) {
            Some(known) => merge(tx, &shared, &me, known)?,
            None => id,
        };
        apply(tx, &shared, user, &info, &now)?;
        Ok(user)
    })?;
    state.background.wake();
    Ok(user)
}

/// Moves visitor `me`'s conversations, messages and credentials to `known` (a
/// customer, never staff) and deletes the visitor.
fn merge(tx: &Connection, state: &AppState, me: &UserRow, known: i64) -> OpsResult<i64> {
    let target = users::find(tx, known)?.ok_or(OpsError::NotFound(What::User))?;
    let customer = |t: UserType| matches!(t, UserType::Visitor | UserType::Lead | UserType::User);
    if !customer(target.user_type) || !matches!(me.user_type, UserType::Visitor | UserType::Lead) {
        return Err(OpsError::invalid("identity", "cannot be merged into that user"));
    }
    conversations::move_owner(tx, me.id, known)?;
    crate::db::messages::move_sender(tx, me.id, known)?;
    visitors::move_to(tx, me.id, known)?;
    users::delete(tx, me.id)?;
    events::users_deleted(tx, state, &[me.id])?;
    Ok(known)
}

fn apply(tx: &Connection, state: &AppState, id: i64, info: &Info, now: &str) -> OpsResult<()> {
    let user = users::find(tx, id)?.ok_or(OpsError::NotFound(What::User))?;
    let mut changes = UserChanges {
        first_name: info.first_name.clone(),
        last_name: info.last_name.clone(),
        ..UserChanges::default()
    };
    let mut details = info.details.clone();
    if let Some(email) = &info.email {
        let taken = users::email_taken(tx, email.as_str(), Some(id))?;
        if user.email.is_none() && !taken {
            changes.email = Some(Some(email.as_str().to_string()));
        } else if taken {
            // Someone else's address, unproven: kept for the agents to see, never merged.
            details.push(Detail {
                slug: "unverified_email".into(),
                name: "Unverified email".into(),
                value: email.as_str().into(),
            });
        }
        if user.user_type == UserType::Visitor {
            changes.user_type = Some(UserType::Lead);
        }
    }
    if let Some(phone) = &info.phone {
        details.push(Detail { slug: "phone".into(), name: "Phone".into(), value: phone.clone() });
    }
    accounts::update(tx, state, id, &changes, &details, None)?;
    for slug in &info.unset {
        users::remove_detail(tx, id, slug)?;
    }
    users::touch(tx, id, now)?;
    Ok(())
}
