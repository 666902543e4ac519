//! The chat widget on the pages it lives in: agents' messages that try to run
//! script, a site's hostile CSS, a phone, the keyboard, the JavaScript API,
//! proactive messages from automations, and the admin page that installs it.

use crate::admin::{sign_in, signed_in_client};
use crate::admin_backoffice::signed_in_as;
use crate::admin_inbox::csrf_of;
use crate::support::browser::Browser;
use crate::support::host::HostPage;
use crate::support::TestApp;
use crate::widget::{
    in_widget, latest_conversation, logged, open_chat, say, shown, site, staffed_app, staffed_app_without_prechat,
    wait_for_message, wait_in_widget, HOST,
};
use serde_json::{json, Value};

#[test]
fn scripts_and_javascript_links_in_agent_messages_are_inert_in_the_widget() {
    let app = staffed_app_without_prechat();
    let site = site(&app, None, "");
    let visitor = Browser::start();
    open_chat(&visitor, &site.url("/"));
    say(&visitor, "Hi");
    let conversation = latest_conversation(&app);
    app.send(app.admin_id, conversation, "<script>window.pwned = 1; alert('script')</script>");
    app.send(
        app.admin_id,
        conversation,
        "<img src=x onerror=\"window.pwned = 2; alert('img')\"><a href=\"javascript:alert(3)\">click</a>",
    );
    app.send(app.admin_id, conversation, "javascript:alert(4) and *see* https://example.com/help?a=1&b=2");
    wait_for_message(&visitor, "https://example.com/help?a=1&b=2", 10);

    assert_eq!(visitor.dialog(), None, "no alert opened");
    assert_eq!(visitor.eval("return window.pwned === undefined;"), json!(true), "nothing the agent wrote ran");
    let found = in_widget(
        &visitor,
        "return [w.querySelectorAll('script').length, w.querySelectorAll('.bub img').length, \
         [...w.querySelectorAll('a')].filter(a => /^\\s*javascript:/i.test(a.getAttribute('href') || '')).length, \
         [...w.querySelectorAll('.bub a')].map(a => [a.getAttribute('href'), a.rel, a.target])];",
    );
    assert_eq!(found[0], 0, "no script element");
    assert_eq!(found[1], 0, "no image from a message");
    assert_eq!(found[2], 0, "no javascript: link");
    assert_eq!(found[3], json!([["https://example.com/help?a=1&b=2", "noopener noreferrer", "_blank"]]), "{found}");
    let texts = logged(&visitor);
    assert_eq!(texts[1], "<script>window.pwned = 1; alert('script')</script>", "shown as text");
    assert_eq!(
        texts[2],
        "<img src=x onerror=\"window.pwned = 2; alert('img')\"><a href=\"javascript:alert(3)\">click</a>"
    );
    assert_eq!(
        in_widget(&visitor, "return w.querySelectorAll('.log .bub b').length;"),
        json!(1),
        "chat markup still works"
    );
}

