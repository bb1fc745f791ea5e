"""Audit log entries in words: "Amira muted Bas for 10 minutes: swearing"."""

from datetime import datetime

from django import template
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def _duration(entry):
    until = (entry.data or {}).get("until")
    if not until:
        return None
    try:
        end = datetime.fromisoformat(until)
    except ValueError:
        return None
    minutes = max(1, round((end - entry.created_at).total_seconds() / 60))
    if minutes < 120:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return timesince(entry.created_at, end, depth=1)


SENTENCES = {
    # With a target person and a duration.
    "user.mute": (
        lambda: _("%(actor)s muted %(target)s for %(duration)s"),
        lambda: _("%(actor)s muted %(target)s until lifted"),
    ),
    "user.ban": (
        lambda: _("%(actor)s banned %(target)s for %(duration)s"),
        lambda: _("%(actor)s banned %(target)s until lifted"),
    ),
}
SIMPLE = {
    "user.mute_lifted": lambda: _("%(actor)s lifted the mute of %(target)s"),
    "user.ban_lifted": lambda: _("%(actor)s lifted the ban of %(target)s"),
    "message.hidden": lambda: _("%(actor)s hid a message by %(target)s"),
    "message.held": lambda: _("A message by %(target)s was held for review"),
    "message.unhidden": lambda: _("%(actor)s showed a message by %(target)s again"),
    "message.released": lambda: _("%(actor)s approved a held message by %(target)s"),
    "message.pinned": lambda: _("%(actor)s pinned a message by %(target)s"),
    "message.unpinned": lambda: _("%(actor)s unpinned a message by %(target)s"),
    "message.reported": lambda: _("%(actor)s reported a message by %(target)s"),
    "report.hidden": lambda: _("%(actor)s handled a report: the message by %(target)s is hidden"),
    "report.kept": lambda: _("%(actor)s handled a report: the message by %(target)s stays"),
    "report.sanctioned": lambda: _("%(actor)s handled a report: hid the message and muted %(target)s"),
    "room.locked": lambda: _("%(actor)s locked the discussion %(room)s"),
    "room.unlocked": lambda: _("%(actor)s unlocked the discussion %(room)s"),
    "filter.added": lambda: _("%(actor)s added the word filter “%(word)s”"),
    "filter.removed": lambda: _("%(actor)s removed the word filter “%(word)s”"),
}


@register.filter
def audit_sentence(entry):
    """The entry as one sentence in the reader's language, with its reason after a colon."""
    data = entry.data or {}
    values = {
        "actor": entry.actor.display_name if entry.actor else _("the platform"),
        "target": entry.target_user.display_name if entry.target_user else _("someone"),
        "room": entry.room.title if entry.room else "",
        "word": data.get("word", ""),
    }
    if entry.action in SENTENCES:
        timed, open_ended = SENTENCES[entry.action]
        duration = _duration(entry)
        text = (timed() % {**values, "duration": duration}) if duration else (open_ended() % values)
    elif entry.action == "room.slow_mode":
        seconds = data.get("seconds") or 0
        text = (
            _("%(actor)s turned slow mode off in %(room)s") % values
            if not seconds
            else ngettext(
                "%(actor)s set slow mode in %(room)s to one message every %(n)d second",
                "%(actor)s set slow mode in %(room)s to one message every %(n)d seconds",
                seconds,
            )
            % {**values, "n": seconds}
        )
    elif entry.action in SIMPLE:
        text = SIMPLE[entry.action]() % values
    else:
        text = f"{values['actor']}: {entry.action}"
    return f"{text}: {entry.reason}" if entry.reason else text
