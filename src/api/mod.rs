//! The function-dispatch API: `POST /include/api.php` with `token`, `function` and
//! the function's arguments. [`FUNCTIONS`] is the dispatch table: one line per
//! contract function, in the contract's order; adding a function is one line here
//! plus its handler in the family file.

pub mod args;
pub(crate) mod articles;
mod audit;
pub mod auth;
pub(crate) mod automations;
mod avatars;
pub(crate) mod conversations;
pub mod dispatch;
pub(crate) mod email;

pub(crate) mod exports;
mod files;
mod formatting;
mod jobs;
pub(crate) mod json;
mod login;
pub(crate) mod messages;
pub(crate) mod notes;
mod presence;
pub(crate) mod reports;
mod routing;
pub(crate) mod settings;
mod translations;
mod user_args;
mod users;
pub(crate) mod webhooks;

use crate::db::doorway::Db;
use crate::db::users::UserRow;
use crate::error::ApiResult;
use crate::state::AppState;
use args::Args;
use rusqlite::Connection;
use serde_json::value::RawValue;
use serde_json::Value;

/// One API call being served: the authenticated admin, the arguments, and a
/// database session, on the blocking pool.
pub struct Call<'a> {
    pub db: &'a mut Db,
    pub state: &'a AppState,
    pub caller: UserRow,
    pub args: Args,
    /// The client's address (behind trusted proxies, the forwarded one).
    pub client: Option<std::net::IpAddr>,
}

impl Call<'_> {
    /// The caller, as the audit log names them.
    pub fn actor(&self) -> crate::domain::audit::Actor {
        let name = self.caller.email.clone().unwrap_or_else(|| format!("user {}", self.caller.id));
        crate::domain::audit::Actor::person(self.caller.id, &name, "api", self.client)
    }

    pub fn now(&self) -> String {
        self.state.clock.now_text()
    }

    /// Runs `work` in a group-committed write (see [`crate::db::writer`]), with the
    /// connection and turn given back while it waits.
    pub fn write<T: Send + 'static>(
        &mut self,
        work: impl FnOnce(&Connection) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        self.db.write(work)
    }

    /// An argon2id hash of `password`, made with the connection given back.
    pub fn hash_password(&mut self, password: &str) -> ApiResult<String> {
        Ok(self.db.hash_password(password)?)
    }

    /// Whether `password` matches `hash` (`None`: checked against a dummy hash, so an
    /// unknown account takes as long), with the connection given back.
    pub fn verify_password(&mut self, password: &str, hash: Option<&str>) -> ApiResult<bool> {
        Ok(self.db.verify_password(password, hash)?)
    }
}

/// How a function answers. Most build a `serde_json::Value`; those that list many
/// rows write them straight to JSON text, skipping a tree of maps and strings per
/// row that cost more than the query.
#[derive(Clone, Copy)]
pub enum Handler {
    Builds(fn(&mut Call) -> ApiResult<Value>),
    Writes(fn(&mut Call) -> ApiResult<Box<RawValue>>),
}

/// A function's answer, as the envelope carries it.
#[derive(Debug, serde::Serialize)]
#[serde(untagged)]
pub enum Answer {
    Value(Value),
    Text(Box<RawValue>),
}

impl Handler {
    pub fn answer(self, call: &mut Call) -> ApiResult<Answer> {
        match self {
            Handler::Builds(handler) => handler(call).map(Answer::Value),
            Handler::Writes(handler) => handler(call).map(Answer::Text),
        }
    }
}

use Handler::{Builds, Writes};

