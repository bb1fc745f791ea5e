from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PluginExampleConfig(AppConfig):
    """Nothing to wire: the gate learns about Note from the content-types hook in wagtail_hooks.py."""

    name = "tests.plugin_example"
    label = "plugin_example"
    verbose_name = _("Example plugin (tests)")
    default_auto_field = "django.db.models.BigAutoField"
