"""Bad input never crashes the consumer: an error frame (or a documented close code) each time, the
connection keeps serving, other clients are unaffected, and script in a message stays inert."""

import json

import pytest

from doeplein.discussion.models import Message
from doeplein.spaces.models import Role
from tests.doeplein.discussion.live import (
    connect_outcome,
    join,
    next_frame,
    outcome,
    run,
    socket,
    still_works,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pair(make_user, make_space, make_room):
    a, b = make_user(), make_user()
    space = make_space("members", members={a: Role.MEMBER, b: Role.MEMBER})
    return a, b, make_room(space)


BAD_TEXT = [
    ("{not json", "bad_json"),
    ("[1, 2, 3]", "bad_frame"),
    ('"just a string"', "bad_frame"),
    ("null", "bad_frame"),
    ('{"no": "type"}', "bad_frame"),
    ('{"type": 42}', "bad_frame"),
    ('{"type": "explode"}', "unknown_type"),
    ('{"type": "__init__"}', "unknown_type"),
    ('{"type": "send-it"}', "unknown_type"),
    ('{"type": "send", "client_id": "", "body": "x"}', "bad_client_id"),
    ('{"type": "send", "client_id": 17, "body": "x"}', "bad_client_id"),
    ('{"type": "send", "client_id": "x", "body": "   "}', "empty"),
    ('{"type": "send", "client_id": "x", "body": ["a"]}', "empty"),
    ('{"type": "send", "client_id": "x", "body": "a", "reply_to": 999}', "bad_reply"),
    ('{"type": "send", "client_id": "x", "body": "a", "reply_to": "1"}', "bad_frame"),
    ('{"type": "send", "client_id": "x", "body": "a", "mentions": "everyone"}', "bad_frame"),
    ('{"type": "edit", "seq": "one", "body": "x"}', "bad_frame"),
    ('{"type": "edit", "seq": 999, "body": "x"}', "not_found"),
    ('{"type": "react", "seq": 999, "emoji": "👍"}', "not_found"),
    ('{"type": "read", "seq": 999}', "bad_seq"),
    ('{"type": "read", "seq": -1}', "bad_frame"),
    ('{"type": "read", "seq": true}', "bad_frame"),
    ('{"type": "hello", "last_seq": 999}', "bad_seq"),
    ('{"type": "history", "before": 0}', "bad_frame"),
    ('{"type": "history", "limit": "all"}', "bad_frame"),
    ('{"type": "report", "seq": 999, "reason": "x"}', "not_found"),
    ('{"type": "mute", "user": "x"}', "bad_frame"),
    ('{"type": "resolve", "report": 999, "resolution": "kept"}', "not_found"),
]


def test_each_bad_frame_gets_its_error_and_the_connection_keeps_working(pair):
    a, b, room = pair

    async def scenario():
        bad, _ = await join(a, room.pk)
        bystander, _ = await join(b, room.pk)
        answers = []
        for n, (text, _code) in enumerate(BAD_TEXT):
            await bad.send_to(text_data=text)
            answers.append((await next_frame(bad, "error"))["code"])
            await still_works(bad, client_id=f"good-{n}")  # a good frame after every bad one
        acks = [await still_works(bystander, client_id=f"other-{n}") for n in range(2)]
        await bad.disconnect()
        await bystander.disconnect()
        return answers, acks

    answers, acks = run(scenario)
    assert answers == [code for _text, code in BAD_TEXT]
    assert [ack["seq"] for ack in acks] == [len(BAD_TEXT) + 1, len(BAD_TEXT) + 2]
    assert Message.objects.filter(room=room).count() == len(BAD_TEXT) + 2


def test_binary_frames_and_oversized_frames_and_messages_get_error_frames(pair, settings):
    a, b, room = pair
    settings.DISCUSSION_MAX_FRAME_BYTES = 2000
    settings.DISCUSSION_MAX_MESSAGE_LENGTH = 100

    async def scenario():
        communicator, welcome = await join(a, room.pk)
        await communicator.send_to(bytes_data=b"\x00\x01")
        binary = await next_frame(communicator, "error")
        await communicator.send_json_to({"type": "send", "client_id": "big", "body": "x" * 3000})
        too_large = await next_frame(communicator, "error")
        await communicator.send_json_to({"type": "send", "client_id": "long", "body": "y" * 101})
        too_long = await next_frame(communicator, "error")
        exactly = await outcome(communicator, {"type": "send", "client_id": "max", "body": "z" * 100})
        await communicator.disconnect()
        return welcome, binary, too_large, too_long, exactly

    welcome, binary, too_large, too_long, exactly = run(scenario)
    assert welcome["max_length"] == 100
    assert binary["code"] == "bad_frame"
    assert too_large["code"] == "frame_too_large"
    assert (too_long["code"], too_long["ref"]) == ("too_long", "long")
    assert exactly == "ok"
    assert list(Message.objects.filter(room=room).values_list("client_id", flat=True)) == ["max"]


def test_a_room_that_does_not_exist_or_is_secret_closes_with_4404(make_user, make_space, make_room):
    outsider, insider = make_user(), make_user()
    secret_room = make_room(make_space("secret", members={insider: Role.MEMBER}))

    async def scenario():
        answers = []
        for user, room_id in (
            (outsider, 999_999),
            (outsider, secret_room.pk),
            (None, secret_room.pk),
            (insider, secret_room.pk),
        ):
            communicator = socket(user, room_id)
            answers.append(await connect_outcome(communicator))
            await communicator.disconnect()
        return answers

    assert run(scenario) == [4404, 4404, 4404, "welcome"]


def test_script_in_a_message_is_stored_and_sent_as_plain_text(pair):
    a, b, room = pair
    body = '<script>alert("x")</script><img src=x onerror=alert(1)> & <b>bold</b>'

    async def scenario():
        communicator, _ = await join(a, room.pk)
        await communicator.send_json_to({"type": "send", "client_id": "xss", "body": body})
        await next_frame(communicator, "ack")
        frame = await next_frame(communicator, "message")
        await communicator.disconnect()
        return frame

    frame = run(scenario)
    assert frame["body"] == body  # plain text on the wire; the client renders it as text
    assert Message.objects.get(client_id="xss").body == body
    # The room page shows it escaped: see test_room_pages.test_script_in_a_message_is_shown_escaped.


def test_frames_that_arrive_after_a_refused_connect_are_dropped_without_a_crash(
    make_user, make_space, make_room
):
    outsider = make_user()
    room = make_room(make_space("members"))

    async def scenario():
        communicator = socket(outsider, room.pk)
        connected, _ = await communicator.connect()
        closed = await communicator.receive_output()
        await communicator.send_to(text_data=json.dumps({"type": "send", "client_id": "x", "body": "x"}))
        quiet = await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect()
        return connected, closed, quiet

    connected, closed, quiet = run(scenario)
    assert (connected, closed["type"], closed["code"], quiet) == (True, "websocket.close", 4403, True)
    assert not Message.objects.exists()
