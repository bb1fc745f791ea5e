"""Websocket routes: the core's own plus those plugins add through the websocket-URLs hook."""

from django.urls import path

from doeplein.discussion.consumers import RoomConsumer
from doeplein.notifications.consumers import NotificationConsumer
from doeplein.plugins import HOOK_WEBSOCKET_URLS, collect

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    path("ws/rooms/<int:room_id>/", RoomConsumer.as_asgi()),
    *collect(HOOK_WEBSOCKET_URLS),
]
