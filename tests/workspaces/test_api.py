"""The workspaces API (/api/v1/workspaces, /api/v1/themes): the directory, opening, changing, through the gate."""

import pytest

from doeplein.home.models import Theme
from doeplein.spaces.models import Membership, Role
from workspaces.actions import do_open_workspace
from workspaces.models import Workspace


@pytest.fixture
def climate(db):
    return Theme.objects.create(name="Climate adaptation", slug="climate")


@pytest.fixture
def youth(db):
    return Theme.objects.create(name="Youth care", slug="youth")


@pytest.fixture
def civil_servant(make_user):
    return make_user(role="civil_servant", first_name="Cees")


@pytest.fixture
def open_workspace(civil_servant, climate):
    def make(slug, visibility="public", themes=None, **fields):
        return do_open_workspace(
            user=civil_servant,
            name=fields.pop("name", slug.title()),
            slug=slug,
            themes=themes or [climate],
            visibility=visibility,
            **fields,
        )

    return make


def valid(**overrides):
    return {
        "name": "Dikes and rivers",
        "slug": "dikes",
        "themes": ["climate"],
        "tags": ["water", "dikes"],
        "description": "Keeping our feet dry.",
        "welcome": "<p>Welcome <b>all</b></p>",
        "visibility": "public",
        "join_policy": "open",
        **overrides,
    }


# --- Opening ----------------------------------------------------------------------------------------------
def test_a_civil_servant_opens_a_workspace_and_owns_it(call, civil_servant, climate):
    response = call("post", "/workspaces", civil_servant, valid())
    assert response.status_code == 201
    body = response.json()
    assert (body["slug"], body["name"], body["my_role"], body["may_manage"]) == (
        "dikes",
        "Dikes and rivers",
        "owner",
        True,
    )
    assert body["themes"] == [{"slug": "climate", "name": "Climate adaptation"}]
    assert body["tags"] == ["dikes", "water"]
    assert body["url"] == "/workspaces/dikes/"
    workspace = Workspace.objects.get(slug="dikes")
    assert (workspace.visibility, workspace.join_policy, workspace.created_by) == (
        "public",
        "open",
        civil_servant,
    )
    assert Membership.objects.get(space=workspace, user=civil_servant).role == Role.OWNER


def test_the_welcome_text_loses_what_the_editor_does_not_allow(call, civil_servant, climate):
    html = '<p onclick="steal()">Hello</p><script>alert(1)</script><img src=x onerror="steal()">'
    body = call("post", "/workspaces", civil_servant, valid(welcome=html)).json()
    stored = Workspace.objects.get(slug="dikes").welcome
    for dangerous in ("script", "onclick", "onerror", "<img"):
        assert dangerous not in stored
        assert dangerous not in body["welcome"]
    assert "Hello" in stored


def test_a_citizen_may_not_open_a_workspace(call, make_user, climate):
    response = call("post", "/workspaces", make_user(), valid())
    assert response.status_code == 403
    assert not Workspace.objects.exists()


def test_a_taken_slug_is_409_and_opens_nothing(call, civil_servant, open_workspace):
    open_workspace("dikes")
    response = call("post", "/workspaces", civil_servant, valid(name="Another"))
    assert (response.status_code, response.json()["code"]) == (409, "duplicate_slug")
    assert Workspace.objects.filter(slug="dikes").count() == 1
    assert not Workspace.objects.filter(name="Another").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "x" * 201}, "name"),
        ({"name": "   "}, "name"),
        ({"slug": "a" * 81}, "slug"),
        ({"slug": "with spaces"}, "slug"),
        ({"themes": []}, "themes"),
        ({"description": "x" * 301}, "description"),
        ({"visibility": "everyone"}, "visibility"),
        ({"join_policy": "whenever"}, "join_policy"),
    ],
)
def test_bad_input_is_422_naming_the_field(call, civil_servant, climate, change, field):
    response = call("post", "/workspaces", civil_servant, valid(**change))
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "The input is not valid."
    assert field in {error["loc"][2] for error in body["errors"]}
    assert not Workspace.objects.exists()


def test_an_unknown_theme_is_422_naming_it(call, civil_servant, climate):
    response = call("post", "/workspaces", civil_servant, valid(themes=["climate", "astrology"]))
    assert response.status_code == 422
    assert response.json()["errors"] == {"themes": ["Unknown theme: astrology."]}
    assert not Workspace.objects.exists()


# --- The directory ----------------------------------------------------------------------------------------
def test_the_directory_filters_by_theme_word_and_mine(
    call, civil_servant, open_workspace, climate, youth, make_user
):
    open_workspace("dikes", name="Dikes", tags=["water"])
    open_workspace("youth-care", name="Youth work", themes=[youth])
    open_workspace("heat", name="Heat stress", themes=[climate, youth])

    def slugs(**params):
        return [
            w["slug"]
            for w in call("get", "/workspaces", params.pop("user", None), **params).json()["results"]
        ]

    assert slugs() == ["dikes", "heat", "youth-care"]
    assert slugs(theme="youth") == ["heat", "youth-care"]
    assert slugs(q="heat") == ["heat"]
    assert slugs(q="water") == ["dikes"]  # a tag
    assert slugs(mine="true", user=civil_servant) == ["dikes", "heat", "youth-care"]
    assert slugs(mine="true", user=make_user()) == []
    assert slugs(sort="newest") == ["heat", "youth-care", "dikes"]
    listed = call("get", "/workspaces", civil_servant).json()["results"]
    assert {w["my_role"] for w in listed} == {"owner"}


