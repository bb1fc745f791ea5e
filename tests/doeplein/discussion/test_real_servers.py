"""Two real ASGI server processes (uvicorn) sharing PostgreSQL and Redis, over real websocket connections.

The servers run ``doeplein.asgi:application`` (session authentication, Origin check) against this test's
database, with channels-redis under a channel prefix of this test alone. People log in through sessions
written to the database; the clients are the ``websockets`` library, as a browser would connect.
"""

import asyncio
import json
import uuid

import pytest
import websockets
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.test import override_settings
from websockets.asyncio.client import connect

from doeplein.discussion.models import Message
from doeplein.spaces.models import Membership, Role
from tests.support.asgi_server import run_servers, server_env, session_cookie
from tests.support.celery_worker import database_url

TIMEOUT = 30  # seconds for any one frame: generous for a loaded CI machine; frames normally take milliseconds
BACKGROUND = ("presence", "typing")  # frames that arrive whenever people come and go

pytestmark = pytest.mark.redis


@pytest.fixture
def servers(needs_postgres, needs_redis, transactional_db, tmp_path):
    """Servers A and B. Requesting transactional_db first means they stop before the tables are flushed."""
    prefix = f"doeplein-realsrv-{uuid.uuid4().hex[:12]}"
    layer = {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [settings.REDIS_URL], "prefix": prefix},
    }
    env = server_env(
        database_url=database_url(),
        redis_url=settings.REDIS_URL,
        secret_key=settings.SECRET_KEY,  # the sessions this process writes are signed with it
        extra={
            "DOEPLEIN_TESTING": "1",
            "DOEPLEIN_VAR_DIR": str(tmp_path / "var"),
            "CHANNEL_LAYER_PREFIX": prefix,
            "CELERY_QUEUE": prefix,  # nothing a server enqueues lands on anyone else's queue
            "DISCUSSION_RATE_COUNT": "10000",  # the servers' cache is shared Redis; no test here is about floods
        },
    )
    # Live events raised in this process (an action called by the test) go where the servers listen.
    with override_settings(CHANNEL_LAYERS={"default": layer}):
        with run_servers(["A", "B"], env=env, log_dir=tmp_path) as pair:
            yield pair


@pytest.fixture
def room_of(db):
    from doeplein.discussion.actions import get_or_create_room

    def make(space):
        return get_or_create_room(space=space, title=space.name)

    return make


def run(scenario):
    """Run ``async def scenario()``; database calls inside it (sync_to_async) run on this thread."""
    return async_to_sync(scenario)()


async def open_socket(server, room, cookie=None, origin=None):
    headers = {"Cookie": cookie} if cookie else {}
    return await connect(
        server.ws_url(f"/ws/rooms/{room.pk}/"),
        origin=origin or server.origin,
        additional_headers=headers,
        open_timeout=TIMEOUT,
        ping_interval=None,
    )


async def next_frame(ws, *types):
    """The next frame of one of ``types`` (any but presence and typing when none are given)."""
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        if (types and frame["type"] in types) or (not types and frame["type"] not in BACKGROUND):
            return frame


async def join(server, room, cookie):
    ws = await open_socket(server, room, cookie)
    await ws.send(json.dumps({"type": "hello"}))
    return ws, await next_frame(ws, "welcome")


async def send(ws, body, client_id):
    await ws.send(json.dumps({"type": "send", "client_id": client_id, "body": body}))
    return await next_frame(ws, "ack", "error")


async def close_code(ws):
    """Read until the server closes the connection; its close code."""
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
            assert frame["type"] in BACKGROUND, f"unexpected frame before the close: {frame}"
    return closed.value.rcvd.code if closed.value.rcvd else None


