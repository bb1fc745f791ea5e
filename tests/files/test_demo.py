"""Demo files: every shared demo space gets folders, Dutch and English files of several real types
(text, CSV, PNG, PDF, Word) and a second version; a person gets their own files; a second run adds
nothing."""

import pytest

from doeplein.spaces.models import Role
from files.demo import files_demo_data
from files.models import File, FileVersion, Folder, WorkStatus
from files.personal import personal_space_of

pytestmark = pytest.mark.django_db


def test_demo_fills_every_shared_space_once(make_user, make_space, django_capture_on_commit_callbacks):
    owner, member, alone = make_user(), make_user(), make_user()
    spaces = [
        make_space(visibility, members={owner: Role.OWNER, member: Role.MEMBER})
        for visibility in ("public", "secret")
    ]
    lonely = make_space("members", members={alone: Role.OWNER})  # one person: not a shared space
    steps = []
    with django_capture_on_commit_callbacks(execute=True):
        files_demo_data(steps.append)
    assert steps == [1]
    for space in spaces:
        names = set(File.objects.filter(space=space).values_list("name", flat=True))
        assert {
            "Verslag overleg datadeling.txt",
            "Annual report 2025.pdf",
            "Aanvragen per kwartaal.csv",
        } <= names
        assert Folder.objects.filter(space=space, parent__isnull=False).exists()  # nested
        memo = File.objects.get(space=space, name="Verslag overleg datadeling.txt")
        assert memo.version_count == 2 and memo.versions.get(number=2).note
        types = set(FileVersion.objects.filter(file__space=space).values_list("content_type", flat=True))
        assert {"text/plain", "text/csv", "image/png", "application/pdf"} <= types
        assert any("wordprocessingml" in t for t in types)
    assert not File.objects.filter(space=lonely).exists()
    pdf = FileVersion.objects.filter(file__name="Annual report 2025.pdf").first()
    assert pdf.scan_status == "clean" and "Shared services" in pdf.text
    png = FileVersion.objects.filter(content_type="image/png").first()
    assert png.preview_status == WorkStatus.READY and (png.width, png.height) == (320, 200)
    mine = personal_space_of(owner)
    assert mine is not None and File.objects.filter(space=mine).count() == 1
    count = File.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        files_demo_data(steps.append)
    assert File.objects.count() == count
