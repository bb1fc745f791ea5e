"""Access is checked again for every action: a removed or banned person is cut off at once; muted,
slowed, flooding and locked-out people get an error frame that says why and until when; word filters
hold or refuse."""

import json
from datetime import datetime, timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from doeplein.discussion.models import Message
from doeplein.spaces.models import Role
from tests.doeplein.discussion.live import RECEIVE_TIMEOUT, join, next_frame, outcome, run, still_works

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def trio(make_user, make_space, make_room):
    member, other, manager = make_user(), make_user(), make_user()
    space = make_space(
        "members", members={member: Role.MEMBER, other: Role.MEMBER, manager: Role.COMMUNITY_MANAGER}
    )
    return member, other, manager, space, make_room(space)


async def cut_off(communicator):
    """The frames up to the close, and the close code."""
    frames = []
    while True:
        output = await communicator.receive_output(timeout=RECEIVE_TIMEOUT)
        if output["type"] == "websocket.close":
            return frames, output.get("code")
        frame = json.loads(output["text"])
        if frame["type"] not in ("presence", "typing"):
            frames.append(frame)


def send_frame(client_id, body="Hallo"):
    return {"type": "send", "client_id": client_id, "body": body}


def test_a_member_removed_mid_session_gets_access_revoked_and_close_4403(trio):
    from doeplein.spaces.actions import do_remove_member

    member, other, manager, space, room = trio

    async def scenario():
        removed, _ = await join(member, room.pk)
        staying, _ = await join(other, room.pk)
        await sync_to_async(do_remove_member)(actor=manager, space=space, user=member)
        frames, code = await cut_off(removed)
        ack = await still_works(staying)
        await staying.disconnect()
        return frames, code, ack

    frames, code, ack = run(scenario)
    assert [(f["type"], f["code"]) for f in frames] == [("error", "access_revoked")]
    assert code == 4403
    assert ack["seq"] == 1  # the others are unaffected


def test_a_ban_cuts_the_person_off_and_keeps_them_out(trio):
    from doeplein.moderation.actions import do_sanction
    from tests.doeplein.discussion.live import connect_outcome, socket

    member, other, manager, space, room = trio

    async def scenario():
        banned, _ = await join(member, room.pk)
        await sync_to_async(do_sanction)(actor=manager, room=room, user=member, kind="ban", reason="Spam")
        frames, code = await cut_off(banned)
        again = socket(member, room.pk)
        outcome_again = await connect_outcome(again)
        await again.disconnect()
        return frames, code, outcome_again

    frames, code, again = run(scenario)
    assert [(f["type"], f["code"]) for f in frames] == [("error", "access_revoked")]
    assert (code, again) == (4403, 4403)


def test_a_muted_person_gets_muted_with_until_and_can_still_read(trio, post):
    from doeplein.moderation.actions import do_sanction

    member, other, manager, space, room = trio

    async def scenario():
        muted, _ = await join(member, room.pk)
        await sync_to_async(do_sanction)(
            actor=manager, room=room, user=member, kind="mute", minutes=30, reason="Rust"
        )
        await muted.send_json_to(send_frame("while-muted"))
        error = await next_frame(muted, "error")
        await sync_to_async(post)(other, room, "Still reading")
        seen = await next_frame(muted, "message")
        await muted.disconnect()
        return error, seen

    error, seen = run(scenario)
    assert (error["code"], error["ref"]) == ("muted", "while-muted")
    until = datetime.fromisoformat(error["until"])
    assert timedelta(minutes=29) < until - timezone.now() <= timedelta(minutes=30)
    assert seen["body"] == "Still reading"
    assert not Message.objects.filter(client_id="while-muted").exists()


def test_slow_mode_refuses_a_second_message_with_until_but_not_for_moderators(trio):
    from doeplein.moderation.actions import do_set_slow_mode

    member, other, manager, space, room = trio
    do_set_slow_mode(actor=manager, room=room, seconds=600)

    async def scenario():
        slowed, _ = await join(member, room.pk)
        chair, _ = await join(manager, room.pk)
        first = await outcome(slowed, send_frame("s-1"))
        await slowed.send_json_to(send_frame("s-2"))
        refused = await next_frame(slowed, "error")
        chair_answers = [await outcome(chair, send_frame(f"c-{n}")) for n in range(2)]
        await slowed.disconnect()
        await chair.disconnect()
        return first, refused, chair_answers

    first, refused, chair_answers = run(scenario)
    assert first == "ok"
    assert refused["code"] == "slow_mode"
    assert (
        timedelta(seconds=590)
        < datetime.fromisoformat(refused["until"]) - timezone.now()
        <= timedelta(seconds=600)
    )
    assert chair_answers == ["ok", "ok"]