def test_message_sent_through_one_server_reaches_a_client_of_the_other_and_is_stored_once(
    servers, make_user, make_space, room_of
):
    server_a, server_b = servers
    alice, bob = make_user(), make_user()
    space = make_space("members", members={alice: Role.MEMBER, bob: Role.MEMBER})
    room = room_of(space)
    alice_cookie, bob_cookie = session_cookie(alice), session_cookie(bob)
    first, second = uuid.uuid4().hex, uuid.uuid4().hex

    async def scenario():
        alice_on_a, welcome_a = await join(server_a, room, alice_cookie)
        bob_on_b, welcome_b = await join(server_b, room, bob_cookie)
        # The sessions written by this process authenticate the sockets on both servers.
        assert (welcome_a["you"]["id"], welcome_b["you"]["id"]) == (alice.pk, bob.pk)

        ack = await send(alice_on_a, "Hallo vanaf server A", first)
        assert ack == {"type": "ack", "client_id": first, "seq": 1, "state": "visible", "duplicate": False}
        delivered = await next_frame(bob_on_b, "message")
        assert delivered["seq"] == 1 and delivered["client_id"] == first
        assert (delivered["body"], delivered["author"]["id"]) == ("Hallo vanaf server A", alice.pk)

        # Alice's client retries the same send through the other server: acknowledged, not stored again …
        alice_on_b, _ = await join(server_b, room, alice_cookie)
        retry = await send(alice_on_b, "Hallo vanaf server A", first)
        assert (retry["type"], retry["seq"], retry["duplicate"]) == ("ack", 1, True)
        # … and not delivered again: the next message Bob receives is the next one sent.
        assert (await send(alice_on_a, "En nog een", second))["seq"] == 2
        following = await next_frame(bob_on_b, "message")
        assert (following["seq"], following["client_id"]) == (2, second)
        for ws in (alice_on_a, alice_on_b, bob_on_b):
            await ws.close()

    run(scenario)
    stored = Message.objects.filter(room=room).order_by("seq").values_list("seq", "client_id")
    assert list(stored) == [(1, first), (2, second)]
    room.refresh_from_db()
    assert room.last_seq == 2


def test_websocket_from_an_origin_not_in_allowed_hosts_is_refused_by_both_servers(
    servers, make_user, make_space, room_of
):
    alice = make_user()
    room = room_of(make_space("members", members={alice: Role.MEMBER}))
    cookie = session_cookie(alice)

    async def scenario():
        for server in servers:
            for foreign in ("http://evil.example", f"http://evil.example:{server.port}"):
                with pytest.raises(websockets.InvalidStatus) as refused:
                    await open_socket(server, room, cookie, origin=foreign)
                assert refused.value.response.status_code == 403
            # The same person, with the server's own origin, is let in: only the origin was wrong.
            ws, welcome = await join(server, room, cookie)
            assert welcome["you"]["id"] == alice.pk
            await ws.close()

    run(scenario)


def test_member_removed_from_the_space_is_cut_off_on_every_server_at_once(
    servers, make_user, make_space, room_of
):
    from doeplein.spaces.actions import do_remove_member

    server_a, server_b = servers
    owner, carol, dave = make_user(), make_user(), make_user()
    space = make_space("members", members={owner: Role.OWNER, carol: Role.MEMBER, dave: Role.MEMBER})
    room = room_of(space)
    carol_cookie, dave_cookie = session_cookie(carol), session_cookie(dave)

    async def scenario():
        carol_on_a, _ = await join(server_a, room, carol_cookie)
        carol_on_b, _ = await join(server_b, room, carol_cookie)
        dave_on_b, _ = await join(server_b, room, dave_cookie)

        # The owner removes Carol in this (test) process: the event reaches both servers through Redis.
        await sync_to_async(do_remove_member)(actor=owner, space=space, user=carol)

        for ws in (carol_on_a, carol_on_b):
            revoked = await next_frame(ws)
            assert (revoked["type"], revoked["code"]) == ("error", "access_revoked")
            assert await close_code(ws) == 4403
        # A new connection is refused too; Dave, still a member, carries on.
        again = await open_socket(server_a, room, carol_cookie)
        assert await close_code(again) == 4403
        ack = await send(dave_on_b, "Ik ben er nog", uuid.uuid4().hex)
        assert (ack["type"], ack["seq"]) == ("ack", 1)
        await dave_on_b.close()

    run(scenario)
    assert not Membership.objects.filter(space=space, user=carol).exists()
    assert list(Message.objects.filter(room=room).values_list("author_id", flat=True)) == [dave.pk]
