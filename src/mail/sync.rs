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
use std::collections::HashMap;

/// Emails fetched and stored together: one transaction, one round of marking.
const BATCH: usize = 50;
/// The most raw mail one batch holds in memory (parsed, it takes a few times
/// that): fifty 10 MiB emails would otherwise be half a gigabyte at once. A
/// single email up to [`MAX_BYTES`] always makes a batch of its own.
const BATCH_BYTES: u64 = 16 * 1024 * 1024;
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
    let sizes = db.outside(|| sizes_of(session, &uids))?;
    for chunk in batches(&uids, &sizes) {
        let chunk = chunk.as_slice();
        let emails = db.outside(|| fetch(session, chunk, &sizes))?;
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
/// Each new email's size, as the server tells it (`RFC822.SIZE`), by UID.
fn sizes_of(session: &mut Session, uids: &[u32]) -> Result<HashMap<u32, u32>, Failure> {
    let mut sizes = HashMap::with_capacity(uids.len());
    for chunk in uids.chunks(BATCH * 20) {
        let fetched =
            session.uid_fetch(uid_set(chunk), "(UID RFC822.SIZE)").map_err(|err| step_failed("fetching mail", &err))?;
        sizes.extend(fetched.iter().filter_map(|f| Some((f.uid?, f.size?))));
    }
    Ok(sizes)
}

/// `uids` in order, cut into batches of at most [`BATCH`] emails and
/// [`BATCH_BYTES`] of mail (an email set aside as too large counts as its header).
fn batches(uids: &[u32], sizes: &HashMap<u32, u32>) -> Vec<Vec<u32>> {
    let mut batches: Vec<Vec<u32>> = Vec::new();
    let mut bytes = 0u64;
    for &uid in uids {
        let size = sizes.get(&uid).copied().filter(|size| *size <= MAX_BYTES).unwrap_or(64 * 1024);
        let full = batches.last().is_none_or(|b| b.len() >= BATCH || bytes + u64::from(size) > BATCH_BYTES);
        if full {
            batches.push(Vec::new());
            bytes = 0;
        }
        bytes += u64::from(size);
        batches.last_mut().expect("a batch was just pushed").push(uid);
    }
    batches
}

fn fetch(session: &mut Session, uids: &[u32], sizes: &HashMap<u32, u32>) -> Result<Vec<(u32, Received)>, Failure> {
    let large: Vec<u32> =
        uids.iter().copied().filter(|uid| sizes.get(uid).is_some_and(|size| *size > MAX_BYTES)).collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_hold_at_most_fifty_emails_and_sixteen_mib_and_a_large_email_alone_if_need_be() {
        const MIB: u32 = 1024 * 1024;
        let uids: Vec<u32> = (1..=120).collect();
        let small: HashMap<u32, u32> = uids.iter().map(|&uid| (uid, 2_000)).collect();
        let lengths: Vec<usize> = batches(&uids, &small).iter().map(Vec::len).collect();
        assert_eq!(lengths, [50, 50, 20]);

        let mut mixed: HashMap<u32, u32> = (1..=6).map(|uid| (uid, 6 * MIB)).collect();
        mixed.insert(7, 11 * MIB); // set aside: only its header is fetched
        mixed.insert(8, 10 * MIB);
        let cut = batches(&(1..=8).collect::<Vec<_>>(), &mixed);
        assert_eq!(cut, [vec![1, 2], vec![3, 4], vec![5, 6, 7], vec![8]]);
    }
}
