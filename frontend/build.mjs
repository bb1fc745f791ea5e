// Bundles the NL Design System CSS this platform uses into one file the platform serves itself
// (platform/doeplein/static/nlds/nlds.css). Run by `./dev nlds` (after `npm ci` here); the result is
// committed, so `./dev demo` and `./dev test` need no npm on a fresh machine. Every part keeps its
// own licence header (EUPL-1.2). Site settings override the theme's colour scales and font at run
// time through /theme.css (doeplein.core.theme), so no rebuild is needed per organisation.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const out = join(here, "..", "platform", "doeplein", "static", "nlds", "nlds.css");

// The Utrecht component packages (part of @utrecht/component-library-css) the templates use.
const components = [
  "root", "document", "body", "skip-link", "page-layout", "page-header", "page-body", "page-content",
  "page-footer", "nav-bar", "nav-list", "breadcrumb-nav", "heading-1", "heading-2", "heading-3",
  "heading-4", "paragraph", "link", "link-list", "unordered-list", "ordered-list", "button", "button-link",
  "link-button", "button-group", "action-group", "form", "form-field", "form-label", "form-field-description",
  "form-field-error-message", "form-fieldset", "textbox", "textarea", "select", "checkbox",
  "radio-button", "alert", "table", "badge-counter", "number-badge", "data-badge", "status-badge",
  "separator", "rich-text", "html-content", "logo", "logo-image", "pagination", "surface", "mark",
  "data-list", "search-bar", "emphasis", "code", "pre-heading", "heading-group", "img", "blockquote",
];
const themePackage = "@nl-design-system-unstable/voorbeeld-design-tokens";

const version = (pkg) => JSON.parse(readFileSync(join(modules, pkg, "package.json"), "utf8")).version;
const parts = [
  `/* Doeplein's NL Design System bundle, built by frontend/build.mjs; do not edit.\n` +
    ` * ${themePackage}@${version(themePackage)} (EUPL-1.2),\n` +
    ` * @utrecht/component-library-css@${version("@utrecht/component-library-css")} (EUPL-1.2):\n` +
    ` * ${components.map((c) => `@utrecht/${c}-css@${version(`@utrecht/${c}-css`)}`).join(", ")} */`,
  // The theme also carries tokens of other component libraries (Den Haag, Amsterdam …); keep only
  // the Utrecht components', the shared "basis" tokens and the palette they refer to.
  readFileSync(join(modules, themePackage, "dist", "theme.css"), "utf8")
    .split("\n")
    .filter((line) => !/^\s*--/.test(line) || /^\s*--(utrecht|basis|voorbeeld)-/.test(line))
    .join("\n"),
  ...components.map((c) => readFileSync(join(modules, "@utrecht", `${c}-css`, "dist", "index.css"), "utf8")),
  // The same components for plain HTML elements inside `.utrecht-html` (forms and tables that
  // templates write without component classes).
  readFileSync(join(modules, "@utrecht", "component-library-css", "dist", "html.css"), "utf8"),
];
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, parts.join("\n") + "\n");
console.log(`wrote ${out}`);
