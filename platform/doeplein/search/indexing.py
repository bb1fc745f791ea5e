"""Keeping the search documents in step with the sources: after each commit, and in a full rebuild.

A save or delete of a model a source watches (its ``triggers``) queues the affected rows once the
transaction commits. Ordinary sources are re-indexed by a Celery task, debounced: a row saved ten times
in a few seconds is indexed once. Sources marked ``immediate`` (a change that narrows who may find a
person) are re-indexed right after the commit, in the same request.

Re-indexing a row reads it again from its source's queryset: a row that left it (deleted, hidden,
unpublished, an account closed) loses its documents.
"""

import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from wagtail.search.backends import get_search_backends

from doeplein.plugins import search_sources

from .backends import LanguageIndex
from .models import SearchDocument, vector_sql

log = logging.getLogger(__name__)
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))  # highlight markers must be unique


def sources_by_key():
    return {s.key: s for s in search_sources()}


def _guess_language(text):
    """ "nl" or "en" from common words, for sources that do not know their items' language."""
    words = text.lower().split()[:200]
    dutch = sum(w in _DUTCH for w in words)
    english = sum(w in _ENGLISH for w in words)
    if english > dutch:
        return "en"
    return "nl" if dutch or not words else settings.LANGUAGE_CODE[:2]


_DUTCH = set(
    "de het een en van in is dat op te voor met zijn niet aan er ook als bij maar om nog wel naar dan "
    "wat worden wordt hebben heeft kan over door deze dit uit tot ze je we wij ik".split()
)
_ENGLISH = set(
    "the a an and of in is that on to for with are not at it as by but or this from be have has "
    "was were will can we you they which what about".split()
)


def _row(source, doc):
    text = f"{doc.title} {doc.body}"
    date = doc.date or None
    return SearchDocument(
        source=source.key,
        item_id=str(doc.object_id),
        variant=doc.variant,
        title=(doc.title or "").translate(_CONTROL),
        heading=(doc.heading or doc.title or "")[:300],
        body=(doc.body or "").translate(_CONTROL),
        url=doc.url[:500],
        language=doc.language or _guess_language(text),
        guard=doc.guard,
        space_id=doc.space_id,
        audience=doc.audience,
        person_id=doc.person_id,
        date=date,
        year=date.year if date else None,
    )


def _backends():
    return list(get_search_backends(with_auto_update=False))


def reindex(source_key, ids):
    """Bring the documents of rows ``ids`` of source ``source_key`` up to date, in one transaction."""
    source = sources_by_key().get(source_key)
    if source is None:
        return 0
    ids = [str(i) for i in ids]
    rows = source.queryset().filter(pk__in=ids)
    docs = [_row(source, d) for obj in rows for d in (source.documents(obj) or ())]
    with transaction.atomic():
        existing = {
            (d.item_id, d.variant): d
            for d in SearchDocument.objects.select_for_update().filter(source=source.key, item_id__in=ids)
        }
        fresh, new = [], []
        for doc in docs:
            old = existing.pop((doc.item_id, doc.variant), None)
            if old is not None:
                doc.pk = old.pk
                fresh.append(doc)
            else:
                new.append(doc)
        if fresh:
            SearchDocument.objects.bulk_update(fresh, _UPDATED_FIELDS)
        fresh += SearchDocument.objects.bulk_create(new)
        write_vectors(ids=[d.pk for d in fresh])
        for backend in _backends():
            for old in existing.values():
                backend.delete(old)
            if fresh:
                backend.add_bulk(SearchDocument, fresh)
            index = backend.get_index_for_model(SearchDocument)
            if source.immediate and hasattr(index, "refresh"):
                # A cluster shows writes after its next refresh (about a second); what must hold at once
                # (a narrowed profile field) is made visible now.
                index.refresh()
        SearchDocument.objects.filter(pk__in=[d.pk for d in existing.values()]).delete()
    return len(fresh)


