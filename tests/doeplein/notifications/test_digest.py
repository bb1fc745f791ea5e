"""The e-mail digest of unread notifications: due daily or weekly as each person chose, sent by the
real Celery worker (beat queues ``send_digests``), in the reader's language, once."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from doeplein.notifications.actions import do_notify
from doeplein.notifications.models import Notification
from doeplein.notifications.tasks import due_user_ids, send_digests
from tests.support.celery_worker import make_broker, run_worker, sending_to
from tests.support.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_who_is_due(make_user):
    daily, weekly, never, read_all = make_user(), make_user(), make_user(), make_user()
    for person, digest in ((daily, "daily"), (weekly, "weekly"), (never, "never"), (read_all, "daily")):
        person.profile.digest = digest
        person.profile.save(update_fields=["digest"])
        do_notify(recipient=person, verb="space.removed", params={"space": "Dijkwachters"})
    Notification.objects.filter(recipient=read_all).update(read_at=timezone.now())
    weekly.profile.digest_sent_at = timezone.now() - timedelta(days=2)
    weekly.profile.save(update_fields=["digest_sent_at"])
    assert set(due_user_ids()) == {daily.pk}
    later = timezone.now() + timedelta(days=6)
    assert weekly.pk in due_user_ids(now=later)


@pytest.mark.worker
def test_the_worker_sends_a_dutch_digest_once(make_user, tmp_path):
    reader = make_user(first_name="Daan")
    reader.profile.language = "nl"
    reader.profile.save(update_fields=["language"])
    do_notify(
        recipient=reader,
        verb="space.join_requested",
        params={"name": "Bas", "space": "Open koffie"},
        url="/spaces/1/requests/",
    )

    broker = make_broker(tmp_path / "var", redis=bool(settings.REDIS_URL))
    with sending_to(broker), run_worker(broker) as worker:
        send_digests.delay()

        def delivered():
            worker.check_alive()
            return [p.read_text(errors="replace") for p in worker.mail_dir.glob("*.log")]

        [mail] = wait_until(delivered, timeout=90, describe="the digest e-mail", on_timeout=worker.report)
    assert "Subject: 1 nieuwe melding op Doeplein" in mail
    assert "Bas vraagt om lid te worden van Open koffie." in mail
    assert f"{settings.SITE_URL}/spaces/1/requests/" in mail
    assert Notification.objects.get(recipient=reader).emailed_at is not None
    assert due_user_ids() == []  # e-mailed once: the next beat finds nothing to send
