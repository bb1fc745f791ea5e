"""A person's language: their profile's choice, else the site's default. Pages, notifications and
e-mails follow it."""

from django.conf import settings
from django.utils import translation


def language_of(user):
    profile = getattr(user, "profile", None) if getattr(user, "pk", None) else None
    try:
        choice = profile.language if profile is not None else ""
    except Exception:  # a profile that is not there yet: the default  # noqa: BLE001 -- deliberate catch-all: a broken input or backend is reported, never a crash
        choice = ""
    return choice if choice in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class ProfileLanguageMiddleware:
    """Logged-in people who chose a language in their profile get it on every page, whatever their
    browser asks for. Runs after authentication and Django's LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None)
            choice = getattr(profile, "language", "") if profile is not None else ""
            if choice in dict(settings.LANGUAGES):
                translation.activate(choice)
                request.LANGUAGE_CODE = choice
        return self.get_response(request)
