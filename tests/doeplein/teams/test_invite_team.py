"""Inviting a suggested team in one action, to a space of the workspace (any plugin set): the page's
offer, the single POST, people skipped with a reason, and every refusal as a clear 4xx."""

import pytest
from django.apps import apps

from doeplein.spaces.models import Invitation, Membership, Role
from doeplein.teams.actions import do_request_team, do_run_team_request
from doeplein.teams.profiles import build_graph, build_profiles

pytestmark = pytest.mark.django_db
SKILLS = ["hydrologie", "gis", "juridisch"]


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """A browser that reads English (the platform's default language is Dutch)."""
    from django.conf import settings
    from django.test import Client

    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return c


@pytest.fixture
def team(make_user, make_space):
    """A members-only workspace whose owner asked for a team; three experts, one skill each."""
    boss = make_user(first_name="Boss")
    experts = []
    for skill in SKILLS:
        person = make_user(first_name=skill.capitalize())
        person.profile.suggestible = True
        person.profile.save()
        person.profile.skills.set([skill])
        person.profile.save()
        experts.append(person)
    ws = make_space(
        "members", name="Delta", members={boss: Role.OWNER, **dict.fromkeys(experts, Role.MEMBER)}
    )
    child = make_space("members", name="Dike project", parent=ws, members={boss: Role.OWNER})
    build_profiles()
    build_graph()
    req, _ = do_request_team(user=boss, space=ws, skills=SKILLS)
    req = do_run_team_request(request_id=req.pk)
    assert {m["user"] for m in req.result["teams"][0]["members"]} == {p.pk for p in experts}
    return {"boss": boss, "experts": experts, "ws": ws, "child": child, "req": req}


def post(client, setup, **data):
    return client.post(f"/teams/requests/{setup['req'].pk}/invite/", {"team": 1, **data})


def page_text(response):
    return response.content.decode()


def test_the_page_offers_the_spaces_the_manager_may_invite_to(client, team, make_space, make_user):
    other_member = make_user()
    not_mine = make_space("public", name="Not mine", parent=team["ws"], members={other_member: Role.OWNER})
    elsewhere = make_space("public", name="Elsewhere", members={team["boss"]: Role.OWNER})
    client.force_login(team["boss"])
    html = page_text(client.get(f"/teams/requests/{team['req'].pk}/"))
    assert f'value="space:{team["ws"].pk}"' in html and f'value="space:{team["child"].pk}"' in html
    # Owners of the workspace oversee the spaces inside it; spaces elsewhere are not offered.
    assert f'value="space:{not_mine.pk}"' in html and f'value="space:{elsewhere.pk}"' not in html
    # A new group only when the groups plugin is there (DOEPLEIN_PLUGINS without it: existing spaces only).
    assert ('value="new:group"' in html) == apps.is_installed("groups")


def test_one_post_invites_the_team_to_a_space_inside_the_workspace(client, team):
    client.force_login(team["boss"])
    response = post(client, team, destination=f"space:{team['child'].pk}")
    assert response.status_code == 302
    invitations = Invitation.objects.filter(space=team["child"])
    assert {i.user_id for i in invitations} == {p.pk for p in team["experts"]}
    assert {i.role for i in invitations} == {Role.MEMBER}
    assert {i.invited_by_id for i in invitations} == {team["boss"].pk}
    shown = page_text(client.get(response.url))
    assert (
        "Invited to Dike project: Gis, Hydrologie, Juridisch." in shown or "Invited to Dike project" in shown
    )


def test_people_who_opted_out_or_may_not_see_the_workspace_are_skipped_with_a_reason(client, team):
    hydro, gis, _legal = team["experts"]
    hydro.profile.suggestible = False
    hydro.profile.save()
    Membership.objects.filter(space=team["ws"], user=gis).delete()  # the workspace is members-only
    client.force_login(team["boss"])
    response = post(client, team, destination=f"space:{team['child'].pk}")
    assert response.status_code == 302
    assert set(Invitation.objects.filter(space=team["child"]).values_list("user_id", flat=True)) == {
        _legal.pk
    }
    shown = page_text(client.get(response.url))
    assert "Hydrologie (no longer allows suggestions)" in shown
    assert "Gis (may not see Delta)" in shown


