"""The edge an operator expects (issue 14): unreadable bodies are 400, body sizes are capped, the API's
writes are rate limited, security headers are set, and /healthz needs no session."""

import re
import uuid
from pathlib import Path

import pytest
from django.test import Client, RequestFactory, override_settings

from tests.doeplein.api.conftest import csrf_token
from tests.support.api import bearer

ROOT = Path(__file__).resolve().parents[3]
PARAM = re.compile(r"\{[^}]+\}")


def _write_operations():
    """(method, path) of every state-changing operation in the OpenAPI document, ids filled with 1."""
    from doeplein.api.urls import api

    document = api.get_openapi_schema()
    return [
        (method.upper(), PARAM.sub("1", path))
        for path, operations in document["paths"].items()
        for method in operations
        if method in ("post", "put", "patch", "delete")
    ]


UNREADABLE = [
    ("multipart/form-data", b"--x\r\nnot a form"),  # no boundary: MultiPartParserError in the CSRF check
    ("multipart/form-data; boundary=zz", b"--zz\r\nContent-Disposition: form-data\r\n\r\nno end"),
    ("application/json", b"{broken"),
    ("application/json", b"\xff\xfe\x00"),
]


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_every_api_write_answers_400_to_a_body_it_cannot_read(make_user, settings, debug):
    settings.DEBUG = debug  # ninja re-raised unknown errors, and with DEBUG on answered 500 with a traceback
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(make_user())
    token = csrf_token(client)
    operations = _write_operations()
    assert len(operations) >= 15
    answers = {}
    for method, path in operations:
        for content_type, body in UNREADABLE:
            response = client.generic(
                method,
                path,
                body,
                content_type=content_type,
                headers={"X-CSRFToken": token, "Accept-Language": "en"},
            )
            answers[(method, path, content_type)] = response.status_code
            assert response.status_code < 500, (method, path, content_type, response.content[:300])
            assert response["Content-Type"].startswith("application/json"), (method, path)
            assert response.json()["detail"]
    # Endpoints that take a body refuse it as unreadable (400); one without a body may not read it at all
    # and answer for the id instead (404) or for its other parameters (422, e.g. the files plugin's
    # trash and restore, whose query parameters are validated before any body is read).
    assert set(answers.values()) <= {400, 404, 422}, answers
    assert 400 in answers.values(), answers
    assert sum(status == 400 for status in answers.values()) > len(answers) / 2, answers
    print(f"unreadable bodies: {len(answers)} requests, statuses {sorted(set(answers.values()))}")  # noqa: T201


def test_a_page_answers_400_to_a_form_it_cannot_read(make_user):
    client = Client(raise_request_exception=False)
    client.force_login(make_user())
    response = client.generic("POST", "/people/me/edit/", b"--x\r\n", content_type="multipart/form-data")
    assert response.status_code == 400
    assert b"<html" in response.content


# --- body size ---------------------------------------------------------------------------------------
def test_a_body_above_the_limit_is_413_before_it_is_read(make_user, settings):
    settings.REQUEST_MAX_BODY_BYTES = 1000
    user = make_user()
    client = Client(raise_request_exception=False)
    big = b'{"body": "' + b"x" * 2000 + b'"}'
    api = client.post(
        "/api/v1/groups", big, content_type="application/json",
        headers={**bearer(user), "Accept-Language": "en"},
    )  # fmt: skip
    assert api.status_code == 413
    assert "too large" in api.json()["detail"]
    client.force_login(user)
    page = client.post("/people/me/edit/", {"first_name": "x" * 2000})
    assert page.status_code == 413


