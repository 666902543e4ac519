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
