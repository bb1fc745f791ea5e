"""Fixtures for the discussion tests: an isolated channel layer and cache, rooms and messages."""

import uuid

import pytest

from tests.doeplein.discussion.live import live_isolation  # noqa: F401  (a fixture)


@pytest.fixture(autouse=True)
def _isolated(live_isolation, settings):  # noqa: F811
    # Tests post many messages quickly; the flood limit has tests of its own that lower it.
    settings.DISCUSSION_RATE_COUNT = 10_000


@pytest.fixture
def make_room(db):
    """``make_room(space)`` → the space's own room."""
    from doeplein.discussion.actions import get_or_create_room

    def make(space, title=None):
        return get_or_create_room(space=space, title=title or space.name)

    return make


@pytest.fixture
def post(db):
    """``post(user, room, body)`` → a stored message, through the real action."""
    from doeplein.discussion.actions import do_send_message

    def send(user, room, body="Hello", client_id=None, **kwargs):
        message, _created = do_send_message(
            user=user, room=room, body=body, client_id=client_id or uuid.uuid4().hex, **kwargs
        )
        return message

    return send
