"""Account background work."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone


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
        params={"site": _site_name()},
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


def _site_name():
    from wagtail.models import Site

    from doeplein.home.models import SiteSettings

    site = Site.objects.filter(is_default_site=True).first()
    return SiteSettings.for_site(site).site_name if site else "Doeplein"
