//! Who did something, as the audit log records it, and the filters it is read with.

/// The person, token or process behind an audited action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user, when a person or their token acted.
    pub user_id: Option<i64>,
    /// Their email (or name) at the time; `system` or `command line` otherwise.
    pub name: String,
    /// `api`, `admin` (the admin area), `cli` or `system`.
    pub via: &'static str,
    /// The client address, for requests.
    pub address: Option<String>,
}

impl Actor {
    /// The scheduler's jobs.
    pub fn system() -> Self {
        Self { user_id: None, name: "system".into(), via: "system", address: None }
    }

    /// Someone at the server's command line.
    pub fn command_line() -> Self {
        Self { user_id: None, name: "command line".into(), via: "cli", address: None }
    }

    /// A person (or their token) reaching Switchboard through `via` from `address`.
    pub fn person(user_id: i64, name: &str, via: &'static str, address: Option<std::net::IpAddr>) -> Self {
        Self { user_id: Some(user_id), name: name.to_string(), via, address: address.map(|a| a.to_string()) }
    }
}

/// What a read of the audit log asks for; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub actor_id: Option<i64>,
    /// An action (`user.update`), or a family of them (`user`).
    pub action: Option<String>,
    /// From and to, `YYYY-MM-DD HH:MM:SS`, both included.
    pub from: Option<String>,
    pub to: Option<String>,
}
