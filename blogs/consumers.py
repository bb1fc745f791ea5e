"""The post page's websocket, ``/ws/blogs/posts/<post_id>/``: the server pushes comment, reaction and
post frames; writes go through the pages or the API (and their actions).

Access is re-read from the gate whenever an ``access_changed`` event reaches one of the groups the
socket joined (the post's space, its ancestors, the person), and before a moderators-only frame.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from doeplein.access import can
from doeplein.live import access_group, access_space_group

from .actions import post_group
from .models import Post

CLOSE_NOT_FOUND = 4404


class PostConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.user = self.scope.get("user")
        self.post_id = self.scope["url_route"]["kwargs"]["post_id"]
        self.groups_joined = []
        verdict = await self._verdict()
        if not verdict["view"]:
            await self.accept()
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.moderator = verdict["moderate"]
        groups = [post_group(self.post_id), *(access_space_group(s) for s in verdict["spaces"])]
        if self.user is not None and self.user.is_authenticated:
            groups.append(access_group(self.user.pk))
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = groups
        await self.accept()
        await self.send_json({"type": "hello", "post": self.post_id, "moderator": self.moderator})

    @database_sync_to_async
    def _verdict(self):
        post = Post.objects.select_related("space").filter(pk=self.post_id).first()
        if post is None or not can(self.user, "view", post):
            return {"view": False}
        spaces = [post.space_id] + ([post.space.parent_id] if post.space.parent_id else [])
        return {"view": True, "moderate": can(self.user, "moderate", post.space), "spaces": spaces}

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        await self.send_json({"type": "error", "code": "read_only", "message": "This socket only sends."})

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)
        except ValueError:
            await self.send_json({"type": "error", "code": "bad_json", "message": "Frames must be JSON."})

    async def live_event(self, message):
        event = message["event"]
        if event.get("kind") == "access_changed" or event.get("frame", {}).get("type") in (
            "post_unpublished",
        ):
            verdict = await self._verdict()
            if not verdict["view"]:
                await self.close(code=CLOSE_NOT_FOUND)
                return
            self.moderator = verdict["moderate"]
            if event.get("kind") == "access_changed":
                return
        if event.get("kind") != "blog":
            return
        if event.get("moderators_only") and not self.moderator:
            return
        await self.send_json(event["frame"])
