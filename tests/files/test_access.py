"""The access matrix for files: role × action × visibility, through pages, API, downloads, thumbnails,
trash and activity; a secret group's file is a 404 to outsiders everywhere."""

import pytest
from django.test import Client

from doeplein.access import can, visible
from doeplein.activity.models import Activity
from doeplein.spaces.models import Role
from files import actions
from files.models import File, FileVersion, Folder

from .conftest import PNG

pytestmark = pytest.mark.django_db

ROLES = ["owner", "manager", "member", "guest", "outsider", "anonymous"]
VISIBILITIES = ["public", "logged_in", "members", "secret"]
MEMBER_ROLES = {
    "owner": Role.OWNER,
    "manager": Role.COMMUNITY_MANAGER,
    "member": Role.MEMBER,
    "guest": Role.GUEST,
}


def may_view(role, visibility):
    if visibility == "public":
        return True
    if visibility == "logged_in":
        return role != "anonymous"
    return role in MEMBER_ROLES


def may_contribute(role, visibility):
    return role in ("owner", "manager", "member")


def may_change_others(role, visibility):
    return role in ("owner", "manager")


@pytest.fixture
def world(request, make_user, make_space, upload):
    """People of every role and, per visibility asked for (the test's ``visibility`` parameter, else all), a
    space with a folder, an image file and a file in the trash."""
    people = {role: make_user() for role in ROLES if role != "anonymous"}
    uploader = make_user()
    spaces = {}
    wanted = (
        [request.node.callspec.params["visibility"]]
        if "visibility" in getattr(request.node, "callspec", type("", (), {"params": {}})).params
        else VISIBILITIES
    )
    for visibility in wanted:
        members = {people[r]: role for r, role in MEMBER_ROLES.items()}
        members[uploader] = Role.MEMBER
        space = make_space(visibility, members=members)
        folder = actions.do_create_folder(user=uploader, space=space, name="Docs")
        version = upload(uploader, space, PNG, name="pic.png", folder=folder)
        trashed = upload(uploader, space, b"old\n", name="old.txt")
        actions.do_trash(user=uploader, obj=trashed.file)
        spaces[visibility] = {
            "space": space,
            "folder": folder,
            "file": version.file,
            "version": version,
            "trashed": trashed.file,
        }
    return people, uploader, spaces


def client_for(people, role):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != "anonymous":
        c.force_login(people[role])
    return c


def denied(status, visibility):
    return status == 404 if visibility == "secret" else status in (302, 403, 404)


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_gate_filters_agree_with_single_checks(world, visibility):
    people, _uploader, spaces = world
    s = spaces[visibility]
    for role in ROLES:
        user = (
            people.get(role)
            or __import__("django.contrib.auth.models", fromlist=["AnonymousUser"]).AnonymousUser()
        )
        for model, obj in ((Folder, s["folder"]), (File, s["file"]), (FileVersion, s["version"])):
            in_list = visible(user, model.objects.filter(pk=obj.pk)).exists()
            assert in_list == can(user, "view", obj) == may_view(role, visibility), (role, model.__name__)
        assert can(user, "contribute", s["file"]) == (may_contribute(role, visibility)), role
        assert can(user, "change", s["file"]) == may_change_others(role, visibility), role


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_pages_downloads_and_thumbnails(world, role, visibility):
    people, _uploader, spaces = world
    s = spaces[visibility]
    c = client_for(people, role)
    file, version = s["file"], s["version"]
    urls = [
        f"/files/space/{s['space'].pk}/",
        f"/files/folder/{s['folder'].pk}/",
        f"/files/file/{file.pk}/",
        f"/files/file/{file.pk}/v/1/download/",
        f"/files/file/{file.pk}/download/",
        f"/files/file/{file.pk}/v/1/thumbnail/",
        f"/api/v1/files/files/{file.pk}",
        f"/api/v1/files/files/{file.pk}/versions",
        f"/api/v1/files/files/{file.pk}/versions/1/download",
        f"/api/v1/files/files/{file.pk}/versions/1/thumbnail",
        f"/api/v1/files/spaces/{s['space'].pk}/items",
    ]
    if role != "anonymous":
        from tests.support.api import bearer

        headers = bearer(people[role])
    else:
        headers = {}
    for url in urls:
        response = c.get(url, headers=headers if url.startswith("/api/") else {})
        if may_view(role, visibility):
            assert response.status_code == 200, (url, response.status_code)
        else:
            assert denied(response.status_code, visibility) or (
                url.startswith("/api/") and response.status_code == 401 and role == "anonymous"
            ), (url, response.status_code)
    assert version.preview_blob  # the thumbnail was made


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_writes(world, role, visibility):
    people, uploader, spaces = world
    s = spaces[visibility]
    c = client_for(people, role)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = c.post(
        f"/files/space/{s['space'].pk}/upload/", {"files": [SimpleUploadedFile("new.txt", b"new\n")]}
    )
    created = File.objects.filter(space=s["space"], name="new.txt").exists()
    assert created == may_contribute(role, visibility), (response.status_code,)
    if not may_view(role, visibility) and role != "anonymous":
        assert denied(response.status_code, visibility)
    response = c.post(f"/files/file/{s['file'].pk}/rename/", {"name": "renamed.png"})
    s["file"].refresh_from_db()
    assert (s["file"].name == "renamed.png") == may_change_others(role, visibility), response.status_code
    # The trash: its page lists what one may restore; restoring needs change rights.
    response = c.post(f"/files/file/{s['trashed'].pk}/restore/")
    s["trashed"].refresh_from_db()
    assert (s["trashed"].deleted_at is None) == may_change_others(role, visibility), response.status_code


