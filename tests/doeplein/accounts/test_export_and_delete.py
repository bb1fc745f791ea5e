"""Download my data, and deleting an account: anonymised in place, content stays."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from doeplein.accounts.actions import do_create_api_token, do_update_profile
from doeplein.accounts.models import Profile, ProfileEntry, User
from doeplein.activity.actions import record
from doeplein.activity.models import Activity
from doeplein.activity.selectors import activity_feed
from doeplein.home.models import Theme
from doeplein.spaces.models import Role

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

# The smallest valid GIF: one transparent pixel.
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


@pytest.fixture
def person(make_user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    user = make_user(email="leaving@example.org", first_name="Lea", last_name="Vertrek")
    theme = Theme.objects.create(name="Klimaat", slug="klimaat")
    avatar = SimpleUploadedFile("me.gif", GIF, content_type="image/gif")
    do_update_profile(
        user=user,
        profile=user.profile,
        data={
            "organisation": "Gemeente Zwolle",
            "job_title": "Adviseur",
            "bio": "Over mij",
            "skills": ["gdpr"],
            "themes": [theme],
            "avatar": avatar,
        },
        audience={"bio": "everyone"},
        entries=[
            {"kind": "experience", "title": "Projectleider", "organisation": "Provincie", "start_year": 2019}
        ],
    )
    return User.objects.get(pk=user.pk)


def test_export_is_a_json_attachment_with_profile_entries_and_activity(client, person, make_space):
    space = make_space("members", members={person: Role.MEMBER})
    client.force_login(person)
    with translation.override("en"):
        response = client.get("/people/me/export/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="doeplein-my-data-')
    data = json.loads(response.content)
    assert data["account"]["email"] == "leaving@example.org"
    assert data["account"]["first_name"] == "Lea"
    assert data["profile"]["organisation"] == "Gemeente Zwolle"
    assert data["profile"]["skills"] == ["gdpr"]
    assert data["profile"]["themes"] == ["Klimaat"]
    assert data["profile"]["avatar"].startswith("/media/avatars/")
    [membership] = data["memberships"]
    assert (membership["space"], membership["kind"], membership["role"]) == (space.name, space.kind, "Member")
    assert data["profile"]["audience"]["bio"] == "everyone"
    assert data["profile"]["entries"][0]["title"] == "Projectleider"
    assert "profile.updated" in [a["verb"] for a in data["activity"]]


def test_export_holds_only_my_own_data(client, person, make_user):
    other = make_user(email="someone-else@example.org")
    record(actor=other, verb="profile.updated", target=other.profile, audience="everyone")
    client.force_login(person)
    body = client.get("/people/me/export/").content.decode()
    assert "someone-else@example.org" not in body
    assert len(json.loads(body)["activity"]) == Activity.objects.filter(actor=person).count()


def test_export_needs_a_login(client, db):
    response = client.get("/people/me/export/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def delete(client, user, password=PASSWORD, confirm="on"):
    client.force_login(user)
    data = {"password": password}
    if confirm:
        data["confirm"] = confirm
    return client.post("/people/me/delete/", data)


def test_delete_needs_the_right_password(client, person):
    response = delete(client, person, password="wrong-password")
    assert response.status_code == 400
    assert "password" in response.context["form"].errors
    assert not User.objects.get(pk=person.pk).is_deleted


def test_delete_needs_the_confirm_box(client, person):
    response = delete(client, person, confirm=None)
    assert response.status_code == 400
    assert "confirm" in response.context["form"].errors
    assert not User.objects.get(pk=person.pk).is_deleted


def test_delete_page_shows_the_form(client, person):
    client.force_login(person)
    html = client.get("/people/me/delete/").content.decode()
    assert 'name="password"' in html and 'name="confirm"' in html


def test_deleting_anonymises_the_account_and_logs_out(client, person):
    avatar = Profile.objects.get(user=person).avatar
    assert avatar.storage.exists(avatar.name)
    _token, secret = do_create_api_token(user=person, name="script")
    response = delete(client, person)

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    user = User.objects.get(pk=person.pk)
    assert user.is_deleted and not user.is_active
    assert user.email != "leaving@example.org" and user.email.endswith("@deleted.invalid")
    assert (user.first_name, user.last_name) == ("", "")
    assert not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    with translation.override("en"):
        assert user.display_name == "Deleted user"
    profile = Profile.objects.get(user=user)
    assert (profile.organisation, profile.job_title, profile.bio) == ("", "", "")
    assert not profile.skills.exists() and not profile.themes.exists()
    assert not ProfileEntry.objects.filter(profile=profile).exists()
    assert not profile.avatar
    assert not avatar.storage.exists(avatar.name)
    assert not user.api_tokens.filter(revoked_at__isnull=True).exists()
    # The old address and password no longer log in.
    client.post("/accounts/login/", {"login": "leaving@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    # The revoked token no longer opens the API.
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_deleted_person_profile_is_404(client, person, make_user):
    delete(client, person)
    assert client.get(f"/people/{person.pk}/").status_code == 404
    client.force_login(make_user())
    assert client.get(f"/people/{person.pk}/").status_code == 404


def test_content_of_a_deleted_person_stays_and_shows_as_deleted_user(client, person, make_user, make_space):
    space = make_space("public", members={person: Role.MEMBER})
    written = record(actor=person, verb="blog.published", target=space, space=space)

    delete(client, person)

    written.refresh_from_db()
    assert written.actor_id == person.pk  # the row stays, still linked to the (anonymised) account
    reader = make_user()
    assert written in activity_feed(user=reader)
    client.force_login(reader)
    html = client.get("/").content.decode()
    assert str(User.objects.get(pk=person.pk).display_name) in html
    assert "Lea" not in html and "Vertrek" not in html
    assert f'href="/people/{person.pk}/"' not in html  # no link to a profile that is gone
    api = client.get("/api/v1/activity").json()
    mine = [a for a in api["results"] if a["id"] == written.pk]
    assert mine and mine[0]["actor"] == User.objects.get(pk=person.pk).display_name


def test_the_old_address_can_register_again(client, person, signup, confirm):
    delete(client, person)
    mail.outbox.clear()

    response = signup("leaving@example.org", first_name="Lea", last_name="Terug")

    assert response.status_code == 302
    fresh = User.objects.get(email="leaving@example.org")
    assert fresh.pk != person.pk
    assert confirm().status_code == 302
    assert EmailAddress.objects.get(user=fresh).verified
    client.post("/accounts/login/", {"login": "leaving@example.org", "password": PASSWORD})
    assert client.session.get("_auth_user_id") == str(fresh.pk)
