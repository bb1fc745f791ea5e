"""Activity profiles, the expert finder, team requests and invitations, on the real database."""

import pytest

from doeplein.discussion.models import Message, Room
from doeplein.spaces.models import Invitation, Membership, Role
from doeplein.teams.actions import do_request_team, do_run_team_request
from doeplein.teams.models import ExpertProfile, Interaction, TeamRequest
from doeplein.teams.profiles import build_graph, build_profiles
from doeplein.teams.selectors import find_experts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages in English here (the interface defaults to Dutch)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def expert(make_user):
    def make(skills=(), suggestible=True, organisation="", **extra):
        user = make_user(**extra)
        profile = user.profile
        profile.suggestible = suggestible
        profile.organisation = organisation
        profile.save()
        if skills:
            profile.skills.set(list(skills))
            profile.save()
        return user

    return make


def say(space, author, body, reply_to=None):
    room, _ = Room.objects.get_or_create(
        space=space, target_type=None, target_id="", defaults={"title": "Chat"}
    )
    room.last_seq += 1
    room.save(update_fields=["last_seq"])
    return Message.objects.create(
        room=room,
        seq=room.last_seq,
        author=author,
        client_id=f"c{room.last_seq}",
        body=body,
        reply_to=reply_to,
    )


@pytest.fixture
def platform(expert, make_space, make_user):
    """Anna writes about dikes in public Waterbeheer; Bas declares hydrology; Cees wrote about dikes
    only in a secret space; Dirk writes about dikes but did not allow suggestions."""
    anna = expert(first_name="Anna", organisation="Rijkswaterstaat")
    bas = expert(skills=["hydrologie"], first_name="Bas")
    cees = expert(first_name="Cees")
    dirk = expert(suggestible=False, first_name="Dirk")
    water = make_space(
        "public", name="Waterbeheer", members={anna: Role.MEMBER, bas: Role.MEMBER, dirk: Role.MEMBER}
    )
    secret = make_space("secret", name="Geheime dijken", members={cees: Role.MEMBER})
    first = say(water, anna, "De dijkversterking langs de rivier vraagt om nieuwe dijken")
    say(water, anna, "Dijken en overstromingen: het waterbeheer van de toekomst")
    say(water, bas, "Ik help graag met de hydrologie van de dijken", reply_to=first)
    say(secret, cees, "Dijken dijken dijken geheime dijkversterking")
    say(water, dirk, "Dijken zijn mijn vak")
    build_profiles()
    build_graph()
    asker = make_user(first_name="Eva")
    return {
        "anna": anna,
        "bas": bas,
        "cees": cees,
        "dirk": dirk,
        "water": water,
        "secret": secret,
        "asker": asker,
    }


def names(results):
    return [r["user"].first_name for r in results]


def test_the_expert_finder_ranks_visible_activity_and_explains_without_quoting(platform):
    results = find_experts(asker=platform["asker"], query="dijken")
    assert names(results)[0] == "Anna"
    reasons = " ".join(results[0]["reasons"])
    assert "Waterbeheer" in reasons and "2 matching contributions" in reasons
    assert "rivier" not in reasons  # counts and names, never the content


def test_activity_in_a_secret_space_never_feeds_a_profile(platform):
    assert "Cees" not in names(find_experts(asker=platform["asker"], query="dijken"))
    cees = ExpertProfile.objects.get(user=platform["cees"])
    assert "geheime" not in cees.document.casefold() and "Geheime dijken" not in str(cees.stats)


def test_declared_skills_are_a_reason(platform):
    results = find_experts(asker=platform["asker"], query="", skills=["hydrologie"])
    assert names(results)[0] == "Bas"
    assert "skill: hydrologie" in results[0]["reasons"]


def test_people_who_did_not_allow_it_are_never_named(platform):
    assert "Dirk" not in names(find_experts(asker=platform["asker"], query="dijken vak"))
    assert not ExpertProfile.objects.filter(user=platform["dirk"]).exists()


def test_switching_the_option_off_removes_a_person_at_once(platform):
    profile = platform["anna"].profile
    profile.suggestible = False
    profile.save()
    assert "Anna" not in names(find_experts(asker=platform["asker"], query="dijken"))
    assert not ExpertProfile.objects.filter(user=platform["anna"]).exists()


def test_account_deletion_removes_the_profile_and_edges(platform):
    from doeplein.accounts.actions import do_delete_account

    assert (
        Interaction.objects.filter(a=platform["anna"]).exists()
        or Interaction.objects.filter(b=platform["anna"]).exists()
    )
    do_delete_account(user=platform["anna"])
    assert not ExpertProfile.objects.filter(user=platform["anna"]).exists()
    assert not Interaction.objects.filter(a=platform["anna"]).exists()
    assert not Interaction.objects.filter(b=platform["anna"]).exists()


