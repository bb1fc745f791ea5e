/* The post form's rich text editor: Wagtail's Draftail, started outside the admin.
 *
 * The widget (blogs.forms.BodyEditor) renders a text area, which is what the page sends without script,
 * and Draftail's hidden input with the same body as contentstate, disabled. Here the hidden input is
 * enabled and the text area disabled (so the server gets exactly one of them), and Draftail is started
 * on the hidden input with the options Wagtail built from the post's features. Wagtail's draftail.js
 * (with vendor.js) is loaded before this file; the admin's Stimulus controller that would start it
 * (core.js) is not, so this calls window.draftail.initEditor itself.
 *
 * Links: the admin's page chooser is a modal under /admin/, for admin users. Members get the link
 * source below instead: Wagtail's LinkModalWorkflowSource with its modal replaced by the page's own
 * <dialog> (#blog-link-dialog, its texts translated in the template), which asks for a web or e-mail
 * address and accepts only http(s) and mailto. The server checks the address again (Wagtail's
 * converter drops what it does not trust).
 */
(function () {
  "use strict";

  var draftail = window.draftail;
  if (!draftail || typeof draftail.initEditor !== "function") {
    return; // Draftail did not load: the text area stays, and works as without script.
  }

  var ALLOWED = /^(https?:\/\/[^\s]+|mailto:[^\s]+)$/i;
  var HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;
  var EMAIL = /^[^@\s/]+@[^@\s/]+\.[^@\s/]+$/;

  /* What a member typed as a link, as an address we accept, or null. */
  function linkAddress(text) {
    var url = (text || "").trim();
    if (!url) {
      return null;
    }
    if (!HAS_SCHEME.test(url)) {
      url = EMAIL.test(url) ? "mailto:" + url : "https://" + url.replace(/^\/+/, "");
    }
    return ALLOWED.test(url) ? url : null;
  }

  /* Open the link dialog with `current` filled in; calls done(url) or cancelled() once. */
  function askForLink(current, done, cancelled) {
    var dialog = document.getElementById("blog-link-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      cancelled();
      return null;
    }
    var form = dialog.querySelector("form");
    var input = dialog.querySelector("#blog-link-url");
    var error = dialog.querySelector("#blog-link-url-error");
    var finished = false;

    function showError(show) {
      error.hidden = !show;
      input.setAttribute("aria-invalid", show ? "true" : "false");
      input.setAttribute("aria-describedby", show ? "blog-link-url-help blog-link-url-error" : "blog-link-url-help");
    }

    function cleanUp() {
      form.removeEventListener("submit", onSubmit);
      dialog.removeEventListener("close", onClose);
      cancel.removeEventListener("click", onCancel);
    }

    function onSubmit(event) {
      event.preventDefault();
      var url = linkAddress(input.value);
      if (!url) {
        showError(true);
        input.focus();
        return;
      }
      finished = true;
      cleanUp();
      done(url); // the source closes the dialog (Wagtail's onChosen calls workflow.close())
    }

    function onCancel() {
      dialog.close();
    }

    function onClose() {
      cleanUp();
      if (!finished) {
        finished = true;
        cancelled();
      }
    }

    var cancel = dialog.querySelector("[data-cancel]");
    input.value = current || "";
    showError(false);
    form.addEventListener("submit", onSubmit);
    dialog.addEventListener("close", onClose);
    cancel.addEventListener("click", onCancel);
    dialog.showModal();
    input.focus();
    input.select();
    return {
      close: function () {
        if (dialog.open) {
          dialog.close();
        }
      },
    };
  }

  var Base = draftail.LinkModalWorkflowSource;
  var LinkSource = null;
  if (Base) {
    LinkSource = class extends Base {
      componentDidMount() {
        var source = this;
        var entity = this.props.entity;
        var current = entity ? entity.getData().url || "" : "";
        this.workflow = askForLink(
          current,
          function (url) {
            source.onChosen({ url: url });
          },
          function () {
            source.props.onClose();
          },
        );
      }

      componentWillUnmount() {
        if (this.workflow) {
          this.workflow.close();
        }
        this.workflow = null;
      }
    };

    // Keep Wagtail's link plugin (its decorator, with Edit and Remove, and pasting links) and replace only
    // its source. Draftail's registry is reached through registerPlugin, which returns it.
    var registry = draftail.registerPlugin({ type: "BLOGS_PROBE" }, "entityTypes");
    delete registry.BLOGS_PROBE;
    draftail.registerPlugin(Object.assign({}, registry.LINK, { type: "LINK", source: LinkSource }), "entityTypes");
  }

  /* Draftail's toolbar buttons act on mousedown (so the editor keeps its selection) and are out of the
   * Tab order. Here the toolbar becomes one Tab stop, as a WAI-ARIA toolbar: the arrow keys, Home and End
   * move between its buttons, Enter and Space press one (as a mousedown, which Draftail listens to). */
  function keyboardToolbar(root) {
    function buttons() {
      return Array.prototype.slice.call(root.querySelectorAll(".Draftail-Toolbar .Draftail-ToolbarButton"));
    }
    function tabStops(current) {
      var all = buttons();
      if (!all.length) {
        return;
      }
      var stop = all.indexOf(current) >= 0 ? current : all.filter(function (b) {
        return b.getAttribute("tabindex") === "0";
      })[0] || all[0];
      all.forEach(function (b) {
        b.setAttribute("tabindex", b === stop ? "0" : "-1");
      });
    }
    root.addEventListener("focusin", function (event) {
      if (event.target.classList && event.target.classList.contains("Draftail-ToolbarButton")) {
        tabStops(event.target);
      }
    });
    root.addEventListener("keydown", function (event) {
      var button = event.target;
      if (!button.classList || !button.classList.contains("Draftail-ToolbarButton")) {
        return;
      }
      var all = buttons();
      var at = all.indexOf(button);
      var next = null;
      if (event.key === "ArrowRight" || event.key === "ArrowDown") {
        next = all[(at + 1) % all.length];
      } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
        next = all[(at - 1 + all.length) % all.length];
      } else if (event.key === "Home") {
        next = all[0];
      } else if (event.key === "End") {
        next = all[all.length - 1];
      } else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        button.dispatchEvent(new MouseEvent("mousedown", { bubbles: true, cancelable: true, button: 0 }));
        return;
      }
      if (next) {
        event.preventDefault();
        tabStops(next);
        next.focus();
      }
    });
    // React renders the toolbar again as the content changes; keep one button in the Tab order.
    new MutationObserver(function () {
      if (!root.querySelector('.Draftail-Toolbar .Draftail-ToolbarButton[tabindex="0"]')) {
        tabStops(null);
      }
    }).observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ["tabindex"] });
    tabStops(null);
  }

  function start(root) {
    var textarea = root.querySelector("textarea");
    var input = root.querySelector("input[data-draftail-input]");
    if (!textarea || !input || input.draftailEditor) {
      return;
    }
    var options;
    try {
      options = JSON.parse(input.getAttribute("data-w-init-detail-value") || "{}");
      JSON.parse(input.value);
    } catch (e) {
      return; // keep the text area
    }
    // The field's label and description name the editor (its contenteditable box), as they named the
    // text area.
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    if (label) {
      if (!label.id) {
        label.id = textarea.id + "_label";
      }
      options.ariaLabelledBy = label.id;
      label.addEventListener("click", function () {
        if (input.draftailEditor) {
          input.draftailEditor.focus();
        }
      });
    }
    var described = textarea.getAttribute("aria-describedby");
    if (described) {
      options.ariaDescribedBy = described;
    }
    // A toolbar that is always there (Draftail's own), so its buttons are reachable with the Tab key
    // and not only when text is selected.
    if (window.Draftail && window.Draftail.Toolbar) {
      options.topToolbar = window.Draftail.Toolbar;
    }
    if (!LinkSource) {
      options.entityTypes = [];
    }
    input.disabled = false;
    textarea.disabled = true;
    textarea.hidden = true;
    try {
      draftail.initEditor("#" + input.id, options, null);
      root.classList.add("blog-editor--ready");
      keyboardToolbar(root);
    } catch (e) {
      // Whatever went wrong, the member can still write in the text area.
      input.disabled = true;
      textarea.disabled = false;
      textarea.hidden = false;
      throw e;
    }
  }

  function startAll() {
    document.querySelectorAll("[data-blog-editor]").forEach(start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();
