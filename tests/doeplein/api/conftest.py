"""Fixtures for the API tests: an isolated cache and clients with session or bearer-token credentials."""

import uuid

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """The configured cache backend under a key prefix of this test only (see tests/doeplein/accounts)."""
    settings.CACHES = {
        name: {**conf, "KEY_PREFIX": f"t-{uuid.uuid4().hex}"} for name, conf in settings.CACHES.items()
    }


@pytest.fixture
def token_for(db):
    """``token_for(user)`` → the plaintext bearer token of a fresh API token."""
    from doeplein.accounts.actions import do_create_api_token

    def make(user, name="tests"):
        _token, secret = do_create_api_token(user=user, name=name)
        return secret

    return make


@pytest.fixture
def session_client(make_user):
    """``session_client(user)`` → a Client logged in with a session that enforces CSRF like a browser."""

    def make(user=None):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user or make_user())
        return client

    return make


def csrf_token(client):
    """Fetch a page so that the CSRF cookie is set; returns the token to send back in X-CSRFToken."""
    client.get("/people/me/edit/")  # a page with a form sets the cookie
    return client.cookies["csrftoken"].value
