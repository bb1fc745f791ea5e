"""Helpers for talking to the room websocket in tests (imported by the discussion and moderation tests).

Sockets go through the real websocket router (doeplein.routing); the user is put in the scope as the
session middleware would. One test in test_consumer_auth.py goes through doeplein.asgi.application
with a real session cookie and Origin header instead.
"""

import json
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

RECEIVE_TIMEOUT = 30  # seconds: generous for a loaded CI machine; frames normally take milliseconds
SENTINEL = "zz_sentinel"
BACKGROUND = ("presence", "typing")  # frames that arrive whenever people come and go


def channel_layer_settings():
    """In-memory layer, or channels-redis under a prefix of this test alone when REDIS_URL is set."""
    if settings.REDIS_URL:
        prefix = f"doeplein-test-{uuid.uuid4().hex[:12]}"
        return {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [settings.REDIS_URL], "prefix": prefix},
            }
        }
    return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def live_isolation(settings):
    """A channel layer and a cache key prefix of this test only (xdist-safe, also on one shared Redis)."""
    settings.CACHES = {
        name: {**conf, "KEY_PREFIX": f"t-{uuid.uuid4().hex}"} for name, conf in settings.CACHES.items()
    }
    with override_settings(CHANNEL_LAYERS=channel_layer_settings()):
        yield


def run(scenario):
    """Run an ``async def scenario()`` to its end from synchronous test code."""
    return async_to_sync(scenario)()


def socket(user, room_id, application=None):
    """A communicator on /ws/rooms/<room_id>/ as ``user`` (None: anonymous)."""
    from doeplein.routing import websocket_urlpatterns

    communicator = WebsocketCommunicator(
        application or URLRouter(websocket_urlpatterns), f"/ws/rooms/{room_id}/"
    )
    communicator.scope["user"] = user if user is not None else AnonymousUser()
    return communicator


async def connect_outcome(communicator):
    """ "welcome" when the room lets this person in, else the close code it gives."""
    connected, code = await communicator.connect(timeout=RECEIVE_TIMEOUT)
    if not connected:
        return code
    await communicator.send_json_to({"type": "hello"})
    while True:
        output = await communicator.receive_output(timeout=RECEIVE_TIMEOUT)
        if output["type"] == "websocket.close":
            return output.get("code")
        frame = json.loads(output["text"])
        if frame["type"] == "welcome":
            return "welcome"


async def join(user, room_id, last_seq=None):
    """Connect, say hello and return (communicator, welcome frame)."""
    communicator = socket(user, room_id)
    connected, _ = await communicator.connect(timeout=RECEIVE_TIMEOUT)
    assert connected
    hello = {"type": "hello"} if last_seq is None else {"type": "hello", "last_seq": last_seq}
    await communicator.send_json_to(hello)
    welcome = await next_frame(communicator, "welcome")
    return communicator, welcome


async def next_frame(communicator, *types):
    """The next frame of one of ``types`` (any type when none are given), skipping presence and typing."""
    while True:
        frame = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
        if types and frame["type"] in types:
            return frame
        if not types and frame["type"] not in BACKGROUND:
            return frame


async def each_frame(communicator, *types):
    """The next frame of each of ``types``, in whatever order they come, as a dict by type.

    For frames with no fixed order between them, such as the reporter's own ``reported`` and the
    moderators' ``report`` broadcast, which a moderator who reports gets both of."""
    found = {}
    while len(found) < len(types):
        frame = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
        if frame["type"] in types:
            found.setdefault(frame["type"], frame)
    return found


async def frames_until(communicator, predicate):
    """All frames (background ones left out) up to and including the first that ``predicate`` accepts."""
    seen = []
    while True:
        frame = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
        if frame["type"] in BACKGROUND:
            continue
        seen.append(frame)
        if predicate(frame):
            return seen


def is_sentinel_answer(frame):
    return frame["type"] == "error" and frame["code"] == "unknown_type" and SENTINEL in frame["message"]


async def outcome(communicator, frame):
    """Send ``frame`` and then a sentinel; "ok", or the code of the error frame the server answered with.

    Errors are sent by the frame's own handler, before the next client frame is handled, so an error
    for ``frame`` always comes before the sentinel's answer."""
    await communicator.send_json_to(frame)
    await communicator.send_json_to({"type": SENTINEL})
    seen = await frames_until(communicator, is_sentinel_answer)
    errors = [f["code"] for f in seen[:-1] if f["type"] == "error"]
    assert len(errors) <= 1, seen
    return errors[0] if errors else "ok"


async def still_works(communicator, client_id=None):
    """Prove the connection still serves: a good send is acknowledged."""
    client_id = client_id or uuid.uuid4().hex
    await communicator.send_json_to({"type": "send", "client_id": client_id, "body": "still here"})
    ack = await next_frame(communicator, "ack", "error")
    assert ack["type"] == "ack", ack
    return ack
