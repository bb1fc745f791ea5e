"""The room socket through doeplein.asgi.application: session cookie authentication and the Origin check."""

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from doeplein import live
from doeplein.spaces.models import Role
from tests.doeplein.discussion.live import connect_outcome, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def application(monkeypatch):
    before = live.IN_WEB_PROCESS
    from doeplein.asgi import application as app  # importing it marks the process as the web process

    live.IN_WEB_PROCESS = before
    monkeypatch.setattr(live, "IN_WEB_PROCESS", True)
    return app


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def room_socket(application, room_id, cookie=None, origin="http://localhost"):
    headers = [(b"origin", origin.encode()), (b"host", b"localhost")]
    if cookie is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, f"/ws/rooms/{room_id}/", headers=headers)


def test_the_session_cookie_lets_a_member_in_and_a_foreign_origin_is_refused(
    application, make_user, make_space, make_room
):
    member = make_user()
    room = make_room(make_space("members", members={member: Role.MEMBER}))
    cookie = session_cookie(member)

    async def scenario():
        results = []
        for kwargs in ({"cookie": cookie}, {"cookie": cookie, "origin": "https://evil.example"}, {}):
            communicator = room_socket(application, room.pk, **kwargs)
            results.append(await connect_outcome(communicator))
            await communicator.disconnect()
        return results

    member_in, foreign, anonymous = run(scenario)
    assert member_in == "welcome"
    assert foreign == 1000  # refused at the handshake by the origin validator, before the consumer runs
    assert anonymous == 4401


def test_the_welcome_names_the_logged_in_person(application, make_user, make_space, make_room):
    from tests.doeplein.discussion.live import next_frame

    member = make_user()
    room = make_room(make_space("members", members={member: Role.MEMBER}))
    cookie = session_cookie(member)

    async def scenario():
        communicator = room_socket(application, room.pk, cookie=cookie)
        assert (await communicator.connect())[0]
        await communicator.send_json_to({"type": "hello"})
        welcome = await next_frame(communicator, "welcome")
        await communicator.disconnect()
        return welcome

    welcome = run(scenario)
    assert welcome["you"] == {
        "id": member.pk,
        "name": member.display_name,
        "moderator": False,
        "may_write": True,
    }
