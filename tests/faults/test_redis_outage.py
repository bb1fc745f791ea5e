"""Stop a PRIVATE Redis (started here on a free port; the shared one is never touched) while people
post: /healthz answers 503 naming Redis's parts, posts over the API and the plain form are stored or
refused with a clear answer (never a 500), and when Redis is back live delivery resumes and a client
that reconnects catches up with nothing lost.

The outage lasts DOEPLEIN_FAULT_REDIS_OUTAGE seconds (30, as issue 14 asks; shorter for a quick local run).
"""

import json
import os
import socket
import subprocess
import time
import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from doeplein.discussion.actions import get_or_create_room
from doeplein.discussion.models import Message
from doeplein.spaces.models import Role
from tests.faults.support import Client, http, live_servers, report
from tests.support.api import bearer
from tests.support.asgi_server import session_cookie
from tests.support.waiting import wait_until

pytestmark = pytest.mark.redis

OUTAGE = float(os.environ.get("DOEPLEIN_FAULT_REDIS_OUTAGE", "30"))
CSRF = uuid.uuid4().hex  # 32 characters: Django accepts an unmasked secret as the form's token


class PrivateRedis:
    def __init__(self, tmp_path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.dir = tmp_path / "redis"
        self.dir.mkdir()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", str(self.dir)]  # fmt: skip
        log = open(self.dir / "redis.log", "ab")  # noqa: SIM115 -- kept open for the process's life
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_until(self._answers, timeout=30, describe="the private Redis to answer")

    def _answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_and_server(needs_postgres, needs_redis, transactional_db, tmp_path):
    redis = PrivateRedis(tmp_path)
    redis.start()
    try:
        with live_servers(["A"], tmp_path=tmp_path, redis_url=redis.url) as (server,):
            yield redis, server
    finally:
        redis.stop()


def test_redis_stopped_while_people_post_nothing_500s_and_nothing_is_lost(
    redis_and_server, make_user, make_space
):
    redis, server = redis_and_server
    alice, bob, carol = make_user(), make_user(), make_user()
    space = make_space("members", members={alice: Role.MEMBER, bob: Role.MEMBER, carol: Role.MEMBER})
    room = get_or_create_room(space=space, title=space.name)
    alice_c = Client("alice", session_cookie(alice), room)
    bob_api = {**bearer(bob), "Accept-Language": "nl"}
    carol_form = {"Cookie": f"{session_cookie(carol)}; csrftoken={CSRF}", "Accept-Language": "nl"}
    api_url = server.url(f"/api/v1/rooms/{room.pk}/messages")
    form_url = server.url(f"/discussion/{room.pk}/post/")
    accepted, refused, statuses, health_down = [], [], [], {}

    def post_api(body):
        client_id = uuid.uuid4().hex
        status, text = http(api_url, headers=bob_api, json_body={"body": body, "client_id": client_id})
        statuses.append(("api", status))
        assert status != 500 and status < 500 or status == 503, f"API answered {status}: {text[:2000]}"
        (accepted if status in (200, 201) else refused).append((client_id, status, text[:200]))
        return status

    def post_form(body):
        client_id = uuid.uuid4().hex
        status, text = http(
            form_url,
            headers=carol_form,
            data={"body": body, "client_id": client_id, "csrfmiddlewaretoken": CSRF},
        )
        statuses.append(("form", status))
        assert status in (302, 303, 503), f"the form answered {status}: {text[:2000]}"
        if status in (302, 303) and Message.objects.filter(room=room, client_id=client_id).exists():
            accepted.append((client_id, status, ""))
        else:
            refused.append((client_id, status, text[:200]))
        return status

    async def before():
        await alice_c.connect(server)
        assert await sync_to_async(post_api)("voor de storing") == 201
        assert await sync_to_async(post_form)("voor de storing, via het formulier") in (302, 303)
        await alice_c.wait_for_seq(2)

    async_to_sync(before)()

    redis.stop()
    started = time.monotonic()

    def health_is_down():
        status, text = http(server.url("/healthz"))
        if status == 503:
            health_down.update(json.loads(text)["components"])
            return True
        return False

    wait_until(health_is_down, timeout=30, describe="/healthz to answer 503 with Redis down")
    assert health_down["database"]["status"] == "up"
    assert {health_down[part]["status"] for part in ("cache", "channel_layer")} == {"down"}
    assert all(
        "redis" in health_down[part]["error"].lower() or "connect" in health_down[part]["error"].lower()
        for part in ("cache", "channel_layer")
    )
    during = 0
    while time.monotonic() - started < OUTAGE:
        post_api(f"tijdens de storing {during}")
        post_form(f"tijdens de storing {during}, via het formulier")
        during += 1
        time.sleep(1)

    redis.start()
    wait_until(
        lambda: http(server.url("/healthz"))[0] == 200, timeout=60, describe="/healthz to be 200 again"
    )

    def last_seq():
        return Message.objects.filter(room=room).order_by("-seq").values_list("seq", flat=True).first()

    async def after():
        try:
            await alice_c.ws.close()
        except Exception:  # noqa: BLE001, S110 -- the old connection may already be gone
            pass
        await alice_c.connect(
            server, resume=True, retry_for=30
        )  # catch up on what was stored during the outage
        assert await sync_to_async(post_api)("na de storing") == 201  # and live delivery works again
        last = await sync_to_async(last_seq)()
        await alice_c.wait_for_seq(last)
        await alice_c.ws.close()

    async_to_sync(after)()
    stored = dict(Message.objects.filter(room=room).values_list("client_id", "seq"))
    accepted_ids = {client_id for client_id, _, _ in accepted}
    lost = sorted(accepted_ids - set(alice_c.seen.values()))
    report(
        "Redis outage",
        outage_s=OUTAGE,
        healthz_during="503, down: "
        + "+".join(sorted(part for part, state in health_down.items() if state["status"] == "down")),
        sent=len(statuses),
        accepted=len(accepted),
        refused_cleanly=len(refused),
        stored=len(stored),
        delivered_alice=len(alice_c.seen),
        statuses=sorted(set(statuses)),
        lost=len(lost),
    )
    assert accepted_ids == set(stored)  # everything accepted is stored, nothing refused is
    assert lost == []
