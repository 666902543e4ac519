//! What the product does, shared by every front door: each state change and each
//! read that more than one front door needs, with the events it fires and the
//! emails and webhooks it queues. Nothing here knows about HTTP, forms, JSON
//! envelopes or templates: errors are [`OpsError`], in the product's own words,
//! which the API turns into the contract's codes and the pages into messages.
//!
//! Functions come in two shapes: those taking a `&Connection` run inside a write
//! the caller makes (so several compose into one transaction), and those taking a
//! [`Db`](crate::db::doorway::Db) session make their own reads and writes.

pub mod articles;
pub mod audit;
pub mod automation_runs;
pub mod automations;
pub mod conversations;
pub mod direct_messages;
pub mod email;
pub mod email_replies;
pub mod email_threads;
pub mod exports;
pub mod files;
pub mod inbound_email;
pub mod inbound_files;
pub mod messages;
pub mod notes;
pub mod notifications;
pub mod presence;
pub mod reading;
pub mod reports;
pub mod settings;
pub mod users;
pub mod visitors;

use crate::domain::files::Refusal;
use crate::error::{ApiError, Failure, Outcome};

/// What an operation is about when it cannot find or take something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    User,
    Conversation,
    Message,
    /// An agent or admin.
    Agent,
    Note,
    Article,
    Language,
    Email,
}

/// Why an operation did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpsError {
    NotFound(What),
    /// Someone else already has it (an email address).
    Duplicate(What),
    /// A value the operation cannot take: which one, and why.
    Invalid {
        field: &'static str,
        why: String,
    },
    /// A file not kept, and why.
    FileRefused(crate::domain::files::Refusal),
    /// Too much at once (the password threads' queue is full); try again shortly.
    Busy,
    /// The database failed; the cause is logged where it happened.
    Storage,
    /// Anything else that failed (logged where it happened).
    Internal,
}

pub type OpsResult<T> = Result<T, OpsError>;

impl OpsError {
    pub fn invalid(field: &'static str, why: impl Into<String>) -> Self {
        OpsError::Invalid { field, why: why.into() }
    }
}

impl From<rusqlite::Error> for OpsError {
    fn from(err: rusqlite::Error) -> Self {
        tracing::error!(error = %err, "database error");
        OpsError::Storage
    }
}

impl From<crate::passwords::Busy> for OpsError {
    fn from(_: crate::passwords::Busy) -> Self {
        OpsError::Busy
    }
}

/// The contract's codes for what operations answer: the one place they are chosen.
impl From<OpsError> for ApiError {
    fn from(err: OpsError) -> Self {
        match err {
            OpsError::NotFound(what) => match what {
                What::User => Outcome::UserNotFound.into(),
                What::Conversation => Outcome::ConversationNotFound.into(),
                What::Message => Outcome::MessageNotFound.into(),
                What::Agent => Outcome::AgentNotFound.into(),
                What::Note => Outcome::NoteNotFound.into(),
                What::Article => Outcome::ArticleNotFound.into(),
                What::Language => Outcome::LanguageNotFound.into(),
                What::Email => Outcome::UserEmailNotFound.into(),
            },
            OpsError::Duplicate(_) => Outcome::DuplicateEmail.into(),
            OpsError::Invalid { field, why } => Failure::invalid(field, why).into(),
            OpsError::FileRefused(refusal) => match refusal {
                Refusal::TooLarge { max_mb } => Failure::FileTooLarge(max_mb).into(),
                Refusal::TypeNotAllowed { extension } => Failure::FileTypeNotAllowed(extension).into(),
                Refusal::TooMany { max } => Failure::TooManyFiles(max).into(),
                Refusal::Empty => Failure::invalid("file", "is empty").into(),
            },
            OpsError::Busy => Failure::RateLimited.into(),
            OpsError::Storage => Failure::DatabaseError.into(),
            OpsError::Internal => Failure::InternalError.into(),
        }
    }
}
