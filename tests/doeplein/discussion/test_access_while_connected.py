"""Issue 8, socket side: access that changes while people are connected, over real websocket connections.

A socket is opened as each role (anonymous, outsider, guest, member, community manager); then the
space's visibility, join policy, parent or archive state, the person's role, membership or grant, or a
sanction changes, each through the real action or API endpoint that makes that change (which calls
``doeplein.live.access_changed_on_commit``). Then the owner posts a message, hides it (its text is
moderator-only from then on) and posts a last one; the test asserts exactly which frames each socket
received after the change: none that the new verdict forbids, hidden text only where the verdict is
"moderator" now. Workspaces and groups are the kinds whose settings change (the plugins' actions).
"""

import itertools
import json

import pytest
from asgiref.sync import sync_to_async
from django.apps import apps
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

AFTER, END = "Na de wijziging", "Tot slot"
ROLES = ("anonymous", "outsider", "guest", "member", "manager")
_names = itertools.count(1)


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


def summary(frames):
    """(type, code or seq, text) of every frame: the text is what must not reach the wrong people."""
    return [(f["type"], f.get("code") or f.get("seq"), f.get("body")) for f in frames]


CUT = ([("error", "access_revoked", None)], ("closed", 4403))


def reader(after, end):
    """What a connection that may read (not moderate) receives: the hidden message without its text."""
    return [("message", after, AFTER), ("message_updated", after, None), ("message", end, END)], (
        "open",
        None,
    )


def moderator(after, end):
    return [("message", after, AFTER), ("message_updated", after, AFTER), ("message", end, END)], (
        "open",
        None,
    )


@pytest.fixture
def people(make_user):
    others = {name: make_user() for name in ("manager", "guest", "member", "outsider")}
    return {"owner": make_user(role="civil_servant"), **others}


def the_members(people):
    return {
        people["manager"]: Role.COMMUNITY_MANAGER,
        people["guest"]: Role.GUEST,
        people["member"]: Role.MEMBER,
    }


def room_in(make_space, make_room, people, visibility="public", parent=None):
    """A plain space (no plugin) with the owner, manager, guest and member, and its room."""
    space = make_space(
        visibility, parent=parent, members={people["owner"]: Role.OWNER, **the_members(people)}
    )
    return space, make_room(space)


@pytest.fixture
def workspace(people, make_room):
    """``workspace(visibility)`` → (workspace, room): opened by the owner through the real action."""
    if not apps.is_installed("workspaces"):
        pytest.skip("needs the workspaces plugin")
    from doeplein.home.models import Theme
    from workspaces.actions import do_open_workspace

    n = next(_names)
    theme = Theme.objects.create(name=f"Water {n}", slug=f"water-live-{n}")

    def make(visibility="public", members=None):
        space = do_open_workspace(
            user=people["owner"],
            name=f"Dijken {n}",
            slug=f"dijken-live-{n}",
            themes=[theme],
            visibility=visibility,
        )
        for user, role in (the_members(people) if members is None else members).items():
            Membership.objects.create(space=space, user=user, role=role)
        return space, make_room(space)

    return make


def watch(people, room, change, roles=ROLES):
    """Open a socket per role, make ``change``; the owner posts, hides that message and posts again.
    Returns (after, end, {role: (summary of the frames received after the change, how it ended)})."""
    from doeplein.moderation.actions import do_hide_message

    users = {"anonymous": None, **people}

    def hide(seq):
        do_hide_message(
            actor=people["owner"], message=Message.objects.get(room=room, seq=seq), reason="Zakelijk"
        )

    async def scenario():
        sockets = {role: (await join(users[role], room.pk))[0] for role in roles}
        await sync_to_async(change)()
        owner, _ = await join(people["owner"], room.pk)
        await owner.send_json_to({"type": "send", "client_id": "after", "body": AFTER})
        after = (await next_frame(owner, "ack"))["seq"]
        await sync_to_async(hide)(after)
        await owner.send_json_to({"type": "send", "client_id": "end", "body": END})
        end = (await next_frame(owner, "ack"))["seq"]
        seen = {}
        for role in roles:
            frames, how = await frames_until_close_or_sentinel(sockets[role], end)
            seen[role] = (summary(frames), how)
        for communicator in (*sockets.values(), owner):
            await communicator.disconnect()
        return after, end, seen

    return run(scenario)


def patched(call, user, path, body):
    """The change as a person makes it over the API."""

    def change():
        response = call("patch", path, user, body)
        assert response.status_code == 200, response.content

    return change


