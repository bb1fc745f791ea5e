"""What the blogs plugin brings to the core. A later issue fills it in."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from doeplein.plugins import HOOK_ACTIVITY_VERBS


@hooks.register(HOOK_ACTIVITY_VERBS)
def activity_verbs():
    return {"blog.published": _("published a blog post")}
