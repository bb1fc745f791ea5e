from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivityConfig(AppConfig):
    """Who did what, where, when."""

    name = "doeplein.activity"
    label = "activity"
    verbose_name = _("Activity")

    def ready(self):
        from doeplein.access import guard

        from .models import Activity

        guard(Activity, space="space", audience="audience", owner="actor")
