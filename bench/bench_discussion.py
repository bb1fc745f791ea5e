"""Benchmark: live discussion through two ASGI server processes sharing Redis, against bare Redis pub/sub.

1,000 websocket clients (asyncio + ``websockets``, this one process) connect, half to server A and half
to server B (``uvicorn doeplein.asgi:application``, channels-redis on one Redis), spread over 20 rooms so
that every room has clients on both servers. One sender per room sends ``send`` frames at the room's
share of 100 messages a second for 60 seconds, each time through the next client of the room in turn (so
through both servers, and no one person near the flood limit); the body carries the message's client id
and the send time. Every client records, for every message it receives, the delivery latency (send time
to receive time, the same monotonic clock of this process) and which messages it saw.

Messages lost: after the run the stored messages are read from the database; a message stored but not
delivered to a client of its room counts once per such client. It must be 0.

The baseline, in the same run after the servers have stopped: bare Redis publish/subscribe
(``redis.asyncio``) with the same number of subscribers (one connection each) on as many channels, the
same publish rate and duration, timed the same way. The closing note gives both, their ratio, and the
servers' peak memory (VmHWM of each uvicorn process).

Use a dedicated database (created if missing, then migrated):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/doeplein_bench_live REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/bench_discussion.py            # --quick: a 10-second smoke run
"""

# ruff: noqa: T201 - a benchmark prints its figures

import argparse
import asyncio
import collections
import json
import os
import resource
import secrets
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doeplein.settings")

