// Drag-and-drop and chunked, resumable uploads (tus 1.0) with one progress bar per file.
// Without JavaScript the same form posts the files in one multipart request.
(function () {
  "use strict";
  var CHUNK = 8 * 1024 * 1024;

  function b64(text) {
    return btoa(unescape(encodeURIComponent(text)));
  }

  function request(method, url, headers, body, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      Object.keys(headers).forEach(function (k) { xhr.setRequestHeader(k, headers[k]); });
      if (onProgress && xhr.upload) {
        xhr.upload.onprogress = function (e) { if (e.lengthComputable) onProgress(e.loaded); };
      }
      xhr.onload = function () { resolve(xhr); };
      xhr.onerror = function () { reject(new Error("network")); };
      xhr.send(body);
    });
  }

  function errorText(xhr) {
    try { return JSON.parse(xhr.responseText).detail; } catch (e) { return xhr.status + " " + xhr.statusText; }
  }

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  async function tusUpload(form, file, progress, status) {
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var base = { "Tus-Resumable": "1.0.0", "X-CSRFToken": csrf };
    var meta = "filename " + b64(file.name) + ",space " + b64(form.dataset.space);
    if (form.dataset.folder) meta += ",folder " + b64(form.dataset.folder);
    var created = await request("POST", form.dataset.tus,
      Object.assign({ "Upload-Length": String(file.size), "Upload-Metadata": meta }, base), null);
    if (created.status !== 201) throw new Error(errorText(created));
    var location = created.getResponseHeader("Location");
    var offset = 0, failures = 0;
    while (offset < file.size) {
      var end = Math.min(offset + CHUNK, file.size);
      var start = offset;
      try {
        var sent = await request("PATCH", location, Object.assign({
          "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream"
        }, base), file.slice(offset, end), function (loaded) { progress.value = start + loaded; });
        if (sent.status === 204) {
          offset = parseInt(sent.getResponseHeader("Upload-Offset"), 10);
          failures = 0;
          progress.value = offset;
          continue;
        }
        if (sent.status !== 409) throw new Error(errorText(sent));
      } catch (e) {
        if (e.message !== "network" || ++failures > 8) throw e;
        await sleep(Math.min(30000, 1000 * Math.pow(2, failures)));
      }
      // Ask the server where it stands and resume from there.
      var head = await request("HEAD", location, base, null);
      if (head.status !== 200) throw new Error(errorText(head));
      offset = parseInt(head.getResponseHeader("Upload-Offset"), 10);
    }
  }

  function setup(form) {
    var input = form.querySelector("input[type=file]");
    var list = form.querySelector(".upload-progress");
    var zone = form.querySelector(".dropzone") || form;

    async function send(files) {
      var jobs = Array.prototype.map.call(files, function (file) {
        var item = document.createElement("li");
        var label = document.createElement("span");
        label.textContent = file.name + " ";
        var progress = document.createElement("progress");
        progress.max = file.size || 1;
        progress.value = 0;
        progress.setAttribute("aria-label", file.name);
        var status = document.createElement("span");
        status.className = "upload-status";
        item.append(label, progress, status);
        list.appendChild(item);
        return tusUpload(form, file, progress, status).then(function () {
          progress.value = progress.max;
          status.textContent = " " + (form.dataset.done || "✓");
          item.dataset.done = "1";
        }, function (e) {
          status.textContent = " " + e.message;
          item.dataset.failed = "1";
          item.setAttribute("role", "alert");
        });
      });
      await Promise.all(jobs);
      if (!list.querySelector("[data-failed]")) window.location.reload();
    }

    form.addEventListener("submit", function (e) {
      if (!input.files.length) return;
      e.preventDefault();
      send(input.files);
    });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("dragging"); });
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("dragging"); });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      zone.classList.remove("dragging");
      if (e.dataTransfer && e.dataTransfer.files.length) send(e.dataTransfer.files);
    });
  }

  document.querySelectorAll("form.file-upload[data-tus]").forEach(setup);
})();
