"""The rebuild's set-based path (one INSERT … SELECT per batch, ``SearchSource.bulk``) writes the same
documents, access fields and index entries (vectors, title norms) as the row-by-row path after each
commit (``documents()``), source by source, for a small world with the awkward cases in it: HTML, control
characters, English and Dutch text, empty bodies, themes and tags, a file without extracted text."""

import pytest
from django.utils import timezone

from doeplein.spaces.models import Role

pytestmark = pytest.mark.usefixtures("needs_postgres")


def both_paths(*keys):
    """{source key: (bulk documents, row-by-row documents)} after a rebuild each way."""
    from doeplein.search.indexing import documents_of, rebuild, sources_by_key

    for key in keys:
        assert sources_by_key()[key].bulk is not None, f"{key} has no bulk query"
    rebuild(sources=list(keys), bulk=True)
    bulk = {key: documents_of(key) for key in keys}
    rebuild(sources=list(keys), bulk=False)
    rows = {key: documents_of(key) for key in keys}
    return {key: (bulk[key], rows[key]) for key in keys}


def assert_same(found, expected_counts):
    for key, (bulk, rows) in found.items():
        assert len(rows) == expected_counts[key], key
        assert bulk == rows, key


def test_messages_bulk_and_row_by_row_agree(make_space, make_user, make_message):
    author = make_user(first_name="Mila")
    space = make_space("members", members={author: Role.MEMBER}, name="Ruimte met \x07bel")
    make_message(space, "Dijkversterking langs de rivier: overleg met het waterschap.", author=author)
    make_message(
        space, "The flood barriers are inspected by the engineers of the water board.", author=author
    )
    make_message(space, "Tekst met een stuurteken\x01 en\ttab\r\nen regels.", author=None)
    make_message(space, "", author=author, age_days=400)
    assert_same(both_paths("message"), {"message": 4})


@pytest.mark.needs_plugins("blogs")
def test_posts_and_comments_bulk_and_row_by_row_agree(make_space, make_user):
    from blogs.actions import do_add_comment, do_create_post, do_publish_post

    author = make_user(first_name="Anna")
    reader = make_user(first_name="Rik")
    space = make_space("public", members={author: Role.OWNER, reader: Role.MEMBER})
    posts = []
    for title, body in [
        ("Wat we leerden over dijken", "<p>De <strong>dijkversterking</strong> &amp; het waterschap.</p>"),
        ("Flood barriers explained", "<h2>Why</h2><p>The barriers protect the city and the river.</p>"),
        ("Leeg", ""),
    ]:
        post = do_create_post(user=author, space=space, title=title, body=body, summary="Kort verslag")
        posts.append(do_publish_post(user=author, post=post))
    do_create_post(user=author, space=space, title="Concept", body="<p>Nog niet af</p>")  # a draft: left out
    do_add_comment(user=reader, post=posts[0], body="Goed stuk over de dijken, dank je.")
    do_add_comment(user=reader, post=posts[1], body="Thanks, this is about the flood barriers and the dikes.")
    do_add_comment(user=author, post=posts[1], body="Met\x0b een stuurteken.")
    assert_same(both_paths("post", "comment"), {"post": 3, "comment": 3})


@pytest.mark.needs_plugins("files")
def test_files_bulk_and_row_by_row_agree(make_space, make_user, tmp_path, settings):
    import io

    from files.actions import do_upload
    from files.models import File
    from files.tasks import scan_version_task

    settings.FILES_ROOT = str(tmp_path / "store")
    settings.FILES_UPLOAD_TMP = str(tmp_path / "tmp")
    settings.FILES_SCANNER = "none"
    owner = make_user()
    space = make_space("members", members={owner: Role.OWNER})
    for name, data in [
        ("notulen.txt", b"Notulen van het overleg over de dijkversterking en de waterkering.\n"),
        ("report.txt", b"The report on the flood barriers and the maintenance of the dikes.\n"),
        ("foto.png", b"\x89PNG not really"),
    ]:
        blob = io.BytesIO(data)
        blob.name = name
        version = do_upload(user=owner, space=space, fileobj=blob, name=name)
        scan_version_task.run(version.pk)
    assert File.objects.exclude(search_text="").exists()
    assert_same(both_paths("files"), {"files": 3})


@pytest.mark.needs_plugins("workspaces", "groups")
def test_workspaces_and_groups_bulk_and_row_by_row_agree(make_user):
    from doeplein.home.models import Theme
    from groups.models import Group, GroupPolicy
    from workspaces.models import Workspace

    owner = make_user()
    water = Theme.objects.create(name="Water", slug="water-bulk")
    climate = Theme.objects.create(name="Klimaat", slug="klimaat-bulk")
    first = Workspace.objects.create(
        name="Dijken en water", slug="dijken-bulk", kind=Workspace.KIND, visibility="public",
        description="Samen werken aan dijkversterking.", welcome="<p>Welkom <em>allemaal</em>!</p>",
        created_by=owner,
    )  # fmt: skip
    first.themes.set([water, climate])
    first.tags.set(["zeeland", "Dijken", "água"])
    first.save()
    Workspace.objects.create(name="Lege ruimte", slug="leeg-bulk", kind=Workspace.KIND, visibility="secret")
    Group.objects.create(
        name="Geheime dijkgroep", slug="geheim-bulk", policy=GroupPolicy.SECRET, description="Over dijken"
    )
    Group.objects.filter(slug="geheim-bulk").update(last_activity_at=timezone.now())
    Group.objects.create(name="Open groep", slug="open-bulk", policy=GroupPolicy.OPEN, parent=first)
    assert_same(both_paths("workspace", "group"), {"workspace": 2, "group": 2})


def test_a_plugin_gives_its_bulk_query_through_the_hook_alone(world, find):
    """A source registered by a plugin (here, temporarily) is rebuilt from its SearchBulk; the core
    names no source and the access filter applies as to any other."""
    from django.db.models import F, Value
    from wagtail import hooks

    from doeplein.plugins import HOOK_SEARCH_SOURCES, SearchBulk, SearchDoc, SearchSource
    from doeplein.search.bulk import url
    from doeplein.search.indexing import documents_of, forget_sources, rebuild
    from doeplein.spaces.models import Space

    def documents(space):
        return [SearchDoc(object_id=space.pk, title=f"Kaart {space.name}", url=f"/spaces/{space.pk}/members/",
                          body="Zeppelinkaart", space_id=space.pk, guard="view")]  # fmt: skip

    def bulk():
        from django.db.models.functions import Concat

        return SearchBulk(
            queryset=Space.objects.all(),
            fields={
                "object_id": F("pk"),
                "title": Concat(Value("Kaart "), F("name")),
                "url": url("spaces:members", space_id=F("pk")),
                "body": Value("Zeppelinkaart"),
                "space_id": F("pk"),
            },
        )

    source = SearchSource(key="card", label="Cards", queryset=lambda: Space.objects.all(), documents=documents,
                          bulk=bulk)  # fmt: skip
    with hooks.register_temporarily(HOOK_SEARCH_SOURCES, lambda: [source]):
        forget_sources()
        try:
            rebuild(sources=["card"], bulk=False)
            rows = documents_of("card")
            rebuild(sources=["card"])
            assert documents_of("card") == rows
            secret = world["spaces"]["secret"]
            assert find(world["member"], "zeppelinkaart", space=secret.pk).total == 1
            assert find(world["outsider"], "zeppelinkaart", space=secret.pk).total == 0
        finally:
            forget_sources()
