"""The room websocket: one handler per frame type; every action re-checks access through the gate.

The protocol (every frame, with examples, and the close codes) is in docs/live-discussion.md.
"""

import json
import logging
from types import SimpleNamespace

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from doeplein.access import can
from doeplein.core.errors import service_errors
from doeplein.core.exceptions import ActionError
from doeplein.live import access_group

from . import actions, presence
from .models import Message, Room

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CATCH_UP_LIMIT = 200
# Frames anonymous readers of a public room may send; every other frame needs a login.
READ_FRAMES = ("hello", "history")


class FrameError(Exception):
    def __init__(self, code, message, **extra):
        super().__init__(message)
        self.code, self.message, self.extra = code, message, extra


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


class RoomConsumer(AsyncWebsocketConsumer):
    """``/ws/rooms/<room_id>/``"""

    async def dispatch(self, message):
        # Every frame out (errors included) speaks the language of the page that opened the socket.
        if not hasattr(self, "language"):
            self.language = scope_language(self.scope)
        with translation.override(self.language):
            await super().dispatch(message)

    async def connect(self):
        self.user = self.scope.get("user")
        self.room_id = self.scope["url_route"]["kwargs"]["room_id"]
        self.joined = False
        verdict = await self._load_room()
        if verdict is not None:
            # Accept first so the client can read the close code and reason.
            await self.accept()
            await self.close(code=verdict)
            return
        try:
            await self.channel_layer.group_add(actions.room_group(self.room.pk), self.channel_name)
            if self.user.is_authenticated:
                await self.channel_layer.group_add(access_group(self.user.pk), self.channel_name)
        except service_errors() as exc:
            # Redis unreachable (or a pooled connection gone stale across its restart): 1013 "try again
            # later"; the client reconnects with backoff and catches up by seq. Not an ASGI crash.
            logger.warning("room %s: could not join the live groups: %r", self.room.pk, exc)
            await self.accept()
            await self.close(code=1013)
            return
        self.joined = True
        await self.accept()
        if self.user.is_authenticated:
            others = await database_sync_to_async(presence.enter)(self.room.pk, self.user)
            await self._broadcast_presence(others)

    async def disconnect(self, code):
        if not getattr(self, "joined", False):
            return
        await self.channel_layer.group_discard(actions.room_group(self.room.pk), self.channel_name)
        if self.user.is_authenticated:
            await self.channel_layer.group_discard(access_group(self.user.pk), self.channel_name)
            others = await database_sync_to_async(presence.leave)(self.room.pk, self.user)
            await self._broadcast_presence(others)

    # --- access ------------------------------------------------------------------------------------
    @database_sync_to_async
    def _load_room(self):
        """Load the room and decide: None (welcome) or a close code."""
        from doeplein.access import hidden_from
        from doeplein.moderation.selectors import active_sanction

        room = Room.objects.select_related("space", "space__parent").filter(pk=self.room_id).first()
        if room is None:
            return CLOSE_NOT_FOUND
        if not can(self.user, "view", room.space):
            if hidden_from(self.user, room.space):
                return CLOSE_NOT_FOUND
            return CLOSE_UNAUTHENTICATED if not self.user.is_authenticated else CLOSE_FORBIDDEN
        if active_sanction(room=room, user=self.user, kind="ban"):
            return CLOSE_FORBIDDEN
        self.room = room
        self.moderator = actions.is_moderator(self.user, room)
        return None

    def _read_access(self):
        """Called before every action: a removed member or a ban is cut off at once. One query
        (doeplein.discussion.actions.room_access) answers view, contribute, moderate and sanctions."""
        self.access = actions.room_access(self.user, self.room)
        self.room.is_locked = self.access.locked
        self.room.slow_mode_seconds = self.access.slow_mode_seconds
        self.room.last_seq = self.access.last_seq
        self.moderator = self.access.moderate
        return self.access.view and not self.access.banned

    async def _recheck(self):
        # On the pool of threads, like sends: rechecks must not queue behind other rooms' writes.
        return await database_sync_to_async(self._read_access, thread_sensitive=False)()

    async def _cut_off(self):
        await self._send({"type": "error", "code": "access_revoked", "message": _("You no longer have access to this discussion.")})
        await self.close(code=CLOSE_FORBIDDEN)

    # --- frames in ---------------------------------------------------------------------------------
    async def receive(self, text_data=None, bytes_data=None):
        if not self.joined:
            return  # refused at connect and closing: frames that still arrive are dropped
        if bytes_data is not None or text_data is None:
            return await self._error("bad_frame", _("Frames are JSON text."))
        max_frame = settings.DISCUSSION_MAX_FRAME_BYTES
        if len(text_data.encode()) > max_frame:
            return await self._error("frame_too_large", _("The frame is larger than %(n)d bytes.") % {"n": max_frame})
        try:
            frame = json.loads(text_data)
        except ValueError:
            return await self._error("bad_json", _("The frame is not valid JSON."))
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            return await self._error("bad_frame", _("A frame is a JSON object with a \"type\"."))
        handler = getattr(self, "frame_" + frame["type"], None) if frame["type"].isidentifier() else None
        if handler is None:
            return await self._error("unknown_type", _("Unknown frame type %(type)s.") % {"type": frame["type"][:40]})
        if not await self._recheck():
            return await self._cut_off()
        try:
            if frame["type"] not in READ_FRAMES:
                self._need_login()
            await handler(frame)
        except FrameError as exc:
            await self._error(exc.code, exc.message, ref=frame.get("client_id") or frame.get("ref"), **exc.extra)
        except actions.DiscussionError as exc:
            extra = {"until": exc.until.isoformat()} if exc.until else {}
            await self._error(exc.code, exc.message, ref=frame.get("client_id") or frame.get("ref"), **extra)
        except ActionError as exc:
            await self._error(exc.code, exc.message, ref=frame.get("ref"))
        except (PermissionDenied, Http404):
            await self._error("forbidden", _("You may not do that here."), ref=frame.get("ref"))
        except Exception:  # a consumer never crashes on one bad frame
            logger.exception("discussion frame failed")
            await self._error("server_error", _("Something went wrong; nothing was changed."), ref=frame.get("ref"))

    def _need_login(self):
        if not self.user.is_authenticated:
            raise FrameError("login_required", _("Log in to take part."))

    @staticmethod
    def _int(frame, name, minimum=0):
        value = frame.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise FrameError("bad_frame", _("%(name)s must be a whole number.") % {"name": name})
        return value

    async def frame_hello(self, frame):
        """Start or resume: send the room's state, then every message after ``last_seq``."""
        last_seq = frame.get("last_seq", None)
        if last_seq is not None:
            last_seq = self._int(frame, "last_seq")
            if last_seq > self.room.last_seq:
                raise FrameError("bad_seq", _("last_seq %(seq)d is ahead of this room (%(last)d).") % {"seq": last_seq, "last": self.room.last_seq})
        welcome = await self._welcome()
        await self._send(welcome)
        if last_seq is not None:
            await self._send_messages(after=last_seq)

    async def frame_history(self, frame):
        before = self._int(frame, "before", minimum=1) if "before" in frame else self.room.last_seq + 1
        limit = min(self._int(frame, "limit", minimum=1) if "limit" in frame else 50, 100)
        messages = await self._messages(before=before, limit=limit)
        await self._send({"type": "history", "before": before, "messages": messages,
                          "has_more": bool(messages) and messages[0]["seq"] > 1})

    async def frame_send(self, frame):
        self._need_login()
        body, client_id = frame.get("body"), frame.get("client_id")
        reply_to = frame.get("reply_to")
        if reply_to is not None:
            reply_to = self._int(frame, "reply_to", minimum=1)
        mentions = frame.get("mentions") or []
        if not isinstance(mentions, list):
            raise FrameError("bad_frame", _("mentions is a list of user ids."))
        # Sends run on a pool of threads (each with its own database connection) rather than the one
        # shared database thread, so that one room's writes do not queue behind every other room's.
        # The row lock on the room keeps the sequence strict.
        message, created = await database_sync_to_async(actions.do_send_message, thread_sensitive=False)(
            user=self.user, room=self.room, body=body, client_id=client_id, reply_to=reply_to, mentions=mentions,
            access=self.access,
        )
        await self._send({"type": "ack", "client_id": client_id, "seq": message.seq, "state": message.state,
                          "duplicate": not created})

    async def frame_edit(self, frame):
        self._need_login()
        message = await self._message(frame)
        await database_sync_to_async(actions.do_edit_message)(user=self.user, message=message, body=frame.get("body"))

    async def frame_delete(self, frame):
        self._need_login()
        message = await self._message(frame)
        await database_sync_to_async(actions.do_delete_message)(user=self.user, message=message)

    async def frame_react(self, frame):
        self._need_login()
        message = await self._message(frame)
        await database_sync_to_async(actions.do_react)(
            user=self.user, message=message, emoji=frame.get("emoji"), add=frame.get("remove") is not True
        )

    async def frame_read(self, frame):
        self._need_login()
        seq = self._int(frame, "seq")
        if seq > self.room.last_seq:
            raise FrameError("bad_seq", _("That message does not exist yet."))
        await database_sync_to_async(actions.do_mark_read)(user=self.user, room=self.room, seq=seq)
        await self._send({"type": "unread", "room": self.room.pk, "count": await self._unread()})

    async def frame_typing(self, frame):
        self._need_login()
        if not await database_sync_to_async(can)(self.user, "contribute", self.room.space):
            raise FrameError("read_only", _("You may read this discussion, not write in it."))
        await self.channel_layer.group_send(
            actions.room_group(self.room.pk),
            {"type": "live.event", "event": {"kind": "room", "public": {
                "type": "typing", "user": {"id": self.user.pk, "name": self.user.display_name}}, "moderator": None,
                "except_channel": self.channel_name}},
        )

    async def frame_report(self, frame):
        from doeplein.moderation.actions import do_report_message

        self._need_login()
        message = await self._message(frame)
        report = await database_sync_to_async(do_report_message)(user=self.user, message=message, reason=frame.get("reason"))
        await self._send({"type": "reported", "seq": message.seq, "report": report.pk})

    # Moderation frames: the actions check that the user may moderate the room's space.
    async def frame_hide(self, frame):
        from doeplein.moderation.actions import do_hide_message

        message = await self._message(frame)
        await database_sync_to_async(do_hide_message)(actor=self.user, message=message, reason=frame.get("reason") or "")

    async def frame_unhide(self, frame):
        from doeplein.moderation.actions import do_unhide_message

        message = await self._message(frame)
        await database_sync_to_async(do_unhide_message)(actor=self.user, message=message)

    async def frame_pin(self, frame):
        from doeplein.moderation.actions import do_pin_message

        message = await self._message(frame)
        await database_sync_to_async(do_pin_message)(actor=self.user, message=message, pinned=frame.get("pinned", True) is not False)

    async def frame_lock(self, frame):
        from doeplein.moderation.actions import do_lock_room

        await database_sync_to_async(do_lock_room)(
            actor=self.user, room=self.room, locked=frame.get("locked", True) is not False, reason=frame.get("reason") or ""
        )

    async def frame_slow_mode(self, frame):
        from doeplein.moderation.actions import do_set_slow_mode

        await database_sync_to_async(do_set_slow_mode)(actor=self.user, room=self.room, seconds=frame.get("seconds"))

    async def frame_mute(self, frame):
        await self._sanction(frame, "mute")

    async def frame_ban(self, frame):
        await self._sanction(frame, "ban")

    async def _sanction(self, frame, kind):
        from doeplein.accounts.models import User
        from doeplein.moderation.actions import do_sanction

        user_id = self._int(frame, "user", minimum=1)
        target = await database_sync_to_async(User.objects.filter(pk=user_id, is_active=True).first)()
        if target is None:
            raise FrameError("not_found", _("No such person."))
        await database_sync_to_async(do_sanction)(
            actor=self.user, room=self.room, user=target, kind=kind, reason=frame.get("reason") or "",
            minutes=frame.get("minutes"),
        )
        await self._send({"type": "done", "action": kind, "user": user_id})

    async def frame_resolve(self, frame):
        from doeplein.moderation.actions import do_resolve_report
        from doeplein.moderation.models import Report

        report_id = self._int(frame, "report", minimum=1)
        report = await database_sync_to_async(
            Report.objects.select_related("message__room").filter(pk=report_id, message__room=self.room).first
        )()
        if report is None:
            raise FrameError("not_found", _("No such report in this room."))
        await database_sync_to_async(do_resolve_report)(
            actor=self.user, report=report, resolution=frame.get("resolution"), reason=frame.get("reason") or ""
        )

    async def frame_reports(self, frame):
        """The open review queue (moderators)."""
        from doeplein.moderation.actions import report_frame
        from doeplein.moderation.selectors import open_reports

        def load():
            return [report_frame(r) for r in open_reports(user=self.user, room=self.room)]

        await self._send({"type": "reports", "reports": await database_sync_to_async(load)()})

    # --- frames out --------------------------------------------------------------------------------
    async def live_event(self, message):
        """Events from actions (after commit): pick the version this connection may see."""
        event = message["event"]
        if event.get("kind") == "access_changed":
            if not await self._recheck():
                await self._cut_off()
            return
        if event.get("except_channel") == self.channel_name:
            return
        frame = event.get("public")
        if event.get("moderator") is not None and (
            self.moderator or (event.get("author_id") is not None and event.get("author_id") == self.user.pk)
        ):
            frame = event["moderator"]
        if frame is not None:
            await self._send(frame)

    async def _broadcast_presence(self, users):
        await self.channel_layer.group_send(
            actions.room_group(self.room.pk),
            {"type": "live.event", "event": {"kind": "room", "public": {"type": "presence", "room": self.room.pk,
                                                                         "online": users}, "moderator": None}},
        )

    async def _send(self, frame):
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))

    async def _error(self, code, message, **extra):
        frame = {"type": "error", "code": code, "message": str(message)}
        frame.update({k: v for k, v in extra.items() if v is not None})
        await self._send(frame)

    # --- helpers (database) ------------------------------------------------------------------------
    async def _message(self, frame):
        seq = self._int(frame, "seq", minimum=1)
        message = await database_sync_to_async(
            Message.objects.select_related("room__space", "author").filter(room=self.room, seq=seq).first
        )()
        if message is None or (message.state == Message.State.HELD and not self.moderator and message.author_id != self.user.pk):
            raise FrameError("not_found", _("No message %(seq)d in this room.") % {"seq": seq})
        return message

    @database_sync_to_async
    def _welcome(self):
        from .selectors import unread_count

        pinned = Message.objects.filter(room=self.room, pinned=True, state=Message.State.VISIBLE).values_list("seq", flat=True)
        return {
            "type": "welcome",
            "room": {"id": self.room.pk, "title": self.room.title, "last_seq": self.room.last_seq,
                     "locked": self.room.is_locked, "slow_mode_seconds": self.room.slow_mode_seconds,
                     "pinned": list(pinned)},
            "you": {"id": self.user.pk, "name": self.user.display_name, "moderator": self.moderator,
                    "may_write": self._may_write()} if self.user.is_authenticated else None,
            "unread": unread_count(user=self.user, room=self.room),
            "online": presence.online(self.room.pk),
            "max_length": actions.max_length(),
        }

    def _may_write(self):
        try:
            actions.check_can_post(self.user, self.room)
            return True
        except Exception:  # noqa: BLE001 -- any refusal (an ActionError or a Django error) means "no"
            return False

    @database_sync_to_async
    def _messages(self, **kwargs):
        from .selectors import messages_for
        from .serializers import message_frame

        return [message_frame(m, for_moderator=self.moderator) for m in
                messages_for(user=self.user, room=self.room, moderator=self.moderator, **kwargs)]

    async def _send_messages(self, after):
        """Catch up after a reconnect: everything after ``after``, in order, in batches."""
        while True:
            batch = await self._messages(after=after, limit=CATCH_UP_LIMIT)
            for frame in batch:
                await self._send(frame)
            if len(batch) < CATCH_UP_LIMIT:
                break
            after = batch[-1]["seq"]
        await self._send({"type": "caught_up", "last_seq": self.room.last_seq})

    @database_sync_to_async
    def _unread(self):
        from .selectors import unread_count

        return unread_count(user=self.user, room=self.room)
