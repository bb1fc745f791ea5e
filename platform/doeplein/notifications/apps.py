from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """In-app (live) and e-mail notifications."""

    name = "doeplein.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
