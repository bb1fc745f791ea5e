"""Every bad input the issue names, through the pages, the API and the resumable endpoint: each gets a
clear message and a 4xx (or a file marked as refused), never a 500, and no stored version is lost or
overwritten. (The actions' own refusals are in test_actions.py; this file checks what people see.)"""

import base64
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from files import actions
from files.models import File, FileVersion, Upload, WorkStatus
from tests.support.api import bearer

from .conftest import PNG

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00"
EXE += b"\x00" * 64 + b"PE\x00\x00L\x01" + b"\x00" * 200


def english(user=None):
    c = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    if user is not None:
        c.force_login(user)
    return c


def api_upload(user, space, *files):
    return Client(raise_request_exception=False).post(
        f"/api/v1/files/spaces/{space.pk}/files",
        {"files": [SimpleUploadedFile(name, data) for name, data in files]},
        headers={**bearer(user), "Accept-Language": "en"},
    )


def form_upload(user, space, *files):
    """The plain form, followed to the page that shows the message."""
    return english(user).post(
        f"/files/space/{space.pk}/upload/",
        {"files": [SimpleUploadedFile(name, data) for name, data in files]},
        follow=True,
    )


def meta(**values):
    return ",".join(
        f"{k} {base64.b64encode(v if isinstance(v, bytes) else str(v).encode()).decode()}"
        for k, v in values.items()
    )


def tus_create(user, space, length, filename="ok.txt", raw_meta=None):
    return english(user).post(
        "/files/tus/",
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_LENGTH=str(length),
        HTTP_UPLOAD_METADATA=raw_meta if raw_meta is not None else meta(filename=filename, space=space.pk),
    )


# --- zero bytes, the limit, the quota -------------------------------------------------------------------


def test_zero_byte_file_is_a_clear_400_on_every_edge(team, people):
    member = people["member"]
    answer = api_upload(member, team, ("leeg.txt", b""))
    assert answer.status_code == 400 and answer.json() == {
        "detail": "The file is empty.",
        "code": "empty_file",
    }
    page = form_upload(member, team, ("leeg.txt", b""))
    assert page.status_code == 200 and "The submitted file is empty." in page.content.decode()  # the form's
    answer = tus_create(member, team, 0)
    assert answer.status_code == 400 and answer.json()["detail"]
    assert not File.objects.exists()


@override_settings(FILES_MAX_UPLOAD_BYTES=100)
def test_file_over_the_limit_is_a_413_with_the_limit_in_the_message(team, people):
    answer = api_upload(people["member"], team, ("groot.bin", b"x" * 101))
    assert answer.status_code == 413 and answer.json()["code"] == "too_large"
    assert "100\xa0bytes" in answer.json()["detail"]
    assert "too large" in form_upload(people["member"], team, ("groot.bin", b"x" * 101)).content.decode()
    answer = tus_create(people["member"], team, 101)
    assert answer.status_code == 413 and answer.json()["code"] == "too_large"
    assert not File.objects.exists()


@override_settings(FILES_SPACE_QUOTA_BYTES=30)
def test_full_space_shows_the_room_left_and_refuses_with_a_clear_413(team, people, upload):
    kept = upload(people["member"], team, b"x" * 25, name="eerste.txt")
    page = english(people["other_member"]).get(f"/files/space/{team.pk}/").content.decode()
    assert "5\xa0bytes" in page  # the room left, shown above the upload form
    info = Client().get(f"/api/v1/files/spaces/{team.pk}", headers=bearer(people["other_member"])).json()
    assert info["remaining_bytes"] == 5
    answer = api_upload(people["other_member"], team, ("tweede.txt", b"y" * 6))
    assert answer.status_code == 413 and answer.json()["code"] == "quota_exceeded"
    assert "not enough room" in answer.json()["detail"]
    assert (
        "not enough room" in form_upload(people["other_member"], team, ("t.txt", b"y" * 6)).content.decode()
    )
    assert tus_create(people["other_member"], team, 6).status_code == 413
    # A new version that does not fit is refused too; the old one stays.
    answer = Client(raise_request_exception=False).post(
        f"/api/v1/files/files/{kept.file_id}/versions",
        {"file": SimpleUploadedFile("eerste.txt", b"z" * 10)},
        headers={**bearer(people["member"]), "Accept-Language": "en"},
    )
    assert answer.status_code == 413
    assert list(FileVersion.objects.values_list("file__name", "number")) == [("eerste.txt", 1)]