#[test]
fn a_sites_aggressive_css_does_not_break_the_widget() {
    let app = staffed_app_without_prechat();
    let hostile = "<style>* { all: unset !important; } \
        div, section, header, footer, form, button, textarea, input, ol, li, p, span, img, svg { display: none !important; } \
        html { font-size: 4px !important; } body { transform: none; filter: grayscale(1) !important; } \
        #switchboard-widget, switchboard-widget { display: none !important; opacity: 0 !important; \
        transform: scale(0) !important; position: absolute !important; left: -9999px !important; visibility: hidden !important; }</style>";
    let site = site(&app, None, hostile);
    let visitor = Browser::start();
    visitor.goto(&site.url("/"));
    wait_in_widget(&visitor, &shown(".launcher"), "the launcher", 15);
    let box_of = |css: &str| {
        in_widget(&visitor, &format!("const r = w.querySelector('{css}').getBoundingClientRect(); return [r.left, r.top, r.width, r.height, innerWidth, innerHeight];"))
    };
    let launcher = box_of(".launcher");
    assert_eq!((launcher[2].as_f64(), launcher[3].as_f64()), (Some(60.0), Some(60.0)), "{launcher}");
    assert_eq!(launcher[0].as_f64().unwrap() + 80.0, launcher[4].as_f64().unwrap(), "20 px from the right: {launcher}");
    assert_eq!(
        launcher[1].as_f64().unwrap() + 80.0,
        launcher[5].as_f64().unwrap(),
        "20 px from the bottom: {launcher}"
    );
    let on_top = in_widget(
        &visitor,
        "const r = w.querySelector('.launcher').getBoundingClientRect(); \
         const hit = w.elementFromPoint(r.left + 30, r.top + 30); return !!hit && !!hit.closest('.launcher');",
    );
    assert_eq!(on_top, json!(true), "the launcher is what a click there reaches");
    visitor.click_in_shadow(HOST, ".launcher");
    wait_in_widget(&visitor, &shown(".window"), "the window", 5);
    let window = box_of(".window");
    assert_eq!(window[2].as_f64(), Some(370.0), "{window}");
    assert_eq!(
        in_widget(&visitor, "return getComputedStyle(w.querySelector('.composer textarea')).fontSize;"),
        json!("14px"),
        "the page's root font size does not reach in"
    );
    say(&visitor, "Still works");
    assert_eq!(app.ok("get-conversations", json!({}))[0]["message"], "Still works");
    visitor.screenshot("widget-hostile-css");
}

#[test]
fn on_a_phone_the_chat_window_fills_the_screen() {
    let app = staffed_app_without_prechat();
    let site = site(&app, None, "");
    let visitor = Browser::start();
    visitor.set_window_size(390, 844);
    open_chat(&visitor, &site.url("/"));
    say(&visitor, "Typed on my phone");
    let fills = "const r = w.querySelector('.window').getBoundingClientRect(); \
        return innerWidth < 600 && r.left === 0 && r.top === 0 && r.width === innerWidth && r.height === innerHeight;";
    visitor.wait_until(
        &format!("const w = document.querySelector('{HOST}').shadowRoot; {fills}"),
        "the window filling the phone's screen",
        5,
    );
    assert_eq!(
        in_widget(&visitor, &format!("return {};", shown(".launcher"))),
        json!(false),
        "the window has its own close button"
    );
    visitor.screenshot("widget-phone");
    visitor.click_in_shadow(HOST, ".head .close");
    wait_in_widget(&visitor, &shown(".launcher"), "the launcher again", 5);
    assert_eq!(in_widget(&visitor, &format!("return {};", shown(".window"))), json!(false));
}

#[test]
fn the_chat_window_has_labels_keeps_the_keyboard_inside_and_closes_with_escape() {
    let app = staffed_app_without_prechat();
    let site = site(&app, None, "");
    let visitor = Browser::start();
    open_chat(&visitor, &site.url("/"));
    let labels = in_widget(
        &visitor,
        "return [w.querySelector('.window').getAttribute('role'), \
         w.getElementById(w.querySelector('.window').getAttribute('aria-labelledby')).textContent, \
         w.querySelector('.composer textarea').getAttribute('aria-label'), \
         w.querySelector('.send').getAttribute('aria-label'), w.querySelector('.head .close').getAttribute('aria-label'), \
         w.querySelector('.launcher').getAttribute('aria-expanded'), w.activeElement && w.activeElement.tagName];",
    );
    assert_eq!(labels, json!(["dialog", "How can we help?", "Type a message...", "Send", "Close", "true", "TEXTAREA"]));
    // Tab from the last control comes back to the first; Shift+Tab from the first goes to the last.
    visitor.type_in_shadow(HOST, ".send", "\u{E004}");
    assert_eq!(in_widget(&visitor, "return w.activeElement === w.querySelector('.head .close');"), json!(true));
    visitor.type_in_shadow(HOST, ".head .close", "\u{E008}\u{E004}");
    assert_eq!(in_widget(&visitor, "return w.activeElement === w.querySelector('.send');"), json!(true));
    visitor.type_in_shadow(HOST, ".composer textarea", "\u{E00C}");
    wait_in_widget(&visitor, &format!("!{}", shown(".window")), "Escape closing the window", 5);
    assert_eq!(in_widget(&visitor, "return [w.activeElement === w.querySelector('.launcher'), w.querySelector('.launcher').getAttribute('aria-label')];"), json!([true, "Open chat"]));
}

