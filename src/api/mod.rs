//! The function-dispatch API: `POST /include/api.php` with `token`, `function` and
//! the function's arguments. [`FUNCTIONS`] is the dispatch table: one line per
//! contract function, in the contract's order; adding a function is one line here
//! plus its handler in the family file.

pub mod args;
pub(crate) mod articles;
pub mod auth;
pub(crate) mod automations;
mod avatars;
pub(crate) mod conversations;
pub mod dispatch;
pub(crate) mod email;
pub(crate) mod events;
pub(crate) mod exports;
mod formatting;
mod jobs;
mod login;
pub(crate) mod messages;
pub(crate) mod notes;
mod presence;
pub(crate) mod reports;
pub(crate) mod settings;
mod translations;
mod user_args;
mod users;
pub(crate) mod webhooks;

use crate::db::users::UserRow;
use crate::error::ApiResult;
use crate::state::AppState;
use args::Args;
use rusqlite::Connection;
use serde_json::Value;

/// One API call being served: the authenticated admin, the arguments, and a
/// connection on the blocking pool.
pub struct Call<'a> {
    pub conn: &'a mut Connection,
    pub state: &'a AppState,
    pub caller: UserRow,
    pub args: Args,
}

impl Call<'_> {
    pub fn now(&self) -> String {
        self.state.clock.now_text()
    }

    /// Runs `work` in a group-committed write (see [`crate::db::writer`]).
    pub fn write<T: Send + 'static>(
        &mut self,
        work: impl FnOnce(&Connection) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        self.state.write(work)
    }
}

pub type Handler = fn(&mut Call) -> ApiResult<Value>;

pub const FUNCTIONS: &[(&str, Handler)] = &[
    // Users
    ("get-user", users::get_user),
    ("get-user-extra", users::get_user_extra),
    ("get-user-language", users::get_user_language),
    ("get-users", users::get_users),
    ("get-new-users", users::get_new_users),
    ("get-online-users", presence::get_online_users),
    ("get-users-with-details", users::get_users_with_details),
    ("get-agent", users::get_agent),
    ("get-agents-ids", users::get_agents_ids),
    ("get-user-from-conversation", conversations::get_user_from_conversation),
    ("agents-online", presence::agents_online),
    ("search-users", users::search_users),
    ("add-user", users::add_user),
    ("update-user", users::update_user),
    ("delete-user", users::delete_user),
    ("delete-users", users::delete_users),
    ("is-online", presence::is_online),
    ("current-url", presence::current_url),
    ("count-users", users::count_users),
    ("update-user-to-lead", users::update_user_to_lead),
    ("get-avatar", avatars::get_avatar),
    ("get-bot-id", users::get_bot_id),
    ("is-typing", presence::is_typing),
    ("is-agent-typing", presence::is_agent_typing),
    ("set-typing", presence::set_typing),
    ("login", login::login),
    ("logout", login::logout),
    ("update-login", login::update_login),
    ("delete-leads", users::delete_leads),
    // Conversations
    ("get-conversation", conversations::get_conversation),
    ("get-conversations", conversations::get_conversations),
    ("get-new-conversations", conversations::get_new_conversations),
    ("get-user-conversations", conversations::get_user_conversations),
    ("get-new-user-conversations", conversations::get_new_user_conversations),
    ("search-conversations", conversations::search_conversations),
    ("search-user-conversations", conversations::search_user_conversations),
    ("new-conversation", conversations::new_conversation),
    ("update-conversation-status", conversations::update_conversation_status),
    ("update-conversation-department", conversations::update_conversation_department),
    ("update-conversation-agent", conversations::update_conversation_agent),
    ("set-rating", conversations::set_rating),
    ("get-rating", conversations::get_rating),
    ("get-new-messages", messages::get_new_messages),
    ("send-message", messages::send_message),
    ("update-message", messages::update_message),
    ("delete-message", messages::delete_message),
    ("update-messages-status", messages::update_messages_status),
    ("get-agents-in-conversation", messages::get_agents_in_conversation),
    ("transcript", exports::transcript),
    ("direct-message", messages::direct_message),
    ("count-conversations", conversations::count_conversations),
    ("check-conversations-assignment", conversations::check_conversations_assignment),
    // More methods
    ("send-email", email::send_email),
    ("send-custom-email", email::send_custom_email),
    ("get-setting", settings::get_setting),
    ("get-settings", settings::get_settings),
    ("save-settings", settings::save_settings),
    ("saved-replies", settings::saved_replies),
    ("get-articles", articles::get_articles),
    ("save-articles", articles::save_articles),
    ("search-articles", articles::search_articles),
    ("get-articles-categories", articles::get_articles_categories),
    ("save-articles-categories", articles::save_articles_categories),
    ("article-ratings", articles::article_ratings),
    ("get-versions", formatting::get_versions),
    ("csv-users", exports::csv_users),
    ("chat-css", settings::chat_css),
    ("text-formatting-to-html", formatting::text_formatting_to_html),
    ("clear-text-formatting", formatting::clear_text_formatting),
    ("cron-jobs", jobs::cron_jobs),
    ("get-notes", notes::get_notes),
    ("add-note", notes::add_note),
    ("delete-note", notes::delete_note),
    ("automations-get", automations::automations_get),
    ("automations-save", automations::automations_save),
    ("automations-validate", automations::automations_validate),
    ("automations-run-all", automations::automations_run_all),
    ("automations-run", automations::automations_run),
    ("clean-data", jobs::clean_data),
    ("get-translation", translations::get_translation),
    ("get-translations", translations::get_translations),
    ("save-translations", translations::save_translations),
    ("get-departments", settings::get_departments),
    ("reports", reports::reports),
    ("reports-update", reports::reports_update),
    ("export-settings", settings::export_settings),
    ("import-settings", settings::import_settings),
    // Switchboard additions, not in the contract: undo for save-translations.
    ("get-translation-versions", translations::get_translation_versions),
    ("restore-translations", translations::restore_translations),
    // Switchboard addition, not in the contract: check the SMTP settings.
    ("send-test-email", email::send_test_email),
    // Switchboard additions, not in the contract: what the scheduler ran and what is queued.
    ("get-job-runs", jobs::get_job_runs),
    ("get-outbox", jobs::get_outbox),
    // Switchboard addition, not in the contract: a webhook to try the settings.
    ("send-test-webhook", webhooks::send_test_webhook),
];

pub fn find(name: &str) -> Option<(&'static str, Handler)> {
    FUNCTIONS.iter().find(|(known, _)| *known == name).copied()
}
