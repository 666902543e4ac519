//! One synchronisation of the piped mailbox: the `email-piping` job. New mail is
//! found by UID above the mailbox's recorded position (the first time, or after
//! the server renumbered the folder, the unseen mail), fetched in batches without
//! marking it seen, stored through `ops::inbound_email` (which moves the position
//! in the same transaction), and only then marked seen or moved. A crash at any
//! point repeats at most the marking, never the storing.

use super::connection::{self, step_failed, Session};
use super::parse;
use crate::db::doorway::Db;
use crate::db::email;
use crate::domain::settings::EmailPiping;
use crate::error::{ApiResult, Failure, PipingFailure};
use crate::ops::inbound_email::{self, Batch, Received, Taken};
use crate::state::AppState;
use serde_json::{json, Value};

/// Emails fetched and stored together: one transaction, one round of marking.
const BATCH: usize = 50;
/// The largest email taken; a larger one is set aside, its sender's mail client
/// having sent something no agent can read in a chat anyway.
pub const MAX_BYTES: u32 = 10 * 1024 * 1024;

/// The job: answers what it did (`fetched`, `messages`, `conversations`,
/// `set_aside`, `repeats`), or `{"active": false}` when piping is off.
pub fn run(db: &mut Db, state: &AppState) -> ApiResult<Value> {
    let settings = state.settings(db.conn()?)?;
    let piping = settings.email_piping.clone();
    if !piping.active {
        return Ok(json!({ "active": false }));
    }
    if !piping.configured() {
        return Err(Failure::EmailPiping(
            PipingFailure::NotConfigured,
            "set email-piping-host and email-piping-user (and its password)".into(),
        )
        .into());
    }
    let public_only = settings.outbound_public_only;
    let mut session = db.outside(|| connection::open(&piping, public_only))?;
    let result = synchronise(db, state, &mut session, &piping);
    db.outside(|| {
        let _ = session.logout();
    });
    result
}

/// Connects, logs in and opens the folder, then leaves: the settings page's
/// "test connection". Answers how many messages the folder holds.
pub fn test_connection(piping: &EmailPiping, public_only: bool) -> Result<u32, Failure> {
    let mut session = connection::open(piping, public_only)?;
    let opened = session.examine(&piping.folder).map_err(|err| folder_failed(piping, &err));
    let _ = session.logout();
    Ok(opened?.exists)
}

fn folder_failed(piping: &EmailPiping, err: &imap::Error) -> Failure {
    match err {
        imap::Error::No(_) | imap::Error::Bad(_) => Failure::EmailPiping(
            PipingFailure::FolderNotFound,
            format!("the folder '{}' cannot be opened (email-piping-folder)", piping.folder),
        ),
        err => step_failed("opening the folder", err),
    }
}

fn synchronise(db: &mut Db, state: &AppState, session: &mut Session, piping: &EmailPiping) -> ApiResult<Value> {
    let folder = db.outside(|| session.select(&piping.folder)).map_err(|err| folder_failed(piping, &err))?;
    let uid_validity = folder.uid_validity.unwrap_or(0);
    let mailbox = piping.mailbox_key();
    let last_uid =
        email::position(db.conn()?, &mailbox)?.filter(|(validity, _)| *validity == uid_validity).map(|(_, uid)| uid);
    if let Some(last) = last_uid {
        finish_marking(db, session, piping, last)?;
    }
    // `n:*` always names the last message, even below n: the filter drops it.
    let query = last_uid.map_or("UNSEEN".to_string(), |uid| format!("UID {}:*", uid + 1));
    let found = db.outside(|| session.uid_search(&query)).map_err(|err| step_failed("searching for new mail", &err))?;
    let mut uids: Vec<u32> = found.into_iter().filter(|uid| last_uid.is_none_or(|last| *uid > last)).collect();
    uids.sort_unstable();
    let mut total = Taken::default();
    for chunk in uids.chunks(BATCH) {
        let emails = db.outside(|| fetch(session, chunk))?;
        let batch = Batch { mailbox: mailbox.clone(), uid_validity, emails };
        let taken = inbound_email::take(db, state, batch)?;
        total.messages += taken.messages;
        total.conversations += taken.conversations;
        total.set_aside += taken.set_aside;
        total.repeats += taken.repeats;
        db.outside(|| done(session, chunk, piping))?;
    }
    Ok(json!({
        "fetched": uids.len(),
        "messages": total.messages,
        "conversations": total.conversations,
        "set_aside": total.set_aside,
        "repeats": total.repeats,
    }))
}

/// Marks (or moves) mail stored before but not yet marked: a crash or a lost
/// connection between a batch's commit and its marking leaves some.
fn finish_marking(db: &mut Db, session: &mut Session, piping: &EmailPiping, last: u32) -> Result<(), Failure> {
    let left = if piping.done_folder.is_empty() { format!("UID 1:{last} UNSEEN") } else { format!("UID 1:{last}") };
    db.outside(|| {
        let found = session.uid_search(&left).map_err(|err| step_failed("searching for stored mail", &err))?;
        let mut uids: Vec<u32> = found.into_iter().filter(|uid| *uid <= last).collect();
        uids.sort_unstable();
        uids.chunks(BATCH * 10).try_for_each(|chunk| done(session, chunk, piping))
    })
}

/// `1,2,5`: a UID set.
fn uid_set(uids: &[u32]) -> String {
    uids.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

/// The emails at `uids`, in order, parsed: sizes first, so a too-large one is
/// fetched by its header only. Nothing is marked seen (`BODY.PEEK`).
fn fetch(session: &mut Session, uids: &[u32]) -> Result<Vec<(u32, Received)>, Failure> {
    let sizes =
        session.uid_fetch(uid_set(uids), "(UID RFC822.SIZE)").map_err(|err| step_failed("fetching mail", &err))?;
    let large: Vec<u32> =
        sizes.iter().filter(|f| f.size.is_some_and(|size| size > MAX_BYTES)).filter_map(|f| f.uid).collect();
    let small: Vec<u32> = uids.iter().copied().filter(|uid| !large.contains(uid)).collect();
    let mut parsed = Vec::with_capacity(uids.len());
    if !small.is_empty() {
        let bodies = session
            .uid_fetch(uid_set(&small), "(UID BODY.PEEK[])")
            .map_err(|err| step_failed("fetching mail", &err))?;
        parsed.extend(bodies.iter().filter_map(|f| Some((f.uid?, parse::parse(f.body()?)))));
    }
    if !large.is_empty() {
        let headers = session
            .uid_fetch(uid_set(&large), "(UID BODY.PEEK[HEADER])")
            .map_err(|err| step_failed("fetching mail", &err))?;
        parsed.extend(headers.iter().filter_map(|f| Some((f.uid?, parse::too_large(f.header()?)))));
    }
    parsed.sort_by_key(|(uid, _)| *uid);
    Ok(parsed)
}

/// Marks stored mail seen, or moves it to the done folder.
fn done(session: &mut Session, uids: &[u32], piping: &EmailPiping) -> Result<(), Failure> {
    let set = uid_set(uids);
    session.uid_store(&set, "+FLAGS.SILENT (\\Seen)").map_err(|err| step_failed("marking mail seen", &err))?;
    if !piping.done_folder.is_empty() {
        session.uid_mv(&set, &piping.done_folder).map_err(|err| {
            step_failed(&format!("moving mail to '{}' (email-piping-done-folder)", piping.done_folder), &err)
        })?;
    }
    Ok(())
}
