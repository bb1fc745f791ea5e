"""A session engine whose database is unreachable, as the database-backed one is during a restart."""

from django.contrib.sessions.backends.base import SessionBase
from django.db import OperationalError


class SessionStore(SessionBase):
    def load(self):
        raise OperationalError("connection to server failed: Connection refused")

    def exists(self, session_key):
        raise OperationalError("connection to server failed: Connection refused")

    def create(self):
        raise OperationalError("connection to server failed: Connection refused")

    def save(self, must_create=False):
        raise OperationalError("connection to server failed: Connection refused")

    def delete(self, session_key=None):
        raise OperationalError("connection to server failed: Connection refused")
