"""The groups API (/api/v1/groups) and joining groups through the core's space endpoints."""

import pytest

from doeplein.spaces.models import Membership, Role
from groups.actions import do_create_group
from groups.models import Group


@pytest.fixture
def civil_servant(make_user):
    return make_user(role="civil_servant")


@pytest.fixture
def workspace(civil_servant, make_area):
    """The space groups are made in: an area, a kind of space with web addresses (tests/groups/conftest.py)."""
    return make_area(name="Dikes", slug="dikes", members={civil_servant: Role.OWNER})


@pytest.fixture
def make_group(civil_servant):
    def make(slug, policy="open", workspace=None, **fields):
        return do_create_group(
            user=civil_servant,
            name=fields.pop("name", slug.title()),
            slug=slug,
            workspace=workspace,
            policy=policy,
            visibility=fields.pop("visibility", "public"),
            **fields,
        )

    return make


# --- Creating ---------------------------------------------------------------------------------------------
def test_a_workspace_member_creates_a_group_in_it_and_owns_it(call, workspace, make_user):
    member = make_user()
    Membership.objects.create(space=workspace, user=member, role=Role.MEMBER)
    response = call(
        "post",
        "/groups",
        member,
        {"name": "Pumps", "slug": "pumps", "workspace": "dikes", "policy": "request"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["workspace"] == {"id": workspace.pk, "slug": "dikes", "name": "Dikes"}
    assert (body["policy"], body["my_role"]) == ("request", "owner")
    group = Group.objects.get(pk=body["id"])
    assert (group.parent_id, group.join_policy) == (workspace.pk, "request")
    assert Membership.objects.get(space=group, user=member).role == Role.OWNER


def test_a_guest_of_the_workspace_may_not_create_a_group_in_it(call, workspace, make_user):
    guest = make_user()
    Membership.objects.create(space=workspace, user=guest, role=Role.GUEST)
    response = call("post", "/groups", guest, {"name": "Pumps", "slug": "pumps", "workspace": "dikes"})
    assert response.status_code == 403
    assert not Group.objects.exists()


def test_platform_wide_groups_are_for_civil_servants(call, civil_servant, make_user):
    assert call("post", "/groups", make_user(), {"name": "Chess", "slug": "chess"}).status_code == 403
    response = call("post", "/groups", civil_servant, {"name": "Chess", "slug": "chess", "policy": "secret"})
    assert response.status_code == 201
    assert (response.json()["workspace"], response.json()["visibility"]) == (None, "secret")


def test_a_slug_is_unique_within_its_workspace_only(call, civil_servant, workspace, make_group):
    make_group("pumps", workspace=workspace)
    taken = call("post", "/groups", civil_servant, {"name": "Pumps 2", "slug": "pumps", "workspace": "dikes"})
    assert (taken.status_code, taken.json()["code"]) == (409, "duplicate_slug")
    elsewhere = call("post", "/groups", civil_servant, {"name": "Pumps", "slug": "pumps", "workspace": None})
    assert elsewhere.status_code == 201
    assert Group.objects.filter(slug="pumps").count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "x" * 201}, "name"),
        ({"slug": "no way"}, "slug"),
        ({"policy": "whoever"}, "policy"),
        ({"visibility": "secret"}, "visibility"),
        ({"description": "x" * 2001}, "description"),
    ],
)
def test_bad_group_input_is_422(call, civil_servant, change, field):
    response = call("post", "/groups", civil_servant, {"name": "Chess", "slug": "chess", **change})
    assert response.status_code == 422
    assert field in {error["loc"][2] for error in response.json()["errors"]}
    assert not Group.objects.exists()


def test_a_group_in_an_unknown_or_hidden_workspace_is_404(call, civil_servant, make_user, make_area):
    make_area(name="Hidden", slug="hidden", visibility="secret", members={civil_servant: Role.OWNER})
    outsider = make_user(role="civil_servant")
    for slug in ("nowhere", "hidden"):
        assert (
            call("post", "/groups", outsider, {"name": "G", "slug": "gg", "workspace": slug}).status_code
            == 404
        )
    assert call("get", "/groups", outsider, workspace="hidden").status_code == 404
    assert not Group.objects.exists()


def test_a_group_in_an_archived_workspace_is_409(call, civil_servant, workspace):
    call("post", f"/spaces/{workspace.pk}/archive", civil_servant)
    response = call(
        "post", "/groups", civil_servant, {"name": "Pumps", "slug": "pumps", "workspace": "dikes"}
    )
    assert (response.status_code, response.json()["code"]) == (409, "archived")
    assert not Group.objects.exists()


# --- Reading ----------------------------------------------------------------------------------------------
def test_group_list_filters_and_hides_secret_groups(call, workspace, make_group, civil_servant, make_user):
    make_group("pumps", workspace=workspace)
    make_group("chess")
    make_group("cabal", policy="secret")
    outsider = make_user()

    def slugs(user=None, **params):
        return [g["slug"] for g in call("get", "/groups", user, **params).json()["results"]]

    assert slugs(outsider) == ["chess", "pumps"]
    assert slugs(civil_servant) == ["cabal", "chess", "pumps"]
    assert slugs(outsider, workspace="dikes") == ["pumps"]
    assert slugs(outsider, q="che") == ["chess"]
    assert slugs(outsider, mine="true") == []
    assert slugs(civil_servant, mine="true") == ["cabal", "chess", "pumps"]
    assert slugs(outsider, q="cabal") == []