_UPDATED_FIELDS = [
    f.name
    for f in SearchDocument._meta.concrete_fields
    if f.name not in ("id", "source", "item_id", "variant", "vector")
]


def write_vectors(ids=None, sources=None):
    """PostgreSQL: compute the search vector of documents ``ids`` (or of every document of ``sources``)
    from their rows, in one statement (the row-by-row path; the bulk path writes it in its INSERT)."""
    if connection.vendor != "postgresql" or not (ids or sources):
        return
    table = SearchDocument._meta.db_table
    where, param = ("d.id = ANY(%s)", list(ids)) if ids else ("d.source = ANY(%s)", list(sources))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} d SET vector = {vector_sql('d')} WHERE {where}", [param])  # noqa: S608


def rebuild(progress=None, batch_size=500, sources=None, bulk=True, bulk_size=100_000):
    """Rebuild every document from every source (or the given source keys), in one transaction: searches
    see the old index until the new one is complete. ``progress(n)`` advances a bar by ``n`` source rows.
    Returns {source key: documents written}.

    On PostgreSQL a source with a ``bulk`` query is written with one INSERT … SELECT per ``bulk_size``
    primary keys (``bulk=False``: row by row, as after a commit); then the index entries of every new
    document are computed by PostgreSQL in one statement per batch, their title norms from the final
    average title length (what a full refresh would give), without rewriting the table afterwards."""
    chosen = [s for s in search_sources() if not sources or s.key in sources]
    keys = [s.key for s in chosen]
    postgres = connection.vendor == "postgresql"
    backends = _backends()
    if postgres and bulk and not sources and all(_is_language_index(b) for b in backends):
        return _rebuild_by_swap(chosen, backends, progress, batch_size, bulk_size)
    written = {}
    with transaction.atomic():
        _drop_documents(keys, backends, everything=not sources)
        for source in chosen:
            spec = source.bulk() if (bulk and postgres and source.bulk) else None
            if spec is not None:
                written[source.key] = 0
                for pk_range in _bulk_ranges(spec, bulk_size):
                    n, rows = insert_documents(source.key, spec, pk_range)
                    written[source.key] += n
                    if progress:
                        progress(rows)
            else:
                written[source.key] = _rebuild_row_by_row(source, progress, batch_size)
                write_vectors(sources=[source.key])
        _index_documents(keys, backends, batch_size=max(batch_size, 2000))
    return written


def _is_language_index(backend):
    return isinstance(backend.get_index_for_model(SearchDocument), LanguageIndex)


NEXT_SUFFIX = "_next"


def _rebuild_by_swap(chosen, backends, progress, batch_size, bulk_size):
    """A full rebuild on PostgreSQL: every document is written into a fresh table without indexes, its
    indexes are built once at the end (a GIN index built whole is many times faster than one kept up row
    by row: docs/search.md), and it takes the old table's place in the same transaction.

    Searches read the old table until the commit; only the swap itself (milliseconds) holds the lock
    that makes them wait. Writers (re-index tasks, a deleted space's purge) wait for the whole rebuild,
    from its first statement, and then write into the new table: no change made meanwhile is lost."""
    table = SearchDocument._meta.db_table
    fresh = table + NEXT_SUFFIX
    written = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # Reads go on; every write (also SELECT … FOR UPDATE) waits until the rebuild commits.
        cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        memory = settings.SEARCH_REBUILD_MEMORY  # building the GIN index, sorting
        cursor.execute(
            "SELECT set_config('maintenance_work_mem', %s, true), set_config('work_mem', %s, true)",
            [memory, memory],
        )
        cursor.execute(f"DROP TABLE IF EXISTS {fresh}")
        cursor.execute(f"CREATE TABLE {fresh} (LIKE {table} INCLUDING ALL EXCLUDING INDEXES)")
        for backend in backends:
            backend.get_index_for_model(SearchDocument).drop_documents([], everything=True)
        for source in chosen:
            spec = source.bulk() if source.bulk else None
            written[source.key] = 0
            if spec is not None:
                for pk_range in _bulk_ranges(spec, bulk_size):
                    n, rows = insert_documents(source.key, spec, pk_range, table=fresh)
                    written[source.key] += n
                    if progress:
                        progress(rows)
            else:
                written[source.key] = _rebuild_row_by_row(source, progress, batch_size, _insert_into(fresh))
                cursor.execute(
                    f"UPDATE {fresh} d SET vector = {vector_sql('d')} WHERE d.source = %s",  # noqa: S608
                    [source.key],
                )
        renames = _copy_indexes(cursor, table, fresh)
        cursor.execute(f"ANALYZE {fresh}")
        for backend in backends:
            backend.get_index_for_model(SearchDocument).add_sources(
                [s.key for s in chosen], batch_size=100_000, docs_table=fresh
            )
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, 'id'), pg_get_serial_sequence(%s, 'id')", [table, fresh]
        )
        old_sequence, new_sequence = cursor.fetchone()
        cursor.execute(f"DROP TABLE {table}")
        cursor.execute(f"ALTER TABLE {fresh} RENAME TO {table}")
        for statement in renames:
            cursor.execute(statement)
        if old_sequence and new_sequence:
            cursor.execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {old_sequence.split('.')[-1]}")
    return written


