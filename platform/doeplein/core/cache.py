"""Django's Redis cache with one connection pool per process.

Django keeps cache objects per async context (``caches`` is an asgiref ``Local`` that is not thread
critical), and each Redis cache object builds its own connection pool. In an ASGI process every websocket
has its own context, and every call from it into synchronous code gets a copy: the live discussion's flood
counter opened a new Redis connection (with its handshake) for nearly every message. Here the client, and
so the pool, is shared by every cache object with the same servers and options in the process; the key
prefix and version stay per cache object, as Django has them.
"""

import threading

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.utils.functional import cached_property

_clients = {}
_lock = threading.Lock()


class RedisCache(DjangoRedisCache):
    @cached_property
    def _cache(self):
        key = (tuple(self._servers), repr(sorted(self._options.items(), key=lambda item: item[0])))
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = self._class(self._servers, **self._options)
            return client
