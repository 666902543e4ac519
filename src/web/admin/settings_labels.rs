//! What people read on the settings page: each section's title and intro, and
//! each setting's (or field's) label and hint, by schema ID. An ID missing here
//! still shows, labelled by its ID.

/// Title and intro of a schema section.
pub fn section(id: &str) -> (&'static str, &'static str) {
    match id {
        "chat" => ("Chat", "How the chat widget starts and behaves."),
        "design" => ("Design", "The chat widget's colours and header."),
        "admin" => ("Admin area", "The site title and transcript downloads."),
        "notifications" => ("Email", "The SMTP server, the email templates, and who is emailed when."),
        "miscellaneous" => ("Departments, saved replies and webhooks", "Teams, canned answers, routing and webhooks."),
        "outbound" => ("Outbound connections", "Where webhooks and email may connect."),
        "email-piping" => (
            "Email channel",
            "The IMAP mailbox customers write to: its mail becomes email conversations, and agents' replies go back by email.",
        ),
        "widget" => ("Chat widget", "What the widget asks before a chat, and which sites may embed it."),
        "languages" => ("Languages", "The language articles and the widget start in."),
        "articles" => ("Help center", "The public knowledge base at /help."),
        "cron" => (
            "Scheduled jobs",
            "When each job runs: six fields, sec min hour day month weekday (UTC), e.g. 0 0 * * * * for every hour.",
        ),
        "backup" => (
            "Backups",
            "Scheduled backups of the database, secret.key and uploads/ (a .tar.gz each), at the time the \
             backup job's schedule says. A failed backup emails the admins.",
        ),
        "audit" => {
            ("Audit log", "Who changed what, kept for this long (the daily maintenance job prunes older entries).")
        }
        _ => ("Other", ""),
    }
}

