"""A session engine whose store is unreachable (for the /healthz tests)."""

from django.contrib.sessions.backends.base import SessionBase


class SessionStore(SessionBase):
    def load(self):
        raise ConnectionError("the session store is down")

    def exists(self, session_key):
        raise ConnectionError("the session store is down")

    def create(self):
        raise ConnectionError("the session store is down")

    def save(self, must_create=False):
        raise ConnectionError("the session store is down")

    def delete(self, session_key=None):
        raise ConnectionError("the session store is down")
