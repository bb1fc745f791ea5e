"""The JSON API at /api/v1/, with its OpenAPI document at /api/v1/openapi.json."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from doeplein.core.exceptions import ActionError
from doeplein.plugins import HOOK_API_ROUTERS, collect

from .auth import REQUIRED
from .core import router as core_router
from .spaces import router as spaces_router

api = NinjaAPI(
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
    return _error(request, 404, "Not found.")


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return _error(request, 403, str(exc) or "You may not do this.")


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return _error(request, 401, "Log in or send a valid bearer token.")


@api.exception_handler(ValidationError)
def invalid(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return _error(request, 422, "The input is not valid.", errors=errors)


@api.exception_handler(NinjaValidationError)
def invalid_schema(request, exc):
    return _error(request, 422, "The input is not valid.", errors=exc.errors)


@api.exception_handler(ActionError)
def refused(request, exc):
    """A request the action cannot do (already a member, last owner, archived …): its own 4xx and code."""
    return _error(request, exc.status, exc.message, code=exc.code)


@api.exception_handler(HttpError)
def http_error(request, exc):
    return _error(request, exc.status_code, str(exc))


api.add_router("/", core_router)
api.add_router("/", spaces_router)
for prefix, router in collect(HOOK_API_ROUTERS):
    api.add_router(prefix, router)
