from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionConfig(AppConfig):
    """Live discussion: rooms, messages, Channels consumers."""

    name = "doeplein.discussion"
    label = "discussion"
    verbose_name = _("Discussion")

    def ready(self):
        from doeplein.access import guard

        from .models import Message, Room

        guard(Room, space="space")
        guard(Message, space="room__space", owner="author")

        from .consumers import register_core_frames

        register_core_frames()
