"""What an operator expects at the edge: security headers, request body limits, API write rate limits,
and a health check that needs nothing but itself.

- ``SecurityHeadersMiddleware`` sets Content-Security-Policy (no ``unsafe-inline`` for scripts: every
  script of the site is a static file) and Permissions-Policy. Referrer-Policy comes from Django's
  SecurityMiddleware (``SECURE_REFERRER_POLICY``). The Wagtail admin renders inline scripts of its own,
  so under ``/admin/`` the policy allows them (``CSP_ADMIN``).
- ``HealthzMiddleware`` answers ``/healthz`` before sessions, authentication or CSRF run: a health
  check works with the session store down and never sets a cookie.
- ``RequestBodyLimitMiddleware`` refuses, with 413, a request whose Content-Length is above
  ``REQUEST_MAX_BODY_BYTES`` before anything reads it (Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only
  counts the non-file part of a form). A view that takes large uploads raises its own limit with
  ``@body_limit(bytes)``.
- ``api_write_limited(request)`` counts the API's writes per caller (user, bearer token or session)
  and per IP address in the cache (django-ratelimit); see ``API_WRITE_RATE_*``.
"""

import hashlib
import logging

from django.conf import settings
from django.utils.translation import gettext as _

from doeplein.core.errors import error_response

logger = logging.getLogger(__name__)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def content_security_policy(request):
    if request.path.startswith("/admin/"):
        return settings.CSP_ADMIN
    return settings.CSP


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = content_security_policy(request)
        if policy:
            response.headers.setdefault("Content-Security-Policy", policy)
        # Also here for what answers before Django's SecurityMiddleware runs (/healthz).
        if settings.SECURE_REFERRER_POLICY:
            response.headers.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
        if settings.SECURE_CONTENT_TYPE_NOSNIFF:
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class HealthzMiddleware:
    """``/healthz`` answered here, ahead of the session, authentication, locale and CSRF middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            from doeplein.core.views import healthz

            return healthz(request)
        return self.get_response(request)


def body_limit(max_bytes):
    """Let one view accept bodies up to ``max_bytes`` (an upload plugin's route, say)."""

    def decorate(view):
        view.max_body_bytes = max_bytes
        return view

    return decorate


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        limit = getattr(view_func, "max_body_bytes", None) or settings.REQUEST_MAX_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(request, 400, _("The Content-Length header is not a number."))
        if limit and length > limit:
            return error_response(
                request,
                413,
                _("The request is too large: at most %(mb).1f MB.") % {"mb": limit / (1024 * 1024)},
            )
        return None


# --- API write rate limits ---------------------------------------------------------------------------
def _caller_key(group, request):
    """Who is writing: the bearer token, else the logged-in user, else the IP address."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.lower().startswith("bearer "):
        return "token:" + hashlib.sha256(header.encode()).hexdigest()[:32]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "ip:" + _client_ip(request)


def _ip_key(group, request):
    return _client_ip(request)


def _client_ip(request):
    return request.META.get("REMOTE_ADDR") or "unknown"


def api_write_limited(request):
    """True when this API write is over the caller's or the IP address's rate. Fails open: with the cache
    down (Redis stopped) writes go on rather than all being refused."""
    if request.method not in UNSAFE_METHODS or not settings.RATELIMIT_ENABLE:
        return False
    from django.db import DatabaseError
    from django_ratelimit.core import is_ratelimited

    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - redis comes with celery[redis]
        RedisError = OSError  # noqa: N806
    try:
        return any(
            is_ratelimited(request, group=f"api-write-{name}", key=key, rate=rate, increment=True)
            for name, key, rate in (
                ("caller", _caller_key, settings.API_WRITE_RATE_PER_CALLER),
                ("ip", _ip_key, settings.API_WRITE_RATE_PER_IP),
            )
            if rate
        )
    except (OSError, RedisError, DatabaseError) as exc:
        logger.warning("API rate limit not checked (cache unavailable): %s", exc)
        return False
