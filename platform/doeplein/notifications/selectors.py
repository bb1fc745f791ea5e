"""A person's notifications; only ever their own."""

from django.db.models import QuerySet

from .models import Notification


def notification_list(*, user, unread_only=False) -> QuerySet:
    if not user.is_authenticated:
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(*, user) -> int:
    return notification_list(user=user, unread_only=True).count()
