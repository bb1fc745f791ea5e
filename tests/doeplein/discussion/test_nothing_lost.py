"""Nothing lost: stored before broadcast, strictly increasing sequence, catch-up after a gap, history
backwards, and a retried send stored once."""

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from doeplein.discussion.models import Message
from doeplein.spaces.models import Role
from tests.doeplein.discussion.live import frames_until, join, next_frame, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pair(make_user, make_space, make_room):
    a, b = make_user(), make_user()
    space = make_space("members", members={a: Role.MEMBER, b: Role.MEMBER})
    return a, b, make_room(space)


async def send(communicator, client_id, body):
    await communicator.send_json_to({"type": "send", "client_id": client_id, "body": body})
    return await next_frame(communicator, "ack", "error")


def test_a_client_that_reconnects_after_a_gap_receives_exactly_what_it_missed_in_order(pair):
    a, b, room = pair

    async def scenario():
        first, _ = await join(a, room.pk)
        assert (await send(first, "a-1", "one"))["seq"] == 1
        assert (await send(first, "a-2", "two"))["seq"] == 2
        await first.disconnect()  # A saw up to seq 2
        other, _ = await join(b, room.pk)
        for n in range(3):
            assert (await send(other, f"b-{n}", f"missed {n}"))["type"] == "ack"
        again, welcome = await join(a, room.pk, last_seq=2)
        frames = await frames_until(again, lambda f: f["type"] == "caught_up")
        await again.disconnect()
        await other.disconnect()
        return welcome, frames

    welcome, frames = run(scenario)
    assert welcome["room"]["last_seq"] == 5
    assert [(f["type"], f.get("seq"), f.get("body")) for f in frames] == [
        ("message", 3, "missed 0"),
        ("message", 4, "missed 1"),
        ("message", 5, "missed 2"),
        ("caught_up", None, None),
    ]
    assert frames[-1]["last_seq"] == 5


def test_history_pages_backwards_to_the_first_message(pair, post):
    a, b, room = pair
    for n in range(1, 121):
        post(b, room, f"message {n}")

    async def scenario():
        communicator, _ = await join(a, room.pk)
        pages, before = [], None
        while True:
            ask = (
                {"type": "history", "limit": 50}
                if before is None
                else {"type": "history", "before": before, "limit": 50}
            )
            await communicator.send_json_to(ask)
            page = await next_frame(communicator, "history")
            pages.append(page)
            if not page["has_more"]:
                break
            before = page["messages"][0]["seq"]
        await communicator.disconnect()
        return pages

    pages = run(scenario)
    assert [[m["seq"] for m in page["messages"]] for page in pages] == [
        list(range(71, 121)),
        list(range(21, 71)),
        list(range(1, 21)),
    ]
    assert [page["has_more"] for page in pages] == [True, True, False]
    assert pages[2]["messages"][0]["body"] == "message 1"


def test_history_asks_for_at_most_100_messages_at_once(pair, post):
    a, b, room = pair
    for n in range(105):
        post(b, room, f"m{n}")

    async def scenario():
        communicator, _ = await join(a, room.pk)
        await communicator.send_json_to({"type": "history", "limit": 1000})
        page = await next_frame(communicator, "history")
        await communicator.disconnect()
        return page

    assert [m["seq"] for m in run(scenario)["messages"]] == list(range(6, 106))


def test_a_retried_send_with_the_same_client_id_is_stored_once_and_acknowledged_as_duplicate(pair):
    a, b, room = pair

    async def scenario():
        first, _ = await join(a, room.pk)
        second, _ = await join(a, room.pk)  # the retry may come over a new connection
        one = await send(first, "same-id", "Hallo")
        two = await send(first, "same-id", "Hallo")
        three = await send(second, "same-id", "Hallo")
        await first.disconnect()
        await second.disconnect()
        return one, two, three

    one, two, three = run(scenario)
    assert (one["duplicate"], two["duplicate"], three["duplicate"]) == (False, True, True)
    assert one["seq"] == two["seq"] == three["seq"] == 1
    assert Message.objects.filter(room=room).count() == 1


def test_concurrent_sends_from_two_connections_get_unique_strictly_increasing_seqs(pair):
    a, b, room = pair

    async def scenario():
        ca, _ = await join(a, room.pk)
        cb, _ = await join(b, room.pk)
        # Fire everything before reading any answer: the two connections' sends interleave.
        for n in range(10):
            await ca.send_json_to({"type": "send", "client_id": f"a{n}", "body": f"a{n}"})
            await cb.send_json_to({"type": "send", "client_id": f"b{n}", "body": f"b{n}"})
        acks_a = [await next_frame(ca, "ack") for _ in range(10)]
        acks_b = [await next_frame(cb, "ack") for _ in range(10)]
        await ca.disconnect()
        await cb.disconnect()
        return acks_a, acks_b

    acks_a, acks_b = run(scenario)
    seqs_a, seqs_b = [f["seq"] for f in acks_a], [f["seq"] for f in acks_b]
    assert seqs_a == sorted(set(seqs_a)) and seqs_b == sorted(set(seqs_b))
    assert sorted(seqs_a + seqs_b) == list(range(1, 21))
    stored = list(Message.objects.filter(room=room).values_list("seq", "client_id"))
    assert sorted(s for s, _ in stored) == list(range(1, 21))
    room.refresh_from_db()
    assert room.last_seq == 20


def test_the_broadcast_carries_the_stored_message_and_a_rolled_back_send_is_never_broadcast(pair):
    from doeplein.discussion.actions import do_send_message

    a, b, room = pair

    def rolled_back_send():
        with pytest.raises(RuntimeError), transaction.atomic():
            do_send_message(user=b, room=room, body="never", client_id="gone")
            raise RuntimeError

    def stored(pk):
        return Message.objects.filter(pk=pk).values_list("seq", "body").first()

    async def scenario():
        listener, _ = await join(a, room.pk)
        sender, _ = await join(b, room.pk)
        await sync_to_async(rolled_back_send)()
        await send(sender, "kept", "kept")
        frame = await next_frame(listener, "message")  # the first message frame A gets is the kept one
        row = await sync_to_async(stored)(frame["id"])
        await listener.disconnect()
        await sender.disconnect()
        return frame, row

    frame, row = run(scenario)
    assert (frame["seq"], frame["body"]) == (1, "kept")
    assert row == (1, "kept")
    assert not Message.objects.filter(client_id="gone").exists()
