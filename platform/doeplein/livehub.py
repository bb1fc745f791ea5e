"""One delivery per process: live events for the groups a process has connections in arrive once, over
Redis publish/subscribe, and are handed to that process's listeners in memory.

The channel layer (channels-redis) delivers a group event once *per connection*: every consumer has its own
channel, its own Redis round trips and its own dispatch through channels' thread hop. A room of 50 people
on one server cost 50 of each per message. Here a process subscribes once per group (one Redis pub/sub
connection per Redis host, whatever the number of groups), reads each event once, and calls its listeners
in order on the event loop: a room's listener builds each variant of the frame once and writes it to its
local sockets (:mod:`doeplein.discussion.fanout`). Nothing per connection touches Redis or a thread.

Which groups travel this way: :data:`HUB_PREFIXES` (the rooms, and the access groups that tell open
connections their access changed). :func:`doeplein.live.publish` sends those groups here; access groups
also go to the channel layer, for the consumers that still listen there (blog posts).

Transport, from ``CHANNEL_LAYERS["default"]``: with channels-redis, the same hosts and prefix (the Redis
channel of a group is ``<prefix>:live:<group>``; with several hosts a group lives on
``hosts[crc32(group) % len(hosts)]``, so rooms shard over Redis servers). With the in-memory layer (the
one-machine demo, most tests), events go straight to the hubs of this process.

Publish/subscribe keeps nothing: a process that is not subscribed when an event is published never sees
it. Listeners therefore get :data:`RESUBSCRIBED` when a lost subscription is back, so that they catch up from the database: rooms by sequence number, access listeners by re-reading their
verdict. See docs/live-discussion.md ("Fan-out").
"""

import asyncio
import json
import logging
import os
import threading
import zlib

from django.conf import settings
from django.core.signals import setting_changed

logger = logging.getLogger(__name__)

HUB_PREFIXES = ("room.", "access.")
RECONNECT_DELAYS = (0.1, 0.25, 0.5, 1, 2, 4)  # seconds between attempts after Redis went away
SUBSCRIBE_TIMEOUT = 10  # seconds for Redis to confirm a subscription


def carried(group):
    """Whether ``group`` travels through the hub."""
    return group.startswith(HUB_PREFIXES)


def transport():
    """``("redis", hosts, prefix)`` or ``("local", (), "")``, from the default channel layer's settings."""
    conf = (getattr(settings, "CHANNEL_LAYERS", None) or {}).get("default") or {}
    if not str(conf.get("BACKEND", "")).startswith("channels_redis"):
        return ("local", (), "")
    config = conf.get("CONFIG") or {}
    hosts = []
    for host in config.get("hosts") or ["redis://localhost:6379"]:
        if isinstance(host, str):
            hosts.append(host)
        elif isinstance(host, dict):
            hosts.append(host["address"])
        else:  # (host, port)
            hosts.append(f"redis://{host[0]}:{host[1]}")
    return ("redis", tuple(hosts), config.get("prefix", "asgi"))


def redis_channel(prefix, group):
    return f"{prefix}:live:{group}"


def host_of(hosts, group):
    return hosts[zlib.crc32(group.encode()) % len(hosts)]


def dumps(event):
    # ASCII escapes: a lone surrogate in a message body travels safely; frames are re-encoded for sockets.
    return json.dumps(event, separators=(",", ":"))


# --- publishing from synchronous code (actions, after commit) ----------------------------------------
_sync_clients = {}
_lock = threading.Lock()
_hubs = {}  # id(loop) -> {transport: Hub}


def _sync_client(url):
    with _lock:
        client = _sync_clients.get(url)
        if client is None:
            import redis

            client = _sync_clients[url] = redis.Redis.from_url(
                url, socket_timeout=5, socket_connect_timeout=5
            )
        return client


def publish(group, event):
    """Publish ``event`` to ``group`` from synchronous code (any thread)."""
    kind, hosts, prefix = transport()
    if kind == "redis":
        _sync_client(host_of(hosts, group)).publish(redis_channel(prefix, group), dumps(event))
        return
    for hub in local_hubs():
        hub.deliver_threadsafe(group, event)


async def apublish(group, event):
    """Publish ``event`` to ``group`` from the event loop."""
    kind, hosts, prefix = transport()
    if kind == "redis":
        await current().publish(group, event)
        return
    loop = asyncio.get_running_loop()
    for hub in local_hubs():
        if hub.loop is loop:
            hub.deliver(group, event)
        else:
            hub.deliver_threadsafe(group, event)


