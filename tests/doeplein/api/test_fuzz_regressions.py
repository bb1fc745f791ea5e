"""What schemathesis found when it fuzzed /api/v1/ against its own OpenAPI document.

Each test pins one finding: a 500, a request the schema forbids but the API accepted, or an answer
the document did not describe. Run schemathesis itself against a running server with::

    schemathesis run http://127.0.0.1:8000/api/v1/openapi.json -H "Authorization: Bearer …" --checks all
"""

import json

import pytest
from django.http import Http404

from doeplein.access import get_object_or_404
from doeplein.accounts.actions import do_create_api_token, do_update_profile
from doeplein.accounts.models import Profile, User
from doeplein.spaces.models import JoinRequest, Membership, Role
from groups.actions import do_create_group
from groups.models import Group

TOO_LARGE = 2**70  # no database column holds it; SQLite raised OverflowError on the query


def auth(user):
    _token, plaintext = do_create_api_token(user=user, name="fuzz")
    return {"Authorization": f"Bearer {plaintext}", "Accept-Language": "en"}


def send(client, method, path, user=None, body=None):
    headers = auth(user) if user is not None else {"Accept-Language": "en"}
    raw = body if isinstance(body, str) else json.dumps(body if body is not None else {})
    return getattr(client, method)(f"/api/v1{path}", raw, content_type="application/json", headers=headers)


def assert_error(response, status):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.fixture
def owner(make_user):
    return make_user(role="civil_servant", first_name="Olga")


@pytest.fixture
def group(owner):
    return do_create_group(
        user=owner, name="Tuinclub", slug="tuinclub", policy="request", visibility="public"
    )


# --- Ids too large for the database -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/groups/{n}",
        "/spaces/{n}",
        "/spaces/{n}/members",
        "/people/{n}",
        "/rooms/{n}",
        "/rooms/{n}/messages",
    ],
)
def test_an_id_too_large_for_any_column_is_a_json_422_not_a_500(client, owner, path):
    body = assert_error(client.get(f"/api/v1{path.format(n=TOO_LARGE)}", headers=auth(owner)), 422)
    assert body["errors"]


def test_the_largest_storable_id_that_does_not_exist_is_a_404(client, owner):
    assert_error(client.get(f"/api/v1/groups/{2**63 - 1}", headers=auth(owner)), 404)


def test_the_gate_answers_404_for_an_id_no_row_can_have(owner, group):
    # The HTML pages reach the gate with whatever digits the URL held.
    with pytest.raises(Http404):
        get_object_or_404(owner, Group.objects.all(), "view", pk=TOO_LARGE)
    assert get_object_or_404(owner, Group.objects.all(), "view", pk=group.pk) == group


def test_the_profile_page_of_an_id_too_large_is_404(client, db):
    assert client.get(f"/people/{TOO_LARGE}/").status_code == 404


# --- Bodies the schema forbids --------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["[[]]", "[]", '"text"', "42"])
def test_a_group_patch_that_is_not_an_object_is_refused(client, owner, group, raw):
    assert_error(send(client, "patch", f"/groups/{group.pk}", owner, raw), 422)


@pytest.mark.needs_plugins("workspaces")
def test_a_workspace_patch_that_is_not_an_object_is_refused(client, owner):
    from doeplein.home.models import Theme
    from workspaces.actions import do_open_workspace

    workspace = do_open_workspace(
        user=owner, name="Klimaat", slug="klimaat", themes=[Theme.objects.create(name="K", slug="k")]
    )
    assert_error(send(client, "patch", f"/workspaces/{workspace.slug}", owner, "[[]]"), 422)


def test_a_join_request_body_that_is_not_an_object_is_refused_and_nothing_is_stored(client, make_user, group):
    asker = make_user()
    assert_error(send(client, "post", f"/spaces/{group.pk}/requests", asker, "[]"), 422)
    assert not JoinRequest.objects.filter(user=asker).exists()


def test_an_unknown_field_in_a_group_patch_is_refused(client, owner, group):
    body = assert_error(send(client, "patch", f"/groups/{group.pk}", owner, {"name": "New", "owner": 1}), 422)
    assert "owner" in json.dumps(body["errors"])
    group.refresh_from_db()
    assert group.name == "Tuinclub"


@pytest.mark.parametrize("value", [0, 1, "true", "no"])
def test_allow_leaving_must_be_a_json_boolean(client, owner, group, value):
    assert_error(send(client, "patch", f"/groups/{group.pk}", owner, {"allow_leaving": value}), 422)
    group.refresh_from_db()
    assert group.allow_leaving is True


