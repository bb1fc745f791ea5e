"""The room without JavaScript: plain forms that call the same actions, redirects, kept drafts, the
htmx partial, the space's room and rooms on plugin items through the discussion-targets hook."""

import pytest
from django.test import Client
from wagtail import hooks

from doeplein.discussion.models import Message, MessageRevision, Reaction, Room
from doeplein.moderation.models import AuditEntry, Report, Sanction
from doeplein.spaces.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(make_user, make_space, make_room, post):
    member, other, manager = make_user(), make_user(), make_user()
    space = make_space(
        "members", members={member: Role.MEMBER, other: Role.MEMBER, manager: Role.COMMUNITY_MANAGER}
    )
    room = make_room(space)
    post(other, room, "Eerste bericht")
    return member, other, manager, space, room


def client_for(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def test_members_read_the_room_and_outsiders_do_not(setting, make_user, make_space, make_room):
    member, other, manager, space, room = setting
    page = client_for(member).get(f"/discussion/{room.pk}/")
    assert page.status_code == 200
    assert "Eerste bericht" in page.content.decode()
    assert 'name="client_id"' in page.content.decode()
    assert client_for(make_user()).get(f"/discussion/{room.pk}/").status_code == 403
    secret_room = make_room(make_space("secret"))
    assert client_for(make_user()).get(f"/discussion/{secret_room.pk}/").status_code == 404
    assert client_for(member).get("/discussion/999999/").status_code == 404


def test_anonymous_readers_of_a_public_room_see_a_login_link_and_cannot_post(
    make_space, make_room, make_user, post
):
    writer = make_user()
    room = make_room(make_space("public", members={writer: Role.MEMBER}))
    post(writer, room, "Openbaar")
    page = Client().get(f"/discussion/{room.pk}/").content.decode()
    assert "Openbaar" in page and "/accounts/login/" in page and 'name="body"' not in page
    response = Client().post(f"/discussion/{room.pk}/post/", {"body": "x", "client_id": "anon"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Message.objects.filter(client_id="anon").exists()


def test_posting_redirects_to_the_room_and_a_retried_post_is_stored_once(setting):
    member, other, manager, space, room = setting
    client = client_for(member)
    for _ in range(2):
        response = client.post(
            f"/discussion/{room.pk}/post/", {"body": "Via een formulier", "client_id": "form-1"}
        )
        assert response.status_code == 302 and response["Location"] == f"/discussion/{room.pk}/#latest"
    assert Message.objects.filter(room=room, author=member, client_id="form-1").count() == 1
    reply = client.post(
        f"/discussion/{room.pk}/post/", {"body": "Antwoord", "client_id": "form-2", "reply_to": "1"}
    )
    assert reply.status_code == 302
    assert Message.objects.get(client_id="form-2").reply_to.seq == 1


def test_a_refused_post_keeps_the_draft_in_the_textarea(setting):
    from doeplein.moderation.actions import do_add_word_filter

    member, other, manager, space, room = setting
    do_add_word_filter(actor=manager, space=space, word="verboden", action="refuse")
    client = client_for(member)
    response = client.post(
        f"/discussion/{room.pk}/post/", {"body": "Een verboden & <lang> concept", "client_id": "d-1"}
    )
    assert response["Location"] == f"/discussion/{room.pk}/#compose"
    page = client.get(response["Location"]).content.decode()
    assert "Een verboden &amp; &lt;lang&gt; concept</textarea>" in page
    assert "not allowed here" in page
    assert not Message.objects.filter(client_id="d-1").exists()
    # The draft is shown once, not forever.
    assert "Een verboden" not in client.get(f"/discussion/{room.pk}/").content.decode()


def test_a_draft_refused_because_the_room_is_locked_is_still_shown(setting):
    from doeplein.moderation.actions import do_lock_room

    member, other, manager, space, room = setting
    client = client_for(member)
    page = client.get(f"/discussion/{room.pk}/")  # the page was open before the lock
    assert 'name="body"' in page.content.decode()
    do_lock_room(actor=manager, room=room, locked=True)
    response = client.post(
        f"/discussion/{room.pk}/post/", {"body": "Net te laat", "client_id": "late"}, follow=True
    )
    page = response.content.decode()
    assert "This discussion is locked." in page and "Net te laat</textarea>" in page


def test_script_in_a_message_is_shown_escaped(setting, post):
    member, other, manager, space, room = setting
    post(other, room, '<script>alert("x")</script> <img src=x onerror=alert(1)>')
    for url in (f"/discussion/{room.pk}/", f"/discussion/{room.pk}/messages/"):
        page = client_for(member).get(url).content.decode()
        assert "&lt;script&gt;alert(" in page
        assert "<script>alert" not in page and "<img src=x" not in page


def test_message_forms_edit_delete_react_report_and_redirect(setting, post):
    member, other, manager, space, room = setting
    mine = post(member, room, "Mijn tekst")
    client = client_for(member)
    base = f"/discussion/{room.pk}/m"

    response = client.post(f"{base}/{mine.seq}/edit/", {"body": "Mijn nieuwe tekst"})
    assert response.status_code == 302 and response["Location"] == f"/discussion/{room.pk}/#m{mine.seq}"
    mine.refresh_from_db()
    assert mine.body == "Mijn nieuwe tekst" and mine.edited_at is not None
    assert list(MessageRevision.objects.filter(message=mine).values_list("body", flat=True)) == ["Mijn tekst"]

    assert client.post(f"{base}/1/react/", {"emoji": "🎉"}).status_code == 302
    assert Reaction.objects.filter(message__seq=1, message__room=room, user=member, emoji="🎉").exists()
    client.post(f"{base}/1/react/", {"emoji": "🎉", "remove": "1"})
    assert not Reaction.objects.filter(user=member).exists()

    assert client.post(f"{base}/1/report/", {"reason": "Klopt niet"}).status_code == 302
    assert Report.objects.get(reporter=member).reason == "Klopt niet"

    # Someone else's message cannot be edited or deleted: a message on the page, nothing changed.
    refused = client.post(f"{base}/1/edit/", {"body": "Gekaapt"}, follow=True)
    assert "You can only edit your own messages." in refused.content.decode()
    assert Message.objects.get(room=room, seq=1).body == "Eerste bericht"

    assert client.post(f"{base}/{mine.seq}/delete/").status_code == 302
    mine.refresh_from_db()
    assert mine.state == "deleted"
    assert client.post(f"{base}/1/unknown-verb/").status_code == 404
    assert client.post(f"{base}/999/edit/", {"body": "x"}).status_code == 404


def test_moderation_forms_hide_unhide_pin_lock_slow_mode_and_sanction(setting):
    member, other, manager, space, room = setting
    client = client_for(manager)
    base = f"/discussion/{room.pk}"

    assert client.post(f"{base}/m/1/hide/", {"reason": "Te fel"}).status_code == 302
    first = Message.objects.get(room=room, seq=1)
    assert (first.state, first.hidden_reason) == ("hidden", "Te fel")
    member_page = client_for(member).get(f"{base}/").content.decode()
    assert "Te fel" in member_page and "Eerste bericht" not in member_page
    assert "Eerste bericht" in client.get(f"{base}/").content.decode()  # moderators keep the text

    assert client.post(f"{base}/m/1/unhide/").status_code == 302
    assert client.post(f"{base}/m/1/pin/", {"pinned": "1"}).status_code == 302
    first.refresh_from_db()
    assert (first.state, first.pinned) == ("visible", True)

    assert client.post(f"{base}/lock/", {"locked": "1"}).status_code == 302
    assert client.post(f"{base}/slow-mode/", {"seconds": "30"}).status_code == 302
    assert (
        client.post(
            f"{base}/sanction/", {"user": str(member.pk), "kind": "mute", "minutes": "10", "reason": "Rust"}
        ).status_code
        == 302
    )
    room.refresh_from_db()
    assert (room.is_locked, room.slow_mode_seconds) == (True, 30)
    assert Sanction.objects.get(user=member).kind == "mute"
    assert set(AuditEntry.objects.filter(room=room).values_list("action", flat=True)) == {
        "message.hidden",
        "message.unhidden",
        "message.pinned",
        "room.locked",
        "room.slow_mode",
        "user.mute",
    }
    assert client.post(f"{base}/explode/").status_code == 404


def test_members_cannot_use_the_moderation_forms(setting):
    member, other, manager, space, room = setting
    client = client_for(member)
    assert client.post(f"/discussion/{room.pk}/m/1/hide/", {"reason": "x"}).status_code == 403
    assert client.post(f"/discussion/{room.pk}/lock/", {"locked": "1"}).status_code == 403
    assert (
        client.post(f"/discussion/{room.pk}/sanction/", {"user": str(other.pk), "kind": "ban"}).status_code
        == 403
    )
    room.refresh_from_db()
    assert not room.is_locked and not Sanction.objects.exists()
    assert Message.objects.get(room=room, seq=1).state == "visible"


def test_the_htmx_partial_returns_the_message_list_alone(setting):
    member, other, manager, space, room = setting
    partial = client_for(member).get(f"/discussion/{room.pk}/messages/")
    html = partial.content.decode()
    assert partial.status_code == 200
    assert html.startswith('<ol class="messages-list"') and "Eerste bericht" in html and "<html" not in html


def test_the_space_room_is_created_once(make_user, make_space):
    member = make_user()
    space = make_space("members", members={member: Role.MEMBER})
    client = client_for(member)
    first = client.get(f"/discussion/spaces/{space.pk}/")
    second = client.get(f"/discussion/spaces/{space.pk}/")
    room = Room.objects.get(space=space)
    assert first["Location"] == second["Location"] == f"/discussion/{room.pk}/"
    assert client_for(make_user()).get(f"/discussion/spaces/{space.pk}/").status_code == 403
    assert Room.objects.filter(space=space).count() == 1


def test_a_plugin_item_gets_a_room_in_its_space_through_the_discussion_targets_hook(make_user, make_space):
    from doeplein.plugins import HOOK_DISCUSSION_TARGETS, DiscussionTarget
    from tests.plugin_example.models import Note

    member, outsider = make_user(), make_user()
    space = make_space("secret", members={member: Role.MEMBER})
    note = Note.objects.create(space=space, author=member, text="Een notitie")
    url = f"/discussion/on/plugin_example.note/{note.pk}/"

    assert client_for(member).get(url).status_code == 404  # not offered: no room

    def targets():
        return [DiscussionTarget(model=Note, label="Note", space="space")]

    with hooks.register_temporarily(HOOK_DISCUSSION_TARGETS, targets):
        assert client_for(outsider).get(url).status_code == 404  # secret: the gate says not found
        response = client_for(member).get(url)
        again = client_for(member).get(url)
        assert client_for(member).get("/discussion/on/plugin_example.note/999999/").status_code == 404
    room = Room.objects.get(target_id=str(note.pk))
    assert response["Location"] == again["Location"] == f"/discussion/{room.pk}/"
    assert (room.space_id, room.target, room.title) == (space.pk, note, "Een notitie")
    assert Room.objects.count() == 1
