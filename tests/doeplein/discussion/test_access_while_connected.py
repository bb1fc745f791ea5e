"""Issue 8, socket side: access that changes while people are connected, over real websocket connections.

A socket is opened as each role; then the space's visibility, join policy, parent or archive state, the
person's role or membership, or a sanction changes; the test asserts exactly which frames arrive after.
The change itself is made as the space actions make it: the rows change, and in the same transaction
``doeplein.live.access_changed_on_commit`` names the space and the people concerned (the membership and
space actions call it; see ``change_space`` / ``change_role``). Sanctions go through the real actions.
"""

import json

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from doeplein.discussion.models import Message
from doeplein.live import access_changed_on_commit
from doeplein.spaces.models import Membership, Role, Space
from tests.doeplein.discussion.live import (
    RECEIVE_TIMEOUT,
    connect_outcome,
    join,
    next_frame,
    outcome,
    run,
    socket,
)

pytestmark = pytest.mark.django_db(transaction=True)


def change_space(space, **fields):
    """Change a space's access fields the way the space actions do (rows, then the event on commit)."""
    with transaction.atomic():
        Space.objects.filter(pk=space.pk).update(**fields)
        access_changed_on_commit(space_ids=[space.pk], reason="test")


def change_role(space, user, role=None):
    """Change (``role``) or end (None) a membership the way the membership actions do."""
    with transaction.atomic():
        if role is None:
            Membership.objects.filter(space=space, user=user).delete()
        else:
            Membership.objects.filter(space=space, user=user).update(role=role)
        access_changed_on_commit(space_ids=[space.pk], user_ids=[user.pk], reason="test")


async def frames_until_close_or_sentinel(communicator, sentinel_seq):
    """Frames (presence and typing left out) until the close or the message ``sentinel_seq``; and how
    the stream ended: ("closed", code) or ("open", None)."""
    seen = []
    while True:
        output = await communicator.receive_output(timeout=RECEIVE_TIMEOUT)
        if output["type"] == "websocket.close":
            return seen, ("closed", output.get("code"))
        frame = json.loads(output["text"])
        if frame["type"] in ("presence", "typing"):
            continue
        seen.append(frame)
        if frame["type"] == "message" and frame["seq"] == sentinel_seq:
            return seen, ("open", None)


def kinds(frames):
    return [(f["type"], f.get("code") or f.get("seq")) for f in frames]


@pytest.fixture
def people(make_user):
    return {name: make_user() for name in ("owner", "manager", "member", "outsider")}


def room_in(make_space, make_room, people, visibility="public", parent=None):
    space = make_space(
        visibility,
        parent=parent,
        members={
            people["owner"]: Role.OWNER,
            people["manager"]: Role.COMMUNITY_MANAGER,
            people["member"]: Role.MEMBER,
        },
    )
    return space, make_room(space)


def watch_change(people, room, change, roles=("anonymous", "outsider", "member", "manager")):
    """Open a socket per role, make ``change``, let the owner post; what each socket then receives."""
    users = {"anonymous": None, **people}

    async def scenario():
        sockets = {role: (await join(users[role], room.pk))[0] for role in roles}
        await sync_to_async(change)()
        owner, _ = await join(people["owner"], room.pk)
        await owner.send_json_to({"type": "send", "client_id": "after", "body": "Na de wijziging"})
        ack = await next_frame(owner, "ack")
        seen = {role: await frames_until_close_or_sentinel(sockets[role], ack["seq"]) for role in roles}
        for communicator in (*sockets.values(), owner):
            await communicator.disconnect()
        return ack["seq"], seen

    return run(scenario)


# --- finding 1: open sockets follow the space's visibility, parent and archive state ------------------
def test_a_space_made_secret_cuts_off_open_sockets_of_visitors_and_non_members(people, make_space, make_room):
    space, room = room_in(make_space, make_room, people, "public")
    seq, seen = watch_change(people, room, lambda: change_space(space, visibility="secret"))
    revoked = ([("error", "access_revoked")], ("closed", 4403))
    assert (kinds(seen["anonymous"][0]), seen["anonymous"][1]) == revoked
    assert (kinds(seen["outsider"][0]), seen["outsider"][1]) == revoked
    assert (kinds(seen["member"][0]), seen["member"][1]) == ([("message", seq)], ("open", None))
    assert (kinds(seen["manager"][0]), seen["manager"][1]) == ([("message", seq)], ("open", None))


