"""The index follows the sources: after commit (debounced, by a real Celery worker), at once for people,
in a full rebuild with a progress bar; plugins add sources through the hook alone."""

import io

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from tests.support.celery_worker import make_broker, run_worker, sending_to
from tests.support.waiting import wait_until

pytestmark = pytest.mark.usefixtures("needs_postgres")


def test_rebuild_command_reports_what_it_indexed(world):
    out = io.StringIO()
    call_command("rebuild_search_index", "--no-progress", stdout=out)
    assert "message: 6" in out.getvalue() and "group: 1" in out.getvalue()
    err = io.StringIO()
    call_command("rebuild_search_index", "nonsense", stderr=err)
    assert "Unknown sources: nonsense" in err.getvalue()


def test_rebuild_row_by_row_writes_the_same_documents_as_the_bulk_path(world):
    from doeplein.search.indexing import documents_of

    call_command("rebuild_search_index", "message", "--no-progress", stdout=io.StringIO())
    bulk = documents_of("message")
    out = io.StringIO()
    call_command("rebuild_search_index", "message", "--no-progress", "--row-by-row", stdout=out)
    assert "message: 6" in out.getvalue()
    assert documents_of("message") == bulk


def test_rebuild_shows_a_progress_bar(world):
    err = io.StringIO()
    call_command("rebuild_search_index", "message", stdout=io.StringIO(), stderr=err)
    assert "search index" in err.getvalue() and "6/6" in err.getvalue()


def test_a_plugin_adds_a_source_through_the_hook_alone(world, find, index):
    from wagtail import hooks

    from doeplein.plugins import HOOK_SEARCH_SOURCES, SearchDoc, SearchSource
    from doeplein.search.indexing import forget_sources
    from doeplein.spaces.models import Space

    def documents(space):
        return [
            SearchDoc(
                object_id=space.pk, title=f"Kaart {space.name}", url="/x/", space_id=space.pk, guard="view"
            )
        ]

    def sources():
        return [SearchSource(key="card", label="Cards", queryset=lambda: Space.objects.filter(kind="test"),
                             documents=documents)]  # fmt: skip

    with hooks.register_temporarily(HOOK_SEARCH_SOURCES, sources):
        forget_sources()
        index(sources=["card"])
        page = find(AnonymousUser(), "kaart")
        assert {r.heading for r in page.results} == {
            "Kaart Ruimte public"
        }  # Kindruimte: inside a members-only parent
        assert {f["value"] for f in page.facets["type"]} == {"card"}
    forget_sources()


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory):
    broker = make_broker(tmp_path_factory.mktemp("search-worker") / "var", redis=bool(settings.REDIS_URL))
    with sending_to(broker), run_worker(broker) as running:
        yield running


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_new_message_is_indexed_after_commit_by_the_worker_once_for_many_saves(
    worker, make_space, make_user, find
):
    from doeplein.discussion.actions import do_edit_message, do_send_message, get_or_create_room
    from doeplein.spaces.models import Role

    author = make_user()
    space = make_space("public", members={author: Role.MEMBER})
    room = get_or_create_room(space=space, title="Overleg")
    message, _ = do_send_message(user=author, room=room, body="Eerste versie over kwelwater.", client_id="a")
    do_edit_message(user=author, message=message, body="Tweede versie over kwelwater.")
    do_edit_message(user=author, message=message, body="Laatste versie over kwelwater en polders.")

    def indexed():
        worker.check_alive()
        return find(AnonymousUser(), "polders").total == 1

    wait_until(indexed, timeout=60, describe="the message in the search", on_timeout=worker.report)
    assert find(AnonymousUser(), "kwelwater").total == 1
    assert find(AnonymousUser(), "Eerste").total == 0  # the last text, not the first
    # Three saves inside the debounce window: one task.
    received = [
        line for line in worker.log().splitlines() if "reindex_task" in line and "received" in line.lower()
    ]
    assert len(received) == 1, worker.report()


def test_a_deleted_space_takes_its_documents_along(make_space, make_message, index, find, django_user_model):
    from doeplein.search.indexing import purge_space
    from doeplein.search.models import SearchDocument

    space = make_space("public")
    make_message(space, "Bericht over de veenweide.")
    index()
    admin = django_user_model.objects.create_superuser(email="boss@example.org", password="x")
    assert find(admin, "veenweide").total == 1
    space_id = space.pk
    space.delete()
    assert purge_space(space_id) == 1
    assert not SearchDocument.objects.filter(space_id=space_id).exists()
    assert find(admin, "veenweide").total == 0
