"""The groups plugin as a team destination (doeplein.plugins.HOOK_TEAM_DESTINATIONS): a manager invites a
suggested team to a new group, or an existing one, in one POST; refusals are clear 4xx answers."""

import pytest

from doeplein.spaces.models import Invitation, Membership, Role
from doeplein.teams.actions import do_request_team, do_run_team_request
from doeplein.teams.profiles import build_graph, build_profiles
from groups.actions import do_create_group
from groups.models import Group

pytestmark = pytest.mark.django_db
SKILLS = ["hydrologie", "gis"]


@pytest.fixture
def team(make_user, make_area):
    boss = make_user(first_name="Boss")
    experts = []
    for skill in SKILLS:
        person = make_user(first_name=skill.capitalize())
        person.profile.suggestible = True
        person.profile.save()
        person.profile.skills.set([skill])
        person.profile.save()
        experts.append(person)
    area = make_area(name="Delta", members={boss: Role.OWNER, **dict.fromkeys(experts, Role.MEMBER)})
    build_profiles()
    build_graph()
    req, _ = do_request_team(user=boss, space=area, skills=SKILLS)
    req = do_run_team_request(request_id=req.pk)
    return {"boss": boss, "experts": experts, "area": area, "req": req}


def post(client, setup, **data):
    return client.post(f"/teams/requests/{setup['req'].pk}/invite/", {"team": 1, **data})


def test_the_page_offers_a_new_group(client, team):
    client.force_login(team["boss"])
    html = client.get(f"/teams/requests/{team['req'].pk}/").content.decode()
    assert 'value="new:group"' in html and "a new group" in html


def test_one_post_creates_a_group_by_invitation_and_invites_the_team(client, team):
    client.force_login(team["boss"])
    response = post(client, team, destination="new:group", name="  Dike  team ")
    group = Group.objects.get()
    assert response.status_code == 302 and response.url == group.get_absolute_url()
    assert (group.name, group.parent_id, group.policy, group.visibility) == (
        "Dike team",
        team["area"].pk,
        "invitation",
        "members",
    )
    assert Membership.objects.get(space=group, user=team["boss"]).role == Role.OWNER
    invitations = Invitation.objects.filter(space=group)
    assert {i.user_id for i in invitations} == {p.pk for p in team["experts"]}
    assert {i.role for i in invitations} == {Role.MEMBER}
    shown = client.get(response.url).content.decode()
    assert "Created the group Dike team." in shown, shown[shown.find("site-messages") - 100 :][:1500]
    assert "Invited to Dike team: Hydrologie, Gis." in shown


def test_an_existing_group_of_the_workspace_is_offered_and_invited_to(client, team):
    group = do_create_group(
        user=team["boss"], name="Dike watchers", slug="dike-watchers", parent=team["area"]
    )
    client.force_login(team["boss"])
    assert f'value="space:{group.pk}"' in client.get(f"/teams/requests/{team['req'].pk}/").content.decode()
    response = post(client, team, destination=f"space:{group.pk}")
    assert response.status_code == 302 and response.url == group.get_absolute_url()
    assert Invitation.objects.filter(space=group).count() == 2
    assert Group.objects.count() == 1


def test_refused_cases(client, team, make_area, make_user):
    client.force_login(team["boss"])
    do_create_group(user=team["boss"], name="Dike team", slug="dike-team", parent=team["area"])
    response = post(client, team, destination="new:group", name="Dike team")
    assert response.status_code == 409
    assert "A group called Dike team already exists here" in response.content.decode()
    elsewhere = do_create_group(
        user=team["boss"], name="Other", slug="other", parent=make_area(members={team["boss"]: Role.OWNER})
    )
    assert post(client, team, destination=f"space:{elsewhere.pk}").status_code == 422
    assert post(client, team, destination="new:group", name="").status_code == 422
    assert post(client, team, destination="new:group", name="x" * 201).status_code == 422
    # Somebody else's request page does not exist for a stranger.
    client.force_login(make_user())
    assert post(client, team, destination="new:group", name="Mine").status_code == 404
    assert Group.objects.count() == 2 and not Invitation.objects.exists()


def test_no_new_group_in_an_archived_workspace(client, team):
    from doeplein.spaces.models import Space

    Space.objects.filter(pk=team["area"].pk).update(is_archived=True)
    client.force_login(team["boss"])
    response = post(client, team, destination="new:group", name="Late team")
    assert response.status_code in (403, 404, 409)
    assert not Group.objects.exists()


def test_the_api_creates_a_group_for_the_team(call, team):
    url = f"/teams/requests/{team['req'].pk}/invitations"
    response = call("post", url, team["boss"], {"team": 1, "new_kind": "group", "name": "API team"})
    assert response.status_code == 200, response.content
    group = Group.objects.get()
    assert response.json() == {
        "space": group.pk,
        "created": True,
        "invited": sorted(p.pk for p in team["experts"]),
        "skipped": [],
    } or set(response.json()["invited"]) == {p.pk for p in team["experts"]}
    again = call("post", url, team["boss"], {"team": 1, "new_kind": "group", "name": "API team"})
    assert again.status_code == 409