def test_a_flood_is_rate_limited_with_until(trio, settings):
    member, other, manager, space, room = trio
    settings.DISCUSSION_RATE_COUNT = 3
    settings.DISCUSSION_RATE_SECONDS = 3600  # one window for the whole test

    async def scenario():
        flooder, _ = await join(member, room.pk)
        answers = [await outcome(flooder, send_frame(f"f-{n}")) for n in range(3)]
        await flooder.send_json_to(send_frame("f-3"))
        refused = await next_frame(flooder, "error")
        await flooder.disconnect()
        return answers, refused

    answers, refused = run(scenario)
    assert answers == ["ok", "ok", "ok"]
    assert (refused["code"], refused["ref"]) == ("rate_limited", "f-3")
    assert datetime.fromisoformat(refused["until"]) > timezone.now()
    assert Message.objects.filter(room=room, author=member).count() == 3


def test_a_locked_room_refuses_members_and_lets_moderators_speak(trio):
    from doeplein.moderation.actions import do_lock_room

    member, other, manager, space, room = trio
    do_lock_room(actor=manager, room=room, locked=True)

    async def scenario():
        m, welcome = await join(member, room.pk)
        c, _ = await join(manager, room.pk)
        answers = (await outcome(m, send_frame("l-1")), await outcome(c, send_frame("l-2")))
        await m.disconnect()
        await c.disconnect()
        return welcome, answers

    welcome, answers = run(scenario)
    assert welcome["room"]["locked"] is True and welcome["you"]["may_write"] is False
    assert answers == ("locked", "ok")


def test_a_held_message_reaches_its_author_and_moderators_only(trio):
    from doeplein.moderation.actions import do_add_word_filter

    member, other, manager, space, room = trio
    do_add_word_filter(actor=manager, space=space, word="Kaas", action="hold")

    async def scenario():
        author, _ = await join(member, room.pk)
        reader, _ = await join(other, room.pk)
        chair, _ = await join(manager, room.pk)
        await author.send_json_to(send_frame("held-1", "Ik hou van kaas."))
        ack = await next_frame(author, "ack")
        author_copy = await next_frame(author, "message")
        chair_copy = await next_frame(chair, "message")
        await author.send_json_to(send_frame("ok-1", "Gewoon een bericht."))
        reader_first = await next_frame(reader, "message")  # the held one never reaches this reader
        await reader.send_json_to({"type": "history"})
        reader_history = await next_frame(reader, "history")
        await author.send_json_to({"type": "history"})
        author_history = await next_frame(author, "history")
        for communicator in (author, reader, chair):
            await communicator.disconnect()
        return ack, author_copy, chair_copy, reader_first, reader_history, author_history

    ack, author_copy, chair_copy, reader_first, reader_history, author_history = run(scenario)
    assert (ack["seq"], ack["state"]) == (1, "held")
    assert (author_copy["state"], author_copy["body"]) == ("held", "Ik hou van kaas.")
    assert (chair_copy["state"], chair_copy["body"]) == ("held", "Ik hou van kaas.")
    assert (reader_first["seq"], reader_first["body"]) == (2, "Gewoon een bericht.")
    assert [m["seq"] for m in reader_history["messages"]] == [2]
    assert [m["seq"] for m in author_history["messages"]] == [1, 2]


def test_a_refusing_word_filter_refuses_the_message_and_stores_nothing(
    trio, make_space, make_room, make_user
):
    from doeplein.moderation.actions import do_add_word_filter

    member, other, manager, space, room = trio
    # A filter on a parent space applies to the spaces inside it.
    child = make_space("members", parent=space, members={member: Role.MEMBER})
    child_room = make_room(child)
    do_add_word_filter(actor=manager, space=space, word="vloek", action="refuse")

    async def scenario():
        writer, _ = await join(member, room.pk)
        in_child, _ = await join(member, child_room.pk)
        answers = (
            await outcome(writer, send_frame("r-1", "Wat een VLOEK!")),
            await outcome(in_child, send_frame("r-2", "vloek")),
        )
        ack = await still_works(writer)
        await writer.disconnect()
        await in_child.disconnect()
        return answers, ack

    answers, ack = run(scenario)
    assert answers == ("refused_word", "refused_word")
    assert ack["seq"] == 1  # nothing was stored for the refused one
    assert not Message.objects.filter(client_id__in=["r-1", "r-2"]).exists()
