"""Live notifications over the real ASGI application: session auth, commit-only pushes, bad frames,
channels-redis, and the one-machine relay from a worker process through the broker."""

import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

from doeplein import live
from doeplein.notifications.consumers import CLOSE_UNAUTHENTICATED
from tests.support.celery_worker import make_broker, run_worker, sending_to

pytestmark = pytest.mark.django_db(transaction=True)

IN_MEMORY_LAYER = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
RECEIVE_TIMEOUT = 60  # seconds: generous for a loaded CI machine; the frame normally takes milliseconds


@pytest.fixture
def application(monkeypatch):
    """doeplein.asgi's application; this test process plays the web process."""
    before = live.IN_WEB_PROCESS
    from doeplein.asgi import application as app  # importing it marks the process as the web process

    live.IN_WEB_PROCESS = before
    monkeypatch.setattr(live, "IN_WEB_PROCESS", True)
    return app


@pytest.fixture
def in_memory_layer():
    with override_settings(CHANNEL_LAYERS=IN_MEMORY_LAYER):
        yield


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def socket(application, cookie=None, origin="http://localhost"):
    """A websocket to the notifications route; ``cookie`` from :func:`session_cookie` (sync code only)."""
    headers = [(b"origin", origin.encode()), (b"host", b"localhost")]
    if cookie is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, "/ws/notifications/", headers=headers)


def notify(user, message="Someone answered you", *, commit=True):
    from doeplein.notifications.actions import do_notify

    class RolledBack(Exception):
        pass

    try:
        with transaction.atomic():
            do_notify(recipient=user, verb="test.live", message=message, url="/somewhere/")
            if not commit:
                raise RolledBack
    except RolledBack:
        pass


def test_anonymous_socket_is_closed_with_4401(application, in_memory_layer):
    async def scenario():
        communicator = socket(application)
        connected, code = await communicator.connect(timeout=10)
        await communicator.disconnect()
        return connected, code

    assert async_to_sync(scenario)() == (False, CLOSE_UNAUTHENTICATED)


def test_socket_from_a_foreign_origin_is_refused(application, in_memory_layer, make_user):
    user = make_user()
    cookie = session_cookie(user)

    async def scenario():
        communicator = socket(application, cookie, origin="https://evil.example")
        connected, _ = await communicator.connect(timeout=10)
        await communicator.disconnect()
        return connected

    assert async_to_sync(scenario)() is False


def test_logged_in_user_receives_the_notification_only_after_commit(application, in_memory_layer, make_user):
    user, other = make_user(), make_user()
    mine_cookie, their_cookie = session_cookie(user), session_cookie(other)

    async def scenario():
        mine, theirs = socket(application, mine_cookie), socket(application, their_cookie)
        assert (await mine.connect(timeout=10))[0]
        assert (await theirs.connect(timeout=10))[0]
        await sync_to_async(notify)(user, "Rolled back", commit=False)
        assert await mine.receive_nothing(timeout=0.5)
        await sync_to_async(notify)(user, "Kept")
        frame = await mine.receive_json_from(timeout=RECEIVE_TIMEOUT)
        others_got_nothing = await theirs.receive_nothing(timeout=0.5)
        await mine.disconnect()
        await theirs.disconnect()
        return frame, others_got_nothing

    frame, others_got_nothing = async_to_sync(scenario)()

    from doeplein.notifications.models import Notification

    stored = Notification.objects.get(recipient=user)
    assert frame == {
        "type": "notification",
        "id": stored.pk,
        "verb": "test.live",
        "message": "Kept",
        "url": "/somewhere/",
        "unread": 1,
    }
    assert others_got_nothing


def test_malformed_json_gets_an_error_frame_and_the_socket_keeps_working(
    application, in_memory_layer, make_user
):
    user = make_user()
    cookie = session_cookie(user)

    async def scenario():
        communicator = socket(application, cookie)
        assert (await communicator.connect(timeout=10))[0]
        await communicator.send_to(text_data="{not json")
        bad = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
        await communicator.send_json_to({"type": "hello"})
        read_only = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
        await sync_to_async(notify)(user, "Still listening")
        pushed = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
        await communicator.disconnect()
        return bad, read_only, pushed

    bad, read_only, pushed = async_to_sync(scenario)()

    assert (bad["type"], bad["code"]) == ("error", "bad_json")
    assert (read_only["type"], read_only["code"]) == ("error", "read_only")
    assert pushed["message"] == "Still listening"