pub const FUNCTIONS: &[(&str, Handler)] = &[
    // Users
    ("get-user", Builds(users::get_user)),
    ("get-user-extra", Builds(users::get_user_extra)),
    ("get-user-language", Builds(users::get_user_language)),
    ("get-users", Builds(users::get_users)),
    ("get-new-users", Builds(users::get_new_users)),
    ("get-online-users", Builds(presence::get_online_users)),
    ("get-users-with-details", Builds(users::get_users_with_details)),
    ("get-agent", Builds(users::get_agent)),
    ("get-agents-ids", Builds(users::get_agents_ids)),
    ("get-user-from-conversation", Builds(conversations::get_user_from_conversation)),
    ("agents-online", Builds(presence::agents_online)),
    ("search-users", Builds(users::search_users)),
    ("add-user", Builds(users::add_user)),
    ("update-user", Builds(users::update_user)),
    ("delete-user", Builds(users::delete_user)),
    ("delete-users", Builds(users::delete_users)),
    ("is-online", Builds(presence::is_online)),
    ("current-url", Builds(presence::current_url)),
    ("count-users", Builds(users::count_users)),
    ("update-user-to-lead", Builds(users::update_user_to_lead)),
    ("get-avatar", Builds(avatars::get_avatar)),
    ("get-bot-id", Builds(users::get_bot_id)),
    ("is-typing", Builds(presence::is_typing)),
    ("is-agent-typing", Builds(presence::is_agent_typing)),
    ("set-typing", Builds(presence::set_typing)),
    ("login", Builds(login::login)),
    ("logout", Builds(login::logout)),
    ("update-login", Builds(login::update_login)),
    ("delete-leads", Builds(users::delete_leads)),
    // Conversations
    ("get-conversation", Writes(conversations::get_conversation)),
    ("get-conversations", Writes(conversations::get_conversations)),
    ("get-new-conversations", Writes(conversations::get_new_conversations)),
    ("get-user-conversations", Writes(conversations::get_user_conversations)),
    ("get-new-user-conversations", Writes(conversations::get_new_user_conversations)),
    ("search-conversations", Writes(conversations::search_conversations)),
    ("search-user-conversations", Writes(conversations::search_user_conversations)),
    ("new-conversation", Builds(conversations::new_conversation)),
    ("update-conversation-status", Builds(conversations::update_conversation_status)),
    ("update-conversation-department", Builds(routing::update_conversation_department)),
    ("update-conversation-agent", Builds(routing::update_conversation_agent)),
    ("set-rating", Builds(conversations::set_rating)),
    ("get-rating", Builds(conversations::get_rating)),
    ("get-new-messages", Writes(messages::get_new_messages)),
    ("send-message", Builds(messages::send_message)),
    ("update-message", Builds(messages::update_message)),
    ("delete-message", Builds(messages::delete_message)),
    ("update-messages-status", Builds(messages::update_messages_status)),
    ("get-agents-in-conversation", Builds(messages::get_agents_in_conversation)),
    ("transcript", Builds(exports::transcript)),
    ("direct-message", Builds(messages::direct_message)),
    ("count-conversations", Builds(conversations::count_conversations)),
    ("check-conversations-assignment", Builds(conversations::check_conversations_assignment)),
    // More methods
    ("send-email", Builds(email::send_email)),
    ("send-custom-email", Builds(email::send_custom_email)),
    ("email-piping", Builds(jobs::email_piping)),
    ("get-setting", Builds(settings::get_setting)),
    ("get-settings", Builds(settings::get_settings)),
    ("save-settings", Builds(settings::save_settings)),
    ("saved-replies", Builds(settings::saved_replies)),
    ("get-articles", Builds(articles::get_articles)),
    ("save-articles", Builds(articles::save_articles)),
    ("search-articles", Builds(articles::search_articles)),
    ("get-articles-categories", Builds(articles::get_articles_categories)),
    ("save-articles-categories", Builds(articles::save_articles_categories)),
    ("article-ratings", Builds(articles::article_ratings)),
    ("get-versions", Builds(formatting::get_versions)),
    ("csv-users", Builds(exports::csv_users)),
    ("chat-css", Builds(settings::chat_css)),
    ("text-formatting-to-html", Builds(formatting::text_formatting_to_html)),
    ("clear-text-formatting", Builds(formatting::clear_text_formatting)),
    ("cron-jobs", Builds(jobs::cron_jobs)),
    ("get-notes", Builds(notes::get_notes)),
    ("add-note", Builds(notes::add_note)),
    ("delete-note", Builds(notes::delete_note)),
    ("automations-get", Builds(automations::automations_get)),
    ("automations-save", Builds(automations::automations_save)),
    ("automations-validate", Builds(automations::automations_validate)),
    ("automations-run-all", Builds(automations::automations_run_all)),
    ("automations-run", Builds(automations::automations_run)),
    ("clean-data", Builds(jobs::clean_data)),
    ("get-translation", Builds(translations::get_translation)),
    ("get-translations", Builds(translations::get_translations)),
    ("save-translations", Builds(translations::save_translations)),
    ("get-departments", Builds(settings::get_departments)),
    ("reports", Builds(reports::reports)),
    ("reports-update", Builds(reports::reports_update)),
    ("export-settings", Builds(settings::export_settings)),
    ("import-settings", Builds(settings::import_settings)),
    // Switchboard additions, not in the contract: undo for save-translations.
    ("get-translation-versions", Builds(translations::get_translation_versions)),
    ("restore-translations", Builds(translations::restore_translations)),
    // Switchboard addition, not in the contract: check the SMTP settings.
    ("send-test-email", Builds(email::send_test_email)),
    // Switchboard additions, not in the contract: what the scheduler ran and what is queued.
    ("get-job-runs", Builds(jobs::get_job_runs)),
    ("get-outbox", Builds(jobs::get_outbox)),
    // Switchboard addition, not in the contract: try the email-piping mailbox settings.
    ("test-email-piping", Builds(jobs::test_email_piping)),
    // Switchboard addition, not in the contract: a webhook to try the settings.
    ("send-test-webhook", Builds(webhooks::send_test_webhook)),
    // Switchboard addition, not in the contract: a file to pass in `attachments`.
    ("upload", Builds(files::upload)),
    // Switchboard addition, not in the contract: who changed what.
    ("get-audit-log", Builds(audit::get_audit_log)),
];

pub fn find(name: &str) -> Option<(&'static str, Handler)> {
    FUNCTIONS.iter().find(|(known, _)| *known == name).copied()
}
