"""Downloads, previews, text extraction, resumable uploads and the API: safe headers, constant memory,
hostile files marked instead of crashing."""

import base64
import io
import zipfile

import pytest
from django.test import Client, override_settings

from files.models import File, FileVersion, Upload, WorkStatus
from files.processing import extract_text, make_preview

from .conftest import PNG, blob

pytestmark = pytest.mark.django_db


def logged_in(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


@pytest.mark.parametrize(
    ("data", "name", "attachment"),
    [
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "pic.png", True),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg", True),
        (b'<?xml version="1.0"?><a>b</a>', "data.xml", True),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "doc.pdf", True),
        (PNG, "pic.png", False),
        (b"plain words\n", "notes.txt", False),
    ],
)
def test_download_headers(team, people, upload, data, name, attachment):
    version = upload(people["member"], team, data, name=name)
    response = logged_in(people["other_member"]).get(f"/files/file/{version.file_id}/v/1/download/?inline=1")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment" if attachment else "inline")
    assert "sandbox" in response["Content-Security-Policy"]
    if attachment:
        assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == data


def test_download_is_streamed_and_names_are_encoded(team, people, upload):
    version = upload(people["member"], team, b"x" * (3 * 1024 * 1024), name="Verslag “Q1” ñ.txt")
    response = logged_in(people["member"]).get(f"/files/file/{version.file_id}/download/")
    assert response.streaming
    assert "filename*=UTF-8''Verslag%20%E2%80%9CQ1%E2%80%9D%20%C3%B1.txt" in response["Content-Disposition"]
    assert sum(len(c) for c in response.streaming_content) == 3 * 1024 * 1024


@override_settings(FILES_DOWNLOAD_MODE="accel", FILES_ACCEL_PREFIX="/protected-files/")
def test_accel_mode_hands_the_bytes_to_nginx(team, people, upload):
    version = upload(people["member"], team, b"bytes\n")
    response = logged_in(people["member"]).get(f"/files/file/{version.file_id}/download/")
    assert response["X-Accel-Redirect"] == f"/protected-files/{version.blob}"
    assert response.content == b""
    assert response["X-Content-Type-Options"] == "nosniff"


def test_previews_and_text():
    from docx import Document

    out = io.BytesIO()
    document = Document()
    document.add_paragraph("Klimaatadaptatie in de regio")
    document.save(out)
    out.seek(0)
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert extract_text(out, docx_type, len(out.getvalue())) == (
        WorkStatus.READY,
        "Klimaatadaptatie in de regio",
    )
    assert make_preview(io.BytesIO(PNG), "image/png", len(PNG)).status == WorkStatus.READY
    csv_preview = make_preview(io.BytesIO(b"a,b\n1,2\n"), "text/csv", 8)
    assert csv_preview.status == WorkStatus.READY and "1\t2" in csv_preview.text
    assert make_preview(io.BytesIO(b"%PDF-1.4 broken"), "application/pdf", 15).status == WorkStatus.BROKEN
    assert extract_text(io.BytesIO(b"%PDF-1.4 broken"), "application/pdf", 15)[0] == WorkStatus.BROKEN


def test_pdf_first_page_and_encrypted_pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=300)
    plain = io.BytesIO()
    writer.write(plain)
    assert make_preview(io.BytesIO(plain.getvalue()), "application/pdf", 10).status == WorkStatus.READY
    writer.encrypt("secret")
    locked = io.BytesIO()
    writer.write(locked)
    assert extract_text(io.BytesIO(locked.getvalue()), "application/pdf", 10)[0] == WorkStatus.ENCRYPTED
    assert make_preview(io.BytesIO(locked.getvalue()), "application/pdf", 10).status in (
        WorkStatus.ENCRYPTED,
        WorkStatus.BROKEN,
    )


def test_zip_bomb_and_decompression_bomb_are_refused(team, people, upload):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"0" * (300 * 1024 * 1024))
    version = upload(people["member"], team, bomb.getvalue(), name="bomb.zip")
    assert version.preview_status == WorkStatus.REFUSED
    with override_settings(FILES_PREVIEW_MAX_PIXELS=4):
        assert make_preview(io.BytesIO(PNG), "image/png", len(PNG)).status == WorkStatus.REFUSED
    assert (
        extract_text(io.BytesIO(bomb.getvalue()), "application/vnd.oasis.opendocument.text", 10)[0]
        == WorkStatus.REFUSED
    )


def test_extracted_text_reaches_the_search_source(team, people, upload):
    from doeplein.plugins import HOOK_SEARCH_SOURCES, collect

    upload(people["member"], team, b"waterschap dijkversterking\n", name="dijk.txt")
    source = next(s for s in collect(HOOK_SEARCH_SOURCES) if s.key == "files")
    assert "dijkversterking" in source.queryset().get().search_text


