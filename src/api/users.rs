//! Users: reading, listing, creating, changing and deleting people.

use super::user_args::{details_arg, email_arg, image_arg, password_arg};
use super::Call;
use crate::contract::user_json;
use crate::db::users::{self, Detail, UserChanges, UserQuery, UserRow, UserScope};
use crate::db::{search, sessions};
use crate::domain::people::NAME_MAX;
use crate::domain::{page_offset, After, Email, UserSort, UserType};
use crate::error::{ApiResult, Failure, Outcome};
use crate::ops::users::{self as accounts, Account};
use serde_json::{json, Map, Value};

fn details_json(details: &[Detail]) -> Value {
    details.iter().map(|d| json!({ "slug": d.slug, "name": d.name, "value": d.value })).collect()
}

/// A user with `password` (always empty: hashes never leave the server) and details.
fn full_user_json(call: &Call, user: &UserRow) -> ApiResult<Value> {
    let mut value = user_json(call.state, user);
    value["password"] = json!("");
    value["details"] = details_json(&users::details(call.db.conn()?, user.id)?);
    Ok(value)
}

pub fn get_user(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("user_id")?;
    let extra = call.args.bool_or("extra", false)?;
    let Some(user) = users::find(call.db.conn()?, id)? else { return Ok(json!(false)) };
    if extra {
        return full_user_json(call, &user);
    }
    let mut value = user_json(call.state, &user);
    value["password"] = json!("");
    Ok(value)
}

pub fn get_user_extra(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("user_id")?;
    let slug = call.args.text_max("slug", NAME_MAX)?.filter(|s| !s.is_empty() && s != "false");
    if !users::exists(call.db.conn()?, id)? {
        return Ok(json!([]));
    }
    match slug {
        Some(slug) => Ok(match users::detail(call.db.conn()?, id, &slug)? {
            Some(value) => json!(value),
            None => call.args.raw("default").cloned().unwrap_or(json!(false)),
        }),
        None => Ok(details_json(&users::details(call.db.conn()?, id)?)),
    }
}

pub fn get_user_language(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("user_id")?;
    let language = match users::detail(call.db.conn()?, id, "language")? {
        Some(language) => Some(language),
        None => users::detail(call.db.conn()?, id, "browser_language")?,
    };
    Ok(match language.map(|l| l.trim().to_ascii_lowercase()) {
        Some(code) if !code.is_empty() && code != "en" => json!(code),
        _ => json!(false),
    })
}

pub fn get_users(call: &mut Call) -> ApiResult<Value> {
    let (sort, descending) = sorting(call)?;
    let types = match call.args.text_list("user_types", 8)? {
        Some(names) => names
            .iter()
            .map(|name| {
                UserType::parse_assignable(name)
                    .ok_or_else(|| Failure::invalid("user_types", format!("unknown user type '{name}'")))
            })
            .collect::<Result<Vec<_>, _>>()?,
        None => vec![],
    };
    let search = match call.args.text_max("search", NAME_MAX)?.filter(|s| !s.trim().is_empty()) {
        Some(text) => match search::user_match(&text) {
            Some(expr) => Some(expr),
            None => return Ok(json!([])),
        },
        None => None,
    };
    let query = UserQuery {
        types,
        ids: match user_scope(call)? {
            UserScope::Ids(ids) => Some(ids),
            _ => None,
        },
        search,
        sort,
        descending,
        offset: page_offset(call.args.int("pagination")?.unwrap_or(0)),
    };
    let rows = users::list(call.db.conn()?, &query)?;
    users_with_extra(call, rows)
}

/// `["column", "ASC|DESC"]`, in any spelling; default newest first.
fn sorting(call: &Call) -> ApiResult<(UserSort, bool)> {
    let Some(parts) = call.args.text_list("sorting", 2)? else { return Ok((UserSort::CreationTime, true)) };
    let column = parts.first().map(String::as_str).unwrap_or("creation_time");
    let sort =
        UserSort::parse(column).ok_or_else(|| Failure::invalid("sorting", format!("cannot sort by '{column}'")))?;
    let descending = match parts.get(1).map(|o| o.trim().to_ascii_uppercase()) {
        None => true,
        Some(order) if order == "DESC" => true,
        Some(order) if order == "ASC" => false,
        Some(_) => return Err(Failure::invalid("sorting", "order must be ASC or DESC").into()),
    };
    Ok((sort, descending))
}