def test_a_space_made_members_only_cuts_off_visitors_and_non_members(people, make_space, make_room):
    space, room = room_in(make_space, make_room, people, "logged_in")
    seq, seen = watch_change(
        people, room, lambda: change_space(space, visibility="members"), roles=("outsider", "member")
    )
    assert (kinds(seen["outsider"][0]), seen["outsider"][1]) == (
        [("error", "access_revoked")],
        ("closed", 4403),
    )
    assert kinds(seen["member"][0]) == [("message", seq)]


def test_a_parent_made_secret_cuts_off_the_rooms_of_its_children(people, make_space, make_room):
    parent = make_space("public", members={people["owner"]: Role.OWNER})
    child, room = room_in(make_space, make_room, people, "public", parent=parent)
    seq, seen = watch_change(
        people,
        room,
        lambda: change_space(parent, visibility="secret"),
        roles=("anonymous", "outsider", "member"),
    )
    assert (kinds(seen["anonymous"][0]), seen["anonymous"][1]) == (
        [("error", "access_revoked")],
        ("closed", 4403),
    )
    assert (kinds(seen["outsider"][0]), seen["outsider"][1]) == (
        [("error", "access_revoked")],
        ("closed", 4403),
    )
    # The member of the child is no member of the now secret parent: the child's room is closed to them too.
    assert (kinds(seen["member"][0]), seen["member"][1]) == ([("error", "access_revoked")], ("closed", 4403))


def test_a_space_moved_under_a_secret_parent_cuts_off_outsiders_and_follows_the_new_parent(
    people, make_space, make_room
):
    secret_parent = make_space("secret", members={people["owner"]: Role.OWNER, people["member"]: Role.MEMBER})
    space, room = room_in(make_space, make_room, people, "public")
    outsider = people["outsider"]

    async def scenario():
        watcher, _ = await join(outsider, room.pk)
        member, _ = await join(people["member"], room.pk)
        await sync_to_async(change_space)(space, parent=secret_parent)
        cut = await frames_until_close_or_sentinel(watcher, -1)
        # The open socket now listens to its new ancestor: a change there reaches it.
        await sync_to_async(change_role)(secret_parent, people["member"], None)
        member_cut = await frames_until_close_or_sentinel(member, -1)
        return cut, member_cut

    cut, member_cut = run(scenario)
    assert (kinds(cut[0]), cut[1]) == ([("error", "access_revoked")], ("closed", 4403))
    assert (kinds(member_cut[0]), member_cut[1]) == ([("error", "access_revoked")], ("closed", 4403))


def test_an_archived_space_keeps_readers_and_refuses_writers(people, make_space, make_room):
    space, room = room_in(make_space, make_room, people, "members")

    async def scenario():
        member, _ = await join(people["member"], room.pk)
        manager, _ = await join(people["manager"], room.pk)
        await sync_to_async(change_space)(space, is_archived=True)
        answers = (
            await outcome(member, {"type": "send", "client_id": "a-1", "body": "Nog open?"}),
            await outcome(manager, {"type": "lock", "locked": True}),
            await outcome(member, {"type": "history"}),
        )
        await member.disconnect()
        await manager.disconnect()
        return answers

    assert run(scenario) == ("read_only", "forbidden", "ok")


def test_a_join_policy_change_leaves_readers_connected(people, make_space, make_room):
    space, room = room_in(make_space, make_room, people, "public")
    seq, seen = watch_change(
        people, room, lambda: change_space(space, join_policy="invite"), roles=("anonymous", "member")
    )
    assert kinds(seen["anonymous"][0]) == [("message", seq)]
    assert kinds(seen["member"][0]) == [("message", seq)]