DOMAIN = "@live.bench.example"
TIMEOUT = 60  # seconds for one connection to open and be welcomed, and for the final drain


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--clients", type=int, default=1000, help="websocket clients (and baseline subscribers)"
    )
    parser.add_argument("--rooms", type=int, default=20, help="rooms (and baseline channels)")
    parser.add_argument("--rate", type=float, default=100.0, help="messages per second, all rooms together")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of sending")
    parser.add_argument("--quick", action="store_true", help="a 10-second smoke run (--duration 10)")
    parser.add_argument(
        "--connect-rate", type=float, default=100.0, help="new connections per second (staggered)"
    )
    parser.add_argument(
        "--drain-cap", type=float, default=900.0, help="most seconds to wait for late deliveries"
    )
    parser.add_argument(
        "--sweep",
        nargs="*",
        type=float,
        default=None,
        metavar="RATE",
        help="after the main run, send at each of these rates (default 50 100 150 200 250 300) for "
        "--sweep-duration seconds on the same connections, and report the knee: the highest rate with "
        "p99 <= 250 ms and nothing lost",
    )
    parser.add_argument("--sweep-duration", type=float, default=20.0, help="seconds of each sweep step")
    parser.add_argument("--skip-main", action="store_true", help="with --sweep: only the sweep")
    parser.add_argument(
        "--profile", metavar="FILE", help="py-spy record server A during the main run into FILE"
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()
    if args.quick:
        args.duration = 10.0
    if args.sweep is not None and not args.sweep:
        args.sweep = [50.0, 100.0, 150.0, 200.0, 250.0, 300.0]
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error(
            "give a PostgreSQL DATABASE_URL for a dedicated database, e.g. postgres://postgres@127.0.0.1:5432/doeplein_bench_live"
        )
    if args.clients < 2 * args.rooms:
        parser.error("at least two clients per room (one on each server)")
    return args


# --- Setup (synchronous Django) ------------------------------------------------------------------------
def ensure_database(url):
    """CREATE DATABASE if it does not exist yet (connecting to the server's ``postgres`` database)."""
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    name = unquote(parsed.path.lstrip("/"))
    conninfo = {
        "host": parsed.hostname or "127.0.0.1", "port": parsed.port or 5432, "dbname": "postgres",
        "user": unquote(parsed.username or "") or None, "password": unquote(parsed.password or "") or None,
    }  # fmt: skip
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v is not None}, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def build(clients, rooms):
    """Idempotently: ``clients`` people and ``rooms`` members-only spaces with a room each; person i is a
    member of space i % rooms. Returns (users by index, rooms by index)."""
    from django.contrib.auth.hashers import make_password

    from doeplein.accounts.models import User
    from doeplein.discussion.actions import get_or_create_room
    from doeplein.spaces.models import Membership, Role, Space

    emails = [f"c{i}{DOMAIN}" for i in range(clients)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    User.objects.bulk_create(
        [User(email=e, password=make_password(None), first_name=f"Deelnemer {e.split('@')[0][1:]}") for e in emails
         if e not in existing],
        batch_size=1000,
    )  # fmt: skip
    by_email = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
    users = [User(pk=by_email[e], email=e) for e in emails]
    spaces = []
    for k in range(rooms):
        space, _created = Space.objects.get_or_create(kind="bench", name=f"Bench live room {k}",
                                                      defaults={"visibility": "members"})  # fmt: skip
        spaces.append(space)
    Membership.objects.bulk_create(
        [Membership(space=spaces[i % rooms], user_id=users[i].pk, role=Role.MEMBER) for i in range(clients)],
        ignore_conflicts=True, batch_size=1000,
    )  # fmt: skip
    return users, [get_or_create_room(space=space, title=space.name) for space in spaces]


def create_sessions(user_ids):
    """One logged-in database session per person; the cookie header values, in order."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from doeplein.accounts.models import User

    Session.objects.filter(expire_date__lt=timezone.now()).delete()
    hashes = {u.pk: u.get_session_auth_hash() for u in User.objects.filter(pk__in=user_ids)}
    store, rows, cookies = SessionStore(), [], []
    expires = timezone.now() + timedelta(hours=2)
    for pk in user_ids:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {SESSION_KEY: str(pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: hashes[pk]}  # fmt: skip
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={key}")
    Session.objects.bulk_create(rows, batch_size=1000)
    return cookies


def stored_messages(room_ids, prefix):
    from doeplein.discussion.models import Message

    stored = collections.defaultdict(set)
    for room_id, client_id in Message.objects.filter(
        room_id__in=room_ids, client_id__startswith=prefix
    ).values_list("room_id", "client_id"):
        stored[room_id].add(client_id)
    return stored


# --- Measuring --------------------------------------------------------------------------------------
class Tally:
    """What one side of the comparison saw."""

    def __init__(self):
        self.sent = 0
        self.latencies = []
        self.duplicates = 0
        self.acks = 0
        self.accepted = collections.Counter()  # stored messages acknowledged, per room (or channel)
        self.listeners = collections.Counter()  # receivers per room (or channel)
        self.ack_duplicates = 0
        self.errors = collections.Counter()
        self.closed = 0
        self.connect_failures = 0
        self.closed_by_server = 0

    def received(self):
        return len(self.latencies)

    def expected(self):
        return sum(count * self.listeners[room] for room, count in self.accepted.items())


def welcomed(client):
    future = client.welcomed
    return future is not None and future.done() and not future.cancelled() and future.exception() is None


def percentile(ordered, q):
    """Nearest-rank percentile of an ascending list (``q`` in 0..100)."""
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def latency_figures(tally):
    ordered = sorted(tally.latencies)
    return {name: percentile(ordered, q) * 1000 for name, q in (("p50", 50), ("p99", 99), ("max", 100))}


class Client:
    __slots__ = ("index", "room", "server", "ws", "seen", "welcomed", "task", "closed_early")

    def __init__(self, index, room, server):
        self.index, self.room, self.server = index, room, server
        self.ws, self.seen, self.welcomed, self.task, self.closed_early = None, set(), None, None, False


class Recorder:
    """Where the clients count what they see: one tally per run or sweep step (swapped between them)."""

    def __init__(self):
        self.tally = Tally()


async def read_frames(client, prefix, recorder):
    import websockets

    tally = recorder.tally
    try:
        async for raw in client.ws:
            now = time.perf_counter()
            tally = recorder.tally
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "message":
                client_id = frame.get("client_id") or ""
                if client_id.startswith(prefix):
                    if client_id in client.seen:
                        tally.duplicates += 1
                        continue
                    client.seen.add(client_id)
                    tally.latencies.append(now - float(frame["body"].rsplit(" ", 1)[1]))
            elif kind == "welcome":
                client.welcomed.set_result(frame)
            elif kind == "ack":
                tally.acks += 1
                if frame.get("duplicate"):
                    tally.ack_duplicates += 1
                else:
                    tally.accepted[client.room] += 1  # the sender is a member of the message's room
            elif kind == "error":
                tally.errors[frame.get("code")] += 1
    except websockets.ConnectionClosed:
        pass
    finally:
        tally.closed += 1
        if not client.welcomed.done():
            client.welcomed.set_exception(ConnectionError("closed before the welcome"))


async def open_client(client, cookie, prefix, recorder):
    from websockets.asyncio.client import connect

    client.welcomed = asyncio.get_running_loop().create_future()
    client.ws = await connect(
        client.server.ws_url(f"/ws/rooms/{client.room}/"), origin=client.server.origin,
        additional_headers={"Cookie": cookie}, open_timeout=TIMEOUT, ping_interval=None, close_timeout=5,
        max_queue=None,
    )  # fmt: skip
    client.task = asyncio.create_task(read_frames(client, prefix, recorder))
    await client.ws.send(json.dumps({"type": "hello"}))
    await asyncio.wait_for(client.welcomed, TIMEOUT)


async def paced(count, per_second, start_one, concurrency=None):
    """Run ``start_one(i)`` for i < ``count``, starting at most ``per_second`` a second and (if given) at
    most ``concurrency`` at a time; wait for all; return the exceptions raised."""
    gate = asyncio.Semaphore(concurrency or count)

    async def one(i):
        async with gate:
            return await start_one(i)

    tasks = []
    begin = time.perf_counter()
    for i in range(count):
        delay = begin + i / per_second - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    results = await asyncio.gather(*tasks, return_exceptions=True)
    return [r for r in results if isinstance(r, BaseException)]


async def send_at_rate(rooms, interval, duration, send_one):
    """One sender per room: message k of room r goes out at start + (r / rooms + k) * interval."""
    start = time.perf_counter() + 0.5

    async def sender(r):
        k = 0
        while True:
            due = start + (r / rooms + k) * interval
            if due >= start + duration:
                return
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            await send_one(r, k)
            k += 1

    await asyncio.gather(*(sender(r) for r in range(rooms)))


async def drain(what, expected, received, *, idle, cap):
    """Wait until ``received()`` reaches ``expected()``. Bounded: gives up after ``idle`` seconds without
    progress or ``cap`` seconds in all (an overloaded server drains its backlog slowly). True when done."""
    began = last_change = last_report = time.perf_counter()
    seen = received()
    while seen < expected():
        now = time.perf_counter()
        if now - last_change > idle or now - began > cap:
            print(f"  gave up waiting for {what}: {seen} of {expected()}")
            return False
        if now - last_report > 15:
            print(f"  waiting for {what}: {seen} of {expected()} after {now - began:.0f} s")
            last_report = now
        await asyncio.sleep(0.2)
        if received() != seen:
            seen, last_change = received(), time.perf_counter()
    return True


def cpu_seconds(pid):
    """User + system CPU seconds of a process so far (from /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def own_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Run:
    """The connected clients of the server phase, shared by the main run and the sweep steps."""

    def __init__(self, args, servers, room_ids, cookies, prefix):
        self.args, self.servers, self.room_ids, self.cookies, self.prefix = (
            args,
            servers,
            room_ids,
            cookies,
            prefix,
        )
        self.recorder = Recorder()
        self.clients = [
            Client(i, room_ids[i % args.rooms], servers[(i // args.rooms) % 2]) for i in range(args.clients)
        ]
        self.live, self.members = [], collections.defaultdict(list)
        self.connect_seconds = None

    async def connect(self):
        tally = self.recorder.tally
        began = time.perf_counter()
        # Staggered, and at most 50 handshakes in flight: each waits for its own turn, not for the whole storm.
        failures = await paced(
            len(self.clients),
            self.args.connect_rate,
            lambda i: open_client(self.clients[i], self.cookies[i], self.prefix, self.recorder),
            50,
        )
        tally.connect_failures = len(failures)
        if failures:
            print(f"  {len(failures)} connections failed, e.g. {failures[0]!r}")
        self.connect_seconds = time.perf_counter() - began
        print(f"  {len(self.clients) - len(failures)} clients connected in {self.connect_seconds:.1f} s")
        self.live = [c for c in self.clients if welcomed(c)]
        for client in self.live:
            self.members[client.room].append(client)
        await asyncio.sleep(2)  # let the presence frames of the connection storm settle

    async def send(self, rate, duration, tag):
        """Send at ``rate`` for ``duration`` seconds with client ids starting ``<prefix><tag>-``; drain.
        Returns (tally, CPU figures)."""
        import websockets

        tally = self.recorder.tally = Tally()
        for client in self.live:
            tally.listeners[client.room] += 1
        room_ids, members = self.room_ids, self.members

        async def send_one(r, k):
            """Send through the next member of the room in turn whose connection is still open."""
            room = members[room_ids[r]]
            client_id = f"{self.prefix}{tag}-{r}-{k}"
            for attempt in range(len(room)):
                by = room[(k + attempt) % len(room)]
                if by.task.done():
                    continue  # the server closed this connection (counted as closed)
                try:
                    await by.ws.send(
                        json.dumps(
                            {
                                "type": "send",
                                "client_id": client_id,
                                "body": f"{client_id} {time.perf_counter():.6f}",
                            }
                        )
                    )
                except websockets.ConnectionClosed:
                    continue
                tally.sent += 1
                return
            tally.errors["no_open_connection_to_send"] += 1

        pids = {server.name: server.process.pid for server in self.servers}
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        own_before, began = own_cpu_seconds(), time.perf_counter()
        await send_at_rate(self.args.rooms, self.args.rooms / rate, duration, send_one)
        wall = time.perf_counter() - began
        cpu = {name: (cpu_seconds(pid) - cpu_before[name]) / wall for name, pid in pids.items()}
        cpu["generator"] = (own_cpu_seconds() - own_before) / wall
        print(f"  sent {tally.sent} messages in {wall:.1f} s")

        # Drain: every send answered, then every receiver has every accepted message (bounded).
        def answered():
            return tally.acks + sum(
                n for code, n in tally.errors.items() if code != "no_open_connection_to_send"
            )

        await drain("acks", lambda: tally.sent, answered, idle=TIMEOUT, cap=self.args.drain_cap)
        await drain("deliveries", tally.expected, tally.received, idle=TIMEOUT, cap=self.args.drain_cap)
        return tally, cpu

    def lost(self, tag):
        """(expected, lost, lost to connections a server closed) for the messages of step ``tag``."""
        stored = stored_messages(self.room_ids, f"{self.prefix}{tag}-")
        connected = [c for c in self.clients if welcomed(c)]
        per_receiver = [len(stored[c.room] - c.seen) for c in connected]
        closed = sum(n for c, n in zip(connected, per_receiver, strict=True) if c.task.done())
        return (
            sum(len(stored[c.room]) for c in connected),
            sum(per_receiver),
            closed,
            sum(len(v) for v in stored.values()),
        )

    async def close(self):
        async def close(client):
            await client.ws.close()
            await client.task

        for client in self.live:
            client.closed_early = client.task.done()
        closed_early = sum(1 for c in self.live if c.closed_early)
        if closed_early:
            print(f"  {closed_early} connections were closed by the servers during the run")
        await paced(len(self.live), 500, lambda i: asyncio.wait_for(close(self.live[i]), 30))
        return closed_early


def queries_per_send(users, rooms):
    """The SQL statements of one websocket send (verdict cached, as the consumer has it), and of the
    write-behind batch per message, counted with Django's CaptureQueriesContext in this process."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from doeplein.accounts.models import User
    from doeplein.discussion import actions
    from doeplein.discussion.afterwards import queue
    from doeplein.discussion.models import Room

    user = User.objects.get(pk=users[0].pk)
    room = Room.objects.select_related("space").get(pk=rooms[0].pk)
    access = actions.room_access(user, room)
    counts = []
    for _n in range(3):
        with CaptureQueriesContext(connection) as queries:
            actions.do_send_message(
                user=user,
                room=room,
                body="q",
                client_id=f"queries-{uuid.uuid4().hex}",
                access=access,
                write_behind=True,
            )
        counts.append(len(queries))
    with CaptureQueriesContext(connection) as batch:
        flushed = queue.flush()
    return counts[-1], len(batch) / max(flushed, 1), flushed


async def sweep_and_main(args, servers, room_ids, cookies, prefix, profile):
    run = Run(args, servers, room_ids, cookies, prefix)
    await run.connect()
    results = {}
    if not args.skip_main:
        profiler = profile() if profile else None
        tally, cpu = await run.send(args.rate, args.duration, "main")
        if profiler is not None:
            profiler.wait()
        results["main"] = (args.rate, tally, cpu, await asyncio.to_thread(run.lost, "main"))
    for step, rate in enumerate(args.sweep or ()):
        print(f"sweep step: {rate:g} msg/s for {args.sweep_duration:g} s")
        tally, cpu = await run.send(rate, args.sweep_duration, f"s{step}")
        lost = await asyncio.to_thread(run.lost, f"s{step}")
        results[f"s{step}"] = (rate, tally, cpu, lost)
        figures = latency_figures(tally)
        print(
            f"  p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms, lost {lost[1]}, CPU "
            + ", ".join(f"{name} {share * 100:.0f}%" for name, share in cpu.items())
        )
        if lost[1] or figures["p99"] > 250 * 4:
            break  # far past the knee: the next steps would only queue
        await asyncio.sleep(2)
    closed_early = await run.close()
    return run, results, closed_early


async def baseline_phase(args, redis_url):
    """Bare Redis pub/sub: the same subscribers, channels, rate and duration, timed the same way."""
    import redis.asyncio as aioredis

    tally = Tally()
    run = uuid.uuid4().hex[:8]
    channels = [f"bench-live-baseline-{run}-{r}" for r in range(args.rooms)]
    subscribers = []

    async def subscribe(i):
        conn = aioredis.from_url(redis_url)
        pubsub = conn.pubsub()
        await pubsub.subscribe(channels[i % args.rooms])
        subscribers.append((conn, pubsub))
        tally.listeners[i % args.rooms] += 1

        async def read():
            seen = set()
            async for message in pubsub.listen():
                now = time.perf_counter()
                if message["type"] != "message":
                    continue
                client_id, sent_at = message["data"].decode().rsplit(" ", 1)
                if client_id in seen:
                    tally.duplicates += 1
                    continue
                seen.add(client_id)
                tally.latencies.append(now - float(sent_at))

        return asyncio.create_task(read())

    tasks = []

    async def start(i):
        tasks.append(await subscribe(i))

    failures = await paced(args.clients, args.connect_rate * 10, start)
    tally.connect_failures = len(failures)
    await asyncio.sleep(2)
    publisher = aioredis.from_url(redis_url)

    async def send_one(r, k):
        tally.sent += 1
        await publisher.publish(channels[r], f"{r}-{k} {time.perf_counter():.6f}")
        tally.accepted[r] += 1

    await send_at_rate(args.rooms, args.rooms / args.rate, args.duration, send_one)
    await drain("deliveries", tally.expected, tally.received, idle=TIMEOUT, cap=args.drain_cap)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for conn, pubsub in subscribers:
        await pubsub.aclose()
        await conn.aclose()
    await publisher.aclose()
    return tally


def run_async(coro):
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coro)


def raise_open_files_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < needed:
        print(f"warning: the open-files limit ({target}) is below the {needed} this run needs")


def main():
    args = parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["REDIS_URL"] = args.redis_url
    os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))  # signs the sessions; the servers get it too
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Servers inherit the limit; each side holds one socket per client (plus the baseline's Redis ones).
    raise_open_files_limit(2 * args.clients + 512)
    ensure_database(args.database_url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from tests.support.asgi_server import run_servers, server_env

    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    users, rooms = build(args.clients, args.rooms)
    cookies = create_sessions([u.pk for u in users])
    room_ids = [room.pk for room in rooms]
    prefix = f"b{uuid.uuid4().hex[:8]}-"
    print(
        f"setup: {args.clients} people, {args.rooms} rooms, sessions in {time.perf_counter() - started:.1f} s"
    )

    env = server_env(
        database_url=args.database_url, redis_url=args.redis_url, secret_key=settings.SECRET_KEY,
        extra={
            "CHANNEL_LAYER_PREFIX": f"bench-live-{prefix}",
            # Senders rotate through every member of a room; the flood limit stays out of the measurement.
            "DISCUSSION_RATE_COUNT": "1000000",
            "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "LOG_LEVEL": "WARNING",
        },
    )  # fmt: skip
    log_dir = Path(tempfile.mkdtemp(prefix="bench-discussion-"))
    sends, batch_per_message, batch = queries_per_send(users, rooms)
    print(
        f"queries per websocket send: {sends} (verdict cached); write-behind: {batch_per_message:.2f} per message "
        f"(a batch of {batch} took {batch_per_message * batch:.0f})"
    )
    print(f"servers: 2 × uvicorn doeplein.asgi:application (logs in {log_dir})")
    with run_servers(["A", "B"], env=env, log_dir=log_dir) as servers:
        print(
            f"server phase: {args.clients} clients, {args.rooms} rooms, {args.rate:g} msg/s, {args.duration:g} s"
        )
        profile = None
        if args.profile:
            import subprocess

            def profile():
                return subprocess.Popen(
                    [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(servers[0].process.pid),
                     "--duration", str(int(args.duration)), "--format", "raw", "--output", args.profile,
                     "--nonblocking"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip

        run, results, closed_early = run_async(
            sweep_and_main(args, servers, room_ids, cookies, prefix, profile)
        )
        peaks = {server.name: server.peak_memory_kib() for server in servers}
        for server in servers:
            server.check_alive()

    sweep_rows = [
        (rate, latency_figures(t), cpu, lost)
        for key, (rate, t, cpu, lost) in results.items()
        if key != "main"
    ]
    if sweep_rows:
        print()
        print(f"sweep ({args.sweep_duration:g} s per step, same {len(run.live)} connections):")
        print(f"{'msg/s':>7} {'p50 ms':>9} {'p99 ms':>9} {'lost':>6}  CPU (servers A, B; generator)")
        for rate, fig, cpu, lost in sweep_rows:
            print(
                f"{rate:7g} {fig['p50']:9.1f} {fig['p99']:9.1f} {lost[1]:6d}  "
                + ", ".join(f"{name} {share * 100:.0f}%" for name, share in cpu.items())
            )
        knee = None  # the highest rate before the first step that fails (p99 over 250 ms or anything lost)
        for rate, fig, _cpu, lost in sorted(sweep_rows, key=lambda row: row[0]):
            if fig["p99"] > 250 or lost[1]:
                break
            knee = rate
        print(
            f"knee (highest rate with p99 <= 250 ms and nothing lost): {knee if knee is not None else 'below the lowest step'}"
        )
    if "main" not in results:
        return 0

    rate, tally, cpu, (expected, lost, lost_closed, stored_count) = results["main"]
    connected = run.live

    print(f"baseline phase: bare Redis pub/sub, {args.clients} subscribers on {args.rooms} channels")
    base = run_async(baseline_phase(args, args.redis_url))
    base_expected = base.expected()

    server_lat, base_lat = latency_figures(tally), latency_figures(base)
    rows = [
        (
            "clients connected",
            f"{len(connected)} in {run.connect_seconds:.1f} s",
            args.clients - base.connect_failures,
        ),
        ("connections closed by a server mid-run", closed_early, "-"),
        ("messages sent", tally.sent, base.sent),
        ("messages stored (acknowledged)", f"{stored_count} ({tally.acks - tally.ack_duplicates})", "-"),
        ("expected deliveries", expected, base_expected),
        ("deliveries received", tally.received(), base.received()),
        ("duplicate deliveries", tally.duplicates, base.duplicates),
        ("messages LOST (stored, not delivered)", lost, base_expected - base.received()),
        ("  of which to connections a server closed", lost_closed, "-"),
        ("latency p50 (ms)", f"{server_lat['p50']:.1f}", f"{base_lat['p50']:.1f}"),
        ("latency p99 (ms)", f"{server_lat['p99']:.1f}", f"{base_lat['p99']:.1f}"),
        ("latency max (ms)", f"{server_lat['max']:.1f}", f"{base_lat['max']:.1f}"),
        ("CPU while sending", ", ".join(f"{n} {c * 100:.0f}%" for n, c in cpu.items()), "-"),
    ]
    print()
    print(f"{'':40} {'2 ASGI servers + Redis':>24} {'bare Redis pub/sub':>20}")
    for label, ours, theirs in rows:
        print(f"{label:40} {ours!s:>24} {theirs!s:>20}")
    if tally.errors:
        print(f"send errors: {dict(tally.errors)}")
    print()
    print(
        f"Closing note: {len(connected)} websocket clients on two uvicorn processes sharing Redis, {args.rooms} rooms, "
        f"{args.rate:g} messages/s for {args.duration:g} s: delivery latency p50 {server_lat['p50']:.1f} ms, "
        f"p99 {server_lat['p99']:.1f} ms, max {server_lat['max']:.1f} ms, {lost} messages lost. Bare Redis pub/sub "
        f"in the same run: p50 {base_lat['p50']:.1f} ms, p99 {base_lat['p99']:.1f} ms, max {base_lat['max']:.1f} ms. "
        f"Ratio server/baseline: p50 ×{server_lat['p50'] / base_lat['p50']:.1f}, "
        f"p99 ×{server_lat['p99'] / base_lat['p99']:.1f}. Queries per send {sends}. CPU while sending: "
        + ", ".join(f"{n} {c * 100:.0f}%" for n, c in cpu.items())
        + ". Server peak memory (VmHWM): "
        + ", ".join(
            f"{name} {kib / 1024:.0f} MiB" if kib else f"{name} unknown" for name, kib in peaks.items()
        )
        + f". Load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}."
    )
    return 1 if lost or tally.connect_failures else 0


if __name__ == "__main__":
    sys.exit(main())
