"""The room websocket: frames parsed into typed models, one handler per frame type, and a verdict from
the gate that is re-read before every frame a person sends and on every access change.

The protocol (every frame, with examples, and the close codes) is in docs/live-discussion.md. The frame
types live in :mod:`doeplein.discussion.registry`: the core's are registered below, moderation registers
its own. Nothing here names moderation.
"""

import asyncio
import collections
import functools
import json
import logging
import time
import uuid
from types import SimpleNamespace

from asgiref.sync import SyncToAsync
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, connection
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from doeplein import livehub
from doeplein.core.errors import service_errors
from doeplein.core.exceptions import ActionError
from doeplein.live import access_group, access_space_group

from . import actions, fanout, frames, presence
from .frames import FrameError
from .models import Message, Room
from .registry import FrameType, registry
from .selectors import room_verdict, space_chain

logger = logging.getLogger(__name__)

CLOSE_SERVER_ERROR = 1011
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TRY_AGAIN = 1013
CLOSE_TOO_SLOW = 4408  # the client read slower than the room talked; reconnect and catch up by seq
CATCH_UP_LIMIT = 200
HISTORY_LIMIT = 100

__all__ = [
    "CLOSE_FORBIDDEN",
    "CLOSE_NOT_FOUND",
    "CLOSE_TOO_SLOW",
    "CLOSE_UNAUTHENTICATED",
    "FrameError",
    "RoomConsumer",
]


