"""Attachments: files the files plugin offers through the core's ``doeplein_attachment_sources`` hook
(blogs never imports files). A post holds keys; every reader is shown only the attachments the gate
lets them download, on the page and in the API."""

import io

import pytest
from django.test import Client, override_settings

from blogs import actions
from blogs.models import Post
from doeplein.core.exceptions import ActionError
from doeplein.spaces.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.needs_plugins("files")]


@pytest.fixture(autouse=True)
def files_root(tmp_path):
    with override_settings(
        FILES_ROOT=str(tmp_path / "store"), FILES_UPLOAD_TMP=str(tmp_path / "tmp"), FILES_SCANNER="none"
    ):
        yield tmp_path


@pytest.fixture
def upload():
    """A file stored through the files plugin's own action, scanned as its worker would."""
    from files.actions import do_upload
    from files.tasks import scan_version_task

    def do(user, space, name="verslag.txt", data=b"Wat we maten\n"):
        blob = io.BytesIO(data)
        blob.name = name
        version = do_upload(user=user, space=space, fileobj=blob, name=name)
        scan_version_task.run(version.pk)
        version.refresh_from_db()
        return version.file

    return do


def logged_in(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_hook_offers_the_space_files_and_the_form_attaches_them(cast, upload):
    c = cast("members")
    report = upload(c.member, c.space, "meetrapport.txt")
    other = cast("members")
    elsewhere = upload(other.member, other.space, "elders.txt")  # a space the author is not in
    client = logged_in(c.author)
    form = client.get(f"/blogs/write/?space={c.space.pk}").content.decode()
    assert f'value="files:{report.pk}"' in form and "meetrapport.txt" in form
    assert "elders.txt" not in form
    response = client.post(
        f"/blogs/write/?space={c.space.pk}",
        {
            "title": "Met bijlage",
            "visibility": "space",
            "space": c.space.pk,
            "attachments": [f"files:{report.pk}"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    post = Post.objects.get(title="Met bijlage")
    assert post.attachments == [f"files:{report.pk}"]
    # A key the form did not offer is refused by the form; the action refuses it on every channel.
    bad = client.post(
        f"/blogs/write/?space={c.space.pk}",
        {
            "title": "Fout",
            "visibility": "space",
            "space": c.space.pk,
            "attachments": [f"files:{elsewhere.pk}"],
        },
    )
    assert bad.status_code == 400 and not Post.objects.filter(title="Fout").exists()
    with pytest.raises(ActionError) as refused:
        actions.do_create_post(
            user=c.author, space=c.space, title="Fout", attachments=[f"files:{elsewhere.pk}"]
        )
    assert (refused.value.status, refused.value.code) == (422, "bad_attachment")
    with pytest.raises(ActionError) as unknown:
        actions.do_create_post(user=c.author, space=c.space, title="Fout", attachments=["nothing:1"])
    assert unknown.value.code == "bad_attachment"


def test_readers_see_only_attachments_they_may_download(cast, write, upload, call):
    from files.actions import do_trash

    c = cast("public")
    kept = upload(c.member, c.space, "begroting.csv", b"post,bedrag\n")
    trashed = upload(c.author, c.space, "oud.txt")
    post = write(c.author, c.space, attachments=[f"files:{kept.pk}", f"files:{trashed.pk}"])
    page = logged_in(c.member).get(f"/blogs/posts/{post.pk}/").content.decode()
    assert f'href="/files/file/{kept.pk}/download/"' in page
    assert "begroting.csv" in page and "oud.txt" in page

    # The file goes to the trash: no reader sees it any more, the post page and the API still answer.
    do_trash(user=c.author, obj=trashed)
    for reader in (c.member, c.outsider, c.anonymous):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if reader.is_authenticated:
            client.force_login(reader)
        response = client.get(f"/blogs/posts/{post.pk}/")
        assert response.status_code == 200
        text = response.content.decode()
        assert "begroting.csv" in text and "oud.txt" not in text
    body = call("get", f"/blogs/posts/{post.pk}", c.member).json()
    assert [a["name"] for a in body["attachments"]] == ["begroting.csv"]
    assert body["attachments"][0]["key"] == f"files:{kept.pk}"
    # The links lead to the files plugin's own download, which asks the gate again.
    assert logged_in(c.member).get(body["attachments"][0]["download_url"]).status_code == 200
    assert logged_in(c.member).get(f"/files/file/{trashed.pk}/download/").status_code == 404


def test_api_sets_attachments_and_an_editor_keeps_what_they_cannot_see(cast, write, upload, call):
    c = cast("members")
    first = upload(c.author, c.space, "een.txt")
    second = upload(c.member, c.space, "twee.txt")
    created = call(
        "post",
        "/blogs/posts",
        c.author,
        {"space": c.space.pk, "title": "Via de API", "attachments": [f"files:{first.pk}"]},
    )
    assert created.status_code == 201, created.content
    assert [a["name"] for a in created.json()["attachments"]] == ["een.txt"]
    post_id = created.json()["id"]
    patched = call(
        "patch",
        f"/blogs/posts/{post_id}",
        c.author,
        {"attachments": [f"files:{first.pk}", f"files:{second.pk}"]},
    )
    assert patched.status_code == 200, patched.content
    assert Post.objects.get(pk=post_id).attachments == [f"files:{first.pk}", f"files:{second.pk}"]
    too_many = call("patch", f"/blogs/posts/{post_id}", c.author, {"attachments": ["files:1"] * 21})
    assert too_many.status_code in (400, 422)
    bad = call("patch", f"/blogs/posts/{post_id}", c.author, {"attachments": ["files:999999"]})
    assert bad.status_code == 422 and Post.objects.get(pk=post_id).attachments[0] == f"files:{first.pk}"


def test_a_secret_groups_file_never_shows_on_a_post_elsewhere(cast, make_space, upload, make_user):
    c = cast("public")
    secret = make_space("secret", members={c.author: Role.MEMBER})
    hidden = upload(c.author, secret, "geheim.txt")
    # Even a key stored by hand (an old revision, a bug) is filtered when shown: the post's own space only.
    post = actions.do_create_post(user=c.author, space=c.space, title="Openbaar")
    post = actions.do_publish_post(user=c.author, post=post)
    Post.objects.filter(pk=post.pk).update(attachments=[f"files:{hidden.pk}"])
    for reader in (c.author, c.member, c.outsider):
        assert "geheim.txt" not in logged_in(reader).get(f"/blogs/posts/{post.pk}/").content.decode()
