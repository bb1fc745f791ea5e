"""Moderation from the message itself (issue 9, item 4): mute or exclude the author of a message with a
duration from a short list and a reason, no ids typed; the sanctions in force with their end, lifted early;
and the sanctioned person told, on the page and live on their open sockets."""

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from doeplein.discussion.models import Message
from doeplein.moderation.models import AuditEntry, Sanction
from doeplein.spaces.models import Role
from tests.doeplein.discussion.live import join, next_frame, outcome, run


@pytest.fixture
def setting(make_user, make_space, make_room, post):
    member, manager = (
        make_user(first_name="Bas", last_name="Lid"),
        make_user(first_name="Amira", last_name="Beheer"),
    )
    space = make_space("members", members={member: Role.MEMBER, manager: Role.COMMUNITY_MANAGER})
    room = make_room(space)
    post(member, room, "Scheldwoorden hier")
    return member, manager, space, room


def client_for(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_manager_mutes_the_author_from_the_message_sees_it_in_the_list_and_lifts_it(setting):
    member, manager, space, room = setting
    client = client_for(manager)
    page = client.get(f"/discussion/{room.pk}/").content.decode()
    # The form sits in the message's own menu: the person comes from the message, no number to type.
    assert f'action="/discussion/{room.pk}/m/1/sanction/"' in page
    assert "Mute or exclude Bas Lid" in page and 'name="user"' not in page
    assert "Nobody is muted or excluded." in page

    response = client.post(
        f"/discussion/{room.pk}/m/1/sanction/", {"kind": "mute", "minutes": "10", "reason": "schelden"}
    )
    assert response.status_code == 302
    sanction = Sanction.objects.get(user=member)
    assert (sanction.kind, sanction.reason, sanction.created_by) == ("mute", "schelden", manager)
    assert 9 * 60 < (sanction.until - sanction.created_at).total_seconds() <= 10 * 60

    page = client.get(f"/discussion/{room.pk}/").content.decode()
    assert "Bas Lid is muted." in page
    assert f'id="sanction-{sanction.pk}"' in page and "By Amira Beheer: schelden" in page
    listing = client.get(f"/moderation/spaces/{space.pk}/sanctions/")
    assert listing.status_code == 200 and f'id="sanction-{sanction.pk}"' in listing.content.decode()

    # The muted person is told on the page, with the end, and has no composer.
    member_page = client_for(member).get(f"/discussion/{room.pk}/").content.decode()
    assert "You are muted in this discussion." in member_page and "Until " in member_page
    assert 'id="compose-body"' not in member_page

    lifted = client.post(
        f"/moderation/spaces/{space.pk}/sanctions/{sanction.pk}/lift/", {"next": f"/discussion/{room.pk}/"}
    )
    assert (lifted.status_code, lifted["Location"]) == (302, f"/discussion/{room.pk}/")
    sanction.refresh_from_db()
    assert sanction.lifted_at is not None
    assert 'id="compose-body"' in client_for(member).get(f"/discussion/{room.pk}/").content.decode()
    assert list(AuditEntry.objects.filter(room=room).order_by("pk").values_list("action", flat=True)) == [
        "user.mute",
        "user.mute_lifted",
    ]
    audit = client_for(manager, "nl").get(f"/moderation/spaces/{space.pk}/audit/").content.decode()
    assert "Amira Beheer heeft Bas Lid 10 minuten gedempt: schelden" in audit
    # Lifting twice, or a forged id, is a message, not an error page.
    again = client.post(f"/moderation/spaces/{space.pk}/sanctions/{sanction.pk}/lift/", follow=True)
    assert "already ended or was lifted" in again.content.decode()


@pytest.mark.django_db
def test_an_exclusion_until_lifted_a_mute_needs_a_duration_and_a_reason_is_asked(setting):
    member, manager, space, room = setting
    client = client_for(manager)
    url = f"/discussion/{room.pk}/m/1/sanction/"
    refused = client.post(url, {"kind": "mute", "minutes": "0", "reason": "x"}, follow=True)
    assert "A mute needs a duration." in refused.content.decode()
    no_reason = client.post(url, {"kind": "mute", "minutes": "60", "reason": ""}, follow=True)
    assert "Reason" in no_reason.content.decode() and not Sanction.objects.exists()
    odd = client.post(url, {"kind": "mute", "minutes": "99999999999999999999", "reason": "x"}, follow=True)
    assert odd.status_code == 200 and not Sanction.objects.exists()
    assert client.post(url, {"kind": "ban", "minutes": "0", "reason": "spam"}).status_code == 302
    ban = Sanction.objects.get()
    assert (ban.kind, ban.until) == ("ban", None)
    listing = client.get(f"/moderation/spaces/{space.pk}/sanctions/").content.decode()
    assert "excluded" in listing and "until lifted" in listing


@pytest.mark.django_db
def test_members_and_other_spaces_managers_cannot_sanction_or_lift(setting, make_user, make_space):
    member, manager, space, room = setting
    other = make_user()
    Message.objects.filter(room=room).update(author=other)  # the member tries it on someone else
    response = client_for(member).post(
        f"/discussion/{room.pk}/m/1/sanction/", {"kind": "mute", "minutes": "10", "reason": "x"}
    )
    assert response.status_code == 403 and not Sanction.objects.exists()
    mute = Sanction.objects.create(room=room, user=other, kind="mute", created_by=manager)
    assert (
        client_for(member).post(f"/moderation/spaces/{space.pk}/sanctions/{mute.pk}/lift/").status_code == 403
    )
    assert client_for(member).get(f"/moderation/spaces/{space.pk}/sanctions/").status_code == 403
    elsewhere_manager = make_user()
    elsewhere = make_space("members", members={elsewhere_manager: Role.COMMUNITY_MANAGER})
    # A manager of another space cannot lift this space's sanction through their own space's address.
    client_for(elsewhere_manager).post(f"/moderation/spaces/{elsewhere.pk}/sanctions/{mute.pk}/lift/")
    mute.refresh_from_db()
    assert mute.lifted_at is None


@pytest.mark.django_db(transaction=True)
def test_the_muted_person_is_told_live_with_the_end_and_told_again_when_lifted(setting):
    from doeplein.moderation.actions import do_lift_sanction, do_sanction

    member, manager, space, room = setting

    async def scenario():
        muted, _ = await join(member, room.pk)
        sanction = await sync_to_async(do_sanction)(
            actor=manager, room=room, user=member, kind="mute", minutes=10, reason="schelden"
        )
        told = await next_frame(muted, "sanction")
        refused = await outcome(muted, {"type": "send", "client_id": "m-1", "body": "Mag ik?"})
        await sync_to_async(do_lift_sanction)(actor=manager, sanction=sanction)
        lifted = await next_frame(muted, "sanction")
        allowed = await outcome(muted, {"type": "send", "client_id": "m-2", "body": "Sorry"})
        await muted.disconnect()
        return sanction, told, refused, lifted, allowed

    sanction, told, refused, lifted, allowed = run(scenario)
    sanction.refresh_from_db()
    assert (told["kind"], told["active"], told["until"]) == ("mute", True, sanction.until.isoformat())
    assert told["message"]
    assert (refused, lifted["active"], lifted["until"], allowed) == ("muted", False, None, "ok")


@pytest.mark.django_db(transaction=True)
def test_an_excluded_person_is_told_so_with_the_end_before_the_socket_closes(setting):
    from doeplein.moderation.actions import do_sanction

    member, manager, space, room = setting

    async def scenario():
        excluded, _ = await join(member, room.pk)
        sanction = await sync_to_async(do_sanction)(
            actor=manager, room=room, user=member, kind="ban", minutes=60, reason="spam"
        )
        frame = await next_frame(excluded, "error")
        closed = await excluded.receive_output(timeout=5)
        return sanction, frame, closed

    sanction, frame, closed = run(scenario)
    sanction.refresh_from_db()
    assert (frame["code"], frame["sanction"], frame["until"]) == (
        "access_revoked",
        "ban",
        sanction.until.isoformat(),
    )
    assert (closed["type"], closed.get("code")) == ("websocket.close", 4403)


@pytest.mark.django_db
def test_the_audit_log_filters_by_kind_of_action(setting):
    from doeplein.moderation.actions import do_hide_message, do_sanction

    member, manager, space, room = setting
    do_sanction(actor=manager, room=room, user=member, kind="mute", minutes=10, reason="schelden")
    do_hide_message(actor=manager, message=Message.objects.get(room=room, seq=1), reason="Te fel")
    client = client_for(manager)
    url = f"/moderation/spaces/{space.pk}/audit/"
    everything = client.get(url).content.decode()
    assert 'data-action="user.mute"' in everything and 'data-action="message.hidden"' in everything
    sanctions = client.get(url, {"kind": "sanctions"}).content.decode()
    assert 'data-action="user.mute"' in sanctions and 'data-action="message.hidden"' not in sanctions
    unknown = client.get(url, {"kind": "<script>"})
    assert unknown.status_code == 200 and 'data-action="message.hidden"' in unknown.content.decode()