# --- finding 1: open sockets follow the space's visibility, join policy, parent and archive state -----
@pytest.mark.parametrize(
    "visibility,cut",
    [
        ("secret", {"anonymous", "outsider"}),
        ("members", {"anonymous", "outsider"}),
        ("logged_in", {"anonymous"}),
    ],
)
def test_a_workspace_narrowed_over_the_api_cuts_off_exactly_those_who_may_no_longer_read(
    people, workspace, call, visibility, cut
):
    space, room = workspace("public")
    change = patched(call, people["owner"], f"/workspaces/{space.slug}", {"visibility": visibility})
    after, end, seen = watch(people, room, change)
    expected = {role: CUT if role in cut else reader(after, end) for role in ROLES}
    expected["manager"] = moderator(after, end)
    assert seen == expected


def test_a_join_policy_change_over_the_api_leaves_every_reader_connected(people, workspace, call):
    space, room = workspace("public")
    change = patched(call, people["owner"], f"/workspaces/{space.slug}", {"join_policy": "invitation"})
    after, end, seen = watch(people, room, change)
    expected = {role: reader(after, end) for role in ROLES}
    expected["manager"] = moderator(after, end)
    assert seen == expected


def test_a_parent_made_secret_over_the_api_cuts_off_the_rooms_of_its_groups(
    people, workspace, make_room, call
):
    if not apps.is_installed("groups"):
        pytest.skip("needs the groups plugin")
    from groups.actions import do_create_group

    # The guest and the manager of the group are members of the workspace too; the member is not.
    parent, _room = workspace(
        "public", members={people["guest"]: Role.MEMBER, people["manager"]: Role.MEMBER}
    )
    group = do_create_group(
        user=people["owner"],
        name="Pompen",
        slug="pompen-live",
        parent=parent,
        policy="open",
        visibility="public",
    )
    for user, role in the_members(people).items():
        Membership.objects.create(space=group, user=user, role=role)
    room = make_room(group)
    change = patched(call, people["owner"], f"/workspaces/{parent.slug}", {"visibility": "secret"})
    after, end, seen = watch(people, room, change)
    assert seen == {
        "anonymous": CUT,
        "outsider": CUT,
        "member": CUT,  # a member of the group only: the group is inside a space they may not see now
        "guest": reader(after, end),
        "manager": moderator(after, end),
    }


def test_a_group_made_secret_over_the_api_cuts_off_visitors_and_outsiders(people, workspace, make_room, call):
    if not apps.is_installed("groups"):
        pytest.skip("needs the groups plugin")
    from groups.actions import do_create_group

    parent, _room = workspace("public", members={})
    group = do_create_group(
        user=people["owner"],
        name="Gemaal",
        slug="gemaal-live",
        parent=parent,
        policy="open",
        visibility="public",
    )
    for user, role in the_members(people).items():
        Membership.objects.create(space=group, user=user, role=role)
    room = make_room(group)
    change = patched(call, people["owner"], f"/groups/{group.pk}", {"policy": "secret"})
    after, end, seen = watch(people, room, change)
    assert seen == {
        "anonymous": CUT,
        "outsider": CUT,
        "guest": reader(after, end),
        "member": reader(after, end),
        "manager": moderator(after, end),
    }


def test_a_space_moved_under_a_secret_parent_follows_its_new_chain(people, make_space, make_room):
    """No action moves a space to another parent today (test_house's scan of the actions proves that no
    action writes ``parent``); this proves the consumer's side for when one does: the event makes the
    socket re-read its verdict *and* its chain of ancestors, so a later change there reaches it too."""
    secret_parent = make_space("secret", members={people["owner"]: Role.OWNER, people["member"]: Role.MEMBER})
    space, room = room_in(make_space, make_room, people, "public")

    def move():
        with transaction.atomic():
            Space.objects.filter(pk=space.pk).update(parent=secret_parent)
            access_changed_on_commit(space_ids=[space.pk], reason="parent_changed")

    def remove_member_from_parent():
        from doeplein.spaces.actions import do_remove_member

        do_remove_member(actor=people["owner"], space=secret_parent, user=people["member"])

    async def scenario():
        watcher, _ = await join(people["outsider"], room.pk)
        member, _ = await join(people["member"], room.pk)
        await sync_to_async(move)()
        cut = await frames_until_close_or_sentinel(watcher, -1)
        await sync_to_async(remove_member_from_parent)()  # the real action, in the new ancestor
        member_cut = await frames_until_close_or_sentinel(member, -1)
        return cut, member_cut

    cut, member_cut = run(scenario)
    assert (summary(cut[0]), cut[1]) == CUT
    assert (summary(member_cut[0]), member_cut[1]) == CUT