#[test]
fn the_javascript_api_queues_early_calls_and_answers_callbacks_and_promises() {
    let app = staffed_app_without_prechat();
    app.ok(
        "save-settings",
        json!({ "settings": { "departments": [{ "department-id": 2, "department-name": "Shipping" }] } }),
    );
    let page = HostPage::serve(
        "<!doctype html><html><head><title>Shop</title></head><body><h1>Shop</h1></body></html>".into(),
    );
    let visitor = Browser::start();
    visitor.goto(&page.url("/"));
    // The script is added the way an async tag loads it; the calls are made the
    // moment it has run, before the widget has heard from the server.
    let early = visitor.eval_async(&format!(
        "const done = arguments[0]; const s = document.createElement('script'); s.src = '{}/widget.js'; \
         s.onload = () => {{ \
           const drawn = !!document.querySelector('{HOST}'); const r = {{}}; \
           window.events = []; \
           ['start:chat', 'sent:message', 'received:message', 'join:agent', 'change:visitor_state', 'expand:chatbox', 'collapse:chatbox'] \
             .forEach(name => Switchboard.on(name, value => window.events.push([name, value]))); \
           Promise.all([ \
             Switchboard.getVisitorState().then(v => r.state = v), \
             new Promise(ok => Switchboard.getAgentsAvailability((err, v) => {{ r.available = [err, v]; ok(); }})), \
             Switchboard.setPreferredDepartmentByName('shipping').then(() => Switchboard.getPreferredDepartment()).then(d => r.department = d), \
             Switchboard.getDepartments().then(d => r.departments = d), \
             Switchboard.setCustomFields({{ 'Account Number': '1234', plan: 'Pro' }}).then(() => Switchboard.getCustomField('Account Number')).then(v => r.account = v), \
           ]).then(() => done({{ drawn, r }}), e => done({{ error: String(e) }})); \
         }}; document.body.appendChild(s);",
        app.base
    ));
    assert_eq!(early["drawn"], false, "called before the widget had talked to the server: {early}");
    let r = &early["r"];
    assert_eq!(r["state"], "passive", "{early}");
    assert_eq!(r["available"], json!([null, true]));
    assert_eq!(r["department"], json!({ "id": "2", "name": "Shipping" }));
    assert_eq!(r["departments"], json!([{ "id": "2", "name": "Shipping" }]));
    assert_eq!(r["account"], "1234");

    let sent =
        visitor.eval_async("Switchboard.sendMessage('Where is my parcel?', (err, m) => arguments[0]([err, m]));");
    assert_eq!(sent[0], Value::Null, "{sent}");
    assert_eq!((&sent[1]["message"], &sent[1]["user_type"]), (&json!("Where is my parcel?"), &json!("visitor")));
    wait_for_message(&visitor, "Where is my parcel?", 5);
    let conversation = latest_conversation(&app);
    let details = app.ok("get-conversation", json!({ "conversation_id": conversation }))["details"].clone();
    assert_eq!(details["department"], "2", "the preferred department went with the first message");
    let customer = app.ok("get-user", json!({ "user_id": details["user_id"], "extra": true }));
    assert!(customer["details"].to_string().contains("\"account_number\""), "custom fields are details: {customer}");

    app.send(app.admin_id, conversation, "It left the warehouse today.");
    visitor.wait_until("return window.events.some(e => e[0] === 'received:message');", "received:message", 10);
    let events = visitor.eval("return window.events;");
    let named = |name: &str| {
        events.as_array().unwrap().iter().filter(|e| e[0] == name).map(|e| e[1].clone()).collect::<Vec<_>>()
    };
    assert_eq!(named("start:chat").len(), 1, "{events}");
    assert_eq!(named("sent:message")[0]["message"], "Where is my parcel?");
    assert_eq!(named("received:message")[0]["message"], "It left the warehouse today.");
    assert_eq!(named("received:message")[0]["first_name"], "Admin");
    assert_eq!(named("join:agent")[0]["name"], "Admin");
    assert_eq!(named("change:visitor_state"), [json!("waiting_for_agent"), json!("chatting")]);
    let messages = visitor.eval_async("Switchboard.getMessages().then(arguments[0]);");
    let shape: Vec<(Value, Value)> =
        messages.as_array().unwrap().iter().map(|m| (m["message"].clone(), m["user_type"].clone())).collect();
    assert_eq!(
        shape,
        [(json!("Where is my parcel?"), json!("visitor")), (json!("It left the warehouse today."), json!("admin"))]
    );
    assert!(
        messages[0]["id"].is_string()
            && messages[0]["creation_time"].is_string()
            && messages[1]["first_name"] == "Admin"
    );

    visitor.eval_async("Switchboard.expandChatbox().then(() => arguments[0]());");
    wait_in_widget(&visitor, &shown(".window"), "expandChatbox", 5);
    visitor.eval_async("Switchboard.collapseChatbox(arguments[0]);");
    wait_in_widget(&visitor, &format!("!{}", shown(".window")), "collapseChatbox", 5);
    assert_eq!(named_now(&visitor, "expand:chatbox"), 1);
    assert_eq!(named_now(&visitor, "collapse:chatbox"), 1);
    visitor.eval_async("Switchboard.hideWidget().then(() => arguments[0]());");
    assert_eq!(visitor.eval(&format!("return document.querySelector('{HOST}').hidden;")), json!(true));
    visitor.eval_async("Switchboard.showWidget(() => arguments[0]());");
    wait_in_widget(&visitor, &shown(".launcher"), "showWidget", 5);

    let errors = visitor.eval_async(
        "Promise.all([ \
           Switchboard.getCustomField('Nope').then(() => 'no error', e => e.code), \
           new Promise(ok => Switchboard.setPreferredDepartment('99', err => ok(err && err.code))), \
           Switchboard.sendMessage('   ').then(() => 'no error', e => e.code), \
         ]).then(arguments[0]);",
    );
    assert_eq!(errors, json!(["field-not-found", "department-not-found", "invalid-argument"]));
    let by_callback = visitor.eval_async(
        "const done = arguments[0]; let returned = null; \
         returned = Switchboard.getVisitorState((err, state) => done([returned === undefined, err, state]));",
    );
    assert_eq!(by_callback, json!([true, null, "chatting"]), "with a callback, no promise is returned");
    assert_eq!(visitor.eval_async("Switchboard.getVisitorState().then(arguments[0]);"), json!("chatting"));

    // The site's user signs out: the next visitor starts afresh.
    let before = visitor.eval_async("Switchboard.getVisitorInfo().then(v => arguments[0](v.id));");
    let after = visitor.eval_async(
        "Switchboard.unsetVisitor().then(() => Promise.all([Switchboard.getVisitorInfo(), Switchboard.getMessages()])) \
         .then(([v, m]) => arguments[0]([v.id, m.length]));",
    );
    assert_ne!(after[0], before, "a new visitor");
    assert_eq!(after[1], 0, "with none of the old messages");
    assert_eq!(logged(&visitor), Vec::<String>::new());
    let destroyed = visitor.eval_async(
        "Switchboard.destroy().then(() => Switchboard.getVisitorState()).then(() => 'answered', e => e.code).then(arguments[0]);",
    );
    assert_eq!(destroyed, "destroyed");
    assert_eq!(visitor.eval(&format!("return document.querySelector('{HOST}');")), Value::Null, "the widget is gone");
}