def _copy_indexes(cursor, table, fresh):
    """Build on ``fresh`` every index and unique constraint ``table`` has, under temporary names.
    Returns the statements that give them their own names once ``table`` is gone."""
    cursor.execute(
        "SELECT i.indexname, i.indexdef, c.contype FROM pg_indexes i "
        "LEFT JOIN pg_constraint c ON c.conindid = (i.schemaname || '.' || i.indexname)::regclass "
        "AND c.conrelid = %s::regclass WHERE i.tablename = %s ORDER BY i.indexname",
        [table, table],
    )
    renames = []
    for name, definition, kind in cursor.fetchall():
        temporary = name[: 63 - len(NEXT_SUFFIX)] + NEXT_SUFFIX
        statement, found = re.subn(
            rf"^(CREATE (?:UNIQUE )?INDEX ){re.escape(name)} ON (?:\S+\.)?{re.escape(table)} USING ",
            rf"\g<1>{temporary} ON {fresh} USING ",
            definition,
        )
        if not found:
            raise RuntimeError(f"Cannot copy index {name}: {definition}")
        cursor.execute(statement)
        if kind in ("p", "u"):
            constraint = "PRIMARY KEY" if kind == "p" else "UNIQUE"
            cursor.execute(
                f"ALTER TABLE {fresh} ADD CONSTRAINT {temporary} {constraint} USING INDEX {temporary}"
            )
            renames.append(f"ALTER TABLE {table} RENAME CONSTRAINT {temporary} TO {name}")
        else:
            renames.append(f"ALTER INDEX {temporary} RENAME TO {name}")
    return renames


def _insert_into(table):
    """A writer for :func:`_rebuild_row_by_row` that puts a batch of documents into ``table`` (a fresh one)."""
    fields = [f for f in SearchDocument._meta.concrete_fields if f.name not in ("id", "vector")]
    sql = (
        f"INSERT INTO {table} ({', '.join(f.column for f in fields)}) "  # noqa: S608 (names from the model)
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )

    def write(batch):
        with connection.cursor() as cursor:
            cursor.executemany(
                sql,
                [[f.get_db_prep_save(getattr(doc, f.attname), connection) for f in fields] for doc in batch],
            )
        return len(batch)

    return write


def _bulk_ranges(spec, size):
    from .bulk import pk_ranges

    return pk_ranges(spec, size)


def insert_documents(source_key, spec, pk_range, table=None):
    from .bulk import insert_documents as insert

    return insert(source_key, spec, pk_range, table=table)


