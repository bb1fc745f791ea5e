"""Error pages: JSON under /api/, the site's layout elsewhere."""

import logging
import sys

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)


def error_response(request, status, message):
    """An error answer: JSON ``{"detail": message}`` under /api/, the site's error page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    try:
        return render(request, "error.html", {"status": status, "message": message}, status=status)
    except Exception:  # noqa: BLE001 -- an error page must never fail itself
        from django.http import HttpResponse

        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def service_errors():
    """Exceptions that mean a service the site needs (database, Redis) is unreachable for a moment."""
    from django.db import InterfaceError, OperationalError

    errors = [OperationalError, InterfaceError]
    try:
        import redis.exceptions

        errors += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    except ImportError:  # pragma: no cover -- redis is a dependency; SQLite-only runs may still lack it
        pass
    return tuple(errors)


def service_unavailable(request, exception=None):
    response = error_response(
        request, 503, _("Part of the site is briefly unavailable. Please try again in a moment.")
    )
    response["Retry-After"] = "10"
    return response


class ServiceUnavailableMiddleware:
    """A view that fails because the database or Redis is unreachable answers 503 with a clear message
    (and the error is logged), not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.errors = service_errors()

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, self.errors):
            logger.warning("service unavailable on %s: %r", request.path, exception)
            return service_unavailable(request, exception)
        return None


def bad_request(request, exception=None):
    return error_response(request, 400, _("The request could not be understood."))


def permission_denied(request, exception=None):
    return error_response(request, 403, _("You do not have access to this page."))


def page_not_found(request, exception=None):
    return error_response(request, 404, _("This page does not exist, or you do not have access to it."))


def server_error(request):
    """Django's last resort for an exception nothing else answered. One that means the database or Redis
    is unreachable (raised in a middleware, say, before any view ran) is a 503 with a clear message."""
    if isinstance(sys.exc_info()[1], service_errors()):
        return service_unavailable(request)
    return error_response(request, 500, _("Something went wrong on our side. Please try again later."))


@csrf_exempt  # answers 404 to any method; nothing is changed
def api_not_found(request, *args, **kwargs):
    """Any path under /api/ that no endpoint serves: a JSON 404 at once, not Wagtail's slash redirect."""
    return page_not_found(request)
