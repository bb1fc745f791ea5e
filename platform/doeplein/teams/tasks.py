"""Background work: fresh profiles after activity, the nightly rebuild, team requests."""

from celery import shared_task
from django.core.cache import cache
from django.db import transaction

DEBOUNCE_SECONDS = 60


def schedule_refresh(user_id):
    """Refresh a person's profile a little after their activity: many actions, one refresh."""
    if cache.add(f"teams:refresh:{user_id}", 1, timeout=DEBOUNCE_SECONDS):
        transaction.on_commit(
            lambda: refresh_profile_task.apply_async(args=[user_id], countdown=DEBOUNCE_SECONDS // 2)
        )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def refresh_profile_task(user_id):
    """Rebuild one profile (idempotent: from scratch, from visible activity)."""
    from .profiles import build_profiles

    cache.delete(f"teams:refresh:{user_id}")
    return build_profiles([user_id])


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def rebuild_profiles_task():
    """Nightly: every profile and the interaction graph."""
    from .profiles import build_graph, build_profiles

    return {"profiles": build_profiles(), "edges": build_graph()}


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def run_team_request_task(self, request_id):
    """Compute a team request (acks late: a worker killed mid-job leaves it to be run again)."""
    from .actions import do_run_team_request

    req = do_run_team_request(request_id=request_id)
    return getattr(req, "status", None)
