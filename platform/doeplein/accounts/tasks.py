"""Account background work."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def welcome_task(user_id):
    """Greet a newly confirmed member with a live notification. Idempotent: one welcome per person."""
    from doeplein.notifications.actions import do_notify
    from doeplein.notifications.models import Notification

    from .models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or Notification.objects.filter(recipient=user, verb="account.welcome").exists():
        return False
    do_notify(
        recipient=user,
        verb="account.welcome",
        message=_("Welcome to Doeplein! Tell others what you work on: complete your profile."),
        url="/people/me/edit/",
    )
    return True


@shared_task
def purge_unconfirmed_accounts(days=14):
    """Remove sign-ups that never confirmed their e-mail address (they hold no content)."""
    from .models import User

    cutoff = timezone.now() - timedelta(days=days)
    stale = User.objects.filter(date_joined__lt=cutoff, last_login__isnull=True, emailaddress__verified=False)
    return stale.distinct().delete()[0]
