// Live room client. The page works without it (plain forms, htmx refresh); this upgrades it to a
// websocket: messages arrive live, sends are retried with the same client_id (never stored twice),
// and after a reconnect the client asks for everything after the last sequence it saw.
(function () {
  "use strict";
  var root = document.querySelector("[data-room]");
  if (!root || !("WebSocket" in window)) return;
  var lang = document.documentElement.lang || "nl";
  var T = {
    nl: { actions: "Acties", hidden: "Verborgen door een moderator: ", held: "Wacht op beoordeling door de moderatoren.", deleted: "Dit bericht is verwijderd.",
          typing: " is aan het typen…", online: "Nu aanwezig: ", until: " (tot ", reason: "Reden voor verbergen", hide: "Verbergen",
          show: "Weer tonen", approve: "Goedkeuren", keep: "Laten staan", sanction: "Verbergen en dempen", reported: "Gemeld door ",
          empty: "Niets te beoordelen.", edited: "(bewerkt)", lost: "Je hebt geen toegang meer tot deze discussie.", reconnecting: "Verbinding verbroken; opnieuw verbinden…",
          locked: "Deze discussie is gesloten.", reload: "Pagina vernieuwen", slow: "Vertraagde modus: één bericht per {n} seconden." },
    en: { actions: "Actions", hidden: "Hidden by a moderator: ", held: "Held for review by the moderators.", deleted: "This message was deleted.",
          typing: " is typing…", online: "Here now: ", until: " (until ", reason: "Reason for hiding", hide: "Hide",
          show: "Show again", approve: "Approve", keep: "Keep it", sanction: "Hide and mute", reported: "Reported by ",
          empty: "Nothing to review.", edited: "(edited)", lost: "You no longer have access to this discussion.", reconnecting: "Connection lost; reconnecting…",
          locked: "This discussion is locked.", reload: "Reload the page", slow: "Slow mode: one message every {n} seconds." }
  }[lang.slice(0, 2)] || null;
  if (!T) T = { hidden: "Hidden: ", held: "Held.", deleted: "Deleted.", typing: " is typing…", online: "Here now: ", until: " (until ",
                reason: "Reason", hide: "Hide", show: "Show", approve: "Approve", keep: "Keep", sanction: "Sanction", reported: "Reported by ",
                empty: "Nothing to review.", edited: "(edited)", lost: "No access.", reconnecting: "Reconnecting…",
                locked: "Locked.", slow: "Slow mode: {n} s." };

  // Looked up each time: while the socket is down, htmx refreshes replace the list element.
  function messageList() { return root.querySelector("[data-messages]"); }
  var errors = document.getElementById("live-errors");
  var form = document.getElementById("compose");
  var textarea = form && form.querySelector("textarea");
  var moderator = root.getAttribute("data-moderator") === "1";
  var me = parseInt(root.getAttribute("data-user") || "0", 10);
  var lastSeq = 0;
  Array.prototype.forEach.call(root.querySelectorAll("[data-seq]"), function (li) {
    lastSeq = Math.max(lastSeq, parseInt(li.getAttribute("data-seq"), 10));
  });
  var pending = {};   // client_id -> {body, reply_to}: resent after a reconnect until acknowledged
  var socket = null, delay = 1000, stopped = false, typingSent = 0, readTimer = null;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;  // text only: markup stays inert
    return e;
  }
  function send(frame) {
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify(frame)); return true; }
    return false;
  }
  function showError(frame) {
    var text = frame.message || frame.code;
    if (frame.until) text += T.until + new Date(frame.until).toLocaleTimeString() + ")";
    errors.textContent = text;
    errors.setAttribute("data-code", frame.code || "");
    if (frame.ref && pending[frame.ref]) {
      // The send was refused: put the text back so nothing typed is lost.
      if (textarea && !textarea.value) textarea.value = pending[frame.ref].body;
      delete pending[frame.ref];
    }
  }

  function renderMessage(m) {
    var li = el("li", "message-item state-" + m.state + (m.pinned ? " pinned" : ""));
    li.id = "m" + m.seq;
    li.setAttribute("data-seq", m.seq);
    li.appendChild(avatar(m.author));
    var meta = el("p", "meta");
    meta.appendChild(el("strong", "author", m.author && m.author.name));
    var time = el("time", null, new Date(m.created_at).toLocaleTimeString().slice(0, 5));
    time.setAttribute("datetime", m.created_at);
    time.setAttribute("data-relative", "");
    meta.appendChild(time);
    if (m.edited_at) meta.appendChild(el("span", "edited", T.edited));
    li.appendChild(meta);
    if (m.state === "visible") li.appendChild(chatBody(m.body));
    else if (m.state === "hidden") {
      li.appendChild(el("p", "body hidden-note", T.hidden + (m.hidden_reason || "")));
      if (m.body) li.appendChild(el("p", "body moderator-copy", m.body));
    } else if (m.state === "held") {
      li.appendChild(el("p", "body", T.held));
      if (m.body) li.appendChild(el("p", "body moderator-copy", m.body));
    } else li.appendChild(el("p", "body", T.deleted));
    var counts = m.reactions || {};
    var keys = Object.keys(counts);
    if (keys.length) li.appendChild(el("p", "reactions", keys.map(function (k) { return k + " " + counts[k]; }).join("  ")));
    if (moderator) li.appendChild(moderatorControls(m));
    if (me && m.state !== "deleted") li.appendChild(actionsMenu(m));
    return li;
  }
  function avatar(author) {
    // Initials on a colour of the person's own, as the server renders them (pictures come with a reload).
    var name = (author && author.name) || "?";
    var parts = name.split(/[\s.\-_@]+/).filter(Boolean);
    var initials = parts.length ? (parts[0][0] + (parts.length > 1 ? parts[parts.length - 1][0] : "")).toUpperCase() : "?";
    var span = el("span", "avatar avatar--initials avatar--tone-" + (((author && author.id) || 0) % 8), initials);
    span.setAttribute("aria-hidden", "true");
    return span;
  }
  function chatBody(text) {
    // Text nodes only (never innerHTML with what people wrote); @mentions get a mark of their own.
    var p = el("p", "body");
    var pattern = /(^|[^\w@])@([\w][\w.\-]*(?: [A-Z][\w\-]*)?)/g, last = 0, match;
    text = text || "";
    while ((match = pattern.exec(text))) {
      var start = match.index + match[1].length;
      p.appendChild(document.createTextNode(text.slice(last, start)));
      p.appendChild(el("span", "mention", "@" + match[2]));
      last = start + match[2].length + 1;
    }
    p.appendChild(document.createTextNode(text.slice(last)));
    return p;
  }
  function actionsMenu(m) {
    // React, reply, report, edit: the server renders the message's own forms when the menu opens,
    // so live messages offer exactly what the page offers, without a second copy of the markup here.
    var details = el("details", "actions");
    var summary = el("summary");
    summary.setAttribute("title", T.actions || "Actions");
    var dots = el("span", null, "⋯");
    dots.setAttribute("aria-hidden", "true");
    summary.appendChild(dots);
    summary.appendChild(el("span", "visually-hidden", (T.actions || "Actions") + " #" + m.seq));
    details.appendChild(summary);
    details.addEventListener("toggle", function () {
      if (!details.open || details.getAttribute("data-loaded")) return;
      details.setAttribute("data-loaded", "1");
      fetch("/discussion/" + root.getAttribute("data-room") + "/m/" + m.seq + "/", { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) return;
          var holder = document.createElement("div");
          holder.innerHTML = html.trim();  // server-rendered and escaped by Django's templates
          var fresh = holder.firstElementChild;
          var current = document.getElementById("m" + m.seq);
          if (!fresh || !current) return;
          current.replaceWith(fresh);
          var menu = fresh.querySelector("details.actions");
          if (menu) { menu.open = true; var s = menu.querySelector("summary"); if (s) s.focus(); }
        });
    });
    return details;
  }
  function moderatorControls(m) {
    var box = el("div", "mod-controls");
    if (m.state === "hidden" || m.state === "held") {
      var show = el("button", null, m.state === "held" ? T.approve : T.show);
      show.type = "button";
      show.addEventListener("click", function () { send({ type: "unhide", seq: m.seq }); });
      box.appendChild(show);
    } else if (m.state === "visible") {
      var id = "live-hide-" + m.seq;
      var label = el("label", null, T.reason); label.setAttribute("for", id);
      var input = el("input"); input.id = id; input.type = "text"; input.maxLength = 500;
      var hide = el("button", null, T.hide); hide.type = "button";
      hide.setAttribute("data-live-hide", m.seq);
      hide.addEventListener("click", function () {
        if (input.value.trim()) send({ type: "hide", seq: m.seq, reason: input.value.trim() });
        else input.focus();
      });
      box.appendChild(label); box.appendChild(input); box.appendChild(hide);
    }
    return box;
  }
  function upsert(m) {
    var list = messageList();
    var empty = list.querySelector("[data-empty]");
    if (empty) empty.remove();
    var li = renderMessage(m);
    var existing = document.getElementById("m" + m.seq);
    if (existing) existing.replaceWith(li);
    else {
      var after = null;  // keep strict sequence order even if frames arrive out of order
      Array.prototype.forEach.call(list.children, function (child) {
        if (parseInt(child.getAttribute("data-seq") || "0", 10) < m.seq) after = child;
      });
      if (after) after.after(li); else list.prepend(li);
    }
    if (m.seq > lastSeq) { lastSeq = m.seq; scheduleRead(); }
  }
  function scheduleRead() {
    if (!me || readTimer) return;
    readTimer = setTimeout(function () { readTimer = null; if (!document.hidden) send({ type: "read", seq: lastSeq }); }, 1500);
  }

  function reviewQueue(reports) {
    var queue = document.querySelector("[data-review-queue]");
    if (!queue) return;
    if (reports) { queue.textContent = ""; reports.forEach(addReport); }
    if (!queue.children.length) queue.appendChild(el("li", null, T.empty)).setAttribute("data-empty", "");
  }
  function addReport(r) {
    var queue = document.querySelector("[data-review-queue]");
    var old = document.getElementById("queue-report-" + r.id);
    if (old) old.remove();
    if (r.status !== "open") { reviewQueue(); return; }
    var empty = queue.querySelector("[data-empty]");
    if (empty) empty.remove();
    var li = el("li"); li.id = "queue-report-" + r.id;
    li.appendChild(el("p", null, "#" + r.seq + " " + (r.author || "") + ": " + (r.body || "")));
    li.appendChild(el("p", "muted", T.reported + (r.reporter || "") + ": " + r.reason));
    [["hidden", T.hide], ["kept", T.keep], ["sanctioned", T.sanction]].forEach(function (pair) {
      var b = el("button", null, pair[1]); b.type = "button";
      b.addEventListener("click", function () { send({ type: "resolve", report: r.id, resolution: pair[0] }); });
      li.appendChild(b);
    });
    queue.appendChild(li);
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "welcome":
        moderator = !!(frame.you && frame.you.moderator);
        if (moderator) send({ type: "reports" });
        presence(frame.online);
        break;
      case "message": case "message_updated": upsert(frame); break;
      case "history": frame.messages.forEach(upsert); break;
      case "ack":
        delete pending[frame.client_id];
        errors.textContent = ""; errors.removeAttribute("data-code");
        break;
      case "error":
        showError(frame);
        break;
      case "presence": presence(frame.online); break;
      case "typing":
        var t = root.querySelector("[data-typing]");
        t.textContent = frame.user.name + T.typing;
        clearTimeout(t._timer); t._timer = setTimeout(function () { t.textContent = ""; }, 4000);
        break;
      case "room":
        var state = root.querySelector("[data-room-state]");
        state.textContent = [frame.locked ? T.locked : "",
                             frame.slow_mode_seconds ? T.slow.replace("{n}", frame.slow_mode_seconds) : ""].join(" ").trim();
        break;
      case "sanction": sanctionNotice(frame); break;
      case "reports": reviewQueue(frame.reports); break;
      case "report": addReport(frame); break;
    }
  }
  function sanctionNotice(frame) {
    // Muted (or the mute lifted) while here: said at once, with the end (a send is refused meanwhile).
    var notice = root.querySelector("[data-live-sanction]");
    if (!notice) return;
    var text = frame.message || "";
    if (frame.active && frame.until) text += T.until + new Date(frame.until).toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" }) + ")";
    notice.textContent = text;
    notice.hidden = false;
    notice.setAttribute("data-active", frame.active ? "1" : "0");
    if (!frame.active && !textarea) {
      // The page was loaded while muted, so it has no composer yet: a reload brings it.
      var link = el("a", null, T.reload || "Reload");
      link.href = location.pathname;
      notice.appendChild(document.createTextNode(" "));
      notice.appendChild(link);
    }
  }
  function presence(online) {
    var p = root.querySelector("[data-presence]");
    if (online) p.textContent = online.length ? T.online + online.map(function (u) { return u.name; }).join(", ") : "";
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.getAttribute("data-socket"));
    socket.onopen = function () {
      delay = 1000;
      window.doepleinLive = true;
      errors.textContent = ""; errors.removeAttribute("data-code");
      send({ type: "hello", last_seq: lastSeq });
      Object.keys(pending).forEach(function (id) {  // a retried send keeps its client_id
        send({ type: "send", client_id: id, body: pending[id].body, reply_to: pending[id].reply_to });
      });
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      onFrame(frame);
    };
    socket.onclose = function (event) {
      window.doepleinLive = false;
      if (event.code === 4401 || event.code === 4403 || event.code === 4404) {
        stopped = true;
        if (errors.getAttribute("data-code") !== "access_revoked" || !errors.textContent) errors.textContent = T.lost;
        if (form) form.querySelectorAll("textarea,button").forEach(function (x) { x.disabled = true; });
        return;
      }
      if (stopped) return;
      errors.textContent = T.reconnecting;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  if (form && textarea) {
    form.addEventListener("submit", function (event) {
      if (!socket || socket.readyState !== 1) return;  // no socket: the plain form posts
      event.preventDefault();
      var body = textarea.value.trim();
      if (!body) return;
      var id = uuid();
      var replyTo = form.querySelector("[name=reply_to]").value;
      pending[id] = { body: body, reply_to: replyTo ? parseInt(replyTo, 10) : null };
      send({ type: "send", client_id: id, body: body, reply_to: pending[id].reply_to });
      textarea.value = "";
    });
    // Enter sends, Shift+Enter starts a new line (and Enter while an input method composes does nothing).
    textarea.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
      event.preventDefault();
      if (form.requestSubmit) form.requestSubmit(); else form.querySelector("button[type=submit]").click();
    });
    textarea.addEventListener("input", function () {
      var now = Date.now();
      if (now - typingSent > 3000) { typingSent = now; send({ type: "typing" }); }
    });
  }
  document.addEventListener("submit", function (event) {
    var hideForm = event.target.closest && event.target.closest("[data-hide-form]");
    if (!hideForm || !socket || socket.readyState !== 1) return;
    event.preventDefault();
    var li = hideForm.closest("[data-seq]");
    send({ type: "hide", seq: parseInt(li.getAttribute("data-seq"), 10), reason: hideForm.querySelector("[name=reason]").value });
  });
  // Open at the first new message, else at the latest one; follow new messages while at the bottom.
  var scroller = root.querySelector("[data-chat-scroll]");
  if (scroller) {
    var divider = root.querySelector("[data-new-divider]");
    if (divider) scroller.scrollTop = divider.offsetTop - scroller.offsetTop - 8;
    else scroller.scrollTop = scroller.scrollHeight;
    var following = true;
    scroller.addEventListener("scroll", function () {
      following = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 160;
    });
    new MutationObserver(function (records) {
      // New or replaced messages only (not the relative times changing inside them).
      if (!records.some(function (r) { return r.target.nodeName === "OL" || r.target.id === "messages"; })) return;
      if (window.doepleinRelativeTimes) window.doepleinRelativeTimes();
      if (following) scroller.scrollTop = scroller.scrollHeight;
    }).observe(scroller, { childList: true, subtree: true });
  }
  connect();
})();
