"""A person's own files: a secret space of kind ``personal_files`` made on first use, owned by the person
and seen by them alone; from it they copy files to spaces where they may add files."""

import pytest
from django.test import Client

from doeplein.access import can
from doeplein.spaces.kinds import space_url
from doeplein.spaces.models import Membership, Role, Space
from files import actions
from files.models import File
from files.personal import PERSONAL_KIND, do_ensure_personal_space, personal_space_of
from tests.support.api import bearer

pytestmark = pytest.mark.django_db


def logged_in(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def test_personal_space_is_made_once_on_first_visit_and_owned_by_the_person(make_user):
    alice = make_user()
    assert personal_space_of(alice) is None
    c = logged_in(alice)
    page = c.get("/files/mine/")
    assert page.status_code == 200
    assert "My files" in page.content.decode()
    space = personal_space_of(alice)
    assert space.kind == PERSONAL_KIND and space.visibility == "secret"
    assert Membership.objects.get(space=space).user == alice
    assert Membership.objects.get(space=space).role == Role.OWNER
    assert c.get("/files/mine/").status_code == 200
    assert do_ensure_personal_space(user=alice) == space
    assert Space.objects.filter(kind=PERSONAL_KIND).count() == 1
    assert space_url(space) == "/files/mine/"


def test_anonymous_is_sent_to_log_in_and_api_says_401():
    assert Client().get("/files/mine/").status_code == 302
    assert Client().get("/api/v1/files/mine").status_code == 401
    assert not Space.objects.filter(kind=PERSONAL_KIND).exists()


def test_owner_uploads_and_the_api_tells_the_room_left(make_user, upload):
    alice = make_user()
    answer = Client().get("/api/v1/files/mine", headers=bearer(alice))
    assert answer.status_code == 200
    body = answer.json()
    space = personal_space_of(alice)
    assert body["space_id"] == space.pk and body["may_upload"] is True
    assert body["url"] == "/files/mine/" and body["remaining_bytes"] > 0
    upload(alice, space, b"mijn concept\n", name="concept.txt")
    items = Client().get(body["items_url"], headers=bearer(alice)).json()
    assert [f["name"] for f in items["results"]] == ["concept.txt"]
    assert "concept.txt" in logged_in(alice).get("/files/mine/").content.decode()


def test_another_person_gets_404_for_everything_in_someone_elses_space(make_user, upload):
    alice, bob = make_user(), make_user()
    space = do_ensure_personal_space(user=alice)
    folder = actions.do_create_folder(user=alice, space=space, name="Privé")
    version = upload(alice, space, b"geheim\n", name="geheim.txt", folder=folder)
    file = version.file
    c = logged_in(bob)
    for url in (
        f"/files/space/{space.pk}/",
        f"/files/space/{space.pk}/trash/",
        f"/files/folder/{folder.pk}/",
        f"/files/file/{file.pk}/",
        f"/files/file/{file.pk}/download/",
        f"/files/file/{file.pk}/v/1/download/",
        f"/files/file/{file.pk}/v/1/thumbnail/",
        f"/files/file/{file.pk}/status/",
        f"/spaces/{space.pk}/",
    ):
        assert c.get(url).status_code == 404, url
    for url in (
        f"/files/space/{space.pk}/upload/",
        f"/files/file/{file.pk}/versions/",
        f"/files/file/{file.pk}/rename/",
        f"/files/file/{file.pk}/trash/",
    ):
        assert c.post(url, {"name": "x"}).status_code == 404, url
    api = Client()
    headers = bearer(bob)
    for url in (
        f"/api/v1/files/spaces/{space.pk}",
        f"/api/v1/files/spaces/{space.pk}/items",
        f"/api/v1/files/files/{file.pk}",
        f"/api/v1/files/files/{file.pk}/versions",
        f"/api/v1/files/files/{file.pk}/versions/1/download",
    ):
        assert api.get(url, headers=headers).status_code == 404, url
    # Bob's own /files/mine/ is his own, empty space.
    assert "geheim.txt" not in c.get("/files/mine/").content.decode()
    assert Client().get("/api/v1/files/mine", headers=headers).json()["space_id"] != space.pk
    assert not can(bob, "view", file)
    # Nobody else may join it or be found in it.
    assert not can(bob, "contribute", space)
    assert Membership.objects.filter(space=space).count() == 1


def test_owner_copies_from_personal_space_to_a_space_where_they_may_write(make_user, make_space, upload):
    alice, bob = make_user(), make_user()
    team = make_space("members", members={alice: Role.MEMBER, bob: Role.MEMBER})
    read_only = make_space("members", members={alice: Role.GUEST})
    mine = do_ensure_personal_space(user=alice)
    version = upload(alice, mine, b"klaar om te delen\n", name="notitie.txt")
    page = logged_in(alice).get(f"/files/file/{version.file_id}/").content.decode()
    assert team.name in page and read_only.name not in page  # copy targets: where she may add files
    answer = logged_in(alice).post(f"/files/file/{version.file_id}/copy/", {"space": team.pk})
    assert answer.status_code == 302
    copied = File.objects.get(space=team, name="notitie.txt")
    assert logged_in(bob).get(f"/files/file/{copied.pk}/").status_code == 200
    refused = Client().post(
        f"/api/v1/files/files/{version.file_id}/copy",
        {"space": read_only.pk},
        content_type="application/json",
        headers=bearer(alice),
    )
    assert refused.status_code == 403
    # And from a shared space into her own.
    shared = upload(bob, team, b"van bob\n", name="van-bob.txt")
    answer = Client().post(
        f"/api/v1/files/files/{shared.file_id}/copy",
        {"space": mine.pk},
        content_type="application/json",
        headers=bearer(alice),
    )
    assert answer.status_code in (200, 201), answer.content
    assert File.objects.filter(space=mine, name="van-bob.txt").exists()
    # Bob may not copy into Alice's space: it does not exist for him.
    answer = Client().post(
        f"/api/v1/files/files/{shared.file_id}/copy",
        {"space": mine.pk},
        content_type="application/json",
        headers=bearer(bob),
    )
    assert answer.status_code == 404


def test_navigation_links_to_my_files_when_logged_in(make_user):
    alice = make_user()
    assert 'href="/files/mine/"' in logged_in(alice).get("/files/mine/").content.decode()
    assert 'href="/files/mine/"' not in Client().get("/").content.decode()


def test_the_openapi_document_names_the_endpoint():
    schema = Client().get("/api/v1/openapi.json").json()
    assert "get" in schema["paths"]["/api/v1/files/mine"]


def test_nobody_else_can_be_added_to_a_personal_space_even_by_its_owner(make_user):
    from doeplein.core.exceptions import ActionError
    from doeplein.spaces.actions import do_invite, do_invite_people, do_join

    alice, bob = make_user(), make_user()
    space = do_ensure_personal_space(user=alice)
    for attempt in (
        lambda: do_invite(actor=alice, space=space, email=bob.email),
        lambda: do_invite(actor=alice, space=space, email="someone@example.org"),
        lambda: do_invite_people(actor=alice, space=space, people=[bob]),
    ):
        with pytest.raises(ActionError) as error:
            attempt()
        assert error.value.code == "personal_space" and error.value.status == 409
    with pytest.raises(Exception):  # noqa: B017 -- a secret space is not found (404) or not joinable
        do_join(user=bob, space=space)
    page = logged_in(alice).post(
        f"/spaces/{space.pk}/invitations/", {"email": bob.email, "role": Role.MEMBER}, follow=True
    )
    assert page.status_code == 409
    assert Membership.objects.filter(space=space).count() == 1
    # The invitations page says so instead of offering a form that cannot work.
    shown = logged_in(alice).get(f"/spaces/{space.pk}/invitations/").content.decode()
    assert "nobody else can be added to it" in shown
    assert 'name="email"' not in shown
