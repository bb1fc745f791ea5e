"""How texts people write are shown: small safe markdown (links, emphasis, lists) for welcome texts and
descriptions, chat bodies with @mentions marked, and avatars."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from doeplein.core.text import markdown_to_html

register = template.Library()

MENTION = re.compile(r"(?<![\w@])@([\w][\w.\-]*(?: [A-Z][\w\-]*)?)")
PALETTE = 8


@register.filter
def markdown(text):
    """Markdown written by a person, as sanitised HTML (markdown-it-py, then nh3)."""
    return mark_safe(markdown_to_html(text or ""))


@register.filter
def chat_body(text):
    """A chat message: escaped, line breaks kept, @mentions marked."""
    escaped = escape(text or "")
    marked = MENTION.sub(lambda m: f'<span class="mention">@{m.group(1)}</span>', escaped)
    return mark_safe(marked.replace("\n", "<br>"))


def initials(name):
    parts = [p for p in re.split(r"[\s.\-_@]+", name or "") if p]
    if not parts:
        return "?"
    return (parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")).upper()


@register.inclusion_tag("components/avatar.html")
def avatar(user, size=""):
    """A person's picture when everyone may see it, else their initials on a colour of their own."""
    picture = ""
    profile = getattr(user, "profile", None) if user is not None and getattr(user, "pk", None) else None
    try:
        if profile is not None and profile.avatar and profile.audience_for("avatar") == "everyone":
            picture = profile.avatar.url
    except (ValueError, AttributeError):
        picture = ""
    name = getattr(user, "display_name", "") if user is not None else ""
    return {
        "picture": picture,
        "initials": initials(name),
        "tone": (getattr(user, "pk", 0) or 0) % PALETTE,
        "size": size,
    }
