"""Sending bytes after the gate said yes: streamed by Django in constant memory, handed to nginx
(``X-Accel-Redirect``) or redirected to a short-lived signed URL on S3-compatible storage.

Every answer carries ``X-Content-Type-Options: nosniff``; a type a browser could run (HTML, SVG, XML,
JavaScript, PDF unless ``FILES_PDF_INLINE``) is always an attachment, never shown inline.
"""

from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, StreamingHttpResponse

from . import conf
from .storage import file_storage

BLOCK = 256 * 1024
INLINE_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/csv",
    "application/pdf",
)


ASYNC_BLOCK = 1024 * 1024


async def _async_chunks(blob):
    stream = await sync_to_async(file_storage().open, thread_sensitive=False)(blob, "rb")
    try:
        while data := await sync_to_async(stream.read, thread_sensitive=False)(ASYNC_BLOCK):
            yield data
    finally:
        await sync_to_async(stream.close, thread_sensitive=False)()


def must_be_attachment(content_type):
    if content_type in conf.SCRIPTABLE_TYPES or content_type.endswith(("+xml", "/xml")):
        return True
    if content_type == "application/pdf":
        return not conf.get("FILES_PDF_INLINE")
    return content_type not in INLINE_TYPES


def content_disposition(name, *, attachment):
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_") or "file"
    kind = "attachment" if attachment else "inline"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _headers(response, *, content_type, name, attachment):
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = content_disposition(name, attachment=attachment)
    # Even if a browser rendered it, nothing in it may run or load anything.
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def serve_blob(request, *, blob, name, content_type, size, inline=False):
    attachment = not inline or must_be_attachment(content_type)
    # A type shown inline keeps its type; text is sent as text/plain with a charset so it never becomes HTML.
    sent_type = content_type
    if content_type.startswith("text/") and not attachment:
        sent_type = f"{content_type}; charset=utf-8"
    if attachment and must_be_attachment(content_type):
        sent_type = "application/octet-stream"
    mode = conf.get("FILES_DOWNLOAD_MODE")
    if mode == "accel":
        response = HttpResponse(content_type=sent_type)
        response["X-Accel-Redirect"] = conf.get("FILES_ACCEL_PREFIX").rstrip("/") + "/" + quote(blob)
        response["Content-Length"] = str(size)
        return _headers(response, content_type=sent_type, name=name, attachment=attachment)
    if mode == "s3":
        disposition = content_disposition(name, attachment=attachment)
        url = file_storage().url(
            blob,
            parameters={"ResponseContentDisposition": disposition, "ResponseContentType": sent_type},
            expire=conf.get("FILES_SIGNED_URL_SECONDS"),
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
    from django.core.handlers.asgi import ASGIRequest

    if isinstance(request, ASGIRequest):
        # Under ASGI a synchronous iterator would be read whole into memory before the first byte is
        # sent (Django consumes it to serve it asynchronously); an asynchronous one streams, chunk by chunk.
        response = StreamingHttpResponse(_async_chunks(blob), content_type=sent_type)
    else:
        response = FileResponse(file_storage().open(blob, "rb"), content_type=sent_type)
        response.block_size = BLOCK
    response["Content-Length"] = str(size)
    return _headers(response, content_type=sent_type, name=name, attachment=attachment)