/// Adds `details` to each user when `extra` asks: `true` for all, or a list of slugs.
fn users_with_extra(call: &Call, rows: Vec<UserRow>) -> ApiResult<Value> {
    let slugs: Option<Vec<String>> = match call.args.raw("extra") {
        None => None,
        Some(_) => match call.args.bool_or("extra", false) {
            Ok(true) => Some(vec![]),
            Ok(false) => None,
            Err(_) => call.args.text_list("extra", 100)?,
        },
    };
    let mut list = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut value = user_json(call.state, row);
        if let Some(slugs) = &slugs {
            let details: Vec<Detail> = users::details(call.db.conn()?, row.id)?
                .into_iter()
                .filter(|d| slugs.is_empty() || slugs.contains(&d.slug))
                .collect();
            value["details"] = details_json(&details);
        }
        list.push(value);
    }
    Ok(Value::Array(list))
}

pub fn get_new_users(call: &mut Call) -> ApiResult<Value> {
    let after = required_after(call)?;
    let rows = users::list_created_after(call.db.conn()?, &after)?;
    Ok(rows.iter().map(|row| user_json(call.state, row)).collect())
}

pub(super) fn required_after(call: &Call) -> ApiResult<After> {
    let text = call.args.required_text("datetime", 64)?;
    Ok(After::parse(&text).ok_or_else(|| Failure::invalid("datetime", "expected an ID or YYYY-MM-DD HH:MM:SS"))?)
}

pub fn get_users_with_details(call: &mut Call) -> ApiResult<Value> {
    let slugs = call.args.text_list("details", 100)?.ok_or(Failure::MissingArgument("details"))?;
    let scope = user_scope(call)?;
    let mut result = Map::new();
    for slug in slugs {
        let values = users::values_of_detail(call.db.conn()?, &slug, &scope)?;
        result.insert(slug, values.into_iter().map(|(id, value)| json!({ "id": id, "value": value })).collect());
    }
    Ok(Value::Object(result))
}

/// `user_ids`: a list of IDs, or `all` / `false` (everyone), or `agents`.
fn user_scope(call: &Call) -> ApiResult<UserScope> {
    Ok(match call.args.raw("user_ids") {
        None | Some(Value::Bool(false)) => UserScope::All,
        Some(Value::String(s)) if matches!(s.trim(), "" | "all" | "false" | "0") => UserScope::All,
        Some(Value::String(s)) if s.trim() == "agents" => UserScope::Agents,
        Some(_) => UserScope::Ids(call.args.id_list("user_ids")?.unwrap_or_default()),
    })
}

pub fn get_agent(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("agent_id")?;
    match users::find(call.db.conn()?, id)? {
        Some(user) if user.user_type.is_agent() => full_user_json(call, &user),
        _ => Ok(json!(false)),
    }
}

pub fn get_agents_ids(call: &mut Call) -> ApiResult<Value> {
    let admins = call.args.bool_or("admins", true)?;
    Ok(json!(users::agent_ids(call.db.conn()?, admins)?))
}

pub fn search_users(call: &mut Call) -> ApiResult<Value> {
    let text = call.args.required_text("search", NAME_MAX)?;
    let Some(expr) = search::user_match(&text) else { return Ok(json!([])) };
    let query = UserQuery {
        types: vec![],
        ids: None,
        search: Some(expr),
        // Newest first, as the contract's example lists them.
        sort: UserSort::Id,
        descending: true,
        offset: page_offset(call.args.int("pagination")?.unwrap_or(0)),
    };
    let rows = users::list(call.db.conn()?, &query)?;
    Ok(rows.iter().map(|row| user_json(call.state, row)).collect())
}

