from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Platform plumbing: health, live events, e-mail, demo data."""

    name = "doeplein.core"
    label = "doeplein_core"
    verbose_name = _("Core")

    def ready(self):
        from . import checks  # noqa: F401  (registers system checks)
