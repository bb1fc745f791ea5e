"""Core background tasks."""

from celery import shared_task


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_email_task(self, message):
    """Deliver one serialised e-mail. Retried with backoff when the mail server is away."""
    from doeplein.core.mail import deliver

    return deliver(message)