def local_hubs():
    with _lock:
        return [
            hub for by_transport in _hubs.values() for hub in by_transport.values() if hub.kind == "local"
        ]


def current():
    """The hub of the running event loop (and of the current transport settings)."""
    loop = asyncio.get_running_loop()
    config = transport()
    with _lock:
        for key in [k for k, hubs in _hubs.items() if any(h.loop.is_closed() for h in hubs.values())]:
            del _hubs[key]  # the loops of finished tests and servers
        by_transport = _hubs.setdefault(id(loop), {})
        hub = by_transport.get(config)
        if hub is None or hub.loop is not loop:
            hub = by_transport[config] = Hub(loop, config)
    return hub


def _forget_hubs(*, setting, **kwargs):
    if setting == "CHANNEL_LAYERS":
        with _lock:
            hubs = [hub for by_transport in _hubs.values() for hub in by_transport.values()]
            _hubs.clear()
            _sync_clients.clear()
        for hub in hubs:
            hub.retire()


setting_changed.connect(_forget_hubs, dispatch_uid="doeplein-livehub-settings")


RESUBSCRIBED = {"kind": "resubscribed"}  # what listeners get after the subscription was lost and is back


class Listener:
    """What the hub calls. ``event`` is shared with every other listener: read it, never change it."""

    def hub_event(self, group, event):
        """Called on the event loop, in publication order. May return an awaitable (awaited before the
        next event: a listener that must read the database to catch up holds the line briefly).
        :data:`RESUBSCRIBED` means events may have been missed: catch up (rooms by sequence number from
        the database, access listeners by reading their verdict again)."""
        raise NotImplementedError


