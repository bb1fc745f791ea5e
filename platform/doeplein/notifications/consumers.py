"""Live notifications over a websocket: the server pushes, the client only listens."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from doeplein.live import user_group

CLOSE_UNAUTHENTICATED = 4401


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        await self.send_json({"type": "error", "code": "read_only", "message": "This socket only sends."})

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        # Malformed JSON answers with an error frame instead of crashing the consumer.
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)
        except ValueError:
            await self.send_json({"type": "error", "code": "bad_json", "message": "Frames must be JSON."})

    async def live_event(self, message):
        await self.send_json(message["event"])
