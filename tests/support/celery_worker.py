"""A real Celery worker process sharing the test's database, with its own broker queue.

Each worker gets its own var folder (broker files, mail) and its own queue name, so tests can run in
parallel under pytest-xdist, also against one shared Redis.
"""

import contextlib
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
WORKER_APPLICATION_NAME = "doeplein-test-worker"


def database_url():
    """A DATABASE_URL naming the database this test process uses right now (the test database)."""
    params = connection.settings_dict
    if params["ENGINE"] == "django.db.backends.sqlite3":
        name = str(params["NAME"])
        if name in ("", ":memory:") or "mode=memory" in name:
            raise RuntimeError("an in-memory SQLite test database cannot be shared with a worker process")
        return f"sqlite:///{name}"
    if params["ENGINE"] == "django.db.backends.postgresql":
        user = quote(params.get("USER") or "", safe="")
        password = quote(params.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = params.get("HOST") or "127.0.0.1"
        port = f":{params['PORT']}" if params.get("PORT") else ""
        # Named so that teardown can wait for the worker's sessions to end (see _wait_for_sessions_to_end).
        return f"postgres://{auth}{host}{port}/{params['NAME']}?application_name={WORKER_APPLICATION_NAME}"
    raise RuntimeError(f"no DATABASE_URL for {params['ENGINE']}")


def filesystem_transport_options(var_dir):
    """The same folders settings.py derives from DOEPLEIN_VAR_DIR for the file-system broker."""
    queue, control = Path(var_dir) / "broker" / "queue", Path(var_dir) / "broker" / "control"
    queue.mkdir(parents=True, exist_ok=True)
    control.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "control_folder": str(control),
        "store_processed": False,
    }


@dataclass
class Broker:
    """Where the test process and its worker exchange tasks."""

    url: str
    transport_options: dict
    queue: str
    var_dir: Path
    redis: bool


def make_broker(var_dir, *, redis):
    var_dir = Path(var_dir)
    queue = f"doeplein-test-{uuid.uuid4().hex[:12]}"
    if redis:
        return Broker(settings.REDIS_URL, {"visibility_timeout": 3600}, queue, var_dir, True)
    return Broker("filesystem://", filesystem_transport_options(var_dir), queue, var_dir, False)


def _reset_producers(app):
    from kombu import pools

    pools.reset()  # kombu keeps connection pools per broker URL; closed ones must leave its registry too
    app._pool = None
    app.__dict__.pop("amqp", None)  # cached: queues, router and producer pool built from the old conf


@contextlib.contextmanager
def sending_to(broker):
    """Point this process's Celery app (what ``delay`` uses) at ``broker`` and its queue."""
    from doeplein.celery import app

    keys = ("broker_url", "broker_transport_options", "task_default_queue", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=broker.url,
        broker_transport_options=broker.transport_options,
        task_default_queue=broker.queue,
        task_always_eager=False,
    )
    _reset_producers(app)
    try:
        yield app
    finally:
        app.conf.update(saved)
        _reset_producers(app)


@dataclass
class Worker:
    process: subprocess.Popen
    broker: Broker
    log_path: Path
    mail_dir: Path

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else "(no log)"

    def report(self):
        state = "running" if self.process.poll() is None else f"exited with {self.process.returncode}"
        return f"worker {state}; its log:\n{self.log()[-6000:]}"

    def check_alive(self):
        if self.process.poll() is not None:
            raise AssertionError(f"the Celery worker died.\n{self.report()}")


@contextlib.contextmanager
def run_worker(broker, *, env=None):
    """Start ``celery -A doeplein worker`` on ``broker``'s queue against the test database."""
    mail_dir = broker.var_dir / "mail"
    mail_dir.mkdir(parents=True, exist_ok=True)
    log_path = broker.var_dir / "worker.log"
    child_env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in ("REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL", "EMAIL_BACKEND", "PYTEST_XDIST_WORKER")
    }
    child_env.update(
        DOEPLEIN_TESTING="1",
        DOEPLEIN_VAR_DIR=str(broker.var_dir),
        DATABASE_URL=database_url(),
        CELERY_QUEUE=broker.queue,
        EMAIL_DELIVERY_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        PYTHONPATH=os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        PYTHONUNBUFFERED="1",
    )
    if broker.redis:
        child_env["REDIS_URL"] = broker.url
    child_env.update(env or {})
    command = [
        sys.executable, "-m", "celery", "-A", "doeplein", "worker",
        "--pool=solo", "-Q", broker.queue, "--loglevel=INFO",
        "--without-mingle", "--without-gossip", "--without-heartbeat",
        "--hostname", f"{broker.queue}@%h",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=child_env, stdout=log, stderr=subprocess.STDOUT)
    worker = Worker(process, broker, log_path, mail_dir)
    try:
        yield worker
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        _wait_for_sessions_to_end()


def _wait_for_sessions_to_end(timeout=15):
    """PostgreSQL ends a dead client's session a moment after the process exits; the test database
    cannot be dropped at the end of the run while it lingers."""
    params = connection.settings_dict
    if params["ENGINE"] != "django.db.backends.postgresql":
        return
    import psycopg

    from tests.support.waiting import wait_until

    maintenance = psycopg.connect(
        host=params.get("HOST") or "127.0.0.1",
        port=params.get("PORT") or 5432,
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    query = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s"
    with maintenance:
        wait_until(
            lambda: maintenance.execute(query, [params["NAME"], WORKER_APPLICATION_NAME]).fetchone()[0] == 0,
            timeout=timeout,
            describe="the worker's database sessions to end",
        )
