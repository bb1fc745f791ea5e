"""Groups live in a space of any kind: their tests put them in an area (``tests.plugin_example``), a
kind with web addresses that needs no other plugin, so ``DOEPLEIN_PLUGINS=groups`` runs them."""

import itertools

import pytest

_slugs = itertools.count(1)


@pytest.fixture
def make_area(db):
    """``make_area(name="Dikes", slug="dikes", members={user: Role.OWNER})``: a public area."""
    from doeplein.spaces.models import Membership
    from tests.plugin_example.models import Area

    def make(name="Area", slug=None, members=None, visibility="public", **fields):
        area = Area.objects.create(
            name=name, slug=slug or f"area-{next(_slugs)}", visibility=visibility, **fields
        )
        for user, role in (members or {}).items():
            Membership.objects.create(space=area, user=user, role=role)
        return area

    return make


@pytest.fixture
def client():
    """A browser that reads English (the platform's default language is Dutch)."""
    from django.conf import settings
    from django.test import Client

    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return c


@pytest.fixture
def servant(make_user):
    return make_user(role="civil_servant")
