/* Switchboard chat widget: the launcher, the chat window and window.Switchboard.
 *
 * Embedded with <script src="https://support.example.com/widget.js" async></script>
 * and configured by window.SWITCHBOARD_CONFIG = { options: {...} } (README, "Chat widget").
 * It talks only to the server it was loaded from (README, "The visitor API"), draws
 * itself in a shadow root so the page's CSS cannot reach it, inserts no HTML but
 * the server's `html` field of a message (rendered there from escaped text, and
 * cleaned again here), and runs no inline handlers and no eval.
 */
(function () {
  "use strict";

  if (window.Switchboard && window.Switchboard.version) return; // included twice: the first one stays

  const VERSION = "1.0";
  const script = document.currentScript || ownScriptTag();
  if (!script || !script.src) return;
  const BASE = script.src.replace(/\/widget\.js([?#].*)?$/, "");
  const SERVER = new URL(BASE, location.href).origin;
  const STORE_KEY = "switchboard:" + SERVER;
  const CONFIG = window.SWITCHBOARD_CONFIG || {};
  const OPTIONS = CONFIG.options || {};
  const STAFF = { agent: 1, admin: 1 };
  const CUSTOMER = { visitor: 1, lead: 1, user: 1 };
  const TYPING_EVERY = 3000; // a visitor typing is told at most this often
  const TYPING_SHOWN = 10000; // an agent's "is typing" line hides after this without news
  const POLL_EVERY = 3000;
  const EVENTS = [
    "click:badge", "start:chat", "end:chat", "join:agent", "leave:agent", "change:agents_availability",
    "activate:triggered_chat", "received:proactive_message", "submitted:rating", "change:visitor_state",
    "expand:chatbox", "collapse:chatbox", "received:message", "sent:message",
  ];

  function ownScriptTag() {
    const scripts = document.getElementsByTagName("script");
    for (let i = scripts.length - 1; i >= 0; i--) {
      if (/\/widget\.js([?#].*)?$/.test(scripts[i].src)) return scripts[i];
    }
    return null;
  }

  // ---- Where the visitor's credential lives: this site's localStorage (or memory
  // when the browser refuses storage), keyed by the Switchboard server.
  const memory = {};
  function stored(area, key) {
    try {
      return window[area].getItem(key);
    } catch (e) {
      return memory[area + key] || null;
    }
  }
  function store(area, key, value) {
    try {
      if (value === null) window[area].removeItem(key);
      else window[area].setItem(key, value);
    } catch (e) {
      memory[area + key] = value;
    }
  }
  function remembered() {
    try {
      return JSON.parse(stored("localStorage", STORE_KEY) || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  // ---- State
  let credential = remembered().credential || null;
  const cameBefore = !!credential; // a returning visitor, as far as this browser knows
  let me = null; // the visitor, as the server last answered
  let settings = {};
  let strings = {};
  let language = "en";
  let departments = [];
  let conversation = null; // {id, status_code, rating} of the latest conversation
  let available = false;
  let messages = []; // oldest first, by numeric ID
  let byId = {};
  let lastId = 0;
  let unreadFrom = 0; // the oldest agent message not yet shown in an open window
  let unread = 0;
  let joined = {}; // agents who wrote in the current conversation
  let department = null; // the preferred department {id, name}
  let proactive = null;
  let visitorState = "passive";
  let ready = false;
  let destroyed = false;
  let startError = null;
  let retrying = false;
  let restarting = null;
  const waiting = [];
  const handlers = {};
  const timers = new Set();
  let pageStart = Date.now();

  // What is shown
  let expanded = false;
  let widgetOn = true; // showWidget / hideWidget
  let badgeOn = OPTIONS.showBadge !== false && OPTIONS.showBadgeOnLoad !== false;
  let badgeAfterOpening = OPTIONS.showBadge !== false && OPTIONS.showBadgeOnLoad === false;
  let leftMessage = false; // the offline form was sent in this page
  let rated = null;
  let transcriptOpen = false;
  const ui = {};

  const t = (text) => (strings && typeof strings[text] === "string" && strings[text]) || text;
  const noop = () => {};

  function later(fn, ms) {
    const id = setTimeout(() => {
      timers.delete(id);
      fn();
    }, ms);
    timers.add(id);
    return id;
  }
  function cancel(id) {
    if (id) {
      clearTimeout(id);
      timers.delete(id);
    }
  }

  function fail(code, message) {
    const err = new Error(message || code);
    err.code = code;
    return err;
  }

  function emit(name, value) {
    (handlers[name] || []).slice().forEach((handler) => {
      try {
        handler(value);
      } catch (e) {
        setTimeout(() => {
          throw e; // the site's handler failed: shown in its console, the widget goes on
        });
      }
    });
  }

  // ---- Talking to the server
  async function request(method, path, body) {
    const headers = {};
    if (credential) headers["X-Switchboard-Visitor"] = credential;
    const init = { method: method, headers: headers, credentials: "omit", cache: "no-store" };
    if (body !== undefined && typeof FormData !== "undefined" && body instanceof FormData) {
      init.body = body; // multipart: the browser sets the type and boundary
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(BASE + path, init);
    } catch (e) {
      throw fail("network", "Switchboard could not be reached");
    }
    let envelope = null;
    try {
      envelope = await response.json();
    } catch (e) {
      throw fail(response.status === 429 ? "rate-limited" : "network", "HTTP " + response.status);
    }
    if (!envelope || envelope.success !== true) {
      throw fail((envelope && envelope.response) || "error", (envelope && envelope.message) || "");
    }
    return envelope.response;
  }

  // A request as the current visitor; a credential the server no longer knows
  // starts a new visitor, and the request is made once more as that one.
  async function server(method, path, body, again) {
    try {
      return await request(method, path, body);
    } catch (err) {
      if (err.code !== "invalid-visitor" || again || destroyed) throw err;
      await restart();
      return server(method, path, body, true);
    }
  }

  function page() {
    return { url: location.href, referrer: document.referrer || "", title: document.title || "" };
  }

  function timezone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
    } catch (e) {
      return undefined;
    }
  }

  async function start() {
    const answer = await request("POST", "/widget/visitor", {
      page: page(),
      language: navigator.language || undefined,
      site_language: OPTIONS.language || undefined,
      timezone: timezone(),
    });
    await bodyReady();
    if (destroyed) return;
    apply(answer);
  }

  function bodyReady() {
    if (document.body) return Promise.resolve();
    return new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }));
  }

  // The first start, retried with growing pauses while the server cannot be
  // reached; queued API calls wait for it, and hear of each failure.
  async function boot(attempt) {
    try {
      await start();
      if (destroyed) return;
      ready = true;
      startError = null;
      settle(null);
      if (!department && OPTIONS.department != null) department = findDepartment(OPTIONS.department);
      if (typeof CONFIG.onload === "function") {
        try {
          CONFIG.onload.call(Switchboard);
        } catch (e) {
          setTimeout(() => {
            throw e;
          });
        }
      }
      if (stored("sessionStorage", STORE_KEY + ":open") === "1") expand(false);
      automations();
    } catch (err) {
      startError = err;
      settle(err);
      const permanent = err.code === "origin-not-allowed" || err.code === "invalid-argument";
      if (permanent || destroyed) {
        if (window.console) console.warn("Switchboard: the chat widget cannot start here (" + err.code + ")");
        return;
      }
      retrying = true;
      later(() => {
        retrying = false;
        boot(attempt + 1);
      }, Math.min(60000, 2000 * Math.pow(2, attempt)));
    }
  }

  function whenReady() {
    if (destroyed) return Promise.reject(fail("destroyed", "the widget was destroyed"));
    if (ready) return Promise.resolve();
    if (startError && !retrying) return Promise.reject(startError);
    return new Promise((resolve, reject) => waiting.push({ resolve: resolve, reject: reject }));
  }

  function settle(err) {
    waiting.splice(0).forEach((w) => (err ? w.reject(err) : w.resolve()));
  }

  // A new visitor (unsetVisitor, or a credential the server forgot).
  function restart() {
    if (!restarting) {
      disconnect();
      credential = null;
      failures = 0;
      store("localStorage", STORE_KEY, null);
      restarting = start()
        .then(() => automations())
        .finally(() => {
          restarting = null;
        });
    }
    return restarting;
  }

  // Everything the start answers: who, the latest conversation, the look, the words.
  function apply(answer) {
    credential = answer.credential;
    store("localStorage", STORE_KEY, JSON.stringify({ credential: credential }));
    me = answer.visitor || {};
    settings = answer.settings || {};
    strings = answer.strings || {};
    language = answer.language || "en";
    departments = answer.departments || [];
    conversation = answer.conversation || null;
    available = !!answer.available;
    if (!ui.root) mount();
    messages = [];
    byId = {};
    lastId = 0;
    unreadFrom = 0;
    unread = 0;
    joined = {};
    ui.log.textContent = "";
    (answer.messages || []).forEach((m) => receive(m, false));
    messages.forEach((m) => {
      if (STAFF[m.user_type]) joined[m.user_id] = true;
      if (!mine(m) && m.status_code !== "2") unread++;
    });
    design();
    render();
    scrollDown(true);
    connect();
    if (expanded) markRead();
  }

  // ---- Messages
  const mine = (m) => !!CUSTOMER[m.user_type];

  function publicMessage(m) {
    return {
      id: m.id,
      message: m.message,
      user_type: m.user_type,
      user_id: m.user_id,
      first_name: m.first_name,
      last_name: m.last_name,
      profile_image: m.profile_image,
      creation_time: m.creation_time,
      status_code: m.status_code,
      attachments: m.attachments || [],
    };
  }

  // A message from the start, the stream or a poll: shown once, by ID. `live`
  // says it is new news (events fire, the unread count grows), not history.
  function receive(m, live) {
    const id = +m.id;
    if (!id) return;
    const known = byId[id];
    if (known) {
      if (known.status_code !== m.status_code) {
        known.status_code = m.status_code;
        showSeen();
      }
      return;
    }
    byId[id] = m;
    messages.push(m);
    if (id < lastId) messages.sort((a, b) => a.id - b.id);
    lastId = Math.max(lastId, id);
    if (mine(m)) adoptPending(m.message);
    place(m);
    if (!mine(m) && m.status_code !== "2" && (!unreadFrom || id < unreadFrom)) unreadFrom = id;
    if (live) {
      if (!mine(m)) {
        hideTyping();
        cancel(waitingTimer);
        ui.waiting.hidden = true;
        if (STAFF[m.user_type] && !joined[m.user_id]) {
          joined[m.user_id] = true;
          emit("join:agent", agentOf(m));
        }
        emit("received:message", publicMessage(m));
        if (!expanded || document.hidden) {
          unread++;
          if (!expanded) preview(m);
        }
        markRead();
      }
      render();
      scrollDown(mine(m));
    }
  }

  function agentOf(m) {
    return { id: m.user_id, name: fullName(m), profile_image: m.profile_image };
  }

  function fullName(m) {
    return [m.first_name, m.last_name].filter(Boolean).join(" ");
  }

  function place(m) {
    const item = messageItem(m);
    const after = Array.prototype.find.call(ui.log.children, (li) => +li.dataset.id > +m.id || li.dataset.pending);
    ui.log.insertBefore(item, after || null);
  }

  function messageItem(m) {
    const own = mine(m);
    const item = h("li", { class: "msg " + (own ? "me" : "them"), "data-id": m.id });
    const column = h("div", { class: "col" });
    const index = messages.indexOf(m);
    const previous = index > 0 ? messages[index - 1] : null;
    if (!own) {
      const image = webUrl(m.profile_image);
      item.appendChild(image ? h("img", { class: "av", src: image, alt: "" }) : h("span", { class: "av" }));
      if (!previous || previous.user_id !== m.user_id) column.appendChild(h("div", { class: "who", text: fullName(m) }));
    }
    // A message of files alone has no text to show in a bubble.
    if (m.html || !(m.files || []).length) {
      const bubble = h("div", { class: "bub" });
      bubble.appendChild(cleanHtml(m.html != null ? m.html : ""));
      column.appendChild(bubble);
    }
    const ours = {};
    (m.files || []).forEach((file) => {
      const link = webUrl(file.url);
      if (!link) return;
      ours[file.url] = true;
      const thumbnail = webUrl(file.thumbnail) || (file.image ? link : "");
      const content = thumbnail
        ? [h("img", { class: "thumb", src: thumbnail, alt: String(file.name || "") })]
        : [h("span", { text: String(file.name || "") }), h("span", { class: "size", text: " " + String(file.size || "") })];
      column.appendChild(h("a", { class: "file", href: link, target: "_blank", rel: "noopener noreferrer" }, content));
    });
    (m.attachments || []).forEach((pair) => {
      const link = webUrl(pair && pair[1]);
      if (link && !ours[pair[1]]) {
        column.appendChild(
          h("a", { class: "file", href: link, target: "_blank", rel: "noopener noreferrer", text: String(pair[0] || link) })
        );
      }
    });
    const meta = h("div", { class: "meta" });
    const when = time(m.creation_time);
    if (when) meta.appendChild(h("time", { datetime: m.creation_time.replace(" ", "T") + "Z", text: when }));
    if (own) meta.appendChild(h("span", { class: "state" }));
    column.appendChild(meta);
    item.appendChild(column);
    return item;
  }

  function time(text) {
    if (!text) return "";
    const date = new Date(String(text).replace(" ", "T") + "Z");
    if (isNaN(date)) return "";
    try {
      const clock = date.toLocaleTimeString(language, { hour: "2-digit", minute: "2-digit" });
      if (date.toDateString() === new Date().toDateString()) return clock;
      return date.toLocaleDateString(language, { day: "numeric", month: "short" }) + " " + clock;
    } catch (e) {
      return date.toLocaleString();
    }
  }

  // Only the server's `html` becomes HTML, and only after it is parsed inert and
  // cut down to the few elements chat markup makes: anything else is dropped, and
  // links keep an http(s) or mail address and nothing else.
  const ALLOWED = { B: 1, I: 1, EM: 1, STRONG: 1, DEL: 1, S: 1, CODE: 1, PRE: 1, A: 1, BR: 1, SPAN: 1, P: 1, UL: 1, OL: 1, LI: 1 };
  function cleanHtml(html) {
    const template = document.createElement("template");
    template.innerHTML = String(html);
    clean(template.content);
    return template.content;
  }
  function clean(node) {
    Array.prototype.slice.call(node.childNodes).forEach((child) => {
      if (child.nodeType === 3) return;
      if (child.nodeType !== 1 || !ALLOWED[child.nodeName]) {
        child.remove();
        return;
      }
      const href = child.nodeName === "A" ? child.getAttribute("href") || "" : "";
      Array.prototype.slice.call(child.attributes).forEach((a) => child.removeAttribute(a.name));
      if (child.nodeName === "A" && /^(https?:|mailto:)/i.test(href.trim())) {
        child.setAttribute("href", href.trim());
        child.setAttribute("target", "_blank");
        child.setAttribute("rel", "noopener noreferrer");
      }
      clean(child);
    });
  }

  function webUrl(link) {
    if (typeof link !== "string" || !link) return "";
    try {
      const url = new URL(link, BASE + "/");
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : "";
    } catch (e) {
      return "";
    }
  }

  // "Sent" or "Seen" under the visitor's latest message.
  function showSeen() {
    Array.prototype.forEach.call(ui.log.querySelectorAll(".state"), (s) => (s.textContent = ""));
    const last = lastMine();
    if (!last) return;
    const item = ui.log.querySelector('[data-id="' + last.id + '"] .state');
    if (item) item.textContent = last.status_code === "2" ? t("Seen") : t("Sent");
    checkSeen(false);
  }

  // The agents read the visitor's messages up to `id` (pushed by the stream).
  function seenUpTo(id) {
    messages.forEach((m) => {
      if (mine(m) && +m.id <= id) m.status_code = "2";
    });
    showSeen();
  }

  function lastMine() {
    for (let i = messages.length - 1; i >= 0; i--) if (mine(messages[i])) return messages[i];
    return null;
  }

  // The stream says when the agents read the visitor's messages; without one (or
  // should that word be missed), while the window is open and the latest one is
  // unseen, it is read again now and then (less and less often).
  let seenTimer = 0;
  let seenPause = 4000;
  const unseen = () => {
    const last = lastMine();
    return last && last.status_code !== "2" && expanded && !document.hidden && !destroyed ? last : null;
  };
  function checkSeen(sooner) {
    if (sooner) {
      cancel(seenTimer);
      seenTimer = 0;
      seenPause = 4000;
    }
    if (seenTimer || !unseen()) return;
    seenTimer = later(() => {
      seenTimer = 0;
      const last = unseen();
      if (!last) return;
      seenPause = Math.min(seenPause * 1.5, 60000);
      const again = () => checkSeen(false);
      news(+last.id - 1).then(again, again);
    }, seenPause);
  }

  // Messages after `after`, and the conversation, availability and typing as
  // they are now. The agents' messages count as read only when the visitor has
  // the window open on a visible page, whatever asked (a poll, a "seen" check).
  async function news(after) {
    const reading = expanded && !document.hidden ? "&read=1" : "";
    const answer = await server("GET", "/widget/messages?after=" + Math.max(0, after) + reading);
    (answer.messages || []).forEach((m) => receive(m, true));
    if (answer.conversation) setConversation(answer.conversation);
    setAvailable(answer.available);
    if (answer.typing && answer.typing.name) showTyping(answer.typing.name);
    else hideTyping();
    return answer;
  }

  // The window is open and the page is seen: what the agents wrote is read
  // (from the oldest unread message; on opening, at least what is new).
  function markRead(opening) {
    if (!expanded || document.hidden) return;
    unread = 0;
    renderLauncher();
    if (!unreadFrom && !opening) return;
    const after = unreadFrom ? unreadFrom - 1 : lastId;
    unreadFrom = 0;
    news(after).catch(noop);
  }

  function setConversation(c) {
    const was = conversation;
    if (was && String(was.id) === String(c.id)) {
      const before = +was.status_code;
      was.status_code = String(c.status_code);
      if (c.rating !== undefined) was.rating = c.rating;
      if (before < 3 && +was.status_code >= 3) ended();
    } else if (!was || +c.id > +was.id) {
      conversation = { id: String(c.id), status_code: String(c.status_code), rating: c.rating == null ? null : c.rating };
      joined = {};
    }
    render();
  }

  function ended() {
    emit("end:chat", { conversation_id: conversation.id });
    Object.keys(joined).forEach((id) => {
      const m = messages.filter((x) => x.user_id === id).pop();
      emit("leave:agent", m ? agentOf(m) : { id: id });
    });
    joined = {};
    rated = null;
  }

  function setAvailable(value) {
    if (typeof value !== "boolean" || value === available) return;
    available = value;
    emit("change:agents_availability", available);
    render();
  }

  // ---- Sending
  async function send(text, attachments) {
    text = text == null ? "" : String(text);
    attachments = attachments || [];
    if (!text.trim() && !attachments.length) throw fail("invalid-argument", "the message is empty");
    const before = conversation;
    const pending = addPending(text || attachments.map((pair) => pair[0]).join(", "));
    stopTyping();
    let answer;
    try {
      answer = await server("POST", "/widget/messages", {
        message: text,
        attachments: attachments,
        department: department ? String(department.id) : undefined,
      });
    } catch (err) {
      pending.remove();
      throw err;
    }
    pending.remove();
    const fresh = !before || String(before.id) !== String(answer.conversation.id);
    if (fresh && before) {
      // A new conversation after the last one closed: the window shows only it, as after a reload.
      messages = messages.filter((m) => +m.id >= +answer.message.id);
      byId = {};
      messages.forEach((m) => (byId[m.id] = m));
      Array.prototype.slice.call(ui.log.children).forEach((li) => {
        if (li.dataset.id && +li.dataset.id < +answer.message.id) li.remove();
      });
    }
    conversation = {
      id: String(answer.conversation.id),
      status_code: String(answer.conversation.status_code),
      rating: fresh ? null : before.rating,
    };
    if (fresh) {
      joined = {};
      rated = null;
      emit("start:chat", { conversation_id: conversation.id });
    }
    receive(answer.message, true);
    emit("sent:message", publicMessage(answer.message));
    waitForAgent();
    render();
    checkSeen(true);
    return publicMessage(answer.message);
  }

  // ---- Files: each one chosen, dropped or pasted is uploaded, then sent as a
  // message of its own.
  async function sendFile(file) {
    if (!file || typeof file !== "object" || !("size" in file)) throw fail("invalid-argument", "not a file");
    const name = file.name || "image.png";
    const pending = addPending(name + " · " + t("Uploading..."));
    let stored;
    try {
      const data = new FormData();
      data.append("file", file, name);
      stored = await server("POST", "/widget/uploads", data);
    } finally {
      pending.remove();
    }
    return send("", [[stored.name, stored.url]]);
  }

  function sendFiles(list) {
    Array.prototype.forEach.call(list || [], (file) =>
      sendFile(file).catch((err) => showError(err.message && err.code !== "network" ? err.message : t("Error. Please try again.")))
    );
  }

  function addPending(text) {
    const item = h("li", { class: "msg me pending", "data-pending": "1" }, [
      h("div", { class: "col" }, [h("div", { class: "bub", text: text }), h("div", { class: "meta", text: t("Sending...") })]),
    ]);
    ui.log.appendChild(item);
    scrollDown(true);
    return item;
  }

  // The stream may bring the visitor's message before the send answers.
  function adoptPending(text) {
    const pending = Array.prototype.find.call(
      ui.log.querySelectorAll("[data-pending]"),
      (li) => li.querySelector(".bub").textContent === text
    );
    if (pending) pending.remove();
  }

  // "Please wait" once the visitor has waited a while for a first answer.
  let waitingTimer = 0;
  function waitForAgent() {
    cancel(waitingTimer);
    if (visitorState !== "waiting_for_agent") return;
    const seconds = OPTIONS.waitingMessageDelay != null ? +OPTIONS.waitingMessageDelay : 30;
    waitingTimer = later(() => {
      if (visitorState !== "waiting_for_agent") return;
      ui.waiting.textContent =
        OPTIONS.waitingMessage || (available ? t("An agent will be with you shortly.") : t("We will reply as soon as possible."));
      ui.waiting.hidden = false;
      scrollDown(false);
    }, Math.max(0, seconds) * 1000);
  }

  // ---- Typing, both ways
  let typingAt = 0;
  let typingOn = false;
  function typed() {
    const has = ui.text.value.trim() !== "";
    const open = conversation && +conversation.status_code < 3;
    if (has && open && Date.now() - typingAt >= TYPING_EVERY) {
      typingAt = Date.now();
      typingOn = true;
      server("POST", "/widget/typing", { typing: true }).catch(noop);
    } else if (!has) {
      stopTyping();
    }
  }
  function stopTyping() {
    if (!typingOn) return;
    typingOn = false;
    typingAt = 0;
    server("POST", "/widget/typing", { typing: false }).catch(noop);
  }

  let typingTimer = 0;
  function showTyping(name) {
    ui.typing.textContent = (name ? name + " " : "") + t("is typing...");
    ui.typing.hidden = false;
    cancel(typingTimer);
    typingTimer = later(hideTyping, TYPING_SHOWN);
    scrollDown(false);
  }
  function hideTyping() {
    cancel(typingTimer);
    if (ui.typing) ui.typing.hidden = true;
  }

  // ---- Live: the event stream, or polling where there is none or it keeps failing
  let stream = null;
  let failures = 0;
  let retryTimer = 0;
  let pollTimer = 0;
  let polls = 0;
  let live = 0; // bumped by disconnect(): answers of an older connection schedule nothing
  function connect() {
    disconnect();
    if (destroyed || !credential) return;
    if (!window.EventSource || failures >= 3) {
      poll();
      return;
    }
    const url = BASE + "/widget/events?visitor=" + encodeURIComponent(credential) + "&after=" + lastId;
    const source = new EventSource(url);
    stream = source;
    source.onopen = () => {
      failures = 0;
    };
    source.onerror = () => {
      if (stream !== source) return;
      // Each stream ends after 55 s and the browser reconnects (Last-Event-ID):
      // an error followed by an open is normal; three in a row are not.
      failures++;
      if (failures >= 3 || source.readyState === 2) {
        source.close();
        stream = null;
        if (failures >= 3) poll();
        else retryTimer = later(connect, 3000 * failures);
      }
    };
    const listen = (name, fn) =>
      source.addEventListener(name, (e) => {
        failures = 0;
        let data;
        try {
          data = JSON.parse(e.data);
        } catch (err) {
          return;
        }
        fn(data);
      });
    listen("message", (m) => receive(m, true));
    listen("typing", (d) => (d.typing ? showTyping(d.name) : hideTyping()));
    listen("status", (d) => setConversation({ id: d.conversation_id, status_code: d.status_code }));
    listen("seen", (d) => seenUpTo(+d.message_id));
    listen("availability", (d) => setAvailable(!!d.available));
  }

  function disconnect() {
    live++;
    if (stream) stream.close();
    stream = null;
    cancel(retryTimer);
    cancel(pollTimer);
  }

  function poll() {
    cancel(pollTimer);
    // Now and then the stream is given another chance.
    if (window.EventSource && ++polls % 20 === 0) {
      failures = 2;
      connect();
      return;
    }
    const current = live;
    const next = (pause) => {
      if (current === live && !destroyed) pollTimer = later(poll, pause);
    };
    news(lastId).then(
      () => next(POLL_EVERY),
      () => next(POLL_EVERY * 4)
    );
  }

  // ---- The visitor's state, as getVisitorState tells it
  function updateState() {
    let state = "passive";
    if (conversation && +conversation.status_code < 3 && messages.some(mine)) {
      state = messages.some((m) => STAFF[m.user_type]) ? "chatting" : "waiting_for_agent";
    }
    if (state !== visitorState) {
      visitorState = state;
      emit("change:visitor_state", state);
    }
  }

  // ---- Drawing
  function h(tag, attrs, children) {
    const el = document.createElement(tag);
    Object.keys(attrs || {}).forEach((name) => {
      const value = attrs[name];
      if (value == null || value === false) return;
      if (name === "text") el.textContent = value;
      else el.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach((child) => child && el.appendChild(child));
    return el;
  }

  const ICONS = {
    chat: "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9zm4 0v2h2V9zm4 0v2h2V9z",
    close: "M6.4 5 5 6.4l5.6 5.6L5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z",
    send: "M3 20.5 21 12 3 3.5v6.6l12.9 1.9L3 13.9z",
    clip: "M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z",
    mail: "M3 5h18v14H3zm2 2v.4l7 4.4 7-4.4V7zm14 2.8-7 4.4-7-4.4V17h14z",
    thumb:
      "M2 21h4V9H2zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6C6.2 8 6 8.5 6 9v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1.2-.7z",
  };
  function icon(name) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  function iconButton(name, label, cls) {
    return h("button", { type: "button", class: "icon " + (cls || ""), "aria-label": label, title: label }, [icon(name)]);
  }

  // Styles go in as constructed style sheets where the browser has them (a page's
  // Content-Security-Policy without 'unsafe-inline' still allows those), else as
  // <style> elements.
  function addStyles(css) {
    if (!ui.shadow) return;
    if (window.CSSStyleSheet && "adoptedStyleSheets" in ui.shadow && "replaceSync" in CSSStyleSheet.prototype) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(String(css));
      ui.shadow.adoptedStyleSheets = ui.shadow.adoptedStyleSheets.concat([sheet]);
    } else {
      ui.shadow.appendChild(h("style", { text: String(css) }));
    }
  }

  function addStyleFile(link) {
    return new Promise((resolve, reject) => {
      const href = webUrl(link);
      if (!href) return reject(fail("invalid-argument", "not an http(s) URL: " + link));
      const el = h("link", { rel: "stylesheet", href: href });
      el.addEventListener("load", () => resolve());
      el.addEventListener("error", () => reject(fail("network", "the CSS file could not be loaded: " + href)));
      ui.shadow.appendChild(el);
    });
  }

  function mount() {
    ui.host = document.createElement("switchboard-widget");
    ui.host.id = "switchboard-widget";
    ui.shadow = ui.host.attachShadow({ mode: "open" });
    addStyles(CSS);
    ui.root = h("div", { class: "sb" });
    ui.shadow.appendChild(ui.root);

    ui.launcher = h("button", { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "sb-window" }, [
      icon("chat"),
      icon("close"),
      h("span", { class: "count", "aria-hidden": "true", hidden: true }),
    ]);
    ui.launcher.addEventListener("click", () => {
      emit("click:badge");
      if (expanded) collapse();
      else expand(true);
    });

    ui.bubbleOpen = h("button", { type: "button", class: "bubble-open" });
    ui.bubbleClose = iconButton("close", t("Close"), "bubble-close");
    ui.bubble = h("div", { class: "bubble", hidden: true, "aria-live": "polite" }, [ui.bubbleOpen, ui.bubbleClose]);
    ui.bubbleOpen.addEventListener("click", () => {
      const shown = ui.bubble.dataset.proactive === "1" ? proactive : null;
      expand(true);
      if (shown) emit("activate:triggered_chat", shown);
    });
    ui.bubbleClose.addEventListener("click", () => (ui.bubble.hidden = true));

    ui.brand = h("img", { class: "brand", alt: "", hidden: true });
    ui.title = h("h2", { id: "sb-title" });
    ui.sub = h("p", { class: "sub" });
    ui.transcriptButton = iconButton("mail", t("Send transcript by email"), "transcript-button");
    ui.transcriptButton.addEventListener("click", () => {
      transcriptOpen = !transcriptOpen;
      render();
      if (transcriptOpen) focusFirst(ui.transcript);
    });
    ui.close = iconButton("close", t("Close"), "close");
    ui.close.addEventListener("click", () => collapse());

    ui.log = h("ol", { class: "log", role: "log", "aria-live": "polite" });
    ui.welcome = h("p", { class: "welcome" });
    ui.away = h("p", { class: "note away", hidden: true });
    ui.waiting = h("p", { class: "note waiting", hidden: true, role: "status" });
    ui.typing = h("p", { class: "typing", hidden: true, "aria-live": "polite" });
    ui.closed = h("p", { class: "note closed", hidden: true, text: t("This conversation has been closed.") });
    ui.rate = ratingPanel();
    ui.prechat = h("form", { class: "card prechat", hidden: true, novalidate: true });
    ui.prechat.addEventListener("submit", submitPrechat);
    ui.offline = offlineForm();
    ui.transcript = transcriptForm();
    ui.scroller = h("div", { class: "body" }, [
      ui.welcome,
      ui.log,
      ui.waiting,
      ui.typing,
      ui.closed,
      ui.rate,
      ui.prechat,
      ui.offline,
      ui.transcript,
    ]);

    ui.error = h("p", { class: "error", role: "alert", hidden: true });
    ui.text = h("textarea", { rows: "1", "aria-label": t("Type a message..."), placeholder: t("Type a message..."), maxlength: "10000" });
    ui.sendButton = h("button", { type: "submit", class: "send", "aria-label": t("Send"), title: t("Send") }, [icon("send")]);
    ui.fileInput = h("input", { type: "file", multiple: "multiple", hidden: true, tabindex: "-1", "aria-hidden": "true" });
    ui.fileInput.addEventListener("change", () => {
      sendFiles(ui.fileInput.files);
      ui.fileInput.value = "";
    });
    ui.attachButton = iconButton("clip", t("Attach a file"), "attach");
    ui.attachButton.addEventListener("click", () => ui.fileInput.click());
    ui.text.addEventListener("paste", (e) => {
      const pasted = e.clipboardData && e.clipboardData.files;
      if (pasted && pasted.length) {
        e.preventDefault();
        sendFiles(pasted);
      }
    });
    ui.composer = h("form", { class: "composer" }, [ui.attachButton, ui.fileInput, ui.text, ui.sendButton]);
    ui.composer.addEventListener("submit", (e) => {
      e.preventDefault();
      submitComposer();
    });
    ui.text.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        submitComposer();
      }
    });
    ui.text.addEventListener("input", () => {
      grow();
      typed();
    });

    ui.window = h("section", { class: "window", id: "sb-window", role: "dialog", "aria-labelledby": "sb-title", hidden: true }, [
      h("header", { class: "head" }, [ui.brand, h("div", { class: "titles" }, [ui.title, ui.sub]), ui.transcriptButton, ui.close]),
      ui.away,
      ui.scroller,
      h("footer", { class: "foot" }, [ui.error, ui.composer]),
    ]);
    ui.window.addEventListener("dragover", (e) => e.preventDefault());
    ui.window.addEventListener("drop", (e) => {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files.length) sendFiles(e.dataTransfer.files);
    });
    ui.root.append(ui.launcher, ui.bubble, ui.window);
    ui.root.addEventListener("keydown", keys);
    // Keys typed in the widget are the widget's: the page's shortcuts must not see them.
    ["keydown", "keyup", "keypress"].forEach((type) =>
      ui.root.addEventListener(type, (e) => {
        if (/^(INPUT|TEXTAREA)$/.test(e.target.tagName)) e.stopPropagation();
      })
    );

    if (OPTIONS.customStyles) addStyles(OPTIONS.customStyles);
    (Array.isArray(OPTIONS.customCSSFiles) ? OPTIONS.customCSSFiles : []).forEach((file) => addStyleFile(file).catch(noop));
    // On the root rather than in <body>: a transform or filter on <body> would
    // make it the box the widget's fixed elements are placed in.
    document.documentElement.appendChild(ui.host);
    document.addEventListener("visibilitychange", visibility);
    window.addEventListener("pagehide", leave);
    window.addEventListener("pageshow", back);
  }

  function visibility() {
    if (!document.hidden) {
      markRead();
      checkSeen(true);
    }
  }
  // A page left (or kept in the back/forward cache) lets its stream go.
  function leave() {
    stopTyping();
    disconnect();
  }
  function back(e) {
    if (e.persisted && ready && !destroyed) connect();
  }

  function field(label, name, type, need, multiline) {
    const id = "sb-" + (++fieldCount);
    const input = h(multiline ? "textarea" : "input", {
      id: id,
      name: name,
      type: multiline ? null : type,
      rows: multiline ? "4" : null,
      required: need === "required",
      "aria-required": need === "required" ? "true" : null,
      autocomplete: { name: "name", email: "email", phone: "tel" }[name] || null,
    });
    return h("div", { class: "field" }, [h("label", { for: id, text: label + (need === "required" ? " *" : "") }), input]);
  }
  let fieldCount = 0;

  function formError(form, text) {
    const p = form.querySelector(".error");
    p.textContent = text || "";
    p.hidden = !text;
  }

  // Required fields filled, the email an address: else the message to show.
  function invalid(form) {
    for (const input of form.querySelectorAll("input, textarea")) {
      const value = input.value.trim();
      if (input.required && !value) {
        input.focus();
        return input.name === "email" ? t("Please enter your email.") : t("All fields are required.");
      }
      if (input.name === "email" && value && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
        input.focus();
        return t("Invalid email address.");
      }
    }
    return "";
  }

  function values(form) {
    const out = {};
    form.querySelectorAll("input, textarea").forEach((input) => {
      if (input.value.trim()) out[input.name] = input.value.trim();
    });
    return out;
  }

  function busy(form, on) {
    form.querySelectorAll("button, input, textarea").forEach((el) => (el.disabled = on));
  }

  function prechatFields() {
    const asked = settings.prechat || {};
    return ["name", "email", "phone"].filter((name) => asked[name] === "required" || asked[name] === "optional");
  }

  function needsPrechat() {
    const asked = settings.prechat || {};
    return !!asked.show && me && !me.identified && !messages.length && prechatFields().length > 0 && !prechatDone;
  }
  let prechatDone = false;

  function buildPrechat() {
    if (ui.prechat.childNodes.length) return;
    const asked = settings.prechat || {};
    const labels = { name: t("Your name"), email: t("Email"), phone: t("Phone") };
    const types = { name: "text", email: "email", phone: "tel" };
    ui.prechat.append(
      h("p", { class: "intro", text: settings.welcome || t("Hi! How can we help you?") }),
      ...prechatFields().map((name) => field(labels[name], name, types[name], asked[name])),
      h("p", { class: "error", role: "alert", hidden: true }),
      h("button", { type: "submit", class: "primary", text: t("Start a conversation") })
    );
  }

  async function submitPrechat(e) {
    e.preventDefault();
    const problem = invalid(ui.prechat);
    formError(ui.prechat, problem);
    if (problem) return;
    const given = values(ui.prechat);
    busy(ui.prechat, true);
    try {
      if (Object.keys(given).length) me = await server("POST", "/widget/info", given);
      prechatDone = true;
      render();
      ui.text.focus();
    } catch (err) {
      formError(ui.prechat, err.code === "invalid-argument" && /email/.test(err.message) ? t("Invalid email address.") : t("Error. Please try again."));
    } finally {
      busy(ui.prechat, false);
    }
  }

  function offlineForm() {
    const form = h("form", { class: "card offline", hidden: true, novalidate: true }, [
      h("p", { class: "intro", text: t("Leave a message and we will get back to you by email.") }),
      field(t("Your name"), "name", "text", "optional"),
      field(t("Email"), "email", "email", "required"),
      field(t("Message"), "message", null, "required", true),
      h("p", { class: "error", role: "alert", hidden: true }),
      h("button", { type: "submit", class: "primary", text: t("Send") }),
    ]);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const problem = invalid(form);
      formError(form, problem);
      if (problem) return;
      const given = values(form);
      busy(form, true);
      try {
        await server("POST", "/widget/offline", { name: given.name || "", email: given.email, message: given.message });
        leftMessage = true;
        form.reset();
        ui.waiting.textContent = t("We will reply as soon as possible.");
        ui.waiting.hidden = false;
        // The message opened a conversation: it and its state come from here.
        await news(lastId);
        render();
        ui.text.focus();
      } catch (err) {
        formError(form, err.code === "invalid-argument" && /email/.test(err.message) ? t("Invalid email address.") : t("Error. Please try again."));
      } finally {
        busy(form, false);
      }
    });
    return form;
  }

  function ratingPanel() {
    const good = h("button", { type: "button", class: "good", "aria-label": t("Helpful"), title: t("Helpful") }, [icon("thumb")]);
    const bad = h("button", { type: "button", class: "bad", "aria-label": t("Not helpful"), title: t("Not helpful") }, [icon("thumb")]);
    const panel = h("div", { class: "card rate", hidden: true, role: "group", "aria-labelledby": "sb-rate" }, [
      h("p", { id: "sb-rate", text: t("Rate your experience") }),
      h("div", { class: "choices" }, [good, bad]),
    ]);
    const choose = async (rating) => {
      busy(panel, true);
      try {
        await server("POST", "/widget/rating", { rating: rating });
        rated = rating;
        if (conversation) conversation.rating = String(rating);
        panel.replaceChildren(h("p", { class: "thanks", role: "status", text: t("Thank you for your rating!") }));
        emit("submitted:rating", rating);
      } catch (err) {
        showError(t("Error. Please try again."));
      } finally {
        busy(panel, false);
      }
    };
    good.addEventListener("click", () => choose(1));
    bad.addEventListener("click", () => choose(0));
    return panel;
  }

  function transcriptForm() {
    const form = h("form", { class: "card transcript", hidden: true, novalidate: true }, [
      field(t("Email"), "email", "email", "required"),
      h("p", { class: "error", role: "alert", hidden: true }),
      h("button", { type: "submit", class: "primary", text: t("Send transcript by email") }),
    ]);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const problem = invalid(form);
      formError(form, problem);
      if (problem) return;
      busy(form, true);
      try {
        await server("POST", "/widget/transcript", { email: values(form).email });
        transcriptOpen = false;
        render();
        ui.waiting.textContent = t("Sent");
        ui.waiting.hidden = false;
      } catch (err) {
        formError(form, err.code === "invalid-argument" ? t("Invalid email address.") : t("Error. Please try again."));
      } finally {
        busy(form, false);
      }
    });
    return form;
  }

  async function submitComposer() {
    const text = ui.text.value;
    if (!text.trim() || !ready) return;
    ui.text.value = "";
    grow();
    try {
      await send(text);
    } catch (err) {
      if (!ui.text.value) ui.text.value = text;
      grow();
      showError(t("Error. Please try again."));
    }
  }

  let errorTimer = 0;
  function showError(text) {
    ui.error.textContent = text;
    ui.error.hidden = false;
    cancel(errorTimer);
    errorTimer = later(() => (ui.error.hidden = true), 6000);
  }

  function grow() {
    ui.text.style.height = "auto";
    ui.text.style.height = Math.min(ui.text.scrollHeight + 2, 120) + "px";
  }

  function scrollDown(always) {
    const box = ui.scroller;
    if (!box) return;
    if (always || box.scrollHeight - box.scrollTop - box.clientHeight < 120) box.scrollTop = box.scrollHeight;
  }

  // Colours, brand, position and direction: the settings, then a design automation over them.
  let designed = {};
  function design() {
    const colors = settings.colors || [];
    const pick = (i) => designed["color_" + (i + 1)] || colors[i];
    ["--c1", "--c2", "--c3"].forEach((name, i) => {
      if (pick(i)) ui.root.style.setProperty(name, pick(i));
    });
    const brand = webUrl(designed.brand || settings.brand_image);
    ui.brand.hidden = !brand;
    if (brand) ui.brand.src = brand;
    const background = webUrl(designed.background);
    if (background) ui.scroller.style.backgroundImage = 'url("' + background.replace(/["\\]/g, encodeURIComponent) + '")';
    const position = OPTIONS.position === "left" || OPTIONS.position === "right" ? OPTIONS.position : settings.position;
    ui.root.classList.toggle("left", position === "left");
    ui.root.setAttribute("dir", settings.rtl ? "rtl" : "ltr");
    ui.root.setAttribute("lang", language);
  }

  function mode() {
    const open = conversation && +conversation.status_code < 3;
    if (!available && settings.offline_form && !open && !leftMessage) return "offline";
    if (needsPrechat()) return "prechat";
    return "chat";
  }

  // Shows and hides what the state calls for.
  function render() {
    if (!ui.root) return;
    updateState();
    const now = mode();
    ui.title.textContent = designed.title || settings.title || "";
    ui.sub.textContent = designed.message || settings.message || (available ? t("Our team is online") : t("We are away"));
    ui.sub.classList.toggle("online", available);
    ui.welcome.textContent = settings.welcome || t("Hi! How can we help you?");
    ui.welcome.hidden = now !== "chat";
    ui.away.textContent = t("We are away") + ". " + t("We will reply as soon as possible.");
    ui.away.hidden = available || now !== "chat";
    const closed = !!conversation && +conversation.status_code >= 3 && messages.length > 0;
    ui.closed.hidden = !closed;
    // Archived conversations are rated once; trashed ones are not asked about.
    const archived = closed && +conversation.status_code === 3;
    if (archived && conversation.rating == null && rated === null && ui.rate.querySelector(".choices") === null) {
      ui.rate.replaceWith((ui.rate = ratingPanel()));
    }
    ui.rate.hidden = !(archived && (conversation.rating == null || rated !== null));
    if (now === "prechat") buildPrechat();
    ui.prechat.hidden = now !== "prechat";
    ui.offline.hidden = now !== "offline";
    if (now === "offline" && me) {
      // What the visitor already told is filled in.
      const known = { name: [me.first_name, me.last_name].filter(Boolean).join(" "), email: me.email || "" };
      if (!me.identified) known.name = "";
      ui.offline.querySelectorAll("input").forEach((input) => {
        if (!input.value && known[input.name]) input.value = known[input.name];
      });
    }
    ui.transcriptButton.hidden = !messages.length;
    ui.transcript.hidden = !transcriptOpen || !messages.length;
    if (!ui.transcript.hidden && me && me.email) {
      const input = ui.transcript.querySelector("input");
      if (!input.value) input.value = me.email;
    }
    ui.composer.hidden = now !== "chat";
    showSeen();
    renderLauncher();
  }

  function renderLauncher() {
    if (!ui.root) return;
    const open = conversation && +conversation.status_code < 3;
    const wanted = available || settings.offline_form || open || messages.length > 0 || OPTIONS.forceShowWidget;
    ui.host.hidden = !widgetOn || !(wanted || expanded);
    ui.launcher.hidden = !badgeOn;
    ui.root.classList.toggle("open", expanded);
    ui.launcher.setAttribute("aria-expanded", String(expanded));
    ui.launcher.setAttribute("aria-label", expanded ? t("Close") : t("Open chat"));
    const count = ui.launcher.querySelector(".count");
    count.textContent = unread > 9 ? "9+" : String(unread);
    count.hidden = !unread || expanded;
  }

  // ---- Opening and closing
  function expand(focus) {
    if (!ui.root) return;
    if (badgeAfterOpening) {
      badgeAfterOpening = false;
      badgeOn = true;
    }
    if (!expanded) {
      expanded = true;
      ui.window.hidden = false;
      ui.bubble.hidden = true;
      store("sessionStorage", STORE_KEY + ":open", "1");
      render();
      scrollDown(true);
      emit("expand:chatbox");
    }
    // The message box, not the paper clip before it, takes the focus in a chat.
    const form = ui.window.querySelector(".prechat:not([hidden]), .offline:not([hidden])");
    if (focus && form) focusFirst(form);
    else if (focus) ui.text.focus();
    markRead(true);
    checkSeen(true);
  }

  function collapse() {
    if (!ui.root || !expanded) return;
    const inside = ui.shadow.activeElement && ui.window.contains(ui.shadow.activeElement);
    expanded = false;
    ui.window.hidden = true;
    store("sessionStorage", STORE_KEY + ":open", null);
    render();
    if (inside && !ui.launcher.hidden) ui.launcher.focus();
    emit("collapse:chatbox");
  }

  function focusables(container) {
    return Array.prototype.filter.call(
      container.querySelectorAll("button, [href], input, textarea, select, [tabindex]"),
      (el) => !el.disabled && el.tabIndex >= 0 && el.getClientRects().length > 0
    );
  }

  function focusFirst(container) {
    const first = focusables(container)[0];
    if (first) first.focus();
  }

  // Escape closes; Tab stays inside the open window.
  function keys(e) {
    if (e.key === "Escape") {
      if (expanded) {
        collapse();
        e.stopPropagation();
      } else if (!ui.bubble.hidden) {
        ui.bubble.hidden = true;
      }
      return;
    }
    if (e.key !== "Tab" || !expanded || !ui.window.contains(ui.shadow.activeElement)) return;
    const all = focusables(ui.window);
    if (!all.length) return;
    const first = all[0];
    const last = all[all.length - 1];
    if (e.shiftKey && ui.shadow.activeElement === first) {
      last.focus();
      e.preventDefault();
    } else if (!e.shiftKey && ui.shadow.activeElement === last) {
      first.focus();
      e.preventDefault();
    }
  }

  // The small bubble by the launcher: a proactive message, or what an agent just
  // wrote while the window was closed.
  function bubble(title, text, image, isProactive) {
    const avatar = webUrl(image);
    ui.bubbleOpen.replaceChildren(
      avatar ? h("img", { class: "av", src: avatar, alt: "" }) : h("span", { class: "av" }),
      h("span", { class: "bubble-text" }, [
        title ? h("strong", { text: title }) : null,
        h("span", { class: "bubble-message", text: text.length > 240 ? text.slice(0, 240) + "…" : text }),
      ])
    );
    ui.bubble.dataset.proactive = isProactive ? "1" : "";
    ui.bubble.hidden = expanded || !widgetOn;
  }

  function preview(m) {
    bubble(fullName(m), m.message || "", m.profile_image, false);
  }

  // ---- Automations whose conditions only the browser can decide
  let automationTimers = [];
  const shownAutomations = {};
  function automations() {
    automationTimers.forEach(cancel);
    automationTimers = [];
    server("GET", "/widget/automations").then((list) => (list || []).forEach(consider), noop);
  }

  function consider(automation) {
    if (destroyed || shownAutomations[automation.id]) return;
    let wait = 0;
    for (const condition of automation.conditions || []) {
      const verdict = decide(condition);
      if (verdict === false) return;
      if (typeof verdict === "number") wait = Math.max(wait, verdict);
    }
    if (wait > 0) automationTimers.push(later(() => consider(automation), wait));
    else run(automation);
  }

  // true, false, or the milliseconds until it may hold (time on page).
  function decide(condition) {
    const name = condition[0];
    const operator = condition[1];
    const value = condition.length > 2 ? condition[2] : condition[1];
    const visits = parseInt(me && me.details && me.details.visits, 10) || 1;
    switch (name) {
      case "include_urls":
        return matches(location.href, operator, value);
      case "exclude_urls":
        return !matches(location.href, operator, value);
      case "referring":
        return matches(document.referrer || "", operator, value);
      case "returning_visitor":
        return (operator === "returning-visitor") === (visits > 1 || cameBefore);
      case "visits": {
        const n = parseInt(value, 10);
        if (operator === "is-more-than") return visits > n;
        if (operator === "is-less-than") return visits < n;
        return visits === n;
      }
      case "time_on_page": {
        const left = (parseFloat(value) || 0) * 1000 - (Date.now() - pageStart);
        return left <= 0 ? true : left;
      }
      default:
        return false; // a condition the server left open that this page cannot decide
    }
  }

  function matches(text, operator, value) {
    const trim = (s) => s.trim().replace(/\/+$/, "");
    return String(value || "")
      .split(",")
      .some((part) => {
        part = part.trim();
        if (!part) return false;
        if (operator === "exact") return trim(text) === trim(part);
        return text.toLowerCase().indexOf(part.toLowerCase()) >= 0;
      });
  }

  function run(automation) {
    shownAutomations[automation.id] = true;
    if (automation.type === "popups" || automation.type === "messages") {
      proactive = {
        id: automation.id,
        type: automation.type,
        title: automation.title || "",
        message: automation.message || "",
        profile_image: automation.profile_image || "",
      };
      bubble(proactive.title, proactive.message, proactive.profile_image, true);
      emit("received:proactive_message", proactive);
    } else if (automation.type === "design") {
      designed = automation;
      design();
      render();
      const iconImage = webUrl(automation.icon);
      if (iconImage) ui.launcher.prepend(h("img", { class: "launcher-image", src: iconImage, alt: "" }));
    } else if (automation.type !== "emails") {
      return;
    }
    server("POST", "/widget/automations/shown", { id: automation.id }).catch(noop);
  }

  // ---- The JavaScript API
  function findDepartment(wanted) {
    return departments.find((d) => String(d.id) === String(wanted)) || null;
  }

  function slug(name) {
    return String(name)
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, 64);
  }

  function visitorInfo() {
    const details = Object.assign({}, (me && me.details) || {});
    return {
      id: me.id,
      name: [me.first_name, me.last_name].filter(Boolean).join(" "),
      first_name: me.first_name,
      last_name: me.last_name,
      email: me.email,
      phone: details.phone || null,
      user_type: me.user_type,
      identified: !!me.identified,
      details: details,
    };
  }

  // Sends what the site says about its visitor; a proof that merges the visitor
  // into a known customer changes who the credential opens, so everything is
  // read again.
  async function tell(body) {
    const before = me && me.id;
    me = await server("POST", "/widget/info", body);
    if (String(me.id) !== String(before)) {
      disconnect();
      await start();
      automations();
    } else {
      render();
    }
    return visitorInfo();
  }

  const methods = {
    setVisitorInfo(info) {
      if (!info || typeof info !== "object") throw fail("invalid-argument", "expected an object");
      const body = {};
      const details = {};
      Object.keys(info).forEach((key) => {
        const value = info[key];
        if (value == null) return;
        if (["name", "first_name", "last_name", "email", "phone"].indexOf(key) >= 0) body[key] = String(value);
        else if (key === "phoneNumber") body.phone = String(value);
        else if (key === "identity_hash") body.identity = Object.assign(body.identity || {}, { hash: String(value) });
        else if (key === "identity" && typeof value === "object") body.identity = Object.assign(body.identity || {}, value);
        else if (key === "user_id" && info.identity_hash) body.identity = Object.assign(body.identity || {}, { user_id: value });
        else if (typeof value !== "object" && slug(key)) details[slug(key)] = String(value);
      });
      if (Object.keys(details).length) body.details = details;
      return tell(body).then((visitor) => {
        prechatDone = prechatDone || !!visitor.identified;
        return visitor;
      });
    },
    getVisitorInfo: () => visitorInfo(),
    unsetVisitor() {
      prechatDone = false;
      leftMessage = false;
      return restart().then(noop);
    },
    setCustomFields(fields) {
      if (!fields || typeof fields !== "object") throw fail("invalid-argument", "expected an object");
      const details = {};
      Object.keys(fields).forEach((key) => {
        if (fields[key] != null && slug(key)) details[slug(key)] = String(fields[key]);
      });
      return tell({ details: details }).then(() => fields);
    },
    unsetCustomFields(names) {
      if (!Array.isArray(names)) throw fail("invalid-argument", "expected a list of names");
      return tell({ unset: names.map(slug).filter(Boolean) }).then(noop);
    },
    getCustomField(name) {
      const value = ((me && me.details) || {})[slug(name)];
      if (value === undefined) throw fail("field-not-found", "no custom field " + name);
      return value;
    },
    setPreferredDepartment(id) {
      const found = findDepartment(id);
      if (!found) throw fail("department-not-found", "no department " + id);
      department = found;
    },
    setPreferredDepartmentByName(name) {
      const found = departments.find((d) => String(d.name).toLowerCase() === String(name).toLowerCase());
      if (!found) throw fail("department-not-found", "no department " + name);
      department = found;
    },
    unsetPreferredDepartment() {
      department = null;
    },
    getPreferredDepartment: () => department,
    getDepartments: () => departments.map((d) => ({ id: d.id, name: d.name })),
    addCustomStyles(css) {
      addStyles(css);
    },
    addCustomCSSFile: (link) => addStyleFile(link),
    expandChatbox() {
      expand(true);
    },
    collapseChatbox() {
      collapse();
    },
    showWidget() {
      widgetOn = true;
      renderLauncher();
    },
    hideWidget() {
      widgetOn = false;
      collapse();
      ui.bubble.hidden = true;
      renderLauncher();
    },
    showBadge() {
      badgeOn = true;
      renderLauncher();
    },
    hideBadge() {
      badgeOn = false;
      renderLauncher();
    },
    pageLoaded() {
      pageStart = Date.now();
      return server("POST", "/widget/page", page()).then(() => {
        if (me && me.details) me.details.visits = String((parseInt(me.details.visits, 10) || 0) + 1);
        automations();
      });
    },
    destroy() {
      leave();
      destroyed = true;
      ready = false;
      timers.forEach((id) => clearTimeout(id));
      timers.clear();
      document.removeEventListener("visibilitychange", visibility);
      window.removeEventListener("pagehide", leave);
      window.removeEventListener("pageshow", back);
      if (ui.host) ui.host.remove();
      settle(fail("destroyed", "the widget was destroyed"));
    },
    getAgentsAvailability: () => available,
    getVisitorState: () => visitorState,
    getProactiveMessage: () => proactive,
    getWidgetProperties: () => ({
      version: VERSION,
      server: BASE,
      title: ui.title.textContent,
      position: ui.root.classList.contains("left") ? "left" : "right",
      colors: ["--c1", "--c2", "--c3"].map((name) => ui.root.style.getPropertyValue(name)),
      language: language,
      available: available,
      visible: !ui.host.hidden,
      expanded: expanded,
      badge: !ui.launcher.hidden,
      departments: methods.getDepartments(),
      visitor_id: me && me.id,
    }),
    sendMessage: (text) => send(text),
    sendFile: (file) => sendFile(file),
    getMessages: () => messages.map(publicMessage),
  };

  // Every method takes a Node-style callback last, or answers a promise; calls
  // made before the widget has started wait for it.
  const Switchboard = {
    version: VERSION,
    on(name, handler) {
      if (typeof handler !== "function") throw new TypeError("Switchboard.on: the handler must be a function");
      if (EVENTS.indexOf(name) < 0 && window.console) console.warn("Switchboard.on: unknown event " + name);
      (handlers[name] = handlers[name] || []).push(handler);
      return Switchboard;
    },
    off(name, handler) {
      handlers[name] = (handlers[name] || []).filter((h) => h !== handler && handler !== undefined);
      return Switchboard;
    },
  };
  Object.keys(methods).forEach((name) => {
    Switchboard[name] = function () {
      const args = Array.prototype.slice.call(arguments);
      const callback = typeof args[args.length - 1] === "function" ? args.pop() : null;
      const promise = (name === "destroy" && !destroyed ? Promise.resolve() : whenReady()).then(() =>
        methods[name].apply(null, args)
      );
      if (!callback) return promise;
      promise.then(
        (value) => callback(null, value),
        (err) => callback(err)
      );
      return undefined;
    };
  });
  window.Switchboard = Switchboard;

  const CSS = `
:host{all:initial!important;display:block!important;position:fixed!important;top:0!important;left:0!important;width:0!important;height:0!important;overflow:visible!important;visibility:visible!important;opacity:1!important;transform:none!important;filter:none!important;z-index:2147483000!important;pointer-events:auto!important}
:host([hidden]){display:none!important}
.sb{--c1:#028be5;--c2:#026eb3;--c3:#fff;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;text-align:start;-webkit-font-smoothing:antialiased}
*,*::before,*::after{box-sizing:border-box;margin:0;padding:0;border:0;font:inherit;color:inherit;background:none;letter-spacing:normal;text-transform:none;text-decoration:none;text-indent:0;float:none;max-width:none}
[hidden]{display:none!important}
button{appearance:none;-webkit-appearance:none;cursor:pointer;display:inline-flex;align-items:center;justify-content:center;user-select:none}
button:disabled{cursor:default;opacity:.6}
svg{display:block;fill:currentColor;width:20px;height:20px}
:focus-visible{outline:2px solid var(--c1);outline-offset:2px}
.launcher{position:fixed;bottom:20px;right:20px;width:60px;height:60px;border-radius:50%;background:var(--c1);color:var(--c3);box-shadow:0 6px 24px rgba(0,0,0,.24);transition:transform .15s}
.launcher:hover{background:var(--c2);transform:scale(1.05)}
.launcher svg{width:30px;height:30px}
.launcher .launcher-image{width:60px;height:60px;border-radius:50%;object-fit:cover;position:absolute}
.launcher svg+svg,.open .launcher svg:first-of-type,.open .launcher .launcher-image{display:none}
.open .launcher svg+svg{display:block}
.count{position:absolute;top:-3px;right:-3px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#d92d20;color:#fff;font-size:12px;font-weight:700;line-height:22px;text-align:center}
.left .launcher,.left .window,.left .bubble{right:auto;left:20px}
.left .count{right:auto;left:-3px}
.bubble{position:fixed;bottom:92px;right:20px;width:300px;background:#fff;border-radius:14px;box-shadow:0 8px 32px rgba(0,0,0,.2);animation:sb-in .2s ease-out}
.bubble-open{display:flex;align-items:flex-start;gap:10px;width:100%;padding:14px 36px 14px 14px;text-align:start}
.bubble-text{display:flex;flex-direction:column;gap:2px;min-width:0;overflow-wrap:anywhere}
.bubble strong{font-weight:600}
.bubble-message{color:#3b4450;display:-webkit-box;-webkit-line-clamp:4;-webkit-box-orient:vertical;overflow:hidden}
.bubble-close{position:absolute;top:6px;right:6px;width:26px;height:26px;border-radius:50%;color:#5f6b7a}
.bubble-close:hover{background:#eef0f3}
.bubble-close svg{width:16px;height:16px}
.window{position:fixed;bottom:92px;right:20px;width:370px;height:600px;max-height:calc(100vh - 112px);display:flex;flex-direction:column;background:#fff;border-radius:16px;box-shadow:0 12px 48px rgba(0,0,0,.25);overflow:hidden;animation:sb-in .18s ease-out}
.head{display:flex;align-items:center;gap:10px;padding:14px 10px 14px 18px;background:var(--c1);color:var(--c3);flex:none}
.brand{max-height:34px;max-width:90px;object-fit:contain}
.titles{flex:1;min-width:0}
h2{font-size:16px;font-weight:650;line-height:1.3;overflow-wrap:anywhere}
.sub{font-size:12.5px;opacity:.92;overflow-wrap:anywhere}
.sub.online::before{content:"";display:inline-block;width:8px;height:8px;border-radius:50%;background:#3ddc84;margin-inline-end:6px;vertical-align:1px}
.icon{width:36px;height:36px;border-radius:10px;flex:none}
.head .icon:hover{background:rgba(255,255,255,.16)}
.head :focus-visible{outline-color:var(--c3)}
.body{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:16px 14px;background:#f5f6f8 center/cover no-repeat;display:flex;flex-direction:column;gap:10px}
.welcome{align-self:flex-start;max-width:85%;background:#fff;border:1px solid #e4e7eb;border-radius:16px;padding:9px 13px;white-space:pre-wrap;overflow-wrap:anywhere}
.log{list-style:none;display:flex;flex-direction:column;gap:8px}
.msg{display:flex;align-items:flex-end;gap:8px;max-width:88%}
.me{align-self:flex-end;flex-direction:row-reverse}
.col{display:flex;flex-direction:column;min-width:0}
.me .col{align-items:flex-end}
.av{width:30px;height:30px;border-radius:50%;object-fit:cover;flex:none;background:#dfe3e8}
.who{font-size:12px;color:#5f6b7a;margin:0 4px 2px}
.bub{padding:9px 13px;border-radius:16px;background:#fff;border:1px solid #e4e7eb;white-space:pre-wrap;overflow-wrap:anywhere}
.them .bub{border-bottom-left-radius:5px}
.me .bub{background:var(--c1);color:var(--c3);border-color:transparent;border-bottom-right-radius:5px}
.pending .bub{opacity:.7}
.bub b,.bub strong{font-weight:700}.bub i,.bub em{font-style:italic}.bub del,.bub s{text-decoration:line-through}
.bub a{text-decoration:underline;cursor:pointer}
.bub code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;background:rgba(0,0,0,.07);border-radius:4px;padding:1px 4px}
.bub pre{white-space:pre-wrap;margin:4px 0}
.file{font-size:12.5px;text-decoration:underline;margin:3px 4px 0;overflow-wrap:anywhere}
.file .thumb{display:block;max-width:200px;max-height:160px;border-radius:10px;border:1px solid #e1e4e8}
.file .size{opacity:.7}
.attach{width:40px;height:40px;border-radius:50%;color:#57606a}
.attach:hover{background:#f0f2f5}
.meta{display:flex;gap:8px;font-size:11px;color:#7b8594;margin:3px 4px 0}
.note{font-size:12.5px;color:#5f6b7a;text-align:center;padding:2px 8px}
.away{flex:none;background:#fff8e6;color:#6b4e00;padding:8px 14px;border-bottom:1px solid #f3e3b5}
.typing{font-size:12.5px;color:#5f6b7a;font-style:italic;padding:0 4px}
.card{background:#fff;border:1px solid #e4e7eb;border-radius:14px;padding:16px;display:flex;flex-direction:column;gap:12px}
.intro{color:#3b4450}
label{display:block;font-size:12.5px;font-weight:600;color:#3b4450;margin-bottom:4px}
input,textarea{display:block;width:100%;min-width:0;border:1px solid #cdd3da;border-radius:10px;padding:9px 12px;background:#fff;color:#1f2328;font-size:14px;line-height:1.4;resize:none;outline:none}
input:focus,textarea:focus{border-color:var(--c1);box-shadow:0 0 0 2px var(--c1)}
input:focus-visible,textarea:focus-visible{outline:none}
.primary{width:100%;padding:11px 16px;border-radius:10px;background:var(--c1);color:var(--c3);font-weight:600}
.primary:hover{background:var(--c2)}
.error{color:#b42318;font-size:12.5px}
.rate{align-items:center;text-align:center}
.choices{display:flex;gap:14px}
.choices button{width:48px;height:48px;border-radius:50%;border:1px solid #cdd3da;background:#fff;color:#3b4450}
.choices button:hover{border-color:var(--c1);color:var(--c1)}
.choices .bad svg{transform:rotate(180deg)}
.foot{flex:none;border-top:1px solid #e4e7eb;background:#fff;padding:10px 12px}
.foot .error{margin-bottom:6px}
.composer{display:flex;align-items:flex-end;gap:8px}
.composer textarea{max-height:120px;border-radius:20px;padding:9px 14px}
.send{width:40px;height:40px;border-radius:50%;background:var(--c1);color:var(--c3);flex:none}
.send:hover{background:var(--c2)}
[dir=rtl] .send svg{transform:scaleX(-1)}
@keyframes sb-in{from{opacity:0;transform:translateY(10px)}}
@media (prefers-reduced-motion:reduce){.window,.bubble{animation:none}.launcher{transition:none}}
@media (max-width:599px){
.window{top:0;left:0!important;right:0;bottom:0;width:100%;height:100%;max-height:none;border-radius:0}
.open .launcher{display:none}
.bubble{left:16px!important;right:16px;width:auto;bottom:90px}
.launcher{bottom:16px;right:16px}
input,textarea{font-size:16px}
.left .launcher{left:16px}
}
`;

  boot(0);
})();
