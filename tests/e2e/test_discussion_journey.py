"""A live discussion in two real browsers, served by a real ASGI server (uvicorn) over websockets.

A member posts; the workspace's community manager sees it arrive without reloading, hides it with a
reason, and the member's page shows the hidden note live; the manager mutes the member, whose next send
is refused with an error that says why and until when, and whose typed text is kept. The room page
passes axe-core's WCAG 2.1 A/AA rules for a member and for a moderator, at desktop and phone sizes
(screenshots in var/screenshots/).

pytest-django's live_server speaks WSGI only, so the pages and the websocket come from a uvicorn
process (tests/support/asgi_server.py) using this test's database: a file for SQLite, the test database
for PostgreSQL; with REDIS_URL set its channel layer is Redis under a prefix of this test alone.
"""

import re
import uuid

import pytest
from django.conf import settings

from tests.e2e.conftest import SIZES
from tests.support.asgi_server import run_servers, server_env
from tests.support.celery_worker import database_url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-unusual-passphrase"
LIVE = 15_000  # ms: the bound for anything that arrives over the websocket (milliseconds normally)
FIRST = "Shall we move Thursday's dike walk to nine? The tide is low then."
SECOND = "Then I will bring the water-level gauge on Thursday."
HIDE_REASON = "Please keep personal plans out of this room"


@pytest.fixture
def asgi_server(transactional_db, tmp_path):
    """One uvicorn process serving doeplein.asgi on this test's database.

    Requested after transactional_db, so it stops before the tables are flushed. Without REDIS_URL the
    in-memory channel layer of its one process carries every live event; with it, Redis under a prefix
    (and a Celery queue) of this test alone.
    """
    prefix = f"doeplein-e2e-{uuid.uuid4().hex[:12]}"
    env = server_env(
        database_url=database_url(),
        redis_url=settings.REDIS_URL,
        secret_key=settings.SECRET_KEY,
        extra={
            "DEBUG": "1",  # serves the static files (room.js, htmx, the stylesheet)
            "DOEPLEIN_TESTING": "1",
            "DOEPLEIN_VAR_DIR": str(tmp_path / "var"),
            "CHANNEL_LAYER_PREFIX": prefix,
            # Presence and rate limits live in the cache: on a shared Redis, keep them to this test.
            "CACHE_KEY_PREFIX": prefix,
            "CELERY_QUEUE": prefix,
        },
    )
    with run_servers(["web"], env=env, log_dir=tmp_path) as (server,):
        yield server


@pytest.fixture
def room_setting(make_user):
    """A members-only workspace with its owner, a community manager and a member."""
    from doeplein.home.models import Theme
    from doeplein.spaces.models import Membership, Role
    from workspaces.actions import do_open_workspace

    owner = make_user(role="civil_servant", password=PASSWORD, first_name="Olga", last_name="Owner")
    manager = make_user(password=PASSWORD, first_name="Mira", last_name="Manager")
    member = make_user(password=PASSWORD, first_name="Chris", last_name="Citizen")
    theme = Theme.objects.create(name="Climate adaptation", slug="climate-adaptation")
    workspace = do_open_workspace(
        user=owner, name="Dikes of tomorrow", slug="dikes-of-tomorrow", themes=[theme], visibility="members"
    )
    Membership.objects.create(space=workspace, user=manager, role=Role.COMMUNITY_MANAGER)
    Membership.objects.create(space=workspace, user=member, role=Role.MEMBER)
    return workspace, manager, member


def log_in(page, base, email):
    response = page.goto(f"{base}/accounts/login/", wait_until="domcontentloaded", timeout=60_000)
    # Say what came back instead of the form, should it ever not be the form.
    assert response is not None and response.ok, (response and response.status, page.content()[:2000])
    page.wait_for_selector("input[name=login]", timeout=60_000)
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/accounts/login/" not in page.url, page.inner_text("main")


def open_room(page, base, workspace):
    """The workspace's discussion, with its websocket open (the page works without it, but this is the live test)."""
    page.goto(f"{base}/discussion/spaces/{workspace.pk}/")
    page.wait_for_url(re.compile(r"/discussion/\d+/$"))
    page.wait_for_function("window.doepleinLive === true", timeout=LIVE)


def mute_from_message(page, seq, reason, minutes="60"):
    """Open the message's actions menu and mute its author with the form in it."""
    menu = page.locator(f"#m{seq} details.actions")
    menu.locator("summary").click()
    form = page.locator(f"#m{seq} [data-sanction-form]")
    form.wait_for(timeout=LIVE)
    form.get_by_label("What").select_option("mute")
    form.get_by_label("For how long").select_option(minutes)
    form.get_by_label("Reason", exact=True).fill(reason)
    with page.expect_navigation():
        form.get_by_role("button", name="Apply").click()