pub fn add_user(call: &mut Call) -> ApiResult<Value> {
    let user_type = match call.args.text("user_type")?.filter(|t| !t.trim().is_empty()) {
        Some(name) => UserType::parse_assignable(&name).ok_or(Outcome::InvalidUserType)?,
        None if call.args.has("email") => UserType::User,
        None => UserType::Visitor,
    };
    let mut account = Account::new(user_type);
    account.first_name = call.args.text_max("first_name", NAME_MAX)?.unwrap_or_default().trim().to_string();
    account.last_name = call.args.text_max("last_name", NAME_MAX)?.unwrap_or_default().trim().to_string();
    account.email = email_arg(call)?.flatten();
    account.profile_image = image_arg(call)?.flatten();
    account.department = call.args.nullable_id("department")?.flatten();
    account.details = details_arg(call)?;
    account.password_hash = match password_arg(call)? {
        Some(password) => Some(call.hash_password(&password)?),
        None => None,
    };
    let (now, state, actor) = (call.now(), call.state.clone(), call.actor());
    let id = call.write(move |tx| Ok(accounts::add(tx, &state, &now, account, &actor)?))?;
    call.state.background.wake();
    Ok(json!(id))
}

pub fn update_user(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("user_id")?;
    let user_type = match call.args.text("user_type")?.filter(|t| !t.trim().is_empty()) {
        Some(name) => Some(UserType::parse_assignable(&name).ok_or(Outcome::InvalidUserType)?),
        None => None,
    };
    let mut changes = UserChanges {
        first_name: call.args.text_max("first_name", NAME_MAX)?.map(|s| s.trim().to_string()),
        last_name: call.args.text_max("last_name", NAME_MAX)?.map(|s| s.trim().to_string()),
        email: email_arg(call)?.map(|e| e.map(Email::into_string)),
        profile_image: image_arg(call)?,
        user_type,
        password_hash: None,
        department: call.args.nullable_id("department")?,
    };
    let (details, state, actor) = (details_arg(call)?, call.state.clone(), call.actor());
    if let Some(password) = password_arg(call)? {
        changes.password_hash = Some(call.hash_password(&password)?);
    }
    call.write(move |tx| {
        accounts::update(tx, &state, id, &changes, &details, Some(&actor))?;
        if changes.password_hash.is_some() {
            // A new password ends every session of that person, as the admin pages do.
            sessions::revoke_all_of(tx, id)?;
        }
        Ok(())
    })?;
    call.state.background.wake();
    Ok(json!(true))
}

pub fn delete_user(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("user_id")?;
    let (state, actor) = (call.state.clone(), call.actor());
    let deleted = call.write(move |tx| Ok(accounts::delete(tx, &state, id, &actor)?))?;
    call.state.background.wake();
    if deleted {
        Ok(json!(true))
    } else {
        Err(Outcome::UserNotFound.into())
    }
}

pub fn delete_users(call: &mut Call) -> ApiResult<Value> {
    let ids = call.args.id_list("user_ids")?.ok_or(Failure::MissingArgument("user_ids"))?;
    let (state, actor) = (call.state.clone(), call.actor());
    call.write(move |tx| Ok(accounts::delete_many(tx, &state, &ids, &actor)?))?;
    call.state.background.wake();
    Ok(json!(true))
}

pub fn delete_leads(call: &mut Call) -> ApiResult<Value> {
    let (state, actor) = (call.state.clone(), call.actor());
    call.write(move |tx| Ok(accounts::delete_leads(tx, &state, &actor)?))?;
    call.state.background.wake();
    Ok(json!(true))
}

pub fn count_users(call: &mut Call) -> ApiResult<Value> {
    let counts = users::count_by_type(call.db.conn()?)?;
    let mut result = Map::new();
    let mut all = 0;
    for user_type in UserType::ALL.into_iter().filter(|t| *t != UserType::Bot) {
        let count = counts.iter().find(|(t, _)| *t == user_type).map_or(0, |(_, c)| *c);
        all += count;
        result.insert(user_type.as_str().to_string(), json!(count.to_string()));
    }
    result.insert("all".to_string(), json!(all.to_string()));
    Ok(Value::Object(result))
}

pub fn update_user_to_lead(call: &mut Call) -> ApiResult<Value> {
    let id = call.args.required_id("user_id")?;
    let (now, actor) = (call.now(), call.actor());
    if call.write(move |tx| Ok(accounts::make_lead(tx, &now, id, &actor)?))? {
        Ok(json!(true))
    } else {
        Err(Outcome::UserNotFound.into())
    }
}

/// The bot user, created the first time anyone asks for it.
pub fn get_bot_id(call: &mut Call) -> ApiResult<Value> {
    let (key, now) = (call.state.key.clone(), call.now());
    let id = call.write(move |tx| Ok(accounts::bot(tx, &key, &now)?))?;
    Ok(json!(id))
}