fn named_now(browser: &Browser, name: &str) -> usize {
    browser.eval(&format!("return window.events.filter(e => e[0] === '{name}').length;")).as_u64().unwrap() as usize
}

#[test]
fn a_popup_automation_shows_a_proactive_message_on_the_pages_it_names() {
    let app = staffed_app_without_prechat();
    let automations = json!({
        "emails": [], "sms": [], "messages": [],
        "popups": [{
            "id": "spring", "name": "Spring sale", "title": "Spring sale",
            "message": "10% off every bicycle this week.", "profile_image": "",
            "conditions": [["include_urls", "contains", "/pricing"], ["time_on_page", "1"]],
        }],
        "design": [{
            "id": "look", "name": "Pricing look", "title": "Pricing help", "message": "",
            "color_1": "rgb(200, 0, 0)", "color_2": "", "color_3": "", "background": "", "brand": "", "icon": "",
            "conditions": [["include_urls", "contains", "/pricing"]],
        }],
    });
    assert_eq!(app.ok("automations-save", json!({ "automations": automations.to_string() })), true);
    let site = site(&app, None, "");
    let visitor = Browser::start();
    visitor.goto(&site.url("/about"));
    wait_in_widget(&visitor, &shown(".launcher"), "the launcher", 15);
    visitor.eval("window.proactive = []; Switchboard.on('received:proactive_message', p => window.proactive.push([location.pathname, p])); \
        Switchboard.on('activate:triggered_chat', p => window.activated = p); return true;");
    visitor.wait_until(
        "return performance.getEntriesByType('resource').some(e => e.name.includes('/widget/automations'));",
        "the automations read",
        10,
    );
    let title = "return w.querySelector('.head h2').textContent;";
    assert_eq!(in_widget(&visitor, title), json!("How can we help?"), "not on this page");

    // A single-page site moves to its pricing page and tells the widget.
    visitor.eval("history.pushState({}, '', '/pricing'); Switchboard.pageLoaded(); return true;");
    wait_in_widget(&visitor, &shown(".bubble"), "the proactive message", 10);
    assert_eq!(visitor.text_in_shadow(HOST, ".bubble strong"), "Spring sale");
    assert_eq!(visitor.text_in_shadow(HOST, ".bubble .bubble-message"), "10% off every bicycle this week.");
    let fired = visitor.eval("return window.proactive;");
    assert_eq!(fired.as_array().unwrap().len(), 1, "{fired}");
    assert_eq!((&fired[0][0], &fired[0][1]["title"]), (&json!("/pricing"), &json!("Spring sale")));
    assert_eq!(in_widget(&visitor, title), json!("Pricing help"), "the design automation applied");
    assert_eq!(
        in_widget(&visitor, "return getComputedStyle(w.querySelector('.launcher')).backgroundColor;"),
        json!("rgb(200, 0, 0)")
    );
    let proactive = visitor.eval_async("Switchboard.getProactiveMessage().then(arguments[0]);");
    assert_eq!(proactive["message"], "10% off every bicycle this week.");

    visitor.click_in_shadow(HOST, ".bubble-open");
    wait_in_widget(&visitor, &shown(".window"), "the chat, opened from the message", 5);
    assert_eq!(visitor.eval("return window.activated && window.activated.id;"), json!("spring"));
    let runs: i64 = app.db().query_row("SELECT count(*) FROM automation_runs", [], |row| row.get(0)).unwrap();
    assert_eq!(runs, 2, "both were recorded as shown, so they are not shown again");
}

