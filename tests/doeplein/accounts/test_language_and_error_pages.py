"""The language switch and the site's error pages (DEBUG is off in tests, as in production)."""

import re
import types

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.test import Client
from django.urls import path

pytestmark = pytest.mark.django_db


def test_unknown_language_is_a_400_with_a_message(client):
    response = client.post("/language/", {"language": "xx", "next": "/"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "xx" in html and "nl, en" in html
    assert "error.html" in [t.name for t in response.templates]
    assert "django_language" not in response.cookies


def test_unknown_language_code_is_escaped_in_the_message(client):
    response = client.post("/language/", {"language": "<b>x</b>"})
    assert response.status_code == 400
    assert "<b>x</b>" not in response.content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in response.content.decode()


def test_known_language_sets_the_cookie_and_pages_follow_it(client, make_user):
    response = client.post("/language/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies["django_language"].value == "en"
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html

    client.post("/language/", {"language": "nl", "next": "/accounts/login/"})
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="nl">' in html


def test_language_switch_refuses_get(client):
    assert client.get("/language/?language=en").status_code == 405


def test_language_switch_ignores_an_offsite_next(client):
    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


# --- Error pages ---------------------------------------------------------------------------------------------------


def _raise(exception):
    def view(request):
        raise exception

    return view


@pytest.fixture
def failing_urls(settings):
    """The site's URLs plus views that fail in each way, under /boom/ and /api/boom/."""
    import doeplein.urls as site

    failures = {
        "400": SuspiciousOperation("bad"),
        "403": PermissionDenied,
        "404": Http404,
        "500": RuntimeError("bug"),
    }
    urlconf = types.ModuleType("failing_urls")
    urlconf.urlpatterns = [
        *[path(f"boom/{code}/", _raise(exc)) for code, exc in failures.items()],
        *[path(f"api/boom/{code}/", _raise(exc)) for code, exc in failures.items()],
        *site.urlpatterns,
    ]
    for name in ("handler400", "handler403", "handler404", "handler500"):
        setattr(urlconf, name, getattr(site, name))
    settings.ROOT_URLCONF = urlconf
    return urlconf


@pytest.mark.parametrize("code", ["400", "403", "404", "500"])
def test_error_pages_use_the_site_layout(failing_urls, settings, code):
    assert settings.DEBUG is False
    response = Client(raise_request_exception=False).get(f"/boom/{code}/")
    assert response.status_code == int(code)
    assert "error.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert '<html lang="' in html and re.search(r'<header class="[^"]*\bsite-header\b', html)
    assert "bug" not in html.split("<main", 1)[1]  # no internals shown


@pytest.mark.parametrize("code", ["400", "403", "404", "500"])
def test_errors_under_api_are_json(failing_urls, code):
    response = Client(raise_request_exception=False).get(f"/api/boom/{code}/")
    assert response.status_code == int(code)
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_unknown_page_is_the_404_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "error.html" in [t.name for t in response.templates]
