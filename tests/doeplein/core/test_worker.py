"""A real Celery worker process runs the core's tasks against the test database.

Eager mode proves nothing about the worker path (DESIGN.md, principle 5): here the test process queues
tasks on a real broker (Redis when REDIS_URL is set, else the file-system broker) and a separate
``celery -A doeplein worker`` process picks them up.
"""

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from tests.support.celery_worker import make_broker, run_worker, sending_to
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory):
    """One worker for this module's tests (starting one takes seconds); each test uses its own subjects."""
    broker = make_broker(tmp_path_factory.mktemp("worker") / "var", redis=bool(settings.REDIS_URL))
    with sending_to(broker), run_worker(broker) as running:
        yield running


def delivered_mail(worker):
    return [path.read_text(errors="replace") for path in sorted(worker.mail_dir.glob("*.log"))]


def wait_for_mail(worker, subject):
    def found():
        worker.check_alive()
        return [text for text in delivered_mail(worker) if f"Subject: {subject}" in text]

    return wait_until(
        found, timeout=60, describe=f"a mail with subject {subject!r}", on_timeout=worker.report
    )


@override_settings(EMAIL_BACKEND="doeplein.core.mail.QueuedEmailBackend")
def test_queued_mail_is_delivered_by_the_worker_not_by_the_page(worker):
    sent = mail.send_mail(
        "Worker delivery check", "Delivered by the worker.", "noreply@example.org", ["someone@example.org"]
    )

    assert sent == 1
    assert mail.outbox == []  # the page process handed it to the queue, it did not deliver it
    [text] = wait_for_mail(worker, "Worker delivery check")
    assert "To: someone@example.org" in text
    assert "Delivered by the worker." in text


@override_settings(EMAIL_BACKEND="doeplein.core.mail.QueuedEmailBackend")
def test_queued_mail_keeps_its_html_alternative(worker):
    message = mail.EmailMultiAlternatives(
        "Html check", "Plain text.", "noreply@example.org", ["a@example.org"]
    )
    message.attach_alternative("<p>Rich <strong>text</strong>.</p>", "text/html")
    message.send()

    [text] = wait_for_mail(worker, "Html check")
    assert "Content-Type: text/html" in text
    assert "<strong>text</strong>" in text


@override_settings(EMAIL_BACKEND="doeplein.core.mail.QueuedEmailBackend")
def test_welcome_task_queued_twice_creates_one_notification(worker, make_user):
    from doeplein.accounts.tasks import welcome_task
    from doeplein.notifications.models import Notification

    user = make_user()
    welcome_task.delay(user.pk)
    welcome_task.delay(user.pk)
    # The solo worker runs tasks one after another in queue order: once this mail is out, both
    # welcome tasks have run.
    mail.send_mail("Barrier", "after the welcomes", "noreply@example.org", ["x@example.org"])
    wait_for_mail(worker, "Barrier")

    welcomes = Notification.objects.filter(recipient=user, verb="account.welcome")
    assert welcomes.count() == 1
    assert welcomes.get().url == "/people/me/edit/"
    assert worker.log().count("welcome_task[") >= 2  # both copies reached the worker


def test_welcome_task_for_unknown_user_does_nothing_and_the_worker_goes_on(worker, make_user):
    from doeplein.accounts.tasks import welcome_task
    from doeplein.notifications.models import Notification

    user = make_user()
    welcome_task.delay(user.pk + 10_000)
    welcome_task.delay(user.pk)

    wait_until(
        lambda: worker.check_alive() or Notification.objects.filter(recipient=user).exists(),
        timeout=60,
        describe="the welcome notification",
        on_timeout=worker.report,
    )
    assert Notification.objects.count() == 1
