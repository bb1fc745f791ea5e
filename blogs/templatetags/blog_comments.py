"""The reaction buttons under a comment, built in Python: a post page with 300 comments has 2,400 of
them, and a template loop (or format_html) per button was most of the page's time."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


def _parts(reactions):
    """Per emoji, the escaped text of its button around the parts that vary (action, state, count)."""
    parts = []
    for emoji in reactions:
        label = escape(gettext("React with %(emoji)s") % {"emoji": emoji})
        # The visible text (the emoji and its count) is the button's name, as WCAG's "label in name"
        # asks; what it does is its description (title).
        parts.append((emoji, f'value="{escape(emoji)}" title="{label}">{escape(emoji)}'))
    return parts


@register.simple_tag(takes_context=True)
def reaction_buttons(context, comment):
    """Buttons on the page's one shared form (``form="comment-act"``): name ``emoji`` adds the reaction,
    ``remove`` takes the viewer's own back (``aria-pressed`` says which)."""
    parts = context.get("_reaction_parts")
    if parts is None:
        parts = _parts(context["reactions"])
        context.dicts[0]["_reaction_parts"] = parts
    start = f'<button type="submit" form="comment-act" formaction="{escape(context["comment_base"])}{int(comment.pk)}/react/" '
    counts, mine = comment.reaction_counts, comment.my_reactions
    html = []
    for emoji, rest in parts:
        state = (
            'name="remove" aria-pressed="true" ' if emoji in mine else 'name="emoji" aria-pressed="false" '
        )
        count = f" {int(counts[emoji])}" if emoji in counts else ""
        html.append(f"{start}{state}{rest}{count}</button>")
    return mark_safe("".join(html))  # noqa: S308 - every part above is escaped or an integer
