"""Real ASGI server processes (uvicorn running doeplein.asgi) for tests and benchmarks.

Each server gets a socket this process has already bound to a free port (port 0) and hands over with
``uvicorn --fd``, so there is no window in which another process (an xdist worker) can take the port.
Servers are started together, waited for on ``/healthz`` (bounded), and always stopped on the way out.
Nothing here imports Django at module level: ``bench/`` uses it from a plain script too.
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Variables of the parent that must not leak into a server: the caller says what the server uses.
_NOT_INHERITED = (
    "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CHANNEL_REDIS_HOSTS", "CHANNEL_LAYER_PREFIX",
    "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST", "DOEPLEIN_EXTRA_APPS", "DJANGO_SETTINGS_MODULE",
)  # fmt: skip


@dataclass
class Server:
    """One uvicorn process serving ``doeplein.asgi:application`` on 127.0.0.1:<port>."""

    name: str
    port: int
    process: subprocess.Popen
    log_path: Path
    last_health: dict = field(default_factory=dict)

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.port}"

    def url(self, path):
        return f"{self.origin}{path}"

    def ws_url(self, path):
        return f"ws://127.0.0.1:{self.port}{path}"

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else "(no log)"

    def report(self):
        state = "running" if self.process.poll() is None else f"exited with {self.process.returncode}"
        health = json.dumps(self.last_health) if self.last_health else "(no answer)"
        return f"server {self.name} on port {self.port}: {state}; last /healthz: {health}; its log:\n{self.log()[-6000:]}"

    def check_alive(self):
        if self.process.poll() is not None:
            raise AssertionError(f"the ASGI server died.\n{self.report()}")

    def peak_memory_kib(self):
        """The process's peak resident set (VmHWM) in KiB, from /proc; None where there is no /proc."""
        return read_vm_hwm_kib(self.process.pid)


def read_vm_hwm_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def server_env(*, database_url, redis_url, secret_key, extra=None):
    """The environment of a server process: the parent's, minus what the caller must decide, plus that.

    ``secret_key`` must be the SECRET_KEY of whoever creates the sessions the clients use: session data
    and the session's auth hash are signed with it.
    """
    env = {key: value for key, value in os.environ.items() if key not in _NOT_INHERITED}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="doeplein.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra or {})
    return env


def _listening_socket():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _start(name, env, log_dir):
    sock = _listening_socket()
    port = sock.getsockname()[1]
    log_path = Path(log_dir) / f"uvicorn-{name}-{port}.log"
    command = [
        sys.executable, "-m", "uvicorn", "doeplein.asgi:application",
        "--fd", str(sock.fileno()), "--lifespan", "on", "--no-access-log", "--log-level", "warning",
        "--ws-per-message-deflate", "false",  # as in production (Dockerfile): see docs/live-discussion.md
    ]  # fmt: skip
    try:
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, pass_fds=[sock.fileno()]
            )
    finally:
        sock.close()  # the child holds its own copy of the listening socket
    return Server(name, port, process, log_path)


def _healthz(server):
    """True when /healthz answers 200 (database, cache, channel layer and broker all up)."""
    try:
        with urllib.request.urlopen(server.url("/healthz"), timeout=5) as response:
            server.last_health = json.loads(response.read())
            return response.status == 200
    except urllib.error.HTTPError as exc:  # 503: a component is down (yet)
        with contextlib.suppress(ValueError):
            server.last_health = json.loads(exc.read())
        return False
    except (OSError, ValueError):  # not listening or not answering yet
        return False


def wait_healthy(servers, *, timeout):
    deadline = time.monotonic() + timeout
    waiting = list(servers)
    while waiting:
        for server in list(waiting):
            server.check_alive()
            if _healthz(server):
                waiting.remove(server)
        if not waiting:
            break
        if time.monotonic() > deadline:
            reports = "\n\n".join(server.report() for server in waiting)
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for /healthz\n{reports}")
        time.sleep(0.25)


def stop(server, timeout=20):
    """SIGTERM (uvicorn closes its websockets and runs the lifespan shutdown), then SIGKILL if it hangs."""
    if server.process.poll() is not None:
        return
    server.process.terminate()
    try:
        server.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


@contextlib.contextmanager
def run_servers(names, *, env, log_dir, startup_timeout=120):
    """Start one uvicorn process per name (all at once), wait until every one is healthy, yield them."""
    Path(log_dir).mkdir(parents=True, exist_ok=True)
    servers = []
    started = []  # every process, restarted ones included, is stopped at the end

    def restart(server):
        """SIGKILL ``server`` and start a fresh process in its place (same name, new port); returns it."""
        server.process.kill()
        server.process.wait(timeout=10)
        fresh = _start(server.name, env, log_dir)
        started.append(fresh)
        wait_healthy([fresh], timeout=startup_timeout)
        servers[servers.index(server)] = fresh
        return fresh

    try:
        for name in names:
            servers.append(_start(name, env, log_dir))
        started.extend(servers)
        wait_healthy(servers, timeout=startup_timeout)
        for server in servers:
            server.restart = restart
        yield servers
    finally:
        for server in started:
            stop(server)


def session_cookie(user):
    """A logged-in database session for ``user``, as the value of the ``Cookie`` header.

    The session is written to the database now, so every server process sharing the database sees it.
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
