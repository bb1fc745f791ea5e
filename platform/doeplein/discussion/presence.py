"""Who is in a room right now: one entry per open connection, each with its own expiry.

With Redis (``REDIS_URL``), a room is a sorted set shared by every server process: the member is
the connection (person and channel name), the score the moment it expires. A connection adds itself on
connect, its expiry is refreshed by a heartbeat every :data:`HEARTBEAT` seconds (one per room and process for
all its connections) and removes itself
however it ends; a process that dies takes its heartbeats along, so its connections expire after
:data:`TTL` seconds. Every change is one Redis command, so two processes never overwrite each other's
entries (the former read-modify-write cache entry could). Without Redis (the one-process demo) the same
structure lives in this process's memory.
"""

import json
import threading
import time

from django.conf import settings

TTL = 90  # seconds a connection counts as present without a heartbeat
HEARTBEAT = 30  # seconds between heartbeats (well within TTL)


def _prefix():
    # The cache's key prefix keeps apart sites, test runs and benchmarks that share one Redis.
    return settings.CACHES.get("default", {}).get("KEY_PREFIX", "") or ""


def _key(room_id):
    return f"{_prefix()}:discussion:presence:{room_id}"


def connection_key(user, channel_name):
    """The member that stands for one connection: the person's id and name, and the channel."""
    return json.dumps([user.pk, user.display_name, channel_name], ensure_ascii=False)


class MemoryStore:
    """The sorted sets of one process (no Redis)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rooms = {}

    def add(self, key, member, expires):
        with self.lock:
            self.rooms.setdefault(key, {})[member] = expires

    def refresh(self, key, members, expires):
        with self.lock:
            room = self.rooms.get(key, {})
            for member in members:
                if member in room:  # like ZADD XX: a connection that left stays gone
                    room[member] = expires

    def remove(self, key, member):
        with self.lock:
            self.rooms.get(key, {}).pop(member, None)

    def members(self, key, now):
        with self.lock:
            room = self.rooms.get(key, {})
            for member in [m for m, expires in room.items() if expires <= now]:
                del room[member]
            return list(room)


class RedisStore:
    def __init__(self, url):
        import redis

        self.client = redis.Redis.from_url(url)

    def add(self, key, member, expires):
        pipe = self.client.pipeline()
        pipe.zadd(key, {member: expires})
        pipe.expire(key, TTL * 2)
        pipe.execute()

    def refresh(self, key, members, expires):
        pipe = self.client.pipeline()
        pipe.zadd(key, dict.fromkeys(members, expires), xx=True)
        pipe.expire(key, TTL * 2)
        pipe.execute()

    def remove(self, key, member):
        self.client.zrem(key, member)

    def members(self, key, now):
        pipe = self.client.pipeline()
        pipe.zremrangebyscore(key, "-inf", now)
        pipe.zrange(key, 0, -1)
        return [m.decode() for m in pipe.execute()[1]]


_stores = {}
_stores_lock = threading.Lock()


def store():
    url = settings.REDIS_URL or ""
    with _stores_lock:
        if url not in _stores:
            _stores[url] = RedisStore(url) if url else MemoryStore()
        return _stores[url]


def enter(room_id, user, channel_name):
    """Add one connection; returns who is online now."""
    store().add(_key(room_id), connection_key(user, channel_name), time.time() + TTL)
    return online(room_id)


def refresh(room_id, member):
    refresh_many(room_id, [member])


def refresh_many(room_id, members):
    """One heartbeat for many connections of a room (a server process beats once per room)."""
    if members:
        store().refresh(_key(room_id), list(members), time.time() + TTL)


def leave(room_id, member):
    store().remove(_key(room_id), member)
    return online(room_id)


def online(room_id):
    """Everyone with at least one live connection, by id: ``[{"id": 7, "name": "…"}]``."""
    people = {}
    for member in store().members(_key(room_id), time.time()):
        try:
            user_id, name, _channel = json.loads(member)
        except (ValueError, TypeError):
            continue
        people[user_id] = name
    return [{"id": user_id, "name": name} for user_id, name in sorted(people.items())]