def _rebuild_row_by_row(source, progress, batch_size, write=None):
    """Every row of ``source`` through its ``documents()``, written in batches by ``write(batch)`` (default:
    into the documents' own table)."""
    write = write or (lambda batch: len(SearchDocument.objects.bulk_create(batch)))
    written, batch = 0, []
    for obj in source.queryset().iterator(chunk_size=batch_size):
        batch.extend(_row(source, d) for d in (source.documents(obj) or ()))
        if len(batch) >= batch_size:
            written += write(batch)
            batch = []
        if progress:
            progress(1)
    if batch:
        written += write(batch)
    return written


def _drop_documents(keys, backends, everything):
    """Remove the documents of sources ``keys`` and their index entries, in bulk."""
    docs = SearchDocument.objects.filter(source__in=keys)
    for backend in backends:
        index = backend.get_index_for_model(SearchDocument)
        if isinstance(index, LanguageIndex):
            index.drop_documents(keys)
        elif hasattr(index, "delete_stale_model_entries"):
            pass  # Wagtail's database index: entries of documents that no longer exist leave at the end
        else:
            # OpenSearch/Elasticsearch: an index per model, so a full rebuild starts it afresh.
            if everything:
                index.reset()
            else:
                for doc in docs.iterator(chunk_size=2000):
                    backend.delete(doc)
            index.add_model(SearchDocument)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {SearchDocument._meta.db_table} WHERE source = ANY(%s)",  # noqa: S608
                [list(keys)],
            )
    else:
        docs.delete()


def _index_documents(keys, backends, batch_size):
    """Index entries for every document of sources ``keys`` (just written)."""
    for backend in backends:
        index = backend.get_index_for_model(SearchDocument)
        if isinstance(index, LanguageIndex):
            index.add_sources(keys, batch_size=100_000)
            continue
        docs = SearchDocument.objects.filter(source__in=keys).order_by("pk")
        chunk = []
        for doc in docs.iterator(chunk_size=batch_size):
            chunk.append(doc)
            if len(chunk) >= batch_size:
                backend.add_bulk(SearchDocument, chunk)
                chunk = []
        if chunk:
            backend.add_bulk(SearchDocument, chunk)
        # Index entries of documents that no longer exist leave too; title norms once, for everything.
        if hasattr(index, "delete_stale_model_entries"):
            index.delete_stale_model_entries(SearchDocument)
        if hasattr(index, "_refresh_title_norms"):
            index._refresh_title_norms(full=True)
        if hasattr(index, "refresh"):
            index.refresh()


def documents_of(source_key):
    """Every stored document of a source as comparable tuples (all fields but the primary key), with its
    index entry's vectors where the index is PostgreSQL's: what tests compare between the bulk and the
    row-by-row paths."""
    from .backends import base
    from .models import SearchDocument as Doc

    IndexEntry = base.IndexEntry  # noqa: N806

    fields = [f.attname for f in Doc._meta.concrete_fields if f.name != "id"]
    docs = {row[0]: row[1:] for row in Doc.objects.filter(source=source_key).values_list("pk", *fields)}
    entries = {}
    if connection.vendor == "postgresql":
        from django.contrib.contenttypes.models import ContentType

        ct = ContentType.objects.get_for_model(Doc)
        for row in IndexEntry.objects.filter(
            content_type=ct, object_id__in=[str(pk) for pk in docs]
        ).values_list("object_id", "title", "autocomplete", "body", "title_norm", "title_text", "body_text"):
            entries[int(row[0])] = tuple(str(v) if not isinstance(v, float) else round(v, 9) for v in row[1:])
    return sorted(values + entries.get(pk, ()) for pk, values in docs.items())


def total_rows(sources=None):
    return sum(s.queryset().count() for s in search_sources() if not sources or s.key in sources)


# --- After each commit -------------------------------------------------------------------------------
DEBOUNCE_SECONDS = 2


def queue(source_key, ids):
    """Re-index rows after the current transaction commits (debounced through Celery, or at once)."""
    source = sources_by_key().get(source_key)
    if source is None or not ids:
        return
    if source.immediate:
        transaction.on_commit(lambda: reindex(source_key, ids))
        return
    transaction.on_commit(lambda: _schedule(source_key, ids))


