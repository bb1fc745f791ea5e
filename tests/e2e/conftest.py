"""Browser fixtures: headless Chromium (Debian's, never a downloaded one) and axe-core.

Playwright's sync API runs an event loop in the test's thread; Django's ORM refuses to run beside a
running loop unless DJANGO_ALLOW_ASYNC_UNSAFE is set, so the browser fixture sets it for its test only.
"""

import functools
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test import override_settings

from tests.conftest import IN_CI, require
from tests.support.celery_worker import make_broker, sending_to

E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS = E2E_DIR / "artifacts"
AXE_JS = E2E_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Journeys' screenshots, at every size: CI keeps this folder as an artefact (README, "Browser tests").
SCREENSHOTS = E2E_DIR.parents[1] / "var" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def browser(chromium_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        # The site's Content-Security-Policy refuses inline scripts and eval, and so would refuse the test
        # harness's own (axe-core injected as an inline script, wait_for_function's expressions). Journeys
        # bypass it; test_csp_journey.py loads pages with the policy enforced and counts violations.
        enforcing_context = chromium.new_context
        chromium.new_context = functools.partial(enforcing_context, bypass_csp=True)
        chromium.new_enforcing_context = enforcing_context
        try:
            yield chromium
        finally:
            chromium.close()
            # Beside Playwright's event loop the test's ORM calls get connections of their own (Django's
            # connections are context-local); close them, or the test database cannot be dropped.
            connections.close_all()


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def axe_source():
    """axe-core's source, installed from tests/e2e/package-lock.json with ``npm ci`` when missing."""
    if not AXE_JS.exists() and shutil.which("npm"):
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=E2E_DIR, check=IN_CI, capture_output=True
        )
    require(AXE_JS.exists(), f"axe-core is not installed: run `npm ci` in {E2E_DIR}")
    return AXE_JS.read_text()


@pytest.fixture
def check_accessibility(axe_source, artifacts):
    """``check_accessibility(page, name)``: axe-core finds no WCAG 2.1 A/AA violation on the page."""

    def check(page, name):
        page.add_script_tag(content=axe_source)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            WCAG_21_AA,
        )
        assert result["passes"], "axe-core ran no rule: is the page empty?"
        violations = result["violations"]
        if violations:
            page.screenshot(path=str(artifacts / f"axe-{name}.png"), full_page=True)
        described = "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']}\n"
            + "\n".join(f"    {node['target']}: {node['failureSummary']}" for node in v["nodes"][:5])
            for v in violations
        )
        assert not violations, f"WCAG 2.1 AA violations on {name} ({page.url}):\n{described}"

    return check


@pytest.fixture(params=list(SIZES))
def screen(request):
    """The journey runs once per screen size: ``screen`` is "desktop" or "phone"; open contexts with
    ``viewport=SIZES[screen]``."""
    return request.param


@pytest.fixture
def look(screen, check_accessibility):
    """``look(page, name)``: a full-page screenshot in var/screenshots/<name>-<size>.png, then axe-core
    on the page (no WCAG 2.1 A/AA violation), and nothing wider than the screen."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def look(page, name):
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{screen}.png"), full_page=True)
        check_accessibility(page, f"{name}-{screen}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES[screen]["width"], f"{name} scrolls sideways on a {screen}: {width} px"

    return look


@pytest.fixture
def task_broker(tmp_path):
    """Tasks the pages queue (welcome, mail) go to a file-system broker of this test's own."""
    broker = make_broker(tmp_path / "var", redis=False)
    with sending_to(broker):
        yield broker


@pytest.fixture
def home_site(transactional_db):
    """The site with its home page, as the migrations create it. Transactional tests empty every table
    afterwards, and ``serialized_rollback`` clashes with the content types Django recreates after a
    flush, so browser tests build the site themselves."""
    from wagtail.models import Locale, Page, Site

    from doeplein.home.models import HomePage

    site = Site.objects.filter(is_default_site=True).first()
    if site is not None:
        return site
    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    home = root.add_child(
        instance=HomePage(title="Doeplein", slug="home", intro="<p>Samenwerken aan publieke zaken.</p>")
    )
    return Site.objects.create(
        hostname="localhost", root_page=home, is_default_site=True, site_name="Doeplein"
    )


@pytest.fixture(autouse=True)
def own_cache():
    """A cache of the test's own: with Redis the cache outlives the run, and allauth's rate limits
    (one confirmation mail per address per 3 minutes) would silently swallow a rerun's mail."""
    caches = {
        alias: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"}
        for alias, config in settings.CACHES.items()
    }
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _e2e_marker_present(request):
    assert request.node.get_closest_marker("e2e"), "browser tests are marked @pytest.mark.e2e"


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, stopped before the test database is dropped: its thread holds a
    database connection, and PostgreSQL refuses to drop a database that is in use."""
    return live_server
