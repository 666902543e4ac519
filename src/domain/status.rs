//! Conversation status codes.

/// A conversation's status code, as the contract numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationStatus {
    Live = 0,
    WaitingForUser = 1,
    WaitingForAgent = 2,
    Archive = 3,
    Trash = 4,
}

impl ConversationStatus {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "0" => Some(Self::Live),
            "1" => Some(Self::WaitingForUser),
            "2" => Some(Self::WaitingForAgent),
            "3" => Some(Self::Archive),
            "4" => Some(Self::Trash),
            _ => None,
        }
    }

    pub fn code(self) -> i64 {
        self as i64
    }
}

/// A conversation's source: a short code (`em`, `tk`, `wa`, …), nothing else.
pub fn is_source_code(text: &str) -> bool {
    text.len() <= 16 && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A status code as people read it, and the stable name pages style it by.
pub fn status_label(code: i64) -> (&'static str, &'static str) {
    match code {
        0 => ("Live", "live"),
        1 => ("Waiting for the user", "waiting-user"),
        2 => ("Waiting for an agent", "waiting-agent"),
        3 => ("Archived", "archived"),
        _ => ("Trash", "trash"),
    }
}

/// The channel a source code stands for, for the codes Switchboard's clients use.
pub fn source_name(code: &str) -> String {
    let name = match code {
        "em" => "Email",
        "tk" => "Ticket",
        "wa" => "WhatsApp",
        "fb" => "Messenger",
        "ig" => "Instagram",
        "tg" => "Telegram",
        "tw" => "Twitter",
        "vb" => "Viber",
        "ln" => "LINE",
        "wc" => "WeChat",
        "tm" => "Text message",
        "gbm" => "Google Business Messages",
        _ => return code.to_string(),
    };
    format!("{name} ({code})")
}
