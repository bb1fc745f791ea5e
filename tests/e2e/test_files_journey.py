"""The files journey in a real browser: a member drops two files on a secret group's files page (one
progress bar each, resumable tus upload), uploads a second version of one with the plain form; another
member downloads the first version; the first member restores it; an outsider gets 404 for the download.
Every page on the way passes axe-core's WCAG 2.1 A/AA rules, at desktop and phone sizes (screenshots in
var/screenshots/)."""

import re

import pytest
from django.test import override_settings

from tests.e2e.conftest import SIZES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-unusual-passphrase"

DROP_TWO_FILES = """([first, second]) => {
  const zone = document.querySelector('.dropzone');
  const data = new DataTransfer();
  data.items.add(new File([first], 'begroting.csv', {type: 'text/csv'}));
  data.items.add(new File([second], 'notulen.txt', {type: 'text/plain'}));
  for (const type of ['dragenter', 'dragover', 'drop']) {
    zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: data}));
  }
}"""


def log_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, page.inner_text("main")


def run_scans():
    """What the Celery worker does after each upload (the queue here has no worker)."""
    from files.models import FileVersion
    from files.tasks import scan_version_task

    for pk in FileVersion.objects.filter(scan_status="scanning").values_list("pk", flat=True):
        scan_version_task.run(pk)


def test_members_upload_version_download_and_restore_while_an_outsider_gets_404(
    live_server, home_site, browser, make_user, make_space, task_broker, screen, look, tmp_path
):
    from doeplein.spaces.models import Role
    from files.models import File

    first_member = make_user(password=PASSWORD, first_name="Fleur")
    second_member = make_user(password=PASSWORD, first_name="Daan")
    outsider = make_user(password=PASSWORD, first_name="Olaf")
    group = make_space(
        "secret", members={first_member: Role.MEMBER, second_member: Role.MEMBER}, name="Begrotingsgroep"
    )
    base = live_server.url

    with override_settings(
        FILES_ROOT=str(tmp_path / "store"), FILES_UPLOAD_TMP=str(tmp_path / "tmp"), FILES_SCANNER="none"
    ):
        page = browser.new_context(locale="en-GB", viewport=SIZES[screen]).new_page()
        log_in(page, base, first_member.email)
        page.goto(f"{base}/files/space/{group.pk}/")
        look(page, "files-folder")
        page.evaluate(DROP_TWO_FILES, ["post,bedrag\nwegen,100\n", "Notulen van maandag\n"])
        assert page.locator(".upload-progress progress").count() == 2  # one bar per file
        page.wait_for_function(
            "document.querySelectorAll('.upload-progress li[data-done]').length === 2 || document.querySelector('.upload-progress li[data-failed]')"
        )
        assert page.locator(".upload-progress li[data-failed]").count() == 0, page.inner_text(
            ".upload-progress"
        )
        page.wait_for_load_state()
        look(page, "files-folder-uploaded")
        assert set(File.objects.values_list("name", flat=True)) == {"begroting.csv", "notulen.txt"}
        run_scans()

        budget = File.objects.get(name="begroting.csv")
        page.goto(f"{base}/files/file/{budget.pk}/")
        page.locator("#id_file").set_input_files(
            files=[
                {"name": "begroting-v2.csv", "mimeType": "text/csv", "buffer": b"post,bedrag\nwegen,250\n"}
            ]
        )
        page.get_by_label("What changed (optional)").fill("Wegen duurder")
        page.get_by_role("button", name="Upload version").click()
        page.wait_for_load_state()
        run_scans()
        page.reload()
        assert page.locator("table.versions tbody tr").count() == 2
        look(page, "files-file")

        # Another member downloads the first version.
        other = browser.new_context(locale="en-GB", viewport=SIZES[screen], accept_downloads=True).new_page()
        log_in(other, base, second_member.email)
        other.goto(f"{base}/files/file/{budget.pk}/")
        look(other, "files-file-other-member")
        with other.expect_download() as download_info:
            other.get_by_role("link", name="Download version 1").click()
        download = download_info.value
        with open(download.path(), "rb") as fh:
            assert fh.read() == b"post,bedrag\nwegen,100\n"

        # The first member restores version 1 (as version 3).
        page.get_by_role("button", name="Restore version 1").click()
        page.wait_for_load_state()
        budget.refresh_from_db()
        assert budget.version_count == 3 and budget.current.restored_from.number == 1
        assert page.locator("table.versions tbody tr").count() == 3
        look(page, "files-file-restored")

        # An outsider gets the same 404 as for a file that does not exist.
        stranger = browser.new_context(locale="en-GB", viewport=SIZES[screen]).new_page()
        log_in(stranger, base, outsider.email)
        response = stranger.goto(f"{base}/files/file/{budget.pk}/v/1/download/")
        assert response.status == 404
        assert stranger.goto(f"{base}/files/file/{budget.pk}/").status == 404
        assert re.search(r"404", stranger.inner_text("main"))
        look(stranger, "files-not-found")
