//! Creating and editing a person from the users pages. Fields are checked by the
//! same rules as the API's add-user and update-user ([`crate::domain::people`]),
//! written through [`accounts::add`] and [`accounts::update`] so the same webhooks
//! fire, and the role rules of [`super::users::may_manage`] are checked again on
//! every post, whatever the form offered.

use super::form::Form;
use super::guard::Posted;
use super::users::may_manage;
use super::{render, see_other, Frame, PageError};
use crate::db::sessions;
use crate::db::users::{self, UserChanges, UserRow};
use crate::domain::people::full_name;
use crate::domain::{people, Email, UserType};
use crate::error::{ApiError, ApiResult, Outcome};
use crate::ops::users::{self as accounts, Account};
use crate::state::AppState;
use crate::web::session::Admin;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use rusqlite::Connection;

/// The departments set up in the settings, as `(id, name)`.
pub(super) fn departments(conn: &Connection, state: &AppState) -> ApiResult<Vec<(i64, String)>> {
    let settings = state.settings(conn)?;
    Ok(settings
        .departments
        .iter()
        .map(|d| (d.id, if d.name.is_empty() { format!("#{}", d.id) } else { d.name.clone() }))
        .collect())
}

#[derive(serde::Deserialize, Default)]
pub struct UserFields {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    user_type: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    profile_image: String,
    #[serde(default)]
    department: String,
}

/// What is wrong with each field, when something is.
#[derive(Default)]
struct Errors {
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    user_type: Option<String>,
    password: Option<String>,
    profile_image: Option<String>,
    department: Option<String>,
}

impl Errors {
    fn any(&self) -> bool {
        [
            &self.first_name,
            &self.last_name,
            &self.email,
            &self.user_type,
            &self.password,
            &self.profile_image,
            &self.department,
        ]
        .into_iter()
        .any(Option::is_some)
    }
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "admin/users/form.html")]
struct FormPage {
    frame: Frame,
    action: String,
    cancel: String,
    is_new: bool,
    fields: UserFields,
    types: Vec<Choice>,
    departments: Vec<Choice>,
    errors: Errors,
}

/// A form that checked out, ready to store.
struct Valid {
    first_name: String,
    last_name: String,
    email: Option<Email>,
    user_type: UserType,
    password: Option<String>,
    profile_image: Option<String>,
    department: Option<i64>,
}

/// The value of a field check, or `None` with its message in `slot`.
fn check<T>(result: Result<T, String>, slot: &mut Option<String>) -> Option<T> {
    result.map_err(|why| *slot = Some(why)).ok()
}

/// Checks `fields`; `editing` is the person as stored when changing one, and
/// `actor` the signed-in person, who may not change their own type.
fn validate(
    fields: &UserFields,
    known: &[(i64, String)],
    editing: Option<&UserRow>,
    actor: i64,
) -> Result<Valid, Box<Errors>> {
    let mut errors = Errors::default();
    let first_name = check(people::name(&fields.first_name), &mut errors.first_name);
    let last_name = check(people::name(&fields.last_name), &mut errors.last_name);
    let email = check(people::email(&fields.email), &mut errors.email);
    let password = check(people::password(&fields.password), &mut errors.password);
    let profile_image = check(people::profile_image(&fields.profile_image), &mut errors.profile_image);
    let user_type = UserType::parse_assignable(&fields.user_type);
    if user_type.is_none() {
        errors.user_type = Some("choose a type".into());
    }
    let department = match fields.department.trim() {
        "" => Some(None),
        text => text
            .parse::<i64>()
            .ok()
            .filter(|id| known.iter().any(|(k, _)| k == id) || editing.is_some_and(|u| u.department == Some(*id)))
            .map(Some),
    };
    if department.is_none() {
        errors.department = Some("choose one of the departments".into());
    }
    if let (Some(t), Some(None)) = (user_type, &email) {
        if t.is_agent() {
            errors.email = Some("agents and admins sign in with their email: enter one".into());
        }
    }
    if let (Some(user), Some(t)) = (editing, user_type) {
        if user.id == actor && t != user.user_type {
            errors.user_type = Some("you cannot change your own type; another admin can".into());
        }
    }
    match (first_name, last_name, email, user_type, password, profile_image, department) {
        (Some(first_name), Some(last_name), Some(email), Some(user_type), Some(password), Some(image), Some(dept))
            if !errors.any() =>
        {
            Ok(Valid { first_name, last_name, email, user_type, password, profile_image: image, department: dept })
        }
        _ => Err(Box::new(errors)),
    }
}

