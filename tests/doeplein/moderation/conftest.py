"""Fixtures for the moderation tests: the discussion tests' own (isolated layer and cache, rooms, messages)."""

from tests.doeplein.discussion.conftest import _isolated, live_isolation, make_room, post  # noqa: F401