def test_filters_by_organisation_and_space(platform, make_space):
    asker = platform["asker"]
    assert names(find_experts(asker=asker, query="dijken", organisation="rijkswaterstaat")) == ["Anna"]
    assert names(find_experts(asker=asker, query="dijken", organisation="Elders")) == []
    other = make_space("public", members={platform["bas"]: Role.MEMBER})
    assert names(find_experts(asker=asker, query="dijken hydrologie", space=other)) == ["Bas"]


def test_a_reply_in_a_public_space_is_an_edge(platform):
    a, b = sorted([platform["anna"].pk, platform["bas"].pk])
    edge = Interaction.objects.get(a_id=a, b_id=b)
    assert edge.kinds.get("reply") == 1
    assert edge.strength > 0


# --- Team requests ----------------------------------------------------------------------------------------
@pytest.fixture
def manager(platform, make_user):
    boss = make_user(first_name="Manager")
    Membership.objects.create(space=platform["water"], user=boss, role=Role.OWNER)
    return boss


def test_the_same_team_request_twice_is_one_job_and_one_result(
    platform, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first, created = do_request_team(
            user=manager, space=platform["water"], skills=["hydrologie", "Dijken"]
        )
        again, created_again = do_request_team(
            user=manager, space=platform["water"], skills=["dijken", "hydrologie"]
        )
    assert first.pk == again.pk and created and not created_again
    assert len(callbacks) == 1  # one task queued
    do_run_team_request(request_id=first.pk)
    do_run_team_request(request_id=first.pk)  # a second delivery finds it done
    req = TeamRequest.objects.get(pk=first.pk)
    assert req.status == "done" and req.runs == 1 and TeamRequest.objects.count() == 1
    people = {m["user"] for m in req.result["teams"][0]["members"]}
    assert platform["bas"].pk in people


def test_a_skill_nobody_has_is_reported(platform, manager):
    req, _ = do_request_team(user=manager, space=platform["water"], skills=["hydrologie", "kernfysica"])
    req = do_run_team_request(request_id=req.pk)
    assert req.result["uncovered"] == ["kernfysica"]
    assert req.result["teams"][0]["covered"] == ["hydrologie"]


def test_contradictory_constraints_get_clear_messages(platform, manager):
    from doeplein.core.exceptions import ActionError

    with pytest.raises(ActionError, match="did not allow"):
        do_request_team(
            user=manager, space=platform["water"], skills=["dijken"], must_include=[platform["dirk"].pk]
        )
    with pytest.raises(ActionError, match="both required and left out"):
        do_request_team(
            user=manager,
            space=platform["water"],
            skills=["dijken"],
            must_include=[platform["anna"].pk],
            exclude=[platform["anna"].pk],
        )
    with pytest.raises(ActionError, match="smallest team size"):
        do_request_team(user=manager, space=platform["water"], skills=["dijken"], min_size=5, max_size=2)


def test_a_must_include_person_who_may_not_see_the_space_is_refused(platform, manager, make_space):
    from doeplein.core.exceptions import ActionError

    private = make_space("members", members={manager: Role.OWNER, platform["anna"]: Role.MEMBER})
    with pytest.raises(ActionError, match="may not see"):
        do_request_team(user=manager, space=private, skills=["dijken"], must_include=[platform["bas"].pk])


def test_an_empty_platform_gives_an_answer(manager, platform):
    ExpertProfile.objects.all().delete()
    req, _ = do_request_team(user=manager, space=platform["water"], skills=["dijken"])
    req = do_run_team_request(request_id=req.pk)
    assert req.status == "done" and req.result["teams"] == []
    assert "empty_graph" in req.result["warnings"]


# --- Pages and API -----------------------------------------------------------------------------------------
def test_expert_page_lists_and_invites(client, platform, manager):
    client.force_login(manager)
    page = client.get("/experts/", {"q": "dijken"}, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Anna" in page.content.decode()
    response = client.post(
        "/experts/invite/", {"space": platform["water"].pk, "people": str(platform["cees"].pk)}
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(space=platform["water"], user=platform["cees"]).exists()


def test_bad_input_on_pages_is_a_form_error_not_a_500(client, platform, manager):
    client.force_login(manager)
    assert client.get("/experts/", {"q": "", "skills": ""}).status_code == 200
    assert client.get("/experts/", {"q": "x", "space": "abc"}).status_code == 200
    assert client.get("/experts/", {"q": "x", "space": "999999"}).status_code == 404
    page = client.post(f"/spaces/{platform['water'].pk}/teams/", {"skills": "", "min_size": "0"})
    assert page.status_code == 422
    assert client.post("/experts/invite/", {"space": "x"}).status_code == 302


def test_team_page_is_for_managers_only(client, platform, manager):
    client.force_login(platform["asker"])
    assert client.get(f"/spaces/{platform['water'].pk}/teams/").status_code == 403
    assert client.get(f"/spaces/{platform['secret'].pk}/teams/").status_code == 404
    client.force_login(manager)
    assert client.get(f"/spaces/{platform['water'].pk}/teams/").status_code == 200
    response = client.post(
        f"/spaces/{platform['water'].pk}/teams/", {"skills": "dijken, hydrologie", "min_size": 1}
    )
    assert response.status_code == 302
    req = TeamRequest.objects.get()
    do_run_team_request(request_id=req.pk)
    page = client.get(f"/teams/requests/{req.pk}/", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Team 1" in page.content.decode()
    status = client.get(f"/teams/requests/{req.pk}/", {"format": "json"}).json()
    assert status == {"status": "done", "progress": 100}


def test_api_experts_and_team_requests(call, platform, manager):
    found = call("get", "/teams/experts", platform["asker"], q="dijken")
    assert found.status_code == 200 and found.json()[0]["name"] == "Anna"
    assert found.json()[0]["organisation"] == "Rijkswaterstaat"
    assert call("get", "/teams/experts", None, q="dijken").status_code == 401
    space = platform["water"].pk
    created = call("post", f"/teams/spaces/{space}/requests", manager, {"skills": ["dijken"]})
    assert created.status_code == 202
    again = call("post", f"/teams/spaces/{space}/requests", manager, {"skills": ["Dijken"]})
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    assert call("post", f"/teams/spaces/{space}/requests", manager, {"skills": []}).status_code == 422
    assert (
        call("post", f"/teams/spaces/{space}/requests", manager, {"skills": ["x"], "min_size": 0}).status_code
        == 422
    )
    assert (
        call("post", f"/teams/spaces/{space}/requests", platform["asker"], {"skills": ["x"]}).status_code
        == 403
    )
    assert call("get", f"/teams/requests/{created.json()['id']}", platform["asker"]).status_code == 404
    invited = call("post", "/teams/invitations", manager, {"space": space, "people": [platform["cees"].pk]})
    assert invited.status_code == 200 and invited.json()["invited"] == [platform["cees"].pk]


def test_openapi_lists_the_teams_endpoints(call, platform):
    paths = call("get", "/openapi.json", platform["asker"]).json()["paths"]
    assert "/api/v1/teams/experts" in paths and "/api/v1/teams/spaces/{space_id}/requests" in paths


def test_rebuild_command_shows_progress(platform, capsys):
    from django.core.management import call_command

    call_command("rebuild_profiles")
    out = capsys.readouterr()
    assert "profiles" in out.out


def test_plugin_sources_feed_profiles_and_the_graph_only_with_what_everyone_may_see(platform, expert):
    from wagtail import hooks

    from doeplein.plugins import HOOK_PROFILE_SOURCES, ActivityRecord, InteractionEdge, ProfileSource

    fenna = expert(first_name="Fenna")
    anna, secret, water = platform["anna"], platform["secret"], platform["water"]

    def records(person_ids):
        yield ActivityRecord(fenna.pk, "post", "Zoutwaterintrusie in polders", ("water",), water.pk)
        yield ActivityRecord(fenna.pk, "post", "Kernfusie geheim", (), secret.pk)
        yield ActivityRecord(
            fenna.pk, "file", "Vertrouwelijk bestand over bodemdaling", (), None, public=False
        )

    def edges(person_ids):
        yield InteractionEdge(fenna.pk, anna.pk, "co_edit", 3.0, water.pk)
        yield InteractionEdge(fenna.pk, platform["bas"].pk, "co_edit", 3.0, secret.pk)

    source = ProfileSource(key="example", records=records, edges=edges)
    with hooks.register_temporarily(HOOK_PROFILE_SOURCES, lambda: [source]):
        build_profiles()
        build_graph()
    profile = ExpertProfile.objects.get(user=fenna)
    assert "zoutwaterintrusie" in profile.document.casefold()
    assert "kernfusie" not in profile.document.casefold() and "bodemdaling" not in profile.document.casefold()
    assert names(find_experts(asker=platform["asker"], query="zoutwaterintrusie")) == ["Fenna"]
    assert names(find_experts(asker=platform["asker"], query="kernfusie bodemdaling")) == []
    pairs = {(e.a_id, e.b_id): e for e in Interaction.objects.all()}
    assert pairs[tuple(sorted([fenna.pk, anna.pk]))].kinds == {"co_edit": 1}
    assert tuple(sorted([fenna.pk, platform["bas"].pk])) not in pairs


def test_activity_schedules_one_refresh_however_much_happens(platform, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from doeplein.activity.actions import record

    cache.delete(f"teams:refresh:{platform['anna'].pk}")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for _ in range(3):
            record(actor=platform["anna"], verb="test.did", space=platform["water"])
    assert len([c for c in callbacks if "schedule_refresh" in c.__qualname__]) == 1
    cache.delete(f"teams:refresh:{platform['anna'].pk}")
