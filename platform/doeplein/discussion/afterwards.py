"""Per-person state that changes with every message, written in batches off the send path.

A message sent over the websocket is stored (and broadcast) at once. What changes for the person with every
message they send (their read marker, their activity record and the space's "last activity" time) and the
message's ``post_save`` signal (search indexing, which is debounced anyway) are queued here and written by
one thread of the process every :data:`INTERVAL` seconds, in a few statements for all messages of that
time. A process that dies loses at most that much of these derived records, never a message. Sends through
the pages and the API write them at once (:func:`doeplein.discussion.actions.do_send_message`).
"""

import atexit
import logging
import threading

from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connection
from django.db.models.signals import post_save

logger = logging.getLogger(__name__)

INTERVAL = 0.25  # seconds between batches
MOST = 100_000  # queued items kept while the database is unreachable; older ones are dropped


class WriteBehind:
    def __init__(self):
        self.lock = threading.Lock()
        self.markers = {}  # (room_id, user_id) -> seq
        self.activities = []
        self.messages = []
        self.thread = None
        self.wake = threading.Event()
        self.batches = 0
        self.autostart = True  # False: nothing is written until flush() is called (the test suite)

    def add(self, *, message, activity):
        with self.lock:
            key = (message.room_id, message.author_id)
            self.markers[key] = max(self.markers.get(key, 0), message.seq)
            if activity is not None:
                self.activities.append(activity)
            self.messages.append(message)
            if len(self.messages) > MOST:
                del self.messages[: len(self.messages) - MOST]
                del self.activities[: max(0, len(self.activities) - MOST)]
            if self.autostart and (self.thread is None or not self.thread.is_alive()):
                self.thread = threading.Thread(target=self._run, name="discussion-write-behind", daemon=True)
                self.thread.start()

    def discard(self):
        """Forget everything queued (tests, between one test's data and the next)."""
        with self.lock:
            self.markers, self.activities, self.messages = {}, [], []

    def pending(self):
        with self.lock:
            return len(self.messages)

    def flush(self):
        """Write everything queued so far (called by the thread, at exit, and by tests)."""
        from doeplein.activity.actions import record_many

        with self.lock:
            markers, self.markers = self.markers, {}
            activities, self.activities = self.activities, []
            messages, self.messages = self.messages, []
        if not (markers or activities or messages):
            return 0
        try:
            write_markers(markers)
            record_many(activities)
        except (OperationalError, InterfaceError):
            # The database is away (a restart): keep the batch for the next round.
            logger.warning("write-behind batch of %d messages waits for the database", len(messages))
            with self.lock:
                for key, seq in markers.items():
                    self.markers[key] = max(self.markers.get(key, 0), seq)
                self.activities[:0] = activities
                self.messages[:0] = messages
            raise
        except DatabaseError:
            # The room or the person is gone meanwhile (deleted): these records have nothing to belong to.
            logger.warning("write-behind batch of %d messages dropped", len(messages), exc_info=True)
            return 0
        for message in messages:
            try:
                post_save.send(
                    sender=type(message), instance=message, created=True, update_fields=None, raw=False,
                    using="default",
                )  # fmt: skip
            except Exception:  # search indexing of one message; the nightly rebuild catches up
                logger.exception("post_save of message %s failed", message.pk)
        self.batches += 1
        return len(messages)

    def _run(self):
        while True:
            self.wake.wait(INTERVAL)
            self.wake.clear()
            try:
                self.flush()
            except Exception:  # noqa: BLE001 -- a batch that failed is retried; the connection is replaced
                close_old_connections()  # a broken connection is replaced before the next batch


def write_markers(markers):
    """Move read markers forward (never back), one statement for all."""
    from .models import ReadMarker

    if not markers:
        return
    table = connection.ops.quote_name(ReadMarker._meta.db_table)
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    rows = ", ".join(["(%s, %s, %s)"] * len(markers))
    params = [value for (room_id, user_id), seq in markers.items() for value in (room_id, user_id, seq)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (room_id, user_id, last_read_seq) VALUES {rows} "
            f"ON CONFLICT (room_id, user_id) DO UPDATE SET last_read_seq = "
            f"{greatest}({table}.last_read_seq, excluded.last_read_seq)",
            params,
        )


queue = WriteBehind()


@atexit.register
def _flush_at_exit():
    try:
        queue.flush()
    except Exception:  # noqa: BLE001 -- at exit the database may be gone already
        pass