/// Label and hint of a setting or of a field of one.
pub fn of(id: &'static str) -> (&'static str, &'static str) {
    match id {
        "chat-manual-init" => ("Start the chat manually", "The widget waits until your page's script starts it."),
        "chat-login-init" => ("Start the chat only for signed-in users", ""),
        "init-dashboard" => ("Open on the dashboard", "The widget opens on its dashboard rather than a conversation."),
        "chat-timetable-disable" => ("Ignore office hours", ""),
        "rtl" => ("Right-to-left layout", ""),
        "front-auto-translations" => ("Translate the widget to the visitor's language", ""),
        "chat-position" => ("Position on the page", ""),
        "welcome-message" => ("Welcome message", "Shown to visitors when the chat opens; empty for none."),
        "office-hours" => ("Office hours", "e.g. mon-fri 09:00-17:30, sat 10:00-14:00; empty: always."),
        "office-hours-timezone" => ("Office hours time zone", "An IANA name such as Europe/London."),
        "widget-prechat" => ("Ask visitors who they are before a chat", "Not asked when the site identified them."),
        "widget-prechat-name" => ("Name in the pre-chat form", ""),
        "widget-prechat-email" => ("Email in the pre-chat form", ""),
        "widget-prechat-phone" => ("Phone in the pre-chat form", ""),
        "widget-offline-form" => ("Offer “leave a message” when nobody is available", ""),
        "widget-allowed-origins" => (
            "Sites that may embed the widget",
            "Comma-separated origins such as https://www.example.com; empty: any site.",
        ),
        "color-1" => ("Primary colour", "#1a2b3c, rgb(…) or rgba(…)."),
        "color-2" => ("Secondary colour", "Used on hover."),
        "color-3" => ("Text colour", "Text on the primary colour."),
        "header-title" => ("Header title", ""),
        "header-message" => ("Header message", ""),
        "brand-img" => ("Brand image URL", "An http or https address, or empty."),
        "admin-title" => ("Site title", "Used in emails as {site_title}."),
        "transcript-type" => ("Transcript format", "The default format of transcript downloads."),
        "smtp-host" => ("SMTP server", "Empty: emails wait in the outbox until a server is set."),
        "smtp-port" => ("SMTP port", "587 for STARTTLS, 465 for TLS."),
        "smtp-security" => ("Security", "starttls is required when offered; tls from the first byte; none sends in the clear."),
        "smtp-username" => ("SMTP username", "Empty: no login."),
        "smtp-password" => ("SMTP password", ""),
        "smtp-sender-name" => ("Sender name", "Empty: the site title."),
        "smtp-sender-address" => ("Sender address", "Required to send email."),
        "email-user-subject" => ("Subject of emails to users", ""),
        "email-user-body" => (
            "Body of emails to users",
            "Placeholders: {recipient_name}, {sender_name}, {message}, {attachments}, {conversation_url}, {site_title}.",
        ),
        "email-agent-subject" => ("Subject of emails to agents", ""),
        "email-agent-body" => (
            "Body of emails to agents",
            "Placeholders: {recipient_name}, {sender_name}, {message}, {attachments}, {conversation_id}, {conversation_url}, {site_title}.",
        ),
        "notify-user-email" => ("Email users about replies while they are offline", ""),
        "notify-agent-email" => ("Email agents about new messages while no agent is online", ""),
        "notify-agents" => ("Which agents to email", "assigned: the conversation's agent, else its department's, else all."),
        "email-user-chat-url" => ("Chat page URL", "{conversation_url} in user emails links here."),
        "departments" => ("Departments", "Each needs a number as its ID."),
        "department-id" => ("ID", ""),
        "department-name" => ("Name", ""),
        "department-color" => ("Colour", ""),
        "department-image" => ("Image URL", ""),
        "saved-replies" => ("Saved replies", "Answers agents can insert while replying."),
        "reply-name" => ("Name", ""),
        "reply-text" => ("Text", ""),
        "routing" => ("Route new conversations to agents", ""),
        "queue" => ("Queue conversations", ""),
        "webhooks" => ("Webhooks", "Signed POSTs to your URL when something happens."),
        "webhooks-active" => ("Send webhooks", ""),
        "webhooks-url" => ("Webhook URL", "http or https; use https."),
        "webhooks-key" => ("Secret key", "Signs every webhook."),
        "webhooks-allowed" => ("Only these webhooks", "Comma-separated names; empty sends them all."),
        "outbound-public-only" => (
            "Refuse webhook and SMTP targets on private, loopback and link-local addresses",
            "Checked after DNS, on every connection. Leave off to relay mail through a server on this machine or network.",
        ),
        "default-language" => ("Default language", "A code like en or pt-br."),
        "help-center-title" => ("Help center title", ""),
        "help-center-description" => ("Help center description", "Shown on the help center's home page."),
        "cron-clean-data" => ("Clean-up", "Removes old visitors and trash; archives idle conversations."),
        "cron-presence" => ("Presence", "Clears expired typing statuses."),
        "cron-maintenance" => ("Maintenance", "Optimises the database and removes expired files."),
        "cron-email-piping" => ("Email piping", "Polls the mailbox; IMAP IDLE brings new mail sooner where offered."),
        "email-piping" => ("Mailbox", "Save the whole mailbox; an empty password keeps the saved one."),
        "email-piping-active" => ("Turn mail into conversations", ""),
        "email-piping-host" => ("IMAP server", ""),
        "email-piping-port" => ("Port", "993 for tls, 143 for starttls."),
        "email-piping-tls" => ("Security", "none only for a server on this machine (loopback)."),
        "email-piping-user" => ("User", ""),
        "email-piping-password" => ("Password", ""),
        "email-piping-folder" => ("Folder", "Usually INBOX."),
        "email-piping-done-folder" => ("Move taken mail to", "An existing folder; empty: mail stays, marked seen."),
        "email-piping-department" => ("Department of new conversations", "0: none."),
        "email-piping-address" => (
            "Support address",
            "Customers write here; replies come back to its +token form. Empty: the sender address.",
        ),
        "cron-backup" => ("Backup", "Writes a backup to the backup folder (when one is set); daily at 02:00 by default."),
        "backup-folder" => (
            "Backup folder",
            "Where scheduled backups are written; relative to the data directory unless absolute. Empty: none.",
        ),
        "backup-keep" => ("Backups kept", "The oldest scheduled backups beyond this many are deleted."),
        "audit-retention-days" => ("Days the audit log keeps", "Entries older than this many days are deleted."),
        other => (other, ""),
    }
}
