from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    """The one access-control gate. It has no models of its own any more: the space data it reads is
    :mod:`doeplein.spaces.models` (moved there by ``migrations/0005_move_to_spaces.py``); the app stays
    installed for its migration history."""

    name = "doeplein.access"
    label = "access"
    verbose_name = _("Access")
