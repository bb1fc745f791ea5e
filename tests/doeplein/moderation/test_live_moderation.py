"""Moderation seen live: hidden for everyone (moderators keep the text), shown again, pinned, and a
review queue that reaches moderators only."""

import pytest

from doeplein.discussion.models import Message
from doeplein.spaces.models import Role
from tests.doeplein.discussion.live import join, next_frame, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def setting(make_user, make_space, make_room, post):
    author, reader, manager, co_manager = make_user(), make_user(), make_user(), make_user()
    space = make_space(
        "members",
        members={
            author: Role.MEMBER,
            reader: Role.MEMBER,
            manager: Role.COMMUNITY_MANAGER,
            co_manager: Role.OWNER,
        },
    )
    room = make_room(space)
    post(author, room, "Scherpe woorden")
    return author, reader, manager, co_manager, room


def test_hide_reaches_everyone_without_the_text_and_moderators_with_it_then_unhide_and_pin(setting):
    author, reader, manager, co_manager, room = setting

    async def scenario():
        a, _ = await join(author, room.pk)
        r, _ = await join(reader, room.pk)
        m, _ = await join(manager, room.pk)
        c, _ = await join(co_manager, room.pk)
        await m.send_json_to({"type": "hide", "seq": 1, "reason": "Houd het zakelijk"})
        hidden = {
            name: await next_frame(s, "message_updated")
            for name, s in (("author", a), ("reader", r), ("manager", m), ("co", c))
        }
        await m.send_json_to({"type": "unhide", "seq": 1})
        shown = await next_frame(r, "message_updated")
        await m.send_json_to({"type": "pin", "seq": 1})
        pinned = await next_frame(r, "message_updated")
        late, welcome = await join(reader, room.pk)
        for s in (a, r, m, c, late):
            await s.disconnect()
        return hidden, shown, pinned, welcome

    hidden, shown, pinned, welcome = run(scenario)
    for name in ("author", "reader"):
        assert (hidden[name]["state"], hidden[name]["body"], hidden[name]["hidden_reason"]) == (
            "hidden",
            None,
            "Houd het zakelijk",
        ), name
    for name in ("manager", "co"):
        assert (hidden[name]["body"], hidden[name]["hidden_reason"]) == (
            "Scherpe woorden",
            "Houd het zakelijk",
        ), name
    assert (shown["state"], shown["body"], "hidden_reason" in shown) == ("visible", "Scherpe woorden", False)
    assert pinned["pinned"] is True and welcome["room"]["pinned"] == [1]
    message = Message.objects.get(room=room, seq=1)
    assert (message.state, message.pinned, message.body) == (
        "visible",
        True,
        "Scherpe woorden",
    )  # kept for the record


def test_reports_reach_moderators_live_and_never_plain_members(setting):
    author, reader, manager, co_manager, room = setting

    async def scenario():
        a, _ = await join(author, room.pk)
        r, _ = await join(reader, room.pk)
        m, _ = await join(manager, room.pk)
        await r.send_json_to({"type": "report", "seq": 1, "reason": "Persoonlijke aanval"})
        confirmed = await next_frame(r, "reported")
        queued = await next_frame(m, "report")
        # Then something everyone receives: the members' first frame after the report must be this one.
        await m.send_json_to({"type": "lock", "locked": True})
        firsts = [await next_frame(s, "report", "room") for s in (a, r)]
        await m.send_json_to({"type": "reports"})
        queue = await next_frame(m, "reports")
        await m.send_json_to({"type": "resolve", "report": queued["id"], "resolution": "kept"})
        resolved = await next_frame(m, "report")
        for s in (a, r, m):
            await s.disconnect()
        return confirmed, queued, firsts, queue, resolved

    confirmed, queued, firsts, queue, resolved = run(scenario)
    assert confirmed["seq"] == 1
    assert (queued["status"], queued["reason"], queued["body"], queued["reporter"]) == (
        "open",
        "Persoonlijke aanval",
        "Scherpe woorden",
        reader.display_name,
    )
    assert [f["type"] for f in firsts] == ["room", "room"]
    assert [r["id"] for r in queue["reports"]] == [queued["id"]]
    assert (resolved["id"], resolved["status"]) == (queued["id"], "kept")
