//! Who did something, as the audit log records it, and the filters it is read with.

/// Every action the log records, as it names them; a filter on the part before
/// the dot (`user`) finds the whole family.
pub const ACTIONS: &[(&str, &str)] = &[
    ("settings.save", "settings saved"),
    ("user.create", "person added"),
    ("user.update", "person changed"),
    ("user.role", "person's type (role) changed"),
    ("user.password", "password changed or reset"),
    ("user.delete", "person deleted"),
    ("token.rotate", "API token replaced"),
    ("automations.save", "automations saved"),
    ("article.save", "article saved"),
    ("article.delete", "article deleted"),
    ("article.replace-all", "every article replaced (save-articles)"),
    ("article.categories", "article categories saved"),
    ("sign-in", "signed in"),
    ("sign-in.failed", "failed sign-in"),
    ("sign-out", "signed out"),
    ("two-factor.enable", "two-factor sign-in turned on"),
    ("two-factor.disable", "two-factor sign-in turned off"),
    ("backup.create", "backup written"),
    ("backup.download", "backup downloaded"),
    ("backup.restore", "backup restored"),
];

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
        Self::claimed(Some(user_id), name, via, address)
    }

    /// Someone who gave `name` (an email typed at sign-in), `user_id` when it is
    /// a person's.
    pub fn claimed(user_id: Option<i64>, name: &str, via: &'static str, address: Option<std::net::IpAddr>) -> Self {
        Self { user_id, name: name.to_string(), via, address: address.map(|a| a.to_string()) }
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

impl Filter {
    /// A filter from what a person or a caller typed: `from` and `to` as
    /// `YYYY-MM-DD` (whole days, both included) or `YYYY-MM-DD HH:MM:SS` (UTC);
    /// empty parts are left out. `Err` names the part and says why.
    pub fn parse(
        actor_id: Option<i64>,
        action: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Self, (&'static str, String)> {
        let action = action.map(str::trim).filter(|a| !a.is_empty());
        if action.is_some_and(|a| a.len() > 64) {
            return Err(("action", "longer than 64 characters".into()));
        }
        Ok(Self {
            actor_id,
            action: action.map(str::to_string),
            from: moment(from, "00:00:00").map_err(|why| ("from", why))?,
            to: moment(to, "23:59:59").map_err(|why| ("to", why))?,
        })
    }
}

/// `text` as the log's `YYYY-MM-DD HH:MM:SS`, a bare date taking `time_of_day`.
fn moment(text: Option<&str>, time_of_day: &str) -> Result<Option<String>, String> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() {
        return Ok(Some(format!("{text} {time_of_day}")));
    }
    match chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S") {
        Ok(at) => Ok(Some(at.format("%Y-%m-%d %H:%M:%S").to_string())),
        Err(_) => Err("expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::Filter;

    #[test]
    fn dates_become_whole_days_and_nonsense_is_refused() {
        let filter = Filter::parse(Some(3), Some(" user "), Some("2024-05-01"), Some("2024-05-02")).unwrap();
        assert_eq!(filter.action.as_deref(), Some("user"));
        assert_eq!(filter.from.as_deref(), Some("2024-05-01 00:00:00"));
        assert_eq!(filter.to.as_deref(), Some("2024-05-02 23:59:59"));
        let exact = Filter::parse(None, Some(""), Some("2024-05-01 10:11:12"), None).unwrap();
        assert_eq!((exact.action, exact.from.as_deref()), (None, Some("2024-05-01 10:11:12")));
        assert_eq!(Filter::parse(None, None, Some("yesterday"), None).unwrap_err().0, "from");
        assert_eq!(Filter::parse(None, None, None, Some("2024-13-01")).unwrap_err().0, "to");
    }
}