def test_the_directory_is_paginated(call, open_workspace):
    for i in range(5):
        open_workspace(f"space-{i}")
    body = call("get", "/workspaces", per_page=2, page=3).json()
    assert (body["count"], body["pages"], body["page"]) == (5, 3, 3)
    assert [w["slug"] for w in body["results"]] == ["space-4"]
    assert call("get", "/workspaces", sort="random").status_code == 422


def test_a_secret_workspace_appears_nowhere_for_outsiders(call, open_workspace, civil_servant, make_user):
    open_workspace("open-one")
    open_workspace("hidden", visibility="secret")
    outsider = make_user()
    for user in (None, outsider):
        assert [w["slug"] for w in call("get", "/workspaces", user).json()["results"]] == ["open-one"]
        assert call("get", "/workspaces", user, q="hidden").json()["count"] == 0
        assert call("get", "/workspaces/hidden", user).status_code == 404
        assert call("patch", "/workspaces/hidden", outsider, {"name": "Mine"}).status_code == 404
        counts = {t["slug"]: t["count"] for t in call("get", "/themes", user).json()}
        assert counts["climate"] == 1
    assert call("get", "/workspaces/hidden", civil_servant).json()["my_role"] == "owner"
    assert {t["slug"]: t["count"] for t in call("get", "/themes", civil_servant).json()}["climate"] == 2


def test_anonymous_visitors_see_public_workspaces_only(call, open_workspace):
    open_workspace("public-one")
    open_workspace("for-logged-in", visibility="logged_in")
    assert [w["slug"] for w in call("get", "/workspaces").json()["results"]] == ["public-one"]
    assert call("get", "/workspaces/for-logged-in").status_code == 403


def test_the_themes_list_counts_what_the_caller_may_see(call, open_workspace, youth):
    open_workspace("aa")
    open_workspace("bb", themes=[youth])
    themes = call("get", "/themes").json()
    assert [(t["slug"], t["count"]) for t in themes] == [("climate", 1), ("youth", 1)]


# --- Changing ---------------------------------------------------------------------------------------------
def test_the_owner_changes_settings_themes_and_tags(call, civil_servant, open_workspace, youth):
    open_workspace("dikes")
    response = call(
        "patch",
        "/workspaces/dikes",
        civil_servant,
        {"name": "Dikes, rivers and sea", "themes": ["youth"], "tags": ["sea"], "join_policy": "request"},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], [t["slug"] for t in body["themes"]], body["tags"]) == (
        "Dikes, rivers and sea",
        ["youth"],
        ["sea"],
    )
    workspace = Workspace.objects.get(slug="dikes")
    assert (workspace.name, workspace.join_policy, workspace.description) == (
        "Dikes, rivers and sea",
        "request",
        "",
    )


def test_a_community_manager_may_change_the_welcome_but_not_the_name(call, open_workspace, make_user):
    workspace = open_workspace("dikes")
    manager = make_user()
    Membership.objects.create(space=workspace, user=manager, role=Role.COMMUNITY_MANAGER)
    response = call("patch", "/workspaces/dikes", manager, {"welcome": "<p>Hello, new people</p>"})
    assert response.status_code == 200
    assert "Hello, new people" in Workspace.objects.get(slug="dikes").welcome
    assert call("patch", "/workspaces/dikes", manager, {"name": "Taken over"}).status_code == 403
    assert Workspace.objects.get(slug="dikes").name == "Dikes"


def test_bad_changes_are_refused(call, civil_servant, open_workspace):
    open_workspace("dikes")
    unknown = call("patch", "/workspaces/dikes", civil_servant, {"themes": ["astrology"]})
    assert (unknown.status_code, unknown.json()["errors"]) == (422, {"themes": ["Unknown theme: astrology."]})
    too_long = call("patch", "/workspaces/dikes", civil_servant, {"name": "x" * 201})
    assert too_long.status_code == 422
    assert call("patch", "/workspaces/nowhere", civil_servant, {"name": "X"}).status_code == 404
    assert Workspace.objects.get(slug="dikes").name == "Dikes"


def test_an_archived_workspace_is_409_to_change_and_still_found_by_members(
    call, civil_servant, open_workspace
):
    workspace = open_workspace("dikes")
    assert call("post", f"/spaces/{workspace.pk}/archive", civil_servant).status_code == 200
    response = call("patch", "/workspaces/dikes", civil_servant, {"name": "Changed"})
    assert (response.status_code, response.json()["code"]) == (409, "archived")
    assert Workspace.objects.get(slug="dikes").name == "Dikes"
    assert call("get", "/workspaces").json()["count"] == 0
    mine = call("get", "/workspaces", civil_servant, mine="true").json()["results"]
    assert [(w["slug"], w["is_archived"]) for w in mine] == [("dikes", True)]
    call("post", f"/spaces/{workspace.pk}/restore", civil_servant)
    assert call("patch", "/workspaces/dikes", civil_servant, {"name": "Changed"}).status_code == 200


def test_joining_an_open_workspace_through_the_space_endpoints(call, open_workspace, make_user):
    workspace = open_workspace("dikes", join_policy="open")
    person = make_user()
    assert call("get", "/workspaces/dikes", person).json()["may_join"] is True
    assert call("post", f"/spaces/{workspace.pk}/join", person).status_code == 200
    detail = call("get", "/workspaces/dikes", person).json()
    assert (detail["my_role"], detail["may_join"], detail["member_count"]) == ("member", False, 2)


def test_the_openapi_document_lists_the_workspace_paths(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/workspaces"]) == {"get", "post"}
    assert set(paths["/api/v1/workspaces/{slug}"]) == {"get", "patch"}
    assert "get" in paths["/api/v1/themes"]
