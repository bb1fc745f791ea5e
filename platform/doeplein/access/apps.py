from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    """The one access-control gate."""

    name = "doeplein.access"
    label = "access"
    verbose_name = _("Access")
