"""Every change in a discussion is one of these functions: check, write in a transaction, broadcast
after commit. The websocket consumer, the plain-HTML room page and the API all call them.

Nothing is lost: a message is stored (with the room's next sequence number) before it is broadcast,
and a retried send with the same ``client_id`` returns the stored message instead of a second one.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from doeplein.access import can, check
from doeplein.activity.actions import record
from doeplein.core.exceptions import ActionError
from doeplein.live import send_event_on_commit
from doeplein.notifications.actions import do_notify

from .models import Mention, Message, MessageRevision, Reaction, ReadMarker, Room
from .registry import registry
from .serializers import reaction_counts

ALLOWED_REACTIONS = ("👍", "❤️", "🎉", "😄", "🤔", "👀", "✅", "🙏")


def max_length():
    """The longest message, read at call time so that the setting can change (and tests can set it)."""
    return settings.DISCUSSION_MAX_MESSAGE_LENGTH


class DiscussionError(ActionError):
    """A refusal in a discussion; ``until`` says when it ends, where it does."""

    def __init__(self, message, *, code, status=400, until=None):
        super().__init__(message, code=code, status=status)
        self.until = until


def room_group(room_id):
    return f"room.{room_id}"


def is_moderator(user, room):
    return can(user, "moderate", room.space)


def broadcast_message(message, kind="message", reactions=None):
    """Send a message's new state to the room: text for those who may read it, full to moderators."""
    from .fanout import message_event

    if reactions is None:
        reactions = reaction_counts(message)
    send_event_on_commit(room_group(message.room_id), message_event(message, kind, reactions))


def broadcast_room(room, frame, moderators_only=False):
    send_event_on_commit(
        room_group(room.pk),
        {"kind": "room", "public": None if moderators_only else frame, "moderator": frame},
    )


# --- Room -------------------------------------------------------------------------------------------
@transaction.atomic
def get_or_create_room(*, space, target=None, title=None):
    """The room of a space (or of an item in it). Created on first use."""
    from django.contrib.contenttypes.models import ContentType

    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    target_id = str(target.pk) if target is not None else ""
    room = Room.objects.filter(space=space, target_type=target_type, target_id=target_id).first()
    if room is None:
        try:
            with transaction.atomic():
                room = Room.objects.create(
                    space=space,
                    target_type=target_type,
                    target_id=target_id,
                    title=(title or str(target or space))[:200],
                )
        except IntegrityError:
            room = Room.objects.get(space=space, target_type=target_type, target_id=target_id)
    return room


# --- Checks -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RoomAccess:
    """What one person may do in one room right now, read in one query (see :func:`room_access`)."""

    view: bool
    contribute: bool
    moderate: bool
    banned: bool
    ban_until: object
    muted: bool
    mute_until: object
    locked: bool
    slow_mode_seconds: int
    last_seq: int


def room_access(user, room):
    """What ``user`` may do in ``room`` now: the gate's decisions for the room's space, the person's
    active sanctions (from the registered sanctions reader) and the room's state."""
    from doeplein.access import space_decisions

    state = (
        Room.objects.filter(pk=room.pk)
        .values("space_id", "is_locked", "slow_mode_seconds", "last_seq")
        .first()
    )
    if state is None:
        return RoomAccess(False, False, False, False, None, False, None, False, 0, 0)
    decisions = space_decisions(user, state["space_id"])
    sanctions = registry.sanctions(user, room.pk)
    return RoomAccess(
        view=decisions["view"],
        contribute=decisions["contribute"],
        moderate=decisions["moderate"],
        banned="ban" in sanctions,
        ban_until=sanctions.get("ban"),
        muted="mute" in sanctions,
        mute_until=sanctions.get("mute"),
        locked=state["is_locked"],
        slow_mode_seconds=state["slow_mode_seconds"],
        last_seq=state["last_seq"],
    )


