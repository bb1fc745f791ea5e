"""Fixtures for the account tests: an isolated cache (allauth keeps its rate limits there) and sign-up helpers."""

import re
import uuid

import pytest
from django.core import mail

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "another-staple-horse-42"


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """Same cache backend as configured (Redis or the database), under a key prefix of this test only.

    allauth counts failed log-ins in the cache; a fresh prefix starts every test with clean counters
    without flushing a Redis that other test runs share.
    """
    settings.CACHES = {
        name: {**conf, "KEY_PREFIX": f"t-{uuid.uuid4().hex}"} for name, conf in settings.CACHES.items()
    }


def link_in(message, path_fragment):
    """The first absolute link in ``message`` whose path contains ``path_fragment``, as a path."""
    for url in re.findall(r"https?://[^\s<>\"]+", message.body):
        if path_fragment in url:
            return re.sub(r"^https?://[^/]+", "", url)
    raise AssertionError(f"no link with {path_fragment!r} in:\n{message.body}")


@pytest.fixture
def signup(client, db):
    """Register through allauth's form; returns the response. Mails land in ``mail.outbox``."""

    def do(email, first_name="Anna", last_name="de Vries", password=PASSWORD, **extra):
        data = {
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "password1": password,
            "password2": password,
            **extra,
        }
        return client.post("/accounts/signup/", data)

    return do


@pytest.fixture
def confirm(client):
    """Follow the confirmation link in the latest mail: GET shows the page, POST confirms."""

    def do(message=None):
        message = message or mail.outbox[-1]
        path = link_in(message, "/accounts/confirm-email/")
        page = client.get(path)
        assert page.status_code == 200
        return client.post(path)

    return do
