"""Notifying people: stored first, then pushed live after commit."""

from django.db import transaction
from django.utils import timezone

from doeplein.live import send_event_on_commit, user_group

from .models import Notification


@transaction.atomic
def do_notify(*, recipient, verb, message, url="") -> Notification | None:
    if not recipient.is_active or getattr(recipient, "is_deleted", False):
        return None
    notification = Notification.objects.create(recipient=recipient, verb=verb, message=message[:500], url=url)
    send_event_on_commit(
        user_group(recipient.pk),
        {
            "type": "notification",
            "id": notification.pk,
            "verb": verb,
            "message": notification.message,
            "url": url,
            "unread": Notification.objects.filter(recipient=recipient, read_at__isnull=True).count(),
        },
    )
    return notification


def do_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