def check_can_post(user, room, access=None, *, new_message=True):
    """Raise a :class:`DiscussionError` (or the gate's 403/404) unless ``user`` may post now.
    Returns whether the user moderates the room. ``access``: a fresh :func:`room_access`, if at hand.
    ``new_message``: False for an edit, which slow mode (one new message every n seconds) leaves alone."""
    access = access or room_access(user, room)
    if not access.view:
        check(user, "view", room.space)  # raises the right 404 or 403
    if access.banned:
        raise DiscussionError(
            _("You are banned from this discussion."), code="banned", status=403, until=access.ban_until
        )
    if access.muted:
        raise DiscussionError(
            _("You are muted in this discussion."), code="muted", status=403, until=access.mute_until
        )
    if not access.contribute:
        raise DiscussionError(
            _("You may read this discussion, not write in it."), code="read_only", status=403
        )
    moderator = access.moderate
    room.is_locked, room.slow_mode_seconds = access.locked, access.slow_mode_seconds
    if room.is_locked and not moderator:
        raise DiscussionError(_("This discussion is locked."), code="locked", status=403)
    if new_message and room.slow_mode_seconds and not moderator:
        last = (
            Message.objects.filter(room=room, author=user)
            .order_by("-seq")
            .values_list("created_at", flat=True)
            .first()
        )
        if last:
            until = last + timedelta(seconds=room.slow_mode_seconds)
            if until > timezone.now():
                raise DiscussionError(
                    _("Slow mode: one message every %(n)d seconds.") % {"n": room.slow_mode_seconds},
                    code="slow_mode",
                    status=429,
                    until=until,
                )
    return moderator


def check_rate(user, room, *, count=None, seconds=None):
    """Flood protection: at most ``count`` messages per ``seconds`` per person per room (shared by every
    server process through the cache)."""
    count = count or settings.DISCUSSION_RATE_COUNT
    seconds = seconds or settings.DISCUSSION_RATE_SECONDS
    window = int(timezone.now().timestamp()) // seconds
    key = f"discussion:rate:{room.pk}:{user.pk}:{window}"
    used = _count(key, seconds * 2)
    if used > count:
        until = timezone.datetime.fromtimestamp((window + 1) * seconds, tz=timezone.get_current_timezone())
        raise DiscussionError(
            _("Too many messages; wait a moment."), code="rate_limited", status=429, until=until
        )


def _count(key, timeout):
    """Add one to the counter ``key`` (created with ``timeout``) and return it: on Redis one round trip
    (INCR and EXPIRE NX in a pipeline), elsewhere the cache's add/incr."""
    client = _redis_of_cache()
    if client is not None:
        redis_key = cache.make_and_validate_key(key)
        pipe = client.pipeline(transaction=False)
        pipe.incr(redis_key)
        pipe.expire(redis_key, timeout, nx=True)
        return pipe.execute()[0]
    if cache.add(key, 1, timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout)
        return 1


def _redis_of_cache():
    """A redis-py client on the default cache's own connection pool, or None when it is not Redis."""
    backend = getattr(cache, "_cache", None)
    if not hasattr(backend, "get_client"):
        return None
    return backend.get_client(write=True)


def clean_body(body):
    if not isinstance(body, str):
        raise DiscussionError(_("A message needs text."), code="empty")
    body = body.strip()
    if not body:
        raise DiscussionError(_("A message needs text."), code="empty")
    limit = max_length()
    if len(body) > limit:
        raise DiscussionError(
            _("A message can be at most %(n)d characters long.") % {"n": limit}, code="too_long", status=413
        )
    return body


# --- Messages ---------------------------------------------------------------------------------------
def do_send_message(
    *, user, room, body, client_id, reply_to=None, mentions=(), access=None, write_behind=False
):
    """Store a message with the room's next sequence number, then broadcast it. Returns (message, created).
    ``access``: a :func:`room_access` the caller has just read (the consumer keeps one per connection).
    ``write_behind``: the sender's read marker, the activity record and the search signal are queued
    (:mod:`.afterwards`) instead of written now: the websocket's hot path."""
    if not isinstance(client_id, str) or not (1 <= len(client_id) <= 64):
        raise DiscussionError(
            _("Every message needs a client_id of 1 to 64 characters."), code="bad_client_id"
        )
    if not (write_behind and connection.vendor == "postgresql" and user.is_authenticated):
        existing = (
            Message.objects.filter(room=room, author=user, client_id=client_id).first()
            if user.is_authenticated
            else None
        )
        if existing is not None:
            return existing, False  # a retried send: stored once, acknowledged again
    try:
        body = clean_body(body)
        moderator = check_can_post(user, room, access)
        check_rate(user, room)
        held = registry.hold(user, room, body, moderator) and not moderator
    except (DiscussionError, PermissionDenied, Http404):
        # On the websocket's path the retried-send check is part of the insert; a retry that is refused
        # now (muted, flooding) is still acknowledged as the message it stored before.
        existing = _stored(user, room, client_id) if write_behind else None
        if existing is not None:
            return existing, False
        raise
    try:
        if not held and connection.vendor == "postgresql":
            return _insert_message(user, room, body, client_id, reply_to, mentions, write_behind)
        if write_behind and (existing := _stored(user, room, client_id)) is not None:
            return existing, False
        return _store_message(user, room, body, client_id, reply_to, mentions, held), True
    except IntegrityError:
        # The same client_id raced in through another connection: return the stored one.
        return Message.objects.get(room=room, author=user, client_id=client_id), False


