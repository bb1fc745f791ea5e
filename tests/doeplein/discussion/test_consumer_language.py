"""Error frames speak the language of the page that opened the socket (LocaleMiddleware does not run
for websockets): the language cookie first, then Accept-Language, else the site's default."""

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings

from doeplein.spaces.models import Role
from tests.doeplein.discussion.live import RECEIVE_TIMEOUT, next_frame, run

pytestmark = pytest.mark.django_db(transaction=True)


def bad_json_message(user, room, accept_language, cookies=None):
    """The message of the error frame for a malformed frame, on a socket opened with these headers."""
    from doeplein.routing import websocket_urlpatterns

    async def scenario():
        headers = [(b"accept-language", accept_language.encode())]
        communicator = WebsocketCommunicator(
            URLRouter(websocket_urlpatterns), f"/ws/rooms/{room.pk}/", headers
        )
        communicator.scope["user"] = user
        communicator.scope["cookies"] = cookies or {}  # as channels' CookieMiddleware puts them
        connected, _ = await communicator.connect(timeout=RECEIVE_TIMEOUT)
        assert connected
        await communicator.send_to(text_data="{not json")
        frame = await next_frame(communicator, "error")
        await communicator.disconnect()
        return frame

    frame = run(scenario)
    assert frame["code"] == "bad_json"
    return frame["message"]


@pytest.fixture
def member_in_room(make_user, make_space, make_room):
    member = make_user()
    return member, make_room(make_space("members", members={member: Role.MEMBER}))


def test_error_frames_follow_the_browsers_accept_language(member_in_room):
    member, room = member_in_room
    english = bad_json_message(member, room, "en-GB,en;q=0.9")
    dutch = bad_json_message(member, room, "nl-NL,nl;q=0.9")
    assert english == "The frame is not valid JSON."
    assert dutch == "Het frame is geen geldige JSON."


def test_the_language_cookie_wins_over_accept_language(member_in_room):
    member, room = member_in_room
    message = bad_json_message(member, room, "en-GB", cookies={settings.LANGUAGE_COOKIE_NAME: "nl"})
    assert message == "Het frame is geen geldige JSON."
