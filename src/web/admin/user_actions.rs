//! The users pages' actions that cannot be taken back: deleting a person,
//! issuing a new API token, and (for someone who lost their phone) turning off
//! their two-factor sign-in. Each is a page that says what will happen and a
//! button that posts (so they work without JavaScript), and each is checked on
//! the server again when posted.

use super::confirm::ConfirmPage;
use super::form::Form;
use super::guard::Posted;
use super::users::may_manage;
use super::{render, see_other, Frame, PageError};
use crate::db::two_factor;
use crate::db::users::{self, UserRow};
use crate::domain::people::full_name;
use crate::domain::UserType;
use crate::error::Outcome;
use crate::ops::users as accounts;
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::{web, HttpResponse};

#[derive(serde::Deserialize)]
pub struct ConfirmForm {}

async fn find(state: &AppState, id: i64) -> Result<UserRow, PageError> {
    state.read(move |conn| Ok(users::find(conn, id)?)).await?.ok_or(PageError::NotFound)
}

/// Whether `admin` may delete `user`: someone they manage, and never themselves.
fn may_delete(admin: &Admin, user: &UserRow) -> bool {
    may_manage(admin, user.user_type) && user.id != admin.user.id
}

pub async fn delete_user_page(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let user = find(&state, path.into_inner()).await?;
    if !may_delete(&admin, &user) {
        return Err(PageError::Forbidden);
    }
    let base = &state.config.base_path;
    render(&ConfirmPage {
        frame: Frame::new(&state, &admin, "users", "Delete user"),
        question: format!("Delete {}?", shown_name(&user)),
        explanation: "Their conversations, messages and details are deleted with them. This cannot be undone.".into(),
        action: format!("{base}/admin/users/{}/delete", user.id),
        fields: Vec::new(),
        button: "Delete for good",
        cancel: format!("{base}/admin/users/{}", user.id),
    })
}

pub async fn user_delete(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    Posted { admin, form: Form(_form) }: Posted<Form<ConfirmForm>>,
) -> Result<HttpResponse, PageError> {
    let user = find(&state, path.into_inner()).await?;
    if !may_delete(&admin, &user) {
        return Err(PageError::Forbidden);
    }
    let (shared, id, was, actor) = (state.get_ref().clone(), user.id, user.user_type, admin.actor());
    let deleted = state
        .write(move |tx| {
            // Checked again in the transaction: the type may have changed since it was read.
            if users::find(tx, id)?.map(|u| u.user_type) != Some(was) {
                return Ok(false);
            }
            Ok(accounts::delete(tx, &shared, id, &actor)?)
        })
        .await?;
    if !deleted {
        return Err(PageError::NotFound);
    }
    state.background.wake();
    Ok(see_other(format!("{}/admin/users?done=user-deleted", state.config.base_path)))
}

/// Only admins see tokens, so only admins rotate them; the bot has none worth rotating.
/// The person's name on a confirmation page, or their number when they have none.
fn shown_name(user: &UserRow) -> String {
    let name = full_name(&user.first_name, &user.last_name);
    if name.is_empty() {
        format!("user #{}", user.id)
    } else {
        name
    }
}

fn may_rotate(admin: &Admin, user: &UserRow) -> Result<(), PageError> {
    admin.require_admin()?;
    if user.user_type == UserType::Bot {
        return Err(PageError::Forbidden);
    }
    Ok(())
}

pub async fn rotate_token_page(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let user = find(&state, path.into_inner()).await?;
    may_rotate(&admin, &user)?;
    let base = &state.config.base_path;
    render(&ConfirmPage {
        frame: Frame::new(&state, &admin, "users", "Issue a new API token"),
        question: format!("Issue a new API token for {}?", shown_name(&user)),
        explanation: "The current token stops working at once: anything that uses it must be given the new one.".into(),
        action: format!("{base}/admin/users/{}/token", user.id),
        fields: Vec::new(),
        button: "Issue a new token",
        cancel: format!("{base}/admin/users/{}", user.id),
    })
}

pub async fn token_rotate(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    Posted { admin, form: Form(_form) }: Posted<Form<ConfirmForm>>,
) -> Result<HttpResponse, PageError> {
    let user = find(&state, path.into_inner()).await?;
    may_rotate(&admin, &user)?;
    let (key, id, keep) = (state.key.clone(), user.id, admin.session.clone());
    let (now, actor) = (state.clock.now_text(), admin.actor());
    let rotated = state.write(move |tx| Ok(accounts::rotate_token(tx, &key, id, Some(&keep), (&now, &actor))?)).await;
    match rotated {
        Ok(_) => Ok(see_other(format!("{}/admin/users/{id}?done=token-rotated", state.config.base_path))),
        Err(crate::error::ApiError::Outcome(Outcome::UserNotFound)) => Err(PageError::NotFound),
        Err(err) => Err(err.into()),
    }
}

/// Admins turn off someone else's two-factor sign-in; their own goes through the
/// profile, which asks for their password.
fn may_reset_two_factor(admin: &Admin, user: &UserRow) -> Result<(), PageError> {
    admin.require_admin()?;
    if user.id == admin.user.id {
        return Err(PageError::Forbidden);
    }
    Ok(())
}

pub async fn two_factor_off_page(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let user = find(&state, path.into_inner()).await?;
    may_reset_two_factor(&admin, &user)?;
    let base = &state.config.base_path;
    render(&ConfirmPage {
        frame: Frame::new(&state, &admin, "users", "Turn off two-factor sign-in"),
        question: format!("Turn off two-factor sign-in for {}?", shown_name(&user)),
        explanation: "They will sign in with their password alone until they set it up again. Do this only when you \
                      know it is them, for example when they lost their phone."
            .into(),
        action: format!("{base}/admin/users/{}/two-factor", user.id),
        fields: Vec::new(),
        button: "Turn it off",
        cancel: format!("{base}/admin/users/{}", user.id),
    })
}

pub async fn two_factor_off(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    Posted { admin, form: Form(_form) }: Posted<Form<ConfirmForm>>,
) -> Result<HttpResponse, PageError> {
    let user = find(&state, path.into_inner()).await?;
    may_reset_two_factor(&admin, &user)?;
    let (id, actor, now) = (user.id, admin.actor(), state.clock.now_text());
    state
        .write(move |tx| {
            two_factor::remove(tx, id)?;
            Ok(crate::ops::audit::two_factor(tx, &now, &actor, id, false)?)
        })
        .await?;
    Ok(see_other(format!("{}/admin/users/{id}?done=two-factor-reset", state.config.base_path)))
}
