//! What a person's fields may hold, checked the same way wherever they are typed:
//! the API's add-user and update-user, and the admin area's forms. Each check
//! answers the value to store, or why it cannot be stored.

use super::Email;

pub const NAME_MAX: usize = 255;
pub const EMAIL_MAX: usize = 254;
pub const URL_MAX: usize = 2048;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 1024;

/// A person's name as shown: first and last, trimmed (empty when they have none).
pub fn full_name(first: &str, last: &str) -> String {
    format!("{first} {last}").trim().to_string()
}

/// A person's name where one must show: theirs, or `(no name)`.
pub fn display_name(first: &str, last: &str) -> String {
    let name = full_name(first, last);
    if name.is_empty() {
        "(no name)".to_string()
    } else {
        name
    }
}

/// A first or last name, trimmed.
pub fn name(text: &str) -> Result<String, String> {
    let name = text.trim();
    if name.chars().count() > NAME_MAX {
        return Err(format!("must be at most {NAME_MAX} characters"));
    }
    Ok(name.to_string())
}

/// `None` when there is to be no email (empty, `null` or `false`, as the contract says).
pub fn email(text: &str) -> Result<Option<Email>, String> {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("null") || text == "false" {
        return Ok(None);
    }
    Email::parse(text).map(Some).ok_or_else(|| "not an email address".to_string())
}

/// Profile images are shown in pages, so only web addresses are stored; `None` for none.
pub fn profile_image(text: &str) -> Result<Option<String>, String> {
    let text = text.trim();
    if text.is_empty() || text == "false" {
        return Ok(None);
    }
    match url::Url::parse(text) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && text.len() <= URL_MAX => {
            Ok(Some(text.to_string()))
        }
        _ => Err("expected an http or https URL".to_string()),
    }
}

/// A new password; `None` when left empty (no password, or keep the current one).
pub fn password(text: &str) -> Result<Option<String>, String> {
    let length = text.chars().count();
    if text.is_empty() {
        Ok(None)
    } else if length < PASSWORD_MIN {
        Err(format!("must be at least {PASSWORD_MIN} characters"))
    } else if length > PASSWORD_MAX {
        Err(format!("must be at most {PASSWORD_MAX} characters"))
    } else {
        Ok(Some(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_means_none_and_junk_says_why() {
        assert_eq!(email(" ").unwrap(), None);
        assert_eq!(email("NULL").unwrap(), None);
        assert_eq!(email("a@b.co").unwrap().unwrap().as_str(), "a@b.co");
        assert_eq!(email("nope").unwrap_err(), "not an email address");
        assert_eq!(profile_image("").unwrap(), None);
        assert!(profile_image("javascript:alert(1)").is_err());
        assert_eq!(profile_image(" https://x.test/a.png ").unwrap().as_deref(), Some("https://x.test/a.png"));
        assert_eq!(password("").unwrap(), None);
        assert!(password("short").unwrap_err().contains("at least 8"));
        assert_eq!(name("  Ann ").unwrap(), "Ann");
        assert!(name(&"x".repeat(256)).is_err());
    }
}
