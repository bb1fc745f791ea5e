"""SIGKILL a real Celery worker (``celery -A doeplein worker`` on Redis) in the middle of a real job: the
e-mail digest beat queues a person's digest, the digest task marks their notifications e-mailed and queues
the mail, and the worker is killed while it is delivering that mail (a slow mail server). The job is not
acknowledged (acks_late), Redis hands it to the next worker after the visibility timeout, and that one
delivers it: one e-mail, notifications e-mailed once, and the next beat sends nothing."""

import pytest
import redis
from django.conf import settings

from doeplein.notifications.actions import do_notify
from doeplein.notifications.models import Notification
from doeplein.notifications.tasks import due_user_ids, send_digests
from tests.faults.support import report
from tests.support.celery_worker import make_broker, run_worker, sending_to
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

# A message taken by a worker that dies becomes visible again after 3 s; workers look every second.
FAST_REDELIVERY = {
    "CELERY_VISIBILITY_TIMEOUT": "3",
    "CELERY_UNACKED_RESTORE_INTERVAL": "1",
    "EMAIL_DELIVERY_BACKEND": "tests.support.mail_backends.PausingFileBackend",
}


def test_a_worker_killed_while_delivering_the_digest_leaves_it_to_the_next_which_sends_it_once(
    needs_redis, make_user, tmp_path
):
    reader = make_user(first_name="Daan")
    reader.profile.language = "nl"
    reader.profile.save(update_fields=["language"])
    for name in ("Bas", "Eva", "Noor"):
        do_notify(
            recipient=reader, verb="space.join_requested", params={"name": name, "space": "Open koffie"}
        )

    broker = make_broker(tmp_path / "var", redis=True)
    broker.transport_options.update(visibility_timeout=3, unacked_restore_interval=1)
    marker = broker.var_dir / "delivering"
    queue = redis.Redis.from_url(broker.url)

    def mails(worker):
        worker.check_alive()
        return sorted(worker.mail_dir.glob("*.log"))

    with sending_to(broker):
        send_digests.delay()
        with run_worker(broker, env={**FAST_REDELIVERY, "DOEPLEIN_TEST_MAIL_PAUSE": "120"}) as first:
            wait_until(marker.exists, timeout=90, describe="the first worker to be delivering the digest",
                       on_timeout=first.report)  # fmt: skip
            killed_pid = first.process.pid
            first.process.kill()  # SIGKILL mid-job: no acknowledgement, no clean shutdown
            first.process.wait(timeout=10)
        assert list(first.mail_dir.glob("*.log")) == []  # killed before anything was delivered
        emailed = Notification.objects.filter(recipient=reader, emailed_at__isnull=False).count()
        assert emailed == 3  # the digest task itself finished and committed before the kill

        with run_worker(broker, env=FAST_REDELIVERY) as second:
            [mail] = wait_until(lambda: mails(second), timeout=90, describe="the re-run to deliver the digest",
                                on_timeout=second.report)  # fmt: skip

            def drained():  # nothing waiting, nothing taken and unacknowledged
                return queue.llen(broker.queue) == 0 and queue.hlen("unacked") == 0

            wait_until(drained, timeout=60, describe="the queue to drain", on_timeout=second.report)
            send_digests.delay()  # the next beat: nothing is due any more
            wait_until(drained, timeout=60, describe="the second beat to run", on_timeout=second.report)
            delivered = mails(second)
            log = second.log()
    text = mail.read_text(errors="replace")
    assert len(delivered) == 1, [p.read_text(errors="replace")[:300] for p in delivered]
    assert text.count("Subject: ") == 1 and "3 nieuwe meldingen" in text, text[:1000]
    assert all(name in text for name in ("Bas", "Eva", "Noor"))
    assert Notification.objects.filter(recipient=reader, emailed_at__isnull=True).count() == 0
    assert due_user_ids() == []
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    report(
        "Celery worker killed mid-delivery",
        killed_pid=killed_pid,
        task="doeplein.core.tasks.send_email_task (the digest's mail)",
        redelivered=int("send_email_task" in log),
        emails_delivered=len(delivered),
        notifications_emailed=emailed,
        lost=0 if len(delivered) == 1 else 1,
        duplicates=len(delivered) - 1,
    )
