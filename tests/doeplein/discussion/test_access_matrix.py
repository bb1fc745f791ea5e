"""Every role × every frame type, on spaces of every visibility, over real websocket connections.

The expected answers are written out below, not computed by asking the gate. Each role gets a space of
its own (inside a public parent space, so that the parent's community manager is one of the roles), so
one role's moderation never changes what the next role meets.
"""

import pytest

from doeplein.spaces.models import Membership, Role, Space
from tests.doeplein.discussion.live import connect_outcome, outcome, run, socket

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = (
    "anonymous",
    "non_member",
    "guest",
    "member",
    "community_manager",
    "owner",
    "platform_admin",
    "parent_manager",
)
ROLE_IN_SPACE = {
    "guest": Role.GUEST,
    "member": Role.MEMBER,
    "community_manager": Role.COMMUNITY_MANAGER,
    "owner": Role.OWNER,
}

# Connecting: "welcome", or the close code docs/live-discussion.md lists.
CONNECT = {
    "public": dict.fromkeys(ROLES, "welcome"),
    "logged_in": {**dict.fromkeys(ROLES, "welcome"), "anonymous": 4401},
    "members": {**dict.fromkeys(ROLES, "welcome"), "anonymous": 4401, "non_member": 4403},
    "secret": {**dict.fromkeys(ROLES, "welcome"), "anonymous": 4404, "non_member": 4404},
}

# The frames, in the order they are sent. Message 1 is someone else's; a writer's own message is 2.
FRAMES = (
    "send",
    "edit",
    "react",
    "read",
    "typing",
    "history",
    "report",
    "hide",
    "unhide",
    "pin",
    "reports",
    "resolve",
    "delete",
    "slow_mode",
    "lock",
    "mute",
    "ban",
)
MODERATION = ("hide", "unhide", "pin", "reports", "resolve", "slow_mode", "lock", "mute", "ban")

ANONYMOUS = {**dict.fromkeys(FRAMES, "login_required"), "history": "ok"}
READER = {  # may read: a guest, or anyone logged in on a public or logged-in space
    "send": "read_only",
    "edit": "not_author",
    "react": "read_only",
    "read": "ok",
    "typing": "read_only",
    "history": "ok",
    "report": "ok",
    "delete": "not_author",
    **dict.fromkeys(MODERATION, "forbidden"),
}
MEMBER = {**dict.fromkeys(FRAMES, "ok"), **dict.fromkeys(MODERATION, "forbidden")}
MODERATOR = dict.fromkeys(FRAMES, "ok")

EXPECTED = {
    "anonymous": ANONYMOUS,
    "non_member": READER,
    "guest": READER,
    "member": MEMBER,
    "community_manager": MODERATOR,
    "owner": MODERATOR,
    "platform_admin": MODERATOR,
    "parent_manager": MODERATOR,
}


def frame(kind, *, own_seq, report_id, target_id):
    return {
        "send": {"type": "send", "client_id": "matrix-1", "body": "Mijn bijdrage"},
        "edit": {"type": "edit", "seq": own_seq, "body": "Mijn bijdrage, bewerkt"},
        "react": {"type": "react", "seq": 1, "emoji": "👍"},
        "read": {"type": "read", "seq": 1},
        "typing": {"type": "typing"},
        "history": {"type": "history", "limit": 10},
        "report": {"type": "report", "seq": 1, "reason": "Niet netjes"},
        "hide": {"type": "hide", "seq": 1, "reason": "Houd het zakelijk"},
        "unhide": {"type": "unhide", "seq": 1},
        "pin": {"type": "pin", "seq": 1, "pinned": True},
        "reports": {"type": "reports"},
        "resolve": {"type": "resolve", "report": report_id, "resolution": "kept"},
        "delete": {"type": "delete", "seq": own_seq},
        "slow_mode": {"type": "slow_mode", "seconds": 0},
        "lock": {"type": "lock", "locked": True, "reason": "Einde"},
        "mute": {"type": "mute", "user": target_id, "minutes": 5, "reason": "Off-topic"},
        "ban": {"type": "ban", "user": target_id, "minutes": 5, "reason": "Spam"},
    }[kind]


