"""Keeping the search documents in step with the sources: after each commit, and in a full rebuild.

A save or delete of a model a source watches (its ``triggers``) queues the affected rows once the
transaction commits. Ordinary sources are re-indexed by a Celery task, debounced: a row saved ten times
in a few seconds is indexed once. Sources marked ``immediate`` (a change that narrows who may find a
person) are re-indexed right after the commit, in the same request.

Re-indexing a row reads it again from its source's queryset: a row that left it (deleted, hidden,
unpublished, an account closed) loses its documents.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from wagtail.search.backends import get_search_backends

from doeplein.plugins import search_sources

from .models import SearchDocument

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
        for backend in _backends():
            for old in existing.values():
                backend.delete(old)
            if fresh:
                backend.add_bulk(SearchDocument, fresh)
        SearchDocument.objects.filter(pk__in=[d.pk for d in existing.values()]).delete()
    return len(fresh)


_UPDATED_FIELDS = [
    f.name
    for f in SearchDocument._meta.concrete_fields
    if f.name not in ("id", "source", "item_id", "variant")
]


def rebuild(progress=None, batch_size=500, sources=None):
    """Rebuild every document from every source (or the given source keys). ``progress(n)`` advances
    a bar by ``n`` rows. Returns {source key: documents written}."""
    backends = _backends()
    for backend in backends:
        backend.defer_title_norms = True
    written = {}
    for source in search_sources():
        if sources and source.key not in sources:
            continue
        SearchDocument.objects.filter(source=source.key).delete()
        written[source.key] = 0
        batch = []
        for obj in source.queryset().iterator(chunk_size=batch_size):
            batch.extend(_row(source, d) for d in (source.documents(obj) or ()))
            if len(batch) >= batch_size:
                written[source.key] += _write(batch, backends)
                batch = []
            if progress:
                progress(1)
        if batch:
            written[source.key] += _write(batch, backends)
    for backend in backends:
        # Index entries of documents that no longer exist leave too; title norms once, for everything.
        index = backend.get_index_for_model(SearchDocument)
        if hasattr(index, "delete_stale_model_entries"):
            index.delete_stale_model_entries(SearchDocument)
        if hasattr(index, "_refresh_title_norms"):
            index._refresh_title_norms(full=True)
        if hasattr(index, "refresh"):
            index.refresh()
    return written


def _write(batch, backends):
    created = SearchDocument.objects.bulk_create(batch)
    for backend in backends:
        backend.add_bulk(SearchDocument, created)
    return len(created)


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
