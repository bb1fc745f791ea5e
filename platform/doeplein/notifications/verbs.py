"""Notification verbs: what each verb says, rendered when the notification is read, in the reader's
language. The core's verbs are here; plugins add theirs through the ``doeplein_notification_verbs``
hook (a ``{verb: lazy message}`` dict; the message takes ``%(name)s`` placeholders filled from the
notification's params, or is a function ``params -> text`` for messages that translate a param)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from doeplein.plugins import HOOK_NOTIFICATION_VERBS

CORE_VERBS = {
    "space.welcome": _("Welcome to %(space)s: %(text)s"),
    "space.join_requested": _("%(name)s asks to join %(space)s."),
    "space.request_approved": _("Your request to join %(space)s was approved."),
    "space.request_rejected": _("Your request to join %(space)s was turned down."),
    "space.request_approved_with_message": _("Your request to join %(space)s was approved: %(message)s"),
    "space.request_rejected_with_message": _("Your request to join %(space)s was turned down: %(message)s"),
    "space.invited": _("%(name)s invites you to join %(space)s."),
    "space.role_changed": lambda params: (
        _("Your role in %(space)s is now: %(role)s.") % {**params, "role": _role_label(params.get("role"))}
    ),
    "space.removed": _("You are no longer a member of %(space)s."),
    "discussion.mentioned": _("%(name)s mentioned you in %(room)s."),
    "account.welcome": _("Welcome to %(site)s! Tell others what you work on: complete your profile."),
    "account.role_granted": _("You may now %(what)s."),
}


def _role_label(value):
    from doeplein.spaces.models import Role

    try:
        return Role(int(value)).label
    except (TypeError, ValueError):
        return str(value or "")


def all_verbs():
    verbs = dict(CORE_VERBS)
    for hook in hooks.get_hooks(HOOK_NOTIFICATION_VERBS):
        verbs.update(hook())
    return verbs


class _Missing(dict):
    """Params that leave out a placeholder render it empty instead of failing the page."""

    def __missing__(self, key):
        return ""


def render(verb, params, fallback=""):
    """The text of a notification in the active language. ``fallback``: the text stored by callers
    that still pass ``message=`` (rendered as written), or when the verb is unknown."""
    template = all_verbs().get(verb)
    if template is None:
        return fallback or verb
    try:
        if callable(template):
            return str(template(_Missing(params or {})))
        return str(template) % _Missing(params or {})
    except (TypeError, ValueError):
        return fallback or str(template)
