"""Live events: sent to channel-layer groups only after the transaction commits.

Actions call :func:`send_event_on_commit`. In a web process the event goes straight to the channel
layer. In a worker with Redis it does too (channels-redis is shared). In a worker *without* Redis (the
one-machine demo) the in-memory layer lives in the web process alone, so the worker puts the event on
the broker's ``doeplein.live`` queue and :func:`relay_from_broker`, running in the web process, hands
it to the layer.
"""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from doeplein import livehub

logger = logging.getLogger(__name__)

LIVE_QUEUE = "doeplein.live"
IN_WEB_PROCESS = False  # set by doeplein.asgi
IN_WORKER = False  # set by doeplein.celery when a Celery worker starts


def user_group(user_id):
    return f"user.{user_id}"


def access_group(user_id):
    """Connections of one person that must re-check their access when it changes."""
    return f"access.{user_id}"


def access_space_group(space_id):
    """Every open connection inside a space (anonymous ones included) or inside one of its descendants.

    A consumer joins this group for its room's space and for every ancestor of that space, so a
    change to a space reaches the rooms of its children too.
    """
    return f"access.space.{space_id}"


def access_changed_on_commit(*, space_ids=(), user_ids=(), groups=(), reason=""):
    """The one call every access-narrowing action makes (visibility, policy, parent, archive, role,
    membership end, sanction, grant): after commit, every open connection these spaces or people
    concern re-reads its verdict from the gate before delivering anything more.

    ``groups``: further channel-layer groups of one object whose own audience changed (a blog post's
    socket group when the live post's visibility changes). The list of the actions that call this, and
    what each sends, is in docs/live-discussion.md ("When access narrows")."""
    event = {"kind": "access_changed", "reason": reason}
    for space_id in dict.fromkeys(space_ids):
        send_event_on_commit(access_space_group(space_id), {**event, "space": space_id})
    for user_id in dict.fromkeys(user_ids):
        send_event_on_commit(access_group(user_id), {**event, "user": user_id})
    for group in dict.fromkeys(groups):
        send_event_on_commit(group, dict(event))


def send_event_on_commit(group, event):
    """Send ``event`` (a JSON-able dict with a ``type``) to ``group`` once the transaction commits."""
    # robust: the write is committed; if Redis is down the event is logged as lost and clients catch up
    # on reconnect (by seq), instead of the request failing after its data was stored.
    transaction.on_commit(lambda: publish(group, event), robust=True)


def publish(group, event):
    """Rooms and access groups go through the process hubs (:mod:`doeplein.livehub`: one delivery per
    process); access groups and every other group through the channel layer too (blog post and
    notification sockets listen there)."""
    if settings.LIVE_RELAY_VIA_BROKER and IN_WORKER and not IN_WEB_PROCESS:
        _publish_to_broker(group, event)
        return
    if livehub.carried(group):
        livehub.publish(group, event)
        if not group.startswith("access."):
            return
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(group, {"type": "live.event", "event": event})


def _broker_connection():
    from kombu import Connection

    return Connection(settings.CELERY_BROKER_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS)


def _publish_to_broker(group, event):
    with _broker_connection() as connection:
        queue = connection.SimpleQueue(LIVE_QUEUE)
        queue.put({"group": group, "event": event}, serializer="json")
        queue.close()


async def relay_from_broker(stop):
    """Forward worker events from the broker to the in-memory channel layer until ``stop`` is set."""
    loop = asyncio.get_running_loop()
    layer = get_channel_layer()
    connection = _broker_connection()
    queue = connection.SimpleQueue(LIVE_QUEUE)

    def next_message():
        try:
            message = queue.get(block=True, timeout=0.5)
        except queue.Empty:
            return None
        message.ack()
        return message.payload

    try:
        while not stop.is_set():
            payload = await loop.run_in_executor(None, next_message)
            if payload:
                group, event = payload["group"], payload["event"]
                if livehub.carried(group):
                    await livehub.apublish(group, event)
                    if not group.startswith("access."):
                        continue
                await layer.group_send(group, {"type": "live.event", "event": event})
    except Exception:  # the relay must never take the web process down
        logger.exception("live relay stopped")
    finally:
        queue.close()
        connection.release()
