//! The `email-piping` setting as the code reads it: the one mailbox whose mail
//! becomes conversations.

use serde_json::Value;

/// How the connection to the IMAP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailboxSecurity {
    /// TLS from the first byte (port 993).
    Tls,
    /// A plain connection upgraded with STARTTLS, which the server must offer.
    StartTls,
    /// In the clear: only to a server on a loopback address.
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EmailPiping {
    pub active: bool,
    pub host: String,
    pub port: u16,
    pub security: MailboxSecurity,
    pub user: String,
    pub password: String,
    pub folder: String,
    /// Where mail is moved once stored; empty: it stays in the folder, marked seen.
    pub done_folder: String,
    /// The department new email conversations go to.
    pub department: Option<i64>,
    /// The address customers write to; empty: the SMTP sender address.
    pub address: String,
}

impl EmailPiping {
    pub(super) fn from_value(value: &Value) -> Self {
        let text = |name: &str| value[name].as_str().unwrap_or_default().trim().to_string();
        let folder = text("email-piping-folder");
        EmailPiping {
            active: value["email-piping-active"] == true,
            host: text("email-piping-host"),
            port: value["email-piping-port"].as_u64().and_then(|p| u16::try_from(p).ok()).unwrap_or(993),
            security: match text("email-piping-tls").as_str() {
                "starttls" => MailboxSecurity::StartTls,
                "none" => MailboxSecurity::None,
                _ => MailboxSecurity::Tls,
            },
            user: text("email-piping-user"),
            // As saved: spaces can be part of a password.
            password: value["email-piping-password"].as_str().unwrap_or_default().to_string(),
            folder: if folder.is_empty() { "INBOX".into() } else { folder },
            done_folder: text("email-piping-done-folder"),
            department: value["email-piping-department"].as_i64().filter(|d| *d > 0),
            address: text("email-piping-address"),
        }
    }

    /// Whether there is enough to try a connection.
    pub fn configured(&self) -> bool {
        !self.host.is_empty() && !self.user.is_empty()
    }

    /// Which mailbox this is, as positions are recorded: another server, user or
    /// folder starts from its own position.
    pub fn mailbox_key(&self) -> String {
        format!("{}@{}:{}/{}", self.user, self.host.to_ascii_lowercase(), self.port, self.folder)
    }
}