@pytest.fixture
def redis_layer(needs_redis):
    """channels-redis with a prefix of its own, so parallel test processes never hear each other."""
    prefix = f"doeplein-test-{uuid.uuid4().hex[:12]}"
    configured = settings.CHANNEL_LAYERS["default"]
    layers = {"default": {**configured, "CONFIG": {**configured["CONFIG"], "prefix": prefix}}}
    with override_settings(CHANNEL_LAYERS=layers):
        yield prefix


@pytest.mark.redis
def test_notification_reaches_the_socket_through_channels_redis(application, redis_layer, make_user):
    user = make_user()
    cookie = session_cookie(user)

    async def scenario():
        communicator = socket(application, cookie)
        assert (await communicator.connect(timeout=10))[0]
        await sync_to_async(notify)(user, "Through Redis")
        frame = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
        await communicator.disconnect()
        return frame

    assert async_to_sync(scenario)()["message"] == "Through Redis"


@pytest.mark.redis
def test_idle_socket_outlives_the_redis_blocking_pop(application, redis_layer, make_user):
    """channels-redis waits on Redis in 5 s blocking pops; an idle socket must still receive after one."""
    user = make_user()
    cookie = session_cookie(user)

    async def scenario():
        communicator = socket(application, cookie)
        assert (await communicator.connect(timeout=10))[0]
        assert await communicator.receive_nothing(timeout=7)  # longer than one blocking pop
        await sync_to_async(notify)(user, "After a quiet while")
        frame = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
        await communicator.disconnect()
        return frame

    assert async_to_sync(scenario)()["message"] == "After a quiet while"


@pytest.mark.redis
@pytest.mark.worker
def test_worker_event_reaches_the_socket_through_channels_redis(
    application, redis_layer, make_user, tmp_path
):
    from doeplein.accounts.tasks import welcome_task

    user = make_user()
    cookie = session_cookie(user)
    broker = make_broker(tmp_path / "var", redis=True)
    with sending_to(broker), run_worker(broker, env={"CHANNEL_LAYER_PREFIX": redis_layer}) as worker:

        async def scenario():
            communicator = socket(application, cookie)
            assert (await communicator.connect(timeout=10))[0]
            await sync_to_async(welcome_task.delay)(user.pk)
            try:
                return await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
            finally:
                await communicator.disconnect()

        try:
            frame = async_to_sync(scenario)()
        except TimeoutError:
            pytest.fail(f"no frame from the worker within {RECEIVE_TIMEOUT} s\n{worker.report()}")

    assert (frame["type"], frame["verb"], frame["unread"]) == ("notification", "account.welcome", 1)


@pytest.mark.worker
def test_worker_event_is_relayed_through_the_file_system_broker(
    application, in_memory_layer, make_user, tmp_path
):
    """The one-machine setup: no Redis, so the worker queues its live event on the broker's
    ``doeplein.live`` queue and the web process's relay (started by the ASGI lifespan) forwards it to
    the in-memory channel layer."""
    from doeplein.accounts.tasks import welcome_task

    user = make_user()
    cookie = session_cookie(user)
    broker = make_broker(tmp_path / "var", redis=False)
    relay_settings = override_settings(
        LIVE_RELAY_VIA_BROKER=True,
        CELERY_BROKER_URL=broker.url,
        CELERY_BROKER_TRANSPORT_OPTIONS=broker.transport_options,
    )
    with relay_settings, sending_to(broker), run_worker(broker) as worker:

        async def scenario():
            lifespan = ApplicationCommunicator(application, {"type": "lifespan", "asgi": {"version": "3.0"}})
            await lifespan.send_input({"type": "lifespan.startup"})
            assert (await lifespan.receive_output(timeout=10))["type"] == "lifespan.startup.complete"
            communicator = socket(application, cookie)
            try:
                assert (await communicator.connect(timeout=10))[0]
                await sync_to_async(welcome_task.delay)(user.pk)
                return await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
            finally:
                await communicator.disconnect()
                await lifespan.send_input({"type": "lifespan.shutdown"})
                assert (await lifespan.receive_output(timeout=10))["type"] == "lifespan.shutdown.complete"

        try:
            frame = async_to_sync(scenario)()
        except TimeoutError:
            pytest.fail(f"no relayed frame within {RECEIVE_TIMEOUT} s\n{worker.report()}")

    assert (frame["type"], frame["verb"], frame["unread"]) == ("notification", "account.welcome", 1)
    assert "live relay stopped" not in worker.log()
