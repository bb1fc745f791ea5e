"""The JSON API at /api/v1/, with its OpenAPI document at /api/v1/openapi.json."""

import asyncio
import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from doeplein.core.exceptions import ActionError
from doeplein.plugins import HOOK_API_ROUTERS, collect

from .auth import REQUIRED
from .core import router as core_router
from .discussion import router as discussion_router
from .spaces import router as spaces_router


def _json_method_not_allowed(view):
    """django-ninja answers a wrong method with a plain-text 405; the API promises JSON errors."""

    def as_json(request, response):
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            detail = _("Method %(method)s is not allowed here.") % {"method": request.method}
            response = JsonResponse({"detail": detail}, status=405)
            response["Allow"] = allowed
        return response

    # functools.wraps keeps csrf_exempt: ninja checks CSRF itself, for session auth only.
    if asyncio.iscoroutinefunction(view):

        @functools.wraps(view)
        async def wrapped_async(request, *args, **kwargs):
            return as_json(request, await view(request, *args, **kwargs))

        return wrapped_async

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        return as_json(request, view(request, *args, **kwargs))

    return wrapped


class DoepleinAPI(NinjaAPI):
    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            pattern.callback = _json_method_not_allowed(pattern.callback)
        return patterns, app_name, namespace


api = DoepleinAPI(
    title="Doeplein API",
    version="1.0.0",
    description="Everything the pages do, as JSON, behind the same access gate. Authenticate with the "
    "browser session (plus the CSRF token for writes) or with `Authorization: Bearer <token>`; "
    "create tokens at /people/me/tokens/. Errors are JSON: `{\"detail\": message}`, "
    "with a machine-readable `code` when an action refuses (for example `last_owner`, `archived`).",
    auth=REQUIRED,
    urls_namespace="api",
)


def _error(request, status, detail, **extra):
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, _("Not found."))


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return _error(request, 403, str(exc) or _("You may not do this."))


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return _error(request, 401, _("Log in or send a valid bearer token."))


@api.exception_handler(ValidationError)
def invalid(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return _error(request, 422, _("The input is not valid."), errors=errors)


@api.exception_handler(NinjaValidationError)
def invalid_schema(request, exc):
    return _error(request, 422, _("The input is not valid."), errors=exc.errors)


@api.exception_handler(ActionError)
def refused(request, exc):
    """A request the action cannot do (already a member, last owner, archived …): its own 4xx and code."""
    extra = {"code": exc.code}
    until = getattr(exc, "until", None)
    if until is not None:
        extra["until"] = until.isoformat()  # when a mute, ban, slow mode or rate limit ends
    return _error(request, exc.status, exc.message, **extra)


@api.exception_handler(HttpError)
def http_error(request, exc):
    return _error(request, exc.status_code, str(exc))


api.add_router("/", core_router)
api.add_router("/", discussion_router)
api.add_router("/", spaces_router)
for prefix, router in collect(HOOK_API_ROUTERS):
    api.add_router(prefix, router)