@pytest.mark.needs_plugins("groups")
def test_a_json_body_above_data_upload_max_memory_size_is_413_from_the_api(make_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    user = make_user()
    response = Client(raise_request_exception=False).post(
        "/api/v1/groups", {"name": "x" * 3000}, content_type="application/json",
        headers={**bearer(user), "Accept-Language": "en"},
    )  # fmt: skip
    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is too large."


def test_a_view_may_raise_its_own_body_limit(settings):
    from django.http import HttpResponse

    from doeplein.core.security import RequestBodyLimitMiddleware, body_limit

    settings.REQUEST_MAX_BODY_BYTES = 100

    def plain(request):
        return HttpResponse("ok")

    @body_limit(10_000)
    def upload(request):
        return HttpResponse("ok")

    middleware = RequestBodyLimitMiddleware(lambda request: HttpResponse("ok"))
    request = RequestFactory().post("/upload", b"x" * 5000, content_type="application/octet-stream")
    assert middleware.process_view(request, plain, (), {}).status_code == 413
    assert middleware.process_view(request, upload, (), {}) is None


# --- rate limits -------------------------------------------------------------------------------------
@pytest.fixture
def rate_limits(settings):
    settings.RATELIMIT_ENABLE = True
    # Counters of this test only: runs within the same window (and the same user ids in a fresh
    # database) must not share them through the one Redis.
    settings.CACHES = {
        name: {**conf, "KEY_PREFIX": f"rl-{uuid.uuid4().hex}"} for name, conf in settings.CACHES.items()
    }
    return settings


def _join(client, user, space_id):
    return client.post(
        f"/api/v1/spaces/{space_id}/join", {}, content_type="application/json",
        headers={**bearer(user), "Accept-Language": "en"},
    )  # fmt: skip


def test_api_writes_are_limited_per_caller(rate_limits, make_user):
    rate_limits.API_WRITE_RATE_PER_CALLER = "3/h"  # an hour: a minute window can close mid-test
    rate_limits.API_WRITE_RATE_PER_IP = ""
    client = Client()
    first, second = make_user(), make_user()
    headers = {**bearer(first), "Accept-Language": "en"}
    statuses = [
        client.post(
            "/api/v1/spaces/999999/join", {}, content_type="application/json", headers=headers
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [404, 404, 404, 429]
    limited = client.post("/api/v1/spaces/999999/join", {}, content_type="application/json", headers=headers)
    assert limited.json()["detail"].startswith("Too many changes")
    # Another person is counted apart; reads are never limited.
    assert _join(client, second, 999999).status_code == 404
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_api_writes_are_limited_per_ip_address(rate_limits, make_user):
    rate_limits.API_WRITE_RATE_PER_CALLER = ""
    rate_limits.API_WRITE_RATE_PER_IP = "2/h"  # an hour: a minute window can close mid-test
    client = Client()
    statuses = [_join(client, make_user(), 999999).status_code for _ in range(3)]
    assert statuses == [404, 404, 429]
    other_address = Client(REMOTE_ADDR="10.0.0.9")
    assert _join(other_address, make_user(), 999999).status_code == 404


# --- security headers --------------------------------------------------------------------------------
def test_pages_send_the_security_headers(make_user):
    client = Client()
    for path in ("/", "/accounts/login/", "/healthz", "/api/v1/openapi.json", "/nope/"):
        response = client.get(path)
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert "'unsafe-inline'" not in directives["script-src"], path
        assert "'unsafe-eval'" not in directives["script-src"], path
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert response["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def test_no_template_has_inline_script_or_event_handlers():
    """The CSP refuses inline scripts, so no template of the platform may have one (scripts are static
    files). base.html included: today it has none."""
    templates = [
        path
        for folder in ("platform", "workspaces", "groups", "blogs", "files")
        for path in (ROOT / folder).rglob("*.html")
    ]
    assert len(templates) > 20
    found = []
    for path in templates:
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL):
            found.extend(f"{path.relative_to(ROOT)}: {m.group(0)[:80]}" for m in pattern.finditer(text))
    assert not found, "\n".join(found)


# --- /healthz ----------------------------------------------------------------------------------------
def test_healthz_never_touches_the_session(db):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "garbage-that-is-no-session"
    client.cookies["csrftoken"] = "x"
    response = client.get("/healthz")
    assert response.status_code in (200, 503)
    assert response.json()["components"]
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies


@override_settings(SESSION_ENGINE="tests.doeplein.core.broken_session_engine")
def test_healthz_answers_with_the_session_store_broken(db):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "abc"
    assert client.get("/healthz").status_code in (200, 503)
    from tests.doeplein.core.broken_session_engine import SessionStore

    with pytest.raises(ConnectionError):  # the store really is broken
        SessionStore("abc").load()
