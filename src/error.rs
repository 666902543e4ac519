//! Every way a call can end other than success, and the one function that writes
//! the envelope for all of them.
//!
//! Two kinds, as the contract has them:
//! - [`Outcome`]: a domain answer the contract names (`duplicate-email`, …), sent as
//!   `{"success":false,"response":"<code>"}`.
//! - [`Failure`]: the call itself could not be served, sent as
//!   `{"success":false,"status":"error","response":"<code>","message":"<text>"}`.
//!
//! Causes (SQL errors, I/O errors) are logged here and never sent to the client.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    DuplicateEmail,
    InvalidUserType,
    UserNotFound,
    InvalidStatusCode,
    ConversationNotFound,
    MessageNotFound,
    AgentNotFound,
    NoteNotFound,
    LanguageNotFound,
    ArticleNotFound,
    MissingUserIdOrMessage,
    UserEmailNotFound,
    UserOrSenderNotFound,
}

impl Outcome {
    pub const ALL: [Outcome; 13] = [
        Outcome::DuplicateEmail,
        Outcome::InvalidUserType,
        Outcome::UserNotFound,
        Outcome::InvalidStatusCode,
        Outcome::ConversationNotFound,
        Outcome::MessageNotFound,
        Outcome::AgentNotFound,
        Outcome::NoteNotFound,
        Outcome::LanguageNotFound,
        Outcome::ArticleNotFound,
        Outcome::MissingUserIdOrMessage,
        Outcome::UserEmailNotFound,
        Outcome::UserOrSenderNotFound,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::DuplicateEmail => "duplicate-email",
            Outcome::InvalidUserType => "invalid-user-type",
            Outcome::UserNotFound => "user-not-found",
            Outcome::InvalidStatusCode => "invalid-status-code",
            Outcome::ConversationNotFound => "conversation-not-found",
            Outcome::MessageNotFound => "message-not-found",
            Outcome::AgentNotFound => "agent-not-found",
            Outcome::NoteNotFound => "note-not-found",
            Outcome::LanguageNotFound => "language-not-found",
            Outcome::ArticleNotFound => "article-not-found",
            Outcome::MissingUserIdOrMessage => "missing-user-id-or-message",
            Outcome::UserEmailNotFound => "user-email-not-found",
            Outcome::UserOrSenderNotFound => "user-or-sender-not-found",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    TokenNotFound,
    InvalidToken,
    MissingFunctionName,
    FunctionNotFound(String),
    MissingArgument(&'static str),
    InvalidArgument {
        name: String,
        reason: String,
    },
    MalformedBody(String),
    RequestTooLarge(usize),
    /// A body with more fields than the parser takes; answered as `request-too-large`.
    TooManyFields(usize),
    RateLimited,
    /// Over an API rate limit (per token, per address, or failed authentication):
    /// try again after this many seconds (also sent as `Retry-After`).
    TooManyRequests(u64),
    MethodNotAllowed,
    NotFound,
    /// The chat widget's visitor credential is unknown or no longer valid.
    InvalidVisitor,
    /// The page embedding the chat widget is not on an allowed site.
    OriginNotAllowed,
    /// A backup could not be written (the job's report and the admin download say why).
    BackupFailed(String),
    /// An upload larger than the `upload-max-size` setting (MB).
    FileTooLarge(usize),
    /// An upload whose content is of a type `upload-allowed-types` does not name.
    FileTypeNotAllowed(String),
    /// More attachments on one message than `upload-max-files`.
    TooManyFiles(usize),
    DatabaseError,
    InternalError,
    /// A mailbox synchronisation (`email-piping`) could not be done: why, in words
    /// an admin can act on (never what the mail server said).
    EmailPiping(PipingFailure, String),
}

/// Why a mailbox could not be synchronised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipingFailure {
    /// Email piping is off, or its host, user or password is missing.
    NotConfigured,
    /// The server could not be reached, or TLS with it failed.
    Unreachable,
    /// The server refused the user and password.
    LoginRefused,
    /// The folder does not exist (or cannot be opened).
    FolderNotFound,
    /// Anything else the server did that stopped the synchronisation.
    Failed,
}

impl PipingFailure {
    pub fn code(self) -> &'static str {
        match self {
            PipingFailure::NotConfigured => "email-piping-not-configured",
            PipingFailure::Unreachable => "email-piping-unreachable",
            PipingFailure::LoginRefused => "email-piping-login-refused",
            PipingFailure::FolderNotFound => "email-piping-folder-not-found",
            PipingFailure::Failed => "email-piping-failed",
        }
    }
}