#[test]
fn the_install_page_shows_the_snippet_the_secret_to_admins_and_a_live_preview() {
    let app = staffed_app();
    let admin = Browser::start();
    sign_in(&admin, &app, "admin@example.com", "admin-password");
    admin.goto(&format!("{}/admin/widget", app.base));
    assert_eq!(admin.text("#snippet"), format!("<script src=\"{}/widget.js\" async></script>", app.base));
    let secret = app.identity_secret();
    assert_eq!(admin.eval("return document.getElementById('identity-secret').value;"), json!(secret));

    // The preview is the real widget, same-origin under the admin pages' CSP.
    wait_in_widget(&admin, &shown(".launcher"), "the preview's launcher", 15);
    assert_eq!(
        in_widget(&admin, "return getComputedStyle(w.querySelector('.launcher')).position;"),
        json!("fixed"),
        "its styles apply"
    );
    admin.click_in_shadow(HOST, ".launcher");
    wait_in_widget(&admin, &shown("form.prechat"), "the preview's pre-chat form", 5);
    wait_in_widget(&admin, "w.querySelector('.window').getAnimations().length === 0", "the window settled", 5);
    admin.screenshot("widget-install-page");

    admin.submit("#new-secret");
    admin.submit(".confirm button[type=submit]");
    assert!(admin.text(".notice").starts_with("A new identity secret was made"), "{}", admin.text(".notice"));
    let renewed = admin.eval("return document.getElementById('identity-secret').value;");
    assert_ne!(renewed, json!(secret), "a new secret");
    assert_eq!(renewed.as_str().unwrap().len(), secret.len());

    app.ok(
        "add-user",
        json!({ "first_name": "Ada", "email": "ada@example.com", "password": "agent-password", "user_type": "agent" }),
    );
    let agent = Browser::start();
    sign_in(&agent, &app, "ada@example.com", "agent-password");
    agent.goto(&format!("{}/admin/widget", app.base));
    assert!(agent.text("#snippet").contains("/widget.js"));
    assert!(!agent.exists("#identity-secret"), "agents do not see the secret");
    agent.goto(&format!("{}/admin/widget/secret", app.base));
    assert!(agent.source().contains("Only admins can open this page."));
}

