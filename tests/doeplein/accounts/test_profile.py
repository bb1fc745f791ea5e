"""The profile page and its edit form: fields, entries, avatar, per-field audience, escaping."""

import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from doeplein.accounts.models import Profile, ProfileEntry, User
from doeplein.home.models import Theme

pytestmark = pytest.mark.django_db

EVERY_FIELD = {
    "organisation": "Ministerie van BZK",
    "job_title": "Beleidsmedewerker",
    "bio": "Ik werk aan participatie.",
    "skills": "participatie, ruimtelijke ordening",
}


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def png(size=(40, 40), colour=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def edit_data(user, audience=None, entries=(), **fields):
    """A complete POST for /people/me/edit/: current values, then ``fields`` and ``audience`` on top."""
    profile = user.profile
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "organisation": profile.organisation,
        "job_title": profile.job_title,
        "bio": profile.bio,
        "skills": ", ".join(sorted(profile.skills.names())),
        "language": profile.language,
        "digest": profile.digest,
        "entries-TOTAL_FORMS": str(len(entries)),
        "entries-INITIAL_FORMS": "0",
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "50",
    }
    for name in Profile.PRIVATE_FIELDS:
        data[f"audience_{name}"] = (audience or {}).get(name, profile.audience_for(name))
    for i, entry in enumerate(entries):
        for key, value in entry.items():
            data[f"entries-{i}-{key}"] = value
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def save_profile(client, user, **kwargs):
    client.force_login(user)
    return client.post("/people/me/edit/", edit_data(user, **kwargs))


def test_edit_page_shows_the_form_with_audience_choices(client, make_user):
    user = make_user()
    client.force_login(user)
    response = client.get("/people/me/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in Profile.PRIVATE_FIELDS:
        assert f'name="audience_{name}"' in html
    assert 'name="entries-TOTAL_FORMS"' in html
    assert 'name="suggestible"' in html


def test_edit_page_needs_a_login(client, db):
    response = client.get("/people/me/edit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_saving_the_profile_stores_every_field_and_the_entries(client, make_user):
    user = make_user()
    climate, youth = (
        Theme.objects.create(name="Klimaat", slug="klimaat"),
        Theme.objects.create(name="Jeugd", slug="jeugd"),
    )
    entries = [
        {
            "kind": "experience",
            "title": "Adviseur",
            "organisation": "Gemeente Utrecht",
            "start_year": "2015",
            "end_year": "2020",
        },
        {
            "kind": "education",
            "title": "Bestuurskunde",
            "organisation": "Universiteit Leiden",
            "start_year": "2008",
            "end_year": "2012",
        },
    ]
    response = save_profile(
        client,
        user,
        entries=entries,
        first_name="Fatima",
        last_name="El Amrani",
        themes=[climate.pk, youth.pk],
        suggestible="on",
        **EVERY_FIELD,
    )

    assert response.status_code == 302
    assert response["Location"] == f"/people/{user.pk}/"
    user = User.objects.get(pk=user.pk)
    profile = user.profile
    assert (user.first_name, user.last_name) == ("Fatima", "El Amrani")
    assert profile.organisation == "Ministerie van BZK"
    assert profile.job_title == "Beleidsmedewerker"
    assert profile.bio == "Ik werk aan participatie."
    assert sorted(profile.skills.names()) == ["participatie", "ruimtelijke ordening"]
    assert sorted(profile.themes.values_list("name", flat=True)) == ["Jeugd", "Klimaat"]
    assert profile.suggestible is True
    assert sorted(profile.entries.values_list("kind", "title", "start_year")) == [
        ("education", "Bestuurskunde", 2008),
        ("experience", "Adviseur", 2015),
    ]

    page = client.get(f"/people/{user.pk}/").content.decode()
    for text in (
        "Fatima El Amrani",
        "Ministerie van BZK",
        "Beleidsmedewerker",
        "participatie",
        "Klimaat",
        "Adviseur",
        "Bestuurskunde",
    ):
        assert text in page


def test_suggestible_switch_turns_off_again(client, make_user):
    user = make_user()
    save_profile(client, user, suggestible="on")
    assert Profile.objects.get(user=user).suggestible is True
    save_profile(client, user)  # an unticked checkbox is not sent
    assert Profile.objects.get(user=user).suggestible is False


def test_saving_again_replaces_the_entries(client, make_user):
    user = make_user()
    save_profile(client, user, entries=[{"kind": "experience", "title": "Old job"}])
    save_profile(client, User.objects.get(pk=user.pk), entries=[{"kind": "education", "title": "New course"}])
    assert list(ProfileEntry.objects.filter(profile__user=user).values_list("title", flat=True)) == [
        "New course"
    ]


def test_entry_with_end_before_start_is_refused(client, make_user):
    user = make_user()
    response = save_profile(
        client,
        user,
        entries=[{"kind": "experience", "title": "Job", "start_year": "2020", "end_year": "2010"}],
    )
    assert response.status_code == 400
    assert response.context["entries"].forms[0].errors["end_year"]
    assert not ProfileEntry.objects.exists()


def test_overlong_organisation_is_a_form_error_and_nothing_is_saved(client, make_user):
    user = make_user()
    response = save_profile(client, user, organisation="x" * 300, job_title="Changed")
    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors
    profile = Profile.objects.get(user=user)
    assert profile.organisation == ""
    assert profile.job_title == ""


def test_overlong_skill_and_first_name_are_form_errors(client, make_user):
    user = make_user()
    response = save_profile(client, user, skills="a" * 101, first_name="n" * 151)
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"skills", "first_name"}
    assert not Profile.objects.get(user=user).skills.exists()


def test_unknown_audience_value_is_a_form_error(client, make_user):
    user = make_user()
    response = save_profile(client, user, audience={"bio": "the-whole-world"})
    assert response.status_code == 400
    assert "audience_bio" in response.context["form"].errors


def test_avatar_upload_is_stored_and_shown(client, make_user):
    user = make_user()
    avatar = SimpleUploadedFile("me.png", png(), content_type="image/png")
    response = save_profile(client, user, avatar=avatar)
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert profile.avatar.name.startswith("avatars/") and profile.avatar.name.endswith(".png")
    assert profile.avatar.storage.exists(profile.avatar.name)
    assert profile.avatar.url in client.get(f"/people/{user.pk}/").content.decode()


def test_avatar_larger_than_the_limit_is_refused(client, make_user, settings):
    settings.AVATAR_MAX_BYTES = 1024
    user = make_user()
    rng = random.Random(1)  # noise does not compress: the PNG stays larger than the limit
    noisy = Image.frombytes("RGB", (200, 200), bytes(rng.getrandbits(8) for _ in range(200 * 200 * 3)))
    buffer = io.BytesIO()
    noisy.save(buffer, format="PNG")
    big = buffer.getvalue()
    assert len(big) > settings.AVATAR_MAX_BYTES
    response = save_profile(client, user, avatar=SimpleUploadedFile("big.png", big, content_type="image/png"))
    assert response.status_code == 400
    assert "avatar" in response.context["form"].errors
    assert not Profile.objects.get(user=user).avatar


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("notes.png", b"this is not a picture at all"),
        ("script.html", b"<script>alert(1)</script>"),
        ("me.svg", b"<svg/>"),
    ],
)
def test_non_image_avatar_is_refused_with_a_form_error(client, make_user, filename, content):
    user = make_user()
    response = save_profile(client, user, avatar=SimpleUploadedFile(filename, content))
    assert response.status_code == 400
    assert "avatar" in response.context["form"].errors
    assert not Profile.objects.get(user=user).avatar


