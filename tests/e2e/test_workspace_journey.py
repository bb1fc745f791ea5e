"""A workspace's journey in a real browser: a civil servant opens a workspace on a theme and an
on-request group inside it; a citizen finds the workspace through the directory's theme filter and asks
to join the group; the group's owner approves; the citizen now sees the members-only noticeboard.
Every page on the way passes axe-core's WCAG 2.1 A/AA rules, at desktop and phone sizes (screenshots in
var/screenshots/)."""

import re

import pytest

from tests.e2e.conftest import SIZES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-unusual-passphrase"
WELCOME = "Welcome to the dike watchers: we walk the dikes every Monday at nine."


def log_in(page, base, email, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, page.inner_text("main")


def test_civil_servant_opens_a_workspace_and_group_and_approves_a_citizen_who_then_sees_members_only_content(
    live_server, home_site, browser, make_user, task_broker, screen, look
):
    from doeplein.home.models import Theme
    from doeplein.spaces.models import JoinRequest, Membership
    from groups.models import Group
    from workspaces.models import Workspace

    Theme.objects.create(name="Climate adaptation", slug="climate-adaptation")
    Theme.objects.create(name="Youth care", slug="youth-care")
    servant = make_user(role="civil_servant", password=PASSWORD, first_name="Sanne", last_name="Servant")
    citizen = make_user(password=PASSWORD, first_name="Chris", last_name="Citizen")
    base = live_server.url

    # The civil servant opens a workspace on a theme ...
    servant_page = browser.new_context(locale="en-GB", viewport=SIZES[screen]).new_page()
    log_in(servant_page, base, servant.email, PASSWORD)
    look(servant_page, "workspace-servant-start")
    servant_page.goto(f"{base}/workspaces/")
    look(servant_page, "workspace-directory")
    servant_page.get_by_role("link", name="Open a workspace").click()
    servant_page.wait_for_url(re.compile(r"/workspaces/new/$"))
    look(servant_page, "workspace-create")
    servant_page.get_by_label("Title").fill("Dikes of tomorrow")
    servant_page.get_by_label("Climate adaptation").check()
    servant_page.get_by_label("Tags").fill("dikes, water safety")
    servant_page.get_by_label("Short description").fill("Keeping our feet dry while the sea rises.")
    servant_page.get_by_label("Welcome text").fill("Welcome!\n\nShare what you know about dikes.")
    servant_page.get_by_label("Who can see the workspace").select_option("public")
    servant_page.get_by_label("Who may join").select_option("open")
    servant_page.get_by_role("button", name="Open the workspace").click()
    servant_page.wait_for_url(re.compile(r"/workspaces/dikes-of-tomorrow/$"))
    workspace = Workspace.objects.get(slug="dikes-of-tomorrow")
    assert list(workspace.themes.values_list("slug", flat=True)) == ["climate-adaptation"]
    assert servant_page.locator("h1").inner_text() == "Dikes of tomorrow"
    look(servant_page, "workspace-home")

    # ... and an on-request group inside it.
    servant_page.locator("#section-groups").get_by_role("link", name="New group").click()
    servant_page.wait_for_url(re.compile(r"/groups/new/\?workspace=dikes-of-tomorrow$"))
    look(servant_page, "group-create")
    servant_page.get_by_label(re.compile(r"^Name")).fill("Dike watchers")
    servant_page.get_by_label("Description").fill("People who walk the dikes and report what they see.")
    servant_page.get_by_label("On request: admins approve").check()
    servant_page.get_by_label("Who can see the group").select_option("logged_in")
    servant_page.get_by_label("Welcome message for new members").fill(WELCOME)
    servant_page.get_by_role("button", name="Create the group").click()
    servant_page.wait_for_url(re.compile(r"/groups/\d+-dike-watchers/$"))
    group = Group.objects.get(slug="dike-watchers")
    assert (group.parent_id, group.join_policy) == (workspace.pk, "request")
    look(servant_page, "group-home-owner")

    # A citizen finds the workspace through the directory's theme filter ...
    citizen_page = browser.new_context(locale="en-GB", viewport=SIZES[screen]).new_page()
    log_in(citizen_page, base, citizen.email, PASSWORD)
    citizen_page.goto(f"{base}/workspaces/")
    citizen_page.get_by_role("link", name=re.compile(r"^Climate adaptation")).click()
    citizen_page.wait_for_url(re.compile(r"[?&]theme=climate-adaptation"))
    look(citizen_page, "workspace-directory-theme")
    citizen_page.get_by_role("link", name="Dikes of tomorrow").click()
    citizen_page.wait_for_url(re.compile(r"/workspaces/dikes-of-tomorrow/$"))
    look(citizen_page, "workspace-home-citizen")

    # ... opens the group, sees no members-only content yet, and asks to join.
    citizen_page.locator("#section-groups").get_by_role("link", name="Dike watchers").click()
    citizen_page.wait_for_url(re.compile(r"/groups/\d+-dike-watchers/$"))
    look(citizen_page, "group-home-outsider")
    assert citizen_page.get_by_role("heading", name="Group noticeboard").count() == 0
    assert WELCOME not in citizen_page.content()
    citizen_page.locator(".membership-box textarea").fill("I live next to the dike and walk there daily.")
    citizen_page.get_by_role("button", name="Ask to join").click()
    citizen_page.wait_for_load_state()
    assert JoinRequest.objects.get(space=group, user=citizen).status == "pending"
    assert "You asked to join" in citizen_page.inner_text(".membership-box")
    look(citizen_page, "group-home-asked")

    # The group's owner approves on the requests page.
    servant_page.goto(base + group.get_absolute_url())
    servant_page.locator(".membership-box").get_by_role("link", name="1 request to join").click()
    servant_page.wait_for_url(re.compile(rf"/spaces/{group.pk}/requests/$"))
    look(servant_page, "group-requests")
    servant_page.get_by_role("button", name="Approve Chris Citizen").click()
    servant_page.wait_for_load_state()
    assert Membership.objects.filter(space=group, user=citizen).exists()
    look(servant_page, "group-requests-approved")
    # The members page: the new member is listed; removing them or handing over looks destructive and asks.
    servant_page.goto(f"{base}/spaces/{group.pk}/members/")
    remove = servant_page.get_by_role("button", name="Remove Chris Citizen")
    assert "destructive" in remove.get_attribute("class") and remove.get_attribute("data-confirm")
    look(servant_page, "group-members")

    # The citizen now sees the members-only noticeboard with the welcome message.
    citizen_page.goto(base + group.get_absolute_url())
    noticeboard = citizen_page.locator("#section-groups-noticeboard")
    assert noticeboard.get_by_role("heading", name="Group noticeboard").is_visible()
    assert WELCOME in noticeboard.inner_text()
    look(citizen_page, "group-home-member")
