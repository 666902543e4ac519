//! `POST /widget/visitor`: a visitor starts (a new one, with a credential) or
//! resumes (with theirs), and gets everything the widget shows at once: who they
//! are, their latest conversation, whether someone can answer, the look and the
//! texts in their language.

use super::profile::{record_page, Page};
use super::shapes::{ConversationView, MessageView, VisitorView};
use super::{admit, allowed, body, credential, origin, reply};
use crate::db::messages;
use crate::db::translations;
use crate::db::users::{self, Detail};
use crate::error::ApiResult;
use crate::i18n::{self, Section, Strings};
use crate::ops::visitors;
use crate::state::AppState;
use crate::traffic::VisitorAct;
use actix_web::{web, HttpRequest, HttpResponse};
use rusqlite::Connection;
use serde_json::{json, Value};

/// Messages of the latest conversation sent at start; older ones stay on the server.
const HISTORY: i64 = 100;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Start {
    page: Option<Page>,
    /// The browser's language, e.g. `fr-FR`.
    language: Option<String>,
    /// `options.language`: the site's choice, over the browser's.
    site_language: Option<String>,
    timezone: Option<String>,
}

pub async fn start(req: HttpRequest, state: web::Data<AppState>, bytes: web::Bytes) -> HttpResponse {
    reply(&req, started(&req, &state, &bytes).await)
}

async fn started(req: &HttpRequest, state: &AppState, bytes: &[u8]) -> ApiResult<Value> {
    let start: Start = body(bytes)?;
    let (shared, origin, sent) = (state.clone(), origin(req), credential(req));
    let resumed = state
        .read(move |conn| {
            allowed(conn, &shared, origin.as_deref())?;
            let Some(credential) = sent else { return Ok(None) };
            Ok(visitors::resume(conn, &shared, &credential)?.map(|user| (credential, user.id)))
        })
        .await?;
    let (credential, id, arrived) = match resumed {
        Some((credential, id)) => (credential, id, false),
        None => {
            admit(req, state, VisitorAct::Arrive, 0)?;
            let details = browser_details(req, &start);
            let shared = state.clone();
            let (credential, id) = state.session(move |db| Ok(visitors::create(db, &shared, details)?)).await?;
            (credential, id, true)
        }
    };
    if let Some(page) = start.page {
        record_page(state, id, page, arrived).await?;
    }
    let wanted = start.site_language.or(start.language);
    let shared = state.clone();
    state.read(move |conn| answer(conn, &shared, id, credential, wanted.as_deref())).await
}

fn answer(conn: &Connection, state: &AppState, id: i64, credential: String, wanted: Option<&str>) -> ApiResult<Value> {
    let user = users::find(conn, id)?.ok_or(crate::error::Failure::InvalidVisitor)?;
    let conversation = visitors::latest_conversation(conn, id)?;
    let history = match &conversation {
        Some(c) => messages::latest_of_conversation(conn, c.id, HISTORY)?,
        None => Vec::new(),
    };
    let settings = state.settings(conn)?;
    // Asked now, else what the visitor's browser said before (a resumed visitor).
    let remembered = match wanted {
        Some(_) => None,
        None => users::detail(conn, id, "language")?.or(users::detail(conn, id, "browser_language")?),
    };
    let (language, strings) = strings(conn, state, wanted.or(remembered.as_deref()))?;
    let widget = &settings.widget;
    Ok(json!({
        "credential": credential,
        "visitor": VisitorView::new(&user, users::details(conn, id)?),
        "conversation": conversation.as_ref().map(ConversationView::new),
        "messages": MessageView::many(conn, state, &history)?,
        "available": visitors::available(conn, state)?,
        "settings": {
            "title": settings.design.header_title,
            "message": settings.design.header_message,
            "welcome": settings.chat.welcome_message,
            "position": settings.chat.position,
            "colors": settings.design.colors,
            "brand_image": settings.design.brand_image,
            "rtl": settings.chat.rtl,
            "prechat": {
                "show": widget.prechat,
                "name": widget.prechat_name,
                "email": widget.prechat_email,
                "phone": widget.prechat_phone,
            },
            "offline_form": widget.offline_form,
        },
        "strings": strings,
        "language": language,
        "departments": settings.departments.iter().map(|d| json!({ "id": d.id.to_string(), "name": d.name })).collect::<Vec<_>>(),
    }))
}

/// The widget's texts (the `front` strings, with saved overrides) in the first
/// shipped language of: what the site or browser asks, its primary language,
/// the default language, English.
fn strings(conn: &Connection, state: &AppState, wanted: Option<&str>) -> ApiResult<(String, Strings)> {
    let default = state.settings(conn)?.default_language.clone();
    let asked = wanted.and_then(i18n::normalize_code);
    let primary = asked.as_ref().and_then(|code| code.get(..2)).map(str::to_string);
    let language = [asked, primary, Some(default), Some("en".to_string())]
        .into_iter()
        .flatten()
        .find_map(|code| i18n::find(&code))
        .unwrap_or(&i18n::languages()[0]);
    let mut strings = language.strings(Section::Front).clone();
    if let Some(saved) = translations::overrides_of(conn, language.code)?.remove(&Section::Front) {
        strings.extend(saved);
    }
    Ok((language.code.to_string(), strings))
}

/// What the browser tells about itself, for the reports and automations: its
/// name, system and language, and the visitor's time zone.
fn browser_details(req: &HttpRequest, start: &Start) -> Vec<Detail> {
    let agent =
        req.headers().get(actix_web::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let detail = |slug: &str, name: &str, value: String| Detail { slug: slug.into(), name: name.into(), value };
    let mut details =
        vec![detail("browser", "Browser", browser_of(agent).into()), detail("os", "OS", os_of(agent).into())];
    if let Some(language) = start.language.as_deref().and_then(i18n::normalize_code) {
        details.push(detail("browser_language", "Browser language", language));
    }
    if let Some(zone) = start.timezone.as_deref().filter(|z| crate::domain::days::parse_timezone(z).is_some()) {
        details.push(detail("timezone", "Time zone", zone.to_string()));
    }
    details
}

fn browser_of(agent: &str) -> &'static str {
    [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]
        .into_iter()
        .find(|(token, _)| agent.contains(token))
        .map_or("Other", |(_, name)| name)
}

fn os_of(agent: &str) -> &'static str {
    [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(token, _)| agent.contains(token))
    .map_or("Other", |(_, name)| name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn browsers_and_systems_are_named_from_the_user_agent() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        assert_eq!((super::browser_of(chrome), super::os_of(chrome)), ("Chrome", "Linux"));
        let iphone =
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/604.1";
        assert_eq!((super::browser_of(iphone), super::os_of(iphone)), ("Safari", "iOS"));
        assert_eq!(super::browser_of("curl/8"), "Other");
    }
}
