"""The JSON API at /api/v1/: authentication, the profile endpoints, activity and JSON errors."""

import json

import pytest
from django.test import Client

from doeplein.accounts.actions import do_revoke_api_token, do_update_profile
from doeplein.accounts.models import Profile, User
from doeplein.activity.actions import record
from doeplein.home.models import Theme
from doeplein.spaces.models import Role

from .conftest import csrf_token

pytestmark = pytest.mark.django_db


def assert_json_error(response, status):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


# --- The OpenAPI document ------------------------------------------------------------------------------------------


def test_openapi_document_is_valid_json_with_the_core_paths(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Doeplein API"
    for path in (
        "/api/v1/me",
        "/api/v1/me/profile",
        "/api/v1/people/{user_id}",
        "/api/v1/activity",
        "/api/v1/notifications",
    ):
        assert path in document["paths"], path
    assert "patch" in document["paths"]["/api/v1/me/profile"]


def test_api_docs_page_renders(client, db):
    assert client.get("/api/v1/docs").status_code == 200


# --- Who is calling ------------------------------------------------------------------------------------------------


def test_me_is_401_json_for_anonymous(client, db):
    assert_json_error(client.get("/api/v1/me"), 401)


def test_me_with_a_session(client, make_user):
    user = make_user(email="me@example.org", first_name="Mira", last_name="Jansen")
    client.force_login(user)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == user.pk
    assert body["email"] == "me@example.org"
    assert body["name"] == "Mira Jansen"
    assert body["may_open_workspaces"] is False
    assert set(body["audience"]) == set(Profile.PRIVATE_FIELDS)
    assert body["profile"]["id"] == user.pk


def test_me_with_a_bearer_token(client, make_user, token_for):
    user = make_user(role="civil_servant")
    response = client.get("/api/v1/me", **bearer(token_for(user)))
    assert response.status_code == 200
    assert response.json()["id"] == user.pk
    assert response.json()["may_open_workspaces"] is True


def test_revoked_token_is_401(client, make_user, token_for):
    user = make_user()
    secret = token_for(user)
    token = user.api_tokens.get()
    assert do_revoke_api_token(user=user, token_id=token.pk)
    assert_json_error(client.get("/api/v1/me", **bearer(secret)), 401)


@pytest.mark.parametrize(
    "header", ["Bearer wagtail_bogus", "Bearer ", "Bearer " + "x" * 500, "Basic dXNlcjpwYXNz", "Bearer"]
)
def test_bogus_credentials_are_401(client, db, header):
    assert_json_error(client.get("/api/v1/me", HTTP_AUTHORIZATION=header), 401)


def test_a_bogus_token_does_not_ride_on_a_session(client, make_user):
    """A wrong token is a wrong token, even when the browser also has a session."""
    client.force_login(make_user())
    assert_json_error(client.get("/api/v1/me", **bearer("wagtail_bogus")), 401)


def test_token_of_a_deactivated_user_is_401(client, make_user, token_for):
    user = make_user()
    secret = token_for(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert_json_error(client.get("/api/v1/me", **bearer(secret)), 401)


def test_token_page_creates_a_token_that_works(client, make_user):
    user = make_user()
    client.force_login(user)
    response = client.post("/people/me/tokens/", {"name": "my script"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret and secret in response.content.decode()
    anonymous = Client()
    assert anonymous.get("/api/v1/me", **bearer(secret)).json()["id"] == user.pk
    token = user.api_tokens.get()
    client.post(f"/people/me/tokens/{token.pk}/revoke/")
    assert_json_error(anonymous.get("/api/v1/me", **bearer(secret)), 401)


# --- PATCH /me/profile ---------------------------------------------------------------------------------------------


def patch(client, payload, **headers):
    return client.patch("/api/v1/me/profile", json.dumps(payload), content_type="application/json", **headers)


def test_patch_profile_with_a_token_changes_only_the_fields_sent(client, make_user, token_for):
    user = make_user(first_name="Piet")
    do_update_profile(
        user=user, profile=user.profile, data={"organisation": "Gemeente", "skills": ["gis"]}, audience={}
    )
    theme = Theme.objects.create(name="Klimaat", slug="klimaat")

    response = patch(
        client,
        {
            "job_title": "Data-analist",
            "bio": "Hallo",
            "skills": ["data analysis", "gis, kaarten"],
            "themes": [theme.pk],
            "suggestible": True,
            "audience": {"bio": "everyone", "organisation": "only_me"},
        },
        **bearer(token_for(user)),
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["audience"]["bio"] == "everyone" and body["audience"]["organisation"] == "only_me"
    assert body["suggestible"] is True
    profile = Profile.objects.get(user=user)
    assert profile.job_title == "Data-analist"
    assert profile.bio == "Hallo"
    assert profile.organisation == "Gemeente"  # not sent, not changed
    assert sorted(profile.skills.names()) == ["data analysis", "gis, kaarten"]
    assert list(profile.themes.values_list("name", flat=True)) == ["Klimaat"]
    assert profile.audience_for("job_title") == "everyone"  # unchanged default
    assert User.objects.get(pk=user.pk).first_name == "Piet"


def test_patch_without_skills_keeps_the_skills(client, make_user, token_for):
    user = make_user()
    do_update_profile(user=user, profile=user.profile, data={"skills": ["gis", "data analysis"]}, audience={})
    assert patch(client, {"job_title": "x"}, **bearer(token_for(user))).status_code == 200
    assert sorted(Profile.objects.get(user=user).skills.names()) == ["data analysis", "gis"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"organisation": "x" * 201}, "organisation"),
        ({"first_name": "x" * 151}, "first_name"),
        ({"bio": "x" * 4001}, "bio"),
        ({"skills": ["x" * 101]}, "skills"),
        ({"skills": [f"s{i}" for i in range(51)]}, "skills"),
        ({"audience": {"bio": "the-whole-world"}}, "audience"),
        ({"themes": [999999]}, "themes"),
        ({"first_name": ""}, "first_name"),
        ({"suggestible": "perhaps"}, "suggestible"),
    ],
)
def test_patch_rejects_invalid_values_with_422_json(client, make_user, token_for, payload, field):
    user = make_user(first_name="Before")
    response = patch(client, payload, **bearer(token_for(user)))
    body = assert_json_error(response, 422)
    assert body["errors"]
    assert field in json.dumps(body["errors"])
    profile = Profile.objects.get(user=user)
    assert (profile.organisation, profile.bio, profile.audience) == ("", "", {})
    assert User.objects.get(pk=user.pk).first_name == "Before"


def test_patch_rejects_unknown_audience_field(client, make_user, token_for):
    user = make_user()
    body = assert_json_error(
        patch(client, {"audience": {"email": "everyone"}}, **bearer(token_for(user))), 422
    )
    assert "audience" in body["errors"]
    assert Profile.objects.get(user=user).audience == {}


def test_patch_rejects_unknown_fields(client, make_user, token_for):
    user = make_user()
    body = assert_json_error(patch(client, {"email": "takeover@example.org"}, **bearer(token_for(user))), 422)
    assert "email" in json.dumps(body["errors"])
    assert User.objects.get(pk=user.pk).email == user.email


@pytest.mark.parametrize("raw", ["{not json", "[]", '"text"', "42"])
def test_patch_with_malformed_body_is_a_json_4xx(client, make_user, token_for, raw):
    user = make_user()
    response = client.patch(
        "/api/v1/me/profile", raw, content_type="application/json", **bearer(token_for(user))
    )
    assert 400 <= response.status_code < 500
    assert_json_error(response, response.status_code)


def test_patch_is_401_for_anonymous(client, db):
    assert_json_error(patch(client, {"bio": "x"}), 401)


def test_patch_with_a_session_needs_the_csrf_token(session_client):
    client = session_client()
    user_id = int(client.session["_auth_user_id"])
    refused = patch(client, {"bio": "without token"})
    assert_json_error(refused, 403)
    assert Profile.objects.get(user_id=user_id).bio == ""

    accepted = patch(client, {"bio": "with token"}, HTTP_X_CSRFTOKEN=csrf_token(client))
    assert accepted.status_code == 200, accepted.content
    assert Profile.objects.get(user_id=user_id).bio == "with token"


def test_patch_with_a_token_needs_no_csrf(make_user, token_for):
    user = make_user()
    client = Client(enforce_csrf_checks=True)
    assert patch(client, {"bio": "script"}, **bearer(token_for(user))).status_code == 200
    assert Profile.objects.get(user=user).bio == "script"


def test_patch_html_is_stored_as_text_and_escaped_on_the_page(client, make_user, token_for):
    user = make_user()
    patch(
        client,
        {"bio": "<script>alert(1)</script>", "audience": {"bio": "everyone"}},
        **bearer(token_for(user)),
    )
    html = Client().get(f"/people/{user.pk}/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


# --- GET /people/<id> ----------------------------------------------------------------------------------------------


@pytest.fixture
def shown(make_user):
    owner = make_user(first_name="Shown", last_name="Person")
    do_update_profile(
        user=owner,
        profile=owner.profile,
        data={"organisation": "Org", "job_title": "Title", "bio": "Bio", "skills": ["gis"]},
        audience={
            "organisation": "everyone",
            "job_title": "logged_in",
            "bio": "only_me",
            "skills": "logged_in",
        },
        entries=[{"kind": "experience", "title": "Job"}],
    )
    return User.objects.get(pk=owner.pk)


def visible_fields(body):
    return {k for k in Profile.PRIVATE_FIELDS if body.get(k) is not None}


def test_person_as_anonymous_shows_public_fields_only(client, shown):
    response = client.get(f"/api/v1/people/{shown.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Shown Person"
    assert body["organisation"] == "Org"
    assert visible_fields(body) == {"organisation", "avatar"}


def test_person_as_other_user_by_token_shows_logged_in_fields(client, shown, make_user, token_for):
    body = client.get(f"/api/v1/people/{shown.pk}", **bearer(token_for(make_user()))).json()
    assert visible_fields(body) == {
        "organisation",
        "avatar",
        "job_title",
        "skills",
        "experience",
        "education",
        "themes",
    }
    assert body["skills"] == ["gis"]
    assert "bio" not in {k for k, v in body.items() if v is not None}


def test_person_as_owner_shows_everything(client, shown):
    client.force_login(shown)
    body = client.get(f"/api/v1/people/{shown.pk}").json()
    assert body["bio"] == "Bio"
    assert body["experience"][0]["title"] == "Job"
    assert visible_fields(body) == set(Profile.PRIVATE_FIELDS)


def test_person_unknown_or_deleted_is_json_404(client, shown):
    from doeplein.accounts.actions import do_delete_account

    assert_json_error(client.get("/api/v1/people/999999"), 404)
    do_delete_account(user=shown)
    assert_json_error(client.get(f"/api/v1/people/{shown.pk}"), 404)


# --- Activity ------------------------------------------------------------------------------------------------------


def test_activity_is_paginated(client, make_user, make_space):
    actor = make_user()
    space = make_space("public", members={actor: Role.MEMBER})
    for _i in range(7):
        record(actor=actor, verb="test.did", target=space, space=space, audience="everyone")
    first = client.get("/api/v1/activity?per_page=3&page=1").json()
    assert (first["count"], first["pages"], first["page"], len(first["results"])) == (7, 3, 1, 3)
    last = client.get("/api/v1/activity?per_page=3&page=3").json()
    assert len(last["results"]) == 1
    ids = [a["id"] for a in first["results"]]
    assert ids == sorted(ids, reverse=True)  # newest first
    beyond = client.get("/api/v1/activity?per_page=3&page=99").json()
    assert beyond["page"] == 3
    clamped = client.get("/api/v1/activity?per_page=100000").json()
    assert clamped["count"] == 7


def test_activity_shows_only_what_the_caller_may_see(client, make_user, make_space, token_for):
    member, outsider = make_user(), make_user()
    public = make_space("public", members={member: Role.MEMBER})
    secret = make_space("secret", members={member: Role.MEMBER})
    seen = record(actor=member, verb="test.did", target=public, space=public)
    hidden = record(actor=member, verb="test.did", target=secret, space=secret)
    private = record(actor=member, verb="test.private", target=member.profile, audience="only_me")

    def ids(**headers):
        response = client.get("/api/v1/activity", **headers)
        assert response.status_code == 200
        return {a["id"] for a in response.json()["results"]}

    assert ids() == {seen.pk}
    assert ids(**bearer(token_for(outsider))) == {seen.pk}
    assert ids(**bearer(token_for(member))) >= {seen.pk, hidden.pk, private.pk}
    assert secret.name not in client.get("/api/v1/activity", **bearer(token_for(outsider))).content.decode()


def test_activity_filtered_by_actor_and_unknown_actor_is_404(client, make_user, make_space):
    a, b = make_user(), make_user()
    space = make_space("public")
    mine = record(actor=a, verb="test.did", target=space, space=space)
    record(actor=b, verb="test.did", target=space, space=space)
    body = client.get(f"/api/v1/activity?actor={a.pk}").json()
    assert [x["id"] for x in body["results"]] == [mine.pk]
    assert_json_error(client.get("/api/v1/activity?actor=999999"), 404)


@pytest.mark.parametrize("query", ["page=abc", "per_page=x", "actor=me"])
def test_activity_with_bad_query_is_422_json(client, db, query):
    body = assert_json_error(client.get(f"/api/v1/activity?{query}"), 422)
    assert body["errors"]


# --- Notifications -------------------------------------------------------------------------------------------------


def test_notifications_need_credentials_and_list_my_own(client, make_user, token_for):
    from doeplein.notifications.models import Notification

    user, other = make_user(), make_user()
    assert_json_error(client.get("/api/v1/notifications"), 401)
    Notification.objects.create(recipient=user, verb="test", message="For me", url="/")
    Notification.objects.create(recipient=other, verb="test", message="Not for me", url="/")
    body = client.get("/api/v1/notifications", **bearer(token_for(user))).json()
    assert [n["message"] for n in body] == ["For me"]


# --- Errors are JSON -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/people/not-a-number", "/api/v2/me"])
def test_unknown_api_paths_are_json_404(client, db, path):
    assert_json_error(client.get(path), 404)


def test_wrong_method_is_a_json_405(client, make_user, token_for):
    response = client.delete("/api/v1/me", **bearer(token_for(make_user())))
    assert_json_error(response, 405)