def pooled(function):
    """Run ``function`` on the pool of threads (each with its own database connection), not the one shared
    sync thread: one room's database work does not queue behind every other room's.

    Unlike ``database_sync_to_async`` this does not check the thread's connection before every call (with
    CONN_HEALTH_CHECKS that is a ``SELECT 1`` round trip per frame); a connection that a database restart
    broke is closed when a call fails on it, and the next call opens a new one."""

    @functools.wraps(function)
    def call(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (OperationalError, InterfaceError):
            connection.close()
            raise

    return SyncToAsync(call, thread_sensitive=False)


def scope_language(scope):
    """The language of the page that opened the socket: the language cookie, else Accept-Language.

    LocaleMiddleware does not run for websockets; without this, error frames came in LANGUAGE_CODE
    (Dutch) on an English page.
    """
    headers = dict(scope.get("headers", ()))
    request = SimpleNamespace(
        COOKIES=scope.get("cookies") or {},
        META={"HTTP_ACCEPT_LANGUAGE": headers.get(b"accept-language", b"").decode("latin-1")},
    )
    return translation.get_language_from_request(request)


def encode(frame):
    """A frame as JSON text that always encodes as UTF-8 (a lone surrogate becomes "?")."""
    text = json.dumps(frame, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


class _Close:
    __slots__ = ("code",)

    def __init__(self, code):
        self.code = code


RECHECK = object()  # in a socket's queue: read the verdict again before writing what follows


class RoomConsumer(AsyncWebsocketConsumer, livehub.Listener):
    """``/ws/rooms/<room_id>/``

    Room sockets do not use the channel layer: their events come from this process's hub
    (:mod:`doeplein.livehub`, :mod:`.fanout`), and everything a socket writes goes through its own queue,
    written in order by one task (:meth:`_write`). The verdict is kept per socket and read again when an
    access event says so, when a sanction it knows of ends, or after :data:`VERDICT_SECONDS`."""

    channel_layer_alias = "doeplein.room-sockets-use-the-hub"  # no such layer: channels then runs without one
    joined = False
    closing = False
    torn_down = False
    feed = None
    writer = None
    too_slow = False
    presence_key = None
    holding = 0

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            # However the connection ends (a close, a cancelled task, a crash), its presence goes.
            await self._teardown()

    async def dispatch(self, message):
        # Every frame out (errors included) speaks the language of the page that opened the socket.
        if not hasattr(self, "language"):
            self.language = scope_language(self.scope)
        with translation.override(self.language):
            try:
                # channels' own dispatch first closes the shared sync thread's stale database connections,
                # a thread hop per frame; this consumer never uses that thread (its database work runs on
                # the pool, and DatabaseSyncToAsync closes stale connections there), so the hop is skipped.
                handler = getattr(self, get_handler_name(message), None)
                if handler is None:
                    raise ValueError(f"No handler for message type {message['type']}")
                await handler(message)
            except StopConsumer:
                raise
            except Exception:
                # The one place an unexpected failure ends up: logged with an id, the client told, the
                # consumer alive. A failure while connecting closes (fail closed).
                error_id = uuid.uuid4().hex[:12]
                logger.exception("discussion consumer failed on %s (error %s)", message.get("type"), error_id)
                kind = message.get("type")
                if kind == "websocket.disconnect":
                    raise StopConsumer() from None
                if kind == "websocket.connect":
                    await self.close(code=CLOSE_SERVER_ERROR)  # before accepting: the handshake is refused
                    return
                await self._server_error(error_id)
                if kind != "websocket.receive":
                    await self._close(CLOSE_SERVER_ERROR)

    # --- connecting --------------------------------------------------------------------------------
    async def connect(self):
        self.user = self.scope.get("user")
        self.user_id = self.user.pk if self.user is not None and self.user.is_authenticated else None
        self.room_id = self.scope["url_route"]["kwargs"].get("room_id")
        self.connection_id = uuid.uuid4().hex
        self.outbox = collections.deque()
        self.held = []
        self.outbox_ready = asyncio.Event()
        self.access_generation = self.verdict_generation = 0
        self.access_groups = set()
        verdict = await pooled(self._load_room)()
        if verdict is not None:
            # Accept first so the client can read the close code and reason.
            await self.accept()
            await self.close(code=verdict)
            return
        try:
            self.feed = await fanout.join(self, self.room.pk, self.room.last_seq)
            await self._join_access_groups()
        except service_errors() as exc:
            # Redis unreachable (or a pooled connection gone stale across its restart): 1013 "try again
            # later"; the client reconnects with backoff and catches up by seq. Not an ASGI crash.
            logger.warning("room %s: could not join the live groups: %r", self.room.pk, exc)
            await self._teardown()
            await self.accept()
            await self.close(code=CLOSE_TRY_AGAIN)
            return
        self.joined = True
        await self.accept()
        self.writer = asyncio.ensure_future(self._write())
        self.told_mute = (self.access.muted, self.access.mute_until)
        if self.user_id is not None:
            self.presence_key = presence.connection_key(self.user, self.connection_id)
            await pooled(presence.enter)(self.room.pk, self.user, self.connection_id)
            self.feed.presence_changed()

    async def disconnect(self, code):
        if not self.joined:
            return
        self.joined = False
        await self._teardown()

    async def _teardown(self):
        """Leave the room's feed, the access groups and the presence list (once, however it ends)."""
        if self.torn_down:
            return
        self.torn_down = True
        if self.writer is not None and not self.writer.done():
            self.writer.cancel()
        had_presence = await self._leave_presence()
        feed, self.feed = self.feed, None
        hub = feed.hub if feed is not None else None
        if feed is not None:
            await fanout.leave(self, feed)
            if had_presence:
                feed.presence_changed()
        for group in list(getattr(self, "access_groups", ())):
            if hub is not None:
                await hub.unsubscribe(group, self)
        self.access_groups = set()

    async def _leave_presence(self):
        """Drop this connection's presence entry; True if there was one."""
        if self.presence_key is None:
            return False
        key, self.presence_key = self.presence_key, None
        try:
            await pooled(presence.leave)(self.room.pk, key)
        except Exception:  # the entry expires by itself (presence.TTL)
            logger.exception("presence could not be cleared")
        return True

    async def _close(self, code):
        """Close after everything queued before (the error frame that says why, first of all)."""
        self.closing = True
        self._enqueue(_Close(code))

    # --- writing -----------------------------------------------------------------------------------
    def enqueue(self, item):
        """From the room's feed: a frame for everyone in the room (:class:`fanout.Outgoing`)."""
        if self.joined and not self.closing:
            if self.holding:
                self.held.append(item)
                if len(self.held) + len(self.outbox) >= settings.DISCUSSION_SOCKET_QUEUE:
                    self.release_held()
            else:
                self._enqueue(item)

    def hold_room_frames(self):
        """While this socket's own send is stored: room frames wait, so that its ``ack`` comes before the
        room's copy of the message (as the protocol promises the sender)."""
        self.holding += 1

    def release_held(self):
        self.holding = max(0, self.holding - 1)
        held, self.held = self.held, []
        for item in held:
            self._enqueue(item)

    def _enqueue(self, item):
        if self.too_slow:
            return
        if len(self.outbox) >= settings.DISCUSSION_SOCKET_QUEUE:
            # This client reads slower than the room talks: rather than grow this process's memory, the
            # socket closes (4408) and the client catches up by seq when it reconnects.
            self.too_slow = True
            self.closing = True
            self.outbox.clear()
            self.outbox.append(_Close(CLOSE_TOO_SLOW))
            logger.info("room %s: a socket fell %d frames behind; closed", self.room_id, len(self.outbox))
        else:
            self.outbox.append(item)
        self.outbox_ready.set()

    async def _write(self):
        """The socket's one writer: its own frames, the room's frames in this socket's variant, access
        re-reads and the close, in the order they were queued."""
        outbox = self.outbox
        try:
            while True:
                if not outbox:
                    self.outbox_ready.clear()
                    await self.outbox_ready.wait()
                    continue
                item = outbox.popleft()
                if type(item) is str:
                    await self.send(text_data=item)
                elif item is RECHECK:
                    if not await self._apply_access_change():
                        return
                elif type(item) is _Close:
                    self.closing = True
                    await self.close(code=item.code)
                    return
                elif not self.closing:
                    if item.needs_verdict(self) and not await self._recheck():
                        await self._cut_off_now()
                        return
                    text = item.text_for(self)
                    if text is not None:
                        await self.send(text_data=text)
        except asyncio.CancelledError:
            raise
        except OSError:
            return  # the client went away while a frame was being written (uvicorn's ClientDisconnected)
        except Exception:
            error_id = uuid.uuid4().hex[:12]
            logger.exception("room socket writer failed (error %s)", error_id)
            try:
                await self.close(code=CLOSE_SERVER_ERROR)
            except Exception:  # noqa: BLE001 -- the socket is gone already
                pass

    async def room_for_more(self):
        """Wait until the socket's queue is at most half full (a long catch-up does not outrun the client)."""
        while len(self.outbox) > settings.DISCUSSION_SOCKET_QUEUE // 2 and not self.closing:
            await asyncio.sleep(0.01)

    # --- access ------------------------------------------------------------------------------------
    def _load_room(self):
        """Load the room and decide: None (welcome) or a close code."""
        if not isinstance(self.room_id, int) or not 1 <= self.room_id <= frames.MAX_ID:
            return CLOSE_NOT_FOUND  # no room has an id the database cannot store
        room = Room.objects.select_related("space", "space__parent").filter(pk=self.room_id).first()
        if room is None:
            return CLOSE_NOT_FOUND
        self.room = room
        self.access = actions.room_access(self.user, room)
        self.verdict_at = time.monotonic()
        if not self.access.view:
            return room_verdict(self.user, room)
        if self.access.banned:
            return CLOSE_FORBIDDEN
        self.chain = space_chain(room.space_id)
        return None

    def _wanted_access_groups(self):
        groups = {access_space_group(space_id) for space_id in self.chain}
        if self.user_id is not None:
            groups.add(access_group(self.user_id))
        return groups

    async def _join_access_groups(self):
        hub = livehub.current()
        wanted = self._wanted_access_groups()
        for group in wanted - self.access_groups:
            await hub.subscribe(group, self)
        for group in self.access_groups - wanted:
            await hub.unsubscribe(group, self)
        self.access_groups = wanted

    def hub_event(self, group, event):
        """From the hub, for this socket's access groups: the verdict is stale from now on."""
        if event is livehub.RESUBSCRIBED or event.get("kind") in ("access_changed", "resubscribed"):
            self.access_changed()

    def access_changed(self):
        """Read the verdict again before the next frame in and before writing anything queued after now."""
        self.access_generation += 1
        if self.joined:
            self._enqueue(RECHECK)

    @property
    def moderator(self):
        return self.access.moderate

    def verdict_is_fresh(self):
        """The cached verdict still holds: no access event since it was read, no sanction of it has ended,
        and it is younger than DISCUSSION_VERDICT_SECONDS (a safety net, not the mechanism)."""
        if self.verdict_generation != self.access_generation:
            return False
        if time.monotonic() - self.verdict_at > settings.DISCUSSION_VERDICT_SECONDS:
            return False
        access = self.access
        for active, until in ((access.muted, access.mute_until), (access.banned, access.ban_until)):
            if active and until is not None and until <= timezone.now():
                return False
        return True

    def _read_access(self, chain=False):
        """The verdict, read again: the gate's decisions for the room's space, the person's sanctions and
        the room's state (doeplein.discussion.actions.room_access). ``chain``: the space's ancestors too."""
        generation = self.access_generation
        self.access = actions.room_access(self.user, self.room)
        self.verdict_generation = generation
        self.verdict_at = time.monotonic()
        self.room.is_locked = self.access.locked
        self.room.slow_mode_seconds = self.access.slow_mode_seconds
        self.room.last_seq = max(self.room.last_seq, self.access.last_seq)
        if chain:
            self.chain = space_chain(self.room.space_id)
        return self.access.view and not self.access.banned

    async def _recheck(self, chain=False):
        # On the pool of threads, like sends: rechecks must not queue behind other rooms' writes.
        return await pooled(self._read_access)(chain)

    async def _apply_access_change(self):
        """In the writer, where an access event was queued: read the verdict (and the space's ancestors)
        again; cut off, follow a move or tell a changed mute. False when the socket closed."""
        if not await self._recheck(chain=True):
            await self._cut_off_now(banned_until=self.access.ban_until if self.access.banned else False)
            return False
        await self._join_access_groups()
        mute = (self.access.muted, self.access.mute_until)
        if mute != self.told_mute:
            self.told_mute = mute
            await self.send(text_data=encode(self._sanction_frame()))
        return True

    async def _cut_off_now(self, banned_until=False):
        """In the writer: say why, then close (nothing queued after is written)."""
        self.closing = True
        await self.send(text_data=encode(self._cut_off_frame(banned_until)))
        await self.close(code=CLOSE_FORBIDDEN)

    def _cut_off_frame(self, banned_until=False):
        frame = {
            "type": "error",
            "code": "access_revoked",
            "message": _("You no longer have access to this discussion."),
        }
        if banned_until is not False:
            # Excluded while connected: the person is told so, with the end, before the socket closes.
            frame["sanction"] = "ban"
            frame["message"] = _("You are banned from this discussion.")
            frame["until"] = banned_until.isoformat() if banned_until else None
        return frame

    async def _cut_off(self, banned_until=False):
        await self._send(self._cut_off_frame(banned_until))
        await self._close(CLOSE_FORBIDDEN)

    def _sanction_frame(self):
        """Told live when a mute starts, changes or ends: whether it is in force, until when."""
        if self.access.muted:
            until = self.access.mute_until
            return {
                "type": "sanction",
                "kind": "mute",
                "active": True,
                "until": until.isoformat() if until else None,
                "message": _("You are muted in this discussion."),
            }
        return {
            "type": "sanction",
            "kind": "mute",
            "active": False,
            "until": None,
            "message": _("You may write in this discussion again."),
        }

    # --- frames in ---------------------------------------------------------------------------------
    async def receive(self, text_data=None, bytes_data=None):
        if not self.joined or self.closing:
            return  # refused at connect or closing: frames that still arrive are dropped
        raw = None
        try:
            if bytes_data is not None or text_data is None:
                raise FrameError("bad_frame", _("Frames are JSON text."))
            raw = frames.load(text_data, max_bytes=settings.DISCUSSION_MAX_FRAME_BYTES)
            frame_type = registry.frames.get(raw["type"])
            if frame_type is None:
                raise FrameError(
                    "unknown_type",
                    _("Unknown frame type %(type)s.") % {"type": frames.printable(raw["type"])},
                )
            if not self.verdict_is_fresh() and not await self._recheck():
                return await self._cut_off()
            if not frame_type.anonymous and not self.user.is_authenticated:
                raise FrameError("login_required", _("Log in to take part."))
            frame = frames.validate(frame_type.model, raw)
            await frame_type.handle(self, frame)
        except FrameError as exc:
            await self._error(exc.code, exc.message, **{"ref": frames.safe_ref(raw), **exc.extra})
        except actions.DiscussionError as exc:
            extra = {"until": exc.until.isoformat()} if exc.until else {}
            await self._error(exc.code, exc.message, ref=frames.safe_ref(raw), **extra)
        except ActionError as exc:
            await self._error(exc.code, exc.message, ref=frames.safe_ref(raw))
        except (PermissionDenied, Http404):
            await self._error("forbidden", _("You may not do that here."), ref=frames.safe_ref(raw))
        except Exception:  # a consumer never crashes on one bad frame
            error_id = uuid.uuid4().hex[:12]
            logger.exception("discussion frame failed (error %s)", error_id)
            await self._server_error(error_id, ref=frames.safe_ref(raw))

    # --- what handlers use -------------------------------------------------------------------------
    async def send_frame(self, frame):
        await self._send(frame)

    async def run(self, function, /, **kwargs):
        """Call a (synchronous) action with the database, off the event loop (on the pool of threads)."""
        return await pooled(function)(**kwargs)

    async def message(self, seq):
        """Message ``seq`` of this room, as this connection may know it (a held one only for moderators
        and its author), or ``not_found``."""
        message = await pooled(
            Message.objects.select_related("room__space", "author").filter(room=self.room, seq=seq).first
        )()
        if message is None or (
            message.state == Message.State.HELD and not self.moderator and message.author_id != self.user.pk
        ):
            raise FrameError("not_found", _("No message %(seq)d in this room.") % {"seq": seq})
        return message

    # --- frames out --------------------------------------------------------------------------------
    async def _send(self, frame):
        self._enqueue(encode(frame))

    async def _error(self, code, message, **extra):
        frame = {"type": "error", "code": code, "message": str(message)}
        frame.update({k: v for k, v in extra.items() if v is not None})
        await self._send(frame)

    async def _server_error(self, error_id, ref=None):
        await self._error(
            "server_error",
            _("Something went wrong; nothing was changed (error %(id)s).") % {"id": error_id},
            id=error_id,
            ref=ref,
        )

    # --- helpers (database) ------------------------------------------------------------------------
    def known_last_seq(self):
        """The room's last number as this process knows it (from its own sends and the room's feed)."""
        feed_cursor = self.feed.cursor if self.feed is not None else 0
        self.room.last_seq = max(self.room.last_seq, feed_cursor)
        return self.room.last_seq

    async def refresh_last_seq(self):
        from .fanout import last_seq

        latest = await pooled(last_seq)(self.room.pk)
        self.room.last_seq = max(self.room.last_seq, latest)
        return self.room.last_seq

    @pooled
    def welcome(self):
        from .fanout import last_seq
        from .selectors import unread_count

        self.room.last_seq = max(self.room.last_seq, last_seq(self.room.pk))

        pinned = Message.objects.filter(room=self.room, pinned=True, state=Message.State.VISIBLE).values_list(
            "seq", flat=True
        )
        return {
            "type": "welcome",
            "room": {
                "id": self.room.pk,
                "title": self.room.title,
                "last_seq": self.room.last_seq,
                "locked": self.room.is_locked,
                "slow_mode_seconds": self.room.slow_mode_seconds,
                "pinned": list(pinned),
            },
            "you": {
                "id": self.user.pk,
                "name": self.user.display_name,
                "moderator": self.moderator,
                "may_write": self._may_write(),
            }
            if self.user.is_authenticated
            else None,
            "unread": unread_count(user=self.user, room=self.room),
            "online": presence.online(self.room.pk),
            "max_length": actions.max_length(),
        }

    def _may_write(self):
        try:
            actions.check_can_post(self.user, self.room, self.access)
            return True
        except (ActionError, PermissionDenied, Http404):
            return False

    @pooled
    def messages(self, **kwargs):
        from .selectors import messages_for
        from .serializers import message_frame

        return [
            message_frame(m, for_moderator=self.moderator)
            for m in messages_for(user=self.user, room=self.room, moderator=self.moderator, **kwargs)
        ]

    async def send_messages(self, after):
        """Catch up after a reconnect: everything after ``after``, in order, in batches."""
        while True:
            batch = await self.messages(after=after, limit=CATCH_UP_LIMIT)
            for frame in batch:
                await self._send(frame)
            await self.room_for_more()
            if len(batch) < CATCH_UP_LIMIT:
                break
            after = batch[-1]["seq"]
        await self._send({"type": "caught_up", "last_seq": self.room.last_seq})

    @pooled
    def unread(self):
        from .selectors import unread_count

        return unread_count(user=self.user, room=self.room)


# --- the core's frame handlers ---------------------------------------------------------------------
async def on_hello(conn, frame: frames.Hello):
    """Start or resume: send the room's state, then every message after ``last_seq``."""
    if frame.last_seq is not None and frame.last_seq > conn.known_last_seq():
        await conn.refresh_last_seq()
    if frame.last_seq is not None and frame.last_seq > conn.room.last_seq:
        raise FrameError(
            "bad_seq",
            _("last_seq %(seq)d is ahead of this room (%(last)d).")
            % {"seq": frame.last_seq, "last": conn.room.last_seq},
        )
    await conn.send_frame(await conn.welcome())
    if frame.last_seq is not None:
        await conn.send_messages(after=frame.last_seq)


async def on_history(conn, frame: frames.History):
    before = frame.before if frame.before is not None else conn.known_last_seq() + 1
    messages = await conn.messages(before=before, limit=min(frame.limit, HISTORY_LIMIT))
    await conn.send_frame(
        {
            "type": "history",
            "before": before,
            "messages": messages,
            "has_more": bool(messages) and messages[0]["seq"] > 1,
        }
    )


async def on_send(conn, frame: frames.Send):
    # Sends run on a pool of threads (each with its own database connection) rather than the one
    # shared database thread, so that one room's writes do not queue behind every other room's.
    # The row lock on the room keeps the sequence strict.
    conn.hold_room_frames()
    try:
        message, created = await pooled(actions.do_send_message)(
            user=conn.user,
            room=conn.room,
            body=frame.body,
            client_id=frame.client_id,
            reply_to=frame.reply_to,
            mentions=frame.mentions,
            access=conn.access,
            write_behind=True,
        )
        conn.room.last_seq = max(conn.room.last_seq, message.seq)
        await conn.send_frame(
            {
                "type": "ack",
                "client_id": frame.client_id,
                "seq": message.seq,
                "state": message.state,
                "duplicate": not created,
            }
        )
    finally:
        conn.release_held()


async def on_edit(conn, frame: frames.Edit):
    message = await conn.message(frame.seq)
    await conn.run(actions.do_edit_message, user=conn.user, message=message, body=frame.body)


async def on_delete(conn, frame: frames.Delete):
    message = await conn.message(frame.seq)
    await conn.run(actions.do_delete_message, user=conn.user, message=message)


async def on_react(conn, frame: frames.React):
    message = await conn.message(frame.seq)
    await conn.run(actions.do_react, user=conn.user, message=message, emoji=frame.emoji, add=not frame.remove)


async def on_read(conn, frame: frames.Read):
    if frame.seq > conn.known_last_seq() and frame.seq > await conn.refresh_last_seq():
        raise FrameError("bad_seq", _("That message does not exist yet."))
    await conn.run(actions.do_mark_read, user=conn.user, room=conn.room, seq=frame.seq)
    await conn.send_frame({"type": "unread", "room": conn.room.pk, "count": await conn.unread()})


async def on_typing(conn, frame: frames.Typing):
    if not conn.access.contribute:
        raise FrameError("read_only", _("You may read this discussion, not write in it."))
    await livehub.apublish(
        actions.room_group(conn.room.pk),
        {
            "kind": "room",
            "public": {"type": "typing", "user": {"id": conn.user.pk, "name": conn.user.display_name}},
            "moderator": None,
            "except_channel": conn.connection_id,
        },
    )


CORE_HANDLERS = {
    "hello": (frames.Hello, on_hello, True),
    "send": (frames.Send, on_send, False),
    "edit": (frames.Edit, on_edit, False),
    "delete": (frames.Delete, on_delete, False),
    "react": (frames.React, on_react, False),
    "typing": (frames.Typing, on_typing, False),
    "read": (frames.Read, on_read, False),
    "history": (frames.History, on_history, True),
}


def register_core_frames(target=registry):
    """Called once, from DiscussionConfig.ready()."""
    for name, (model, handle, anonymous) in CORE_HANDLERS.items():
        target.register_frame(FrameType(name=name, model=model, handle=handle, anonymous=anonymous))
