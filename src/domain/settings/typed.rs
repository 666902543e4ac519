//! The settings as the code reads them: one typed struct built from the stored
//! values (or the defaults), so callers write `settings.webhooks.url` and a typo
//! is a compile error. Values that the schema's validation let in cannot fail to
//! read; anything else reads as the empty value of its type.

use super::{find, Setting};
use crate::domain::office_hours::OfficeHours;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub chat: Chat,
    pub design: Design,
    /// The admin area's name; the sender name of emails when none is set.
    pub admin_title: String,
    /// `csv` or `txt`.
    pub transcript_type: String,
    pub smtp: Smtp,
    pub notify: Notify,
    pub departments: Vec<Department>,
    pub saved_replies: Vec<SavedReply>,
    pub routing: bool,
    pub queue: bool,
    pub webhooks: Webhooks,
    /// Refuse webhook and SMTP targets on private, loopback and link-local addresses.
    pub outbound_public_only: bool,
    pub default_language: String,
    pub help_center_title: String,
    pub help_center_description: String,
    pub cron: Cron,
    pub backup: Backup,
    /// Days the audit log keeps its entries.
    pub audit_retention_days: i64,
    pub widget: Widget,
    /// When the chat is staffed, in [`Settings::office_timezone`].
    pub office_hours: OfficeHours,
    pub office_timezone: chrono_tz::Tz,
    pub email_piping: super::piping::EmailPiping,
    pub files: Files,
}

/// What may be attached to a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Files {
    /// The largest file, in bytes.
    pub max_bytes: usize,
    pub max_per_message: usize,
    /// Canonical extensions (see [`crate::domain::files::sniff`]).
    pub allowed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Widget {
    /// Whether the pre-chat form shows (never to visitors the site identified).
    pub prechat: bool,
    /// `required`, `optional` or `off`, for the name, email and phone fields.
    pub prechat_name: String,
    pub prechat_email: String,
    pub prechat_phone: String,
    /// Whether "leave a message" shows when nobody is available.
    pub offline_form: bool,
    /// Origins that may embed the widget; empty: any.
    pub allowed_origins: Vec<String>,
}

