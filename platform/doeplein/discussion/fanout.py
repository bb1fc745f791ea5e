"""A room's live events in one process: received once from the hub (:mod:`doeplein.livehub`), each
variant of a frame encoded once, and queued for every local socket of the room.

- **Variants.** An event carries a ``public`` frame (or None), a ``moderator`` frame (or None: the same as
  public) and, for a held message, its ``author_id``. :class:`Outgoing` encodes each variant the first time
  a socket needs it; the socket's cached verdict picks one at the moment it writes (so a verdict that
  changed earlier in the socket's queue applies). Room events carry no translated text, so no variant per
  language is needed. The one read per socket: before moderator-only text (hidden or held text, reports) a
  moderator's socket reads its verdict again, so such text goes only where the verdict is "moderator" now,
  even when a role changed without an event; these frames are rare and only moderators' sockets do it.
- **Nothing lost.** New messages carry their sequence number. The feed remembers the highest it has seen
  (``cursor``, read from the database when the feed starts); an event whose number skips ahead means this
  process missed one (Redis restarted, the subscription dropped, or two senders' broadcasts crossed), so
  the feed reads the missing messages from the database and queues them first, in order. The late copy of a
  message that was read that way is dropped when it arrives. After the hub's subscription was lost and is
  back (:data:`doeplein.livehub.RESUBSCRIBED`), the feed catches up to the room's last number, and every
  socket reads its verdict again.
- **Presence** changes are coalesced: at most one presence frame a second per room (across processes, with
  a Redis key that expires after a second), and one heartbeat per room and process for all its sockets.
"""

import asyncio
import logging
import time

from channels.db import database_sync_to_async

from doeplein import livehub

from . import presence
from .models import Message, Room

logger = logging.getLogger(__name__)

PRESENCE_INTERVAL = 1.0  # seconds: at most one presence frame per room in this time
REPLAYED_KEPT = 1000  # numbers read from the database whose late live copies are still expected


def encode(frame):
    from .consumers import encode as encode_frame

    return encode_frame(frame)


class Outgoing:
    """One event for many sockets: each variant encoded at most once."""

    __slots__ = (
        "_moderator_text",
        "_public_text",
        "author_id",
        "event",
        "except_connection",
        "moderator_only",
    )

    def __init__(self, event):
        self.event = event
        self.author_id = event.get("author_id")
        self.except_connection = event.get("except_channel")
        moderator = event.get("moderator")
        # Text only moderators may see (hidden or held text, reports): rare, and checked again per socket.
        self.moderator_only = moderator is not None and moderator != event.get("public")
        self._public_text = self._moderator_text = False

    def needs_verdict(self, connection):
        """Whether ``connection`` must read its verdict again before this frame: a moderator (not the
        author) about to get moderator-only text, which goes only where the verdict is "moderator" now."""
        return self.moderator_only and connection.moderator and self.author_id != connection.user_id

    def text_for(self, connection):
        """The encoded frame ``connection`` may see now, or None."""
        if self.except_connection is not None and self.except_connection == connection.connection_id:
            return None
        event = self.event
        if self.moderator_only:
            moderator = event["moderator"]
            if (self.author_id is not None and self.author_id == connection.user_id) or connection.moderator:
                if self._moderator_text is False:
                    self._moderator_text = encode(moderator)
                return self._moderator_text
        if self._public_text is False:
            public = event.get("public")
            self._public_text = encode(public) if public is not None else None
        return self._public_text


def message_event(message, kind="message", reactions=None):
    """The live event of a message's new state (what :func:`actions.broadcast_message` publishes)."""
    from .serializers import message_frame

    public = message_frame(message, reactions=reactions)
    public["type"] = kind
    moderator = message_frame(message, for_moderator=True, reactions=public["reactions"])
    moderator["type"] = kind
    return {
        "kind": "message",
        "public": public if message.state != Message.State.HELD else None,
        "moderator": moderator,
        # A held message reaches its author too; hidden text reaches moderators only.
        "author_id": message.author_id if message.state == Message.State.HELD else None,
    }


def new_message_seq(event):
    """The sequence number of a *new* message event (the ones that advance a room), else None."""
    if event.get("kind") != "message":
        return None
    frame = event.get("moderator") or event.get("public") or {}
    if frame.get("type") != "message":
        return None
    seq = frame.get("seq")
    return seq if isinstance(seq, int) else None


def _messages_between(room_id, after, upto):
    messages = (
        Message.objects.select_related("author", "reply_to")
        .prefetch_related("reactions")
        .filter(room_id=room_id, seq__gt=after, seq__lte=upto)
        .order_by("seq")
    )
    return [message_event(m) for m in messages]


def last_seq(room_id):
    return Room.objects.filter(pk=room_id).values_list("last_seq", flat=True).first() or 0


