"""API authentication: Wagtail's bearer tokens (``Authorization: Bearer wagtail_…``) or the session."""

from ninja.security import SessionAuth
from wagtail.api.v3.auth import BearerTokenAuth


class ActiveSessionAuth(SessionAuth):
    """The session, with Django's CSRF check for unsafe methods."""

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


class Anonymous:
    """Lets endpoints that anonymous visitors may use run without credentials."""

    def __call__(self, request):
        return getattr(request, "user", None) or True


token_auth = BearerTokenAuth()
session_auth = ActiveSessionAuth(csrf=True)
REQUIRED = [token_auth, session_auth]
OPTIONAL = [token_auth, session_auth, Anonymous()]
