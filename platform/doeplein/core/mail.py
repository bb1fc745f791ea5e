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


def mail_context():
    """What every e-mail template needs: the site's name and public address (``SITE_URL``, never the
    host name a request came in on), its colours and contact address."""
    from wagtail.models import Site

    from doeplein.home.models import SiteSettings

    site = Site.objects.filter(is_default_site=True).first()
    site_settings = SiteSettings.for_site(site) if site else SiteSettings()
    return {
        "site_name": site_settings.site_name or settings.WAGTAIL_SITE_NAME,
        "site_url": settings.SITE_URL,
        "tagline": site_settings.tagline,
        "primary_colour": site_settings.primary_colour or "#154273",
        "contact_email": site_settings.contact_email,
    }


def absolute(url):
    """``url`` (a path, or an absolute URL on whatever host) on the public ``SITE_URL``."""
    from urllib.parse import urlsplit

    parts = urlsplit(str(url))
    path = (
        parts.path
        + (f"?{parts.query}" if parts.query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )
    return settings.SITE_URL + (path if path.startswith("/") else "/" + path)


def send_templated_mail(*, template, to, context, language=None):
    """Render ``email/<template>_subject.txt``, ``.txt`` and ``.html`` (branded, nl or en) and send."""
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        context = {**mail_context(), **context}
        subject = " ".join(render_to_string(f"email/{template}_subject.txt", context).split())
        text = render_to_string(f"email/{template}.txt", context)
        html = render_to_string(f"email/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, list(to))
    message.attach_alternative(html, "text/html")
    return message.send()
