//! Every setting: its ID, section, type and default, in the order the admin
//! area shows them.

use super::{Field, Kind, Setting};

/// How a pre-chat field is asked.
const ASKED: &[&str] = &["required", "optional", "off"];

pub(super) const DEPARTMENT_FIELDS: &[Field] = &[
    Field { id: "department-id", kind: Kind::Number(1, 1_000_000) },
    Field { id: "department-name", kind: Kind::Text(255) },
    Field { id: "department-color", kind: Kind::Text(32) },
    Field { id: "department-image", kind: Kind::Url },
];

const WEBHOOK_FIELDS: &[Field] = &[
    Field { id: "webhooks-active", kind: Kind::Checkbox },
    Field { id: "webhooks-url", kind: Kind::Url },
    Field { id: "webhooks-key", kind: Kind::Password(1024) },
    // Comma-separated webhook names; empty sends them all. Names Switchboard never
    // fires are accepted, so settings saved for the contract's other webhooks load.
    Field { id: "webhooks-allowed", kind: Kind::Text(2000) },
];

/// One mailbox whose mail becomes conversations (see `mail/` and the README's "Email channel").
const EMAIL_PIPING_FIELDS: &[Field] = &[
    Field { id: "email-piping-active", kind: Kind::Checkbox },
    Field { id: "email-piping-host", kind: Kind::Text(255) },
    Field { id: "email-piping-port", kind: Kind::Number(1, 65535) },
    // `none` only for a server on a loopback address: checked when connecting.
    Field { id: "email-piping-tls", kind: Kind::Select(&["tls", "starttls", "none"]) },
    Field { id: "email-piping-user", kind: Kind::Text(255) },
    Field { id: "email-piping-password", kind: Kind::Password(1024) },
    Field { id: "email-piping-folder", kind: Kind::Text(255) },
    // Where taken mail is moved; empty: it stays, marked seen.
    Field { id: "email-piping-done-folder", kind: Kind::Text(255) },
    Field { id: "email-piping-department", kind: Kind::Number(0, 1_000_000) },
    // The address customers write to; replies go to its `+token` form. Empty: smtp-sender-address.
    Field { id: "email-piping-address", kind: Kind::Email },
];

const SAVED_REPLY_FIELDS: &[Field] =
    &[Field { id: "reply-name", kind: Kind::Text(255) }, Field { id: "reply-text", kind: Kind::Textarea }];

const USER_SUBJECT: &str = "\"{site_title}: new reply from {sender_name}\"";
const USER_BODY: &str = "\"Hello {recipient_name},\\n\\n{sender_name} replied to your conversation:\\n\\n{message}\\n{attachments}\\n{conversation_url}\"";
const AGENT_SUBJECT: &str = "\"{site_title}: new message from {sender_name}\"";
const AGENT_BODY: &str =
    "\"{sender_name} wrote in conversation {conversation_id}:\\n\\n{message}\\n{attachments}\\n{conversation_url}\"";