def test_already_members_are_skipped_and_a_second_post_invites_nobody_twice(client, team):
    client.force_login(team["boss"])
    assert post(client, team, destination=f"space:{team['ws'].pk}").status_code == 302
    assert not Invitation.objects.filter(space=team["ws"]).exists()  # they are members already
    post(client, team, destination=f"space:{team['child'].pk}")
    again = post(client, team, destination=f"space:{team['child'].pk}")
    assert again.status_code == 302
    assert Invitation.objects.filter(space=team["child"]).count() == 3
    assert "(already invited)" in page_text(client.get(again.url))


def test_bad_input_is_a_4xx_with_a_message(client, team):
    client.force_login(team["boss"])
    cases = [
        ({"destination": ""}, 422, "Choose where to invite the team."),
        ({"destination": "space:abc"}, 422, "Choose where to invite the team."),
        ({"destination": "new:group", "name": "  "}, 422, "Give the new space a name."),
        ({"destination": "new:nothing", "name": "X"}, 422, "This kind of space cannot be created here."),
        ({"destination": f"space:{team['child'].pk}", "team": 9}, 422, "This team does not exist"),
        ({"destination": f"space:{team['child'].pk}", "team": "x"}, 422, ""),
    ]
    for data, status, message in cases:
        response = post(client, team, **data)
        assert response.status_code == status, (data, response.status_code)
        assert message in page_text(response)
    assert post(client, team, destination="space:999999").status_code == 404
    assert not Invitation.objects.exists()


def test_refusals_go_through_the_gate(client, team, make_space, make_user):
    member = make_user()
    Membership.objects.create(space=team["ws"], user=member, role=Role.MEMBER)
    client.force_login(member)  # not a manager of the workspace: its requests do not exist for them
    assert post(client, team, destination=f"space:{team['child'].pk}").status_code == 404

    client.force_login(team["boss"])
    elsewhere = make_space("public", name="Elsewhere", members={team["boss"]: Role.OWNER})
    response = post(client, team, destination=f"space:{elsewhere.pk}")
    assert response.status_code == 422 and "Invite the team to Delta or a space inside it." in page_text(
        response
    )
    archived = make_space("members", parent=team["ws"], archived=True, members={team["boss"]: Role.OWNER})
    response = post(client, team, destination=f"space:{archived.pk}")
    assert response.status_code == 409 and "archived" in page_text(response)
    assert not Invitation.objects.exists()


def test_a_moderator_of_the_workspace_alone_may_not_invite_to_a_space_inside_it(
    client, team, make_user, make_space
):
    from doeplein.spaces.actions import do_set_grant

    helper = make_user(first_name="Helper")
    Membership.objects.create(space=team["ws"], user=helper, role=Role.MEMBER)
    do_set_grant(actor=team["boss"], space=team["ws"], codename="moderate_space", granted=True, user=helper)
    client.force_login(helper)  # may moderate the workspace (its team requests), not the spaces inside
    html = page_text(client.get(f"/teams/requests/{team['req'].pk}/"))
    assert f'value="space:{team["ws"].pk}"' in html and f'value="space:{team["child"].pk}"' not in html
    response = post(client, team, destination=f"space:{team['child'].pk}")  # members-only: not for them
    assert response.status_code == 403 and "You may not invite people to this space." in page_text(response)
    open_one = make_space(
        "public", name="Open project", parent=team["ws"], members={team["boss"]: Role.OWNER}
    )
    response = post(client, team, destination=f"space:{open_one.pk}")
    assert response.status_code == 403 and "You may not invite people to Open project." in page_text(response)
    hidden = make_space("secret", name="Hidden", parent=team["ws"], members={team["boss"]: Role.OWNER})
    assert post(client, team, destination=f"space:{hidden.pk}").status_code == 404
    assert not Invitation.objects.exists()


def test_the_api_invites_a_team_and_names_who_was_skipped(call, team):
    hydro = team["experts"][0]
    hydro.profile.suggestible = False
    hydro.profile.save()
    url = f"/teams/requests/{team['req'].pk}/invitations"
    response = call("post", url, team["boss"], {"team": 1, "space": team["child"].pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["space"] == team["child"].pk and body["created"] is False
    assert set(body["invited"]) == {p.pk for p in team["experts"][1:]}
    assert body["skipped"] == [
        {"id": hydro.pk, "name": "Hydrologie", "reason": "no longer allows suggestions"}
    ]
    assert call("post", url, team["boss"], {"team": 1}).status_code == 422
    assert call("post", url, team["boss"], {"team": 1, "space": team["child"].pk, "x": 1}).status_code == 422
    assert call("post", url, team["experts"][1], {"team": 1, "space": team["child"].pk}).status_code == 404