# --- the person's role and membership -----------------------------------------------------------------
def test_a_member_removed_while_connected_is_cut_off(people, make_space, make_room):
    space, room = room_in(make_space, make_room, people, "members")
    seq, seen = watch_change(
        people, room, lambda: change_role(space, people["member"], None), roles=("member", "manager")
    )
    assert (kinds(seen["member"][0]), seen["member"][1]) == ([("error", "access_revoked")], ("closed", 4403))
    assert kinds(seen["manager"][0]) == [("message", seq)]


def test_a_member_made_guest_keeps_reading_and_no_longer_writes(people, make_space, make_room):
    space, room = room_in(make_space, make_room, people, "members")

    async def scenario():
        member, _ = await join(people["member"], room.pk)
        await sync_to_async(change_role)(space, people["member"], Role.GUEST)
        answer = await outcome(member, {"type": "send", "client_id": "g-1", "body": "Mag dit?"})
        await member.disconnect()
        return answer

    assert run(scenario) == "read_only"


# --- finding 3: moderator-only text only where the verdict is "moderator" now -------------------------
def test_a_demoted_manager_no_longer_receives_hidden_text_held_messages_or_reports(
    people, make_space, make_room, post
):
    from doeplein.moderation.actions import do_add_word_filter, do_hide_message, do_report_message

    space, room = room_in(make_space, make_room, people, "members")
    message = post(people["member"], room, "Scherpe woorden")
    do_add_word_filter(actor=people["owner"], space=space, word="kaas", action="hold")

    async def scenario():
        demoted, _ = await join(people["manager"], room.pk)
        # The role changes in the database alone (no event): the next moderator frame must still not
        # reach this socket, because the verdict is read when such a frame is delivered.
        await sync_to_async(Membership.objects.filter(space=space, user=people["manager"]).update)(
            role=Role.MEMBER
        )
        await sync_to_async(do_report_message)(user=people["outsider"], message=message, reason="Fel")
        await sync_to_async(do_hide_message)(
            actor=people["owner"], message=message, reason="Houd het zakelijk"
        )
        writer, _ = await join(people["member"], room.pk)
        await writer.send_json_to({"type": "send", "client_id": "held", "body": "Lekker kaas"})
        held_ack = await next_frame(writer, "ack")
        await writer.send_json_to({"type": "send", "client_id": "after", "body": "Tot slot"})
        ack = await next_frame(writer, "ack")
        seen, _end = await frames_until_close_or_sentinel(demoted, ack["seq"])
        await writer.disconnect()
        await demoted.disconnect()
        return held_ack, seen

    Membership.objects.create(space=space, user=people["outsider"], role=Role.MEMBER)
    held_ack, seen = run(scenario)
    assert held_ack["state"] == "held"
    # No report frame, the hidden message without its text, nothing of the held message.
    assert [(f["type"], f.get("seq"), f.get("body")) for f in seen] == [
        ("message_updated", 1, None),
        ("message", held_ack["seq"] + 1, "Tot slot"),
    ]


def test_a_manager_still_receives_moderator_frames(people, make_space, make_room, post):
    from doeplein.moderation.actions import do_hide_message

    space, room = room_in(make_space, make_room, people, "members")
    message = post(people["member"], room, "Scherpe woorden")

    async def scenario():
        manager, _ = await join(people["manager"], room.pk)
        await sync_to_async(do_hide_message)(actor=people["owner"], message=message, reason="Zakelijk")
        frame = await next_frame(manager, "message_updated")
        await manager.disconnect()
        return frame

    frame = run(scenario)
    assert (frame["state"], frame["body"]) == ("hidden", "Scherpe woorden")


