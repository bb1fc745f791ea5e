"""The e-mail digest of unread notifications, daily or weekly as each person chose (Celery beat
runs ``send_digests`` every hour; each person's summary goes out once it is due)."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

PERIOD = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def due_user_ids(now=None):
    """People whose digest is due and who have unread notifications not yet e-mailed."""
    from django.db.models import Q

    from doeplein.accounts.models import Profile

    from .models import Notification

    now = now or timezone.now()
    waiting = Notification.objects.filter(read_at__isnull=True, emailed_at__isnull=True).values(
        "recipient_id"
    )
    due = Q()
    for frequency, period in PERIOD.items():
        # A little slack, so that an hourly beat does not push a daily digest an hour later each day.
        due |= Q(digest=frequency) & (
            Q(digest_sent_at__isnull=True) | Q(digest_sent_at__lte=now - period + timedelta(minutes=30))
        )
    return list(
        Profile.objects.filter(
            due, user__is_active=True, user__is_deleted=False, user_id__in=waiting
        ).values_list("user_id", flat=True)
    )


@shared_task
def send_digests():
    """Queue one digest task per person whose summary is due."""
    ids = due_user_ids()
    for user_id in ids:
        send_digest_task.delay(user_id)
    return len(ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_digest_task(user_id):
    """Send one person's digest. Idempotent: what was e-mailed once is not e-mailed again."""
    from doeplein.accounts.actions import do_mark_digest_sent
    from doeplein.accounts.models import User

    from .actions import do_send_digest

    user = User.objects.filter(pk=user_id, is_active=True).select_related("profile").first()
    if user is None:
        return 0
    sent = do_send_digest(user=user)
    do_mark_digest_sent(user=user)
    return sent