def _stored(user, room, client_id):
    if not user.is_authenticated:
        return None
    return Message.objects.filter(room=room, author=user, client_id=client_id).first()


_INSERT_MESSAGE = """
WITH stored AS (
    SELECT id FROM {message} WHERE room_id = %(room)s AND author_id = %(author)s AND client_id = %(client_id)s
), parent AS (
    SELECT id FROM {message} WHERE room_id = %(room)s AND seq = %(reply_to)s
), next AS (
    UPDATE {room} SET last_seq = last_seq + 1
    WHERE id = %(room)s AND NOT EXISTS (SELECT 1 FROM stored)
        AND (CAST(%(reply_to)s AS bigint) IS NULL OR EXISTS (SELECT 1 FROM parent))
    RETURNING last_seq
), inserted AS (
    INSERT INTO {message}
        (room_id, seq, author_id, client_id, body, reply_to_id, state, hidden_reason, pinned, created_at, edited_at)
    SELECT %(room)s, next.last_seq, %(author)s, %(client_id)s, %(body)s, (SELECT id FROM parent), %(state)s, '',
        false, %(now)s, NULL
    FROM next
    RETURNING id, seq, reply_to_id
)
SELECT id, seq, reply_to_id, true FROM inserted
UNION ALL
SELECT id, NULL, NULL, false FROM stored
"""


def _insert_message(user, room, body, client_id, reply_to, mentions, write_behind):
    """A visible message in one statement (PostgreSQL): the retried-send check, the room's next number
    (taken under the room row's lock) and the row, atomic without a transaction of its own (and inside the
    caller's if there is one). Same rules as :func:`_store_message`; the per-person writes may be queued
    (``write_behind``). Returns (message, created)."""
    from doeplein.activity.actions import prepare

    now = timezone.now()
    sql = _INSERT_MESSAGE.format(message=Message._meta.db_table, room=Room._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "room": room.pk,
                "reply_to": reply_to or None,
                "author": user.pk,
                "client_id": client_id,
                "body": body,
                "state": Message.State.VISIBLE,
                "now": now,
            },
        )
        row = cursor.fetchone()
    if row is None:
        raise DiscussionError(_("The message you reply to does not exist."), code="bad_reply", status=404)
    pk, seq, parent_id, created = row
    if not created:
        return Message.objects.select_related("author", "reply_to").get(pk=pk), False  # a retried send
    room.last_seq = max(room.last_seq or 0, seq)
    message = Message(
        pk=pk, room=room, seq=seq, author=user, client_id=client_id, body=body, reply_to_id=parent_id,
        state=Message.State.VISIBLE, created_at=now,
    )  # fmt: skip
    if parent_id is not None:
        message.reply_to = Message(pk=parent_id, room=room, seq=reply_to)
    message._state.adding = False
    for listener in registry.stored_listeners:
        listener(message)
    if mentions:
        _mention(message, mentions)
    activity = prepare(actor=user, verb="discussion.posted", target=room, space=room.space, data={"seq": seq})
    if write_behind:
        from .afterwards import queue

        queue.add(message=message, activity=activity)
    else:
        from doeplein.activity.actions import record_many

        from .afterwards import write_markers

        write_markers({(room.pk, user.pk): seq})
        record_many([activity])
        post_save.send(
            sender=Message, instance=message, created=True, update_fields=None, raw=False, using="default"
        )
    broadcast_message(message, reactions={})
    return message, True


@transaction.atomic
def _store_message(user, room, body, client_id, reply_to, mentions, held):
    # One statement takes the next number and holds the row lock until commit: strictly increasing.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Room._meta.db_table} SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq",
            [room.pk],
        )
        seq = cursor.fetchone()[0]
    room.last_seq = seq
    parent = None
    if reply_to:
        parent = Message.objects.filter(room=room, seq=reply_to).first()
        if parent is None:
            raise DiscussionError(_("The message you reply to does not exist."), code="bad_reply", status=404)
    message = Message.objects.create(
        room=room,
        seq=seq,
        author=user,
        client_id=client_id,
        body=body,
        reply_to=parent,
        state=Message.State.HELD if held else Message.State.VISIBLE,
    )
    if not ReadMarker.objects.filter(room=room, user=user).update(last_read_seq=seq):
        ReadMarker.objects.create(room=room, user=user, last_read_seq=seq)
    for listener in registry.stored_listeners:
        listener(message)  # the audit hears of held messages
    if not held:
        _mention(message, mentions)
        record(actor=user, verb="discussion.posted", target=room, space=room.space, data={"seq": seq})
    broadcast_message(message, reactions={})
    return message


