"""One delivery per process (doeplein.livehub, doeplein.discussion.fanout): each event reaches the room's
feed once, each variant of the frame is encoded once for all sockets, a missed event is caught up from the
database by sequence number, a socket that cannot keep up is closed with 4408, presence is coalesced, and
the per-person writes of a websocket send are batched (doeplein.discussion.afterwards)."""

import json

import pytest
from asgiref.sync import sync_to_async

from doeplein import livehub
from doeplein.activity.models import Activity
from doeplein.discussion import fanout
from doeplein.discussion.afterwards import queue
from doeplein.discussion.consumers import CLOSE_TOO_SLOW
from doeplein.discussion.models import ReadMarker
from doeplein.spaces.models import Role
from tests.doeplein.discussion.live import join, next_frame, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def crowd(make_user, make_space, make_room):
    people = [make_user() for _ in range(5)]
    manager = make_user()
    space = make_space("members", members={**dict.fromkeys(people, Role.MEMBER), manager: Role.OWNER})
    return people, manager, make_room(space)


async def send(communicator, client_id, body):
    await communicator.send_json_to({"type": "send", "client_id": client_id, "body": body})
    return await next_frame(communicator, "ack", "error")


def test_every_socket_gets_the_message_encoded_once_for_all(crowd, monkeypatch):
    people, _manager, room = crowd
    encoded = []
    real = fanout.encode
    monkeypatch.setattr(fanout, "encode", lambda frame: encoded.append(frame.get("type")) or real(frame))

    async def scenario():
        sockets = [(await join(person, room.pk))[0] for person in people]
        ack = await send(sockets[0], "once", "Eén keer ingepakt")
        received = [await next_frame(s, "message") for s in sockets]
        for s in sockets:
            await s.disconnect()
        return ack, received

    ack, received = run(scenario)
    assert [f["seq"] for f in received] == [ack["seq"]] * len(people)
    assert {f["body"] for f in received} == {"Eén keer ingepakt"}
    assert encoded.count("message") == 1  # one encoding for five sockets


def test_a_message_this_process_missed_is_read_from_the_database_in_order(crowd, monkeypatch):
    people, _manager, room = crowd
    real_publish = livehub.publish
    dropped = []

    def lossy(group, event):
        # The first new message of the room never reaches this process (a Redis hiccup).
        if group == f"room.{room.pk}" and fanout.new_message_seq(event) == 1 and not dropped:
            dropped.append(event)
            return
        real_publish(group, event)

    monkeypatch.setattr(livehub, "publish", lossy)

    async def scenario():
        writer, _ = await join(people[0], room.pk)
        reader, _ = await join(people[1], room.pk)
        await send(writer, "lost", "Deze raakt zoek")
        await send(writer, "next", "Deze komt aan")
        frames = [await next_frame(reader, "message"), await next_frame(reader, "message")]
        await reader.send_json_to({"type": "history"})  # anything more would arrive before this answer
        history = await next_frame(reader, "history", "message")
        await writer.disconnect()
        await reader.disconnect()
        return frames, history

    frames, history = run(scenario)
    assert dropped  # the event really was dropped
    assert [(f["seq"], f["body"]) for f in frames] == [(1, "Deze raakt zoek"), (2, "Deze komt aan")]
    assert history["type"] == "history"  # and no third copy of either came before it


def test_a_socket_that_falls_too_far_behind_is_closed_with_4408(crowd, settings):
    people, _manager, room = crowd
    settings.DISCUSSION_SOCKET_QUEUE = 5

    async def scenario():
        slow, _ = await join(people[0], room.pk)
        feed = next(iter(fanout._feeds.values()))
        # Twenty room frames queued at once, before the socket's writer runs.
        for n in range(20):
            feed.fan_out({"kind": "room", "public": {"type": "typing", "n": n}, "moderator": None})
        outputs = []
        while True:
            output = await slow.receive_output(timeout=30)
            outputs.append(output)
            if output["type"] == "websocket.close":
                return outputs

    outputs = run(scenario)
    assert outputs[-1]["code"] == CLOSE_TOO_SLOW
    assert len(outputs) <= 5  # nothing more than its queue held was kept for it


def test_presence_changes_in_a_burst_become_one_presence_frame(crowd, monkeypatch):
    people, _manager, room = crowd
    published = []
    real = livehub.apublish

    async def counting(group, event):
        if (event.get("public") or {}).get("type") == "presence":
            published.append(event["public"]["online"])
        await real(group, event)

    monkeypatch.setattr(livehub, "apublish", counting)

    async def scenario():
        first, _ = await join(people[0], room.pk)
        feed = next(iter(fanout._feeds.values()))
        await feed.presence_task  # the first join's frame
        before = len(published)
        for _ in range(10):  # ten changes in a burst (a crowd arriving)
            feed.presence_changed()
        await feed.presence_task
        after = len(published)
        await first.disconnect()
        return before, after

    before, after = run(scenario)
    assert (before, after) == (1, 2)  # one frame for the first arrival, one for the whole burst


def test_a_websocket_send_writes_the_read_marker_and_activity_in_the_next_batch(crowd):
    people, _manager, room = crowd

    async def scenario():
        writer, _ = await join(people[0], room.pk)
        acks = [await send(writer, f"wb-{n}", f"Bericht {n}") for n in range(3)]
        await writer.disconnect()
        return acks

    acks = run(scenario)
    queue.flush()  # what the write-behind thread does every 0.25 s
    marker = ReadMarker.objects.get(room=room, user=people[0])
    assert marker.last_read_seq == acks[-1]["seq"]
    posted = Activity.objects.filter(actor=people[0], verb="discussion.posted")
    assert sorted(a.data["seq"] for a in posted) == [a["seq"] for a in acks]


def test_a_cached_verdict_is_read_again_after_an_access_event(crowd):
    from doeplein.spaces.actions import do_remove_member

    people, manager, room = crowd
    space = room.space

    async def scenario():
        member, _ = await join(people[0], room.pk)
        assert (await send(member, "before", "Nog lid"))["type"] == "ack"
        await sync_to_async(do_remove_member)(actor=manager, space=space, user=people[0])
        errors = []
        while True:
            output = await member.receive_output(timeout=30)
            if output["type"] == "websocket.close":
                return output["code"], errors[-1]
            frame = json.loads(output["text"])
            if frame["type"] == "error":
                errors.append(frame)

    code, error = run(scenario)
    assert (code, error["code"]) == (4403, "access_revoked")