#[test]
fn only_an_admins_genuine_form_makes_a_new_identity_secret() {
    let app = TestApp::spawn();
    let secret = app.identity_secret();
    let anonymous = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    assert_eq!(anonymous.get(format!("{}/admin/widget", app.base)).send().unwrap().status(), 303, "sign-in first");

    let admin = signed_in_client(&app);
    let forged =
        admin.post(format!("{}/admin/widget/secret", app.base)).form(&[("csrf_token", "forged")]).send().unwrap();
    assert_eq!(forged.status(), 403);
    app.ok(
        "add-user",
        json!({ "first_name": "Ada", "email": "ada@example.com", "password": "agent-password", "user_type": "agent" }),
    );
    let agent = signed_in_as(&app, "ada@example.com", "agent-password");
    let page = agent.get(format!("{}/admin/widget", app.base)).send().unwrap().text().unwrap();
    assert!(!page.contains(&secret), "agents never see the secret");
    let by_agent =
        agent.post(format!("{}/admin/widget/secret", app.base)).form(&[("csrf_token", csrf_of(&page))]).send().unwrap();
    assert_eq!(by_agent.status(), 403, "an agent's genuine form is refused");
    assert_eq!(app.identity_secret(), secret, "nothing changed");

    let page = admin.get(format!("{}/admin/widget", app.base)).send().unwrap().text().unwrap();
    let rotated =
        admin.post(format!("{}/admin/widget/secret", app.base)).form(&[("csrf_token", csrf_of(&page))]).send().unwrap();
    assert_eq!(rotated.status(), 303);
    assert_ne!(app.identity_secret(), secret, "a new secret");
}

