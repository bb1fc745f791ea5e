"""Calling the JSON API in tests with a real bearer token."""

from doeplein.accounts.actions import do_create_api_token


def bearer(user):
    """Headers that authenticate as ``user`` with a fresh API token."""
    _token, plaintext = do_create_api_token(user=user, name="tests")
    return {"Authorization": f"Bearer {plaintext}"}