impl Widget {
    /// Whether a page of `origin` may use the visitor API.
    pub fn allows(&self, origin: &str) -> bool {
        self.allowed_origins.is_empty() || self.allowed_origins.iter().any(|o| o.eq_ignore_ascii_case(origin))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chat {
    pub manual_init: bool,
    pub login_init: bool,
    pub init_dashboard: bool,
    pub timetable_disabled: bool,
    pub rtl: bool,
    pub auto_translations: bool,
    /// `right` or `left`.
    pub position: String,
    pub welcome_message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// Checked colours (`#hex`, `rgb()`, `rgba()`): primary, secondary, text.
    pub colors: [String; 3],
    pub header_title: String,
    pub header_message: String,
    pub brand_image: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    None,
    StartTls,
    Tls,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: String,
    pub password: String,
    pub sender_name: String,
    pub sender_address: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notify {
    pub user_email: bool,
    pub agent_email: bool,
    /// `assigned`, `department` or `all`.
    pub agents: String,
    pub user_subject: String,
    pub user_body: String,
    pub agent_subject: String,
    pub agent_body: String,
    /// Where a user's email links to their conversation; empty: nowhere.
    pub user_chat_url: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Department {
    pub id: i64,
    pub name: String,
    pub color: String,
    pub image: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SavedReply {
    pub name: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Webhooks {
    pub active: bool,
    pub url: String,
    pub key: String,
    /// Lower-case webhook names; empty sends them all.
    pub allowed: Vec<String>,
}

impl Webhooks {
    /// Whether webhook `name` is sent.
    pub fn sends(&self, name: &str) -> bool {
        self.active && !self.url.is_empty() && (self.allowed.is_empty() || self.allowed.iter().any(|a| a == name))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cron {
    pub clean_data: String,
    pub presence: String,
    pub maintenance: String,
    pub email_piping: String,
    pub backup: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Backup {
    /// Where scheduled backups go; empty: no scheduled backups.
    pub folder: String,
    /// How many scheduled backups are kept; older ones are deleted.
    pub keep: usize,
}

impl Cron {
    /// The expression in the setting `id` (a job's `schedule_setting`).
    pub fn by_setting(&self, id: &str) -> Option<&str> {
        match id {
            "cron-clean-data" => Some(&self.clean_data),
            "cron-presence" => Some(&self.presence),
            "cron-maintenance" => Some(&self.maintenance),
            "cron-email-piping" => Some(&self.email_piping),
            "cron-backup" => Some(&self.backup),
            _ => None,
        }
    }
}

/// Reads one value: `stored(id)` when there is one, else the schema's default.
struct Values<'a> {
    stored: &'a dyn Fn(&str) -> Option<Value>,
}

impl Values<'_> {
    fn setting(&self, id: &str) -> (&'static Setting, Value) {
        let setting = find(id).unwrap_or_else(|| panic!("the schema has no setting '{id}'"));
        (setting, (self.stored)(id).unwrap_or_else(|| setting.default_value()))
    }

    fn value(&self, id: &str) -> Value {
        self.setting(id).1
    }

    fn text(&self, id: &str) -> String {
        text_of(&self.value(id))
    }

    /// Text as saved, spaces and line breaks kept (templates, passwords).
    fn raw_text(&self, id: &str) -> String {
        self.value(id).as_str().unwrap_or_default().to_string()
    }

    fn flag(&self, id: &str) -> bool {
        self.value(id).as_bool().unwrap_or(false)
    }

    /// A number setting (saved as a number or as its text), else its default.
    fn number(&self, id: &str) -> i64 {
        let (setting, value) = self.setting(id);
        let read = |v: &Value| v.as_i64().or_else(|| v.as_str()?.trim().parse().ok());
        read(&value).or_else(|| read(&setting.default_value())).unwrap_or_default()
    }

    fn rows(&self, id: &str) -> Vec<Value> {
        self.value(id).as_array().cloned().unwrap_or_default()
    }
}

fn text_of(value: &Value) -> String {
    value.as_str().unwrap_or_default().trim().to_string()
}

impl Settings {
    /// The settings from `stored` (the value saved for an ID, if any).
    pub fn from_stored(stored: &dyn Fn(&str) -> Option<Value>) -> Self {
        let v = Values { stored };
        let webhooks = v.value("webhooks");
        let field = |name: &str| text_of(&webhooks[name]);
        Settings {
            chat: Chat {
                manual_init: v.flag("chat-manual-init"),
                login_init: v.flag("chat-login-init"),
                init_dashboard: v.flag("init-dashboard"),
                timetable_disabled: v.flag("chat-timetable-disable"),
                rtl: v.flag("rtl"),
                auto_translations: v.flag("front-auto-translations"),
                position: v.text("chat-position"),
                welcome_message: v.text("welcome-message"),
            },
            design: Design {
                colors: [v.text("color-1"), v.text("color-2"), v.text("color-3")],
                header_title: v.text("header-title"),
                header_message: v.text("header-message"),
                brand_image: v.text("brand-img"),
            },
            admin_title: v.text("admin-title"),
            transcript_type: v.text("transcript-type"),
            smtp: Smtp {
                host: v.text("smtp-host"),
                port: v.value("smtp-port").as_u64().and_then(|p| u16::try_from(p).ok()).unwrap_or(587),
                security: match v.text("smtp-security").as_str() {
                    "none" => SmtpSecurity::None,
                    "tls" => SmtpSecurity::Tls,
                    _ => SmtpSecurity::StartTls,
                },
                username: v.text("smtp-username"),
                password: v.raw_text("smtp-password"),
                sender_name: v.text("smtp-sender-name"),
                sender_address: v.text("smtp-sender-address"),
            },
            notify: Notify {
                user_email: v.flag("notify-user-email"),
                agent_email: v.flag("notify-agent-email"),
                agents: v.text("notify-agents"),
                user_subject: v.raw_text("email-user-subject"),
                user_body: v.raw_text("email-user-body"),
                agent_subject: v.raw_text("email-agent-subject"),
                agent_body: v.raw_text("email-agent-body"),
                user_chat_url: v.text("email-user-chat-url"),
            },
            departments: v
                .rows("departments")
                .iter()
                .filter_map(|row| {
                    Some(Department {
                        id: row["department-id"].as_i64()?,
                        name: text_of(&row["department-name"]),
                        color: text_of(&row["department-color"]),
                        image: text_of(&row["department-image"]),
                    })
                })
                .collect(),
            saved_replies: v
                .rows("saved-replies")
                .iter()
                .map(|row| SavedReply { name: text_of(&row["reply-name"]), text: text_of(&row["reply-text"]) })
                .collect(),
            routing: v.flag("routing"),
            queue: v.flag("queue"),
            webhooks: Webhooks {
                active: webhooks["webhooks-active"] == true,
                url: field("webhooks-url"),
                key: field("webhooks-key"),
                allowed: field("webhooks-allowed")
                    .split(',')
                    .map(|name| name.trim().to_ascii_lowercase())
                    .filter(|name| !name.is_empty())
                    .collect(),
            },
            outbound_public_only: v.flag("outbound-public-only"),
            default_language: v.text("default-language"),
            help_center_title: v.text("help-center-title"),
            help_center_description: v.text("help-center-description"),
            cron: Cron {
                clean_data: v.text("cron-clean-data"),
                presence: v.text("cron-presence"),
                maintenance: v.text("cron-maintenance"),
                email_piping: v.text("cron-email-piping"),
                backup: v.text("cron-backup"),
            },
            backup: Backup {
                folder: v.text("backup-folder"),
                keep: v.value("backup-keep").as_u64().and_then(|n| usize::try_from(n).ok()).unwrap_or(7),
            },
            audit_retention_days: v.value("audit-retention-days").as_i64().unwrap_or(365),
            widget: Widget {
                prechat: v.flag("widget-prechat"),
                prechat_name: v.text("widget-prechat-name"),
                prechat_email: v.text("widget-prechat-email"),
                prechat_phone: v.text("widget-prechat-phone"),
                offline_form: v.flag("widget-offline-form"),
                allowed_origins: v
                    .text("widget-allowed-origins")
                    .split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_string())
                    .filter(|o| !o.is_empty())
                    .collect(),
            },
            office_hours: OfficeHours::parse(&v.text("office-hours")).unwrap_or_else(|_| OfficeHours::always()),
            office_timezone: crate::domain::days::parse_timezone(&v.text("office-hours-timezone"))
                .unwrap_or(chrono_tz::UTC),
            email_piping: super::piping::EmailPiping::from_value(&v.value("email-piping")),
            files: Files {
                max_bytes: usize::try_from(v.number("upload-max-size")).unwrap_or(10) << 20,
                max_per_message: usize::try_from(v.number("upload-max-files")).unwrap_or(10),
                allowed: crate::domain::files::parse_allowed(&v.text("upload-allowed-types")),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn allowed_names_filter_and_empty_allows_all() {
        let mut webhooks = Webhooks { active: true, url: "https://x.test".into(), key: String::new(), allowed: vec![] };
        assert!(webhooks.sends("login"));
        webhooks.allowed = vec!["message-sent".into()];
        assert!(webhooks.sends("message-sent") && !webhooks.sends("login"));
        webhooks.active = false;
        assert!(!webhooks.sends("message-sent"));
    }

    #[test]
    fn defaults_read_as_the_schema_gives_them_and_stored_values_win() {
        let defaults = Settings::from_stored(&|_| None);
        assert_eq!(defaults.smtp.port, 587);
        assert_eq!(defaults.chat.position, "right");
        assert_eq!(defaults.cron.by_setting("cron-presence"), Some("0 * * * * *"));
        assert!(defaults.notify.user_email);
        let stored = |id: &str| match id {
            "webhooks" => Some(
                json!({ "webhooks-active": true, "webhooks-url": " https://x.test ", "webhooks-allowed": "Message-Sent, login" }),
            ),
            "departments" => Some(json!([{ "department-id": 3, "department-name": "Sales" }])),
            _ => None,
        };
        let saved = Settings::from_stored(&stored);
        assert_eq!(saved.webhooks.url, "https://x.test");
        assert!(saved.webhooks.sends("login") && !saved.webhooks.sends("registration"));
        assert_eq!(saved.departments[0].id, 3);
        assert_eq!(saved.departments[0].name, "Sales");
    }
}
