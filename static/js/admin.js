// Switchboard admin area: small enhancements. Every page works without this file;
// it only adds live updates, keyboard shortcuts and conveniences. Each section
// starts from the elements its page renders and does nothing when they are absent.

// ---- Inbox and conversation page: live updates, shortcuts, reply box ----
(function () {
  "use strict";

  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html; // Switchboard's own server-rendered, escaped HTML
    return template.content;
  }

  function getText(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    });
  }

  // Runs `work` (which returns a promise) one at a time; a call while it runs
  // schedules one more run afterwards.
  function serial(work) {
    var busy = false;
    var again = false;
    function run() {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      work()
        .catch(function () {})
        .then(function () {
          busy = false;
          if (again) {
            again = false;
            run();
          }
        });
    }
    return run;
  }

  // The event stream (or polling where EventSource is missing) turned into
  // document events: "sb:message" {conversation_id, message_id} and "sb:typing"
  // {typing}.
  function startLive(source) {
    var eventsUrl = source.getAttribute("data-events-url");
    var pollUrl = source.getAttribute("data-poll-url");
    if (window.EventSource) {
      var stream = null;
      var open = function () {
        stream = new EventSource(eventsUrl);
        stream.addEventListener("message", function (e) {
          emit("sb:message", JSON.parse(e.data));
        });
        stream.addEventListener("typing", function (e) {
          emit("sb:typing", JSON.parse(e.data));
        });
      };
      // A page left behind (or kept in the back/forward cache) must let its stream
      // go: browsers allow six connections to a server, and a stream holds one.
      window.addEventListener("pagehide", function () {
        if (stream) stream.close();
        stream = null;
      });
      window.addEventListener("pageshow", function (e) {
        if (e.persisted && !stream) open(); // resumes from the page's own starting point
      });
      open();
      return;
    }
    var after = new URL(eventsUrl, location.href).searchParams.get("after");
    function poll() {
      var url = new URL(pollUrl, location.href);
      if (after !== null) url.searchParams.set("after", after);
      fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          data.messages.forEach(function (message) {
            emit("sb:message", message);
          });
          if (typeof data.typing === "boolean") emit("sb:typing", { typing: data.typing });
          after = data.last_message_id;
          setTimeout(poll, 3000);
        })
        .catch(function () {
          setTimeout(poll, 15000);
        });
    }
    poll();
  }

  // The inbox: rows of conversations with new messages move (or appear) at the top.
  function startInbox(list) {
    var rowsUrl = list.getAttribute("data-rows-url");
    if (!rowsUrl) return; // only the first page of a view changes live
    var after = parseInt(list.getAttribute("data-after"), 10) || 0;
    var refresh = serial(function () {
      return getText(rowsUrl + "after=" + after).then(function (html) {
        var rows = Array.prototype.slice.call(fragment(html).querySelectorAll("li[data-conversation]"));
        rows.reverse().forEach(function (row) {
          var id = row.getAttribute("data-conversation");
          var old = list.querySelector('li[data-conversation="' + id + '"]');
          var focused = old && old.contains(document.activeElement);
          if (old) old.remove();
          row.classList.add("fresh");
          list.insertBefore(row, list.firstChild);
          if (focused) row.querySelector("a").focus();
          after = Math.max(after, parseInt(row.getAttribute("data-message"), 10) || 0);
        });
        if (rows.length) {
          var empty = document.querySelector("p.empty");
          if (empty) empty.hidden = true;
          var badge = document.getElementById("unread-conversations");
          var unread = list.querySelectorAll("li.unread").length;
          if (badge) {
            badge.querySelector(".count").textContent = String(unread);
            badge.hidden = unread === 0;
          }
        }
      });
    });
    document.addEventListener("sb:message", function (e) {
      if (e.detail.message_id > after) refresh();
    });
  }

  // The conversation page: new messages are appended, the typing line follows the customer.
  function startConversation(list) {
    var id = String(list.getAttribute("data-conversation"));
    var url = list.getAttribute("data-messages-url");
    var typing = document.getElementById("typing");
    function last() {
      return parseInt(list.getAttribute("data-last"), 10) || 0;
    }
    var refresh = serial(function () {
      return getText(url + "?after=" + last()).then(function (html) {
        var added = null;
        Array.prototype.slice.call(fragment(html).querySelectorAll("li[data-message]")).forEach(function (item) {
          var messageId = parseInt(item.getAttribute("data-message"), 10);
          if (document.getElementById("message-" + messageId)) return;
          list.appendChild(item);
          list.setAttribute("data-last", String(Math.max(last(), messageId)));
          added = item;
        });
        if (added) {
          var none = document.getElementById("no-messages");
          if (none) none.hidden = true;
          var active = document.activeElement;
          if (!active || !/^(TEXTAREA|INPUT|SELECT)$/.test(active.tagName)) added.scrollIntoView({ block: "nearest" });
        }
      });
    });
    document.addEventListener("sb:message", function (e) {
      if (String(e.detail.conversation_id) === id && e.detail.message_id > last()) refresh();
    });
    document.addEventListener("sb:typing", function (e) {
      if (typing) typing.hidden = !e.detail.typing;
    });
  }

  function insertAtCursor(field, text) {
    var start = field.selectionStart;
    var end = field.selectionEnd;
    if (typeof start !== "number") start = end = field.value.length;
    var before = field.value.slice(0, start);
    if (before && !/\n$/.test(before)) text = "\n" + text;
    field.value = before + text + field.value.slice(end);
    field.selectionStart = field.selectionEnd = before.length + text.length;
  }

  // The reply box: saved replies go in at the cursor, the preview follows the typing.
  function startReply(form) {
    var text = form.querySelector("textarea[name=message]");
    var select = form.querySelector("select[name=saved_reply]");
    var box = document.getElementById("reply-preview");
    var body = document.getElementById("reply-preview-body");
    var csrf = form.querySelector("input[name=csrf_token]").value;
    var timer = null;
    // The customer sees "typing…" while the agent types: told at most every 3 s,
    // and told the end when the box empties or the reply leaves.
    var typingUrl = form.getAttribute("data-typing-url");
    var typingSince = 0;
    function typing(on) {
      if (!typingUrl) return;
      var now = Date.now();
      if (on && now - typingSince < 3000) return;
      typingSince = on ? now : 0;
      var data = new URLSearchParams();
      data.set("csrf_token", csrf);
      data.set("typing", on ? "1" : "0");
      fetch(typingUrl, { method: "POST", credentials: "same-origin", body: data }).catch(function () {});
    }
    text.addEventListener("input", function () {
      typing(text.value.trim() !== "");
    });
    form.addEventListener("submit", function () {
      typing(false);
    });
    function preview() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (!text.value.trim()) {
          box.hidden = true;
          return;
        }
        var data = new URLSearchParams();
        data.set("csrf_token", csrf);
        data.set("message", text.value);
        fetch(form.getAttribute("data-preview-url"), { method: "POST", credentials: "same-origin", body: data })
          .then(function (response) {
            if (!response.ok) throw new Error("HTTP " + response.status);
            return response.text();
          })
          .then(function (html) {
            body.innerHTML = html; // markup::to_html output from the server: escaped
            box.hidden = false;
          })
          .catch(function () {});
      }, 250);
    }
    text.addEventListener("input", preview);
    if (select) {
      select.addEventListener("change", function () {
        var option = select.options[select.selectedIndex];
        var saved = option && option.getAttribute("data-text");
        if (!saved) return;
        insertAtCursor(text, saved);
        select.selectedIndex = 0;
        text.focus();
        preview();
      });
    }
  }

  // Files for the reply: chosen with the button, dropped on the reply box or pasted
  // into it. Each uploads at once; the reply carries the uploaded ones as its
  // attachments field, and any can be removed before sending.
  function startAttachments(form) {
    var box = document.getElementById("attach");
    if (!box) return;
    box.hidden = false;
    var url = box.getAttribute("data-upload-url");
    var input = document.getElementById("reply-files");
    var list = document.getElementById("pending-files");
    var field = document.getElementById("reply-attachments");
    var csrf = form.querySelector("input[name=csrf_token]").value;
    var attached = [];
    var uploading = 0;
    function sync() {
      field.value = attached.length ? JSON.stringify(attached) : "";
    }
    function removeButton(item, label, onRemove) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link remove";
      button.textContent = "Remove";
      button.setAttribute("aria-label", "Remove " + label);
      button.addEventListener("click", function () {
        onRemove();
        item.remove();
      });
      item.appendChild(button);
    }
    function add(file) {
      var name = file.name || "pasted-image.png";
      var item = document.createElement("li");
      item.className = "uploading";
      item.textContent = name + " — uploading…";
      list.appendChild(item);
      uploading += 1;
      var data = new FormData();
      data.append("csrf_token", csrf);
      data.append("file", file, name);
      fetch(url, { method: "POST", credentials: "same-origin", body: data })
        .then(function (response) {
          return response.json();
        })
        .then(function (answer) {
          item.textContent = "";
          if (!answer.success) {
            item.className = "failed";
            item.setAttribute("role", "alert");
            item.textContent = name + ": " + (answer.message || answer.response);
            removeButton(item, name, function () {});
            return;
          }
          var file = answer.response;
          var entry = [file.name, file.url];
          attached.push(entry);
          sync();
          item.className = "uploaded";
          if (file.thumbnail) {
            var image = document.createElement("img");
            image.src = file.thumbnail;
            image.alt = "";
            item.appendChild(image);
          }
          var label = document.createElement("span");
          label.textContent = file.name + " (" + file.size + ")";
          item.appendChild(label);
          removeButton(item, file.name, function () {
            attached.splice(attached.indexOf(entry), 1);
            sync();
          });
        })
        .catch(function () {
          item.className = "failed";
          item.textContent = name + ": the upload failed; try again.";
        })
        .then(function () {
          uploading -= 1;
        });
    }
    function addAll(files) {
      for (var i = 0; i < files.length; i++) add(files[i]);
    }
    document.getElementById("attach-button").addEventListener("click", function () {
      input.click();
    });
    input.addEventListener("change", function () {
      addAll(input.files);
      input.value = "";
    });
    form.addEventListener("dragover", function (e) {
      e.preventDefault();
      form.classList.add("dropping");
    });
    form.addEventListener("dragleave", function () {
      form.classList.remove("dropping");
    });
    form.addEventListener("drop", function (e) {
      e.preventDefault();
      form.classList.remove("dropping");
      if (e.dataTransfer && e.dataTransfer.files.length) addAll(e.dataTransfer.files);
    });
    form.querySelector("textarea[name=message]").addEventListener("paste", function (e) {
      var files = e.clipboardData && e.clipboardData.files;
      if (files && files.length) {
        e.preventDefault();
        addAll(files);
      }
    });
    form.addEventListener("submit", function (e) {
      if (uploading > 0) {
        e.preventDefault();
        window.alert("Wait for the files to finish uploading.");
      }
    });
  }

  function typingInField(event) {
    var target = event.target;
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // j/k move through the inbox (Enter opens the focused conversation), / searches,
  // r replies; Escape leaves a field so the keys work again.
  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    if (typingInField(e)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    var links = Array.prototype.slice.call(document.querySelectorAll(".inbox li > a"));
    if ((e.key === "j" || e.key === "k") && links.length) {
      var at = links.indexOf(document.activeElement);
      at = e.key === "j" ? Math.min(at + 1, links.length - 1) : Math.max(at - 1, 0);
      links[at].focus();
      links[at].scrollIntoView({ block: "nearest" });
      e.preventDefault();
    } else if (e.key === "/" && document.getElementById("q")) {
      document.getElementById("q").focus();
      e.preventDefault();
    } else if (e.key === "r" && document.getElementById("reply-message")) {
      document.getElementById("reply-message").focus();
      e.preventDefault();
    }
  });

  var live = document.querySelector("[data-events-url]");
  if (live && window.fetch) startLive(live);
  var inbox = document.querySelector("ol.inbox[data-after]");
  if (inbox && window.fetch) startInbox(inbox);
  var messages = document.querySelector("ol.messages[data-messages-url]");
  if (messages && window.fetch) startConversation(messages);
  var reply = document.querySelector("form.reply[data-preview-url]");
  if (reply && window.fetch) startReply(reply);
  if (reply && window.fetch && window.FormData) startAttachments(reply);
})();