def test_attachment_source_answers_through_the_gate(team, people, upload):
    from doeplein.plugins import attachment

    file = upload(people["member"], team, b"x\n", name="bijlage.txt").file
    assert attachment(people["other_member"], f"files:{file.pk}").name == "bijlage.txt"
    assert attachment(people["outsider"], f"files:{file.pk}") is None
    assert attachment(people["member"], "files:99999999999999999999") is None


def _meta(**values):
    return ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in values.items())


def test_tus_upload_resumes_where_it_stopped(team, people):
    c = logged_in(people["member"])
    data = b"0123456789" * 1000
    created = c.post(
        "/files/tus/",
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_LENGTH=str(len(data)),
        HTTP_UPLOAD_METADATA=_meta(filename="groot.bin", space=team.pk),
    )
    assert created.status_code == 201, created.content
    location = created["Location"]
    first = c.generic(
        "PATCH",
        location,
        data[:4000],
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET="0",
        HTTP_TUS_RESUMABLE="1.0.0",
    )
    assert first.status_code == 204 and first["Upload-Offset"] == "4000"
    # The connection dropped; the client asks where the server stands, and a wrong offset is refused.
    assert c.head(location, HTTP_TUS_RESUMABLE="1.0.0")["Upload-Offset"] == "4000"
    wrong = c.generic(
        "PATCH",
        location,
        data[2000:],
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET="2000",
    )
    assert wrong.status_code == 409
    rest = c.generic(
        "PATCH",
        location,
        data[4000:],
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET="4000",
    )
    assert rest.status_code == 204 and rest["Upload-Offset"] == str(len(data))
    file = File.objects.get(name="groot.bin")
    from files.storage import file_storage

    assert file_storage().open(file.current.blob).read() == data
    assert Upload.objects.get().result == file.current


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"HTTP_UPLOAD_LENGTH": "abc"}, 400),
        ({"HTTP_UPLOAD_LENGTH": "0"}, 400),
        ({"HTTP_UPLOAD_LENGTH": "10", "HTTP_UPLOAD_METADATA": "filename !!!notbase64"}, 400),
        ({"HTTP_UPLOAD_LENGTH": str(10**15)}, 413),
        ({"HTTP_UPLOAD_LENGTH": "10", "HTTP_UPLOAD_METADATA": None}, 400),
        ({"HTTP_UPLOAD_LENGTH": "10", "HTTP_UPLOAD_METADATA": "dotdot"}, 400),
    ],
)
def test_tus_bad_input_is_a_clear_4xx(team, people, headers, status):
    c = logged_in(people["member"])
    headers = {"HTTP_UPLOAD_METADATA": _meta(filename="ok.txt", space=team.pk), **headers}
    if headers["HTTP_UPLOAD_METADATA"] == "dotdot":
        headers["HTTP_UPLOAD_METADATA"] = _meta(filename="../x.txt", space=team.pk)
    headers = {k: v for k, v in headers.items() if v is not None}
    response = c.post("/files/tus/", **headers)
    assert response.status_code == status, response.content
    assert "detail" in response.json()


def test_tus_for_an_outsider_of_a_secret_space_is_404(make_space, people):
    secret = make_space("secret")
    response = logged_in(people["outsider"]).post(
        "/files/tus/", HTTP_UPLOAD_LENGTH="5", HTTP_UPLOAD_METADATA=_meta(filename="a", space=secret.pk)
    )
    assert response.status_code == 404


