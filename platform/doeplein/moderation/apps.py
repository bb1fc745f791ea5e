from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    """Reports, review queue, sanctions, word filters, audit log."""

    name = "doeplein.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self):
        from doeplein.discussion.registry import registry

        from .discussion import register

        register(registry)
