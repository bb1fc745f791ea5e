"""E-mail goes out from the background worker, so a slow mail server never slows a page."""

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMultiAlternatives


def serialise(message):
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "alternatives": [list(a) for a in getattr(message, "alternatives", [])],
    }


def deserialise(data):
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
    )
    for content, mimetype in data.get("alternatives", []):
        message.attach_alternative(content, mimetype)
    return message


class QueuedEmailBackend(BaseEmailBackend):
    """Queues each message as a Celery task after commit; ``EMAIL_DELIVERY_BACKEND`` delivers it."""

    def send_messages(self, email_messages):
        from doeplein.core.tasks import send_email_task

        for message in email_messages:
            send_email_task.delay_on_commit(serialise(message))
        return len(email_messages)


def deliver(data):
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND)
    return connection.send_messages([deserialise(data)])