def test_clearing_the_avatar_removes_it(client, make_user):
    user = make_user()
    save_profile(client, user, avatar=SimpleUploadedFile("me.png", png(), content_type="image/png"))
    assert Profile.objects.get(user=user).avatar
    save_profile(client, User.objects.get(pk=user.pk), **{"avatar-clear": "on"})
    assert not Profile.objects.get(user=user).avatar


def test_html_in_text_fields_is_escaped_on_the_profile_page(client, make_user):
    user = make_user()
    script = "<script>alert('x')</script>"
    response = save_profile(
        client,
        user,
        first_name=script,
        organisation=script,
        job_title=script,
        bio=script,
        entries=[{"kind": "experience", "title": script, "organisation": script, "description": script}],
        audience=dict.fromkeys(Profile.PRIVATE_FIELDS, "everyone"),
    )
    assert response.status_code == 302
    for viewer in (user, None):
        client.logout()
        if viewer:
            client.force_login(viewer)
        html = client.get(f"/people/{user.pk}/").content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert" in html


# --- Who sees what -------------------------------------------------------------------------------------------------

FIELD_TEXT = {
    "organisation": "Org-Marker",
    "job_title": "Title-Marker",
    "bio": "Bio-Marker",
    "skills": "skill-marker",
    "experience": "Experience-Marker",
    "education": "Education-Marker",
    "themes": "Theme-Marker",
}


@pytest.fixture
def full_profile(client, make_user, settings):
    """A person who shows organisation to everyone, job title and skills to logged-in users, the rest only to self."""
    owner = make_user(first_name="Owner", last_name="Person")
    theme = Theme.objects.create(name="Theme-Marker", slug="theme-marker")
    audience = {
        "organisation": "everyone",
        "job_title": "logged_in",
        "skills": "logged_in",
        "avatar": "everyone",
        "bio": "only_me",
        "experience": "only_me",
        "education": "logged_in",
        "themes": "only_me",
    }
    response = save_profile(
        client,
        owner,
        audience=audience,
        organisation="Org-Marker",
        job_title="Title-Marker",
        bio="Bio-Marker",
        skills="skill-marker",
        themes=[theme.pk],
        entries=[
            {"kind": "experience", "title": "Experience-Marker"},
            {"kind": "education", "title": "Education-Marker"},
        ],
    )
    assert response.status_code == 302
    client.logout()
    return User.objects.get(pk=owner.pk), audience