class RoomFeed(livehub.Listener):
    """The sockets of one room in one process (see the module's text)."""

    def __init__(self, hub, room_id, cursor):
        self.hub = hub
        self.room_id = room_id
        self.group = f"room.{room_id}"
        self.cursor = cursor
        self.connections = {}  # connection -> None (insertion-ordered set)
        self.replayed = set()
        self.presence_dirty = False
        self.presence_task = None
        self.heartbeat_task = None
        self.last_presence = 0.0
        self.caught_up = 0  # messages this feed read from the database (tests, figures)

    # --- the hub's side -----------------------------------------------------------------------------
    def hub_event(self, group, event):
        if event is livehub.RESUBSCRIBED or event.get("kind") == "resubscribed":
            return self._after_gap()
        seq = new_message_seq(event)
        if seq is not None:
            if seq in self.replayed:
                self.replayed.discard(seq)
                return None  # read from the database already
            if seq > self.cursor + 1:
                return self._catch_up_then(seq - 1, event)
            self.cursor = max(self.cursor, seq)
        elif event.get("kind") == "room" and (event.get("moderator") or {}).get("type") == "room":
            # The room's state (lock, slow mode) is part of each socket's verdict.
            for connection in self.connections:
                connection.access_changed()
        self.fan_out(event)
        return None

    def fan_out(self, event):
        item = Outgoing(event)
        for connection in list(self.connections):
            connection.enqueue(item)

    async def _catch_up_then(self, upto, event):
        await self.catch_up(upto)
        seq = new_message_seq(event)
        if seq is not None and seq <= self.cursor:
            if seq in self.replayed:  # read from the database just now
                self.replayed.discard(seq)
                return
        if seq is not None:
            self.cursor = max(self.cursor, seq)
        self.fan_out(event)

    async def catch_up(self, upto=None):
        """Queue every message after ``cursor`` up to ``upto`` (the room's last when None), from the
        database, in order."""
        if upto is None:
            upto = await database_sync_to_async(last_seq, thread_sensitive=False)(self.room_id)
        if upto <= self.cursor:
            return
        events = await database_sync_to_async(_messages_between, thread_sensitive=False)(
            self.room_id, self.cursor, upto
        )
        for event in events:
            seq = new_message_seq(event)
            if seq is None or seq <= self.cursor:
                continue
            self.cursor = seq
            self.replayed.add(seq)
            self.caught_up += 1
            self.fan_out(event)
        self.cursor = max(self.cursor, upto)
        if len(self.replayed) > REPLAYED_KEPT:
            self.replayed = {s for s in self.replayed if s > self.cursor - REPLAYED_KEPT}

    async def _after_gap(self):
        await self.catch_up()
        for connection in list(self.connections):
            connection.access_changed()
        self.presence_changed()

    # --- the sockets' side --------------------------------------------------------------------------
    def add(self, connection):
        self.connections[connection] = None
        if self.heartbeat_task is None:
            self.heartbeat_task = self.hub.loop.create_task(self._heartbeat())

    def remove(self, connection):
        self.connections.pop(connection, None)

    @property
    def empty(self):
        return not self.connections

    def presence_changed(self):
        """Someone came or went: publish who is online, at most once a second for the room."""
        self.presence_dirty = True
        if self.presence_task is None or self.presence_task.done():
            self.presence_task = self.hub.loop.create_task(self._publish_presence())

    async def _publish_presence(self):
        while self.presence_dirty:
            await self._presence_turn()
            self.presence_dirty = False
            try:
                online = await database_sync_to_async(presence.online, thread_sensitive=False)(self.room_id)
                await livehub.apublish(
                    self.group,
                    {
                        "kind": "room",
                        "public": {"type": "presence", "room": self.room_id, "online": online},
                        "moderator": None,
                    },
                )
            except Exception:  # presence is a courtesy; the next change or heartbeat tries again
                logger.warning("presence of room %s not published", self.room_id, exc_info=True)
                return

    async def _presence_turn(self):
        """Wait until this room may have its next presence frame (one per second, all processes)."""
        client = self.hub.client(self.group)
        if client is None:
            wait = self.last_presence + PRESENCE_INTERVAL - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self.last_presence = time.monotonic()
            return
        key = f"{self.hub.prefix}:presence-turn:{self.room_id}"
        for _attempt in range(10):
            try:
                if await client.set(key, b"1", nx=True, px=int(PRESENCE_INTERVAL * 1000)):
                    return
                wait = await client.pttl(key)
            except Exception:  # noqa: BLE001 -- presence is a courtesy; logged, tried again at the next change
                return  # Redis trouble: publishing (or failing to) is the fallback
            await asyncio.sleep(max(wait, 10) / 1000)

    async def _heartbeat(self):
        """Keep this process's presence entries of the room alive: one Redis pipeline for all sockets."""
        while True:
            await asyncio.sleep(presence.HEARTBEAT)
            members = [c.presence_key for c in self.connections if getattr(c, "presence_key", None)]
            if not members:
                if self.empty:
                    self.heartbeat_task = None
                    return
                continue
            try:
                await database_sync_to_async(presence.refresh_many, thread_sensitive=False)(
                    self.room_id, members
                )
            except Exception:
                logger.warning("presence heartbeat of room %s failed", self.room_id, exc_info=True)

    def stop(self):
        # A pending presence frame still goes out (the last one to leave is news for other processes).
        if self.heartbeat_task is not None and not self.heartbeat_task.done():
            self.heartbeat_task.cancel()


_feeds = {}  # (id(hub), room_id) -> RoomFeed


async def join(connection, room_id, cursor):
    """Add ``connection`` to its room's feed in this process (subscribing the process on first use)."""
    hub = livehub.current()
    key = (id(hub), room_id)
    feed = _feeds.get(key)
    if feed is None or feed.hub is not hub:
        feed = _feeds[key] = RoomFeed(hub, room_id, cursor)
    feed.add(connection)
    first = feed.group not in hub.listeners
    try:
        await hub.subscribe(feed.group, feed)
        if first:
            # What was stored between reading the room and the subscription being in place.
            await feed.catch_up()
    except BaseException:
        await leave(connection, feed)
        raise
    return feed


async def leave(connection, feed):
    feed.remove(connection)
    if feed.empty:
        key = (id(feed.hub), feed.room_id)
        if _feeds.get(key) is feed:
            del _feeds[key]
        feed.stop()
        await feed.hub.unsubscribe(feed.group, feed)
