"""A member's start page in a real browser, at desktop (1280×800) and phone (390×844) sizes: logging
in lands on it; it shows their spaces, the requests waiting for them and their notifications; every
page on the way passes axe-core's WCAG 2.1 A/AA rules at both sizes, and nothing a page loads comes
from another origin (no CDN). Screenshots go to var/screenshots/ (CI keeps them as artefacts)."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-unusual-passphrase"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/start/", "/notifications/", "/people/me/edit/"]


def same_origin_only(page, base):
    """Every request the page makes goes to ``base`` (or is inline data)."""
    origin = urlsplit(base)[:2]
    foreign = []
    page.on(
        "request",
        lambda request: (
            foreign.append(request.url)
            if not request.url.startswith(("data:", "blob:")) and urlsplit(request.url)[:2] != origin
            else None
        ),
    )
    return foreign


@pytest.fixture
def manager(home_site, make_user, make_space, task_broker):
    """A space's owner with a request waiting, made before the browser's event loop runs (actions
    send live events through async_to_sync, which refuses to run beside a running loop)."""
    from doeplein.spaces.actions import do_request_to_join
    from doeplein.spaces.models import JoinPolicy, Role

    manager = make_user(password=PASSWORD, first_name="Amira", last_name="Manager")
    asker = make_user(first_name="Bas", last_name="Asker")
    space = make_space("public", members={manager: Role.OWNER})
    space.name, space.join_policy = "Open koffie", JoinPolicy.REQUEST
    space.save()
    do_request_to_join(user=asker, space=space, message="Ik drink graag mee.")
    return manager


def test_a_member_lands_on_a_start_page_that_works_on_desktop_and_phone(
    manager, live_server, browser, check_accessibility
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport, locale="nl-NL")
        page = context.new_page()
        foreign = same_origin_only(page, base)
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=login]", manager.email)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert page.url == f"{base}/start/", page.inner_text("main")
        assert page.locator("h1").inner_text() == "Hallo Amira"
        assert "Bas Asker vraagt om lid te worden van Open koffie." in page.inner_text("main")
        assert page.locator("[data-unread-count]").inner_text() == "1"  # counted on page load
        # The header stays compact: one row on a desktop; on a phone the search box takes a row of its
        # own below the name and the language switch, which stay on one line.
        header = page.locator(".site-header").bounding_box()["height"]
        assert header < (100 if viewport["width"] > 640 else 150), (size, header)
        brand = page.locator(".site-brand").bounding_box()
        switch = page.locator(".language-switch").bounding_box()
        assert abs((brand["y"] + brand["height"] / 2) - (switch["y"] + switch["height"] / 2)) < 24

        for path in PAGES:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            name = path.strip("/").replace("/", "-") or "home"
            # Nothing is wider than the screen: tables and forms fit a phone.
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (
                f"{path} scrolls sideways"
            )
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{size}.png"), full_page=True)
            check_accessibility(page, f"{name}-{size}")
        page.goto(f"{base}/api/v1/docs")
        page.wait_for_selector(".swagger-ui .opblock", timeout=30000)  # not blank: served locally
        page.screenshot(path=str(SCREENSHOTS / f"api-docs-{size}.png"))
        assert foreign == [], f"pages loaded from another origin: {sorted(set(foreign))}"
        context.close()

    # The link in the feed leads to the requests page of the space.
    page = browser.new_context(locale="nl-NL").new_page()
    page.goto(f"{base}/")
    assert page.get_by_role("link", name=re.compile("Inloggen")).count() >= 1
