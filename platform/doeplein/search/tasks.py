"""Search background work: re-indexing rows after a commit (debounced), a full rebuild."""

from celery import shared_task
from django.core.cache import cache
from django.db import OperationalError


@shared_task(autoretry_for=(OSError, OperationalError), retry_backoff=True, max_retries=5)
def reindex_task(source_key, ids):
    """Re-index rows ``ids`` of a search source from their live state. Idempotent."""
    from .indexing import reindex

    # Clear the debounce keys first: a save during the re-index schedules one more run, never none.
    cache.delete_many([f"search:pending:{source_key}:{pk}" for pk in ids])
    return reindex(source_key, ids)


@shared_task(retry_backoff=True, max_retries=3)
def rebuild_task():
    from .indexing import rebuild

    return rebuild()


@shared_task(autoretry_for=(OSError, OperationalError), retry_backoff=True, max_retries=5)
def purge_space_task(space_id):
    """Drop the documents of a deleted space. Idempotent (a space that exists again keeps them)."""
    from .indexing import purge_space

    return purge_space(space_id)
