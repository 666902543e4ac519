//! Email addresses, checked for plausibility where they enter.

/// An email address as people type them: one `@`, something on each side, a dot in
/// the domain, no spaces or control characters. Stored as given (trimmed); compared
/// ignoring case by the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (local, domain) = text.split_once('@')?;
        let plausible = !local.is_empty()
            && local.len() <= 64
            && text.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !text.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ','));
        plausible.then(|| Email(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn accepts_ordinary_addresses_and_rejects_junk() {
        assert_eq!(Email::parse(" Ann@Example.com ").unwrap().as_str(), "Ann@Example.com");
        assert!(Email::parse("a+tag@mail.example.co.uk").is_some());
        for bad in ["", "ann", "ann@", "@example.com", "ann@example", "a b@example.com", "a@b@c.com", "<a@b.com>"] {
            assert!(Email::parse(bad).is_none(), "{bad:?} should be rejected");
        }
    }
}
