"""Template context the base layout needs on every page."""

from django.utils.functional import SimpleLazyObject

from doeplein.plugins import navigation


def site_settings(request):
    """The site's name, logo and colours: of the site this request is for, else the default site,
    else the defaults. A platform whose sites are still being set up keeps serving pages."""
    from wagtail.models import Site

    from doeplein.home.models import SiteSettings

    site = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
    if site is None:
        return SiteSettings()
    return SiteSettings.for_site(site)


def platform(request):
    user = getattr(request, "user", None)
    logged_in = bool(user and user.is_authenticated)
    items = [item for item in navigation() if logged_in or not item.requires_login]
    return {
        "nav_items": [(item.label, item.url()) for item in items],
        # Counted when the page is rendered, so the badge is right before the live socket connects.
        "unread_notifications": SimpleLazyObject(lambda: _unread(user)) if logged_in else 0,
        "site_settings": SimpleLazyObject(lambda: site_settings(request)),
    }


def _unread(user):
    from doeplein.notifications.selectors import unread_count

    return unread_count(user=user)
