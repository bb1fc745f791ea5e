from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The Wagtail site: home page, themes and site settings."""

    name = "doeplein.home"
    label = "home"
    verbose_name = _("Site")
