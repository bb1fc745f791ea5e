"""Files in the site search: each change that alters what a file's document says (its scan cleared, its
text extracted, renamed, moved, trashed, restored, another current version) queues it for re-indexing
after commit through the core search's debounced path; a secret group's file is never found by a
non-member, and a trashed file stops being found. Real PostgreSQL, a real Celery worker for the path."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import override_settings

from doeplein.search.indexing import reindex
from doeplein.search.models import SearchDocument
from doeplein.search.selectors import SearchParams, search
from doeplein.spaces.models import Role
from files import actions
from files.models import File
from files.search import SOURCE_KEY
from files.tasks import scan_version_task
from tests.support.celery_worker import make_broker, run_worker, sending_to
from tests.support.waiting import wait_until

from .conftest import blob

pytestmark = pytest.mark.usefixtures("needs_postgres")


def find(user, q):
    return {
        r.url for r in search(user=user or AnonymousUser(), params=SearchParams(q=q, types=["files"])).results
    }


def pending(file_id):
    return cache.get(f"search:pending:{SOURCE_KEY}:{file_id}") is not None


def committed(capture, fn):
    """Run ``fn`` as a request would: its on-commit work (the search queue) runs when it commits."""
    cache.clear()
    with capture(execute=True):
        result = fn()
    return result


def worker_did(file_id):
    """What the worker's reindex task does after the debounce window (called here: no worker runs)."""
    reindex(SOURCE_KEY, [file_id])


@pytest.fixture
def secret(make_user, make_space):
    member, outsider = make_user(), make_user()
    space = make_space("secret", members={member: Role.MEMBER})
    return space, member, outsider


@pytest.mark.django_db
def test_every_change_queues_the_file_and_the_index_follows(
    secret, make_user, django_capture_on_commit_callbacks
):
    space, member, outsider = secret
    capture = django_capture_on_commit_callbacks
    version = committed(
        capture,
        lambda: actions.do_upload(
            user=member, space=space, fileobj=blob(b"Notulen over het peilbesluit.\n"), name="notulen.txt"
        ),
    )
    file = version.file
    assert pending(file.pk)
    worker_did(file.pk)
    assert not SearchDocument.objects.filter(source=SOURCE_KEY).exists()  # still being scanned
    # The scan clears (a version's save) and the text is extracted (a bulk update): both queue it.
    committed(capture, lambda: scan_version_task.run(version.pk))
    assert pending(file.pk)
    worker_did(file.pk)
    url = file.get_absolute_url()
    assert find(member, "peilbesluit") == {url}
    assert find(outsider, "peilbesluit") == set()
    assert find(None, "peilbesluit") == set()

    file = File.objects.get(pk=file.pk)
    committed(capture, lambda: actions.do_rename(user=member, obj=file, name="Waterpeil notulen.txt"))
    assert pending(file.pk)
    worker_did(file.pk)
    assert find(member, "waterpeil") == {url}

    folder = committed(capture, lambda: actions.do_create_folder(user=member, space=space, name="Archief"))
    file = File.objects.get(pk=file.pk)
    committed(capture, lambda: actions.do_move(user=member, obj=file, folder=folder))
    assert pending(file.pk)

    # A new current version with other text.
    file = File.objects.get(pk=file.pk)
    second = committed(
        capture,
        lambda: actions.do_upload(
            user=member,
            space=space,
            fileobj=blob(b"Nieuwe tekst over kwelwater.\n"),
            name=file.name,
            file=file,
        ),
    )
    committed(capture, lambda: scan_version_task.run(second.pk))
    assert pending(file.pk)
    worker_did(file.pk)
    assert find(member, "kwelwater") == {url}
    assert find(member, "peilbesluit") == set()

    # Restoring version 1 (a new version with version 1's text).
    first = file.versions.get(number=1)
    committed(capture, lambda: actions.do_restore_version(user=member, version=first))
    assert pending(file.pk)
    worker_did(file.pk)
    assert find(member, "peilbesluit") == {url}

    # The trash: gone from the search; restored: back.
    file = File.objects.get(pk=file.pk)
    committed(capture, lambda: actions.do_trash(user=member, obj=file))
    assert pending(file.pk)
    worker_did(file.pk)
    assert find(member, "peilbesluit") == set()
    file = File.objects.get(pk=file.pk)
    committed(capture, lambda: actions.do_restore(user=member, obj=file))
    assert pending(file.pk)
    worker_did(file.pk)
    assert find(member, "peilbesluit") == {url}


