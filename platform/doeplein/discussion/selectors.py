"""Reading discussions through the gate. Hidden and held text only reaches those who may see it."""

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from doeplein.access import get_object_or_404, visible

from .models import Message, Reaction, ReadMarker, Room

PAGE = 50


def room_by_id(*, user, room_id, action="view") -> Room:
    return get_object_or_404(user, Room.objects.select_related("space", "space__parent"), action, pk=room_id)


def room_list(*, user, space=None) -> QuerySet:
    qs = visible(user, Room.objects.select_related("space"))
    return qs.filter(space=space) if space is not None else qs


def messages_for(*, user, room, after=None, before=None, limit=PAGE, moderator=False) -> list:
    """Messages in sequence order. ``after``: catch up after a reconnect; ``before``: page backwards."""
    qs = Message.objects.filter(room=room).select_related("author", "reply_to").prefetch_related(
        Prefetch("reactions", queryset=Reaction.objects.only("message_id", "emoji"))
    )
    if not moderator:
        # Held messages are for moderators and their author only.
        qs = qs.exclude(Q(state=Message.State.HELD) & ~Q(author_id=getattr(user, "pk", None)))
    if after is not None:
        return list(qs.filter(seq__gt=after).order_by("seq")[:limit])
    if before is not None:
        qs = qs.filter(seq__lt=before)
    return list(reversed(qs.order_by("-seq")[:limit]))


def unread_count(*, user, room) -> int:
    if not user.is_authenticated:
        return 0
    marker = ReadMarker.objects.filter(room=room, user=user).values_list("last_read_seq", flat=True).first() or 0
    return (
        Message.objects.filter(room=room, seq__gt=marker, state=Message.State.VISIBLE).exclude(author=user).count()
    )


def unread_counts(*, user, rooms) -> dict:
    """Unread messages per room for many rooms, in one query."""
    if not user.is_authenticated:
        return {}
    marker = ReadMarker.objects.filter(room=OuterRef("pk"), user=user).values("last_read_seq")[:1]
    rows = (
        Room.objects.filter(pk__in=[room.pk for room in rooms])
        .annotate(marker=Coalesce(Subquery(marker), 0))
        .annotate(
            unread=Count(
                "messages",
                filter=Q(messages__seq__gt=F("marker"), messages__state=Message.State.VISIBLE)
                & ~Q(messages__author=user),
            )
        )
        .values_list("pk", "unread")
    )
    return dict(rows)


__all__ = ["room_by_id", "room_list", "messages_for", "unread_count", "unread_counts"]
