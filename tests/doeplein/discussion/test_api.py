"""Discussion over the JSON API: a room, its messages, posting with an idempotent client_id, JSON errors."""

from datetime import datetime

import pytest
from django.test import Client

from doeplein.discussion.models import Message
from doeplein.spaces.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def setting(make_user, make_space, make_room, post):
    member, manager = make_user(), make_user()
    space = make_space("members", members={member: Role.MEMBER, manager: Role.COMMUNITY_MANAGER})
    room = make_room(space)
    post(manager, room, "Welkom")
    return member, manager, space, room


def bearer(user):
    from doeplein.accounts.actions import do_create_api_token

    _token, secret = do_create_api_token(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def test_a_member_reads_the_room_and_its_messages(setting):
    member, manager, space, room = setting
    api = bearer(member)
    answer = api.get(f"/api/v1/rooms/{room.pk}")
    assert answer.status_code == 200
    assert answer.json() == {
        "id": room.pk,
        "title": room.title,
        "space": space.pk,
        "last_seq": 1,
        "locked": False,
        "slow_mode_seconds": 0,
        "unread": 1,
    }
    messages = api.get(f"/api/v1/rooms/{room.pk}/messages").json()
    assert [(m["seq"], m["body"]) for m in messages] == [(1, "Welkom")]


def test_posting_is_idempotent_by_client_id(setting):
    member, manager, space, room = setting
    api = bearer(member)
    payload = {"client_id": "api-1", "body": "Via de API"}
    first = api.post(f"/api/v1/rooms/{room.pk}/messages", payload, content_type="application/json")
    second = api.post(f"/api/v1/rooms/{room.pk}/messages", payload, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["seq"] == second.json()["seq"] == 2
    assert Message.objects.filter(room=room, client_id="api-1").count() == 1
    after = api.get(f"/api/v1/rooms/{room.pk}/messages?after=1").json()
    assert [m["seq"] for m in after] == [2]
    before = api.get(f"/api/v1/rooms/{room.pk}/messages?before=2").json()
    assert [m["seq"] for m in before] == [1]


def test_refusals_are_json_with_detail_code_and_until(setting):
    from doeplein.moderation.actions import do_lock_room, do_sanction

    member, manager, space, room = setting
    api = bearer(member)
    do_sanction(actor=manager, room=room, user=member, kind="mute", minutes=15, reason="Rust")
    muted = api.post(
        f"/api/v1/rooms/{room.pk}/messages", {"client_id": "m", "body": "x"}, content_type="application/json"
    )
    assert muted.status_code == 403
    body = muted.json()
    assert (
        body["code"] == "muted"
        and body["detail"]
        and datetime.fromisoformat(body["until"]) == room.sanctions.get().until
    )

    do_lock_room(actor=manager, room=room, locked=True)
    other = bearer(manager)
    ok = other.post(
        f"/api/v1/rooms/{room.pk}/messages", {"client_id": "c", "body": "y"}, content_type="application/json"
    )
    assert ok.status_code == 201  # moderators speak in a locked room

    too_long = other.post(
        f"/api/v1/rooms/{room.pk}/messages",
        {"client_id": "l", "body": "z" * 5000},
        content_type="application/json",
    )
    assert (too_long.status_code, too_long.json()["code"]) == (413, "too_long")
    assert "until" not in too_long.json()


def test_outsiders_get_403_or_404_and_anonymous_readers_read_public_rooms(
    setting, make_user, make_space, make_room, post
):
    member, manager, space, room = setting
    outsider = bearer(make_user())
    assert outsider.get(f"/api/v1/rooms/{room.pk}").status_code == 403
    secret = make_room(make_space("secret"))
    assert outsider.get(f"/api/v1/rooms/{secret.pk}/messages").status_code == 404
    assert outsider.get("/api/v1/rooms/999999").json() == {"detail": "Not found."}
    public = make_room(make_space("public", members={member: Role.MEMBER}))
    post(member, public, "Voor iedereen")
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert [m["body"] for m in anonymous.get(f"/api/v1/rooms/{public.pk}/messages").json()] == [
        "Voor iedereen"
    ]
    refused = anonymous.post(
        f"/api/v1/rooms/{public.pk}/messages",
        {"client_id": "a", "body": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 401
    reader = outsider.post(
        f"/api/v1/rooms/{public.pk}/messages",
        {"client_id": "r", "body": "x"},
        content_type="application/json",
    )
    assert (reader.status_code, reader.json()["code"]) == (403, "read_only")


def test_the_openapi_document_lists_the_discussion_endpoints():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/rooms/{room_id}", "/api/v1/rooms/{room_id}/messages"} <= set(paths)
