"""Where the bytes live, how names are checked and how a stream is measured.

The bytes of each version sit under a random key (``v/ab/<uuid>``) in a private storage: the
``STORAGES["files"]`` alias when it exists (S3 through django-storages in production), else a folder
outside ``MEDIA_ROOT`` that no web server serves. A person's file name never touches the disk.
"""

import hashlib
import os
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils.translation import gettext as _

from doeplein.core.exceptions import ActionError

from . import conf

CHUNK = 1024 * 1024
SNIFF_BYTES = 64 * 1024
MAX_NAME = 255
# Characters that hide what a name is: bidirectional overrides and isolates, zero-width marks.
_HIDING = {
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
    "\u200b",
    "\u200c",
    "\u200d",
    "\ufeff",
    "\ufffd",
}


@cache
def _storage(alias, root):
    if alias in settings.STORAGES:
        return storages[alias]
    location = root or str(Path(settings.VAR_DIR) / "private-files")
    return FileSystemStorage(location=location, base_url=None)


def file_storage():
    return _storage(conf.get("FILES_STORAGE"), conf.get("FILES_ROOT"))


def upload_tmp_dir():
    path = Path(conf.get("FILES_UPLOAD_TMP") or Path(settings.VAR_DIR) / "uploads")
    path.mkdir(parents=True, exist_ok=True)
    return path


def clean_name(name):
    """The name as given, NFC, or an :class:`ActionError` that says what is wrong with it."""
    if isinstance(name, bytes):
        try:
            name = name.decode("utf-8")
        except UnicodeDecodeError:
            raise ActionError(_("The name is not valid text (UTF-8)."), code="bad_name", status=400) from None
    name = unicodedata.normalize("NFC", str(name or "")).strip()
    if not name:
        raise ActionError(_("Give a name."), code="bad_name", status=400)
    if name in (".", ".."):
        raise ActionError(_("This name is not allowed."), code="bad_name", status=400)
    if "/" in name or "\\" in name:
        raise ActionError(_("A name cannot contain / or \\."), code="bad_name", status=400)
    if any(unicodedata.category(c) == "Cc" or c in _HIDING for c in name):
        raise ActionError(
            _("A name cannot contain control characters or characters that reverse or hide text."),
            code="bad_name",
            status=400,
        )
    if len(name) > MAX_NAME:
        raise ActionError(
            _("A name can be at most %(max)d characters long.") % {"max": MAX_NAME},
            code="bad_name",
            status=400,
        )
    return name


def sniff(head):
    """The content type of the bytes themselves (libmagic), never the name's or the browser's."""
    import magic

    if not head:
        return "application/x-empty"
    try:
        kind = magic.from_buffer(head, mime=True) or "application/octet-stream"
    except Exception:  # libmagic can fail on odd input; the bytes are then just bytes  # noqa: BLE001 -- deliberate catch-all: a broken input or backend is reported, never a crash
        kind = "application/octet-stream"
    if kind == "text/plain" and head.lstrip()[:5].lower() in (b"<svg ", b"<?xml"):
        kind = "image/svg+xml" if b"<svg" in head[:4096].lower() else "text/xml"
    return kind


@dataclass
class Measured:
    size: int
    sha256: str
    content_type: str
    width: int | None = None
    height: int | None = None


def measure(fileobj):
    """Size, SHA-256 and sniffed type of a file-like object, read in chunks (memory stays flat)."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    fileobj.seek(0)
    while chunk := fileobj.read(CHUNK):
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    measured = Measured(size=size, sha256=digest.hexdigest(), content_type=sniff(head))
    if measured.content_type.startswith("image/") and measured.content_type != "image/svg+xml":
        measured.width, measured.height = image_size(fileobj)
        fileobj.seek(0)
    return measured


def image_size(fileobj):
    """Width and height from the image's header only (no decoding, so no decompression bomb)."""
    from PIL import Image

    try:
        with Image.open(fileobj) as image:
            return image.size
    except Exception:  # not an image after all, or a broken one: no dimensions  # noqa: BLE001 -- deliberate catch-all: a broken input or backend is reported, never a crash
        return None, None


class LocalFile:
    """A file on local disk handed to storage: FileSystemStorage moves it instead of copying."""

    def __init__(self, path):
        self.path = str(path)
        self.file = open(self.path, "rb")  # noqa: SIM115 -- closed by close()
        self.name = os.path.basename(self.path)
        self.size = os.path.getsize(self.path)

    def temporary_file_path(self):
        return self.path

    def read(self, *args):
        return self.file.read(*args)

    def seek(self, *args):
        return self.file.seek(*args)

    def tell(self):
        return self.file.tell()

    def chunks(self, chunk_size=CHUNK):
        self.file.seek(0)
        while chunk := self.file.read(chunk_size):
            yield chunk

    def close(self):
        self.file.close()
