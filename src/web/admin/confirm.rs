//! The one confirmation page: a question, what saying yes does, and a form that
//! does it (with the session's CSRF token), or a way back. Deleting, trashing and
//! other steps that cannot be undone go through it, so confirming needs no
//! JavaScript.

use super::Frame;
use askama::Template;

#[derive(Template)]
#[template(path = "admin/confirm.html")]
pub struct ConfirmPage {
    pub frame: Frame,
    pub question: String,
    pub explanation: String,
    /// Where the form posts when confirmed.
    pub action: String,
    /// Hidden fields the form carries besides the CSRF token.
    pub fields: Vec<(&'static str, String)>,
    pub button: &'static str,
    pub cancel: String,
}
