// Live notifications: a small websocket client that reconnects with backoff.
(function () {
  "use strict";
  var path = document.body.getAttribute("data-live-notifications");
  if (!path || !("WebSocket" in window)) return;
  var delay = 1000;
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + path);
    socket.onopen = function () { delay = 1000; };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type !== "notification") return;
      var badge = document.querySelector("[data-unread-count]");
      if (badge) badge.textContent = data.unread ? String(data.unread) : "";
      var region = document.getElementById("live-region");
      if (!region) {
        region = document.createElement("div");
        region.id = "live-region";
        region.className = "toast";
        region.setAttribute("role", "status");
        document.body.appendChild(region);
      }
      region.textContent = data.message;
    };
    socket.onclose = function (event) {
      if (event.code === 4401) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
