from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpacesConfig(AppConfig):
    """What every kind of space shares: the Space model, memberships, requests, invitations, roles and
    their pages, API and actions. Plugins (workspaces, groups …) register a kind of space and build on it."""

    name = "doeplein.spaces"
    label = "spaces"
    verbose_name = _("Spaces")

    def ready(self):
        # Teach the gate the content types plugins declare (once every app is loaded). The gate itself
        # never asks the plugin registry: it is told.
        from doeplein.access import guard, is_guarded
        from doeplein.plugins import register_content_types

        from . import kinds

        register_content_types(guard, is_guarded)
        kinds.load()
