"""Notifying people: stored first, then pushed live after commit; e-mailed as a digest."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from doeplein.live import send_event_on_commit, user_group

from .models import Notification

logger = logging.getLogger(__name__)


def _plain(params):
    """Params as JSON: lazy strings and model objects become text."""
    return {
        str(key): (value if isinstance(value, (int, float, bool)) or value is None else str(value))
        for key, value in (params or {}).items()
    }


@transaction.atomic
def do_notify(*, recipient, verb, params=None, url="", actor=None, message=None):
    """Tell ``recipient`` that ``verb`` happened. The text is rendered when read, in the reader's
    language, from the verb's message (``doeplein.notifications.verbs``) and ``params``.

    ``message=`` (a finished text) still works for callers not yet converted; it is shown as written.
    """
    if not recipient.is_active or getattr(recipient, "is_deleted", False):
        return None
    notification = Notification.objects.create(
        recipient=recipient,
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        params=_plain(params),
        message=str(message)[:500] if message else "",
        url=url,
    )
    from doeplein.accounts.language import language_of

    # The live toast is rendered in the recipient's language too (their profile's choice).
    with translation.override(language_of(recipient)):
        text = notification.text
    send_event_on_commit(
        user_group(recipient.pk),
        {
            "type": "notification",
            "id": notification.pk,
            "verb": verb,
            "message": text,
            "url": url,
            "unread": Notification.objects.filter(recipient=recipient, read_at__isnull=True).count(),
        },
    )
    return notification


def do_mark_all_read(*, user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def do_send_digest(*, user, now=None):
    """E-mail ``user`` their unread notifications not yet e-mailed, in their language; mark them
    e-mailed. Idempotent: a second run finds nothing new and sends nothing. Returns how many."""
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string

    from doeplein.accounts.language import language_of
    from doeplein.core.mail import mail_context

    now = now or timezone.now()
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update()
            .filter(recipient=user, read_at__isnull=True, emailed_at__isnull=True)
            .order_by("-created_at")[:50]
        )
        if not pending or not user.is_active or getattr(user, "is_deleted", False) or not user.email:
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
        with translation.override(language_of(user)):
            context = {**mail_context(), "user": user, "notifications": pending, "count": len(pending)}
            subject = render_to_string("email/digest_subject.txt", context).strip()
            text = render_to_string("email/digest.txt", context)
            html = render_to_string("email/digest.html", context)
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
        message.attach_alternative(html, "text/html")
        transaction.on_commit(message.send)
    return len(pending)