class Hub:
    """The live events of one process (one event loop): one subscription per group, listeners in memory."""

    def __init__(self, loop, config):
        self.loop = loop
        self.kind, self.hosts, self.prefix = config
        self.listeners = {}  # group -> {listener: None}, in the order they joined
        self.ready = {}  # group -> future done when the subscription is in place
        self.inbox = asyncio.Queue()
        self.tasks = []
        self.clients = {}  # host -> redis.asyncio client (publishing, presence ticks)
        self.pubsubs = {}  # host -> PubSub
        self.locks = {}  # host -> asyncio.Lock for (un)subscribe commands
        self.confirming = {}  # Redis channel (bytes) -> future done when Redis confirmed the subscription
        self.retired = False
        self.delivered = 0  # events handed to listeners (tests, /healthz-style introspection)
        self.tasks.append(loop.create_task(self._dispatch(), name="livehub-dispatch"))

    # --- listeners ----------------------------------------------------------------------------------
    async def subscribe(self, group, listener):
        listeners = self.listeners.get(group)
        if listeners is None:
            listeners = self.listeners[group] = {}
            listeners[listener] = None
            future = self.ready[group] = self.loop.create_future()
            try:
                if self.kind == "redis":
                    await self._redis_subscribe(group)
            except BaseException:
                # Others waiting for this subscription try again themselves (see below).
                self.listeners.pop(group, None)
                self.ready.pop(group, None)
                future.set_result(False)
                raise
            future.set_result(True)
            return
        listeners[listener] = None
        if not await asyncio.shield(self.ready[group]):
            listeners.pop(listener, None)
            await self.subscribe(group, listener)

    async def unsubscribe(self, group, listener):
        listeners = self.listeners.get(group)
        if listeners is None:
            return
        listeners.pop(listener, None)
        if listeners:
            return
        del self.listeners[group]
        self.ready.pop(group, None)
        if self.kind == "redis":
            host = host_of(self.hosts, group)
            pubsub = self.pubsubs.get(host)
            if pubsub is not None:
                try:
                    async with self._subscribing(host):
                        await pubsub.unsubscribe(redis_channel(self.prefix, group))
                except Exception:  # the connection is gone: the reader reconnects without this group
                    logger.debug("unsubscribe of %s failed", group, exc_info=True)

    # --- publishing ---------------------------------------------------------------------------------
    async def publish(self, group, event):
        client = self._client(host_of(self.hosts, group))
        await client.publish(redis_channel(self.prefix, group), dumps(event))

    def deliver(self, group, event):
        """Hand ``event`` to this hub's listeners of ``group`` (same loop)."""
        if group in self.listeners:
            self.inbox.put_nowait((group, event))

    def deliver_threadsafe(self, group, event):
        if self.retired or self.loop.is_closed():
            return
        try:
            self.loop.call_soon_threadsafe(self.deliver, group, event)
        except RuntimeError:  # the loop closed meanwhile
            pass

    def client(self, group):
        """The asyncio Redis client for ``group``'s host (None without Redis)."""
        if self.kind != "redis":
            return None
        return self._client(host_of(self.hosts, group))

    # --- inside -------------------------------------------------------------------------------------
    async def _dispatch(self):
        while True:
            group, event = await self.inbox.get()
            for listener in list(self.listeners.get(group, ())):
                try:
                    result = listener.hub_event(group, event)
                    if result is not None:
                        await result
                except asyncio.CancelledError:
                    raise
                except Exception:  # one listener's failure must not stop the others or the hub
                    logger.exception("live listener failed on %s", group)
            self.delivered += 1

    def _client(self, host):
        client = self.clients.get(host)
        if client is None:
            import redis.asyncio as aioredis

            # Named, so that an operator (and the fault tests) can tell a process's subscriptions apart.
            client = self.clients[host] = aioredis.Redis.from_url(
                host, socket_connect_timeout=5, client_name=f"doeplein-live-{os.getpid()}"
            )
        return client

    async def _redis_subscribe(self, group):
        """Subscribe and wait for Redis to confirm: from then on no event of ``group`` is missed."""
        host = host_of(self.hosts, group)
        channel = redis_channel(self.prefix, group)
        confirmed = self.confirming[channel.encode()] = self.loop.create_future()
        try:
            # One command at a time per host: redis-py's PubSub takes its connection on the first command,
            # and two first commands at once took two connections (the first one's subscription then went
            # to a connection nobody reads).
            async with self._subscribing(host):
                pubsub = self.pubsubs.get(host)
                if pubsub is None:
                    pubsub = self.pubsubs[host] = self._client(host).pubsub()
                    await pubsub.subscribe(channel)
                    self.tasks.append(self.loop.create_task(self._read(host), name=f"livehub-read-{host}"))
                else:
                    await pubsub.subscribe(channel)
            try:
                await asyncio.wait_for(asyncio.shield(confirmed), SUBSCRIBE_TIMEOUT)
            except TimeoutError:
                # Sent, not confirmed in time (a loaded process): carry on; a room feed notices a missed
                # message by its number and reads it from the database.
                logger.warning("subscription to %s not confirmed within %d s", group, SUBSCRIBE_TIMEOUT)
        finally:
            self.confirming.pop(channel.encode(), None)

    def _subscribing(self, host):
        lock = self.locks.get(host)
        if lock is None:
            lock = self.locks[host] = asyncio.Lock()
        return lock

    def _groups_of(self, host):
        return [group for group in self.listeners if host_of(self.hosts, group) == host]

    async def _read(self, host):
        """Read one Redis host's subscriptions forever; after a failure, subscribe again and tell the
        listeners (they catch up)."""
        start = len(self.prefix) + len(":live:")
        failures = 0
        while not self.retired:
            pubsub = self.pubsubs[host]
            try:
                while True:
                    message = await pubsub.get_message(timeout=None)
                    if message is None:
                        continue
                    failures = 0
                    if message["type"] != "message":
                        if message["type"] == "subscribe":
                            confirmed = self.confirming.get(message["channel"])
                            if confirmed is not None and not confirmed.done():
                                confirmed.set_result(True)
                        continue
                    group = message["channel"].decode()[start:]
                    try:
                        event = json.loads(message["data"])
                    except ValueError:
                        logger.warning("live event on %s is not JSON; dropped", group)
                        continue
                    if group in self.listeners:
                        self.inbox.put_nowait((group, event))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 -- any failure of the subscription means: reconnect
                delay = RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)]
                failures += 1
                logger.warning("live subscription to %s lost (%r); again in %.2f s", host, exc, delay)
                await asyncio.sleep(delay)
                try:
                    await pubsub.aclose()
                except Exception:  # noqa: BLE001 -- closing a broken connection
                    pass
                self.pubsubs[host] = self._client(host).pubsub()
                groups = self._groups_of(host)
                try:
                    if groups:
                        await self.pubsubs[host].subscribe(*[redis_channel(self.prefix, g) for g in groups])
                except Exception:  # noqa: BLE001 -- Redis still down: the next round waits longer
                    continue  # still down: the next round waits longer
                # Subscribed again: everything published meanwhile is gone, so the listeners catch up
                # (in order with the events that follow).
                for group in groups:
                    self.inbox.put_nowait((group, RESUBSCRIBED))

    def retire(self):
        """Stop (the settings changed, or the loop ends)."""
        self.retired = True
        for task in self.tasks:
            if not self.loop.is_closed():
                try:
                    self.loop.call_soon_threadsafe(task.cancel)
                except RuntimeError:
                    pass