# --- sanctions: finding 2 on the socket, the mute that still reads -----------------------------------
def test_a_muted_person_keeps_reading_and_cannot_send_and_a_lifted_mute_writes_again(
    people, make_space, make_room
):
    from doeplein.moderation.actions import do_lift_sanction, do_sanction

    space, room = room_in(make_space, make_room, people, "members")

    async def scenario():
        muted, _ = await join(people["member"], room.pk)
        sanction = await sync_to_async(do_sanction)(
            actor=people["manager"], room=room, user=people["member"], kind="mute", minutes=30, reason="Rust"
        )
        owner, _ = await join(people["owner"], room.pk)
        await owner.send_json_to({"type": "send", "client_id": "o-1", "body": "Lees je mee?"})
        received = await next_frame(muted, "message")
        refused = await outcome(muted, {"type": "send", "client_id": "m-1", "body": "Ja"})
        await sync_to_async(do_lift_sanction)(actor=people["manager"], sanction=sanction)
        allowed = await outcome(muted, {"type": "send", "client_id": "m-2", "body": "Weer terug"})
        await muted.disconnect()
        await owner.disconnect()
        return received, refused, allowed

    received, refused, allowed = run(scenario)
    assert (received["body"], refused, allowed) == ("Lees je mee?", "muted", "ok")


def test_a_ban_closes_the_socket_and_nothing_more_arrives(people, make_space, make_room):
    from doeplein.moderation.actions import do_sanction

    space, room = room_in(make_space, make_room, people, "public")
    seq, seen = watch_change(
        people,
        room,
        lambda: do_sanction(
            actor=people["manager"], room=room, user=people["member"], kind="ban", reason="Spam"
        ),
        roles=("member", "outsider"),
    )
    assert (kinds(seen["member"][0]), seen["member"][1]) == ([("error", "access_revoked")], ("closed", 4403))
    assert kinds(seen["outsider"][0]) == [("message", seq)]


def test_sanction_actions_publish_access_changed_to_the_person(people, make_space, make_room):
    from doeplein.moderation.actions import do_lift_sanction, do_sanction
    from tests.support.live import capture_live_events as capture_live

    space, room = room_in(make_space, make_room, people, "members")
    with capture_live() as events:
        sanction = do_sanction(
            actor=people["manager"], room=room, user=people["member"], kind="mute", minutes=5
        )
        do_lift_sanction(actor=people["manager"], sanction=sanction)
    access = [(group, event["reason"]) for group, event in events if event.get("kind") == "access_changed"]
    assert access == [
        (f"access.{people['member'].pk}", "sanction.mute"),
        (f"access.{people['member'].pk}", "sanction.mute_lifted"),
    ]


# --- finding 2: a ban closes every way of reading; a mute none --------------------------------------
def test_a_banned_person_cannot_read_the_room_by_api_or_page_and_a_muted_one_can(
    people, make_space, make_room, post, client, call
):
    from doeplein.moderation.actions import do_sanction

    space, room = room_in(make_space, make_room, people, "members")
    post(people["owner"], room, "Alleen voor leden")
    banned, muted = people["member"], people["outsider"]
    Membership.objects.create(space=space, user=muted, role=Role.MEMBER)
    do_sanction(actor=people["manager"], room=room, user=banned, kind="ban", reason="Spam")
    do_sanction(actor=people["manager"], room=room, user=muted, kind="mute", minutes=30, reason="Rust")
    answers = {}
    for name, user in (("banned", banned), ("muted", muted)):
        api = call("get", f"/rooms/{room.pk}/messages", user)
        client.force_login(user)
        answers[name] = (
            api.status_code,
            api.json().get("code") if api.status_code != 200 else len(api.json()),
            client.get(f"/discussion/{room.pk}/").status_code,
            client.get(f"/discussion/{room.pk}/messages/").status_code,
            call("get", f"/rooms/{room.pk}", user).status_code,
        )
        client.logout()

    async def scenario():
        communicator = socket(banned, room.pk)
        code = await connect_outcome(communicator)
        await communicator.disconnect()
        return code

    assert answers == {"banned": (403, "banned", 403, 403, 403), "muted": (200, 1, 200, 200, 200)}
    assert run(scenario) == 4403


