use crate::support::TestApp;
use serde_json::json;

fn seed(app: &TestApp) {
    app.ok("save-settings", json!({ "settings": { "help-center-title": "Acme <Help>" } }));
    app.ok("save-articles-categories", json!({ "categories": [{ "id": "ship", "title": "Shipping & <Returns>" }] }));
    app.ok(
        "save-articles",
        json!({
            "articles": json!([{ "id": "A1", "title": "Where is my <parcel>?", "content": "<p>Track it <img src=x onerror=alert(1)>now.</p>", "categories": ["ship"] }]).to_string(),
            "translations": json!({ "es": [{ "id": "A1", "title": "¿Dónde está mi paquete?", "content": "<p>Síguelo ahora.</p>" }] }).to_string(),
        }),
    );
}

fn get(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.client.get(format!("{}{path}", app.base)).send().unwrap();
    (response.status().as_u16(), response.text().unwrap())
}

#[test]
fn the_help_center_home_lists_categories_and_escapes_what_admins_typed() {
    let app = TestApp::spawn();
    seed(&app);
    let (status, html) = get(&app, "/help");
    assert_eq!(status, 200);
    assert!(html.contains("<title>Acme &#60;Help&#62;</title>"), "{html}");
    assert!(html.contains("Shipping &#38; &#60;Returns&#62;"));
    assert!(html.contains("href=\"/help/shipping-returns\""), "{html}");
    assert!(html.contains("name=\"viewport\""));
    let switcher = "<nav class=\"languages\" aria-label=\"Language\">\
        <a href=\"/help\" hreflang=\"en\" aria-current=\"true\">en</a> \
        <a href=\"/help?lang=es\" hreflang=\"es\">es</a> </nav>";
    assert!(html.contains(switcher), "the default language, current, and a link to the Spanish articles: {html}");
}

#[test]
fn article_pages_show_sanitised_content_a_description_and_a_rating_form() {
    let app = TestApp::spawn();
    seed(&app);
    let (status, html) = get(&app, "/help/shipping-returns/where-is-my-parcel");
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<h1>Where is my &#60;parcel&#62;?</h1>"), "{html}");
    assert!(html.contains("<meta name=\"description\" content=\"Track it now.\">"), "{html}");
    assert!(!html.contains("onerror"), "{html}");
    assert!(html.contains("Was this article helpful?") && html.contains("name=\"csrf_token\""));
    assert_eq!(get(&app, "/help/shipping-returns/no-such-article").0, 404);
    assert_eq!(get(&app, "/help/wrong-category/where-is-my-parcel").0, 404);
    assert_eq!(get(&app, "/help/no-such-category").0, 404);
}

#[test]
fn a_translated_article_is_shown_for_its_language_and_the_default_otherwise() {
    let app = TestApp::spawn();
    seed(&app);
    let (status, html) = get(&app, "/help/shipping-returns/donde-esta-mi-paquete?lang=es");
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<html lang=\"es\">") && html.contains("Síguelo ahora."), "{html}");
    assert!(html.contains("hreflang=\"en\""), "links back to the default language: {html}");
    let (_, category) = get(&app, "/help/shipping-returns?lang=de");
    assert!(category.contains("Where is my &#60;parcel&#62;?"), "German falls back to the default: {category}");
}

#[test]
fn the_rating_buttons_record_a_rating_with_a_csrf_token() {
    let app = TestApp::spawn();
    seed(&app);
    let client = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page =
        client.get(format!("{}/help/shipping-returns/where-is-my-parcel", app.base)).send().unwrap().text().unwrap();
    let token = page.split("name=\"csrf_token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let action = page.split("<form method=\"post\" action=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let forged = client
        .post(format!("{}{action}", app.base))
        .form(&[("value", "1"), ("csrf_token", "0".repeat(32).as_str())])
        .send()
        .unwrap();
    assert_eq!(forged.status(), 403);
    let rated = client
        .post(format!("{}{action}", app.base))
        .form(&[("value", "1"), ("csrf_token", token.as_str())])
        .send()
        .unwrap();
    assert_eq!(rated.status(), 303);
    let back = rated.headers()["location"].to_str().unwrap().to_string();
    assert!(back.contains("rated=1"));
    assert!(client
        .get(format!("{}{back}", app.base))
        .send()
        .unwrap()
        .text()
        .unwrap()
        .contains("Thanks for your feedback"));
    assert_eq!(app.ok("article-ratings", json!({ "article_id": "A1" })), "[1]");
}

#[test]
fn search_pages_and_the_sitemap_list_articles() {
    let app = TestApp::spawn();
    seed(&app);
    let (status, html) = get(&app, "/help/search?q=parc");
    assert_eq!(status, 200);
    assert!(html.contains("href=\"/help/shipping-returns/where-is-my-parcel\""), "{html}");
    let (_, html) = get(&app, "/help/search?q=%3Cscript%3E");
    assert!(html.contains("&#60;script&#62;") && !html.contains("<script>"), "{html}");
    let (status, xml) = get(&app, "/help/sitemap.xml");
    assert_eq!(status, 200);
    assert!(xml.contains(&format!("<loc>{}/help/shipping-returns/where-is-my-parcel</loc>", app.base)), "{xml}");
    assert!(xml.contains("donde-esta-mi-paquete?lang=es"), "{xml}");
}

#[test]
fn article_views_and_searches_are_counted_for_reports() {
    let app = TestApp::spawn();
    seed(&app);
    get(&app, "/help/shipping-returns/where-is-my-parcel");
    get(&app, "/help/shipping-returns/where-is-my-parcel");
    get(&app, "/help/search?q=parcel");
    let views = app.ok("reports", json!({ "name": "articles-views-single" }));
    assert_eq!(views["data"], json!({ "A1": [2] }), "two views of A1: {views}");
    let searches = app.ok("reports", json!({ "name": "articles-searches" }));
    assert_eq!(searches["data"], json!({ "parcel": [1] }), "one search for parcel: {searches}");
}
