"""Activity verbs: the core's own, plus those plugins register through the activity-verbs hook."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks

from doeplein.plugins import HOOK_ACTIVITY_VERBS

CORE_VERBS = {
    "account.registered": _("joined the platform"),
    "account.confirmed": _("confirmed their e-mail address"),
    "account.deleted": _("deleted their account"),
    "account.role_granted": _("was given a role"),
    "profile.updated": _("updated their profile"),
    "space.joined": _("joined"),
    "space.left": _("left"),
    "space.join_requested": _("asked to join"),
    "space.request_approved": _("approved a request to join"),
    "space.request_rejected": _("turned down a request to join"),
    "space.role_changed": _("changed a member's role"),
    "space.member_removed": _("removed a member"),
    "space.invited": _("sent an invitation"),
    # A context of its own: as a field label "archived" is an adjective, here it is a verb.
    "space.archived": pgettext_lazy("activity verb", "archived"),
    "space.restored": _("restored"),
    "discussion.posted": _("posted in the discussion"),
}


def all_verbs():
    verbs = dict(CORE_VERBS)
    for hook in hooks.get_hooks(HOOK_ACTIVITY_VERBS):
        verbs.update(hook())
    return verbs


def verb_label(verb):
    return all_verbs().get(verb, verb)