@pytest.mark.parametrize("role", ["member", "guest", "other"])
@pytest.mark.parametrize("visibility", ["members"])
def test_trashed_files_are_hidden_from_those_who_cannot_restore(world, make_user, role, visibility):
    people, uploader, spaces = world
    s = spaces["members"]
    c = Client()
    c.force_login(people.get(role) or uploader)
    response = c.get(f"/files/file/{s['trashed'].pk}/")
    assert response.status_code == (200 if role == "other" else 404)  # "other": the uploader themselves


@pytest.mark.parametrize("visibility", ["secret"])
def test_secret_file_is_404_for_a_non_member_everywhere(world, visibility):
    people, _uploader, spaces = world
    s = spaces["secret"]
    outsider = people["outsider"]
    c = client_for(people, "outsider")
    from tests.support.api import bearer

    headers = bearer(outsider)
    file = s["file"]
    for url in (
        f"/files/file/{file.pk}/",
        f"/files/file/{file.pk}/v/1/download/",
        f"/files/file/{file.pk}/v/1/thumbnail/",
        f"/files/folder/{s['folder'].pk}/",
        f"/files/space/{s['space'].pk}/",
        f"/files/space/{s['space'].pk}/trash/",
    ):
        assert c.get(url).status_code == 404, url
    for url in (
        f"/api/v1/files/files/{file.pk}",
        f"/api/v1/files/files/{file.pk}/versions/1/download",
        f"/api/v1/files/files/{file.pk}/versions/1/thumbnail",
        f"/api/v1/files/spaces/{s['space'].pk}/items",
    ):
        assert c.get(url, headers=headers).status_code == 404, url
    missing = File.objects.order_by("-pk").first().pk + 1000
    assert c.get(f"/files/file/{missing}/").status_code == 404  # the same answer as a missing file
    # Writes answer the same.
    assert c.post(f"/files/file/{file.pk}/rename/", {"name": "x"}).status_code == 404
    assert c.post(f"/files/file/{file.pk}/v/1/restore/").status_code == 404
    # Activity: the file's upload is not in any feed the outsider reads.
    from doeplein.activity.selectors import activity_feed

    assert not activity_feed(user=outsider).filter(space=s["space"]).exists()
    assert Activity.objects.filter(space=s["space"], verb="file.uploaded").exists()
    assert c.get("/api/v1/activity", headers=headers).content.count(file.name.encode()) == 0


def test_scanning_version_is_only_for_its_uploader(team, people, upload):
    version = upload(people["member"], team, b"fresh\n", process=False)
    file = version.file
    mine, other = Client(), Client()
    mine.force_login(people["member"])
    other.force_login(people["other_member"])
    assert mine.get(f"/files/file/{file.pk}/v/1/download/").status_code == 200
    assert other.get(f"/files/file/{file.pk}/v/1/download/").status_code == 409


def test_secret_groups_file_is_404_for_a_non_member_through_every_door(make_user, upload):
    """The same as above for a real secret group of the groups plugin (the files plugin does not know it)."""
    from django.apps import apps

    if not apps.is_installed("groups"):
        pytest.skip("needs the groups plugin")
    from doeplein.activity.selectors import activity_feed
    from doeplein.spaces.models import Membership
    from groups.models import Group, GroupPolicy
    from tests.support.api import bearer

    member, outsider = make_user(), make_user()
    group = Group.objects.create(
        name="Geheime werkgroep", slug="geheime-werkgroep", policy=GroupPolicy.SECRET
    )
    Membership.objects.create(space=group, user=member, role=Role.OWNER)
    folder = actions.do_create_folder(user=member, space=group.space_ptr, name="Stukken")
    version = upload(member, group.space_ptr, PNG, name="organogram.png", folder=folder)
    file = version.file
    assert version.preview_blob  # there is a thumbnail to refuse
    inside, outside = Client(), Client()
    inside.force_login(member)
    outside.force_login(outsider)
    pages = (
        f"/files/file/{file.pk}/",
        f"/files/file/{file.pk}/download/",
        f"/files/file/{file.pk}/v/1/download/",
        f"/files/file/{file.pk}/v/1/thumbnail/",
        f"/files/folder/{folder.pk}/",
        f"/files/space/{group.pk}/",
    )
    api = (
        f"/api/v1/files/files/{file.pk}",
        f"/api/v1/files/files/{file.pk}/versions",
        f"/api/v1/files/files/{file.pk}/versions/1/download",
        f"/api/v1/files/files/{file.pk}/versions/1/thumbnail",
        f"/api/v1/files/spaces/{group.pk}/items",
    )
    for url in pages:
        assert inside.get(url).status_code == 200, url
        assert outside.get(url).status_code == 404, url
        assert Client().get(url).status_code in (302, 404), url  # anonymous: log in first, or not found
    for url in api:
        assert Client().get(url, headers=bearer(member)).status_code == 200, url
        assert Client().get(url, headers=bearer(outsider)).status_code == 404, url
    assert activity_feed(user=member).filter(space=group.space_ptr).exists()
    assert not activity_feed(user=outsider).filter(space=group.space_ptr).exists()
    assert b"organogram" not in Client().get("/api/v1/activity", headers=bearer(outsider)).content
