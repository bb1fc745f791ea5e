"""Restart a PRIVATE PostgreSQL cluster (initdb'd here on a free port; the machine's PostgreSQL is never
touched) under a running ASGI server while people post over the API and the plain form.

While the database is down every answer is a clean 503 with a message (never a 500, never a hang); when it
is back the same server process serves again (its kept connections are health-checked, CONN_HEALTH_CHECKS),
every post it accepted is stored, and a refused post sent again with its client_id is stored once.

The private database is a copy (pg_dump) of this run's migrated test database: migrating from scratch takes
over a minute on a loaded CI machine. The outage lasts DOEPLEIN_FAULT_POSTGRES_OUTAGE seconds (8).
"""

import contextlib
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.faults.support import http, report
from tests.support.asgi_server import ROOT, run_servers, server_env
from tests.support.waiting import wait_until

OUTAGE = float(os.environ.get("DOEPLEIN_FAULT_POSTGRES_OUTAGE", "8"))
CSRF = uuid.uuid4().hex  # 32 characters: Django accepts an unmasked secret as the form's token

SEED = """
import json, django
django.setup()
from allauth.account.models import EmailAddress
from doeplein.accounts.actions import ensure_profile
from doeplein.accounts.models import User
from doeplein.discussion.actions import get_or_create_room
from doeplein.spaces.models import Membership, Role, Space
from tests.support.api import bearer
from tests.support.asgi_server import session_cookie

people = []
for name in ("bob", "carol"):
    user = User.objects.create_user(email=f"{name}@example.org", password="correct-horse-battery",
                                    first_name=name.title())
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    ensure_profile(user)
    people.append(user)
space = Space.objects.create(kind="test", name="Herstart", visibility="members")
for user in people:
    Membership.objects.create(space=space, user=user, role=Role.MEMBER)
room = get_or_create_room(space=space, title=space.name)
print(json.dumps({"room": room.pk, "bob": bearer(people[0]), "carol": session_cookie(people[1])}))
"""