def test_a_secret_group_is_404_for_non_members(call, make_group, civil_servant, make_user):
    cabal = make_group("cabal", policy="secret", welcome_message="Meet on Tuesdays")
    outsider = make_user()
    for user in (None, outsider):
        assert call("get", f"/groups/{cabal.pk}", user).status_code == 404
        assert call("get", f"/spaces/{cabal.pk}/members", user).status_code == 404
    assert call("post", f"/spaces/{cabal.pk}/join", outsider).status_code == 404
    assert call("patch", f"/groups/{cabal.pk}", outsider, {"name": "Ours"}).status_code == 404
    detail = call("get", f"/groups/{cabal.pk}", civil_servant).json()
    assert (detail["my_role"], detail["welcome_message"]) == ("owner", "Meet on Tuesdays")


def test_the_welcome_message_is_for_members_only(call, make_group, make_user):
    chess = make_group("chess", welcome_message="Bring a board")
    assert call("get", f"/groups/{chess.pk}", make_user()).json()["welcome_message"] is None


def test_group_roles_carry_group_labels(call, make_group, civil_servant, make_user):
    chess = make_group("chess")
    admin = make_user()
    Membership.objects.create(space=chess, user=admin, role=Role.COMMUNITY_MANAGER)
    labels = {
        m["role"]: m["role_label"] for m in call("get", f"/spaces/{chess.pk}/members").json()["results"]
    }
    assert labels == {"owner": "Owner", "community_manager": "Admin"}


# --- Joining ----------------------------------------------------------------------------------------------
def test_joining_an_open_group(call, make_group, make_user):
    chess = make_group("chess")
    person = make_user()
    response = call("post", f"/spaces/{chess.pk}/join", person)
    assert (response.status_code, response.json()["role_label"]) == (200, "Member")
    assert call("get", f"/groups/{chess.pk}", person).json()["my_role"] == "member"


@pytest.mark.parametrize(
    ("policy", "code"), [("request", "request_needed"), ("invitation", "invitation_needed")]
)
def test_joining_a_group_one_may_not_join_is_403(call, make_group, make_user, policy, code):
    group = make_group("closed", policy=policy)
    person = make_user()
    response = call("post", f"/spaces/{group.pk}/join", person)
    assert (response.status_code, response.json()["code"]) == (403, code)
    assert not Membership.objects.filter(space=group, user=person).exists()


def test_asking_to_join_an_on_request_group_and_being_approved(call, make_group, civil_servant, make_user):
    group = make_group("pumps", policy="request", visibility="logged_in")
    person = make_user()
    request_id = call("post", f"/spaces/{group.pk}/requests", person, {"message": "Please"}).json()["id"]
    detail = call("get", f"/groups/{group.pk}", person).json()
    assert (detail["my_role"], detail["pending_request"]) == (None, True)  # asking is not being a member
    call("post", f"/spaces/{group.pk}/requests/{request_id}/decision", civil_servant, {"approve": True})
    assert call("get", f"/groups/{group.pk}", person).json()["my_role"] == "member"


# --- Changing ---------------------------------------------------------------------------------------------
def test_the_owner_changes_the_policy_and_secret_hides_the_group(call, make_group, civil_servant, make_user):
    chess = make_group("chess")
    response = call(
        "patch", f"/groups/{chess.pk}", civil_servant, {"policy": "secret", "allow_leaving": False}
    )
    assert response.status_code == 200
    assert (response.json()["visibility"], response.json()["allow_leaving"]) == ("secret", False)
    assert call("get", f"/groups/{chess.pk}", make_user()).status_code == 404


def test_an_admin_may_not_change_group_settings(call, make_group, make_user):
    chess = make_group("chess")
    admin = make_user()
    Membership.objects.create(space=chess, user=admin, role=Role.COMMUNITY_MANAGER)
    assert call("patch", f"/groups/{chess.pk}", admin, {"name": "Checkers"}).status_code == 403
    assert Group.objects.get(pk=chess.pk).name == "Chess"


def test_an_archived_group_is_409_to_change(call, make_group, civil_servant):
    chess = make_group("chess")
    call("post", f"/spaces/{chess.pk}/archive", civil_servant)
    response = call("patch", f"/groups/{chess.pk}", civil_servant, {"name": "Checkers"})
    assert (response.status_code, response.json()["code"]) == (409, "archived")
    assert call("patch", f"/groups/{chess.pk}", civil_servant, {"name": "x" * 201}).status_code == 422
    assert Group.objects.get(pk=chess.pk).name == "Chess"


def test_the_openapi_document_lists_the_group_paths(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/groups"]) == {"get", "post"}
    assert set(paths["/api/v1/groups/{group_id}"]) == {"get", "patch"}
