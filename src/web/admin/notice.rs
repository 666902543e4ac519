//! The messages a page shows after a form succeeded. The redirect names one by
//! code (`?done=user-created`) and the page looks its text up here, so nothing a
//! visitor puts in an address is ever shown back.

const NOTICES: &[(&str, &str)] = &[
    ("user-created", "The user was created."),
    ("user-saved", "Your changes were saved."),
    ("user-deleted", "The user was deleted."),
    ("token-rotated", "A new API token was issued. The old one no longer works."),
    ("profile-saved", "Your profile was saved."),
    ("password-changed", "Your password was changed. Your other sessions were signed out."),
    ("session-ended", "The session was signed out."),
    ("sessions-ended", "All your other sessions were signed out."),
    ("two-factor-on", "Two-factor sign-in is on. You will be asked for a code after your password."),
    ("two-factor-off", "Two-factor sign-in is off."),
    (
        "two-factor-reset",
        "Their two-factor sign-in is off. They sign in with their password alone until they set it up again.",
    ),
    ("password-reset", "Your password was changed. Sign in with your new password."),
    ("sign-in-expired", "That sign-in took too long. Enter your password again."),
    ("saved", "Saved."),
    ("created", "Created."),
    ("deleted", "Deleted."),
    ("translation-deleted", "The translation was deleted."),
    ("test-email", "A test email is queued. Follow its delivery on the Jobs page."),
    ("test-webhook", "A test webhook is queued. Follow its delivery on the Jobs page."),
    ("ran", "The due jobs ran."),
    ("sent", "Reply sent."),
    ("note-added", "Note added."),
    ("note-deleted", "Note deleted."),
    ("empty-note", "Write something in the note first."),
    ("restored", "Conversation restored to the inbox."),
    ("archived", "Conversation archived."),
    ("trashed", "Conversation moved to the trash."),
    ("assigned", "Assignment saved."),
    ("secret-rotated", "A new identity secret was made. Signatures made with the old one no longer work."),
];

/// The text of the notice `code` names, if it names one.
pub fn text(code: Option<&str>) -> Option<&'static str> {
    let code = code?;
    NOTICES.iter().find(|(name, _)| *name == code).map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_known_codes_show_anything() {
        assert_eq!(super::text(Some("user-created")), Some("The user was created."));
        assert_eq!(super::text(Some("<script>")), None);
        assert_eq!(super::text(None), None);
    }
}
