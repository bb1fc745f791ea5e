"""Reading moderation state through the gate."""

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from doeplein.access import check

from .models import AuditEntry, Report, Sanction


def active_sanction(*, room, user, kind) -> Sanction | None:
    if not getattr(user, "is_authenticated", False):
        return None
    now = timezone.now()
    return (
        Sanction.objects.filter(room=room, user=user, kind=kind, lifted_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gt=now))
        .order_by("-created_at")
        .first()
    )


def active_sanctions_in(*, user, room=None, space=None) -> QuerySet:
    """The mutes and exclusions in force in a room, or in every room of a space and its children, for
    its moderators; the soonest to end first (those without an end last)."""
    target = room.space if room is not None else space
    check(user, "moderate", target)
    qs = (
        Sanction.objects.filter(lifted_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gt=timezone.now()))
        .select_related("user", "created_by", "room")
        .order_by(F("until").asc(nulls_last=True), "pk")
    )
    if room is not None:
        return qs.filter(room=room)
    return qs.filter(Q(room__space=space) | Q(room__space__parent=space))


def open_reports(*, user, room=None, space=None) -> QuerySet:
    """The review queue of a room or a space, for its moderators."""
    target = room.space if room is not None else space
    check(user, "moderate", target)
    qs = Report.objects.filter(status=Report.Status.OPEN).select_related(
        "message", "message__author", "reporter"
    )
    if room is not None:
        return qs.filter(message__room=room)
    return qs.filter(message__room__space=space)


def audit_log(*, user, space) -> QuerySet:
    """The audit log of a space, for its managers and administrators."""
    check(user, "moderate", space)
    return AuditEntry.objects.filter(Q(space=space) | Q(space__parent=space)).select_related(
        "actor", "target_user", "room"
    )
