"""Team suggestions in a real browser, with a real Celery worker: a workspace's owner describes a project
on the team page, watches the job run, sees three-skill teams with coverage, cost and reasons, and invites
one to a new group in one action; then finds an expert on /experts/. Both pages pass axe-core's WCAG 2.1
A/AA rules at desktop and phone sizes."""

import re

import pytest

from doeplein.spaces.models import Invitation, Membership, Role
from doeplein.teams.profiles import build_graph, build_profiles
from groups.models import Group
from tests.support.celery_worker import run_worker
from workspaces.actions import do_open_workspace

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-unusual-passphrase"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def log_in(page, base, email, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, page.inner_text("main")


def check_both_sizes(page, check_accessibility, name):
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        check_accessibility(page, f"{name}-{size}")
    page.set_viewport_size(SIZES["desktop"])


def test_a_manager_gets_teams_from_a_worker_invites_one_to_a_new_group_and_finds_an_expert(
    live_server, home_site, browser, make_user, task_broker, check_accessibility, artifacts
):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from doeplein.home.models import Theme

    theme = Theme.objects.create(name="Climate adaptation", slug="climate-adaptation")
    servant = make_user(role="civil_servant", password=PASSWORD, first_name="Sanne", last_name="Servant")
    experts = {}
    for first, skill in [("Hanna", "hydrologie"), ("Gijs", "gis"), ("Jules", "omgevingsrecht")]:
        person = make_user(first_name=first, last_name="Expert")
        person.profile.suggestible = True
        person.profile.save()
        person.profile.skills.set([skill])
        person.profile.save()
        experts[skill] = person
    workspace = do_open_workspace(
        user=servant, name="Dikes of tomorrow", slug="dikes", themes=[theme], visibility="logged_in"
    )
    for person in experts.values():
        Membership.objects.create(space=workspace, user=person, role=Role.MEMBER)
    build_profiles()
    build_graph()
    base = live_server.url

    with run_worker(task_broker) as worker:
        page = browser.new_context(locale="en-GB", viewport=SIZES["desktop"]).new_page()
        log_in(page, base, servant.email, PASSWORD)
        page.goto(f"{base}{workspace.get_absolute_url()}")
        page.get_by_role("link", name="Let the platform suggest a team for a project").click()
        page.wait_for_url(re.compile(rf"/spaces/{workspace.pk}/teams/$"))
        check_both_sizes(page, check_accessibility, "team-request-form")
        page.get_by_label("Skills and themes the team needs").fill("hydrologie, gis, omgevingsrecht")
        page.get_by_label("Smallest team").fill("2")
        page.get_by_label("Largest team").fill("5")
        page.get_by_role("button", name="Suggest teams").click()
        page.wait_for_url(re.compile(r"/teams/requests/\d+/$"))
        # The worker computes the teams; the page follows its progress and shows them when done.
        try:
            page.get_by_role("heading", name="Team 1").wait_for(timeout=120_000)
        except PlaywrightTimeout:
            worker.check_alive()
            raise AssertionError(f"no team appeared.\n{worker.report()}") from None
        main = page.inner_text("main")
        assert "3 people" in main and "covers 3/3" in main and "communication cost" in main, main
        for skill, person in experts.items():
            assert f"{person.display_name}: brings {skill}" in main, main
        check_both_sizes(page, check_accessibility, "team-result")
        page.screenshot(path=str(artifacts / "team-result.png"), full_page=True)

        # One action: a new group inside the workspace, with the team invited.
        team_one = page.locator("section", has=page.get_by_role("heading", name="Team 1"))
        team_one.get_by_label("Invite to").select_option("new:group")
        team_one.get_by_label(re.compile(r"^Name of the new space")).fill("Dike team")
        team_one.get_by_role("button", name="Invite team 1").click()
        page.wait_for_url(re.compile(r"/groups/\d+-dike-team/$"))
        main = page.inner_text("main")
        assert "Created the group Dike team." in main and "Invited to Dike team:" in main, main
        group = Group.objects.get(name="Dike team")
        assert group.parent_id == workspace.pk
        assert {i.user_id for i in Invitation.objects.filter(space=group)} == {p.pk for p in experts.values()}

        # The expert finder: a question in words, people with reasons.
        page.goto(f"{base}/experts/")
        check_both_sizes(page, check_accessibility, "expert-finder")
        page.get_by_label("What do you need to know?").fill("hydrologie")
        page.locator("main").get_by_role("button", name="Search").click()
        page.wait_for_url(re.compile(r"/experts/\?"))
        results = page.locator("#experts-heading + ol")
        assert results.locator("li").first.inner_text().startswith("Hanna Expert"), page.inner_text("main")
        assert "skill: hydrologie" in results.inner_text()
        check_both_sizes(page, check_accessibility, "expert-results")
        worker.check_alive()
