//! User types and the columns user lists may be sorted by.

/// The kinds of people in the system. `Bot` exists only as the one user `get-bot-id`
/// creates; the contract's add-user and update-user accept the other five.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserType {
    Visitor,
    Lead,
    User,
    Agent,
    Admin,
    Bot,
}

impl UserType {
    /// The type's name as people read it.
    pub fn label(self) -> &'static str {
        match self {
            UserType::Visitor => "Visitor",
            UserType::Lead => "Lead",
            UserType::User => "User",
            UserType::Agent => "Agent",
            UserType::Admin => "Admin",
            UserType::Bot => "Bot",
        }
    }

    pub const ALL: [UserType; 6] =
        [UserType::Visitor, UserType::Lead, UserType::User, UserType::Agent, UserType::Admin, UserType::Bot];

    /// The types a client may assign (everything but the bot).
    pub fn parse_assignable(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text.trim() && *t != UserType::Bot)
    }

    pub fn from_stored(text: &str) -> Self {
        Self::ALL.into_iter().find(|t| t.as_str() == text).unwrap_or(UserType::Visitor)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Visitor => "visitor",
            UserType::Lead => "lead",
            UserType::User => "user",
            UserType::Agent => "agent",
            UserType::Admin => "admin",
            UserType::Bot => "bot",
        }
    }

    pub fn is_agent(self) -> bool {
        matches!(self, UserType::Agent | UserType::Admin)
    }
}

/// The columns `get-users` and `get-online-users` may sort by; the SQL fragment
/// comes from here, never from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSort {
    /// Newest or oldest first; as `creation_time`, but without sorting a search's matches.
    Id,
    FirstName,
    LastName,
    Email,
    ProfileImage,
    UserType,
    CreationTime,
    LastActivity,
    Department,
}

impl UserSort {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.trim() {
            "id" => Self::Id,
            "first_name" => Self::FirstName,
            "last_name" => Self::LastName,
            "email" => Self::Email,
            "profile_image" => Self::ProfileImage,
            "user_type" => Self::UserType,
            "creation_time" => Self::CreationTime,
            "last_activity" => Self::LastActivity,
            "department" => Self::Department,
            _ => return None,
        })
    }

    pub fn sql(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::Email => "email",
            Self::ProfileImage => "profile_image",
            Self::UserType => "user_type",
            Self::CreationTime => "creation_time",
            Self::LastActivity => "last_activity",
            Self::Department => "department",
        }
    }
}
