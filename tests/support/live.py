"""Count live events exactly, in the spirit of zulip's ``capture_send_event_calls``.

``with capture_live_events() as events:`` runs the block, executes the on-commit callbacks the block
registered (as a real commit would: ``send_event_on_commit`` and ``access_changed_on_commit`` publish
after commit) and records every ``doeplein.live.publish(group, event)`` call as ``(group, event)``, in
order. Nothing reaches the channel layer unless ``deliver=True``.
"""

from contextlib import contextmanager

from django.db import connections
from django.test import TestCase

import doeplein.live


@contextmanager
def capture_live_events(*, deliver=False, using="default"):
    events = []
    original = doeplein.live.publish

    def recorder(group, event):
        events.append((group, event))
        if deliver:
            original(group, event)

    doeplein.live.publish = recorder
    try:
        if connections[using].in_atomic_block:
            # Inside a test's transaction: run the callbacks as the commit would.
            with TestCase.captureOnCommitCallbacks(using=using, execute=True):
                yield events
        else:
            yield events
    finally:
        doeplein.live.publish = original


def access_events(events):
    """Only the ``access_changed`` events: ``[(group, reason), …]``."""
    return [(group, event.get("reason")) for group, event in events if event.get("kind") == "access_changed"]
