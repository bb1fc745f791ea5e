"""The virus scanner against a real clamd (Debian's clamav-daemon) with the EICAR test signature."""

import pytest
from django.test import Client, override_settings

from doeplein.notifications.models import Notification
from files.actions import do_upload
from files.models import ScanStatus
from files.scanning import ClamdScanner, ScannerUnavailable
from files.tasks import scan_version_task
from tests.conftest import require
from tests.support.clamd import EICAR, SIGNATURE, clamd_path, running_clamd

from .conftest import blob

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def clamd_socket(tmp_path_factory):
    require(clamd_path() is not None, "no clamd (apt-get install clamav-daemon)")
    with running_clamd(tmp_path_factory.mktemp("clamd")) as socket_path:
        yield socket_path


def test_clamd_finds_eicar_and_passes_clean_bytes(clamd_socket):
    scanner = ClamdScanner(socket_path=clamd_socket)
    found = scanner.scan(blob(EICAR))
    assert found.infected and found.signature.startswith(SIGNATURE)
    assert not scanner.scan(blob(b"a perfectly ordinary memo\n" * 1000)).infected


def test_infected_version_is_blocked_kept_and_told(clamd_socket, team, people):
    with override_settings(FILES_SCANNER="clamd", FILES_CLAMD_SOCKET=clamd_socket):
        version = do_upload(user=people["member"], space=team, fileobj=blob(EICAR), name="invoice.txt")
        assert version.scan_status == ScanStatus.SCANNING
        assert scan_version_task.run(version.pk) == ScanStatus.INFECTED
        clean = do_upload(user=people["member"], space=team, fileobj=blob(b"fine\n"), name="fine.txt")
        assert scan_version_task.run(clean.pk) == ScanStatus.CLEAN
    version.refresh_from_db()
    assert version.scan_result.startswith(SIGNATURE)
    assert version.file.versions.count() == 1  # kept for the managers
    for who in ("member", "manager", "owner"):
        assert Notification.objects.filter(recipient=people[who], verb="files.infected").count() == 1, who
    assert not Notification.objects.filter(recipient=people["other_member"], verb="files.infected").exists()
    for who in ("member", "manager", "other_member"):
        c = Client()
        c.force_login(people[who])
        assert c.get(f"/files/file/{version.file_id}/v/1/download/").status_code == 403, who
        assert c.get(f"/files/file/{version.file_id}/").status_code == 200


def test_scanner_down_keeps_the_version_waiting(team, people, tmp_path):
    with override_settings(FILES_SCANNER="clamd", FILES_CLAMD_SOCKET=str(tmp_path / "nobody.sock")):
        version = do_upload(user=people["member"], space=team, fileobj=blob(b"x\n"), name="x.txt")
        with pytest.raises(ScannerUnavailable):
            scan_version_task.run(version.pk)
    version.refresh_from_db()
    assert version.scan_status == ScanStatus.SCANNING