def test_a_decision_needs_a_json_boolean_and_the_request_stays_pending(client, owner, group, make_user):
    asker = make_user()
    assert (
        send(client, "post", f"/spaces/{group.pk}/requests", asker, {"message": "mag ik?"}).status_code == 201
    )
    join_request = JoinRequest.objects.get(user=asker, space=group)
    response = send(
        client, "post", f"/spaces/{group.pk}/requests/{join_request.pk}/decision", owner, {"approve": 0}
    )
    assert_error(response, 422)
    join_request.refresh_from_db()
    assert join_request.status == "pending"
    assert not Membership.objects.filter(user=asker, space=group).exists()


# --- PATCH /me/profile -------------------------------------------------------------------------------------------
def test_null_skills_leave_the_skills_as_they_are(client, make_user):
    # Was a 500: the endpoint iterated over the null.
    user = make_user()
    do_update_profile(user=user, profile=user.profile, data={"skills": ["gis"]}, audience={})
    response = send(client, "patch", "/me/profile", user, {"skills": None, "job_title": "analist"})
    assert response.status_code == 200, response.content
    profile = Profile.objects.get(user=user)
    assert list(profile.skills.names()) == ["gis"]
    assert profile.job_title == "analist"


@pytest.mark.parametrize("first_name", ["", "   ", None])
def test_the_first_name_cannot_be_emptied_or_nulled(client, make_user, first_name):
    user = make_user(first_name="Before")
    body = assert_error(send(client, "patch", "/me/profile", user, {"first_name": first_name}), 422)
    assert "first_name" in json.dumps(body["errors"])
    assert User.objects.get(pk=user.pk).first_name == "Before"


def test_suggestible_must_be_a_json_boolean(client, make_user):
    user = make_user()
    before = Profile.objects.get(user=user).suggestible
    assert_error(send(client, "patch", "/me/profile", user, {"suggestible": 0 if before else 1}), 422)
    assert Profile.objects.get(user=user).suggestible == before


# --- The document describes what the API answers ----------------------------------------------------------------
@pytest.fixture
def document(client, db):
    return client.get("/api/v1/openapi.json").json()


def _operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_operation_documents_its_json_errors(document):
    assert document["components"]["schemas"]["Error"]["required"] == ["detail"]
    for path, method, operation in _operations(document):
        for status in ("400", "403", "404", "409", "422"):
            assert status in operation["responses"], (method, path, status)
        error = operation["responses"]["404"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/Error"}, (method, path)


@pytest.mark.needs_plugins("workspaces")
def test_operations_open_to_anonymous_callers_say_so(client, document):
    anonymous = {(p, m) for p, m, op in _operations(document) if {} in op.get("security", [])}
    assert ("/api/v1/themes", "get") in anonymous
    assert ("/api/v1/groups/{group_id}", "get") in anonymous
    assert ("/api/v1/me", "get") not in anonymous
    for path, method, operation in _operations(document):
        # Operations that need credentials document the 401; the others never answer it.
        assert ("401" in operation["responses"]) == ((path, method) not in anonymous), (method, path)
    assert client.get("/api/v1/themes").status_code == 200
    assert_error(client.get("/api/v1/me"), 401)


def test_ids_in_paths_are_documented_as_positive_64_bit_integers(document):
    parameter = document["paths"]["/api/v1/groups/{group_id}"]["get"]["parameters"][0]
    assert parameter["schema"]["minimum"] == 1
    assert parameter["schema"]["maximum"] == 2**63 - 1


def test_a_refusal_matches_the_documented_error_shape(client, owner, group):
    # Joining a group that asks for requests is refused with a code (409 / 403 etc.): {detail, code}.
    stranger = User.objects.create_user(email="s@example.org", password="x-long-password", first_name="S")
    Membership.objects.create(space=group, user=stranger, role=Role.MEMBER)
    response = send(client, "post", f"/spaces/{group.pk}/join", stranger)
    body = assert_error(response, response.status_code)
    assert 400 <= response.status_code < 500
    assert set(body) <= {"detail", "code", "errors", "until"}


def test_a_theme_id_too_large_is_a_422_and_the_themes_stay(client, make_user):
    # Was a 500: the profile form looked the themes up with pk__in=[…], which SQLite cannot bind.
    from doeplein.home.models import Theme

    user = make_user()
    theme = Theme.objects.create(name="Wonen", slug="wonen")
    profile = user.profile
    profile.themes.set([theme])
    profile.save()  # a ParentalManyToManyField: stored on save
    assert_error(send(client, "patch", "/me/profile", user, {"themes": [TOO_LARGE]}), 422)
    assert list(Profile.objects.get(user=user).themes.all()) == [theme]


def test_the_profile_form_refuses_a_theme_id_too_large(make_user):
    from doeplein.accounts.forms import ProfileForm
    from doeplein.home.models import Theme

    user = make_user(first_name="Ann")
    Theme.objects.create(name="Wonen", slug="wonen")
    form = ProfileForm({"first_name": "Ann", "themes": [str(TOO_LARGE)]}, instance=user.profile)
    assert not form.is_valid()
    assert "themes" in form.errors
