"""A server process that misses live events catches its sockets up from the database, by sequence number:
when its Redis subscription drops (the process stays up, its clients stay connected), and when the
process itself is killed and started again (its clients reconnect to the new process with the last seq)."""

import asyncio
import json

import pytest
import redis
import websockets
from asgiref.sync import async_to_sync
from django.conf import settings

from doeplein.discussion.actions import get_or_create_room
from doeplein.discussion.models import Message
from doeplein.spaces.models import Role
from tests.faults.support import Client, live_servers, report
from tests.support.asgi_server import session_cookie

pytestmark = pytest.mark.redis

BURST = 12  # messages sent right after the subscription was cut


@pytest.fixture
def servers(needs_postgres, needs_redis, transactional_db, tmp_path):
    with live_servers(["A", "B"], tmp_path=tmp_path) as pair:
        yield pair


@pytest.fixture
def trio(make_user, make_space):
    alice, bob, carol = make_user(), make_user(), make_user()
    space = make_space("members", members={alice: Role.MEMBER, bob: Role.MEMBER, carol: Role.MEMBER})
    room = get_or_create_room(space=space, title=space.name)
    return room, {
        name: Client(name, session_cookie(u), room)
        for name, u in zip(("alice", "bob", "carol"), (alice, bob, carol), strict=True)
    }


class Counting(Client):
    """A client that also keeps every message frame in arrival order (to see duplicates and order)."""

    def __init__(self, *args):
        super().__init__(*args)
        self.arrivals = []

    async def until(self, *types):
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), 30))
            if frame["type"] == "message":
                self.seen[frame["seq"]] = frame["client_id"]
                self.arrivals.append(frame["seq"])
            if frame["type"] in types:
                return frame


def kill_subscriptions_of(server):
    """CLIENT KILL the process's live subscriptions (its hub names them doeplein-live-<pid>)."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    name = f"doeplein-live-{server.process.pid}"
    killed = 0
    for entry in client.client_list():
        if entry.get("name") == name and int(entry.get("sub", 0) or 0) > 0:
            client.client_kill_filter(_id=entry["id"])
            killed += 1
    return killed


def test_a_process_whose_redis_subscription_drops_catches_its_sockets_up_without_a_reconnect(servers, trio):
    server_a, server_b = servers
    room, people = trio
    alice = Counting("alice", people["alice"].cookie, room)
    bob = Counting("bob", people["bob"].cookie, room)

    async def scenario():
        await alice.connect(server_a)
        await bob.connect(server_b)
        first = await alice.send("voor de onderbreking")
        await bob.wait_for_seq(first["seq"])
        killed = kill_subscriptions_of(server_b)
        # Straight away, while B's hub is reconnecting: these events are published to nobody on B.
        acks = [await alice.send(f"tijdens {i}") for i in range(BURST)]
        last = acks[-1]["seq"]
        await bob.wait_for_seq(last)  # Bob never reconnects: B's hub catches him up
        await alice.ws.close()
        await bob.ws.close()
        return killed, last

    killed, last = async_to_sync(scenario)()
    stored = sorted(Message.objects.filter(room=room).values_list("seq", flat=True))
    report(
        "live subscription cut",
        subscriptions_killed=killed,
        stored=len(stored),
        delivered_bob=len(bob.arrivals),
    )
    assert killed >= 1  # the cut happened (else this test would prove nothing)
    assert stored == list(range(1, last + 1))
    assert (
        bob.arrivals == stored
    )  # every message once, in order, to the socket on the process that missed them


def test_a_restarted_process_catches_up_its_reconnecting_clients_with_nothing_lost(servers, trio):
    server_a, server_b = servers
    room, people = trio
    alice = Counting("alice", people["alice"].cookie, room)
    bob = Counting("bob", people["bob"].cookie, room)
    carol = Counting("carol", people["carol"].cookie, room)

    async def scenario():
        await alice.connect(server_a)
        await bob.connect(server_b)
        await carol.connect(server_b)
        for i in range(3):
            await alice.send(f"voor {i}")
        await bob.wait_for_seq(3)
        await carol.wait_for_seq(3)
        fresh_b = await asyncio.to_thread(server_b.restart, server_b)  # SIGKILL, then a new process
        for i in range(4):  # the room carries on on A meanwhile
            await alice.send(f"tijdens {i}")
        for client in (bob, carol):
            try:
                while True:
                    await client.until("never")
            except (TimeoutError, websockets.ConnectionClosed, OSError):  # the old process is gone
                pass
            await client.connect(fresh_b, resume=True)  # hello with the last seq seen: caught up
        final = await bob.send("terug")
        for client in (alice, bob, carol):
            await client.wait_for_seq(final["seq"])
            await client.ws.close()
        return final["seq"], fresh_b.process.pid != server_b.process.pid

    last, new_process = async_to_sync(scenario)()
    stored = sorted(Message.objects.filter(room=room).values_list("seq", flat=True))
    report("ASGI server restarted", stored=len(stored), bob=len(bob.seen), carol=len(carol.seen))
    assert new_process
    assert stored == list(range(1, last + 1))
    for client in (alice, bob, carol):
        assert sorted(client.seen) == stored, client.name
    assert len(alice.arrivals) == len(set(alice.arrivals))  # Alice's socket never saw one twice