def test_an_archived_space_keeps_its_readers_and_refuses_writers(people, workspace):
    from doeplein.spaces.actions import do_set_archived

    space, room = workspace("public")

    async def scenario():
        sockets = {
            role: (await join(people.get(role), room.pk))[0] for role in ("anonymous", "member", "manager")
        }
        await sync_to_async(do_set_archived)(actor=people["owner"], space=space, archived=True)
        answers = (
            await outcome(sockets["member"], {"type": "send", "client_id": "a-1", "body": "Nog open?"}),
            await outcome(sockets["manager"], {"type": "lock", "locked": True}),
            await outcome(sockets["member"], {"type": "history"}),
            await outcome(sockets["anonymous"], {"type": "history"}),
        )
        for communicator in sockets.values():
            await communicator.disconnect()
        return answers

    assert run(scenario) == ("read_only", "forbidden", "ok", "ok")


# --- the person's role, membership and grants ---------------------------------------------------------
@pytest.mark.parametrize("how", ["removed", "left"])
def test_a_member_removed_or_leaving_while_connected_is_cut_off_and_no_one_else(people, workspace, how):
    from doeplein.spaces.actions import do_leave, do_remove_member

    space, room = workspace("members")

    def change():
        if how == "removed":
            do_remove_member(actor=people["manager"], space=space, user=people["member"])
        else:
            do_leave(user=people["member"], space=space)

    after, end, seen = watch(people, room, change, roles=("guest", "member", "manager"))
    assert seen == {"guest": reader(after, end), "member": CUT, "manager": moderator(after, end)}


def test_a_demoted_manager_no_longer_receives_moderator_text(people, workspace):
    from doeplein.spaces.actions import do_change_role

    space, room = workspace("public")
    change = lambda: do_change_role(  # noqa: E731
        actor=people["owner"], space=space, user=people["manager"], role=Role.MEMBER
    )
    after, end, seen = watch(people, room, change)
    assert seen == {role: reader(after, end) for role in ROLES}


def test_a_member_made_guest_keeps_reading_and_no_longer_writes(people, workspace):
    from doeplein.spaces.actions import do_change_role

    space, room = workspace("members")

    async def scenario():
        member, _ = await join(people["member"], room.pk)
        await sync_to_async(do_change_role)(
            actor=people["owner"], space=space, user=people["member"], role=Role.GUEST
        )
        answers = (
            await outcome(member, {"type": "send", "client_id": "g-1", "body": "Mag dit?"}),
            await outcome(member, {"type": "history"}),
        )
        await member.disconnect()
        return answers

    assert run(scenario) == ("read_only", "ok")


def test_a_removed_grant_cuts_off_the_person_it_let_in(people, workspace):
    from doeplein.spaces.actions import do_set_grant

    space, room = workspace("members")
    grant = {"actor": people["owner"], "space": space, "codename": "view_space", "user": people["outsider"]}
    do_set_grant(**grant, granted=True)
    change = lambda: do_set_grant(**grant, granted=False)  # noqa: E731
    after, end, seen = watch(people, room, change, roles=("outsider", "member"))
    assert seen == {"outsider": CUT, "member": reader(after, end)}


# --- finding 3: moderator-only text only where the verdict is "moderator" now -------------------------
def test_a_demoted_manager_no_longer_receives_hidden_text_held_messages_or_reports(
    people, make_space, make_room, post
):
    """Even without an event (the role changed in the database alone), the verdict is read again when a
    moderator-only frame is delivered."""
    from doeplein.moderation.actions import do_add_word_filter, do_hide_message, do_report_message

    space, room = room_in(make_space, make_room, people, "members")
    message = post(people["member"], room, "Scherpe woorden")
    do_add_word_filter(actor=people["owner"], space=space, word="kaas", action="hold")

    async def scenario():
        demoted, _ = await join(people["manager"], room.pk)
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


def test_a_ban_closes_the_socket_and_nothing_more_arrives(people, workspace):
    from doeplein.moderation.actions import do_sanction

    space, room = workspace("public")
    change = lambda: do_sanction(  # noqa: E731
        actor=people["manager"], room=room, user=people["member"], kind="ban", reason="Spam"
    )
    after, end, seen = watch(people, room, change)
    expected = {role: reader(after, end) for role in ROLES}
    expected.update(member=CUT, manager=moderator(after, end))
    assert seen == expected


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
