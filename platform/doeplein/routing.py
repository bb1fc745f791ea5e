"""Websocket routes: the core's own plus those plugins add through the websocket-URLs hook.

A path no route matches (``/ws/``, ``/ws/rooms/abc/``, ``/ws/rooms/24`` without its slash) is accepted
and closed at once with 4404, the documented "no such room" code, instead of failing the handshake
with a server error.
"""

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import path, re_path

from doeplein.discussion.consumers import CLOSE_NOT_FOUND, RoomConsumer
from doeplein.notifications.consumers import NotificationConsumer
from doeplein.plugins import HOOK_WEBSOCKET_URLS, collect


class NotFoundConsumer(AsyncWebsocketConsumer):
    """Every websocket path without a route: close with 4404."""

    async def connect(self):
        await self.accept()
        await self.close(code=CLOSE_NOT_FOUND)

    async def receive(self, text_data=None, bytes_data=None):
        return  # closing: frames that still arrive are dropped


websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    path("ws/rooms/<int:room_id>/", RoomConsumer.as_asgi()),
    *collect(HOOK_WEBSOCKET_URLS),
    re_path(r"", NotFoundConsumer.as_asgi()),  # last: only what nothing else matched
]