# --- names ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("../../etc/passwd", "cannot contain /"),
        ("..", "not allowed"),
        ("map\\rapport.txt", "cannot contain /"),
        ("regel\nnieuw.txt", "control characters"),
        ("bel\x07.txt", "control characters"),
        ("factuur\u202efdp.exe", "reverse or hide"),
        ("onzichtbaar\u200b.txt", "reverse or hide"),
        ("x" * 256 + ".txt", "at most 255"),
    ],
)
def test_bad_names_are_a_clear_400_through_the_api_and_the_page(team, people, upload, name, words):
    file = upload(people["member"], team, b"inhoud\n", name="goed.txt").file
    answer = Client(raise_request_exception=False).post(
        f"/api/v1/files/files/{file.pk}/rename",
        {"name": name},
        content_type="application/json",
        headers={**bearer(people["member"]), "Accept-Language": "en"},
    )
    if len(name) > 300:
        assert answer.status_code == 422  # the schema's own limit, before the action
    else:
        assert answer.status_code == 400 and answer.json()["code"] == "bad_name"
        assert words in answer.json()["detail"]
    page = english(people["member"]).post(f"/files/file/{file.pk}/rename/", {"name": name}, follow=True)
    assert page.status_code == 200
    assert words in page.content.decode() or "at most" in page.content.decode()
    answer = tus_create(people["member"], team, 5, filename=name)
    assert answer.status_code == 400 and answer.json()["detail"]
    file.refresh_from_db()
    assert file.name == "goed.txt"


