"""The discussion actions themselves: threads, edits with history, deleting and reacting, mentions that
notify (only those who may read), unread counts, and one room per space."""

import pytest

from doeplein.discussion import actions
from doeplein.discussion.models import Message, MessageRevision, Reaction, Room
from doeplein.discussion.selectors import unread_count, unread_counts
from doeplein.notifications.models import Notification
from doeplein.spaces.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(make_user, make_space, make_room):
    a, b, guest = make_user(), make_user(), make_user()
    space = make_space("members", members={a: Role.MEMBER, b: Role.MEMBER, guest: Role.GUEST})
    return a, b, guest, space, make_room(space)


def test_a_reply_points_at_its_parent_and_an_unknown_parent_is_refused(setting, post):
    a, b, guest, space, room = setting
    first = post(a, room, "Vraag")
    answer = post(b, room, "Antwoord", reply_to=first.seq)
    assert answer.reply_to == first and list(first.replies.all()) == [answer]
    with pytest.raises(actions.DiscussionError) as refused:
        post(b, room, "Naar niets", reply_to=99)
    assert refused.value.code == "bad_reply"
    room.refresh_from_db()
    assert room.last_seq == 2  # the refused one took no number


def test_edits_keep_the_history_and_only_the_author_edits_or_deletes(setting, post):
    a, b, guest, space, room = setting
    message = post(a, room, "Versie 1")
    actions.do_edit_message(user=a, message=message, body="Versie 2")
    actions.do_edit_message(user=a, message=message, body="Versie 3")
    assert list(MessageRevision.objects.filter(message=message).values_list("body", flat=True)) == [
        "Versie 1",
        "Versie 2",
    ]
    for fn, kwargs in ((actions.do_edit_message, {"body": "Gekaapt"}), (actions.do_delete_message, {})):
        with pytest.raises(actions.DiscussionError) as refused:
            fn(user=b, message=message, **kwargs)
        assert refused.value.code == "not_author"
    actions.do_delete_message(user=a, message=message)
    message.refresh_from_db()
    # Issue 8: deletion removes the text, earlier versions too (nothing reported it, so no audit needs it).
    assert message.state == "deleted" and message.body == ""
    assert not MessageRevision.objects.filter(message=message).exists()
    with pytest.raises(actions.DiscussionError) as late:
        actions.do_edit_message(user=a, message=message, body="Terug")
    assert late.value.code == "not_editable"


def test_reactions_are_added_once_and_taken_back(setting, post):
    a, b, guest, space, room = setting
    message = post(a, room)
    for _ in range(2):
        actions.do_react(user=b, message=message, emoji="👍")
    assert Reaction.objects.filter(message=message).count() == 1
    actions.do_react(user=b, message=message, emoji="👍", add=False)
    assert not Reaction.objects.exists()
    with pytest.raises(actions.DiscussionError) as odd:
        actions.do_react(user=b, message=message, emoji="💩")
    assert odd.value.code == "bad_reaction"
    with pytest.raises(actions.DiscussionError) as reader:
        actions.do_react(user=guest, message=message, emoji="👍")
    assert reader.value.code == "read_only"


def test_a_mention_notifies_people_who_may_read_and_nobody_else(setting, post, make_user):
    a, b, guest, space, room = setting
    outsider = make_user()
    message = post(a, room, "@b kijk even", mentions=[b.pk, outsider.pk, a.pk, "x"])
    assert list(message.mentions.values_list("user", flat=True)) == [b.pk]
    notification = Notification.objects.get(recipient=b)
    assert (notification.verb, notification.url) == ("discussion.mentioned", f"/discussion/{room.pk}/#m1")
    assert not Notification.objects.filter(recipient__in=[outsider, a]).exists()


def test_unread_counts_follow_the_read_marker_and_skip_own_and_hidden_messages(
    setting, post, make_room, make_space, make_user
):
    from doeplein.moderation.actions import do_hide_message
    from doeplein.spaces.models import Membership

    a, b, guest, space, room = setting
    manager = make_user()
    Membership.objects.create(space=space, user=manager, role=Role.COMMUNITY_MANAGER)
    post(a, room, "mine")  # posting marks one's own message read
    for n in range(4):
        post(b, room, f"m{n}")
    assert unread_count(user=a, room=room) == 4
    do_hide_message(actor=manager, message=Message.objects.get(room=room, seq=2), reason="x")
    assert unread_count(user=a, room=room) == 3
    room.refresh_from_db()
    actions.do_mark_read(user=a, room=room, seq=4)
    assert unread_count(user=a, room=room) == 1
    actions.do_mark_read(user=a, room=room, seq=1)  # a marker never goes back
    assert unread_count(user=a, room=room) == 1
    other_room = make_room(make_space("members", members={a: Role.MEMBER}))
    assert unread_counts(user=a, rooms=[room, other_room]) == {room.pk: 1, other_room.pk: 0}


def test_a_space_has_one_room_of_its_own(setting):
    a, b, guest, space, room = setting
    assert actions.get_or_create_room(space=space) == room
    assert Room.objects.filter(space=space).count() == 1
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Room.objects.create(space=space, title="Second")  # the database refuses a second one too