def _schedule(source_key, ids):
    from .tasks import reindex_task

    seconds = getattr(settings, "SEARCH_DEBOUNCE_SECONDS", DEBOUNCE_SECONDS)
    for pk in ids:
        # One task per row per window: later saves inside the window find the key and add nothing.
        if cache.add(f"search:pending:{source_key}:{pk}", timezone.now().isoformat(), timeout=seconds + 30):
            try:
                reindex_task.apply_async((source_key, [pk]), countdown=seconds)
            except Exception:  # a broker outage must not fail the write that was committed already
                cache.delete(f"search:pending:{source_key}:{pk}")
                log.exception("Could not queue search re-indexing of %s %s", source_key, pk)


def _on_change(sender, instance, raw=False, update_fields=None, signal=None, **kwargs):
    from django.apps import apps

    if raw or not apps.ready or (update_fields and set(update_fields) <= {"last_login"}):
        return  # fixtures, start-up, and the login time Django writes at every login
    deleted = signal is post_delete
    for source, ids, deletes in _watchers().get(sender, ()):
        if deleted and not deletes:
            continue
        try:
            found = [i for i in ids(instance) if i is not None]
        except Exception:  # an instance half-deleted by a cascade may lack relations; the rebuild fixes it
            log.exception("Search trigger failed for %s", sender.__name__)
            continue
        queue(source, found)


def _space_deleted(sender, instance, **kwargs):
    """A deleted space takes every document it guards along (after commit, in Celery)."""
    from .tasks import purge_space_task

    space_id = instance.pk
    transaction.on_commit(lambda: _safely(purge_space_task.delay, space_id))


def _safely(fn, *args):
    try:
        fn(*args)
    except Exception:  # a broker outage must not fail a committed write; the rebuild catches up
        log.exception("Could not queue %s%r", getattr(fn, "__name__", fn), args)


def purge_space(space_id):
    """Remove the documents of a space that no longer exists (and their index entries)."""
    from doeplein.spaces.models import Space

    if Space.objects.filter(pk=space_id).exists():
        return 0
    docs = SearchDocument.objects.filter(space_id=space_id)
    for backend in _backends():
        index = backend.get_index_for_model(SearchDocument)
        if not hasattr(index, "delete_stale_model_entries"):
            for doc in docs.iterator():
                backend.delete(doc)
    count = docs.count()
    docs.delete()  # their index entries go with them (a generic relation)
    for backend in _backends():
        index = backend.get_index_for_model(SearchDocument)
        if hasattr(index, "delete_stale_model_entries"):
            index.delete_stale_model_entries(SearchDocument)
    return count


_watching = None


def _watchers():
    """{model: [(source key, ids function, on deletes too)]}, learnt from the sources on first use."""
    global _watching
    if _watching is None:
        watching = {}
        for source in search_sources():
            triggers = source.triggers or ((source.queryset().model, lambda obj: [obj.pk]),)
            for model, ids in triggers:
                watching.setdefault(model, []).append((source.key, ids, source.watch_deletes))
        _watching = watching
    return _watching


def forget_sources():
    """Learn the sources again (tests that register a source temporarily)."""
    global _watching
    _watching = None
    connect_signals()


def connect_signals():
    """Connect saves and deletes of every source's trigger models (called from AppConfig.ready).

    Per model, not one receiver for all: a delete receiver makes Django load each cascaded row to send
    its signal instead of deleting them in bulk, so deletes are watched only where a source asks."""
    from doeplein.spaces.models import Space

    for model, entries in _watchers().items():
        post_save.connect(_on_change, sender=model, dispatch_uid=f"doeplein-search-save-{model._meta.label}")
        if any(deletes for _key, _ids, deletes in entries):
            post_delete.connect(
                _on_change, sender=model, dispatch_uid=f"doeplein-search-delete-{model._meta.label}"
            )
    post_delete.connect(_space_deleted, sender=Space, dispatch_uid="doeplein-search-space-deleted")
