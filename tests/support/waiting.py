"""Bounded polling: wait for an effect, never sleep and hope."""

import time


def wait_until(predicate, *, timeout=60.0, interval=0.1, describe="the condition", on_timeout=None):
    """Call ``predicate`` until it returns something truthy (returned) or ``timeout`` seconds pass (fails).

    ``on_timeout`` returns extra text for the failure message, such as a worker's log.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            extra = on_timeout() if on_timeout else ""
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {describe}\n{extra}")
        time.sleep(interval)