def _tool(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    return found[-1]


class PrivatePostgres:
    """initdb + pg_ctl in a temporary folder, as the postgres user when this runs as root."""

    def __init__(self):
        self.initdb, self.pg_ctl = _tool("initdb"), _tool("pg_ctl")
        if not self.initdb or not self.pg_ctl:
            pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.dir = tempfile.mkdtemp(prefix="doeplein-faults-pg-")  # not under pytest's root-only tmp
        self.data = os.path.join(self.dir, "data")
        self.as_user = []
        if os.geteuid() == 0:  # initdb refuses root
            runuser = shutil.which("runuser")
            if not runuser:
                pytest.skip("running as root without runuser: initdb cannot run as another user")
            shutil.chown(self.dir, "postgres")
            self.as_user = [runuser, "-u", "postgres", "--"]

    def url(self, name):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *command, timeout=60):
        subprocess.run([*self.as_user, *command], check=True, capture_output=True, timeout=timeout)

    def init(self):
        self._run(self.initdb, "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")

    def start(self):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = os.path.join(self.dir, "postgres.log")
        self._run(self.pg_ctl, "-D", self.data, "-l", log, "-o", options, "-w", "-t", "60", "start")

    def stop(self):
        self._run(self.pg_ctl, "-D", self.data, "-m", "fast", "-w", "-t", "60", "stop")

    def running(self):
        return os.path.exists(os.path.join(self.data, "postmaster.pid"))

    def log(self):
        with contextlib.suppress(OSError), open(os.path.join(self.dir, "postgres.log")) as log:
            return log.read()[-4000:]
        return "(no log)"

    def cleanup(self):
        if self.running():
            with contextlib.suppress(Exception):
                self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def _copy_test_database(target_url):
    """pg_dump the (migrated) test database of this run into the private cluster."""
    params = connection.settings_dict
    source = [
        shutil.which("pg_dump"), "--no-owner", "--no-acl", "-h", params.get("HOST") or "127.0.0.1",
        "-p", str(params.get("PORT") or 5432), "-U", params.get("USER") or "postgres", params["NAME"],
    ]  # fmt: skip
    env = {**os.environ, "PGPASSWORD": params.get("PASSWORD") or ""}
    dump = subprocess.run(source, check=True, capture_output=True, env=env, timeout=60).stdout
    subprocess.run(
        [shutil.which("psql"), "-q", "-v", "ON_ERROR_STOP=1", target_url],
        input=dump,
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def private_postgres(needs_postgres, needs_redis, db):
    if not shutil.which("pg_dump") or not shutil.which("psql"):
        pytest.skip("pg_dump and psql are needed to copy the test database into the private cluster")
    cluster = PrivatePostgres()
    began = time.monotonic()
    try:
        cluster.init()
        cluster.start()
        with psycopg.connect(cluster.url("postgres"), autocommit=True) as admin:
            admin.execute("CREATE DATABASE doeplein")
        _copy_test_database(cluster.url("doeplein"))
        sys.stdout.write(f"\n[fault] private PostgreSQL ready in {time.monotonic() - began:.1f} s\n")
        yield cluster
    finally:
        cluster.cleanup()


def test_postgres_restarted_while_people_post_answers_503_and_recovers_without_a_server_restart(
    private_postgres, tmp_path
):
    cluster = private_postgres
    database_url = cluster.url("doeplein")
    prefix = f"doeplein-faults-{uuid.uuid4().hex[:12]}"
    env = server_env(
        database_url=database_url,
        redis_url=settings.REDIS_URL,
        secret_key=settings.SECRET_KEY,
        extra={
            "DOEPLEIN_TESTING": "1",
            "DOEPLEIN_VAR_DIR": str(tmp_path / "var"),
            "CHANNEL_LAYER_PREFIX": prefix,
            "CELERY_QUEUE": prefix,  # background work the posts queue stays out of everyone's way
            "DISCUSSION_RATE_COUNT": "10000",
            "DATABASE_CONN_MAX_AGE": "600",  # kept connections: the restart leaves them dead
        },
    )
    seeded = subprocess.run(
        [sys.executable, "-c", SEED], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert seeded.returncode == 0, seeded.stderr[-4000:]
    world = json.loads(seeded.stdout.strip().splitlines()[-1])
    api_headers = {**world["bob"], "Accept-Language": "nl"}
    form_headers = {"Cookie": f"{world['carol']}; csrftoken={CSRF}", "Accept-Language": "nl"}

    def stored():
        with psycopg.connect(database_url) as conn:
            rows = conn.execute(
                "SELECT client_id FROM discussion_message WHERE room_id = %s", [world["room"]]
            ).fetchall()
        return [row[0] for row in rows]

    with run_servers(["A"], env=env, log_dir=tmp_path) as (server,):
        pid = server.process.pid
        api_url = server.url(f"/api/v1/rooms/{world['room']}/messages")
        form_url = server.url(f"/discussion/{world['room']}/post/")
        accepted, refused, statuses, messages, slowest = [], [], [], set(), [0.0]

        def post_api(client_id):
            status, text = http(
                api_url, headers=api_headers, json_body={"body": f"api {client_id}", "client_id": client_id}
            )
            return "api", status, text

        def post_form(client_id):
            status, text = http(
                form_url,
                headers=form_headers,
                data={"body": f"form {client_id}", "client_id": client_id, "csrfmiddlewaretoken": CSRF},
            )
            return "form", status, text

        def send(poster, client_id):
            began = time.monotonic()
            way, status, text = poster(client_id)
            slowest[0] = max(slowest[0], time.monotonic() - began)
            statuses.append((way, status))
            ok = status in (200, 201) if way == "api" else status in (302, 303)
            assert ok or status == 503 or 400 <= status < 500, f"{way} answered {status}: {text[:2000]}"
            if status == 503:
                assert "niet bereikbaar" in text, f"a 503 without the message: {text[:500]}"
                messages.add(text[:200])
            (accepted if ok else refused).append((poster, client_id, status))

        stop_posting = threading.Event()

        failures = []

        def keep_posting():
            while not stop_posting.is_set():
                try:
                    send(post_api, uuid.uuid4().hex)
                    send(post_form, uuid.uuid4().hex)
                except Exception as exc:  # noqa: BLE001 -- reported by the test's own thread below
                    failures.append(exc)
                    return
                time.sleep(0.2)

        def posted_at_least(count):
            if failures:
                raise failures[0]
            return len(accepted) >= count

        poster = threading.Thread(target=keep_posting, daemon=True)
        poster.start()
        try:
            wait_until(lambda: posted_at_least(4), timeout=30, describe="posts before the restart")
            cluster.stop()
            down_at = time.monotonic()
            wait_until(lambda: http(server.url("/healthz"))[0] == 503, timeout=30, describe="/healthz 503")
            health = json.loads(http(server.url("/healthz"))[1])["components"]
            assert health["database"]["status"] == "down", health
            time.sleep(max(0.0, OUTAGE - (time.monotonic() - down_at)))
            during = len(statuses)
            cluster.start()
            wait_until(
                lambda: http(server.url("/healthz"))[0] == 200, timeout=60, describe="/healthz 200 again"
            )
            after_restart = len(accepted)
            wait_until(
                lambda: posted_at_least(after_restart + 4), timeout=30, describe="posts after the restart"
            )
        finally:
            stop_posting.set()
            poster.join(timeout=60)
        assert not failures, failures
        server.check_alive()
        assert server.process.pid == pid  # the same process served before, during and after

        # A person whose post was refused sends it again (same client_id): stored once, not twice.
        for poster_fn, client_id, _status in list(refused):
            way, status, text = poster_fn(client_id)
            assert status in ((200, 201) if way == "api" else (302, 303)), f"{way} retry {status}: {text}"

    rows = stored()
    accepted_ids = {client_id for _, client_id, _ in accepted}
    refused_ids = {client_id for _, client_id, _ in refused}
    lost = accepted_ids - set(rows)
    report(
        "PostgreSQL restart",
        outage_s=OUTAGE,
        sent=len(statuses),
        sent_until_back=during,
        ok=len(accepted),
        clean_errors=len(refused),
        statuses=sorted(set(statuses)),
        five_xx_other_than_503=sum(1 for _, s in statuses if s >= 500 and s != 503),
        slowest_answer_s=round(slowest[0], 1),
        stored=len(rows),
        duplicates=len(rows) - len(set(rows)),
        lost=len(lost),
    )
    assert refused, "no request met the outage"
    assert not lost
    assert len(rows) == len(set(rows)) == len(accepted_ids | refused_ids)