def visible_markers(html):
    return {field for field, text in FIELD_TEXT.items() if text in html}


def test_anonymous_visitor_sees_only_the_public_fields(client, full_profile):
    owner, _audience = full_profile
    html = client.get(f"/people/{owner.pk}/").content.decode()
    assert "Owner Person" in html  # the name is always shown
    assert visible_markers(html) == {"organisation"}


def test_other_logged_in_user_sees_public_and_logged_in_fields(client, full_profile, make_user):
    owner, _audience = full_profile
    client.force_login(make_user())
    html = client.get(f"/people/{owner.pk}/").content.decode()
    assert visible_markers(html) == {"organisation", "job_title", "skills", "education"}
    assert "Edit my profile" not in html and 'href="/people/me/edit/"' not in html


def test_owner_sees_every_field(client, full_profile):
    owner, _audience = full_profile
    client.force_login(owner)
    html = client.get(f"/people/{owner.pk}/").content.decode()
    assert visible_markers(html) == set(FIELD_TEXT)
    assert 'href="/people/me/edit/"' in html


def test_only_me_fields_do_not_leak_through_the_activity_feed(client, full_profile, make_user):
    owner, _audience = full_profile
    client.force_login(make_user())
    html = client.get(f"/people/{owner.pk}/").content.decode()
    assert "Bio-Marker" not in html


def test_profile_of_unknown_or_inactive_person_is_404(client, make_user):
    assert client.get("/people/999999/").status_code == 404
    inactive = make_user(is_active=False)
    assert client.get(f"/people/{inactive.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("audience", "anonymous", "other"),
    [("everyone", True, True), ("logged_in", False, True), ("only_me", False, False)],
)
def test_avatar_follows_its_audience(client, make_user, audience, anonymous, other):
    owner = make_user()
    save_profile(
        client,
        owner,
        avatar=SimpleUploadedFile("me.png", png(), content_type="image/png"),
        audience={"avatar": audience},
    )
    url = Profile.objects.get(user=owner).avatar.url
    assert url in client.get(f"/people/{owner.pk}/").content.decode()  # the owner always
    client.logout()
    assert (url in client.get(f"/people/{owner.pk}/").content.decode()) is anonymous
    client.force_login(make_user())
    assert (url in client.get(f"/people/{owner.pk}/").content.decode()) is other


def test_replacing_the_avatar_removes_the_old_file(client, make_user, django_capture_on_commit_callbacks):
    user = make_user()
    save_profile(client, user, avatar=SimpleUploadedFile("one.png", png(), content_type="image/png"))
    first = Profile.objects.get(user=user).avatar
    with django_capture_on_commit_callbacks(execute=True):
        save_profile(
            client,
            User.objects.get(pk=user.pk),
            avatar=SimpleUploadedFile("two.png", png(colour=(0, 0, 200)), content_type="image/png"),
        )
    second = Profile.objects.get(user=user).avatar
    assert second.name != first.name
    assert second.storage.exists(second.name)
    assert not first.storage.exists(first.name)


def test_existing_entries_can_be_edited_and_deleted_through_the_formset(client, make_user):
    user = make_user()
    save_profile(
        client,
        user,
        entries=[{"kind": "experience", "title": "Keep me"}, {"kind": "education", "title": "Drop me"}],
    )
    user = User.objects.get(pk=user.pk)
    client.force_login(user)
    formset = client.get("/people/me/edit/").context["entries"]
    assert formset.initial_form_count() == 2
    keep, drop = sorted(user.profile.entries.all(), key=lambda e: e.title != "Keep me")
    data = edit_data(user)
    data.update({"entries-TOTAL_FORMS": "2", "entries-INITIAL_FORMS": "2"})
    for i, (entry, extra) in enumerate([(keep, {"title": "Kept and renamed"}), (drop, {"DELETE": "on"})]):
        data.update(
            {
                f"entries-{i}-id": str(entry.pk),
                f"entries-{i}-kind": entry.kind,
                f"entries-{i}-title": entry.title,
            }
        )
        data.update({f"entries-{i}-{k}": v for k, v in extra.items()})
    response = client.post("/people/me/edit/", data)
    assert response.status_code == 302
    assert list(ProfileEntry.objects.filter(profile__user=user).values_list("title", flat=True)) == [
        "Kept and renamed"
    ]