/// The form page, for a new person (`editing` is `None`) or to change one.
fn form_page(
    state: &AppState,
    admin: &Admin,
    editing: Option<&UserRow>,
    fields: UserFields,
    known: &[(i64, String)],
    errors: Errors,
) -> Result<HttpResponse, PageError> {
    let base = &state.config.base_path;
    let types = [UserType::Visitor, UserType::Lead, UserType::User, UserType::Agent, UserType::Admin]
        .into_iter()
        .filter(|t| may_manage(admin, *t))
        .map(|t| Choice { value: t.as_str().into(), label: t.label().into(), selected: fields.user_type == t.as_str() })
        .collect();
    let mut departments: Vec<Choice> = known
        .iter()
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: name.clone(),
            selected: fields.department == id.to_string(),
        })
        .collect();
    if let Some(current) = editing.and_then(|u| u.department).filter(|d| !known.iter().any(|(k, _)| k == d)) {
        let selected = fields.department == current.to_string();
        departments.push(Choice { value: current.to_string(), label: format!("#{current}"), selected });
    }
    let (title, action, cancel) = match editing {
        Some(user) => (
            format!("Edit {}", full_name(&user.first_name, &user.last_name)),
            format!("{base}/admin/users/{}/edit", user.id),
            format!("{base}/admin/users/{}", user.id),
        ),
        None => ("New user".to_string(), format!("{base}/admin/users"), format!("{base}/admin/users")),
    };
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut response = render(&FormPage {
        frame: Frame::new(state, admin, "users", &title),
        action,
        cancel,
        is_new: editing.is_none(),
        fields: UserFields { password: String::new(), ..fields },
        types,
        departments,
        errors,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn new_user_page(admin: Admin, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let shared = state.get_ref().clone();
    let known = state.read(move |conn| departments(conn, &shared)).await?;
    let fields = UserFields { user_type: UserType::User.as_str().into(), ..UserFields::default() };
    form_page(&state, &admin, None, fields, &known, Errors::default())
}

enum Saved {
    Done(i64),
    Duplicate,
    /// The person became someone the signed-in one may not manage while the form was open.
    Refused,
}

/// `duplicate-email` becomes a message on the form; anything else fails the page.
fn duplicate_as_saved(result: ApiResult<i64>) -> ApiResult<Saved> {
    match result {
        Ok(id) => Ok(Saved::Done(id)),
        Err(ApiError::Outcome(Outcome::DuplicateEmail)) => Ok(Saved::Duplicate),
        Err(ApiError::Outcome(Outcome::InvalidUserType)) => Ok(Saved::Refused),
        Err(err) => Err(err),
    }
}

pub async fn user_create(
    state: web::Data<AppState>,
    Posted { admin, form: Form(fields) }: Posted<Form<UserFields>>,
) -> Result<HttpResponse, PageError> {
    let shared = state.get_ref().clone();
    let known = state.read(move |conn| departments(conn, &shared)).await?;
    let valid = match validate(&fields, &known, None, admin.user.id) {
        Ok(valid) => valid,
        Err(errors) => return form_page(&state, &admin, None, fields, &known, *errors),
    };
    if !may_manage(&admin, valid.user_type) {
        return Err(PageError::Forbidden);
    }
    let mut account = Account::new(valid.user_type);
    account.first_name = valid.first_name;
    account.last_name = valid.last_name;
    account.email = valid.email;
    account.profile_image = valid.profile_image;
    account.department = valid.department;
    account.password_hash = match valid.password {
        Some(password) => Some(state.hash_password(&password).await?),
        None => None,
    };
    let (shared, now, actor) = (state.get_ref().clone(), state.clock.now_text(), admin.actor());
    let saved =
        duplicate_as_saved(state.write(move |tx| Ok(accounts::add(tx, &shared, &now, account, &actor)?)).await)?;
    match saved {
        Saved::Done(id) => {
            state.background.wake();
            Ok(see_other(format!("{}/admin/users/{id}?done=user-created", state.config.base_path)))
        }
        Saved::Duplicate => {
            let errors = Errors { email: Some("someone else already has this email".into()), ..Errors::default() };
            form_page(&state, &admin, None, fields, &known, errors)
        }
        Saved::Refused => Err(PageError::Forbidden),
    }
}

/// The person to edit, with the departments, when `admin` may manage them.
async fn editable(state: &AppState, admin: &Admin, id: i64) -> Result<(UserRow, Vec<(i64, String)>), PageError> {
    let shared = state.clone();
    let found = state.read(move |conn| Ok((users::find(conn, id)?, departments(conn, &shared)?))).await?;
    let (Some(user), known) = found else { return Err(PageError::NotFound) };
    if !may_manage(admin, user.user_type) {
        return Err(PageError::Forbidden);
    }
    Ok((user, known))
}

pub async fn edit_user_page(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let (user, known) = editable(&state, &admin, path.into_inner()).await?;
    let fields = UserFields {
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        email: user.email.clone().unwrap_or_default(),
        user_type: user.user_type.as_str().into(),
        profile_image: user.profile_image.clone().unwrap_or_default(),
        department: user.department.map(|d| d.to_string()).unwrap_or_default(),
        ..UserFields::default()
    };
    form_page(&state, &admin, Some(&user), fields, &known, Errors::default())
}

pub async fn user_save(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    Posted { admin, form: Form(fields) }: Posted<Form<UserFields>>,
) -> Result<HttpResponse, PageError> {
    let (user, known) = editable(&state, &admin, path.into_inner()).await?;
    let valid = match validate(&fields, &known, Some(&user), admin.user.id) {
        Ok(valid) => valid,
        Err(errors) => return form_page(&state, &admin, Some(&user), fields, &known, *errors),
    };
    if !may_manage(&admin, valid.user_type) {
        return Err(PageError::Forbidden);
    }
    let (shared, id, keep, was) = (state.get_ref().clone(), user.id, admin.session.clone(), user.user_type);
    let actor = admin.actor();
    let password_hash = match valid.password {
        Some(password) => Some(state.hash_password(&password).await?),
        None => None,
    };
    let changes = UserChanges {
        first_name: Some(valid.first_name),
        last_name: Some(valid.last_name),
        email: Some(valid.email.map(Email::into_string)),
        profile_image: Some(valid.profile_image),
        user_type: Some(valid.user_type),
        password_hash,
        department: Some(valid.department),
    };
    let saved = duplicate_as_saved(
        state
            .write(move |tx| {
                // Checked again in the transaction: the type may have changed since the page was read.
                if users::find(tx, id)?.map(|u| u.user_type) != Some(was) {
                    return Err(Outcome::InvalidUserType.into());
                }
                accounts::update(tx, &shared, id, &changes, &[], Some(&actor))?;
                if changes.password_hash.is_some() {
                    // A new password ends the person's sessions (but not the one saving it).
                    sessions::revoke_all_except(tx, id, &keep)?;
                }
                Ok(id)
            })
            .await,
    )?;
    match saved {
        Saved::Done(id) => {
            state.background.wake();
            Ok(see_other(format!("{}/admin/users/{id}?done=user-saved", state.config.base_path)))
        }
        Saved::Duplicate => {
            let errors = Errors { email: Some("someone else already has this email".into()), ..Errors::default() };
            form_page(&state, &admin, Some(&user), fields, &known, errors)
        }
        Saved::Refused => Err(PageError::Forbidden),
    }
}