#[test]
fn the_sites_options_place_style_and_word_the_widget() {
    let app = staffed_app_without_prechat();
    let options = json!({
        "position": "left",
        "customStyles": ".head { background: rgb(1, 2, 3) }",
        "showBadgeOnLoad": false,
        "waitingMessage": "Hang on, someone is coming.",
        "waitingMessageDelay": 1,
    });
    let site = site(&app, Some(options), "");
    let visitor = Browser::start();
    visitor.goto(&site.url("/"));
    wait_in_widget(&visitor, "w.querySelector('.launcher') !== null", "the widget drawn", 15);
    assert_eq!(in_widget(&visitor, &format!("return {};", shown(".launcher"))), json!(false), "no button on load");
    visitor.eval_async("Switchboard.expandChatbox(arguments[0]);");
    wait_in_widget(&visitor, &shown(".window"), "the window", 5);
    let placed = in_widget(
        &visitor,
        "return [w.querySelector('.window').getBoundingClientRect().left, w.querySelector('.launcher').getBoundingClientRect().left, \
         getComputedStyle(w.querySelector('.head')).backgroundColor];",
    );
    assert_eq!(placed, json!([20, 20, "rgb(1, 2, 3)"]), "on the left, with the site's style");
    assert_eq!(in_widget(&visitor, &format!("return {};", shown(".launcher"))), json!(true), "the button, once opened");
    say(&visitor, "Hello?");
    wait_in_widget(&visitor, &shown(".waiting"), "the waiting message", 10);
    assert_eq!(visitor.text_in_shadow(HOST, ".waiting"), "Hang on, someone is coming.");
    let loaded = visitor.eval_async(&format!(
        "Switchboard.addCustomCSSFile('{}/static/css/base.css').then(() => arguments[0](\
         !!document.querySelector('{HOST}').shadowRoot.querySelector('link[rel=stylesheet]').sheet), e => arguments[0](e.code));",
        app.base
    ));
    assert_eq!(loaded, json!(true), "the style sheet loaded inside the widget");
}

#[test]
fn with_nobody_available_and_no_offline_form_the_widget_hides_unless_forced() {
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string();
    let app = TestApp::spawn_at(&now);
    app.advance(3600);
    app.ok("save-settings", json!({ "settings": { "widget-offline-form": "false", "widget-prechat": "false" } }));
    let plain = site(&app, None, "");
    let visitor = Browser::start();
    visitor.goto(&plain.url("/"));
    wait_in_widget(&visitor, "w.querySelector('.launcher') !== null", "the widget drawn", 15);
    assert_eq!(visitor.eval(&format!("return document.querySelector('{HOST}').hidden;")), json!(true));
    assert_eq!(visitor.eval_async("Switchboard.getAgentsAvailability().then(arguments[0]);"), json!(false));

    let forced = site(&app, Some(json!({ "forceShowWidget": true })), "");
    open_chat(&visitor, &forced.url("/"));
    assert_eq!(visitor.text_in_shadow(HOST, ".away"), "We are away. We will reply as soon as possible.");
    say(&visitor, "Leaving this here anyway");
    assert_eq!(app.ok("get-conversations", json!({}))[0]["message"], "Leaving this here anyway");
}

#[test]
fn under_a_base_path_the_widget_finds_its_server_from_its_own_address() {
    let app = TestApp::spawn_with(switchboard::clock::Clock::system(), |config| {
        config.base_path = "/support".into();
        config.online_window_seconds = 3600;
    });
    assert!(app.base.ends_with("/support"), "{}", app.base);
    app.ok("save-settings", json!({ "settings": { "widget-prechat": "false" } }));
    let site = site(&app, None, "");
    let visitor = Browser::start();
    open_chat(&visitor, &site.url("/"));
    say(&visitor, "Hello from under /support");
    assert_eq!(app.ok("get-conversations", json!({}))[0]["message"], "Hello from under /support");
    let origin = app.base.trim_end_matches("/support");
    let kept = visitor.eval(&format!("return localStorage.getItem('switchboard:{origin}');"));
    assert!(kept.as_str().is_some_and(|k| k.contains("credential")), "kept under the server's origin: {kept}");
}
