"""What the workspaces plugin brings to the core. The issue "Workspaces and groups" fills it in."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from doeplein.plugins import HOOK_ACTIVITY_VERBS


@hooks.register(HOOK_ACTIVITY_VERBS)
def activity_verbs():
    return {"workspace.opened": _("opened a workspace")}