def test_api_upload_version_restore_and_openapi(team, people, call, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.support.api import bearer

    headers = bearer(people["member"])
    response = client.post(
        f"/api/v1/files/spaces/{team.pk}/files",
        {"files": [SimpleUploadedFile("a.txt", b"one\n"), SimpleUploadedFile("b.txt", b"two\n")]},
        headers=headers,
    )
    assert response.status_code == 201, response.content
    first = response.json()[0]
    assert first["current"]["scan_status"] == "scanning"
    from files.tasks import scan_version_task

    for v in FileVersion.objects.all():
        scan_version_task.run(v.pk)
    response = client.post(
        f"/api/v1/files/files/{first['id']}/versions",
        {"file": SimpleUploadedFile("a.txt", b"one, better\n"), "note": "beter"},
        headers=headers,
    )
    assert response.status_code == 201 and response.json()["version_count"] == 2
    restored = client.post(f"/api/v1/files/files/{first['id']}/versions/1/restore", headers=headers)
    assert restored.status_code == 201 and restored.json()["version_count"] == 3
    empty = client.post(
        f"/api/v1/files/spaces/{team.pk}/files",
        {"files": [SimpleUploadedFile("e.txt", b"")]},
        headers=headers,
    )
    assert empty.status_code == 400 and empty.json()["code"] == "empty_file"
    bad = call("post", f"/files/files/{first['id']}/rename", people["member"], {"name": "a/b"})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_name"
    assert (
        call(
            "post", f"/files/files/{first['id']}/rename", people["member"], {"name": "x", "extra": 1}
        ).status_code
        == 422
    )
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/files/spaces/{space_id}/files" in schema["paths"]
    assert "/api/v1/files/files/{file_id}/versions/{number}/restore" in schema["paths"]


def test_plain_form_uploads_several_files_and_shows_the_room_left(team, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = logged_in(people["member"])
    page = c.get(f"/files/space/{team.pk}/")
    assert b"You can still upload" in page.content
    response = c.post(
        f"/files/space/{team.pk}/upload/",
        {"files": [SimpleUploadedFile("a.txt", b"1\n"), SimpleUploadedFile("b.txt", b"2\n")]},
    )
    assert response.status_code == 302
    assert set(File.objects.values_list("name", flat=True)) == {"a.txt", "b.txt"}
    with override_settings(FILES_SPACE_QUOTA_BYTES=3):
        full = c.post(
            f"/files/space/{team.pk}/upload/", {"files": [SimpleUploadedFile("c.txt", b"333\n")]}, follow=True
        )
        assert b"There is not enough room" in full.content


def test_folder_page_sorts_and_pages(team, people, upload):
    for i in range(60):
        upload(people["member"], team, b"x" * (i + 1), name=f"f{i:02d}.txt", process=False)
    c = logged_in(people["member"])
    page1 = c.get(f"/files/space/{team.pk}/?sort=-size").content.decode()
    assert page1.index("f59.txt") < page1.index("f58.txt") and "f00.txt" not in page1
    assert "f00.txt" in c.get(f"/files/space/{team.pk}/?sort=-size&page=2").content.decode()
    assert c.get(f"/files/space/{team.pk}/?sort=bogus&page=zzz").status_code == 200


def test_files_section_on_the_space_home(team, people, upload):
    from django.test import RequestFactory

    from files.wagtail_hooks import render_files

    upload(people["member"], team, b"x\n", name="zichtbaar.txt")
    request = RequestFactory().get("/")
    request.user = people["member"]
    html = render_files(request, team)
    assert "zichtbaar.txt" in html and "upload" in html
    request.user = people["outsider"]
    assert "zichtbaar.txt" not in render_files(request, team)
    assert blob  # the helper stays importable for other tests


def test_tus_with_a_bearer_token(team, people):
    from tests.support.api import bearer

    c = Client()
    headers = bearer(people["member"])
    created = c.post(
        "/files/tus/",
        HTTP_UPLOAD_LENGTH="3",
        HTTP_UPLOAD_METADATA=_meta(filename="t.txt", space=team.pk),
        headers=headers,
    )
    assert created.status_code == 201
    done = c.generic(
        "PATCH",
        created["Location"],
        b"abc",
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET="0",
        headers=headers,
    )
    assert done.status_code == 204 and File.objects.filter(name="t.txt").exists()
    assert (
        Client()
        .post("/files/tus/", HTTP_UPLOAD_LENGTH="3", headers={"Authorization": "Bearer nonsense"})
        .status_code
        == 401
    )


HUGE = str(2**70)


def test_files_urls_never_answer_500_to_odd_input(team, people, upload):
    file = upload(people["member"], team, b"x\n").file
    c = Client(raise_request_exception=False)
    c.force_login(people["member"])
    urls = [
        f"/files/space/{HUGE}/",
        f"/files/folder/{HUGE}/",
        f"/files/file/{HUGE}/",
        f"/files/file/{HUGE}/v/{HUGE}/download/",
        f"/files/file/{file.pk}/v/{HUGE}/download/",
        f"/files/file/{file.pk}/v/{HUGE}/thumbnail/",
        f"/files/file/{HUGE}/rename/",
        f"/files/folder/{HUGE}/move/",
        f"/files/space/{team.pk}/trash/",
        "/files/tus/00000000-0000-0000-0000-000000000000",
    ]
    forms = [
        {},
        {
            "name": "\x00" * 300,
            "folder": HUGE,
            "space": HUGE,
            "parent": "x",
            "sort": "'",
            "next": "https://evil.example/",
        },
    ]
    for url in urls:
        assert c.get(url + "?page=zz&sort=%00").status_code < 500, url
        for data in forms:
            assert c.post(url, data).status_code < 500, (url, data)
    for action in ("rename", "move", "trash", "restore", "follow", "copy", "versions"):
        for data in forms:
            response = c.post(f"/files/file/{file.pk}/{action}/", data)
            assert response.status_code < 500, (action, data, response.status_code)
            assert "evil.example" not in response.get("Location", "")
    response = c.post(f"/files/space/{team.pk}/upload/", {"next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response["Location"]
