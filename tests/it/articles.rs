use crate::support::TestApp;
use serde_json::{json, Value};

fn seed(app: &TestApp) {
    app.ok("save-articles-categories", json!({ "categories": [{ "id": "ship", "title": "Shipping", "description": "Parcels and delivery" }, { "id": "pay", "title": "Payments" }] }));
    app.ok(
        "save-articles",
        json!({
            "articles": json!([
                { "id": "A1", "title": "Where is my parcel?", "content": "<p>Track your parcel with the <b>tracking code</b> from your email. Deliveries take three days.</p><script>alert(1)</script>", "link": "", "categories": ["ship"] },
                { "id": "A2", "title": "Paying by café card", "content": "<p onclick=\"x()\">We accept cards <a href=\"javascript:alert(1)\">here</a>.</p>", "categories": ["pay"] },
                { "id": "A3", "title": "Opening hours", "content": "<p>Monday to Friday.</p>" },
            ])
            .to_string(),
            "translations": json!({ "es": [{ "id": "A1", "title": "¿Dónde está mi paquete?", "content": "<p>Sigue tu paquete con el código.</p>" }] }).to_string(),
        }),
    );
}

fn ids(rows: &Value) -> Vec<String> {
    rows.as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn saved_articles_read_back_sanitised_with_categories_summaries_and_full_content() {
    let app = TestApp::spawn();
    seed(&app);
    let list = app.ok("get-articles", json!({}));
    assert_eq!(ids(&list), ["A1", "A2", "A3"]);
    assert_eq!(list[0]["categories"], json!(["ship"]));
    assert!(!list[0]["content"].as_str().unwrap().contains('<'), "summaries are plain text: {}", list[0]["content"]);
    let full = app.ok("get-articles", json!({ "full": true }));
    let content = full[1]["content"].as_str().unwrap();
    assert!(!content.contains("onclick") && !content.contains("javascript:"), "{content}");
    assert!(!full[0]["content"].as_str().unwrap().contains("<script"));
    assert!(full[0]["content"].as_str().unwrap().contains("<b>tracking code</b>"));
    let one = app.ok("get-articles", json!({ "id": "A1" }));
    assert_eq!(one["title"], "Where is my parcel?");
    assert!(one["url"].as_str().unwrap().ends_with("/help/shipping/where-is-my-parcel"), "{}", one["url"]);
    assert_eq!(app.ok("get-articles", json!({ "id": "nope" })), false);
    assert_eq!(ids(&app.ok("get-articles", json!({ "count": 2 }))), ["A1", "A2"]);
    assert_eq!(ids(&app.ok("get-articles", json!({ "categories": "pay" }))), ["A2"]);
    let both = app.ok("get-articles", json!({ "categories": true }));
    assert_eq!(ids(&both[0]).len(), 3);
    assert_eq!(
        both[1][0],
        json!({ "id": "ship", "title": "Shipping", "description": "Parcels and delivery", "image": "" })
    );
}

#[test]
fn translations_are_served_per_language_with_the_default_as_fallback() {
    let app = TestApp::spawn();
    seed(&app);
    let spanish = app.ok("get-articles", json!({ "articles_language": "es" }));
    assert_eq!(spanish[0]["title"], "¿Dónde está mi paquete?");
    assert_eq!(spanish[0]["language"], "es");
    assert_eq!(spanish[1]["title"], "Paying by café card", "untranslated articles fall back to the default language");
    assert_eq!(spanish[1]["language"], "en");
    let all = app.ok("get-articles", json!({ "articles_language": "all" }));
    assert_eq!(all.as_array().unwrap().len(), 4);
    let german = app.ok("get-articles", json!({ "articles_language": "de" }));
    assert_eq!(german[0]["title"], "Where is my parcel?");
    assert_eq!(app.call("get-articles", json!({ "articles_language": "klingon" }))["response"], "invalid-argument");
}

#[test]
fn save_articles_is_all_or_nothing() {
    let app = TestApp::spawn();
    seed(&app);
    for (articles, translations) in [
        (json!([{ "id": "B1", "title": "" }]), None),
        (json!([{ "id": "B1", "title": "x", "categories": ["no-such-category"] }]), None),
        (json!([{ "id": "B1", "title": "x" }, { "id": "B1", "title": "y" }]), None),
        (json!([{ "id": "B1", "title": "x", "link": "javascript:alert(1)" }]), None),
        (json!([{ "id": "B1", "title": "x" }]), Some(json!({ "es": [{ "id": "ZZ", "title": "y" }] }))),
    ] {
        let mut args = json!({ "articles": articles.to_string() });
        if let Some(t) = translations {
            args["translations"] = json!(t.to_string());
        }
        let envelope = app.call("save-articles", args);
        assert_eq!(envelope["response"], "invalid-argument", "{envelope}");
    }
    assert_eq!(ids(&app.ok("get-articles", json!({}))), ["A1", "A2", "A3"], "nothing changed");
    app.ok("save-articles", json!({ "articles": "{\"articles\":[{\"id\":\"\",\"title\":\"Fresh\"}]}" }));
    let list = app.ok("get-articles", json!({}));
    assert_eq!(list.as_array().unwrap().len(), 1, "save-articles replaces everything");
    assert_eq!(list[0]["id"].as_str().unwrap().len(), 5, "a new short ID");
}

#[test]
fn search_articles_ranks_titles_first_folds_accents_and_matches_prefixes() {
    let app = TestApp::spawn();
    seed(&app);
    assert_eq!(ids(&app.ok("search-articles", json!({ "search": "parcel" }))), ["A1"]);
    assert_eq!(ids(&app.ok("search-articles", json!({ "search": "cafe" }))), ["A2"]);
    assert_eq!(ids(&app.ok("search-articles", json!({ "search": "deliv" }))), ["A1"]);
    assert_eq!(ids(&app.ok("search-articles", json!({ "search": "paquete", "articles_language": "es" }))), ["A1"]);
    assert_eq!(
        app.ok("search-articles", json!({ "search": "paquete" })),
        json!([]),
        "default language only by default"
    );
    app.ok(
        "save-articles",
        json!({ "articles": json!([
        { "id": "T1", "title": "Returns", "content": "<p>refund refund refund policy</p>" },
        { "id": "T2", "title": "Refund", "content": "<p>How long it takes.</p>" },
    ]).to_string() }),
    );
    assert_eq!(
        ids(&app.ok("search-articles", json!({ "search": "refund" }))),
        ["T2", "T1"],
        "a title match outranks the text"
    );

    app.ok(
        "save-articles",
        json!({ "articles": json!([
        { "id": "H1", "title": "Door codes", "content": "<p>Wait near a bell.</p>" },
        { "id": "H2", "title": "Refund", "content": "<p>How long it takes.</p>" },
        { "id": "H3", "title": "Receipts", "content": "<p>Read the title: refund terms on the back.</p>" },
    ]).to_string() }),
    );
    for (hostile, found) in [
        ("NEAR(a b)", vec!["H1"]),
        ("title:refund", vec!["H3"]),
        ("-refund", vec!["H2", "H3"]),
        ("\"refund", vec!["H2", "H3"]),
        ("\"", vec![]),
        ("*", vec![]),
    ] {
        assert_eq!(
            ids(&app.ok("search-articles", json!({ "search": hostile }))),
            found,
            "{hostile} is searched as text"
        );
    }
}

#[test]
fn categories_are_replaced_and_articles_keep_the_ones_that_stay() {
    let app = TestApp::spawn();
    seed(&app);
    assert_eq!(app.ok("get-articles-categories", json!({})).as_array().unwrap().len(), 2);
    app.ok("save-articles-categories", json!({ "categories": [{ "id": "ship", "title": "Delivery" }] }));
    assert_eq!(
        app.ok("get-articles-categories", json!({})),
        json!([{ "id": "ship", "title": "Delivery", "description": "", "image": "" }])
    );
    let list = app.ok("get-articles", json!({}));
    assert_eq!(list[0]["categories"], json!(["ship"]));
    assert_eq!(list[1]["categories"], json!([]));
    assert_eq!(
        app.call("save-articles-categories", json!({ "categories": [{ "id": "x", "title": "" }] }))["response"],
        "invalid-argument"
    );
    assert_eq!(
        app.call(
            "save-articles-categories",
            json!({ "categories": [{ "id": "x", "title": "X", "image": "javascript:x" }] })
        )["response"],
        "invalid-argument"
    );
}

#[test]
fn article_ratings_are_added_and_listed() {
    let app = TestApp::spawn();
    seed(&app);
    assert_eq!(app.ok("article-ratings", json!({ "article_id": "A1" })), "[]");
    assert_eq!(app.ok("article-ratings", json!({ "article_id": "A1", "rating": 1 })), true);
    assert_eq!(app.ok("article-ratings", json!({ "article_id": "A1", "rating": 0 })), true);
    assert_eq!(app.ok("article-ratings", json!({ "article_id": "A1" })), "[1,-1]");
    assert_eq!(app.fails("article-ratings", json!({ "article_id": "nope", "rating": 1 })), "article-not-found");
    assert_eq!(app.ok("article-ratings", json!({ "article_id": "nope" })), false);
    assert_eq!(app.call("article-ratings", json!({ "article_id": "A1", "rating": 5 }))["response"], "invalid-argument");
}