def test_member_posts_manager_hides_it_live_then_mutes_and_the_member_sees_why_and_keeps_the_text(
    asgi_server, browser, room_setting, screen, look
):
    from doeplein.discussion.models import Message
    from doeplein.moderation.models import AuditEntry, Sanction

    workspace, manager, member = room_setting
    base = asgi_server.origin
    member_page = browser.new_context(locale="en-GB", viewport=SIZES[screen]).new_page()
    manager_page = browser.new_context(locale="en-GB", viewport=SIZES[screen]).new_page()
    log_in(member_page, base, member.email)
    log_in(manager_page, base, manager.email)
    look(manager_page, "discussion-manager-start")
    open_room(manager_page, base, workspace)
    open_room(member_page, base, workspace)
    assert manager_page.locator(".moderation-panel").is_visible()
    assert member_page.locator(".moderation-panel").count() == 0
    # Both are in the room, and nobody else (presence lives in the cache: this test's own).
    present = sorted([manager.display_name, member.display_name])
    for page in (manager_page, member_page):
        page.wait_for_function(
            """names => {
                const text = document.querySelector('[data-presence]').textContent;
                return text.startsWith('Here now: ') && text.slice(10).split(', ').sort().join('|') === names.join('|');
            }""",
            arg=present,
            timeout=LIVE,
        )

    # A mark on each page's window: it survives everything but a reload (a new page load).
    for page in (manager_page, member_page):
        page.evaluate("window.sameDocument = true")

    # The member sends a message over the websocket; the manager's page shows it without a reload.
    member_page.get_by_label("Your message").fill(FIRST)
    member_page.get_by_role("button", name="Send").click()
    message = manager_page.locator("[data-seq]", has_text=FIRST)
    message.wait_for(timeout=LIVE)
    assert manager_page.evaluate("window.sameDocument === true")
    stored = Message.objects.get(room__space=workspace, body=FIRST)
    assert (stored.author, stored.state) == (member, "visible")
    assert message.get_attribute("id") == f"m{stored.seq}"
    assert f"(#{member.pk})" not in message.inner_text()  # no ids: a sanction starts from the message
    member_page.locator(f"#m{stored.seq}", has_text=FIRST).wait_for(timeout=LIVE)  # the author's own page too
    assert member_page.get_by_label("Your message").input_value() == ""
    look(manager_page, "discussion-room-moderator-live")

    # The manager hides it with a reason, using the live control on the message that just arrived.
    manager_page.locator(f"#live-hide-{stored.seq}").fill(HIDE_REASON)
    manager_page.locator(f"[data-live-hide='{stored.seq}']").click()

    # The member's page updates live: the hidden note with the reason, the text gone.
    hidden = member_page.locator(f"#m{stored.seq} .hidden-note")
    hidden.wait_for(timeout=LIVE)
    assert HIDE_REASON in hidden.inner_text()
    assert FIRST not in member_page.locator("#messages").inner_text()
    assert FIRST not in member_page.content()
    assert member_page.evaluate("window.sameDocument === true")
    # The manager keeps the text for the record, beside the note.
    manager_page.locator(f"#m{stored.seq} .hidden-note").wait_for(timeout=LIVE)
    assert FIRST in manager_page.locator(f"#m{stored.seq} .moderator-copy").inner_text()
    stored.refresh_from_db()
    assert (stored.state, stored.hidden_reason) == ("hidden", HIDE_REASON)
    assert AuditEntry.objects.filter(
        action="message.hidden", actor=manager, message=stored, reason=HIDE_REASON
    ).exists()
    look(member_page, "discussion-room-member")

    # The manager mutes the member for an hour from the message's own menu (a plain POST; the page reloads).
    mute_from_message(manager_page, stored.seq, "Repeatedly off-topic")
    sanction = Sanction.objects.get(room=stored.room, user=member, kind="mute")
    assert (sanction.created_by, sanction.reason) == (manager, "Repeatedly off-topic")
    assert f"{member.display_name} is muted." in manager_page.inner_text("main")
    # The member's page is told at once, with the end.
    member_page.locator("[data-live-sanction][data-active='1']").wait_for(timeout=LIVE)
    manager_page.wait_for_function("window.doepleinLive === true", timeout=LIVE)
    manager_page.locator("[data-review-queue]", has_text="Nothing to review.").wait_for(timeout=LIVE)
    look(manager_page, "discussion-room-moderator")

    # The member, still on the same page, tries again: the error says muted and until when; the text stays.
    member_page.get_by_label("Your message").fill(SECOND)
    member_page.get_by_role("button", name="Send").click()
    errors = member_page.locator("#live-errors[data-code='muted']")
    errors.wait_for(timeout=LIVE)
    until = member_page.evaluate("iso => new Date(iso).toLocaleTimeString()", sanction.until.isoformat())
    assert errors.inner_text() == f"You are muted in this discussion. (until {until})"
    member_page.wait_for_function(
        "text => document.getElementById('compose-body').value === text", arg=SECOND, timeout=LIVE
    )
    assert member_page.evaluate("window.sameDocument === true")  # refused live, not by a form post
    assert not Message.objects.filter(body=SECOND).exists()
    look(member_page, "discussion-room-member-muted")
    asgi_server.check_alive()
