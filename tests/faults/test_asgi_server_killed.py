"""Kill one of two real ASGI processes (SIGKILL): its websocket clients reconnect to the other server,
send the last seq they saw, and catch up with nothing lost and nothing stored twice."""

import json
import uuid

import pytest
import websockets
from asgiref.sync import async_to_sync

from doeplein.discussion.actions import get_or_create_room
from doeplein.discussion.models import Message
from doeplein.spaces.models import Role
from tests.faults.support import Client, live_servers, report
from tests.support.asgi_server import session_cookie

pytestmark = pytest.mark.redis

BEFORE, DURING, AFTER = 5, 5, 3  # messages Carol sends before the kill, while A is dead, after the reconnect


@pytest.fixture
def servers(needs_postgres, needs_redis, transactional_db, tmp_path):
    with live_servers(["A", "B"], tmp_path=tmp_path) as pair:
        yield pair


def test_clients_of_a_killed_server_reconnect_to_the_other_and_catch_up_with_nothing_lost(
    servers, make_user, make_space
):
    server_a, server_b = servers
    alice, bob, carol = make_user(), make_user(), make_user()
    space = make_space("members", members={alice: Role.MEMBER, bob: Role.MEMBER, carol: Role.MEMBER})
    room = get_or_create_room(space=space, title=space.name)
    alice_c = Client("alice", session_cookie(alice), room)
    bob_c = Client("bob", session_cookie(bob), room)
    carol_c = Client("carol", session_cookie(carol), room)
    in_flight = uuid.uuid4().hex  # Alice's send that may or may not have reached A when it died
    sent = []  # client_ids of every message a client meant to send

    async def scenario():
        await alice_c.connect(server_a)
        await bob_c.connect(server_a)
        await carol_c.connect(server_b)
        for i in range(BEFORE):
            sent.append((await carol_c.send(f"voor {i}"))["client_id"])
        sent.append((await alice_c.send("Alice via A"))["client_id"])
        for client in (alice_c, bob_c):
            await client.wait_for_seq(BEFORE + 1)

        # Alice sends once more and, without waiting for the ack, server A is killed (no close frames).
        await alice_c.ws.send(json.dumps({"type": "send", "client_id": in_flight, "body": "onderweg"}))
        sent.append(in_flight)
        server_a.process.kill()
        server_a.process.wait(timeout=10)

        for i in range(DURING):  # the room carries on on B while A's clients are away
            sent.append((await carol_c.send(f"tijdens {i}"))["client_id"])

        # A's clients notice the dead connection, reconnect to B with the last seq they saw, catch up.
        for client in (alice_c, bob_c):
            try:
                while True:
                    await client.until("never")
            except (TimeoutError, websockets.ConnectionClosed, OSError):  # gone
                pass
            await client.connect(server_b, resume=True)
        retry = await alice_c.send("onderweg", in_flight)  # the client resends what had no ack
        assert retry["type"] == "ack"

        for i in range(AFTER):
            sent.append((await carol_c.send(f"na {i}"))["client_id"])
        final = await carol_c.send("laatste")
        sent.append(final["client_id"])
        for client in (alice_c, bob_c, carol_c):
            await client.wait_for_seq(final["seq"])
            await client.ws.close()
        return retry

    retry = async_to_sync(scenario)()
    stored = dict(Message.objects.filter(room=room).values_list("seq", "client_id"))
    stored_ids = list(stored.values())
    assert sorted(stored) == list(range(1, len(stored) + 1))  # seqs without gaps
    assert len(stored_ids) == len(set(stored_ids))  # nothing stored twice (the retry included)
    assert set(stored_ids) == set(sent)  # every message sent is stored
    lost = {
        name: sorted(set(stored) - set(c.seen))
        for name, c in (("alice", alice_c), ("bob", bob_c), ("carol", carol_c))
    }
    report(
        "ASGI server killed",
        sent=len(sent),
        stored=len(stored),
        delivered_alice=len(alice_c.seen),
        delivered_bob=len(bob_c.seen),
        delivered_carol=len(carol_c.seen),
        in_flight_retry_was_duplicate=retry["duplicate"],
        lost=sum(len(v) for v in lost.values()),
    )
    assert lost == {"alice": [], "bob": [], "carol": []}
    assert all(c.seen == stored for c in (alice_c, bob_c, carol_c))
