// Live updates on a post page: new comments appear, hidden and deleted ones go, reactions update.
// The page works without this script (forms post and reload); this only saves the reload.
(function () {
  "use strict";
  // A comment's text actions (reply, edit, report, hide) are links to a page with their form; here the
  // same form opens under the comment instead, from the one <template> of its kind on the page.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-comment-form]") : null;
    if (!link) return;
    var kind = link.getAttribute("data-comment-form");
    var template = document.getElementById("comment-form-" + kind);
    var item = link.closest("[data-comment]");
    if (!template || !item || !template.content) return; // no template: follow the link
    event.preventDefault();
    var id = item.getAttribute("data-comment");
    var actions = link.parentNode;
    var open = actions.querySelector("[data-open-form='" + kind + "']");
    if (open) {
      open.parentNode.removeChild(open);
      link.setAttribute("aria-expanded", "false");
      return;
    }
    var form = template.content.firstElementChild.cloneNode(true);
    form.setAttribute("data-open-form", kind);
    if (kind !== "reply") form.setAttribute("action", link.getAttribute("href"));
    var parent = form.querySelector("input[name=parent]");
    if (parent) parent.value = id;
    var field = form.querySelector("textarea, input:not([type=hidden])");
    var label = form.querySelector("label");
    if (field && label) {
      field.id = kind + "-" + id;
      label.setAttribute("for", field.id);
    }
    if (kind === "edit" && field) {
      var body = item.querySelector(".body");
      field.value = body ? body.innerText : "";
    }
    actions.appendChild(form);
    link.setAttribute("aria-expanded", "true");
    if (field) field.focus();
  });

  var article = document.querySelector("[data-live-post]");
  if (!article || !("WebSocket" in window)) return;
  var path = article.getAttribute("data-live-post");
  var delay = 1000;

  function commentItem(frame) {
    var li = document.createElement("li");
    li.id = "comment-" + frame.id;
    li.className = "comment live";
    li.setAttribute("data-comment", String(frame.id));
    var meta = document.createElement("p");
    meta.className = "meta";
    var who = document.createElement("strong");
    who.textContent = frame.author || "—";
    meta.appendChild(who);
    var body = document.createElement("div");
    body.className = "body";
    body.textContent = frame.body; // text, never HTML
    li.appendChild(meta);
    li.appendChild(body);
    return li;
  }

  function handle(frame) {
    var existing = frame.id ? document.getElementById("comment-" + frame.id) : null;
    if (frame.type === "comment") {
      if (existing) return;
      var list = document.getElementById("comment-list");
      if (frame.parent) {
        var parent = document.getElementById("comment-" + frame.parent);
        if (parent) {
          list = parent.querySelector("ol.replies");
          if (!list) { list = document.createElement("ol"); list.className = "replies"; parent.appendChild(list); }
        }
      }
      if (list) list.appendChild(commentItem(frame));
    } else if (frame.type === "comment_updated" && existing) {
      var body = existing.querySelector(".body");
      if (body) body.textContent = frame.body;
    } else if (frame.type === "reactions" && existing) {
      var counts = frame.reactions || {};
      var buttons = existing.querySelectorAll(":scope > .comment-actions button[formaction$='/react/']");
      for (var i = 0; i < buttons.length; i++) {
        var emoji = buttons[i].value;
        buttons[i].textContent = emoji + (counts[emoji] ? " " + counts[emoji] : "");
      }
    } else if ((frame.type === "comment_hidden" || frame.type === "comment_deleted") && existing) {
      existing.parentNode.removeChild(existing);
    } else if (frame.type === "comments_closed" || frame.type === "post_unpublished" || frame.type === "post_deleted") {
      var form = document.getElementById("comment-form");
      if (form) form.parentNode.removeChild(form);
    }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + path);
    socket.onopen = function () { delay = 1000; article.setAttribute("data-live-connected", "1"); };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      handle(data);
    };
    socket.onclose = function (event) {
      article.removeAttribute("data-live-connected");
      if (event.code === 4404) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