# --- finding 7: deletion removes the text for everyone ------------------------------------------------
def test_a_deleted_message_has_no_text_for_anyone_on_the_socket_the_api_or_the_page(
    people, make_space, make_room, post, client, call
):
    from doeplein.discussion.actions import do_delete_message
    from doeplein.discussion.models import MessageRevision

    space, room = room_in(make_space, make_room, people, "members")
    message = post(people["member"], room, "Oeps, geheim")

    async def scenario():
        manager, _ = await join(people["manager"], room.pk)
        await sync_to_async(do_delete_message)(user=people["member"], message=message)
        frame = await next_frame(manager, "message_updated")
        await manager.send_json_to({"type": "history"})
        history = await next_frame(manager, "history")
        await manager.disconnect()
        return frame, history

    frame, history = run(scenario)
    assert (frame["state"], frame["body"]) == ("deleted", None)
    assert [m["body"] for m in history["messages"]] == [None]
    api = call("get", f"/rooms/{room.pk}/messages", people["manager"])
    assert [(m["state"], m["body"]) for m in api.json()] == [("deleted", None)]
    client.force_login(people["manager"])
    assert "Oeps, geheim" not in client.get(f"/discussion/{room.pk}/").content.decode()
    message.refresh_from_db()
    assert message.body == "" and not MessageRevision.objects.filter(message=message).exists()


def test_a_reported_message_keeps_its_text_for_the_audit_only(people, make_space, make_room, post, call):
    from doeplein.discussion.actions import do_delete_message
    from doeplein.discussion.models import MessageRevision
    from doeplein.moderation.actions import do_report_message, report_frame
    from doeplein.moderation.models import Report

    space, room = room_in(make_space, make_room, people, "members")
    message = post(people["member"], room, "Beledigend")
    do_report_message(user=people["owner"], message=message, reason="Fel")
    do_delete_message(user=people["member"], message=message)
    assert list(MessageRevision.objects.filter(message=message).values_list("body", flat=True)) == [
        "Beledigend"
    ]
    assert report_frame(Report.objects.get(message=message))["body"] is None
    assert [m["body"] for m in call("get", f"/rooms/{room.pk}/messages", people["manager"]).json()] == [None]


# --- finding 8: edits meet the rules of sends ---------------------------------------------------------
def test_an_edit_runs_the_word_filter_the_length_rule_and_the_flood_limit(
    people, make_space, make_room, post, settings
):
    from doeplein.moderation.actions import do_add_word_filter

    space, room = room_in(make_space, make_room, people, "members")
    do_add_word_filter(actor=people["owner"], space=space, word="vloek", action="refuse")
    do_add_word_filter(actor=people["owner"], space=space, word="kaas", action="hold")
    settings.DISCUSSION_MAX_MESSAGE_LENGTH = 50
    own = post(people["member"], room, "Netjes")

    async def scenario():
        author, _ = await join(people["member"], room.pk)
        manager, _ = await join(people["manager"], room.pk)
        answers = [
            await outcome(author, {"type": "edit", "seq": own.seq, "body": "Een vloek erin"}),
            await outcome(author, {"type": "edit", "seq": own.seq, "body": "x" * 51}),
            await outcome(author, {"type": "edit", "seq": own.seq, "body": "Met kaas"}),
        ]
        held = await next_frame(manager, "message_updated")
        await author.disconnect()
        await manager.disconnect()
        return answers, held

    answers, held = run(scenario)
    assert answers == ["refused_word", "too_long", "ok"]
    assert (held["state"], held["body"]) == ("held", "Met kaas")
    assert Message.objects.get(pk=own.pk).state == "held"


def test_an_edit_counts_against_the_flood_limit(people, make_space, make_room, post, settings):
    space, room = room_in(make_space, make_room, people, "members")
    settings.DISCUSSION_RATE_COUNT, settings.DISCUSSION_RATE_SECONDS = 1, 3600
    own = post(people["member"], room, "Eén")  # the one message of this window

    async def scenario():
        author, _ = await join(people["member"], room.pk)
        answer = await outcome(author, {"type": "edit", "seq": own.seq, "body": "Eén, bewerkt"})
        await author.disconnect()
        return answer

    assert run(scenario) == "rate_limited"
