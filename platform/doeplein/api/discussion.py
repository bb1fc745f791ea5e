"""Discussion over plain HTTP: read a room's messages and post to it, through the same actions."""

from ninja import Field, Router, Schema, Status

from doeplein.discussion import actions
from doeplein.discussion.selectors import messages_for, room_by_id, unread_count
from doeplein.discussion.serializers import message_frame

from .auth import OPTIONAL
from .common import Id

router = Router(tags=["discussion"])


class MessageIn(Schema):
    client_id: str = Field(
        ...,
        min_length=1,
        max_length=64,
        description="Your id for this message; a retry with the same id is stored once.",
    )
    body: str = Field(..., min_length=1)
    reply_to: int | None = None
    mentions: list[int] = Field(default_factory=list, max_length=20)


class RoomOut(Schema):
    id: int
    title: str
    space: int
    last_seq: int
    locked: bool
    slow_mode_seconds: int
    unread: int


@router.get("/rooms/{room_id}", response=RoomOut, auth=OPTIONAL, summary="A discussion room")
def room(request, room_id: Id):
    room = room_by_id(user=request.user, room_id=room_id)
    return {
        "id": room.pk,
        "title": room.title,
        "space": room.space_id,
        "last_seq": room.last_seq,
        "locked": room.is_locked,
        "slow_mode_seconds": room.slow_mode_seconds,
        "unread": unread_count(user=request.user, room=room),
    }


@router.get("/rooms/{room_id}/messages", response=list[dict], auth=OPTIONAL, summary="Messages of a room")
def messages(request, room_id: Id, after: int | None = None, before: int | None = None, limit: int = 50):
    """``after``: catch up after that sequence; ``before``: page backwards; neither: the latest."""
    room = room_by_id(user=request.user, room_id=room_id)
    moderator = actions.is_moderator(request.user, room)
    found = messages_for(
        user=request.user,
        room=room,
        after=after,
        before=before,
        limit=max(1, min(limit, 200)),
        moderator=moderator,
    )
    return [message_frame(m, for_moderator=moderator) for m in found]


@router.post("/rooms/{room_id}/messages", response={201: dict, 200: dict}, summary="Post a message")
def post_message(request, room_id: Id, payload: MessageIn):
    room = room_by_id(user=request.user, room_id=room_id)
    message, created = actions.do_send_message(
        user=request.user,
        room=room,
        body=payload.body,
        client_id=payload.client_id,
        reply_to=payload.reply_to,
        mentions=payload.mentions,
    )
    return Status(
        201 if created else 200,
        message_frame(message, for_moderator=actions.is_moderator(request.user, room)),
    )