def _mention(message, user_ids):
    from doeplein.accounts.models import User

    ids = {int(i) for i in user_ids if str(i).isascii() and str(i).isdigit() and len(str(i)) < 19} - {
        message.author_id
    }
    if not ids:
        return
    room = message.room
    for person in User.objects.filter(pk__in=list(ids)[:20], is_active=True):
        if not can(person, "view", room.space):
            continue  # never reveal a discussion to someone who may not read it
        Mention.objects.get_or_create(message=message, user=person)
        do_notify(
            recipient=person,
            verb="discussion.mentioned",
            message=_("%(name)s mentioned you in %(room)s.")
            % {"name": message.author.display_name, "room": room.title},
            url=room.get_absolute_url() + f"#m{message.seq}",
        )


@transaction.atomic
def do_edit_message(*, user, message, body):
    """Authors edit their own message; the earlier text is kept as history. An edit meets the same rules
    as a send: length, sanctions, lock, the flood limit and the word filters (a held word holds the
    message for review again). Only slow mode, which paces new messages, leaves edits alone."""
    if message.author_id != user.pk:
        raise DiscussionError(_("You can only edit your own messages."), code="not_author", status=403)
    if message.state in (Message.State.DELETED, Message.State.HIDDEN):
        raise DiscussionError(_("This message can no longer be edited."), code="not_editable", status=409)
    body = clean_body(body)
    room = message.room
    moderator = check_can_post(user, room, new_message=False)
    if body == message.body:
        return message
    check_rate(user, room)
    held = registry.hold(user, room, body, moderator) and not moderator
    MessageRevision.objects.create(message=message, body=message.body)
    message.body = body
    message.edited_at = timezone.now()
    fields = ["body", "edited_at"]
    if held and message.state != Message.State.HELD:
        message.state = Message.State.HELD
        fields.append("state")
    message.save(update_fields=fields)
    if held:
        for listener in registry.stored_listeners:
            listener(message)
    broadcast_message(message, kind="message_updated")
    return message


@transaction.atomic
def do_delete_message(*, user, message):
    """Authors delete their own message: its place stays, its text goes, for everyone. The text (and
    that of earlier edits) is kept only where the moderation audit needs it (a registered text keeper,
    for example a message that was reported), as a revision nobody reads through the room."""
    if message.author_id != user.pk:
        raise DiscussionError(_("You can only delete your own messages."), code="not_author", status=403)
    check(user, "view", message.room.space)
    if message.state == Message.State.DELETED:
        return message
    if registry.keeps_text(message):
        MessageRevision.objects.create(message=message, body=message.body)
    else:
        MessageRevision.objects.filter(message=message).delete()
    message.state = Message.State.DELETED
    message.body = ""
    message.save(update_fields=["state", "body"])
    broadcast_message(message, kind="message_updated")
    return message


@transaction.atomic
def do_react(*, user, message, emoji, add=True):
    if emoji not in ALLOWED_REACTIONS:
        raise DiscussionError(
            _("Choose one of these reactions: %(list)s") % {"list": " ".join(ALLOWED_REACTIONS)},
            code="bad_reaction",
        )
    check(user, "view", message.room.space)
    if not can(user, "contribute", message.room.space):
        raise DiscussionError(
            _("You may read this discussion, not write in it."), code="read_only", status=403
        )
    if message.state != Message.State.VISIBLE:
        raise DiscussionError(_("You cannot react to this message."), code="not_visible", status=409)
    if add:
        Reaction.objects.get_or_create(message=message, user=user, emoji=emoji)
    else:
        Reaction.objects.filter(message=message, user=user, emoji=emoji).delete()
    broadcast_message(message, kind="message_updated")
    return message


def do_mark_read(*, user, room, seq):
    seq = max(0, min(int(seq), room.last_seq))
    marker, _created = ReadMarker.objects.get_or_create(room=room, user=user)
    if seq > marker.last_read_seq:
        ReadMarker.objects.filter(pk=marker.pk, last_read_seq__lt=seq).update(last_read_seq=seq)
    return seq