def test_non_utf8_names_are_refused(team, people):
    answer = tus_create(people["member"], team, 5, raw_meta=meta(filename=b"caf\xe9.txt", space=team.pk))
    assert answer.status_code == 400 and answer.json()["code"] == "bad_metadata"
    # A browser that sends Latin-1 bytes in a multipart file name: Django's parser drops that part, so
    # the upload has no file: a 422 that names the missing field (the plain form says so too).
    body = (
        b'--B\r\nContent-Disposition: form-data; name="files"; filename="caf\xe9.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nkoffie\n\r\n--B--\r\n"
    )
    answer = Client(raise_request_exception=False).generic(
        "POST",
        f"/api/v1/files/spaces/{team.pk}/files",
        body,
        content_type="multipart/form-data; boundary=B",
        headers={**bearer(people["member"]), "Accept-Language": "en"},
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["loc"][-1] == "files", answer.content
    page = english(people["member"]).generic(
        "POST", f"/files/space/{team.pk}/upload/", body, content_type="multipart/form-data; boundary=B"
    )
    assert page.status_code == 302
    assert not File.objects.exists()


def test_very_long_name_through_a_multipart_upload_is_shortened_by_django_keeping_its_extension(team, people):
    # Django's UploadedFile cuts names over 255 characters before any of our code sees them (keeping
    # the extension); the resumable uploader, renames and folders refuse them with a 400 (above).
    page = form_upload(people["member"], team, ("a" * 300 + ".txt", b"x\n"))
    assert page.status_code == 200
    name = File.objects.get().name
    assert len(name) == 255 and name.endswith(".txt")


# --- types: double extensions, a PNG that is HTML, an SVG with script ---------------------------------


def test_double_extension_executable_is_refused_by_its_bytes(team, people):
    answer = api_upload(people["member"], team, ("rapport.pdf.exe", EXE))
    assert answer.status_code == 415 and answer.json()["code"] == "refused_type"
    assert "not accepted" in answer.json()["detail"]
    answer = api_upload(people["member"], team, ("rapport.pdf", EXE))  # the name hides nothing either
    assert answer.status_code == 415
    assert "not accepted" in form_upload(people["member"], team, ("rapport.pdf.exe", EXE)).content.decode()
    assert not File.objects.exists()


def test_double_extension_of_harmless_bytes_is_kept_as_named_and_typed_by_its_bytes(team, people, upload):
    version = upload(people["member"], team, b"gewoon tekst\n", name="rapport.pdf.txt")
    assert version.file.name == "rapport.pdf.txt" and version.content_type == "text/plain"


def test_png_that_is_really_html_is_served_as_an_attachment_without_preview(team, people, upload):
    html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    version = upload(people["member"], team, html, name="foto.png")
    assert version.content_type == "text/html" and version.preview_blob == ""
    answer = english(people["other_member"]).get(f"/files/file/{version.file_id}/v/1/download/?inline=1")
    assert answer["Content-Disposition"].startswith("attachment")
    assert (
        answer["Content-Type"] == "application/octet-stream" and answer["X-Content-Type-Options"] == "nosniff"
    )
    assert (
        english(people["other_member"]).get(f"/files/file/{version.file_id}/v/1/thumbnail/").status_code
        == 404
    )


def test_svg_with_script_is_an_attachment_never_inline_and_gets_no_thumbnail(team, people, upload):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
    version = upload(people["member"], team, svg, name="logo.svg")
    assert version.content_type == "image/svg+xml"
    assert version.preview_status != WorkStatus.READY and version.preview_blob == ""
    for url in (
        f"/files/file/{version.file_id}/v/1/download/?inline=1",
        f"/files/file/{version.file_id}/download/",
    ):
        answer = english(people["other_member"]).get(url)
        assert answer["Content-Disposition"].startswith("attachment"), url
        assert "sandbox" in answer["Content-Security-Policy"]
    api = Client().get(
        f"/api/v1/files/files/{version.file_id}/versions/1/download", headers=bearer(people["other_member"])
    )
    assert api["Content-Disposition"].startswith("attachment")
    assert (
        english(people["other_member"]).get(f"/files/file/{version.file_id}/v/1/thumbnail/").status_code
        == 404
    )


# --- a zip bomb offered for preview ----------------------------------------------------------------------


def test_zip_bomb_gets_no_preview_and_no_text_and_its_page_still_works(team, people, upload):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("content.xml", b"0" * (300 * 1024 * 1024))
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text")
    version = upload(people["member"], team, bomb.getvalue(), name="notulen.odt")
    assert version.preview_status == WorkStatus.REFUSED
    assert version.text_status in (WorkStatus.REFUSED, WorkStatus.NONE)
    page = english(people["other_member"]).get(f"/files/file/{version.file_id}/")
    assert page.status_code == 200
    assert (
        english(people["other_member"]).get(f"/files/file/{version.file_id}/v/1/thumbnail/").status_code
        == 404
    )


# --- truncated and aborted uploads ----------------------------------------------------------------------


def test_truncated_multipart_upload_is_a_400_and_stores_nothing(team, people):
    body = (
        b'--B\r\nContent-Disposition: form-data; name="files"; filename="half.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nthe first half of a file that never"
    )
    for url in (f"/api/v1/files/spaces/{team.pk}/files", f"/files/space/{team.pk}/upload/"):
        c = english(people["member"])
        answer = c.generic(
            "POST",
            url,
            body,
            content_type="multipart/form-data; boundary=B",
            headers=bearer(people["member"]),
        )
        assert 400 <= answer.status_code < 500 or answer.status_code == 302, (url, answer.status_code)
    assert not File.objects.exists() and not FileVersion.objects.exists()


def test_aborted_resumable_upload_keeps_its_offset_makes_no_version_and_expires(team, people):
    from django.utils import timezone

    from files.tus import expire_uploads

    c = english(people["member"])
    location = tus_create(people["member"], team, 100)["Location"]
    half = c.generic(
        "PATCH",
        location,
        b"a" * 40,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET="0",
        HTTP_TUS_RESUMABLE="1.0.0",
    )
    assert half.status_code == 204 and half["Upload-Offset"] == "40"
    assert not FileVersion.objects.exists()  # nothing half-made is ever a version
    too_much = c.generic(
        "PATCH",
        location,
        b"b" * 80,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET="40",
        HTTP_TUS_RESUMABLE="1.0.0",
    )
    assert too_much.status_code in (400, 409, 413) and too_much.json()["detail"]
    assert c.head(location, HTTP_TUS_RESUMABLE="1.0.0")["Upload-Offset"] == "40"
    # The client gave up; the hourly task removes it, and its address is then a 404.
    Upload.objects.update(expires_at=timezone.now())
    expire_uploads()
    assert not Upload.objects.exists()
    assert c.head(location, HTTP_TUS_RESUMABLE="1.0.0").status_code == 404
    assert not FileVersion.objects.exists()


def test_abort_with_delete_removes_the_upload(team, people):
    c = english(people["member"])
    location = tus_create(people["member"], team, 100)["Location"]
    assert c.delete(location, HTTP_TUS_RESUMABLE="1.0.0").status_code == 204
    assert not Upload.objects.exists() and not FileVersion.objects.exists()


# --- a move into a folder that was just deleted; a copy into one --------------------------------------


def test_move_into_a_folder_just_deleted_is_a_409_through_api_and_page(team, people, upload):
    member = people["member"]
    target = actions.do_create_folder(user=member, space=team, name="Doel")
    file = upload(member, team, b"x\n", name="verplaats.txt").file
    actions.do_trash(user=people["manager"], obj=target)
    answer = Client(raise_request_exception=False).post(
        f"/api/v1/files/files/{file.pk}/move",
        {"folder": target.pk},
        content_type="application/json",
        headers={**bearer(member), "Accept-Language": "en"},
    )
    assert answer.status_code == 409 and answer.json()["code"] == "folder_deleted"
    assert "deleted in the meantime" in answer.json()["detail"]
    page = english(member).post(f"/files/file/{file.pk}/move/", {"folder": target.pk}, follow=True)
    assert "deleted in the meantime" in page.content.decode()
    # Uploading into it or making a folder in it is refused the same way.
    answer = Client(raise_request_exception=False).post(
        f"/api/v1/files/spaces/{team.pk}/files",
        {"files": [SimpleUploadedFile("in.txt", b"x\n")], "folder": target.pk},
        headers={**bearer(member), "Accept-Language": "en"},
    )
    assert answer.status_code == 409
    answer = Client(raise_request_exception=False).post(
        f"/api/v1/files/spaces/{team.pk}/folders",
        {"name": "Sub", "parent": target.pk},
        content_type="application/json",
        headers={**bearer(member), "Accept-Language": "en"},
    )
    assert answer.status_code == 409
    file.refresh_from_db()
    assert file.folder_id is None and file.deleted_at is None


# --- two people uploading a new version at the same moment: see test_actions.py (real threads) ---------


def test_new_version_of_a_file_trashed_meanwhile_is_a_409_and_keeps_every_version(team, people, upload):
    file = upload(people["member"], team, b"een\n", name="stuk.txt").file
    actions.do_trash(user=people["manager"], obj=file)
    answer = Client(raise_request_exception=False).post(
        f"/api/v1/files/files/{file.pk}/versions",
        {"file": SimpleUploadedFile("stuk.txt", b"twee\n")},
        headers={**bearer(people["manager"]), "Accept-Language": "en"},
    )
    assert answer.status_code == 409 and "trash" in answer.json()["detail"]
    assert FileVersion.objects.filter(file=file).count() == 1


def test_thumbnail_of_an_image_is_made_and_served_inline(team, people, upload):
    version = upload(people["member"], team, PNG, name="rood.png")
    answer = english(people["other_member"]).get(f"/files/file/{version.file_id}/v/1/thumbnail/")
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
