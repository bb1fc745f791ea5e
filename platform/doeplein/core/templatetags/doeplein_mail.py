"""Template filters for e-mails."""

from django import template

from doeplein.core.mail import absolute

register = template.Library()


@register.filter
def absolute_url(url):
    """A path on the public site address (``SITE_URL``)."""
    return absolute(url)
