"""Fixtures for the blogs tests: spaces with people in every role, posts through the real actions, and a
record of the live events actions publish after commit."""

import pytest

from doeplein.spaces.models import Role


@pytest.fixture
def events(monkeypatch, django_capture_on_commit_callbacks):
    """``with events() as sent: action()`` runs the action's on-commit callbacks and records every
    ``doeplein.live.publish(group, event)`` call as ``(group, event)`` in ``sent``."""
    import contextlib

    from doeplein import live

    @contextlib.contextmanager
    def capture():
        sent = []
        monkeypatch.setattr(live, "publish", lambda group, event: sent.append((group, event)))
        with django_capture_on_commit_callbacks(execute=True):
            yield sent
        monkeypatch.undo()

    return capture


class Cast:
    """A space of one visibility with one person in each role, plus an outsider and an anonymous visitor."""

    def __init__(self, make_user, make_space, visibility="public", kind="workspace"):
        from django.contrib.auth.models import AnonymousUser

        self.owner = make_user(first_name="Olga")
        self.manager = make_user(first_name="Manon")
        self.member = make_user(first_name="Mees")
        self.author = make_user(first_name="Anna")
        self.guest = make_user(first_name="Gijs")
        self.outsider = make_user(first_name="Otto")
        self.anonymous = AnonymousUser()
        self.space = make_space(
            visibility,
            kind=kind,
            members={
                self.owner: Role.OWNER,
                self.manager: Role.COMMUNITY_MANAGER,
                self.member: Role.MEMBER,
                self.author: Role.MEMBER,
                self.guest: Role.GUEST,
            },
        )

    def role(self, name):
        return getattr(self, name)


@pytest.fixture
def cast(db, make_user, make_space):
    def make(visibility="public", kind="workspace"):
        return Cast(make_user, make_space, visibility, kind)

    return make


@pytest.fixture
def write(db):
    """``write(author, space, publish=True, **fields)`` → a post through the real actions."""
    from blogs.actions import do_create_post, do_publish_post

    def make(author, space, publish=True, title="Wat we leerden", body="<p>Tekst</p>", **fields):
        post = do_create_post(user=author, space=space, title=title, body=body, **fields)
        if publish:
            post = do_publish_post(user=author, post=post)
        return post

    return make
