"""The database unreachable in a middleware (before any view runs, where ServiceUnavailableMiddleware
cannot see it): the page still answers 503 with a clear message, not a 500."""

from django.conf import settings
from django.test import Client, override_settings


@override_settings(SESSION_ENGINE="tests.doeplein.core.database_down_session_engine")
def test_the_database_down_while_a_middleware_reads_the_session_is_a_503_with_a_message(db):
    client = Client(raise_request_exception=False, headers={"Accept-Language": "en"})
    client.cookies[settings.SESSION_COOKIE_NAME] = (
        "a" * 32
    )  # a logged-in looking visitor: the middlewares load the session
    for path in ("/", "/api/v1/me"):
        response = client.get(path)
        assert response.status_code == 503, (path, response.status_code)
        assert response["Retry-After"] == "10"
        assert b"briefly unavailable" in response.content
