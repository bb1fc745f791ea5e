"""Helpers for the fault tests: real uvicorn servers and websocket clients that count what they get."""

import asyncio
import contextlib
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import websockets
from django.conf import settings
from django.test import override_settings
from websockets.asyncio.client import connect

from tests.support.asgi_server import run_servers, server_env
from tests.support.celery_worker import database_url

TIMEOUT = 30  # seconds for any one frame: generous for a loaded 2-core CI machine


@contextlib.contextmanager
def live_servers(names, *, tmp_path, redis_url=None, extra=None):
    """uvicorn processes serving doeplein.asgi against the test database and ``redis_url``."""
    redis_url = redis_url or settings.REDIS_URL
    prefix = f"doeplein-faults-{uuid.uuid4().hex[:12]}"
    layer = {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [redis_url], "prefix": prefix},
    }
    env = server_env(
        database_url=database_url(),
        redis_url=redis_url,
        secret_key=settings.SECRET_KEY,
        extra={
            "DOEPLEIN_TESTING": "1",
            "DOEPLEIN_VAR_DIR": str(tmp_path / "var"),
            "CHANNEL_LAYER_PREFIX": prefix,
            "CELERY_QUEUE": prefix,
            "DISCUSSION_RATE_COUNT": "10000",
            **(extra or {}),
        },
    )
    with override_settings(CHANNEL_LAYERS={"default": layer}):
        with run_servers(names, env=env, log_dir=tmp_path) as servers:
            yield servers


class Client:
    """One websocket client in a room that remembers every message frame it has seen (by seq)."""

    def __init__(self, name, cookie, room):
        self.name, self.cookie, self.room = name, cookie, room
        self.ws = None
        self.seen = {}  # seq -> client_id

    @property
    def last_seq(self):
        return max(self.seen, default=0)

    async def connect(self, server, *, resume=False, retry_for=0):
        """Open, say hello (with the last seq seen when resuming) and read up to the welcome (and, when
        resuming, the catch-up). ``retry_for`` seconds: reconnect with backoff as the site's client does
        while the server turns connections away (closed, 1013 "try again later")."""
        deadline = time.monotonic() + retry_for
        while True:
            try:
                return await self._connect(server, resume=resume)
            except (websockets.ConnectionClosed, websockets.InvalidStatus, OSError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)

    async def _connect(self, server, *, resume):
        self.ws = await connect(
            server.ws_url(f"/ws/rooms/{self.room.pk}/"),
            origin=server.origin,
            additional_headers={"Cookie": self.cookie},
            open_timeout=TIMEOUT,
            ping_interval=None,
        )
        hello = {"type": "hello"}
        if resume:
            hello["last_seq"] = self.last_seq
        await self.ws.send(json.dumps(hello))
        welcome = await self.until("welcome")
        if resume:
            await self.until("caught_up")
        return welcome

    async def until(self, *types):
        """Read frames (noting every message) until one of ``types`` arrives; return it."""
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), TIMEOUT))
            if frame["type"] == "message":
                self.seen[frame["seq"]] = frame["client_id"]
            if frame["type"] in types:
                return frame

    async def wait_for_seq(self, seq):
        while self.last_seq < seq:
            await self.until("message")

    async def send(self, body, client_id=None):
        client_id = client_id or uuid.uuid4().hex
        await self.ws.send(json.dumps({"type": "send", "client_id": client_id, "body": body}))
        ack = await self.until("ack", "error")
        assert ack["type"] == "ack", f"{self.name}'s send was refused: {ack}"
        return ack


def report(title, **figures):
    line = ", ".join(f"{key}={value}" for key, value in figures.items())
    sys.stdout.write(f"\n[fault] {title}: {line}\n")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def http(url, *, data=None, headers=None, json_body=None):
    """(status, body text) of one request; redirects are answers, not followed."""
    headers = dict(headers or {})
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif data is not None:
        data = urllib.parse.urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")
