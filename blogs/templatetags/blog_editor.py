"""The few icons the site's Draftail editor shows, in the page itself.

Wagtail's admin loads its whole icon sprite from an admin URL (``wagtailadmin_sprite``); the site's
editor must not call the admin, and needs a dozen icons, so they are put in the page as ``<symbol>``
elements, built from Wagtail's own icon templates the way Wagtail builds its sprite
(``wagtail.admin.icons.get_icons``)."""

import re
from functools import cache

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

register = template.Library()

# The features' toolbar icons (h2 … link) and those of Draftail's own controls and link tooltips.
EDITOR_ICONS = (
    "h2",
    "h3",
    "list-ol",
    "list-ul",
    "openquote",
    "bold",
    "italic",
    "link",
    "mail",
    "warning",
    "thumbtack",
    "thumbtack-crossed",
    "plus",
    "minus",
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@cache
def _symbols():
    symbols = []
    for name in EDITOR_ICONS:
        svg = render_to_string(f"wagtailadmin/icons/{name}.svg")
        svg = _COMMENT.sub("", svg.replace('xmlns="http://www.w3.org/2000/svg"', "")).replace("svg", "symbol")
        symbols.append(svg.strip())
    return "".join(symbols)


@register.simple_tag
def blog_editor_icons():
    return mark_safe(  # noqa: S308 (Wagtail's own icon templates, no user input)
        f'<div hidden><svg xmlns="http://www.w3.org/2000/svg"><defs>{_symbols()}</defs></svg></div>'
    )