impl Failure {
    /// Every code a failure can carry, for the README and the test that keeps them listed.
    pub const CODES: [&'static str; 25] = [
        "token-not-found",
        "invalid-token",
        "missing-function-name",
        "function-not-found",
        "missing-argument",
        "invalid-argument",
        "malformed-body",
        "request-too-large",
        "rate-limited",
        "too-many-requests",
        "method-not-allowed",
        "not-found",
        "invalid-visitor",
        "origin-not-allowed",
        "backup-failed",
        "file-too-large",
        "file-type-not-allowed",
        "too-many-files",
        "database-error",
        "internal-error",
        "email-piping-not-configured",
        "email-piping-unreachable",
        "email-piping-login-refused",
        "email-piping-folder-not-found",
        "email-piping-failed",
    ];

    pub fn invalid(name: &str, reason: impl Into<String>) -> Self {
        Failure::InvalidArgument { name: name.to_string(), reason: reason.into() }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Failure::TokenNotFound => "token-not-found",
            Failure::InvalidToken => "invalid-token",
            Failure::MissingFunctionName => "missing-function-name",
            Failure::FunctionNotFound(_) => "function-not-found",
            Failure::MissingArgument(_) => "missing-argument",
            Failure::InvalidArgument { .. } => "invalid-argument",
            Failure::MalformedBody(_) => "malformed-body",
            Failure::RequestTooLarge(_) | Failure::TooManyFields(_) => "request-too-large",
            Failure::RateLimited => "rate-limited",
            Failure::TooManyRequests(_) => "too-many-requests",
            Failure::MethodNotAllowed => "method-not-allowed",
            Failure::NotFound => "not-found",
            Failure::InvalidVisitor => "invalid-visitor",
            Failure::OriginNotAllowed => "origin-not-allowed",
            Failure::BackupFailed(_) => "backup-failed",
            Failure::FileTooLarge(_) => "file-too-large",
            Failure::FileTypeNotAllowed(_) => "file-type-not-allowed",
            Failure::TooManyFiles(_) => "too-many-files",
            Failure::DatabaseError => "database-error",
            Failure::InternalError => "internal-error",
            Failure::EmailPiping(why, _) => why.code(),
        }
    }

    pub fn message(&self) -> String {
        match self {
            Failure::TokenNotFound => {
                "The token argument is missing: send an admin API token in the token field.".into()
            }
            Failure::InvalidToken => "The token is not the API token of an admin.".into(),
            Failure::MissingFunctionName => "The function argument is missing: name the API function to call.".into(),
            Failure::FunctionNotFound(name) => format!("There is no API function named '{name}'."),
            Failure::MissingArgument(name) => format!("The argument '{name}' is required."),
            Failure::InvalidArgument { name, reason } => format!("The argument '{name}' is invalid: {reason}."),
            Failure::MalformedBody(why) => format!("The request body could not be read: {why}."),
            Failure::RequestTooLarge(limit) => format!("The request body is larger than the limit of {limit} bytes."),
            Failure::TooManyFields(limit) => format!("The request has more than {limit} arguments."),
            Failure::RateLimited => "Too many requests at once; try again in a moment.".into(),
            Failure::TooManyRequests(seconds) => {
                format!("Too many requests from this token or address; try again in {seconds} seconds.")
            }
            Failure::MethodNotAllowed => "Call the API with POST.".into(),
            Failure::NotFound => "Nothing is served at this address.".into(),
            Failure::InvalidVisitor => "The visitor credential is not valid; start a new visitor session.".into(),
            Failure::OriginNotAllowed => "This site may not use the chat widget (widget-allowed-origins).".into(),
            Failure::BackupFailed(why) => format!("The backup failed: {why}."),
            Failure::FileTooLarge(max_mb) => format!("The file is larger than the limit of {max_mb} MB."),
            Failure::FileTypeNotAllowed(extension) => {
                format!("Files of this type ({extension}, judged by their content) may not be uploaded.")
            }
            Failure::TooManyFiles(max) => format!("A message may carry at most {max} files."),
            Failure::DatabaseError => "The database could not complete the request; it has been logged.".into(),
            Failure::InternalError => "The server could not complete the request; it has been logged.".into(),
            Failure::EmailPiping(_, reason) => format!("Email piping: {reason}."),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    Outcome(Outcome),
    Failure(Failure),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl From<Outcome> for ApiError {
    fn from(outcome: Outcome) -> Self {
        ApiError::Outcome(outcome)
    }
}

impl From<Failure> for ApiError {
    fn from(failure: Failure) -> Self {
        ApiError::Failure(failure)
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        tracing::error!(error = %err, "database error");
        ApiError::Failure(Failure::DatabaseError)
    }
}

impl From<std::io::Error> for ApiError {
    fn from(err: std::io::Error) -> Self {
        tracing::error!(error = %err, "i/o error");
        ApiError::Failure(Failure::InternalError)
    }
}

/// The one writer of response envelopes. It borrows the response, so a large
/// answer is serialized once, straight into the body, and never copied.
pub fn envelope<T: serde::Serialize>(result: &ApiResult<T>) -> Envelope<'_, T> {
    match result {
        Ok(response) => Envelope::Answer { success: true, response },
        Err(ApiError::Outcome(outcome)) => Envelope::Outcome { success: false, response: outcome.code() },
        Err(ApiError::Failure(failure)) => {
            Envelope::Failure { success: false, status: "error", response: failure.code(), message: failure.message() }
        }
    }
}

/// A response envelope, in the contract's field order.
#[derive(serde::Serialize)]
#[serde(untagged)]
pub enum Envelope<'a, T> {
    Answer { success: bool, response: &'a T },
    Outcome { success: bool, response: &'static str },
    Failure { success: bool, status: &'static str, response: &'static str, message: String },
}

impl<T: serde::Serialize> std::fmt::Display for Envelope<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&serde_json::to_string(self).map_err(|_| std::fmt::Error)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn envelopes_have_the_contract_shapes() {
        assert_eq!(envelope(&Ok(json!(7))).to_string(), r#"{"success":true,"response":7}"#);
        assert_eq!(
            envelope(&Err::<(), _>(Outcome::DuplicateEmail.into())).to_string(),
            r#"{"success":false,"response":"duplicate-email"}"#
        );
        let failure =
            serde_json::to_value(envelope(&Err::<(), _>(Failure::MissingArgument("user_id").into()))).unwrap();
        assert_eq!(failure["status"], "error");
        assert_eq!(failure["response"], "missing-argument");
        assert!(failure["message"].as_str().unwrap().contains("user_id"));
    }

    #[test]
    fn every_failure_code_is_listed() {
        let failures = [
            Failure::TokenNotFound,
            Failure::InvalidToken,
            Failure::MissingFunctionName,
            Failure::FunctionNotFound("x".into()),
            Failure::MissingArgument("x"),
            Failure::invalid("x", "y"),
            Failure::MalformedBody("x".into()),
            Failure::RequestTooLarge(1),
            Failure::RateLimited,
            Failure::TooManyRequests(1),
            Failure::MethodNotAllowed,
            Failure::NotFound,
            Failure::InvalidVisitor,
            Failure::OriginNotAllowed,
            Failure::BackupFailed("x".into()),
            Failure::FileTooLarge(1),
            Failure::FileTypeNotAllowed("x".into()),
            Failure::TooManyFiles(1),
            Failure::DatabaseError,
            Failure::InternalError,
            Failure::EmailPiping(PipingFailure::NotConfigured, "x".into()),
            Failure::EmailPiping(PipingFailure::Unreachable, "x".into()),
            Failure::EmailPiping(PipingFailure::LoginRefused, "x".into()),
            Failure::EmailPiping(PipingFailure::FolderNotFound, "x".into()),
            Failure::EmailPiping(PipingFailure::Failed, "x".into()),
        ];
        let codes: Vec<_> = failures.iter().map(Failure::code).collect();
        assert_eq!(codes, Failure::CODES);
    }
}
