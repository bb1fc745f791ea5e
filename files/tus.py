"""Resumable uploads: the core of the tus 1.0 protocol (https://tus.io/protocols/resumable-upload),
with the ``creation`` and ``termination`` extensions.

* ``POST /files/tus/`` with ``Upload-Length`` and ``Upload-Metadata`` (base64 values: ``filename``,
  ``space``, optional ``folder``, ``file`` for a new version, ``note``) checks the upload like any other
  (access, name, size, quota) and answers ``201`` with the upload's ``Location``;
* ``HEAD <location>`` tells the offset the server holds (kept in the database, so any web process answers);
* ``PATCH <location>`` with ``Upload-Offset`` and ``Content-Type: application/offset+octet-stream`` appends
  the body, read in chunks into a private temporary file (memory stays flat); a wrong offset is ``409``;
  the last byte turns the upload into a file version through :func:`files.actions.do_upload`;
* ``DELETE <location>`` abandons it.

Authentication is the session (with the CSRF token in ``X-CSRFToken``) or an API bearer token.
"""

import base64
import binascii
import os
from datetime import timedelta

from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from doeplein.access import get_object_or_404
from doeplein.core.exceptions import ActionError
from doeplein.spaces.models import Space

from . import actions, conf
from .models import File, Folder, Upload
from .storage import CHUNK, LocalFile, upload_tmp_dir

VERSION = "1.0.0"


def _tus(response):
    response["Tus-Resumable"] = VERSION
    response["Cache-Control"] = "no-store"
    return response


def _error(status, detail, code="invalid"):
    return _tus(JsonResponse({"detail": str(detail), "code": code}, status=status))


def _user(request):
    """The session user (CSRF checked for writes) or a bearer token's user."""
    if request.headers.get("Authorization", "").startswith("Bearer "):
        from doeplein.api.auth import token_auth

        # A valid token sets request.user to its owner (and returns the token itself).
        return request.user if token_auth(request) and request.user.is_authenticated else None
    if not request.user.is_authenticated:
        return None
    from django.middleware.csrf import CsrfViewMiddleware

    if request.method not in ("GET", "HEAD", "OPTIONS"):
        reason = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if reason is not None:
            return None
    return request.user


def _metadata(header):
    values = {}
    for pair in (header or "").split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _sep, encoded = pair.partition(" ")
        try:
            values[key] = base64.b64decode(encoded, validate=True).decode("utf-8") if encoded else ""
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ActionError(
                _("Upload-Metadata is not valid base64 UTF-8."), code="bad_metadata", status=400
            ) from None
    return values


def _int(value, name):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ActionError(
            _("%(header)s must be a whole number.") % {"header": name}, code="bad_header", status=400
        ) from None
    if number < 0 or number > 2**62:
        raise ActionError(_("%(header)s is out of range.") % {"header": name}, code="bad_header", status=400)
    return number


def _path(upload_id):
    return upload_tmp_dir() / f"{upload_id}.part"


@csrf_exempt
def collection(request):
    if request.method == "OPTIONS":
        response = _tus(HttpResponse(status=204))
        response["Tus-Version"] = VERSION
        response["Tus-Extension"] = "creation,termination"
        response["Tus-Max-Size"] = str(conf.get("FILES_MAX_UPLOAD_BYTES"))
        return response
    if request.method != "POST":
        return _error(405, _("Method %(method)s is not allowed here.") % {"method": request.method})
    user = _user(request)
    if user is None:
        return _error(401, _("Log in or send a valid bearer token."), "unauthenticated")
    try:
        length = _int(request.headers.get("Upload-Length"), "Upload-Length")
        meta = _metadata(request.headers.get("Upload-Metadata"))
        space_id = _int(meta.get("space"), "space") if meta.get("space") else None
        file = folder = None
        if meta.get("file"):
            file = get_object_or_404(
                user, File.objects.select_related("space"), "contribute", pk=_int(meta["file"], "file")
            )
            space = file.space
            name = file.name
        else:
            if space_id is None:
                raise ActionError(_("Say which space the file goes to."), code="no_space", status=400)
            space = get_object_or_404(user, Space.objects.all(), "view", pk=space_id)
            if meta.get("folder"):
                folder = Folder.objects.filter(pk=_int(meta["folder"], "folder"), space=space).first()
                if folder is None:
                    raise ActionError(
                        _("This folder was deleted in the meantime."), code="folder_deleted", status=409
                    )
            name = meta.get("filename", "")
        name = actions.check_upload(user=user, space=space, folder=folder, name=name, size=length, file=file)
    except ActionError as error:
        return _error(error.status, error.message, error.code)
    upload = Upload.objects.create(
        user=user,
        space=space,
        folder=folder,
        file=file,
        name=name,
        note=meta.get("note", "")[:500],
        length=length,
        expires_at=timezone.now() + timedelta(hours=conf.get("FILES_TUS_EXPIRE_HOURS")),
    )
    _path(upload.pk).touch()
    response = _tus(HttpResponse(status=201))
    response["Location"] = f"/files/tus/{upload.pk}"
    response["Upload-Offset"] = "0"
    return response