@pytest.fixture
def cast(make_user, make_space):
    """One person per role, the people every room needs, and a public parent space."""
    people = {role: make_user() for role in ROLES if role not in ("anonymous", "platform_admin")}
    people["anonymous"] = None
    people["platform_admin"] = make_user(role="platform_admin")
    author, reporter, target = make_user(), make_user(), make_user()
    parent = make_space("public", members={people["parent_manager"]: Role.COMMUNITY_MANAGER})
    return people, author, reporter, target, parent


def room_for(role, visibility, cast, make_room):
    from doeplein.discussion.actions import do_send_message
    from doeplein.moderation.actions import do_report_message

    people, author, reporter, target, parent = cast
    space = Space.objects.create(
        kind="test", name=f"{visibility} {role}", visibility=visibility, parent=parent
    )
    for person in (author, reporter, target):
        Membership.objects.create(space=space, user=person, role=Role.MEMBER)
    if role in ROLE_IN_SPACE:
        Membership.objects.create(space=space, user=people[role], role=ROLE_IN_SPACE[role])
    room = make_room(space)
    message, _ = do_send_message(user=author, room=room, body="Iemands bericht", client_id="author-1")
    report = do_report_message(user=reporter, message=message, reason="Te fel")
    return room, report


@pytest.mark.parametrize("visibility", ["public", "logged_in", "members", "secret"])
def test_every_role_and_frame_type_gets_the_documented_answer(visibility, cast, make_room):
    from doeplein.discussion.models import Message, Reaction
    from doeplein.moderation.models import Report, Sanction

    people, author, reporter, target, parent = cast
    connected, answers, effects = {}, {}, {}
    for role in ROLES:
        room, report = room_for(role, visibility, cast, make_room)
        user = people[role]
        writes = EXPECTED[role]["send"] == "ok"

        async def scenario(room=room, user=user, report=report, writes=writes):
            communicator = socket(user, room.pk)
            result = await connect_outcome(communicator)
            replies = {}
            if result == "welcome":
                for kind in FRAMES:
                    replies[kind] = await outcome(
                        communicator,
                        frame(kind, own_seq=2 if writes else 1, report_id=report.pk, target_id=target.pk),
                    )
            await communicator.disconnect()
            return result, replies

        connected[role], replies = run(scenario)
        if replies:
            answers[role] = replies
            room.refresh_from_db()
            first = Message.objects.get(room=room, seq=1)
            effects[role] = {
                "own messages": Message.objects.filter(room=room, author=user).count() if user else 0,
                "own message deleted": Message.objects.filter(
                    room=room, author=user, state="deleted"
                ).exists()
                if user
                else False,
                "reacted": Reaction.objects.filter(message=first, user=user).exists() if user else False,
                "reported": Report.objects.filter(message=first, reporter=user).exists() if user else False,
                "pinned": first.pinned,
                "visible again": first.state == "visible",
                "locked": room.is_locked,
                "sanctions": Sanction.objects.filter(room=room, user=target).count(),
                "report kept": Report.objects.get(pk=report.pk).status == "kept",
            }

    assert connected == CONNECT[visibility]
    let_in = [role for role in ROLES if CONNECT[visibility][role] == "welcome"]
    assert answers == {role: EXPECTED[role] for role in let_in}
    for role in let_in:
        writes = EXPECTED[role]["send"] == "ok"
        moderates = EXPECTED[role]["hide"] == "ok"
        assert effects[role] == {
            "own messages": 1 if writes else 0,
            "own message deleted": writes,
            "reacted": writes,
            "reported": EXPECTED[role]["report"] == "ok",
            "pinned": moderates,
            "visible again": True,  # hidden, then shown again by moderators; untouched by others
            "locked": moderates,
            "sanctions": 2 if moderates else 0,
            "report kept": moderates,
        }, role