pub const SCHEMA: &[Setting] = &[
    // Chat
    Setting { id: "chat-manual-init", section: "chat", kind: Kind::Checkbox, default: "false" },
    Setting { id: "chat-login-init", section: "chat", kind: Kind::Checkbox, default: "false" },
    Setting { id: "init-dashboard", section: "chat", kind: Kind::Checkbox, default: "true" },
    Setting { id: "chat-timetable-disable", section: "chat", kind: Kind::Checkbox, default: "false" },
    Setting { id: "rtl", section: "chat", kind: Kind::Checkbox, default: "false" },
    Setting { id: "front-auto-translations", section: "chat", kind: Kind::Checkbox, default: "true" },
    Setting { id: "chat-position", section: "chat", kind: Kind::Select(&["right", "left"]), default: "\"right\"" },
    Setting { id: "welcome-message", section: "chat", kind: Kind::Textarea, default: "\"\"" },
    // When the chat is staffed; outside these hours (or with no agent online) the
    // widget offers the "leave a message" form.
    Setting { id: "office-hours", section: "chat", kind: Kind::OfficeHours, default: "\"\"" },
    Setting { id: "office-hours-timezone", section: "chat", kind: Kind::Timezone, default: "\"UTC\"" },
    // The chat widget: what its pre-chat form asks, its offline form, and the
    // sites that may embed it.
    Setting { id: "widget-prechat", section: "widget", kind: Kind::Checkbox, default: "true" },
    Setting { id: "widget-prechat-name", section: "widget", kind: Kind::Select(ASKED), default: "\"optional\"" },
    Setting { id: "widget-prechat-email", section: "widget", kind: Kind::Select(ASKED), default: "\"required\"" },
    Setting { id: "widget-prechat-phone", section: "widget", kind: Kind::Select(ASKED), default: "\"off\"" },
    Setting { id: "widget-offline-form", section: "widget", kind: Kind::Checkbox, default: "true" },
    Setting { id: "widget-allowed-origins", section: "widget", kind: Kind::Text(2000), default: "\"\"" },
    // Files: what may be attached to messages (in the admin area, the widget, the
    // API and email). Types are named by extension and checked against content.
    Setting { id: "upload-max-size", section: "files", kind: Kind::Number(1, 100), default: "10" },
    Setting { id: "upload-max-files", section: "files", kind: Kind::Number(1, 50), default: "10" },
    Setting {
        id: "upload-allowed-types",
        section: "files",
        kind: Kind::Text(2000),
        default: "\"jpg, png, gif, webp, pdf, txt, csv, zip, docx, xlsx, pptx, odt, ods, odp, mp3, mp4, mov, wav\"",
    },
    // Design
    Setting { id: "color-1", section: "design", kind: Kind::Color, default: "\"#028be5\"" },
    Setting { id: "color-2", section: "design", kind: Kind::Color, default: "\"#026eb3\"" },
    Setting { id: "color-3", section: "design", kind: Kind::Color, default: "\"#ffffff\"" },
    Setting { id: "header-title", section: "design", kind: Kind::Text(255), default: "\"How can we help?\"" },
    Setting { id: "header-message", section: "design", kind: Kind::Textarea, default: "\"\"" },
    Setting { id: "brand-img", section: "design", kind: Kind::Url, default: "\"\"" },
    // Admin
    Setting { id: "admin-title", section: "admin", kind: Kind::Text(255), default: "\"Switchboard\"" },
    Setting { id: "transcript-type", section: "admin", kind: Kind::Select(&["csv", "txt"]), default: "\"csv\"" },
    // Notifications: the SMTP server, the email templates and who is told what.
    Setting { id: "smtp-host", section: "notifications", kind: Kind::Text(255), default: "\"\"" },
    Setting { id: "smtp-port", section: "notifications", kind: Kind::Number(1, 65535), default: "587" },
    Setting {
        id: "smtp-security",
        section: "notifications",
        kind: Kind::Select(&["none", "starttls", "tls"]),
        default: "\"starttls\"",
    },
    Setting { id: "smtp-username", section: "notifications", kind: Kind::Text(255), default: "\"\"" },
    Setting { id: "smtp-password", section: "notifications", kind: Kind::Password(1024), default: "\"\"" },
    Setting { id: "smtp-sender-name", section: "notifications", kind: Kind::Text(255), default: "\"\"" },
    Setting { id: "smtp-sender-address", section: "notifications", kind: Kind::Email, default: "\"\"" },
    Setting { id: "email-user-subject", section: "notifications", kind: Kind::Text(255), default: USER_SUBJECT },
    Setting { id: "email-user-body", section: "notifications", kind: Kind::Textarea, default: USER_BODY },
    Setting { id: "email-agent-subject", section: "notifications", kind: Kind::Text(255), default: AGENT_SUBJECT },
    Setting { id: "email-agent-body", section: "notifications", kind: Kind::Textarea, default: AGENT_BODY },
    Setting { id: "notify-user-email", section: "notifications", kind: Kind::Checkbox, default: "true" },
    Setting { id: "notify-agent-email", section: "notifications", kind: Kind::Checkbox, default: "true" },
    Setting {
        id: "notify-agents",
        section: "notifications",
        kind: Kind::Select(&["assigned", "department", "all"]),
        default: "\"assigned\"",
    },
    Setting { id: "email-user-chat-url", section: "notifications", kind: Kind::Url, default: "\"\"" },
    // Miscellaneous
    Setting { id: "departments", section: "miscellaneous", kind: Kind::Repeater(DEPARTMENT_FIELDS), default: "[]" },
    Setting { id: "saved-replies", section: "miscellaneous", kind: Kind::Repeater(SAVED_REPLY_FIELDS), default: "[]" },
    Setting { id: "routing", section: "miscellaneous", kind: Kind::Checkbox, default: "false" },
    Setting { id: "queue", section: "miscellaneous", kind: Kind::Checkbox, default: "false" },
    Setting {
        id: "webhooks",
        section: "miscellaneous",
        kind: Kind::MultiInput(WEBHOOK_FIELDS),
        default: r#"{"webhooks-active":false,"webhooks-url":"","webhooks-key":"","webhooks-allowed":""}"#,
    },
    // Email in: the mailbox piped into conversations.
    Setting {
        id: "email-piping",
        section: "email-piping",
        kind: Kind::MultiInput(EMAIL_PIPING_FIELDS),
        default: r#"{"email-piping-active":false,"email-piping-host":"","email-piping-port":993,"email-piping-tls":"tls","email-piping-user":"","email-piping-password":"","email-piping-folder":"INBOX","email-piping-done-folder":"","email-piping-department":0,"email-piping-address":""}"#,
    },
    // Outbound connections: where webhooks and SMTP may connect. Off by default, as
    // many installs relay mail through a local MTA on 127.0.0.1 (jobs/outbound.rs).
    Setting { id: "outbound-public-only", section: "outbound", kind: Kind::Checkbox, default: "false" },
    // Languages and the help center
    Setting { id: "default-language", section: "languages", kind: Kind::Text(8), default: "\"en\"" },
    Setting { id: "help-center-title", section: "articles", kind: Kind::Text(255), default: "\"Help center\"" },
    Setting { id: "help-center-description", section: "articles", kind: Kind::Textarea, default: "\"\"" },
    // Cron: when each scheduled job runs (seconds first). The outbox is delivered continuously.
    Setting { id: "cron-clean-data", section: "cron", kind: Kind::Cron, default: "\"0 0 * * * *\"" },
    Setting { id: "cron-presence", section: "cron", kind: Kind::Cron, default: "\"0 * * * * *\"" },
    Setting { id: "cron-maintenance", section: "cron", kind: Kind::Cron, default: "\"0 30 3 * * *\"" },
    // A poll of the mailbox; new mail also comes at once where the server offers IMAP IDLE.
    Setting { id: "cron-email-piping", section: "cron", kind: Kind::Cron, default: "\"0 * * * * *\"" },
    Setting { id: "cron-backup", section: "cron", kind: Kind::Cron, default: "\"0 0 2 * * *\"" },
    // Scheduled backups: off until a folder is set (a relative one is inside the data directory).
    Setting { id: "backup-folder", section: "backup", kind: Kind::Text(1024), default: "\"\"" },
    Setting { id: "backup-keep", section: "backup", kind: Kind::Number(1, 1000), default: "7" },
    // How long the audit log keeps its entries; the daily maintenance job prunes older ones.
    Setting { id: "audit-retention-days", section: "audit", kind: Kind::Number(1, 3650), default: "365" },
];