@pytest.mark.django_db
def test_a_file_trashed_with_its_folder_stops_being_found(secret, upload, django_capture_on_commit_callbacks):
    space, member, _outsider = secret
    capture = django_capture_on_commit_callbacks
    folder = actions.do_create_folder(user=member, space=space, name="Oud")
    version = upload(member, space, b"Begroting dijkverzwaring.\n", name="begroting.txt", folder=folder)
    worker_did(version.file_id)
    assert len(find(member, "dijkverzwaring")) == 1
    committed(capture, lambda: actions.do_trash(user=member, obj=folder))
    assert pending(version.file_id)
    worker_did(version.file_id)
    assert find(member, "dijkverzwaring") == set()
    folder.refresh_from_db()
    committed(capture, lambda: actions.do_restore(user=member, obj=folder))
    assert pending(version.file_id)
    worker_did(version.file_id)
    assert len(find(member, "dijkverzwaring")) == 1


@pytest.mark.django_db
def test_a_secret_groups_file_is_never_found_by_a_non_member(make_user, upload):
    from django.apps import apps

    if not apps.is_installed("groups"):
        pytest.skip("needs the groups plugin")
    from doeplein.spaces.models import Membership
    from groups.models import Group, GroupPolicy

    member, outsider = make_user(), make_user()
    admin_free_guest = make_user()
    group = Group.objects.create(
        name="Geheime projectgroep", slug="geheime-projectgroep", policy=GroupPolicy.SECRET
    )
    Membership.objects.create(space=group, user=member, role=Role.OWNER)
    Membership.objects.create(space=group, user=admin_free_guest, role=Role.GUEST)
    version = upload(member, group.space_ptr, b"Het codewoord is zeppelinhaven.\n", name="codewoord.txt")
    worker_did(version.file_id)
    assert len(find(member, "zeppelinhaven")) == 1
    assert len(find(admin_free_guest, "zeppelinhaven")) == 1  # a guest may read
    assert find(outsider, "zeppelinhaven") == set()
    assert find(None, "zeppelinhaven") == set()
    assert find(outsider, "codewoord") == set()  # nor by its name


# --- the same path with a real worker ----------------------------------------------------------------


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory):
    var = tmp_path_factory.mktemp("files-search-worker")
    broker = make_broker(var / "var", redis=bool(settings.REDIS_URL))
    env = {"FILES_ROOT": str(var / "store"), "FILES_SCANNER": "none"}
    with sending_to(broker), run_worker(broker, env=env) as running:
        running.store = str(var / "store")
        yield running


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_uploaded_file_is_scanned_extracted_and_found_then_trashed_and_gone_by_the_worker(
    worker, make_user, make_space
):
    member, outsider = make_user(), make_user()
    space = make_space("members", members={member: Role.MEMBER})
    with override_settings(FILES_ROOT=worker.store):
        version = actions.do_upload(
            user=member, space=space, fileobj=blob(b"Advies over de veenweidestrategie.\n"), name="advies.txt"
        )

        def found():
            worker.check_alive()
            return len(find(member, "veenweidestrategie")) == 1

        wait_until(found, timeout=90, describe="the file in the search", on_timeout=worker.report)
        assert find(outsider, "veenweidestrategie") == set()
        actions.do_trash(user=member, obj=File.objects.get(pk=version.file_id))

        def gone():
            worker.check_alive()
            return find(member, "veenweidestrategie") == set()

        wait_until(gone, timeout=90, describe="the trashed file out of the search", on_timeout=worker.report)
