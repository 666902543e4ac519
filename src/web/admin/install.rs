//! "Install the widget" at `/admin/widget` (agents and admins): the line a site
//! pastes to embed the chat widget, with a live preview (the page embeds the
//! widget itself), and for admins the identity-verification secret that lets a
//! site prove who its visitor is, with a way to replace it.

use super::confirm::ConfirmPage;
use super::form::{Done, Fields};
use super::guard::AdminPost;
use super::{render, see_other, Frame, PageError};
use crate::ops::visitors;
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::{web, HttpResponse};
use askama::Template;

const OPTIONS_EXAMPLE: &str = r#"<script>
window.SWITCHBOARD_CONFIG = {
  options: { position: "left", language: "fr", department: "2" },
  onload: function () { Switchboard.on("start:chat", function () { /* … */ }); }
};
</script>"#;

const PHP_EXAMPLE: &str = r#"<?php $hash = hash_hmac('sha256', $user->email, getenv('SWITCHBOARD_IDENTITY_SECRET')); ?>
<script>
window.SWITCHBOARD_CONFIG = { onload: function () {
  Switchboard.setVisitorInfo({ name: <?= json_encode($user->name) ?>,
    email: <?= json_encode($user->email) ?>, identity_hash: "<?= $hash ?>" });
} };
</script>"#;

const NODE_EXAMPLE: &str = r#"const crypto = require("node:crypto");
const hash = crypto.createHmac("sha256", process.env.SWITCHBOARD_IDENTITY_SECRET)
  .update(user.email).digest("hex");
// In the page: Switchboard.setVisitorInfo({ name: user.name, email: user.email, identity_hash: hash })"#;

#[derive(Template)]
#[template(path = "admin/install.html")]
struct InstallPage {
    frame: Frame,
    notice: Option<&'static str>,
    /// The line to paste, with this server's public address.
    snippet: String,
    options_example: &'static str,
    /// Only admins see it.
    secret: Option<String>,
    php_example: &'static str,
    node_example: &'static str,
}

pub async fn install_page(
    admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let secret = match admin.is_admin() {
        true => {
            let shared = state.get_ref().clone();
            Some(state.read(move |conn| Ok(visitors::identity_secret(conn, &shared)?)).await?)
        }
        false => None,
    };
    render(&InstallPage {
        frame: Frame::new(&state, &admin, "widget", "Install the widget"),
        notice: super::notice::text(query.done.as_deref()),
        snippet: format!("<script src=\"{}/widget.js\" async></script>", state.config.public_base()),
        options_example: OPTIONS_EXAMPLE,
        secret,
        php_example: PHP_EXAMPLE,
        node_example: NODE_EXAMPLE,
    })
}

/// The confirmation step before replacing the identity secret.
pub async fn rotate_page(admin: Admin, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    admin.require_admin()?;
    let base = &state.config.base_path;
    render(&ConfirmPage {
        frame: Frame::new(&state, &admin, "widget", "Make a new identity secret"),
        question: "Make a new identity-verification secret?".into(),
        explanation:
            "The current secret stops proving anything at once: sites that sign their visitors with it must be \
                      given the new one, or their signed-in visitors will not see their earlier conversations."
                .into(),
        action: format!("{base}/admin/widget/secret"),
        fields: Vec::new(),
        button: "Make a new secret",
        cancel: format!("{base}/admin/widget"),
    })
}

pub async fn rotate(state: web::Data<AppState>, posted: AdminPost<Fields>) -> Result<HttpResponse, PageError> {
    let (now, actor) = (state.clock.now_text(), posted.admin.actor());
    state.write(move |tx| Ok(visitors::rotate_identity_secret(tx, &now, &actor)?)).await?;
    Ok(see_other(format!("{}/admin/widget?done=secret-rotated", state.config.base_path)))
}
