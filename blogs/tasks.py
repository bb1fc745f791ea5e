"""Celery tasks of the blogs plugin. They take ids and call actions; safe to run twice."""

from celery import shared_task
from django.utils import timezone


@shared_task(bind=True, max_retries=5, default_retry_delay=30, retry_backoff=True)
def publish_scheduled_posts(self):
    """Publish the posts whose time has come and expire those whose end has passed (beat, every minute)."""
    from wagtail.models import Revision

    from .actions import do_expire_post, do_publish_scheduled
    from .models import Post

    now = timezone.now()
    post_type = Post.get_content_type()
    published = expired = 0
    for revision_id in (
        Revision.objects.filter(content_type=post_type, approved_go_live_at__lte=now)
        .order_by("approved_go_live_at")
        .values_list("pk", flat=True)[:500]
    ):
        if do_publish_scheduled(revision_id=revision_id) is not None:
            published += 1
    for post_id in Post.objects.filter(live=True, expire_at__lte=now).values_list("pk", flat=True)[:500]:
        if do_expire_post(post_id=post_id) is not None:
            expired += 1
    return {"published": published, "expired": expired}