@csrf_exempt
def resource(request, upload_id):
    user = _user(request)
    if user is None:
        return _error(401, _("Log in or send a valid bearer token."), "unauthenticated")
    upload = Upload.objects.filter(pk=upload_id, user=user).first()
    if upload is None or upload.expires_at < timezone.now():
        return _error(404, _("Not found."), "not_found")
    if request.method == "HEAD":
        response = _tus(HttpResponse(status=200))
        response["Upload-Offset"] = str(upload.offset)
        response["Upload-Length"] = str(upload.length)
        return response
    if request.method == "DELETE":
        _path(upload.pk).unlink(missing_ok=True)
        upload.delete()
        return _tus(HttpResponse(status=204))
    if request.method != "PATCH":
        return _error(405, _("Method %(method)s is not allowed here.") % {"method": request.method})
    if request.headers.get("Content-Type") != "application/offset+octet-stream":
        return _error(415, _("Send the bytes as application/offset+octet-stream."), "bad_content_type")
    try:
        offset = _int(request.headers.get("Upload-Offset"), "Upload-Offset")
    except ActionError as error:
        return _error(error.status, error.message, error.code)
    return _append(request, upload.pk, offset)


def _append(request, upload_id, offset):
    path = _path(upload_id)
    with transaction.atomic():
        # One PATCH at a time per upload: the row lock orders them, the offset says where to write.
        upload = Upload.objects.select_for_update().get(pk=upload_id)
        if upload.result_id is not None:
            return _error(409, _("This upload is complete."), "complete")
        if offset != upload.offset:
            response = _error(
                409,
                _("The offset does not match: the server has %(offset)d bytes.") % {"offset": upload.offset},
                "offset_mismatch",
            )
            response["Upload-Offset"] = str(upload.offset)
            return response
        written = upload.offset
        with open(path, "r+b" if path.exists() else "wb") as out:
            out.truncate(written)  # a half-written earlier PATCH is cut back to what was counted
            out.seek(written)
            while True:
                chunk = request.read(CHUNK)
                if not chunk:
                    break
                if written + len(chunk) > upload.length:
                    return _error(413, _("More bytes than Upload-Length said."), "too_long")
                out.write(chunk)
                written += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        upload.offset = written
        upload.save(update_fields=["offset"])
    if upload.offset == upload.length:
        try:
            version = _finish(upload, path)
        except ActionError as error:
            return _error(error.status, error.message, error.code)
        response = _tus(HttpResponse(status=204))
        response["Upload-Offset"] = str(upload.offset)
        response["Doeplein-File"] = version.file.get_absolute_url()
        return response
    response = _tus(HttpResponse(status=204))
    response["Upload-Offset"] = str(upload.offset)
    return response


def _finish(upload, path):
    local = LocalFile(path)
    try:
        version = actions.do_upload(
            user=upload.user,
            space=upload.space,
            fileobj=local,
            name=upload.name,
            folder=upload.folder,
            file=upload.file,
            note=upload.note,
        )
    except ActionError:
        Upload.objects.filter(pk=upload.pk).delete()  # refused (quota, type): the bytes are not kept
        raise
    finally:
        local.close()
        path.unlink(missing_ok=True)
    Upload.objects.filter(pk=upload.pk).update(result=version)
    return version


def expire_uploads():
    count = 0
    for upload in Upload.objects.filter(expires_at__lt=timezone.now()):
        _path(upload.pk).unlink(missing_ok=True)
        upload.delete()
        count += 1
    return count
