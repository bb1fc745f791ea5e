"""Fixtures for the search tests: a small platform of every visibility, indexed."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

_n = itertools.count(1)


@pytest.fixture
def index():
    """``index()`` rebuilds the search documents from every source (what the command does)."""
    from doeplein.search.indexing import rebuild

    return rebuild


@pytest.fixture
def make_message(db):
    """``make_message(space, body, author)``: a visible message in the space's own room."""
    from doeplein.discussion.actions import get_or_create_room
    from doeplein.discussion.models import Message

    def make(space, body, author=None, age_days=0, **extra):
        room = get_or_create_room(space=space, title=f"Room of {space.name}")
        n = next(_n)
        message = Message.objects.create(
            room=room, seq=n, author=author, client_id=f"c{n}", body=body, **extra
        )
        if age_days:
            Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(days=age_days))
        return message

    return make


@pytest.fixture
def world(db, make_user, make_space, make_message, index):
    """Spaces of every visibility, each with a message about dike reinforcement, a secret group, and
    people in the roles the gate knows. Indexed."""
    from django.apps import apps

    from doeplein.accounts.models import User
    from doeplein.spaces.models import Role

    if not apps.is_installed("groups"):
        pytest.skip("the search world has a secret group in it: needs the groups plugin (DOEPLEIN_PLUGINS)")
    from groups.models import Group, GroupPolicy

    member = make_user(first_name="Mila", last_name="Lid")
    outsider = make_user(first_name="Otto", last_name="Buiten")
    manager = make_user(first_name="Chris", last_name="Beheer")
    admin = User.objects.create_superuser(email="admin@example.org", password="x", first_name="Ada")
    spaces = {}
    for visibility in ("public", "logged_in", "members", "secret"):
        spaces[visibility] = make_space(
            visibility, members={member: Role.MEMBER}, name=f"Ruimte {visibility}"
        )
    parent = make_space("members", members={manager: Role.COMMUNITY_MANAGER}, name="Ouderruimte")
    spaces["child_of_members"] = make_space("public", parent=parent, name="Kindruimte")
    messages = {
        key: make_message(
            space, f"Dijkversterking in {key}: overleg over de dijken en waterkering.", author=member
        )
        for key, space in spaces.items()
    }
    messages["secret_word"] = make_message(
        spaces["secret"], "Geheimwoord zeppelinhaven komt hier.", author=member
    )
    group = Group.objects.create(
        name="Geheime dijkgroep", slug="geheime-dijkgroep", policy=GroupPolicy.SECRET
    )
    from doeplein.spaces.models import Membership

    Membership.objects.create(space=group, user=member, role=Role.OWNER)
    index()
    return {
        "member": member, "outsider": outsider, "manager": manager, "admin": admin, "spaces": spaces,
        "parent": parent, "messages": messages, "group": group,
    }  # fmt: skip


@pytest.fixture
def find():
    """``find(user, q, **filters)`` → the SearchPage."""
    from django.contrib.auth.models import AnonymousUser

    from doeplein.search.selectors import SearchParams, search

    def run(user, q, **filters):
        return search(user=user or AnonymousUser(), params=SearchParams(q=q, **filters))

    return run
