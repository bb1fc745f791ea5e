"""Reading discussions through the gate. Hidden and held text only reaches those who may see it."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from doeplein.access import can, get_object_or_404, hidden_from, visible

from .actions import DiscussionError
from .models import Message, Reaction, ReadMarker, Room
from .registry import registry

PAGE = 50
MAX_NESTING = 20  # spaces nest far less deep; the bound only guards against a cycle in bad data

CLOSE_UNAUTHENTICATED, CLOSE_FORBIDDEN, CLOSE_NOT_FOUND = 4401, 4403, 4404


class Banned(DiscussionError, PermissionDenied):
    """A ban is in force: the person may not even read the room. The API answers 403 with the code
    ``banned``; pages answer 403 like any refusal."""

    def __init__(self, until=None):
        super().__init__(_("You are banned from this discussion."), code="banned", status=403, until=until)


def room_by_id(*, user, room_id, action="view"):
    """The room, if ``user`` may read it: the gate's answer for its space (404 for secret ones), and no
    ban in force in the room (:class:`Banned`, a 403). A muted person reads."""
    room = get_object_or_404(user, Room.objects.select_related("space", "space__parent"), action, pk=room_id)
    sanctions = registry.sanctions(user, room.pk)
    if "ban" in sanctions:
        raise Banned(until=sanctions["ban"])
    return room


def room_verdict(user, room):
    """Why ``user`` may not read ``room``, as the websocket close code: 4404 where a "no" would reveal a
    secret space, 4401 for anonymous people, else 4403."""
    if can(user, "view", room.space):
        return None
    if hidden_from(user, room.space):
        return CLOSE_NOT_FOUND
    return CLOSE_UNAUTHENTICATED if not user.is_authenticated else CLOSE_FORBIDDEN


def space_chain(space_id):
    """The id of a space and of each of its ancestors, nearest first."""
    space_model = Room._meta.get_field("space").related_model
    chain = [space_id]
    parent = space_model.objects.filter(pk=space_id).values_list("parent_id", flat=True).first()
    while parent is not None and parent not in chain and len(chain) < MAX_NESTING:
        chain.append(parent)
        parent = space_model.objects.filter(pk=parent).values_list("parent_id", flat=True).first()
    return chain


def room_list(*, user, space=None):
    qs = visible(user, Room.objects.select_related("space"))
    return qs.filter(space=space) if space is not None else qs


def messages_for(*, user, room, after=None, before=None, limit=PAGE, moderator=False):
    """Messages in sequence order. ``after``: catch up after a reconnect; ``before``: page backwards."""
    qs = (
        Message.objects.filter(room=room)
        .select_related("author", "reply_to")
        .prefetch_related(Prefetch("reactions", queryset=Reaction.objects.only("message_id", "emoji")))
    )
    if not moderator:
        # Held messages are for moderators and their author only.
        qs = qs.exclude(Q(state=Message.State.HELD) & ~Q(author_id=getattr(user, "pk", None)))
    if after is not None:
        return list(qs.filter(seq__gt=after).order_by("seq")[:limit])
    if before is not None:
        qs = qs.filter(seq__lt=before)
    return list(reversed(qs.order_by("-seq")[:limit]))


def unread_count(*, user, room):
    if not user.is_authenticated:
        return 0
    marker = (
        ReadMarker.objects.filter(room=room, user=user).values_list("last_read_seq", flat=True).first() or 0
    )
    return (
        Message.objects.filter(room=room, seq__gt=marker, state=Message.State.VISIBLE)
        .exclude(author=user)
        .count()
    )


def unread_counts(*, user, rooms):
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


__all__ = [
    "Banned",
    "room_by_id",
    "room_verdict",
    "space_chain",
    "room_list",
    "messages_for",
    "unread_count",
    "unread_counts",
]
