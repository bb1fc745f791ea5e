"""Moderation on a busy evening, in two real browsers (served by uvicorn over websockets), at desktop
(1280×800) and phone (390×844) sizes, in Dutch.

A member posts; the community manager mutes them from the message itself (no ids), for 10 minutes with a
reason; the member is told live, with the end, and a send is refused; the manager finds the mute in the
list of sanctions in force and lifts it early; the member is told and posts again; the audit log says it
in words. Every page visited passes axe-core's WCAG 2.1 A/AA rules at both sizes; screenshots go to
var/screenshots/ (CI keeps them as artefacts).
"""

import pytest

from tests.e2e.conftest import SCREENSHOTS, SIZES
from tests.e2e.test_discussion_journey import (  # noqa: F401 (fixtures)
    LIVE,
    asgi_server,
    log_in,
    open_room,
    room_setting,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_mutes_from_the_message_the_member_is_told_live_and_the_manager_lifts_it(
    asgi_server,  # noqa: F811
    browser,
    room_setting,  # noqa: F811
    check_accessibility,
):
    from doeplein.discussion.models import Message
    from doeplein.moderation.models import Sanction

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    workspace, manager, member = room_setting
    base = asgi_server.origin
    visited = []

    def look(page, name):
        page.screenshot(path=str(SCREENSHOTS / f"moderation-{name}.png"), full_page=True)
        check_accessibility(page, f"moderation-{name}")
        visited.append(name)

    for size, viewport in SIZES.items():
        member_context = browser.new_context(viewport=viewport, locale="nl-NL")
        manager_context = browser.new_context(viewport=viewport, locale="nl-NL")
        member_page, manager_page = member_context.new_page(), manager_context.new_page()
        log_in(member_page, base, member.email)
        log_in(manager_page, base, manager.email)
        open_room(manager_page, base, workspace)
        open_room(member_page, base, workspace)

        # The member posts; the manager's page shows it live.
        text = f"Wat een onzin allemaal ({size})"
        member_page.locator("#compose-body").fill(text)
        member_page.locator("#compose button[type=submit]").click()
        arrived = manager_page.locator("[data-seq]", has_text=text)
        arrived.wait_for(timeout=LIVE)
        seq = Message.objects.get(room__space=workspace, body=text).seq
        look(manager_page, f"room-manager-{size}")

        # The manager mutes the author from the message's menu: what, how long, why. No number typed.
        manager_page.locator(f"#m{seq} details.actions summary").click()
        form = manager_page.locator(f"#m{seq} [data-sanction-form]")
        form.wait_for(timeout=LIVE)
        assert member.display_name in form.inner_text()  # the person comes from the message
        form.locator("select[name=kind]").select_option("mute")
        form.locator("select[name=minutes]").select_option("10")
        form.locator("input[name=reason]").fill("schelden")
        look(manager_page, f"room-manager-menu-{size}")
        with manager_page.expect_navigation():
            form.locator("button[type=submit]").click()
        sanction = Sanction.objects.get(user=member, lifted_at__isnull=True)
        assert (sanction.kind, sanction.reason, sanction.created_by) == ("mute", "schelden", manager)
        assert f"{member.display_name} is gedempt." in manager_page.inner_text("main")
        listed = manager_page.locator(f".moderation-panel #sanction-{sanction.pk}")
        assert "schelden" in listed.inner_text() and "gedempt" in listed.inner_text()
        manager_page.wait_for_function("window.doepleinLive === true", timeout=LIVE)
        look(manager_page, f"room-manager-muted-{size}")

        # The member is told live, with the end, and cannot send.
        notice = member_page.locator("[data-live-sanction][data-active='1']")
        notice.wait_for(timeout=LIVE)
        assert notice.inner_text().startswith("Je bent gedempt"), notice.inner_text()
        assert "(tot " in notice.inner_text()
        member_page.locator("#compose-body").fill("Mag ik nog iets zeggen?")
        member_page.locator("#compose button[type=submit]").click()
        member_page.locator("#live-errors[data-code='muted']").wait_for(timeout=LIVE)
        assert not Message.objects.filter(body="Mag ik nog iets zeggen?").exists()
        look(member_page, f"room-member-muted-{size}")

        # The manager finds the mute in the list of sanctions in force and lifts it early.
        manager_page.goto(f"{base}/moderation/spaces/{workspace.pk}/sanctions/")
        row = manager_page.locator(f"#sanction-{sanction.pk}")
        assert "schelden" in row.inner_text()
        look(manager_page, f"sanctions-{size}")
        with manager_page.expect_navigation():
            row.locator("button[type=submit]").click()
        assert "Niemand is gedempt of uitgesloten." in manager_page.inner_text("main")
        sanction.refresh_from_db()
        assert sanction.lifted_at is not None
        look(manager_page, f"sanctions-lifted-{size}")

        # The member is told, and posts again (the kept text goes out now).
        member_page.locator("[data-live-sanction][data-active='0']").wait_for(timeout=LIVE)
        again = f"Sorry, ik hou het netjes ({size})."
        member_page.locator("#compose-body").fill(again)
        member_page.locator("#compose button[type=submit]").click()
        member_page.locator("[data-seq]", has_text=again).wait_for(timeout=LIVE)
        assert Message.objects.filter(room__space=workspace, author=member, body=again).exists()
        look(member_page, f"room-member-again-{size}")

        # The audit log says it in words.
        manager_page.goto(f"{base}/moderation/spaces/{workspace.pk}/audit/")
        log = manager_page.inner_text("main")
        assert f"{manager.display_name} heeft {member.display_name} 10 minuten gedempt: schelden" in log
        assert f"{manager.display_name} heeft het dempen van {member.display_name} opgeheven" in log
        look(manager_page, f"audit-{size}")
        member_context.close()
        manager_context.close()

    assert len(visited) == 16
    asgi_server.check_alive()
