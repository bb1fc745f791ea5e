"""The JSON API at /api/v1/, with its OpenAPI document at /api/v1/openapi.json."""

import asyncio
import functools
import json
import logging

from asgiref.sync import sync_to_async
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import Http404, JsonResponse, RawPostDataException, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema

from doeplein.core.errors import service_errors
from doeplein.core.exceptions import ActionError
from doeplein.core.security import api_write_limited
from doeplein.plugins import HOOK_API_ROUTERS, collect
from doeplein.search.api import router as search_router
from doeplein.spaces.api import router as spaces_router

from .auth import REQUIRED, Anonymous
from .core import router as core_router
from .discussion import router as discussion_router

logger = logging.getLogger(__name__)


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _nul_refused(request):
    """Text with a NUL character (\\u0000 in JSON, %00 in a query) cannot be stored (PostgreSQL refuses
    it) and is never meant: the API refuses it at the edge, before any endpoint, with a clear 400."""
    found = any(_has_nul(key) or _has_nul(values) for key, values in request.GET.lists())
    if not found and request.content_type == "application/json":
        try:
            body = request.body
        except RequestDataTooBig:
            return None  # the endpoint answers 413
        if b"\\u0000" in body:
            try:
                found = _has_nul(json.loads(body))
            except ValueError:
                return None  # not JSON: ninja answers 400 "Cannot parse request body"
    if not found:
        return None
    return JsonResponse({"detail": _("Text may not contain NUL characters (\\u0000).")}, status=400)


def _too_many(request):
    return JsonResponse(
        {"detail": _("Too many changes in a short time: wait a minute and try again.")}, status=429
    )


def _json_method_not_allowed(view):
    """django-ninja answers a wrong method with a plain-text 405; the API promises JSON errors. Writes over
    the rate limit (doeplein.core.security.api_write_limited) answer 429 before the endpoint runs."""

    def as_json(request, response):
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            detail = _("Method %(method)s is not allowed here.") % {"method": request.method}
            response = JsonResponse({"detail": detail}, status=405)
            response["Allow"] = allowed
        return response

    # functools.wraps keeps csrf_exempt: ninja checks CSRF itself, for session auth only.
    if asyncio.iscoroutinefunction(view):

        @functools.wraps(view)
        async def wrapped_async(request, *args, **kwargs):
            refused = await sync_to_async(_nul_refused)(request)
            if refused is not None:
                return refused
            if await sync_to_async(api_write_limited)(request):
                return _too_many(request)
            return as_json(request, await view(request, *args, **kwargs))

        return wrapped_async

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        refused = _nul_refused(request)
        if refused is not None:
            return refused
        if api_write_limited(request):
            return _too_many(request)
        return as_json(request, view(request, *args, **kwargs))

    return wrapped


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in the caller's language."},
        "code": {
            "type": "string",
            "description": "Why an action refused (for example `last_owner`, `archived`).",
        },
        "errors": {
            "anyOf": [{"type": "object"}, {"type": "array"}],
            "description": "Per field, when the input is not valid.",
        },
        "until": {
            "type": "string",
            "format": "date-time",
            "description": "When a mute, ban or rate limit ends.",
        },
    },
    "required": ["detail"],
}
# Every operation may answer these; the handlers below give them all the Error shape.
ERROR_STATUSES = {
    400: "The request cannot be read (for example a body that is not JSON).",
    413: "The request body is larger than the platform accepts (DATA_UPLOAD_MAX_MEMORY_SIZE).",
    401: "Log in or send a valid bearer token.",
    403: "Not allowed (or the CSRF token is missing for a session write).",
    404: "Not found, or not visible to the caller.",
    409: "The action refuses in the current state (already a member, archived …).",
    422: "The input is not valid.",
    429: "Too many requests; see `until`.",
}


class DoepleinOpenAPISchema(OpenAPISchema):
    """ninja's document, plus what it leaves out: the error answers and endpoints open to anonymous callers."""

    def responses(self, operation):
        result = super().responses(operation)
        self.schemas.setdefault("Error", ERROR_SCHEMA)
        anonymous = any(isinstance(auth, Anonymous) for auth in operation.auth_callbacks or ())
        for status, description in ERROR_STATUSES.items():
            if status == 401 and anonymous:
                continue
            if status not in result:
                result[status] = {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
        return result

    def operation_security(self, operation):
        security = super().operation_security(operation)
        if security and any(isinstance(auth, Anonymous) for auth in operation.auth_callbacks):
            security.append({})  # OpenAPI's way to say "or no credentials at all"
        return security


class DoepleinAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return DoepleinOpenAPISchema(self, path_prefix)

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
    'create tokens at /people/me/tokens/. Errors are JSON: `{"detail": message}`, '
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
    if (
        exc.status_code == 400 and str(exc) == "Cannot parse request body"
    ):  # ninja's body parser, untranslated
        return unreadable(request, exc)
    return _error(request, exc.status_code, str(exc))


def _service_unavailable(request, exc):
    """The database or Redis is unreachable for a moment: 503 with a clear message, never a 500."""
    logger.warning("service unavailable on %s: %r", request.path, exc)
    response = _error(
        request, 503, _("Part of the site is briefly unavailable. Please try again in a moment.")
    )
    response["Retry-After"] = "10"
    return response


for _exc in service_errors():
    api.add_exception_handler(_exc, _service_unavailable)


@api.exception_handler(MultiPartParserError)
@api.exception_handler(UnreadablePostError)
@api.exception_handler(RawPostDataException)
def unreadable(request, exc):
    """A body nobody can read (multipart without a boundary, broken JSON, a dropped upload): 400, in any
    mode. The session authentication reads the form for the CSRF token before any endpoint runs; a broken
    multipart body fails there and leaves the stream consumed, so the body parser then raised
    RawPostDataException (a 500)."""
    return _error(request, 400, _("The request body cannot be read: check its Content-Type and its format."))


@api.exception_handler(RequestDataTooBig)
def too_big(request, exc):
    return _error(request, 413, _("The request body is too large."))


@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def too_many_fields(request, exc):
    return _error(request, 400, _("The request has too many fields or files."))


@api.exception_handler(SuspiciousOperation)
def suspicious(request, exc):
    return _error(request, 400, _("The request could not be understood."))


api.add_router("/", core_router)
api.add_router("/", discussion_router)
api.add_router("/", spaces_router)
api.add_router("/", search_router)
for prefix, router in collect(HOOK_API_ROUTERS):
    api.add_router(prefix, router)
